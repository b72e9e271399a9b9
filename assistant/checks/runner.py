"""check_report: every rule over one report (and optionally last year's)."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ..schema.labels import NARRATIVE_PARTS
from . import crossyear, narrative, tables
from .equations import check_equations
from .facts import CELL_INDEX, Facts
from .findings import CheckResult, Finding

if TYPE_CHECKING:
    from ..schema import Report

_NARRATIVE_CELLS = tuple(sorted(narrative.CELLS_READ))
_NARRATIVE_POSITIONS_2021 = itemgetter(*(CELL_INDEX["2021"][c] for c in _NARRATIVE_CELLS))
_NARRATIVE_CACHE: OrderedDict[tuple[object, ...], list[Finding]] = OrderedDict()


def _narrative_cells(facts: Facts) -> tuple[object, ...]:
    if facts.row is not None and facts.report.format == "2021":
        return tuple(_NARRATIVE_POSITIONS_2021(facts.row))
    return tuple(map(facts.cell, _NARRATIVE_CELLS))


def _narrative_findings(facts: Facts) -> list[Finding]:
    """The prose rules, memoised on everything they read (texts, metadata and the cells they compare).

    The app re-checks on every cell edit while the prose stays the same; scanning the prose again
    would cost more than all the table rules together.
    """
    r = facts.report
    key = (
        tuple(getattr(r.narrative, p) for p in NARRATIVE_PARTS), r.title, r.opening, r.year, r.format,
        r.body_type, r.published_on, _narrative_cells(facts),
    )
    cached = _NARRATIVE_CACHE.get(key)
    if cached is None:
        cached = [
            *narrative.check_figures(facts),
            *narrative.check_applications_prose(facts),
            *narrative.check_fee_reporting(facts),
            *narrative.check_prose_arithmetic(r),
            *narrative.check_sections(r),
            *narrative.check_years(r),
            *narrative.check_timeliness(r),
        ]
        _NARRATIVE_CACHE[key] = cached
        if len(_NARRATIVE_CACHE) > 256:
            _NARRATIVE_CACHE.popitem(last=False)
    return list(cached)


def clear_caches() -> None:
    """Forget memoised prose analyses (benchmarks measure the cold path with this)."""
    _NARRATIVE_CACHE.clear()
    narrative.clear_caches()


class CheckOptions(BaseModel):
    """Tunable thresholds of the warning rules."""

    fee_warn_threshold_wan_yuan: Decimal = Decimal(100000)


_DEFAULT_OPTIONS = CheckOptions()


def check_report(report: Report, previous: Report | None = None, options: CheckOptions | None = None) -> CheckResult:
    """Run every rule; ``previous`` is last year's report of the same body (X1, X3, R2.6, X7).

    Without ``previous``, the document's own ``previous_year`` reference is used for X1, X3 and R2.6.
    """
    options = options or _DEFAULT_OPTIONS
    facts = Facts.of(report)
    findings: list[Finding] = []
    findings += tables.check_structure(facts)
    findings += check_equations(facts)
    findings += tables.check_printed_text(facts)
    findings += tables.check_blanks(facts)
    findings += tables.check_active_disclosure(facts, options.fee_warn_threshold_wan_yuan)
    findings += _narrative_findings(facts)
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
        findings += narrative.check_stale(facts, narrative.PreviousValues.of(report, previous), prev.narrative)
    return CheckResult(findings, notes)
