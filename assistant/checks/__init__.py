"""Deterministic checks of a report document (format-spec §5) and the totals helper."""

from typing import TYPE_CHECKING, Any

from .equations import Equation, equations, fill_totals
from .findings import DECISION_LABELS, CheckResult, Decision, Finding, FindingVerdict, Severity, Status
from .runner import CheckOptions, check_report

if TYPE_CHECKING:
    from .verdicts import Verdict, VerdictError, VerdictOutcome, apply_verdicts, decide, read_verdicts, write_verdicts

# Reviewers' verdicts load on first use: a plain check (`xxgk check`) carries none.
_VERDICT_NAMES = frozenset(
    ("Verdict", "VerdictError", "VerdictOutcome", "apply_verdicts", "decide", "read_verdicts", "write_verdicts")
)


def __getattr__(name: str) -> Any:
    if name in _VERDICT_NAMES:
        from . import verdicts

        return getattr(verdicts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
