"""One clerk's work in the app: report, notes, chat transcripts and settings, autosaved per workspace.

No gradio here. Everything is kept in the drafting ``VersionStore`` (SQLite, WAL, a commit per write),
so a killed server loses nothing already shown. The app holds only a workspace id per browser.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..checks import CheckResult, check_report
from ..drafting import PARTS, DraftSettings, Notes, VersionStore, load_settings, parse_notes
from ..drafting.accounts import keyed_name
from ..drafting.edits import METADATA_FIELDS, CellChange, cell_changes
from ..drafting.keys import KeyFile
from ..drafting.library import Library, ReportEntry, default_name, keep_previous, load_previous
from ..drafting.review import Review, ReviewError
from ..drafting.session import DraftingSession, notes_document
from ..drafting.settings import base_url_problem, same_endpoint
from ..drafting.store import ReportLockedError
from ..samples import SAMPLE_NOTES, SAMPLE_REPORT
from ..schema import Report, load_report, load_report_file
from ..schema.document import CellValue
from ..schema.labels import NARRATIVE_SECTION

_CHAT_KEY = "chat:"
_SETTINGS_KEY = "_settings"
_MARKER_KEY = "_created"
EXPORT_MAX_AGE_S = 3600
FIRST_TEXT_WAIT_RANGE = (5, 600)  # seconds a clerk may set on the page for the model's first text
NOTES_HISTORY_COALESCE_S = 600  # notes autosave on every change: one 操作记录 line per part and sitting
_WS_RE = re.compile(r"^[A-Za-z0-9_:\-.@]{8,80}$")


@cache
def sample_report() -> Report:
    """The reference report shipped in the package (``assistant/samples``) (loaded once)."""
    return load_report_file(SAMPLE_REPORT)


@cache
def sample_notes() -> Notes:
    return parse_notes(SAMPLE_NOTES.read_text(encoding="utf-8"))


BROWSER_PREFIX = "ws-"  # every id a browser may name starts so (login and local-user keys never do)


def new_workspace_id() -> str:
    """An unguessable id: it is the only key to a clerk's work and files."""
    return BROWSER_PREFIX + secrets.token_urlsafe(18)


def valid_workspace_id(ws: Any) -> bool:
    return isinstance(ws, str) and bool(_WS_RE.match(ws))


