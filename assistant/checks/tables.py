"""Rules on single table cells and rows: R2.3–R2.5 (section 二), R3.5 (blanks), X6 (structure)."""

from __future__ import annotations

import re
from decimal import Decimal

from ..schema import CELLS
from ..schema.labels import BODY_TYPE_LABELS, NARRATIVE_PARTS, NARRATIVE_SECTION, TABLE_LABELS
from .facts import Facts
from .findings import Finding

_FEE = "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan"
_REGULATIONS = "active_disclosure.art20_1.regulations"
_NORMATIVE = "active_disclosure.art20_1.normative_documents"
_STOCK_COLUMNS = ("issued", "repealed", "in_force")
_STOCK_ROWS = tuple(
    (row, label, tuple(f"{row}.{c}" for c in _STOCK_COLUMNS))
    for row, label in ((_REGULATIONS, "规章"), (_NORMATIVE, "行政规范性文件"))
)
_SECTION2_READ = (_FEE, *(f"{row}.{c}" for row in (_REGULATIONS, _NORMATIVE) for c in _STOCK_COLUMNS))


def check_structure(facts: Facts) -> list[Finding]:
    """X6: all three tables, every row, and the narrative sections are present."""
    report = facts.report
    findings: list[Finding] = []
    cells = CELLS[report.format]
    all_rows_present = facts.row is not None
    for table, label in TABLE_LABELS.items():
        if getattr(report, table) is None:
            findings.append(
                Finding(rule="X6", severity="error", message=f"缺少“{label}”表格，格式要求三张统计表齐全。", section=label)
            )
            continue
        rows: dict[str, list[str]] = {}
        for cid, spec in cells.items() if not all_rows_present else ():
            if spec.table == table and not facts.has_row(cid):
                rows.setdefault(f"{spec.group_label + ' ' if spec.group_label else ''}{spec.row_label}", []).append(cid)
        if rows:
            findings.append(
                Finding(
                    rule="X6",
                    severity="error",
                    cells=[c for ids in rows.values() for c in ids],
                    message=f"“{label}”表缺少 {len(rows)} 行：{'、'.join(rows)}。",
                    section=label,
                )
            )
    for part in NARRATIVE_PARTS:
        if not (getattr(report.narrative, part) or "").strip():
            findings.append(
                Finding(
                    rule="X6",
                    severity="error",
                    message=f"正文“{NARRATIVE_SECTION[part]}”尚未填写。",
                    section=NARRATIVE_SECTION[part],
                )
            )
    return findings


# a kept source text with digits that is not a plain number: the publisher typed something else into the cell
_HAS_DIGIT = re.compile(r"\d")
# Only an imported report with printed text in a cell needs these: text until then (``re`` caches on first use).
_PLAIN_DIGITS = r"^[\d\s,，]+$"  # digits the parser could not place: a reading failure, not text
_SIGNED = r"^\s*[+＋\-－−]"
_NOTE = r"[（(]|其中|含|约|左右|余"


def printed_text_cells(report: object) -> dict[str, str]:
    """Cells left blank whose source text was a number dressed up (``+22`` ``--253`` ``22（其中修订16件）`` ``251000元``)."""
    raw: dict[str, str] = getattr(report, "raw_cells", {}) or {}
    return {c: t for c, t in raw.items() if _HAS_DIGIT.search(t) and not re.match(_PLAIN_DIGITS, t)}


def check_printed_text(facts: Facts) -> list[Finding]:
    """R3.4 (a cell holds text, a sign or a note instead of a plain integer ≥ 0); R2.3 for 元 typed into the fee cell."""
    report = facts.report
    findings: list[Finding] = []
    for cid, raw in printed_text_cells(report).items():
        spec = CELLS[report.format].get(cid)
        if spec is None or facts.values.get(cid) is not None:
            continue  # a cell the clerk has since filled in is no longer what was printed
        if cid == _FEE and "元" in raw and "万元" not in raw:
            findings.append(
                Finding(rule="R2.3", severity="warning", cells=[cid], actual=raw, expected="以万元为单位的数字",
                        message=f"{spec.label}填写为“{raw}”：本栏单位为万元，只填数字；按元填写的金额应换算为万元。")
            )
            continue
        # 本年增/减 (2019 format) is signed: a sign is its value, not a fault.
        signed = spec.kind == "signed_count"
        body = re.sub(_SIGNED, "", raw, count=1) if signed else raw
        if signed and re.match(_PLAIN_DIGITS, body):
            continue
        if re.match(_SIGNED, body):
            why = "带有正负号"
        elif re.search(_NOTE, body):
            why = "附有说明文字（说明请写在正文中）"
        elif re.search(r"[件条项个万元]", body):
            why = "带有单位"
        else:
            why = "不是单纯的数字"
        expected = "整数（可带正负号）" if signed else "非负整数"
        findings.append(
            Finding(rule="R3.4", severity="error", cells=[cid], actual=raw, expected=expected,
                    message=f"{TABLE_LABELS[spec.table]}表{spec.label}填写为“{raw}”，{why}；本栏应只填{expected}。")
        )
    return findings


