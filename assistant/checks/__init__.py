"""Deterministic checks of a report document (format-spec §5) and the totals helper."""

from .equations import Equation, equations, fill_totals
from .findings import CheckResult, Finding, Severity, Status
from .runner import CheckOptions, check_report

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
