"""check_report: every rule over one report (and optionally last year's)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from ..schema import Report
from .findings import CheckResult


class CheckOptions(BaseModel):
    """Tunable thresholds of the warning rules."""

    fee_warn_threshold_wan_yuan: Decimal = Decimal(100000)


def check_report(report: Report, previous: Report | None = None, options: CheckOptions | None = None) -> CheckResult:
    """Run every rule; ``previous`` is last year's report of the same body (X1, X3, R2.6, X7)."""
    return CheckResult()
