"""check_report: every rule over one report (and optionally last year's)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from ..schema import Report
from . import crossyear, narrative, tables
from .equations import check_equations
from .findings import CheckResult, Finding


class CheckOptions(BaseModel):
    """Tunable thresholds of the warning rules."""

    fee_warn_threshold_wan_yuan: Decimal = Decimal(100000)


def check_report(report: Report, previous: Report | None = None, options: CheckOptions | None = None) -> CheckResult:
    """Run every rule; ``previous`` is last year's report of the same body (X1, X3, R2.6, X7).

    Without ``previous``, the document's own ``previous_year`` reference is used for X1, X3 and R2.6.
    """
    options = options or CheckOptions()
    findings: list[Finding] = []
    findings += tables.check_structure(report)
    findings += check_equations(report)
    findings += tables.check_blanks(report)
    findings += tables.check_active_disclosure(report, options.fee_warn_threshold_wan_yuan)
    findings += narrative.check_figures(report)
    findings += narrative.check_applications_prose(report)
    findings += narrative.check_fee_reporting(report)
    findings += narrative.check_prose_arithmetic(report)
    findings += narrative.check_sections(report)
    findings += narrative.check_years(report)
    findings += narrative.check_timeliness(report)
    notes: list[str] = []
    prev = crossyear.previous_facts(report, previous)
    if prev is None:
        notes.append("未提供上一年度报告，跨年度规则（X1 上下年度衔接、X3 同比表述、R2.6 现行有效件数、X7 内容雷同）未检查。")
    elif prev.year != report.year - 1:
        findings.append(
            Finding(
                rule="X1", severity="warning", status="not_assessable", expected=report.year - 1, actual=prev.year,
                message=f"提供的上年报告为 {prev.year} 年度，不是 {report.year - 1} 年度，跨年度规则未检查。",
            )
        )
    else:
        findings += crossyear.check_carry_over(report, prev)
        findings += crossyear.check_in_force_stock(report, prev)
        findings += crossyear.check_year_on_year(report, prev)
        findings += crossyear.check_duplication(report, prev)
    return CheckResult(findings=findings, notes=notes)