def check_blanks(facts: Facts) -> list[Finding]:
    """R3.5 (applied to all three tables): blank cells instead of 0, one finding per row."""
    report = facts.report
    findings: list[Finding] = []
    if facts.complete:
        return findings
    by_row: dict[str, list[str]] = {}
    dressed = printed_text_cells(report)  # reported precisely by check_printed_text, not as blanks
    for cid, value in facts.values.items():
        if value is None and facts.has_row(cid) and cid not in dressed:
            by_row.setdefault(cid.rsplit(".", 1)[0], []).append(cid)
    for ids in by_row.values():
        specs = [CELLS[report.format][c] for c in ids]
        row = specs[0]
        row_name = f"{row.group_label} {row.row_label}" if row.group_label else row.row_label
        raws = [f"“{report.raw_cells[c]}”" for c in ids if report.raw_cells.get(c)]
        raw_note = f"（原文为{'、'.join(raws)}）" if raws else ""
        findings.append(
            Finding(
                rule="R3.5",
                severity="warning",
                cells=ids,
                message=f"{TABLE_LABELS[row.table]}表「{row_name}」的"
                f"{'、'.join('「' + s.column_label + '」' for s in specs)}为空白{raw_note}；没有数据应填写 0。",
                actual=", ".join(report.raw_cells.get(c, "") for c in ids) or None,
                expected=0,
            )
        )
    return findings


def check_active_disclosure(facts: Facts, fee_threshold: Decimal) -> list[Finding]:
    """R2.3 (fee in 元 instead of 万元), R2.4 (规章 for a body without rule-making power), R2.5."""
    report = facts.report
    if report.format != "2021" or report.active_disclosure is None:
        return []
    findings: list[Finding] = []
    fee, *stock = facts.cells(_SECTION2_READ)
    value = dict(zip(_SECTION2_READ[1:], stock, strict=True))
    if isinstance(fee, Decimal) and fee > fee_threshold:
        findings.append(
            Finding(
                rule="R2.3",
                severity="warning",
                cells=[_FEE],
                message=f"行政事业性收费金额 {fee} 万元异常偏大（超过 {fee_threshold} 万元），请核实是否误按“元”填写；"
                "本栏单位为万元。",
                actual=str(fee),
                expected=f"≤ {fee_threshold}",
            )
        )
    nonzero = [c for c in _SECTION2_READ[1:4] if (value[c] or 0) > 0]
    if nonzero and report.body_type in ("department", "township"):
        findings.append(
            Finding(
                rule="R2.4",
                severity="warning",
                cells=nonzero,
                message=f"机关类型为{BODY_TYPE_LABELS[report.body_type]}，一般不具有规章制定权，"
                "但“规章”行填报了非零数字，请核实是否应填入“行政规范性文件”行。",
                expected=0,
                actual=sum(int(value[c] or 0) for c in nonzero),
            )
        )
    elif nonzero and report.body_type is None:
        findings.append(
            Finding(
                rule="R2.4",
                severity="warning",
                status="not_assessable",
                cells=nonzero,
                message="“规章”行填报了非零数字，但报告未注明机关类型，无法判断是否具有规章制定权，请注明机关类型。",
            )
        )
    for row, label, keys in _STOCK_ROWS:
        issued, repealed, in_force = (value[k] for k in keys)
        if issued is None or repealed is None or in_force is None:
            continue
        if issued > in_force + repealed:
            findings.append(
                Finding(
                    rule="R2.5",
                    severity="warning",
                    cells=[f"{row}.issued", f"{row}.repealed", f"{row}.in_force"],
                    message=f"“{label}”本年制发 {issued} 件，多于现行有效 {in_force} 件与本年废止 {repealed} 件之和；"
                    "当年制发又当年失效的情况少见，请核实。",
                    expected=f"≤ {in_force + repealed}",
                    actual=issued,
                )
            )
    return findings
