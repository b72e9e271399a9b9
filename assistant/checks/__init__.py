"""Deterministic checks of a report document (format-spec §5) and the totals helper."""

from .findings import CheckResult, Finding, Severity, Status
from .runner import CheckOptions, check_report
from .equations import Equation, equations, fill_totals

__all__ = [
    "CheckOptions",
    "CheckResult",
    "Equation",
    "Finding",
    "Severity",
    "Status",
    "check_report",
    "equations",
    "fill_totals",
]
