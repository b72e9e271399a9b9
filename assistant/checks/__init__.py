"""Deterministic checks of a report document (format-spec §5) and the totals helper."""

from .equations import Equation, equations, fill_totals
from .findings import DECISION_LABELS, CheckResult, Decision, Finding, FindingVerdict, Severity, Status
from .runner import CheckOptions, check_report
from .verdicts import Verdict, VerdictError, VerdictOutcome, apply_verdicts, decide, read_verdicts, write_verdicts

__all__ = [
    "DECISION_LABELS",
    "CheckOptions",
    "CheckResult",
    "Decision",
    "Equation",
    "Finding",
    "FindingVerdict",
    "Severity",
    "Status",
    "Verdict",
    "VerdictError",
    "VerdictOutcome",
    "apply_verdicts",
    "check_report",
    "decide",
    "equations",
    "fill_totals",
    "read_verdicts",
    "write_verdicts",
]
