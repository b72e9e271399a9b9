"""A clerk's reports: several per owner, the 示例 apart, imports that keep narrative, undo, stale pages, migration."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from assistant.app.context import AppConfig, AppContext
from assistant.app.workspace import Workspace
from assistant.drafting import (
    NothingToUndoError,
    ReportNotFoundError,
    StaleReportError,
    VersionStore,
)
from assistant.drafting.store import _m1
from assistant.schema import Report, get_cell

TOWNSHIP = {"agency": "青山县白云镇人民政府", "body_type": "township", "year": 2025, "format": "2021",
            "contact": {"phone": "0533-1234567"}}


@pytest.fixture
def store(tmp_path: Path):
    with VersionStore(tmp_path) as s:
        yield s


def _space(store: VersionStore) -> Workspace:
    return Workspace.open(store, None)[0]


def test_a_clerk_keeps_several_reports(store: VersionStore) -> None:
    space = _space(store)
    sample_id = space.id
    entry = space.create_blank(TOWNSHIP)
    assert entry.name == "青山县白云镇人民政府2025年度报告" and space.id == entry.id
    report = space.report()
    assert report.default_title == "青山县白云镇人民政府2025年政府信息公开工作年度报告"
    assert report.agency == "青山县白云镇人民政府" and report.body_type == "township"
    assert get_cell(report, "applications.new_requests.total") is None  # blank, nothing of the sample
    assert space.notes("overview") == ""
    names = [e.name for e in space.library.entries()]
    assert set(names) == {"示例", "青山县白云镇人民政府2025年度报告"}

    space.library.rename(entry.id, "白云镇年报")
    copy = space.library.duplicate(entry.id)
    assert copy.name == "白云镇年报（副本）" and copy.id != entry.id
    space.library.delete(entry.id)
    assert entry.id not in [e.id for e in space.library.entries()]
    assert [e.id for e in space.library.entries(deleted=True)] == [entry.id]
    space.library.restore(entry.id)  # the undo of a delete
    assert {e.id for e in space.library.entries()} == {sample_id, entry.id, copy.id}


def test_another_owner_cannot_reach_a_report(store: VersionStore) -> None:
    mine, theirs = _space(store), _space(store)
    entry = mine.create_blank(TOWNSHIP)
    with pytest.raises(ReportNotFoundError) as exc:
        theirs.switch(entry.id)
    assert "找不到这份报告" in str(exc.value)
    with pytest.raises(ReportNotFoundError):
        theirs.library.delete(entry.id)


def test_opening_the_sample_never_overwrites_a_report(store: VersionStore) -> None:
    space = _space(store)
    space.create_blank(TOWNSHIP)
    own = space.id
    space.set_cells({"applications.new_requests.total": 5})
    space.save_notes("overview", "- 全年收到申请5件")
    space.load_sample()
    assert space.entry().name == "示例" and space.id != own
    assert space.report().agency == "淄博市工业和信息化局"
    space.switch(own)
    assert get_cell(space.report(), "applications.new_requests.total") == 5
    assert space.notes("overview") == "- 全年收到申请5件"
    # Opening it again reuses the one sample (not a new copy each time).
    space.load_sample()
    assert [e.name for e in space.library.entries()].count("示例") == 1


def test_import_replaces_tables_and_keeps_narrative(store: VersionStore, sample_report: Report) -> None:
    space = _space(store)
    space.create_blank(TOWNSHIP)
    space.set_narrative("overview", "已采纳的总体情况。")
    space.import_tables(sample_report)
    report = space.report()
    assert report.narrative.overview == "已采纳的总体情况。"
    assert report.agency == "青山县白云镇人民政府"  # metadata only with confirmation
    assert get_cell(report, "applications.new_requests.total") == get_cell(sample_report, "applications.new_requests.total")
    space.import_tables(sample_report, metadata=True)
    assert space.report().agency == sample_report.agency
    assert space.report().narrative.overview == "已采纳的总体情况。"
    # One click undoes the import.
    report, label = space.undo()
    assert label == "导入统计数据" and report.agency == "青山县白云镇人民政府"


def test_notes_are_versioned(store: VersionStore) -> None:
    space = _space(store)
    space.create_blank(TOWNSHIP)
    for text in ("- 甲", "- 甲\n- 乙", "- 甲\n- 乙"):
        space.save_notes("problems", text)
    assert [v.text for v in store.notes_versions(space.id, "problems")] == ["- 甲", "- 甲\n- 乙"]


def test_a_stale_page_is_told_to_reload(store: VersionStore) -> None:
    space = _space(store)
    space.create_blank(TOWNSHIP)
    seen = space.revision()
    space.set_cells({"applications.new_requests.total": 5}, expected_revision=seen)  # tab 1
    with pytest.raises(StaleReportError) as exc:  # tab 2 still shows the older revision
        space.set_cells({"applications.new_requests.total": 3}, expected_revision=seen)
    assert "请刷新页面" in str(exc.value)
    assert get_cell(space.report(), "applications.new_requests.total") == 5


def test_two_processes_edit_different_cells_without_losing_either(tmp_path: Path) -> None:
    first = VersionStore(tmp_path)
    space = _space(first)
    space.create_blank(TOWNSHIP)
    second = VersionStore(tmp_path)  # a second server on the same data dir
    other = Workspace(second, space.owner, space.id)
    space.set_cells({"applications.new_requests.total": 5})
    other.set_cells({"review_litigation.review.upheld": 1})
    report = first.load_report(space.id)
    assert report is not None
    assert get_cell(report, "applications.new_requests.total") == 5
    assert get_cell(report, "review_litigation.review.upheld") == 1


def test_fill_zeros_and_totals_list_changes_and_undo_redo(store: VersionStore) -> None:
    space = _space(store)
    space.create_blank(TOWNSHIP)
    space.set_cells({"applications.new_requests.natural_person": 5})
    report, filled = space.fill_zeros("review_litigation")
    assert len(filled) == 15 and all(c.before is None and c.after == 0 for c in filled)
    assert all(c.cell.startswith("review_litigation.") for c in filled)
    report, changed = space.fill_totals()
    totals = {c.cell: (c.before, c.after) for c in changed}
    assert totals["applications.new_requests.total"] == (None, 5)
    assert "新收政府信息公开申请数量" in next(c.label for c in changed if c.cell == "applications.new_requests.total")
    report, label = space.undo()
    assert label == "自动计算合计" and get_cell(report, "applications.new_requests.total") is None
    report, label = space.redo()
    assert label == "自动计算合计" and get_cell(report, "applications.new_requests.total") == 5
    space.undo()
    report, label = space.undo()
    assert label == "空白填 0" and get_cell(report, "review_litigation.review.upheld") is None
    assert get_cell(report, "applications.new_requests.natural_person") == 5  # typed values stay
    with pytest.raises(NothingToUndoError):
        space.undo()


def test_metadata_drives_title_and_name(store: VersionStore) -> None:
    space = _space(store)
    space.create_blank(TOWNSHIP)
    report = space.set_metadata({"agency": "青山县红旗镇人民政府", "year": 2026})
    assert report.default_title == "青山县红旗镇人民政府2026年政府信息公开工作年度报告"
    assert report.agency == "青山县红旗镇人民政府" and report.year == 2026 and report.body_type == "township"
    assert space.entry().name == "青山县红旗镇人民政府2026年度报告"
    assert space.undo()[0].agency == "青山县白云镇人民政府"


def test_an_existing_store_is_migrated_with_its_data(tmp_path: Path, sample_report: Report) -> None:
    from assistant.schema import report_to_data

    db = sqlite3.connect(tmp_path / "drafts.sqlite3", isolation_level=None)
    db.execute("BEGIN")
    _m1(db)
    db.execute("PRAGMA user_version = 1")
    db.execute("COMMIT")
    old = "ws-" + "a" * 24
    db.execute("INSERT INTO reports VALUES (?, ?, ?)",
               (old, json.dumps(report_to_data(sample_report), ensure_ascii=False), "2025-01-01T00:00:00"))
    for part, text in (("_created", "1"), ("overview", "- 旧要点"), ("_settings", '{"model": "m1"}')):
        db.execute("INSERT INTO notes VALUES (?, ?, ?, ?)", (old, part, text, "2025-01-01T00:00:00"))
    db.close()
    with VersionStore(tmp_path) as store:
        space, created = Workspace.open(store, old)
        assert not created and space.id == old
        assert space.notes("overview") == "- 旧要点" and space.settings_data()["model"] == "m1"
        assert space.report() == sample_report
        assert [e.name for e in space.library.entries()] == ["淄博市工业和信息化局2022年度报告"]
        assert [v.text for v in store.notes_versions(old, "overview")] == ["- 旧要点"]


def test_store_and_exports_are_owner_only(store: VersionStore) -> None:
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    space = _space(store)
    path = space.export_dir()
    assert path.is_relative_to(store.path.parent)
    assert space.owner not in str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o700 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_login_keys_are_bound_to_the_server_secret(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    ctx = AppContext(AppConfig(), store)
    legacy = f"user-{hashlib.sha256(b'clerk').hexdigest()[:32]}"
    old, _ = Workspace.open(store, legacy)  # work saved under the key of earlier releases
    old.create_blank(TOWNSHIP)
    key = ctx.workspace_key(None, "clerk")
    assert key != legacy and hashlib.sha256(b"clerk").hexdigest()[:32] not in key
    space = ctx.space(None, "clerk")
    assert "青山县白云镇人民政府2025年度报告" in [e.name for e in space.library.entries()]
    # A server without login on the same data dir, given the old key, finds nothing of the clerk's.
    stranger, created = Workspace.open(store, legacy)
    assert created is False or stranger.library.entries()[0].name == "示例"
    assert "青山县白云镇人民政府2025年度报告" not in [e.name for e in stranger.library.entries()]


def test_two_pages_editing_merge_by_cell_and_a_real_conflict_is_refused(store: VersionStore) -> None:
    from assistant.app.grids import grid_rows
    from assistant.app.tab_stats import edit_table
    from assistant.schema.document import flatten_cells

    space = _space(store)
    space.create_blank(TOWNSHIP)
    shown_a = flatten_cells(space.report())[0]  # tab A renders
    shown_b = dict(shown_a)  # tab B renders the same
    rows = grid_rows(space.report(), "applications")
    rows[0][2] = "5"
    assert edit_table(space, "applications", rows, shown_a)[2] is None  # A: 新收 自然人 = 5
    rows_b = grid_rows(load_shown(space, shown_b), "review_litigation")
    rows_b[0][2] = "1"
    # B still shows the old table 三 but edits table 四: both edits are kept (no blanket "reload").
    assert edit_table(space, "review_litigation", rows_b, shown_b)[2] is None
    report = space.report()
    assert get_cell(report, "applications.new_requests.natural_person") == 5
    assert get_cell(report, "review_litigation.review.upheld") == 1
    # B now overwrites A's cell from its stale view: refused, A's value stays.
    rows_b = grid_rows(load_shown(space, shown_b), "applications")
    rows_b[0][2] = "3"
    _, _, error = edit_table(space, "applications", rows_b, shown_b)
    assert error and "已在别处" in error and "「一、本年新收政府信息公开申请数量」行「自然人」列" in error
    assert get_cell(space.report(), "applications.new_requests.natural_person") == 5


def load_shown(space: Workspace, shown: dict) -> Report:
    from assistant.schema import set_cells

    return set_cells(space.report(), shown)


def test_empty_workspaces_expire_and_used_ones_stay(store: VersionStore) -> None:
    from assistant.drafting.library import expire_empty_owners

    idle = _space(store)  # a page load that did nothing
    typed = _space(store)
    typed.save_notes("overview", "- 改过的要点")
    own = _space(store)
    own.create_blank(TOWNSHIP)
    assert expire_empty_owners(store, max_age_s=3600) == 0  # all are fresh
    assert expire_empty_owners(store, max_age_s=0) == 1
    owners = {r[0] for r in store._db.execute("SELECT owner FROM report_index").fetchall()}
    assert idle.owner not in owners and {typed.owner, own.owner} <= owners
    assert store.load_report(idle.id) is None and store.load_notes(idle.owner, "_created") is None
    assert Workspace.open(store, own.owner)[0].report().agency == "青山县白云镇人民政府"


def test_a_report_from_last_year_offers_its_narrative_as_reference_not_notes(store: VersionStore) -> None:
    from assistant.app.tab_compose import notes_choices, reference_markdown
    from assistant.app.tab_stats import import_file
    from assistant.samples import SAMPLE_REPORT

    space = _space(store)
    sample_overview = space.notes("overview")
    report, message = import_file(space, str(SAMPLE_REPORT), "report")
    assert report.year == 2023 and "新建" in message and space.entry().name == "淄博市工业和信息化局2023年度报告"
    assert space.notes("overview") == "" and sample_overview  # nothing of the sample's notes
    assert "一是" in reference_markdown(space, "problems")
    space.save_notes("problems", "- 甲")
    space.save_notes("problems", "- 乙")
    assert [label.split(" · ")[0] for label, _ in notes_choices(space, "problems")] == ["第 2 版", "第 1 版"]


def test_without_logins_on_this_computer_every_origin_opens_the_same_reports(tmp_path: Path) -> None:
    """127.0.0.1 and localhost keep separate browser storage: the one local user must not depend on it."""
    from assistant.drafting.accounts import LOCAL_OWNER

    with VersionStore(tmp_path) as store:
        # work from an earlier release: two browser workspaces, one worked on, one only the sample
        old = Workspace.open(store, "ws-oldbrowser-0000000001")[0]
        old.create_blank(TOWNSHIP)
        old.set_cells({"applications.new_requests.total": 5})
        Workspace.open(store, "ws-oldbrowser-0000000002")
        ctx = AppContext(AppConfig(), store)
        a = ctx.space("ws-from-127-0-0-1-aaaa")
        b = ctx.space("")  # another origin: nothing in its storage
        assert a.owner == b.owner == LOCAL_OWNER and a.id == b.id
        names = [e.name for e in a.library.entries()]
        assert "青山县白云镇人民政府2025年度报告" in names  # the earlier workspace's report was kept
        assert names.count("示例") <= 1  # untouched sample copies were not piled up
        township = next(e for e in a.library.entries() if e.name.startswith("青山县"))
        assert get_cell(store.load_report(township.id), "applications.new_requests.total") == 5  # type: ignore[arg-type]

        apart = AppContext(AppConfig(per_browser=True), store)
        assert apart.space("ws-browser-one-00001").owner != apart.space("ws-browser-two-00002").owner
        network = AppContext(AppConfig(host="0.0.0.0"), store)
        assert network.config.single_user is False  # served to the network without logins: per browser
        # a page that puts the local user's (or a login's) key into its storage gets a workspace of its own
        for forged in (LOCAL_OWNER, logged_key := AppContext(AppConfig(auth=("clerk", "pw-12345")), store)
                       .space("", "clerk").owner):
            opened = network.space(forged)
            assert opened.owner not in (LOCAL_OWNER, logged_key) and opened.owner.startswith("ws-")
        logged = AppContext(AppConfig(auth=("clerk", "pw-12345")), store)
        assert logged.space("", "clerk").owner.startswith("user-")
        # two browsers of one login: the same reports, each with its own open report
        office = logged.space("ws-office-browser-01", "clerk")
        home = logged.space("ws-home-browser-0002", "clerk")
        assert office.owner == home.owner
        own = office.create_blank(TOWNSHIP)
        home.load_sample()
        assert logged.space("ws-office-browser-01", "clerk").id == own.id
        assert logged.space("ws-home-browser-0002", "clerk").entry().is_sample
        assert logged.space("ws-new-browser-00003", "clerk").id == home.id  # a new browser: the last opened


def test_a_report_from_last_year_is_checked_and_drafted_against_it(store: VersionStore) -> None:
    """Gap of issue 15 / 10: last year's report kept with this one feeds the page's cross-year checks (X1 …)
    and the drafting guard (X9, last year's figure stated as this year's)."""
    from assistant.app.tab_compose import save_edit
    from assistant.app.tab_stats import import_file
    from assistant.samples import SAMPLE_REPORT

    space = _space(store)
    import_file(space, str(SAMPLE_REPORT), "report")
    previous = space.previous()
    assert previous is not None and previous.year == 2022
    assert not any("未检查" in note for note in space.check().notes)  # the cross-year rules ran
    space.set_cells({"applications.carried_over.natural_person": 2, "applications.carried_over.total": 2})
    assert any(f.rule == "X1" for f in space.check().findings)  # 上年结转 ≠ last year's 结转下年度 (0)
    space.set_cells({"applications.new_requests.natural_person": 7, "applications.new_requests.total": 7})
    _message, version_id = save_edit(space, "overview", "2023年，本机关共收到政府信息公开申请3件。")
    assert "X9" in {f.rule for f in store.get_version(version_id).findings}  # 3 is last year's, this year's is 7
    assert space.session().drafter.previous is not None
    # A report not made from last year's has none (and the page says the cross-year rules were not run).
    fresh = _space(store)
    assert fresh.previous() is None
    assert any("未检查" in note for note in fresh.check().notes)


def test_last_years_report_can_be_attached_to_a_report_begun_blank(store: VersionStore, tmp_path: Path) -> None:
    """Gap of issue 15: a report started blank gets last year's report attached afterwards (审核 → 与上年度对照):
    the side-by-side view, the cross-year checks and the reference narrative follow."""
    from assistant.app.reviewviews import last_year_html
    from assistant.app.tab_compose import reference_markdown
    from assistant.app.tab_stats import read_last_year
    from assistant.samples import SAMPLE_REPORT

    space = _space(store)
    space.create_blank({**TOWNSHIP, "agency": "淄博市工业和信息化局", "year": 2023, "body_type": "department"})
    assert space.previous() is None and any("未检查" in note for note in space.check().notes)
    with pytest.raises(ValueError, match="不支持的文件类型"):
        read_last_year(str(tmp_path / "x.exe"))
    last = read_last_year(str(SAMPLE_REPORT))
    wrong = last.model_copy(update={"year": 2020})
    with pytest.raises(ValueError, match="请上传 2022 年度的报告"):
        space.attach_previous(wrong)
    message = space.attach_previous(last)
    assert "已附加 2022 年度报告" in message and "不同" not in message
    assert space.previous() is not None and space.previous().year == 2022  # type: ignore[union-attr]
    assert not any("未检查" in note for note in space.check().notes)
    assert "一是" in reference_markdown(space, "problems")
    assert "2022" in last_year_html(space.review(), space.report())
    assert any(h.action == "附加上年度报告" for h in space.review().history())
    # another body's report is accepted but named
    other = last.model_copy(update={"agency": "某某区人民政府"})
    assert "与本报告不同" in space.attach_previous(other)


def test_the_comparison_with_last_year_puts_unchanged_cells_out_of_the_way(store: VersionStore) -> None:
    from assistant.app.reviewviews import last_year_html
    from assistant.app.tab_stats import read_last_year
    from assistant.samples import SAMPLE_REPORT
    from assistant.schema import set_cells

    space = _space(store)
    last = read_last_year(str(SAMPLE_REPORT))
    this_year = set_cells(last.model_copy(update={"year": 2023}), {"applications.granted.natural_person": 2,
                                                                    "applications.granted.total": 2})
    space.create_from(this_year, previous=last)
    page = last_year_html(space.review(), space.report())
    shown, _, folded = page.partition("<details>")
    assert "个与上年不同" in shown and "与上年相同（点击展开）" in folded
    assert shown.count("<tr><td>") == 2  # only the two changed cells before the fold
    assert "（一）予以公开" in shown


def test_the_review_tables_name_a_blank_cell_as_the_change_lists_do(store: VersionStore) -> None:
    from assistant.app.reviewviews import last_year_html
    from assistant.app.tab_stats import read_last_year
    from assistant.samples import SAMPLE_REPORT
    from assistant.schema import set_cells
    from assistant.schema.labels import BLANK_CELL

    space = _space(store)
    last = read_last_year(str(SAMPLE_REPORT))
    this_year = set_cells(last.model_copy(update={"year": 2023}), {"applications.granted.natural_person": None})
    space.create_from(this_year, previous=last)
    page = last_year_html(space.review(), space.report())
    assert f"<td>{BLANK_CELL}</td>" in page and "未填写" not in page
