"""Review and sign-off on one store: shares and roles, verdicts that survive re-checks, comments, the lock of a
submitted report, approval kept whole, the changes since it, history, and the migration from the old store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from docx import Document

from assistant.api import export_report
from assistant.app.workspace import Workspace, sample_report
from assistant.checks import check_report
from assistant.drafting import ReportNotFoundError, VersionStore
from assistant.drafting.accounts import AccountError, Accounts, hash_password, verify_password
from assistant.drafting.library import Library, NotOwnerError, keep_previous
from assistant.drafting.review import Review, ReviewError
from assistant.drafting.store import ReportLockedError, _m1, _m2
from assistant.schema import get_cell, load_report, report_to_data

TOWNSHIP = {"agency": "青山县白云镇人民政府", "body_type": "township", "year": 2025, "format": "2021"}


@pytest.fixture
def store(tmp_path: Path):
    with VersionStore(tmp_path) as s:
        yield s


@pytest.fixture
def people(store: VersionStore) -> dict[str, str]:
    accounts = Accounts(store)
    return {name: accounts.add(name, f"{name}-password").owner for name in ("clerk", "boss", "third")}


def _clerk_report(store: VersionStore, owner: str) -> Workspace:
    space = Workspace(store, owner, "")
    store.save_notes(owner, "_created", "1")
    space.create_blank(TOWNSHIP)
    space.fill_zeros()  # every blank count is 0: an arithmetic mismatch is an error, not a warning
    space.set_cells({"applications.new_requests.natural_person": 5, "applications.new_requests.total": 5})
    return space


def _as(store: VersionStore, owner: str, report_id: str) -> Workspace:
    return Workspace(store, owner, report_id)


def test_passwords_are_hashed_and_checked(store: VersionStore) -> None:
    stored = hash_password("correct horse")
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    assert verify_password("correct horse", stored) and not verify_password("wrong horse", stored)
    assert not verify_password("x", "not-a-hash")
    accounts = Accounts(store)
    accounts.add("clerk", "password-1")
    raw = store._db.execute("SELECT password FROM users WHERE name = 'clerk'").fetchone()[0]
    assert "password-1" not in raw
    assert accounts.verify("clerk", "password-1") and not accounts.verify("clerk", "password-2")
    assert not accounts.verify("nobody", "password-1")
    with pytest.raises(AccountError, match="已存在"):
        accounts.add("clerk", "password-3")
    with pytest.raises(AccountError, match="至少 8 个字符"):
        accounts.add("short", "1234")
    with pytest.raises(AccountError, match="冒号"):
        accounts.add("a:b", "password-1")
    # a name remembered from an external login list can be shared with, never logged in as here
    accounts.remember("listed")
    assert accounts.get("listed") is not None and not accounts.verify("listed", "")


def test_a_report_reaches_only_its_owner_and_the_colleagues_it_is_shared_with(
    store: VersionStore, people: dict[str, str],
) -> None:
    space = _clerk_report(store, people["clerk"])
    rid = space.id
    assert Library(store, people["boss"]).entries() == []
    with pytest.raises(ReportNotFoundError):
        Review(store, rid, people["boss"])

    share = space.review().share("boss", "reviewer")
    assert share.role_label == "审核"
    boss = Library(store, people["boss"])
    [entry] = boss.entries()
    assert entry.id == rid and entry.role == "reviewer" and entry.shared_with_me
    assert Library(store, people["third"]).entries() == []  # a third user sees nothing of it
    with pytest.raises(ReportNotFoundError):
        Library(store, people["third"]).get(rid)
    with pytest.raises(NotOwnerError):
        boss.delete(rid)
    with pytest.raises(NotOwnerError):
        boss.rename(rid, "改名")
    with pytest.raises(ReviewError, match="起草人"):
        _as(store, people["boss"], rid).review().share("third", "editor")
    with pytest.raises(ReviewError, match="没有用户"):
        space.review().share("nobody", "reviewer")

    reviewer = _as(store, people["boss"], rid)
    with pytest.raises(ReviewError, match="审核人"):
        reviewer.set_cells({"applications.new_requests.total": 6})
    with pytest.raises(ReviewError, match="审核人"):
        reviewer.save_notes("overview", "- 审核人写的要点")
    assert get_cell(space.report(), "applications.new_requests.total") == 5

    space.review().unshare("boss")
    assert Library(store, people["boss"]).entries() == []


def test_verdicts_survive_rechecks_and_drop_when_the_values_change(store: VersionStore, people: dict[str, str]) -> None:
    space = _clerk_report(store, people["clerk"])
    space.set_cells({"applications.new_requests.total": 6})  # 5 natural persons, total 6: R-rule error
    space.review().share("boss", "reviewer")
    reviewer = _as(store, people["boss"], space.id)
    before = space.check()
    error = next(f for f in before.findings if f.rule == "R3.3" and f.cells[0] == "applications.new_requests.total")
    assert error.severity == "error"
    with pytest.raises(Exception, match="理由"):
        reviewer.review().decide(error, "dismissed", "")
    reviewer.review().decide(error, "dismissed", "本年度另有1件由其他组织提交，待补录")
    again = space.check()  # a re-check, by the clerk this time: the verdict is kept
    [ruled] = [f for f in again.findings if f.rule == error.rule and f.cells == error.cells]
    assert ruled.verdict is not None and ruled.verdict.by == "boss" and ruled.dismissed
    assert again.errors == before.errors - 1 and again.dismissed == 1

    space.set_cells({"applications.new_requests.total": 7})  # the values it judged changed
    after = space.check()
    [back] = [f for f in after.findings if f.rule == error.rule and f.cells == error.cells]
    assert back.verdict is None and after.errors == before.errors
    assert any(n.startswith("【裁定已失效】") and "boss" in n for n in after.notes)


def test_submit_locks_return_needs_a_comment_approve_keeps_the_state(store: VersionStore, people: dict[str, str]) -> None:
    space = _clerk_report(store, people["clerk"])
    rid = space.id
    with pytest.raises(ReviewError, match="还没有审核人"):
        space.review().submit()
    space.review().share("boss", "reviewer")
    space.set_cells({"review_litigation.review.pending": 0}, undo_label="粘贴")  # an undoable step
    reviewer = _as(store, people["boss"], rid).review()
    with pytest.raises(ReviewError, match="尚未提交"):
        reviewer.approve()
    space.review().submit()
    with pytest.raises(ReportLockedError):
        space.set_cells({"applications.new_requests.total": 9})
    with pytest.raises(ReportLockedError):
        space.undo()
    with pytest.raises(ReviewError, match="起草人或编辑"):
        reviewer.submit()
    with pytest.raises(ReviewError, match="写明"):
        reviewer.send_back("  ")
    reviewer.send_back("请补充依申请公开的办理情况")
    assert space.review().status().label == "已退回修改"
    space.set_narrative("overview", "全年收到政府信息公开申请5件。")  # editable again
    space.review().submit()
    approval = reviewer.approve()
    assert approval.number == 1 and approval.approver == "boss"
    assert space.review().status().current_approved
    meta = space.review().export_approval()
    assert meta is not None and meta["approver"] == "boss" and meta["revision"] == space.revision()

    space.set_cells({"applications.new_requests.total": 5, "review_litigation.review.upheld": 1})
    status = space.review().status()
    assert status.state == "editing" and not status.current_approved and status.approval is not None
    assert space.review().export_approval() is None  # an export names only the exact approved state
    cells, parts = space.review().since_approval() or ([], [])
    assert [(d.cell, d.before, d.after) for d in cells] == [("review_litigation.review.upheld", 0, 1)]
    assert not any(p.changed for p in parts)

    actions = [h.action for h in space.review().history()]
    for step in ("提交审核", "提出意见", "退回修改", "修改正文", "审核通过", "修改统计数据"):
        assert step in actions, step
    assert actions.index("退回修改") < actions.index("审核通过")
    assert {h.who for h in space.review().history()} == {"clerk", "boss"}


def test_comments_are_answered_and_resolved(store: VersionStore, people: dict[str, str]) -> None:
    space = _clerk_report(store, people["clerk"])
    space.review().share("boss", "reviewer")
    reviewer = _as(store, people["boss"], space.id).review()
    c = reviewer.comment("cell:applications.new_requests.total", "与正文中的件数不一致？")
    reply = space.review().comment("report", "已核对，正文已改", parent=c.id)
    assert reply.target == c.target and reply.parent == c.id
    done = reviewer.resolve(c.id)
    assert done.resolved and done.resolved_by == "boss"
    with pytest.raises(ReviewError, match="意见内容"):
        reviewer.comment("report", " ")
    # another report's comment is not reachable through this one
    other = _clerk_report(store, people["third"])
    with pytest.raises(ReviewError, match="找不到"):
        other.review().resolve(c.id)


def test_export_of_the_approved_state_names_it_in_file_properties_only(
    store: VersionStore, people: dict[str, str], tmp_path: Path,
) -> None:
    report = sample_report()
    meta = {"number": 2, "revision": 17, "approver": "李科长", "at": "2026-12-02T06:03:00+00:00"}
    out = export_report(report, tmp_path / "年报.docx", approval=meta)
    doc = Document(str(out))
    assert doc.core_properties.content_status == "审核通过"
    assert "李科长" in doc.core_properties.comments and "修订号 17" in doc.core_properties.comments
    assert "14:03" in doc.core_properties.comments  # Beijing time
    printed = "\n".join(p.text for p in doc.paragraphs)
    assert "李科长" not in printed and "审核通过" not in printed
    html = export_report(report, tmp_path / "年报.html", approval=meta).read_text(encoding="utf-8")
    assert '<meta name="xxgk-approval"' in html and "李科长" in html.split("</head>")[0]
    assert "李科长" not in html.split("</head>")[1]
    plain = Document(str(export_report(report, tmp_path / "未审.docx")))
    assert plain.core_properties.content_status != "审核通过"


def test_last_year_is_kept_for_the_side_by_side_view(store: VersionStore, people: dict[str, str]) -> None:
    from assistant.drafting.compare import carried_over, year_over_year

    space = _clerk_report(store, people["clerk"])
    last = load_report({**TOWNSHIP, "year": 2024, "narrative": {"overview": "全年收到政府信息公开申请3件。坚持以公开为常态。"},
                        "applications": {"new_requests": {"natural_person": 3, "total": 3}}})
    keep_previous(store, space.id, last)
    space.set_narrative("overview", "全年收到政府信息公开申请3件。坚持以公开为常态。今年新增网上申请渠道。")
    previous = space.review().previous()
    assert previous is not None and previous.year == 2024
    rows = {d.cell: d for d in year_over_year(space.report(), previous)}
    assert rows["applications.new_requests.total"].before == 3 and rows["applications.new_requests.total"].after == 5
    carried = carried_over(space.report(), previous)["overview"]
    assert ("全年收到政府信息公开申请3件。", True) in carried  # a stale figure, marked
    assert ("坚持以公开为常态。", False) in carried


def test_a_big_jump_from_last_year_is_marked() -> None:
    from assistant.drafting.compare import CellDelta

    assert CellDelta("x", "x", 10, 40).jump and not CellDelta("x", "x", 100, 120).jump
    assert not CellDelta("x", "x", 1, 5).jump  # small numbers move a lot without meaning much


def test_the_old_store_migrates_and_keeps_its_reports(tmp_path: Path) -> None:
    path = tmp_path / "drafts.sqlite3"
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    _m1(db)
    data = json.dumps(report_to_data(load_report(TOWNSHIP)), ensure_ascii=False)
    db.execute("INSERT INTO reports VALUES ('ws-oldbrowser-0001', ?, '2026-01-01T00:00:00+00:00')", (data,))
    db.execute("INSERT INTO notes VALUES ('ws-oldbrowser-0001', 'overview', '- 旧要点', '2026-01-01T00:00:00+00:00')")
    _m2(db)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with VersionStore(path) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == 3
        lib = Library(store, "ws-oldbrowser-0001")
        [entry] = lib.entries()
        assert entry.review_state == "editing" and entry.role == "owner"
        assert store.load_notes(entry.id, "overview") == "- 旧要点"
        assert Review(store, entry.id, "ws-oldbrowser-0001").history() == []
        assert check_report(store.load_report(entry.id)) is not None  # type: ignore[arg-type]


def test_an_approval_covers_only_what_it_saw(store: VersionStore, people: dict[str, str]) -> None:
    """A change that changes nothing keeps the approval; a verdict recorded after it does not."""
    space = _clerk_report(store, people["clerk"])
    space.fill_totals()
    space.review().share("boss", "reviewer")
    space.review().submit()
    _as(store, people["boss"], space.id).review().approve()
    revision = space.revision()
    space.fill_totals()  # nothing left to fill: no write, no new revision, no history step
    space.set_cells({"applications.new_requests.total": 5})
    assert space.revision() == revision and space.review().export_approval() is not None
    assert "自动计算合计" not in [h.action for h in space.review().history()]  # it never changed a cell
    error = next(f for f in space.check().findings if f.severity == "error")
    space.review().decide(error, "dismissed", "另有1件待补录")  # would let the error through the export gate
    assert space.review().status().state == "editing" and space.review().export_approval() is None


def test_an_editor_saves_report_information_and_a_copy_keeps_last_year(
    store: VersionStore, people: dict[str, str],
) -> None:
    space = _clerk_report(store, people["clerk"])
    keep_previous(store, space.id, load_report({**TOWNSHIP, "year": 2024}))
    space.review().share("boss", "editor")
    editor = _as(store, people["boss"], space.id)
    editor.set_metadata({"agency": "青山县白云镇人民政府（更名后）"})  # no automatic rename for a colleague
    assert space.report().agency == "青山县白云镇人民政府（更名后）"
    copy = space.library.duplicate(space.id)
    copied = Review(store, copy.id, people["clerk"]).previous()
    assert copied is not None and copied.year == 2024


def test_a_sample_someone_commented_on_is_never_expired(store: VersionStore, people: dict[str, str]) -> None:
    from assistant.drafting.library import expire_empty_owners

    owner = Workspace.open(store, None)[0]
    owner.store.save_notes(owner.owner, "_created", "1")
    Accounts(store).remember("visitor")
    store._db.execute("UPDATE report_index SET owner = owner")  # nothing else touched
    Review(store, owner.id, owner.owner).comment("report", "请核对")
    assert expire_empty_owners(store, max_age_s=0) == 0
    assert Library(store, owner.owner).entries()