@dataclass
class Workspace:
    """One clerk's work: ``owner`` keys their reports and settings, ``id`` is the report open now.

    Every getter reads the store, every setter writes it at once (one transaction each).
    """

    store: VersionStore
    owner: str
    id: str
    seat: str | None = None  # this browser, when one owner has several (a login, the local user)
    _review: Review | None = field(default=None, repr=False, compare=False)
    _previous: tuple[str, Report | None] | None = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, store: VersionStore, ws: Any, seat: str | None = None) -> tuple[Workspace, bool]:
        """The workspace ``ws`` with its current report (the one open at ``seat``, else the owner's last) if it
        exists in the store, else a new one whose first report is the 示例 (sample). Returns (workspace, created)."""
        if valid_workspace_id(ws) and store.load_notes(ws, _MARKER_KEY) is not None:
            library = Library(store, ws, seat)
            entry = library.current() or library.sample(sample_report(), sample_notes_parts())
            return cls(store, ws, entry.id, seat), False
        owner = ws if valid_workspace_id(ws) else new_workspace_id()
        store.save_notes(owner, _MARKER_KEY, "1")
        entry = Library(store, owner, seat).sample(sample_report(), sample_notes_parts())
        return cls(store, owner, entry.id, seat), True

    @property
    def library(self) -> Library:
        return Library(self.store, self.owner, self.seat)

    @property
    def browser_key(self) -> str:
        """What this browser keeps in its storage: its seat when it has one, else the workspace itself."""
        return self.seat or self.owner

    def entry(self) -> ReportEntry:
        return self.library.get(self.id)

    def review(self) -> Review:
        """The review side of the open report, as this owner (their role looked up once per report)."""
        if self._review is None or self._review.report_id != self.id:
            self._review = Review(self.store, self.id, self.owner)
        return self._review

    def _editing(self) -> None:
        """Refuse a change by a reviewer (they comment, decide and approve; never edit) and any change while the
        report is 待审核 — also drafts and hand edits, which are versions, not writes of the report."""
        review = self.review()
        why = review.refusal()
        if why is not None:
            raise ReviewError(why) if not review.can_edit else ReportLockedError(self.id)

    def _record_cells(self, action: str, changes: list[CellChange]) -> None:
        """A step of the history naming the cells as printed; an action that changed nothing is not a step."""
        if changes:
            more = f" 等 {len(changes)} 格" if len(changes) > 3 else ""
            self.review().record(action, "；".join(c.label for c in changes[:3]) + more)

    def switch(self, report_id: str) -> ReportEntry:
        """Open another of the owner's reports."""
        entry = self.library.open(report_id)
        self.id = entry.id
        return entry

    def load_sample(self) -> Report:
        """Open the 示例 report (created on first use); no other report is touched."""
        self.id = self.library.sample(sample_report(), sample_notes_parts()).id
        return self.report()

    def create_blank(self, meta: dict[str, Any], name: str | None = None) -> ReportEntry:
        """A new empty report from its metadata (agency, body type, year, format, contact), opened."""
        data = {k: v for k, v in meta.items() if k in METADATA_FIELDS and v not in (None, "")}
        entry = self.library.create(load_report(data), name=name)
        self.id = entry.id
        return entry

    def create_from(self, report: Report, name: str | None = None, reference: dict[str, str] | None = None,
                    previous: Report | None = None) -> ReportEntry:
        """A new report holding ``report`` (no notes: last year's narrative is only a ``reference``), opened.
        ``previous`` (last year's report) is kept for the side-by-side review."""
        entry = self.library.create(report, name=name, reference=reference)
        self.id = entry.id
        if previous is not None:
            keep_previous(self.store, entry.id, previous)
        return entry

    def attach_previous(self, last: Report) -> str:
        """Keep last year's report with the open one (for 与上年度对照, the cross-year checks and the drafting
        guard) and offer its narrative as reference; a Chinese message. Last year's must be the year before."""
        self._editing()
        report = self.report()
        if last.year != report.year - 1:
            raise ValueError(f"上传的是 {last.year} 年度的报告；本报告为 {report.year} 年度，请上传 {report.year - 1} 年度的报告。")
        keep_previous(self.store, self.id, last)
        self.library.set_reference(self.id, {p: t for p in PARTS if (t := getattr(last.narrative, p, None))})
        self._previous = None
        self.review().record("附加上年度报告", f"{last.agency}{last.year}年度报告")
        other = "" if last.agency == report.agency else f"（其机关名称为“{last.agency}”，与本报告不同，请确认是同一机关）"
        return (f"已附加 {last.year} 年度报告{other}：“审核”中可与上年度逐项对照，校验同时核对上下年度衔接，"
                "上年正文在“撰写”中仅作参考。")

    # ------------------------------------------------------------ report

    def report(self) -> Report:
        saved = self.store.load_report(self.id)
        return saved if saved is not None else sample_report()

    def revision(self) -> int:
        return self.store.load_report_revision(self.id)[1]

    def save_report(self, report: Report, undo_label: str | None = None) -> Report:
        self._editing()
        return self.store.update_report(self.id, lambda _old: report, undo_label=undo_label)[0]

    def session(self, force_offline: bool = False, *, editing: bool = True) -> DraftingSession:
        """The drafting API on the open report, with this owner's settings (``editing``: refused to a reviewer)."""
        if editing:
            self._editing()
        # The settings (a key file, the environment) are read only when something drafts, not per cell edit.
        return DraftingSession(self.store, self.id, lambda: self.drafting_settings(force_offline))

    def set_cells(self, values: dict[str, CellValue], expected_revision: int | None = None,
                  undo_label: str | None = None, expected: dict[str, CellValue] | None = None) -> Report:
        """Apply cell-level changes to the stored report in one transaction (see ``DraftingSession.set_cells``)."""
        before = self.report()
        report = self.session().set_cells(values, expected_revision, undo_label, expected)
        self._record_cells(undo_label or "修改统计数据", cell_changes(before, report))
        return report

    def fill_totals(self) -> tuple[Report, list[CellChange]]:
        report, changes = self.session().fill_totals()
        self._record_cells("自动计算合计", changes)
        return report, changes

    def fill_zeros(self, table: str | None = None) -> tuple[Report, list[CellChange]]:
        report, changes = self.session().fill_zeros(table)
        self._record_cells("空白填 0", changes)
        return report, changes

    def import_tables(self, imported: Report, metadata: bool = False, label: str = "导入统计数据") -> Report:
        report = self.session().import_tables(imported, metadata, label)
        self.review().record(label)
        return report

    def set_metadata(self, meta: dict[str, Any]) -> Report:
        """Change the report information (undoable); the list name follows the agency and year."""
        old = self.report()
        report = self.session().set_metadata(meta)
        self.review().record("修改报告信息")
        entry = self.entry()
        if entry.name == default_name(old) and not entry.is_sample and not entry.shared_with_me:
            self.library.rename(self.id, default_name(report))
        return report

    def undo(self) -> tuple[Report, str]:
        done = self.session().undo()
        self.review().record("撤销", done[1])
        return done

    def redo(self) -> tuple[Report, str]:
        done = self.session().redo()
        self.review().record("重做", done[1])
        return done

    def set_narrative(self, part: str, text: str) -> Report:
        report = self.session().set_narrative(part, text)
        self.review().record("修改正文", part_title(part))
        return report

    def check(self, report: Report | None = None) -> CheckResult:
        """Every check, with the verdicts recorded on this report carried onto the findings (a finding ruled
        不属于问题 no longer counts as an error)."""
        report = report if report is not None else self.report()
        return self.review().outcome(report, check_report(report, self.previous())).result

    def previous(self) -> Report | None:
        """Last year's report kept with the open one (made from it): the page's checks are cross-year too."""
        if self._previous is None or self._previous[0] != self.id:
            self._previous = (self.id, load_previous(self.store, self.id))
        return self._previous[1]

    # ------------------------------------------------------------ notes and chats

    def notes(self, part: str) -> str:
        return self.store.load_notes(self.id, part) or ""

    def save_notes(self, part: str, text: str) -> None:
        if text == self.notes(part):
            return  # a refresh echoing what is stored (also on a reviewer's page): nothing changed
        self._editing()
        self.store.save_notes(self.id, part, text)
        self.review().record("修改要点", part_title(part), coalesce_s=NOTES_HISTORY_COALESCE_S)

    def notes_all(self) -> Notes:
        return parse_notes(notes_document({p: self.notes(p) for p in PARTS}) or "# 总体情况\n")

    def reference(self, part: str) -> str:
        """Last year's narrative of a part (when the report was made from last year's report)."""
        return self.library.reference(self.id, part)

    def chat(self, part: str) -> list[dict[str, str]]:
        raw = self.store.load_notes(self.id, _CHAT_KEY + part)
        return list(json.loads(raw)) if raw else []

    def save_chat(self, part: str, messages: list[dict[str, str]]) -> None:
        self.store.save_notes(self.id, _CHAT_KEY + part, json.dumps(messages, ensure_ascii=False))

    # ------------------------------------------------------------ settings (the owner's, for every report)

    def settings_data(self) -> dict[str, Any]:
        raw = self.store.load_notes(self.owner, _SETTINGS_KEY)
        return dict(json.loads(raw)) if raw else {}

    def save_settings(self, base_url: str | None, model: str | None, offline: bool, api_key: str | None = None,
                      first_text_wait: float | None = None) -> None:
        """Keep the page's settings; a key typed on the page is kept apart (``drafting.keys``), for this URL only.
        ``first_text_wait``: seconds a draft waits for the model's first text before drafting offline."""
        check_settings(base_url, api_key, first_text_wait)
        data: dict[str, Any] = {"base_url": (base_url or "").strip() or None, "model": (model or "").strip() or None,
                                "offline": bool(offline)}
        if first_text_wait is not None:
            data["first_text_timeout"] = float(first_text_wait)
        if (api_key or "").strip():
            self.key_file().save(str(data["base_url"]), str(api_key))
        self.store.save_notes(self.owner, _SETTINGS_KEY, json.dumps(data, ensure_ascii=False))

    def key_file(self) -> KeyFile:
        """Where this owner's page key is kept (one per owner, whichever report is open)."""
        return KeyFile(self.store.path.parent, self.owner)

    def drafting_settings(self, force_offline: bool = False, page_key: str | None = None,
                          overrides: dict[str, Any] | None = None) -> DraftSettings:
        """The environment's settings with this owner's saved ones and ``overrides`` (a page's unsaved fields)
        on top. The key: one typed on the page now (``page_key``), else the one saved from the page when its
        URL is the one in use, else the environment's (which goes only to the environment's URL)."""
        data = {k: v for k, v in self.settings_data().items() if v is not None}
        data.update({k: v for k, v in (overrides or {}).items() if v not in (None, "")})
        if force_offline:
            data["offline"] = True
        if (page_key or "").strip():
            data["api_key"] = str(page_key).strip()
        else:
            saved = self.key_file().load()
            url = data.get("base_url") or load_settings().base_url
            if saved is not None and same_endpoint(saved.base_url, url):
                data["api_key"] = saved.key
        return load_settings(**data)

    def key_status(self) -> str:
        """Where the key in use comes from, in Chinese (never the key)."""
        saved = self.key_file().load()
        environment = load_settings()
        if saved is not None:
            url = self.settings_data().get("base_url") or environment.base_url
            in_use = "正在使用" if same_endpoint(saved.base_url, url) else "当前地址不同，暂未使用"
            return f"已保存在页面填写的 API 密钥（仅用于 `{saved.base_url}`；{in_use}；不再显示）。"
        if environment.api_key:
            return "已从环境变量读取 API 密钥（不显示）。"
        return "未设置 API 密钥：可在上方填写，或由管理员在服务器的环境变量中配置。本机模型服务通常不需要密钥。"

    # ------------------------------------------------------------ files

    def export_dir(self) -> Path:
        """A fresh owner-only directory under the data dir, named by an unguessable token per export.

        The owner's directory name is a keyed hash (not the workspace id); earlier export directories
        older than ``EXPORT_MAX_AGE_S`` are removed.
        """
        root = self.store.path.parent / "exports" / keyed_name(self.store.path.parent, self.owner)
        if root.is_dir():
            cutoff = time.time() - EXPORT_MAX_AGE_S
            for old in root.iterdir():
                if old.is_dir() and old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
        path = root / secrets.token_urlsafe(16)
        for level in (root.parent, root, path):
            level.mkdir(mode=0o700, exist_ok=True)
            os.chmod(level, 0o700)
        return path


def check_settings(base_url: str | None, api_key: str | None, first_text_wait: float | None) -> None:
    """Refuse, in Chinese, settings that cannot be kept: an address that names no endpoint, a key without an
    address (a page key goes only to the address it was saved with), a wait out of range."""
    url = (base_url or "").strip()
    if url and (problem := base_url_problem(url)):
        raise ValueError(problem)
    if (api_key or "").strip() and not url:
        raise ValueError("请先填写模型服务地址：页面上填写的密钥只发往保存时的这个地址。")
    if first_text_wait is not None and not FIRST_TEXT_WAIT_RANGE[0] <= float(first_text_wait) <= FIRST_TEXT_WAIT_RANGE[1]:
        raise ValueError("等待模型开始输出的时间应为 {} 至 {} 秒。".format(*FIRST_TEXT_WAIT_RANGE))


def sample_notes_parts() -> dict[str, str]:
    notes = sample_notes()
    return {p: notes.text(p) for p in PARTS}


def part_title(part: str) -> str:
    return NARRATIVE_SECTION.get(part, part)
