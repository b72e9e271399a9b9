"""Review and sign-off of one stored report: shares, comments, verdicts on findings, 提交审核 / 退回修改 /
审核通过, the approved state kept whole, and a history of every step (who, what, when).

Roles: the owner (起草人) and colleagues the owner shares with as 编辑 (editor: changes the report like the
owner) or 审核 (reviewer: comments, decides on findings, returns or approves; never edits). A submitted
report is locked for everyone (``store.ReportLockedError``, enforced where the report is written); a change
after approval starts a new round. Every action is one transaction of the store.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Literal

from ..checks import CheckResult, Finding, check_report
from ..checks.verdicts import Verdict, VerdictOutcome, apply_verdicts, decide
from ..errors import AssistantError
from ..schema import Report, load_report, report_to_data
from ..schema.labels import NARRATIVE_SECTION, cell_spec
from .accounts import Accounts
from .compare import PartComparison, compare_narrative
from .edits import CellChange, cell_changes
from .library import Library, load_previous
from .store import ReportLockedError, VersionStore, _ago, _now

log = logging.getLogger(__name__)

Role = Literal["owner", "editor", "reviewer"]
ROLE_LABELS: dict[str, str] = {"owner": "起草人", "editor": "编辑", "reviewer": "审核"}
ReviewState = Literal["editing", "submitted", "returned", "approved"]
STATE_LABELS: dict[str, str] = {"editing": "编写中", "submitted": "待审核", "returned": "已退回修改", "approved": "审核通过"}
COMMENT_MAX = 2000


class ReviewError(AssistantError, ValueError):
    """A review action that is not allowed now or for this person (message in Chinese, says why)."""


@dataclass(frozen=True)
class Share:
    name: str
    role: str
    granted_by: str
    at: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class Comment:
    """A comment on a narrative part (``part:overview``), a table cell (``cell:<id>``) or the report (``report``)."""

    id: int
    target: str
    text: str
    author: str
    at: str
    parent: int | None
    resolved_by: str | None
    resolved_at: str | None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    who: str
    action: str
    detail: str
    at: str


@dataclass(frozen=True)
class Approval:
    """One 审核通过: the approved revision (kept whole), its number, who and when."""

    number: int
    revision: int
    approver: str
    at: str
    data: str = field(repr=False)  # the approved report as stored (read only when compared)

    @property
    def report(self) -> Report:
        return load_report(json.loads(self.data))

    def metadata(self) -> dict[str, str | int]:
        """What an export of this approved state carries in its file properties (never in the printed text)."""
        return {"number": self.number, "revision": self.revision, "approver": self.approver, "at": self.at}


@dataclass(frozen=True)
class ReviewStatus:
    state: str
    label: str
    approval: Approval | None  # the latest approval, whether or not the report changed since
    current_approved: bool  # the report is exactly the approved state (export names the approval)


class Review:
    """The review side of one report, acting as one person (``owner`` key). Their role comes from the one
    visibility rule of ``Library`` (own, or shared with them); ``ReportNotFoundError`` when neither."""

    def __init__(self, store: VersionStore, report_id: str, owner: str) -> None:
        self.store, self.report_id, self.owner = store, report_id, owner
        self.role: Role = Library(store, owner).get(report_id).role  # type: ignore[assignment]
        self.name = Accounts(store).name_of(owner)

    # ------------------------------------------------------------ permissions

    @property
    def can_edit(self) -> bool:
        return self.role in ("owner", "editor")

    @property
    def can_review(self) -> bool:
        return self.role == "reviewer"

    def refusal(self) -> str | None:
        """Why this person may not change the report now (a reviewer never; nobody while 待审核), else None."""
        if not self.can_edit:
            return "您是这份报告的审核人：可以查看、提意见、裁定问题和审核，不能修改内容。"
        if self._state() == "submitted":
            return str(ReportLockedError(self.report_id))
        return None

    def _require(self, allowed: bool, why: str) -> None:
        if not allowed:
            raise ReviewError(why)

    def record(self, action: str, detail: str = "", *, coalesce_s: float | None = None) -> None:
        """Add a step to the history (edits are recorded by the shells through this too). With
        ``coalesce_s``, the same step by the same person within that many seconds of the last one is not
        added again (notes autosave on every change: one line per sitting, not per keystroke)."""
        with self.store.tx() as db:
            if coalesce_s is not None:
                last = db.execute("SELECT who, action, detail, created_at FROM review_history WHERE report_id = ?"
                                  " ORDER BY id DESC LIMIT 1", (self.report_id,)).fetchone()
                if (last is not None and (last["who"], last["action"], last["detail"]) == (self.name, action, detail[:300])
                        and last["created_at"] > _ago(coalesce_s)):
                    return
            db.execute("INSERT INTO review_history (report_id, who, action, detail, created_at) VALUES (?, ?, ?, ?, ?)",
                       (self.report_id, self.name, action, detail[:300], _now()))

    # ------------------------------------------------------------ shares

    def share(self, name: str, role: str) -> Share:
        """Share the report with a colleague (by login name) as 编辑 (``editor``) or 审核 (``reviewer``)."""
        self._require(self.role == "owner", "只有报告的起草人可以共享这份报告。")
        if role not in ("editor", "reviewer"):
            raise ReviewError("共享角色应为“编辑”或“审核”。")
        account = Accounts(self.store).get(name)
        if account is None:
            raise ReviewError(f"没有用户“{(name or '').strip()}”；请核对用户名（对方需要有登录账号）。")
        if account.owner == self.owner:
            raise ReviewError("不能与自己共享。")
        with self.store.tx() as db:
            db.execute("INSERT INTO shares (report_id, grantee, role, granted_by, created_at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (report_id, grantee) DO UPDATE SET role = excluded.role",
                       (self.report_id, account.owner, role, self.name, _now()))
            self.record("共享", f"与 {account.name} 共享（{ROLE_LABELS[role]}）")
        return next(s for s in self.shares() if s.name == account.name)

    def unshare(self, name: str) -> None:
        self._require(self.role == "owner", "只有报告的起草人可以取消共享。")
        account = Accounts(self.store).get(name)
        if account is None:
            raise ReviewError(f"没有用户“{name}”。")
        with self.store.tx() as db:
            db.execute("DELETE FROM shares WHERE report_id = ? AND grantee = ?", (self.report_id, account.owner))
            self.record("取消共享", f"不再与 {account.name} 共享")

    def shares(self) -> list[Share]:
        rows = self.store._db.execute(
            "SELECT u.name, s.role, s.granted_by, s.created_at FROM shares s JOIN users u ON u.owner = s.grantee "
            "WHERE s.report_id = ? ORDER BY u.name", (self.report_id,)).fetchall()
        return [Share(r["name"], r["role"], r["granted_by"], r["created_at"]) for r in rows]

    # ------------------------------------------------------------ comments

    def comment(self, target: str, text: str, parent: int | None = None) -> Comment:
        """A comment (or, with ``parent``, an answer to one) on a part, a cell or the whole report."""
        text = (text or "").strip()
        if not text:
            raise ReviewError("请填写意见内容。")
        if len(text) > COMMENT_MAX:
            raise ReviewError(f"意见不能超过 {COMMENT_MAX} 个字。")
        if parent is not None:
            target = self._comment(parent).target
        with self.store.tx() as db:
            cur = db.execute("INSERT INTO comments (report_id, target, text, author, parent, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (self.report_id, target, text, self.name, parent, _now()))
            self.record("回复意见" if parent else "提出意见", f"{target_label(target)}：{text[:60]}")
        return self._comment(int(cur.lastrowid or 0))

    def resolve(self, comment_id: int) -> Comment:
        comment = self._comment(comment_id)
        with self.store.tx() as db:
            db.execute("UPDATE comments SET resolved_by = ?, resolved_at = ? WHERE id = ?",
                       (self.name, _now(), comment.id))
            self.record("意见已解决", f"{target_label(comment.target)}：{comment.text[:60]}")
        return self._comment(comment.id)

    def _comment(self, comment_id: int) -> Comment:
        row = self.store._db.execute("SELECT * FROM comments WHERE id = ? AND report_id = ?",
                                     (comment_id, self.report_id)).fetchone()
        if row is None:
            raise ReviewError(f"找不到编号为 {comment_id} 的意见。")
        return _comment(row)

    def comments(self) -> list[Comment]:
        rows = self.store._db.execute("SELECT * FROM comments WHERE report_id = ? ORDER BY id",
                                      (self.report_id,)).fetchall()
        return [_comment(r) for r in rows]

    # ------------------------------------------------------------ verdicts on findings

    def verdicts(self) -> list[Verdict]:
        rows = self.store._db.execute("SELECT data FROM verdicts WHERE report_id = ? ORDER BY id",
                                      (self.report_id,)).fetchall()
        return [Verdict.model_validate(json.loads(r["data"])) for r in rows]

    def outcome(self, report: Report | None = None, result: CheckResult | None = None) -> VerdictOutcome:
        """The report's check result with the stored verdicts carried onto its findings."""
        report = report if report is not None else self._report()
        return apply_verdicts(result if result is not None else check_report(report, self.previous()), report,
                              self.verdicts())

    def decide(self, finding: Finding, decision: str, reason: str | None = None) -> Verdict:
        """确认需修改 / 不属于问题 (reason required) / 已修改 on one finding of the current report."""
        verdict = decide(finding, self._report(), decision, self.name, reason)  # type: ignore[arg-type]
        with self.store.tx() as db:
            db.execute("INSERT INTO verdicts (report_id, anchor, data, created_at) VALUES (?, ?, ?, ?)",
                       (self.report_id, verdict.anchor, verdict.model_dump_json(), _now()))
            why = f"（理由：{verdict.reason}）" if verdict.reason else ""
            self.record("裁定问题", f"“{verdict.summary and verdict.summary[:40]}”标记为“{verdict.label()}”{why}")
            # A verdict changes what the export gate lets through: an approval never covers one made after it.
            db.execute("UPDATE report_index SET review_state = 'editing' WHERE id = ? AND review_state = 'approved'",
                       (self.report_id,))
        return verdict

    # ------------------------------------------------------------ submit, return, approve

    def status(self) -> ReviewStatus:
        state = self._state()
        approval = self.approval()
        # 审核通过 is left on the first change after it (store) or the first verdict (``decide``): while the
        # state holds, the report is exactly the approved one.
        return ReviewStatus(state, STATE_LABELS[state], approval, state == "approved" and approval is not None)

    def submit(self, note: str = "") -> ReviewStatus:
        self._require(self.can_edit, "只有起草人或编辑可以提交审核。")
        self._require(self._state() != "submitted", "报告已提交审核，正在等待审核人处理。")
        self._require(any(s.role == "reviewer" for s in self.shares()),
                      "这份报告还没有审核人：请先在“共享”中添加一位“审核”角色的同事。")
        self._set_state("submitted", "提交审核", note)
        return self.status()

    def send_back(self, comment: str) -> ReviewStatus:
        """退回修改, with the reviewer's comment (required: the clerk must know what to change)."""
        self._require(self.can_review, "只有审核人可以退回修改。")
        self._require(self._state() == "submitted", "报告不在待审核状态，无需退回。")
        if not (comment or "").strip():
            raise ReviewError("退回修改时请写明需要修改的内容。")
        with self.store.tx():
            self.comment("report", comment)
            self._set_state("returned", "退回修改", comment)
        return self.status()

    def approve(self, note: str = "") -> Approval:
        """审核通过: the current state is kept whole as the approved version."""
        self._require(self.can_review, "只有审核人可以审核通过。")
        self._require(self._state() == "submitted", "报告尚未提交审核；请起草人先提交审核。")
        report, revision = self.store.load_report_revision(self.report_id)
        assert report is not None
        with self.store.tx() as db:
            db.execute("INSERT INTO approvals (report_id, revision, data, approver, created_at) VALUES (?, ?, ?, ?, ?)",
                       (self.report_id, revision, json.dumps(report_to_data(report), ensure_ascii=False),
                        self.name, _now()))
            self._set_state("approved", "审核通过", note)
        approval = self.approval()
        assert approval is not None
        return approval

    def approval(self) -> Approval | None:
        """The latest approval (the report may have changed since: see ``status().current_approved``)."""
        r = self.store._db.execute(
            "SELECT *, (SELECT COUNT(*) FROM approvals WHERE report_id = :id) AS number FROM approvals"
            " WHERE report_id = :id ORDER BY id DESC LIMIT 1", {"id": self.report_id}).fetchone()
        if r is None:
            return None
        return Approval(int(r["number"]), int(r["revision"]), r["approver"], r["created_at"], r["data"])

    def export_approval(self) -> dict[str, str | int] | None:
        """The approval an export names in its metadata: only when the report is exactly the approved state."""
        status = self.status()
        return status.approval.metadata() if status.current_approved and status.approval else None

    def since_approval(self) -> tuple[list[CellChange], list[PartComparison]] | None:
        """What changed since the last approval (cells, and every part sentence by sentence); None if never approved."""
        approval = self.approval()
        if approval is None:
            return None
        now = self._report()
        return cell_changes(approval.report, now), compare_narrative(approval.report, now)

    def history(self) -> list[HistoryEntry]:
        rows = self.store._db.execute("SELECT * FROM review_history WHERE report_id = ? ORDER BY id",
                                      (self.report_id,)).fetchall()
        return [HistoryEntry(r["id"], r["who"], r["action"], r["detail"], r["created_at"]) for r in rows]

    # ------------------------------------------------------------ last year

    def previous(self) -> Report | None:
        """Last year's report kept with this one (``library.load_previous``)."""
        return load_previous(self.store, self.report_id)

    # ------------------------------------------------------------ internals

    def _report(self) -> Report:
        report = self.store.load_report(self.report_id)
        if report is None:
            raise ReviewError("这份报告还没有内容。")
        return report

    def _state(self) -> ReviewState:
        row = self.store._db.execute("SELECT review_state FROM report_index WHERE id = ?", (self.report_id,)).fetchone()
        return row["review_state"]  # type: ignore[no-any-return]

    def _set_state(self, state: ReviewState, action: str, note: str) -> None:
        with self.store.tx() as db:
            db.execute("UPDATE report_index SET review_state = ? WHERE id = ?", (state, self.report_id))
            self.record(action, (note or "").strip())
        log.info("report review state: %s", state)


def target_label(target: str) -> str:
    """A comment's target as the page names it."""
    kind, _, what = target.partition(":")
    if kind == "part":
        return NARRATIVE_SECTION.get(what, what)
    if kind == "cell":
        spec = cell_spec(what, "2021") or cell_spec(what, "2019")
        return spec.full_label if spec else what
    return "整份报告"


def _comment(r: sqlite3.Row) -> Comment:
    return Comment(r["id"], r["target"], r["text"], r["author"], r["created_at"], r["parent"], r["resolved_by"],
                   r["resolved_at"])
