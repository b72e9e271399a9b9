"""Rules across two years of the same body: X1 (carry-over), R2.6 (in-force stock), X3, X7."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from ..schema import get_cell
from ..schema.labels import NARRATIVE_PARTS, NARRATIVE_SECTION, SECTION3_COLUMNS
from ..schema.models import ApplicantCounts
from ..textnum import NUMBER, normalize, sentences, to_int
from .findings import Finding

if TYPE_CHECKING:
    from ..schema import Report

_COLUMN_LABEL = {c.id: c.label for c in SECTION3_COLUMNS}


class PreviousFacts(NamedTuple):
    """What the cross-year rules need from last year, from a full report or the embedded reference."""

    year: int
    agency: str | None
    carried_forward: ApplicantCounts | None
    new_requests: ApplicantCounts | None
    in_force: dict[str, int | None]
    narrative: dict[str, str]
    full: Report | None = None


def _as_count(value: object) -> int | None:
    return value if isinstance(value, int) else None


def previous_facts(report: Report, previous: Report | None) -> PreviousFacts | None:
    if previous is not None:
        apps = previous.applications
        return PreviousFacts(
            previous.year,
            previous.agency,
            apps.carried_forward if apps else None,
            apps.new_requests if apps else None,
            {
                row: _as_count(get_cell(previous, f"active_disclosure.art20_1.{row}.in_force"))
                for row in ("regulations", "normative_documents")
            },
            {p: getattr(previous.narrative, p) or "" for p in NARRATIVE_PARTS},
            previous,
        )
    ref = report.previous_year
    if ref is None:
        return None
    return PreviousFacts(
        ref.year,
        ref.agency,
        ref.carried_forward,
        ref.new_requests,
        {"regulations": ref.regulations_in_force, "normative_documents": ref.normative_documents_in_force},
        {},
    )


def _same_body(a: str | None, b: str | None) -> bool:
    return a is None or b is None or re.sub(r"\s", "", a) == re.sub(r"\s", "", b)


def check_carry_over(report: Report, prev: PreviousFacts) -> list[Finding]:
    """X1: 上年结转 of year Y equals 结转下年度继续办理 of year Y−1, column by column."""
    if report.applications is None or report.applications.carried_over is None or prev.carried_forward is None:
        return [
            Finding(rule="X1", severity="warning", status="not_assessable",
                    message="本年或上年报告缺少“上年结转”/“结转下年度继续办理”行，无法核对上下年度衔接。")
        ]
    findings: list[Finding] = []
    comparable = _same_body(report.agency, prev.agency)
    only_total = all(getattr(prev.carried_forward, c) is None for c in _COLUMN_LABEL if c != "total")
    severity = "error" if comparable and not only_total else "warning"
    for col, label in _COLUMN_LABEL.items():
        this = getattr(report.applications.carried_over, col)
        last = getattr(prev.carried_forward, col)
        if this is None or last is None or this == last:
            continue
        note = "" if comparable else f"（上年报告机关为“{prev.agency}”，如机构调整请核实）"
        findings.append(
            Finding(
                rule="X1",
                severity=severity,  # type: ignore[arg-type]
                cells=[f"applications.carried_over.{col}", f"previous.applications.carried_forward.{col}"],
                expected=last,
                actual=this,
                message=f"「{label}」列：本年“上年结转”为 {this}，但 {prev.year} 年报告“结转下年度继续办理”为 {last}，"
                f"上下年度应当衔接{note}。",
            )
        )
    return findings


def check_in_force_stock(report: Report, prev: PreviousFacts) -> list[Finding]:
    """R2.6: 现行有效 = 上年现行有效 + 本年制发 − 本年废止 (warning: expiry breaks it legitimately)."""
    if report.format != "2021":
        return []
    if not _same_body(report.agency, prev.agency):
        # another body's stock says nothing about this one's (issue 13.7)
        return [
            Finding(rule="R2.6", severity="warning", status="not_assessable",
                    message=f"上年报告的机关为“{prev.agency}”，与本报告“{report.agency}”不是同一机关，未核对现行有效件数。")
        ]
    findings: list[Finding] = []
    for row, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        base = f"active_disclosure.art20_1.{row}"
        issued, repealed, in_force = (get_cell(report, f"{base}.{c}") for c in ("issued", "repealed", "in_force"))
        last = prev.in_force.get(row)
        if None in (issued, repealed, in_force, last):
            continue
        expected = int(last or 0) + int(issued or 0) - int(repealed or 0)
        if expected != in_force:
            findings.append(
                Finding(
                    rule="R2.6",
                    severity="warning",
                    cells=[f"{base}.in_force", f"{base}.issued", f"{base}.repealed"],
                    expected=expected,
                    actual=in_force,
                    message=f"“{label}”现行有效 {in_force} 件，而上年现行有效 {last} 件＋本年制发 {issued} 件－本年废止 "
                    f"{repealed} 件＝{expected} 件，相差 {int(in_force or 0) - expected} 件（如有文件到期失效可不予理会）。",
                )
            )
    return findings


# only for a report with last year's figures: text until then (``re`` compiles and caches it on first use)
_YOY = rf"(?:较|比|同比)(?:去年|上年|上一年度|上年度)(?:同期)?(?P<dir>上升|增加|增长|多|减少|下降|少|持平)(?:了)?(?P<num>{NUMBER})?\s*件"


def check_year_on_year(report: Report, prev: PreviousFacts) -> list[Finding]:
    """X3: “较去年上升一件” about applications agrees with last year's 本年新收."""
    this = get_cell(report, "applications.new_requests.total")
    last = prev.new_requests.total if prev.new_requests else None
    if this is None or last is None:
        return []
    findings = []
    for part in NARRATIVE_PARTS:
        for sent in sentences(normalize(getattr(report.narrative, part) or "")):
            if "申请" not in sent.text:
                continue
            for m in re.finditer(_YOY, sent.text):
                sign = -1 if m.group("dir") in ("减少", "下降", "少") else 1
                claimed = 0 if m.group("dir") == "持平" else sign * (to_int(m.group("num") or "") or 0)
                if claimed != this - last:
                    findings.append(
                        Finding(
                            rule="X3",
                            severity="warning",
                            cells=["applications.new_requests.total", "previous.applications.new_requests.total"],
                            section=NARRATIVE_SECTION[part],
                            quote=sent.text.strip(),
                            expected=this - last,
                            actual=claimed,
                            message=f"正文“{m.group(0)}”，但本年新收申请 {this} 件、{prev.year} 年 {last} 件，"
                            f"实际变化为 {this - last:+d} 件。",
                        )
                    )
    return findings


def _strip_years(text: str) -> str:
    return re.sub(r"\d{4}\s*年", "YYYY年", re.sub(r"\s", "", normalize(text)))


def check_duplication(report: Report, prev: PreviousFacts) -> list[Finding]:
    """X7: narrative copied from last year's report with only the year changed (内容雷同)."""
    from difflib import SequenceMatcher  # here: only a check with last year's report needs it (start-up)

    findings = []
    for part in NARRATIVE_PARTS:
        now, then = getattr(report.narrative, part) or "", prev.narrative.get(part, "")
        if len(now) < 40 or len(then) < 40:
            continue
        ratio = SequenceMatcher(None, _strip_years(now), _strip_years(then), autojunk=False).ratio()
        if ratio >= 0.9:
            findings.append(
                Finding(
                    rule="X7",
                    severity="warning",
                    section=NARRATIVE_SECTION[part],
                    expected="< 90%",
                    actual=f"{ratio:.0%}",
                    message=f"“{NARRATIVE_SECTION[part]}”与 {prev.year} 年报告相似度达 {ratio:.0%}，疑似照搬往年内容。",
                )
            )
    return findings
