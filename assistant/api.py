"""The Python API: what other government tools (and our CLI and app) call.

Everything here is a thin facade over the pipeline packages; see ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import CheckOptions, CheckResult, Finding, check_report, fill_totals
from .errors import AssistantError
from .schema import ReportInputError, load_report, load_report_file, report_json_schema, save_report

if TYPE_CHECKING:
    from .checks.verdicts import (
        Verdict,
        VerdictError,
        VerdictOutcome,
        apply_verdicts,
        read_verdicts,
        write_verdicts,
    )
    from .drafting import (
        CellConflictError,
        DraftResult,
        NotesError,
        NothingToUndoError,
        PartError,
        RemoteModelForbiddenError,
        ReportNameError,
        ReportNotFoundError,
        StaleReportError,
        StoreDamagedError,
        StoreError,
        StoreUnavailableError,
        VersionNotFoundError,
        VersionStore,
    )
    from .drafting.accounts import AccountError, Accounts
    from .drafting.edits import FormatMismatchError
    from .drafting.library import Library, NotOwnerError
    from .drafting.review import Review, ReviewError
    from .drafting.session import DraftingSession, NoDraftError, OfflineRewriteError
    from .drafting.settings import EndpointNotAllowedError
    from .drafting.store import ReportLockedError
    from .fsio import UnsafeInputError, WriteFailedError
    from .ingest import AuditSummary, ParseError, ParseOutcome, audit, next_year, parse_file, parse_text
    from .ingest.isolated import parse_file_isolated, read_workbook_isolated
    from .render import ExportBlocked, export_all, export_report, render_docx, render_html, render_markdown
    from .render.workbook import WorkbookError, read_workbook, write_template, write_workbook
    from .schema import Report
    from .schema.document import DocumentTooComplexError

# Loaded on first use: the drafting, import and export stacks (LangChain, pdfplumber, python-docx,
# openpyxl) cost seconds at start-up, and `xxgk check` needs none of them.
_LAZY: dict[str, str] = {
    "Report": ".schema",  # either format: the union needs the 2019 classes, which load on first use
    "run_demo": ".demo",
    **dict.fromkeys(
        ("Verdict", "VerdictError", "VerdictOutcome", "apply_verdicts", "decide", "read_verdicts", "write_verdicts"),
        ".checks.verdicts",
    ),
    **dict.fromkeys(("AuditSummary", "ParseError", "ParseOutcome", "audit", "next_year", "parse_file", "parse_text"), ".ingest"),
    **dict.fromkeys(("ExportBlocked", "export_all", "export_report", "render_docx", "render_html", "render_markdown"), ".render"),
    **dict.fromkeys(("WorkbookError", "read_workbook", "write_template", "write_workbook"), ".render.workbook"),
    **dict.fromkeys(
        ("CellConflictError", "DraftResult", "NotesError", "NothingToUndoError", "PartError", "RemoteModelForbiddenError",
         "ReportNameError", "ReportNotFoundError", "StaleReportError", "StoreDamagedError", "StoreError",
         "StoreUnavailableError",
         "VersionNotFoundError", "VersionStore"),
        ".drafting",
    ),
    "FormatMismatchError": ".drafting.edits",
    **dict.fromkeys(("AccountError", "Accounts"), ".drafting.accounts"),
    **dict.fromkeys(("Library", "NotOwnerError"), ".drafting.library"),
    **dict.fromkeys(("Review", "ReviewError"), ".drafting.review"),
    "ReportLockedError": ".drafting.store",
    "EndpointNotAllowedError": ".drafting.settings",
    **dict.fromkeys(("WriteFailedError", "UnsafeInputError"), ".fsio"),
    "DocumentTooComplexError": ".schema.document",
    **dict.fromkeys(("DraftingSession", "NoDraftError", "OfflineRewriteError"), ".drafting.session"),
    "parse_file_isolated": ".ingest.isolated",
    "read_workbook_isolated": ".ingest.isolated",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant.api' has no attribute {name!r}")
    value = getattr(import_module(module, __package__), name)
    globals()[name] = value
    return value


__all__ = [
    "AccountError",
    "Accounts",
    "AssistantError",
    "AuditSummary",
    "CellConflictError",
    "CheckResult",
    "DocumentTooComplexError",
    "DraftingSession",
    "EndpointNotAllowedError",
    "ExportBlocked",
    "Finding",
    "FormatMismatchError",
    "Library",
    "NoDraftError",
    "NotOwnerError",
    "NotesError",
    "NothingToUndoError",
    "OfflineRewriteError",
    "ParseError",
    "ParseOutcome",
    "PartError",
    "RemoteModelForbiddenError",
    "ReportInputError",
    "ReportLockedError",
    "ReportNameError",
    "ReportNotFoundError",
    "Review",
    "ReviewError",
    "StaleReportError",
    "StoreDamagedError",
    "StoreError",
    "StoreUnavailableError",
    "UnsafeInputError",
    "Verdict",
    "VerdictError",
    "VerdictOutcome",
    "VersionNotFoundError",
    "VersionStore",
    "WorkbookError",
    "WriteFailedError",
    "apply_verdicts",
    "audit",
    "check_file",
    "check_report",
    "decide_finding",
    "draft_notes",
    "export_all",
    "export_report",
    "fill_totals",
    "input_error_data",
    "load_report",
    "load_report_file",
    "next_year",
    "open_session",
    "parse_file",
    "parse_file_isolated",
    "parse_text",
    "read_verdicts",
    "read_workbook",
    "read_workbook_isolated",
    "render_docx",
    "render_html",
    "render_markdown",
    "report_json_schema",
    "review_report",
    "save_report",
    "write_template",
    "write_verdicts",
    "write_workbook",
]


def check_file(path: str | Path, previous: str | Path | None = None, options: CheckOptions | None = None) -> CheckResult:
    """Load a report document (and last year's) from disk and run every check."""
    report = load_report_file(path)
    prev: Report | None = load_report_file(previous) if previous is not None else None
    return check_report(report, prev, options)


def review_report(
    report: Report, verdicts: list[Verdict], previous: Report | None = None, options: CheckOptions | None = None,
) -> VerdictOutcome:
    """Check ``report`` and carry the reviewers' verdicts onto its findings (stale ones listed, not applied).

    ``outcome.result`` is the check result a gate or a listing should use: findings ruled 不属于问题 no longer
    count as errors.
    """
    from .checks.verdicts import apply_verdicts

    return apply_verdicts(check_report(report, previous, options), report, verdicts)


def decide_finding(
    report: Report, finding: Finding, decision: str, by: str, reason: str | None = None,
) -> Verdict:
    """A verdict (确认需修改 ``confirmed`` / 不属于问题 ``dismissed``, reason required / 已修改 ``fixed``) on one
    finding of ``report``, keyed by its rule, cells and the values involved. Raises ``VerdictError``."""
    from .checks.verdicts import decide

    return decide(finding, report, decision, by, reason)  # type: ignore[arg-type]


def input_error_data(exc: ReportInputError) -> dict[str, Any]:
    """An input error in the findings shape (data-contract §2), for ``--json`` callers."""
    findings = [
        {
            "rule": p.rule or "INPUT",
            "severity": "error",
            "cells": [p.field],
            "message": str(p),
            "expected": p.expected,
            "actual": p.given,
        }
        for p in exc.problems
    ]
    return {"ok": False, "errors": len(findings), "warnings": 0, "input_error": True, "findings": findings}


def draft_notes(
    notes_text: str,
    report: Report | str | Path | None = None,
    parts: list[str] | None = None,
    instruction: str | None = None,
    offline: bool = False,
) -> dict[str, DraftResult]:
    """Draft narrative parts from bullet notes (data-contract §3) and the report's tables.

    ``report`` is a Report or a path to one (None: no tables, last calendar year); ``parts`` defaults to
    all four; ``offline`` forces the deterministic drafter. Raises ``NotesError`` / ``PartError`` (ValueError).
    """
    from .drafting import draft_text

    doc = load_report_file(report) if isinstance(report, str | Path) else report
    return draft_text(notes_text, doc, parts, instruction, offline)


CLI_REPORT = "default"


def open_session(
    report: Report | str | Path | None = None,
    *,
    report_id: str = CLI_REPORT,
    store: VersionStore | None = None,
    offline: bool = False,
    notes: str | None = None,
) -> DraftingSession:
    """A drafting session on a stored report (``report_id``; "default" is the CLI's report).

    ``report`` (a Report or a path to one), when given, becomes the stored report's content; otherwise
    the stored one is used, or a report without tables for last calendar year. ``store`` defaults to
    the one in the user data dir; ``offline`` forces the deterministic drafter; ``notes`` (a notes
    document, data-contract §3) is kept as the report's notes and drafted from (``NotesError`` if invalid).
    """
    from .drafting import VersionStore, parse_notes, placeholder_report
    from .drafting.session import DraftingSession

    parsed = parse_notes(notes) if notes is not None else None

    store = store if store is not None else VersionStore()
    doc = load_report_file(report) if isinstance(report, str | Path) else report
    if doc is not None:
        store.save_report(report_id, doc)
    elif store.load_report(report_id) is None:
        store.save_report(report_id, placeholder_report())
    if notes is not None:
        store.save_notes(report_id, "all", notes)
    return DraftingSession(store, report_id, offline=offline, notes=parsed)
