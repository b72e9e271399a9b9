"""The report assembled as a sequence of blocks in the official order, shared by every output format.

Title, opening paragraph, sections 一–六 with the narrative from the document and the three tables.
A part that is missing is printed as 【待补充】 so it cannot be overlooked; a forced export of a
report that fails its checks carries a visible 「校验未通过」 mark with the errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..checks import CheckResult
from ..schema import Report
from ..schema.labels import SECTION_HEADINGS
from .layout import MISSING, TableGrid, report_grids

BlockKind = Literal["title", "mark", "heading1", "heading2", "paragraph", "table", "note"]
FAILED_MARK = "校验未通过"
_SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_SENTENCE_END = re.compile(r"[。；！？]")
_HEADINGS = {h.number: h.label for h in SECTION_HEADINGS}
_TABLE_OF_SECTION = {"二": "active_disclosure", "三": "applications", "四": "review_litigation"}
_SECTION5_PARTS = (("problems", "（一）存在问题"), ("improvements", "（二）改进情况"))


@dataclass(frozen=True)
class Block:
    """One piece of the printed report. ``table`` is set for kind == "table"."""

    kind: BlockKind
    text: str = ""
    table: TableGrid | None = None
    missing: bool = False


@dataclass
class AssembledReport:
    """The whole report, ready for a writer."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    failed: CheckResult | None = None
    approval: str | None = None  # the approval an export names in its file properties, never in the text

    @property
    def tables(self) -> list[TableGrid]:
        return [b.table for b in self.blocks if b.table is not None]


def approval_text(approval: Mapping[str, Any] | None) -> str | None:
    """The approval as written into a file's properties (审核通过：第N次 · 修订号 · 审核人 · 北京时间)."""
    if not approval:
        return None
    from ..timefmt import local_time, zone_name

    when = local_time(str(approval.get("at", "")), "%Y-%m-%d %H:%M")
    return (f"审核通过：第 {approval.get('number')} 次审核通过的版本（修订号 {approval.get('revision')}），"
            f"审核人 {approval.get('approver')}，{when}（{zone_name()}）")


def opening_paragraph(report: Report) -> str:
    """The statistics period and, when present, how to contact the body (as in published reports)."""
    if report.opening:
        return report.opening
    y = report.year
    text = f"本年度报告中所列数据的统计期限自{y}年1月1日起，至{y}年12月31日止。"
    contact = report.contact
    parts: list[str] = []
    if contact is not None:
        for label, value in (("地址", contact.address), ("邮编", contact.postcode),
                             ("电话", contact.phone), ("邮箱", contact.email)):
            if value:
                parts.append(f"{label}：{value}")
    tail = f"（{'；'.join(parts)}）" if parts else ""
    return text + f"如对本报告有疑问，请与{report.agency}联系{tail}。"


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _is_subheading(line: str) -> bool:
    """A line such as 「（一）主动公开」 standing alone (no sentence after it) is a level-2 heading."""
    if not _SUBHEADING.match(line):
        return False
    body = line.rstrip("。")
    return len(body) <= 30 and not _SENTENCE_END.search(body)


def _narrative(text: str | None) -> list[Block]:
    lines = _lines(text)
    if not lines:
        return [Block("paragraph", MISSING, missing=True)]
    return [Block("heading2" if _is_subheading(line) else "paragraph", line) for line in lines]


def _section5_part(text: str | None, heading: str) -> list[Block]:
    lines = _lines(text)
    # A draft may already begin with its own （一）存在问题 heading; don't print it twice.
    if lines and lines[0].replace(" ", "").rstrip("：:。").endswith(heading[3:]) and _SUBHEADING.match(lines[0]):
        lines = lines[1:]
    body = [Block("paragraph", line) for line in lines] or [Block("paragraph", MISSING, missing=True)]
    return [Block("heading2", heading), *body]


def _failed_blocks(result: CheckResult) -> list[Block]:
    head = f"【{FAILED_MARK}：本稿有 {result.errors} 个错误，仅供内部核对，修正前不得发布】"
    errors = [f for f in result.findings if f.severity == "error"]
    return [Block("mark", head)] + [Block("mark", f"{f.rule}：{f.message}") for f in errors]


def assemble(report: Report, failed: CheckResult | None = None) -> AssembledReport:
    """Lay the report out in the official order. ``failed`` (a result with errors) adds the 校验未通过 mark."""
    title = report.title or report.default_title
    out = AssembledReport(title, failed=failed if failed is not None and not failed.ok else None)
    add = out.blocks.append
    add(Block("title", title))
    if out.failed is not None:
        out.blocks.extend(_failed_blocks(out.failed))
    add(Block("paragraph", opening_paragraph(report)))
    grids = report_grids(report)
    narrative = report.narrative
    for number, label in _HEADINGS.items():
        add(Block("heading1", label))
        if number == "一":
            out.blocks.extend(_narrative(narrative.overview))
        elif number in _TABLE_OF_SECTION:
            table_id = _TABLE_OF_SECTION[number]
            if getattr(report, table_id) is None:
                add(Block("note", f"{MISSING}本表数据尚未填写。", missing=True))
            add(Block("table", table=grids[table_id]))
        elif number == "五":
            for key, heading in _SECTION5_PARTS:
                out.blocks.extend(_section5_part(getattr(narrative, key), heading))
        else:
            out.blocks.extend(_narrative(narrative.other_matters))
    return out
