"""Whether a report may be published: every reason it may not, each with where the clerk fixes it (no gradio)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..checks import CheckResult, check_report
from ..drafting import PARTS
from ..schema import Report, load_report, report_to_data
from ..schema.labels import CELLS, NARRATIVE_SECTION

AREA_STATS, AREA_COMPOSE = "统计数据", "撰写"
MISSING_MARK = "【待补充】"
_MARKS = re.compile(r"【(待核实|待补充)[^】]*】")
# Prose stating a table figure with another number blocks an export like an error does.
_BLOCKING_WARNINGS = frozenset({"X2"})


@dataclass(frozen=True)
class Reason:
    """One reason an export is refused: what is wrong and where to fix it (area, and the part if any)."""

    text: str
    area: str
    part: str | None = None

    @property
    def where(self) -> str:
        return f"{self.area} · {NARRATIVE_SECTION[self.part]}" if self.part else self.area


def _part_of_section(section: str | None) -> str | None:
    return next((p for p in PARTS if section and NARRATIVE_SECTION[p] == section), None)


def export_reasons(report: Report, result: CheckResult | None = None) -> list[Reason]:
    """Errors, contradictions between prose and tables, 【待核实】/【待补充】 marks and parts never written."""
    result = result if result is not None else check_report(report)
    reasons: list[Reason] = []
    for f in result.findings:
        if (f.severity != "error" and f.rule not in _BLOCKING_WARNINGS) or f.dismissed:
            continue  # a finding a reviewer ruled 不属于问题 does not block
        part = _part_of_section(f.section)
        on_tables = any(c in CELLS[report.format] for c in f.cells)
        area = AREA_STATS if on_tables and part is None else AREA_COMPOSE if part else AREA_STATS
        reasons.append(Reason(f.message, area, part))
    for part in PARTS:
        text = getattr(report.narrative, part, None) or ""
        if not text.strip():
            reasons.append(Reason("这一部分还没有正文（请起草并采纳，或直接填写后采纳）。", AREA_COMPOSE, part))
            continue
        marks = sorted({m.group(0) for m in _MARKS.finditer(text)})
        if marks:
            reasons.append(Reason(f"正文中仍有 {len(marks)} 处标注（{'、'.join(marks[:3])}），请核实后修改。",
                                  AREA_COMPOSE, part))
    return reasons


def reasons_markdown(reasons: list[Reason]) -> str:
    """The refusal for the page: every reason with where to fix it, and the explicit way out."""
    lines = [f"- **{r.where}**：{r.text}" for r in reasons[:30]]
    more = f"\n- …… 另有 {len(reasons) - 30} 处" if len(reasons) > 30 else ""
    return (f"【不能导出】**还有 {len(reasons)} 处问题，已拒绝导出。** 请按下列位置修改；确需导出可点击"
            "“仍然导出（标注未通过校验）”，文件中会保留醒目的标注。\n\n" + "\n".join(lines) + more)


def marked_for_forced_export(report: Report) -> Report:
    """A copy for an explicit forced export: every unwritten part carries 【待补充】 so the gap stays visible."""
    data = report_to_data(report)
    narrative = dict(data.get("narrative") or {})
    for part in PARTS:
        if not (narrative.get(part) or "").strip():
            narrative[part] = MISSING_MARK
    data["narrative"] = narrative
    return load_report(data)
