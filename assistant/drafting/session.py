"""The drafting session: everything a shell (CLI, app, another tool) does to one stored report.

Draft (streamed or whole), redraft with an instruction, edit by hand, accept, versions and diffs of the
narrative parts; notes; cell edits, 空白填 0, 自动计算合计, imports, metadata, undo and redo of the tables.
Each change is one read-modify-write transaction of the ``VersionStore``; no shell builds a drafter or a
model client of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..checks import CheckResult, Finding, check_report, fill_totals
from ..errors import AssistantError
from ..schema import Report, load_report, report_to_data, set_cells
from ..schema.document import CellValue, flatten_cells
from ..schema.labels import CELLS, NARRATIVE_LABELS, NARRATIVE_SECTION
from ..schema.text import strip_controls
from .edits import CellChange, cell_changes, with_metadata, with_tables, zero_blanks
from .guard import guard_text
from .library import load_previous
from .notes import PARTS, Notes, check_part, parse_notes
from .results import DraftEvent, DraftResult
from .settings import DraftSettings, load_settings
from .store import CellConflictError, StoreError, Version, VersionNotFoundError, VersionStore

if TYPE_CHECKING:
    from .chain import Drafter

log = logging.getLogger(__name__)

MANUAL = "manual"
OFFLINE_REWRITE_LIMIT = "离线起草不能按要求改写，请直接修改文本或配置模型。"
STOPPED = "已停止生成；已写出的部分保存为“已中断”版本。"


class NoDraftError(AssistantError, ValueError):
    """A part with no version yet (nothing to accept or redraft)."""


class OfflineRewriteError(AssistantError, ValueError):
    """The offline drafter was asked to rewrite by an instruction it cannot follow."""

    def __str__(self) -> str:
        return OFFLINE_REWRITE_LIMIT


def notes_document(parts: dict[str, str]) -> str:
    """Per-part notes as one notes document (data-contract §3), for the drafter and its guard."""
    return "\n".join(f"# {NARRATIVE_LABELS[p]}\n{parts[p].strip()}\n" for p in PARTS if parts.get(p, "").strip())


class DraftingSession:
    """One report in the store (``report_id``), drafted and edited by any shell.

    ``settings`` default to the environment's (a callable is called when they are first needed: a cell edit
    never needs them); ``offline`` forces the deterministic drafter; ``notes`` (a whole notes document, e.g.
    the CLI's file) replaces the stored per-part notes for drafting.
    """

    def __init__(self, store: VersionStore, report_id: str,
                 settings: DraftSettings | Callable[[], DraftSettings] | None = None,
                 offline: bool = False, notes: Notes | None = None) -> None:
        self.store = store
        self._notes = notes
        self.report_id = report_id
        self._settings_source = settings if callable(settings) else None
        self._settings = None if callable(settings) else settings
        self._offline = offline
        self._drafter: Drafter | None = None
        self.last_version: Version | None = None
        self.last_error: StoreError | None = None

    # ------------------------------------------------------------ the pieces

    @property
    def settings(self) -> DraftSettings:
        if self._settings is None and self._settings_source is not None:
            self._settings = self._settings_source()
        if self._settings is None:
            self._settings = load_settings(offline=True) if self._offline else load_settings()
        if self._offline and not self._settings.offline:
            self._settings = self._settings.model_copy(update={"offline": True})
        return self._settings

    @property
    def drafter(self) -> Drafter:
        """The drafter of this session (LangChain loads here, on first use)."""
        if self._drafter is None:
            from .chain import Drafter

            self._drafter = Drafter(self.settings, previous=self.previous())
        return self._drafter

    def previous(self) -> Report | None:
        """Last year's report kept with this one: the guard flags last year's figures stated as this year's (X9)."""
        return self._last_year

    @cached_property
    def _last_year(self) -> Report | None:
        return load_previous(self.store, self.report_id)

    def report(self) -> Report:
        report = self.store.load_report(self.report_id)
        if report is None:
            raise VersionNotFoundError(self.report_id)
        return report

    def revision(self) -> int:
        return self.store.load_report_revision(self.report_id)[1]

    def check(self) -> CheckResult:
        """Every check of the report; cross-year too when last year's report is kept with it."""
        return check_report(self.report(), self.previous())

    # ------------------------------------------------------------ notes

    def notes(self, part: str) -> str:
        return self.store.load_notes(self.report_id, check_part(part)) or ""

    def save_notes(self, part: str, text: str) -> None:
        """Keep a part's notes (every change is a notes version)."""
        self.store.save_notes(self.report_id, check_part(part), text)

    def notes_all(self) -> Notes:
        if self._notes is not None:
            return self._notes
        return parse_notes(notes_document({p: self.notes(p) for p in PARTS}) or "# 总体情况\n")

    # ------------------------------------------------------------ drafting

    def base_text(self, part: str) -> str | None:
        """The text a redraft revises: the accepted version, else the latest, else the report's narrative."""
        base = self.store.accepted(self.report_id, part) or self.store.latest(self.report_id, part)
        if base is not None:
            return base.text
        return getattr(self.report().narrative, part, None) or None

    def stream(self, part: str, instruction: str | None = None, stop: threading.Event | None = None) -> Generator[DraftEvent, None, None]:
        """Draft (or with ``instruction`` redraft) one part, yielding the drafter's events.

        The result is stored as a new version (``last_version``) before ``done`` is yielded. A stop
        (``stop`` set, or the caller closing the iterator) keeps what was written as an interrupted
        version. Offline, an instruction that leaves the text unchanged is said plainly instead.
        """
        check_part(part)
        self.last_version, self.last_error = None, None
        previous = self.base_text(part) if instruction else None
        shown = ""
        finished = False
        try:
            # The drafter checks ``stop`` on every raw chunk (keep-alive comments included), so 停止生成 ends a
            # stream that sends no text at all; the check below keeps what was shown.
            events = self.drafter.stream_part(part, self.notes_all(), self.report(), instruction, previous, stop)
            for event in events:
                if stop is not None and stop.is_set():
                    self._keep_interrupted(part, shown, instruction)
                    yield DraftEvent("status", STOPPED)
                    return
                if event.type == "delta":
                    shown += event.text
                elif event.type == "done" and event.result is not None:
                    result = event.result
                    if instruction and result.backend != "llm" and previous is not None \
                            and result.text.strip() == previous.strip():
                        result.notice = OFFLINE_REWRITE_LIMIT
                        finished = True
                        yield DraftEvent("status", OFFLINE_REWRITE_LIMIT)
                        yield DraftEvent("done", result.text, result)
                        return
                    finished = True
                    try:
                        self.last_version = self._store(result, instruction)
                    except StoreError as exc:  # the draft stays with the caller (shown), unsaved
                        self.last_error = exc
                        yield DraftEvent("status", f"稿件已生成但未能保存：{exc}")
                yield event
        except GeneratorExit:  # the caller went away mid-draft (not: closed the stream after its result)
            if not finished:
                self._keep_interrupted(part, shown, instruction)
            raise

    def _keep_interrupted(self, part: str, shown: str, instruction: str | None) -> None:
        if shown.strip():
            backend = "llm" if self.drafter.backend == "llm" else "offline"
            self.last_version = self.store.add_version(self.report_id, part, shown, instruction=instruction,
                                                       backend=backend, findings=[], status="interrupted")

    def _store(self, result: DraftResult, instruction: str | None) -> Version:
        return self.store.add_version(self.report_id, result.part, result.text, instruction=instruction,
                                      backend=result.backend, findings=result.findings)

    def draft(self, part: str) -> tuple[DraftResult, Version]:
        """Draft one part from its notes and the tables; returns the result and its stored version."""
        return self._run(part, None)

    def redraft(self, part: str, instruction: str) -> tuple[DraftResult, Version]:
        """Revise a part (accepted version, else latest) following ``instruction``.

        Raises ``OfflineRewriteError`` when the offline drafter cannot follow it.
        """
        if not instruction.strip():
            raise NoDraftError("请写明重写要求，例如：更简洁。")
        return self._run(part, instruction.strip())

    def fork(self) -> DraftingSession:
        """A session on the same report sharing the drafter, for drafting parts in parallel threads."""
        twin = DraftingSession(self.store, self.report_id, self.settings, notes=self._notes)
        twin._drafter = self._drafter
        return twin

    def _run(self, part: str, instruction: str | None) -> tuple[DraftResult, Version]:
        result: DraftResult | None = None
        for event in self.stream(part, instruction):
            if event.type == "done":
                result = event.result
        if result is None or self.last_version is None:
            if result is not None and result.notice == OFFLINE_REWRITE_LIMIT:
                raise OfflineRewriteError()
            if self.last_error is not None:
                raise self.last_error
            raise NoDraftError(f"“{NARRATIVE_SECTION[part]}”未能起草。")
        return result, self.last_version

    def draft_all(self, parts: list[str] | None = None) -> dict[str, tuple[DraftResult, Version]]:
        """Draft several parts (concurrently when a model is used), each stored as a version."""
        wanted = [check_part(p) for p in (parts or list(PARTS))]
        results = self.drafter.draft_all(self.notes_all(), self.report(), wanted)
        return {p: (r, self._store(r, None)) for p, r in results.items()}

    def edit(self, part: str, text: str) -> Version:
        """A hand edit of a part: a new version (source 人工修改), guarded and checked like a draft."""
        check_part(part)
        text = strip_controls(text).strip()  # what the report would keep anyway (schema.text)
        if not text:
            raise NoDraftError(f"“{NARRATIVE_SECTION[part]}”的正文不能为空。")
        return self.store.add_version(self.report_id, part, text, instruction=None, backend=MANUAL,
                                      findings=self.findings_of(part, text))

    def findings_of(self, part: str, text: str) -> list[Finding]:
        """The guard's findings and the checks' narrative findings of ``text`` as the part's narrative."""
        report = self.report()
        previous = self.previous()
        findings = guard_text(part, text, self.notes_all(), report, previous)
        data = report_to_data(report)
        data["narrative"] = {**(data.get("narrative") or {}), part: text}
        seen = {(f.rule, f.quote) for f in findings}
        for f in check_report(load_report(data), previous).findings:
            if f.section == NARRATIVE_SECTION[part] and f.quote and (f.rule, f.quote) not in seen:
                findings.append(f)
        return findings

    def versions(self, part: str) -> list[Version]:
        return self.store.list_versions(self.report_id, check_part(part))

    def version(self, version_id: int) -> Version:
        """One of this report's versions (another report's is not found)."""
        version = self.store.get_version(version_id)
        if version.workspace != self.report_id:
            raise VersionNotFoundError(version_id)
        return version

    def diff(self, a_id: int, b_id: int) -> str:
        """Sentence-by-sentence diff of two of this report's versions."""
        return self.store.diff(self.version(a_id).id, self.version(b_id).id)

    def accept(self, part: str, version_id: int | None = None) -> Version:
        """Accept a version (default: the latest) as the part's narrative, in one transaction."""
        check_part(part)
        with self.store.tx():
            if version_id is None:
                latest = self.store.latest(self.report_id, part)
                if latest is None:
                    raise NoDraftError(f"“{NARRATIVE_SECTION[part]}”还没有任何稿件，请先起草。")
                version_id = latest.id
            version = self.version(version_id)
            if version.part != part:
                raise VersionNotFoundError(version_id)
            self.store.accept(version.id)
            self.set_narrative(part, version.text)
        return self.store.get_version(version.id)

    def set_narrative(self, part: str, text: str) -> Report:
        def change(old: Report | None) -> Report:
            data = report_to_data(old or self.report())
            data["narrative"] = {**(data.get("narrative") or {}), part: text}
            return load_report(data)

        return self.store.update_report(self.report_id, change)[0]

    # ------------------------------------------------------------ the tables

    def set_cells(self, values: dict[str, CellValue], expected_revision: int | None = None,
                  undo_label: str | None = None, expected: dict[str, CellValue] | None = None) -> Report:
        """Cell-level changes in one transaction.

        ``expected`` holds the values the page showed for the cells it changes: a cell changed elsewhere
        meanwhile to another value raises ``CellConflictError`` and nothing is written (cells changed
        elsewhere that the page did not touch are kept). A stale ``expected_revision`` raises
        ``StaleReportError``.
        """
        if not values:
            return self.report()

        def change(old: Report | None) -> Report:
            current = old or self.report()
            if expected is not None:
                now, _ = flatten_cells(current)
                clash = [c for c, v in values.items() if c in expected and now.get(c) != expected[c] and now.get(c) != v]
                if clash:
                    specs = CELLS[current.format]
                    raise CellConflictError(clash, [specs[c].full_label for c in clash if c in specs])
            return set_cells(current, values)

        return self.store.update_report(self.report_id, change, expected_revision=expected_revision,
                                        undo_label=undo_label)[0]

    def fill_totals(self) -> tuple[Report, list[CellChange]]:
        """自动计算合计 (undoable); returns the report and the cells changed, from → to."""
        before = self.report()
        after = self.store.update_report(self.report_id, lambda old: fill_totals(old or before),
                                         undo_label="自动计算合计")[0]
        return after, cell_changes(before, after)

    def fill_zeros(self, table: str | None = None) -> tuple[Report, list[CellChange]]:
        """空白填 0 in one table or all (undoable); returns the report and the cells filled."""
        before = self.report()
        zeros = zero_blanks(before, table)
        if not zeros:
            return before, []
        after = self.set_cells(zeros, undo_label="空白填 0")
        return after, cell_changes(before, after)

    def import_tables(self, imported: Report, metadata: bool = False, label: str = "导入统计数据") -> Report:
        """Replace the tables (and with ``metadata`` the report information); narrative kept; undoable."""
        return self.store.update_report(self.report_id, lambda old: with_tables(old, imported, metadata),
                                        undo_label=label)[0]

    def set_metadata(self, meta: dict[str, Any]) -> Report:
        """Change agency, body type, year, format or contact (undoable)."""
        return self.store.update_report(self.report_id, lambda old: with_metadata(old or self.report(), meta),
                                        undo_label="修改报告信息")[0]

    def undo(self) -> tuple[Report, str]:
        """Undo the latest bulk action; returns the report and the action's name."""
        report, _, label = self.store.undo_report(self.report_id)
        return report, label

    def redo(self) -> tuple[Report, str]:
        """Redo the action undone last."""
        report, _, label = self.store.redo_report(self.report_id)
        return report, label
