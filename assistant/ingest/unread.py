"""What the parser could not read (未能读取) versus what the source really lacks (X6).

A missing table, row or narrative part is the publisher's only when the source shows no trace of it:
a table whose section heading is there with numbers under it, a row whose label is printed, a part whose
heading is there — those are our reading failures, reported as 未能读取 with the reason, never as an error
of the report. ``separate`` moves the check findings that rest only on such failures out of the report's
findings, so an audit never sends a county a false alarm produced by our parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from ..checks.findings import Finding
from ..schema.labels import (
    CELLS,
    NARRATIVE_LABELS,
    NARRATIVE_SECTION,
    RESULTS_GROUP,
    TABLE_LABELS,
    FormatVersion,
    section3_rows,
)
from .errors import ParseIssue
from .labelmatch import norm_label
from .narrative import Prose

TABLE_SECTION = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}
PART_SECTION = {"overview": "一", "problems": "五", "improvements": "五", "other_matters": "六"}
_DIGITS = re.compile(r"\d")
UNREAD_RULE = "UNREAD"  # the issue code; its messages begin with 未能读取


@dataclass
class Unread:
    """Things not read: key (cell id, table id or ``narrative.<part>``) → the reason, in Chinese."""

    items: dict[str, str] = field(default_factory=dict)
    issues: list[ParseIssue] = field(default_factory=list)


def _section_lines(prose: Prose, number: str) -> list[str] | None:
    if number not in prose.headings:
        return None
    start = prose.headings[number] + 1
    later = [i for i in prose.headings.values() if i > prose.headings[number]]
    return prose.lines[start : min(later) if later else len(prose.lines)]


def classify(
    prose: Prose,
    seen_tables: set[str],
    seen_rows: set[str],
    rows_of: dict[str, tuple[str, ...]],
    row_label: dict[str, str],
    region_text: str,
) -> Unread:
    """Sort every missing table, row and narrative part into 未能读取 (a trace in the source) or X6 (none)."""
    out = Unread()
    printed = norm_label(region_text)
    lacking: list[str] = []
    for table, rows in rows_of.items():
        if table not in seen_tables:
            lines = _section_lines(prose, TABLE_SECTION[table])
            if lines is not None and sum(len(_DIGITS.findall(ln)) for ln in lines) >= 3:
                why = f"“{TABLE_LABELS[table]}”部分有标题和数字，但未能识别出统计表"
                out.items[table] = why
                out.issues.append(ParseIssue(UNREAD_RULE, f"未能读取：{why}"))
            else:
                out.issues.append(ParseIssue("X6", f"未找到“{TABLE_LABELS[table]}”统计表"))
            continue
        for row in rows:
            if row in seen_rows:
                continue
            label = row_label[row]
            if norm_label(label) in printed:
                why = f"表中印有“{label}”行，但未能读出它的数字"
                for cid in _cells_of_row(row):
                    out.items[cid] = why
                out.issues.append(ParseIssue(UNREAD_RULE, f"未能读取：{why}"))
            else:
                lacking.append(label)
    if lacking:
        out.issues.append(ParseIssue("X6", f"表中找不到以下行（可能被删改或无法识别）：{'、'.join(lacking)}"))
    for part, number in PART_SECTION.items():
        if prose.narrative.get(part):
            continue
        lines = _section_lines(prose, number)
        if lines is None:
            if any(_looks_like_heading(ln, number) for ln in prose.lines):
                why = f"有以“{number}、”开头的标题，但与“{NARRATIVE_SECTION[part]}”对不上，未能读取{NARRATIVE_LABELS[part]}"
                out.items[f"narrative.{part}"] = why
                out.issues.append(ParseIssue(UNREAD_RULE, f"未能读取：{why}"))
        elif part == "improvements" and prose.narrative.get("problems"):
            why = "第五部分没有可识别的“（二）改进情况”小标题，未能把改进情况与存在问题分开"
            out.items[f"narrative.{part}"] = why
            out.issues.append(ParseIssue(UNREAD_RULE, f"未能读取：{why}"))
    return out


@cache
def _row_labels() -> frozenset[str]:
    return frozenset(norm_label(r.label) for v in ("2021", "2019") for r in section3_rows(v)) | {norm_label(RESULTS_GROUP)}


def _looks_like_heading(line: str, number: str) -> bool:
    """A line that starts like a section heading (``五、…``) and is not a table row (``一、本年新收…``)."""
    text = line.lstrip("#* \t")
    if not text.startswith(f"{number}、") or len(text) > 40 or _DIGITS.search(text):
        return False
    normed = norm_label(text)
    return not any(normed.startswith(label) for label in _row_labels())


@cache
def _cells_of_row(row: str) -> tuple[str, ...]:
    version: FormatVersion
    for version in ("2021", "2019"):
        cells = tuple(c for c in CELLS[version] if c.rsplit(".", 1)[0] == row)
        if cells:
            return cells
    return ()


def _is_about(finding: Finding, unread: dict[str, str]) -> bool:
    cells = [c for c in finding.cells if not c.startswith("previous.")]
    tables = {k for k in unread if "." not in k}
    hit = [c for c in cells if c in unread or c.split(".", 1)[0] in tables]
    if cells and len(hit) == len(cells):
        return True
    if hit and finding.status == "not_assessable":
        return True  # a rule that could not be evaluated because of a cell we did not read
    if finding.rule == "R3.5" and hit:
        return True
    for table in tables:
        if finding.section == TABLE_LABELS.get(table) and not cells:
            return True
    for part in NARRATIVE_LABELS:
        if f"narrative.{part}" in unread and finding.rule == "X6" and finding.section == NARRATIVE_SECTION[part]:
            return True
    return False


def separate(findings: Iterable[Finding], unread: dict[str, str]) -> tuple[list[Finding], list[Finding]]:
    """(findings about the report, findings that rest on something the parser could not read)."""
    kept: list[Finding] = []
    moved: list[Finding] = []
    for f in findings:
        (moved if unread and _is_about(f, unread) else kept).append(f)
    return kept, moved
