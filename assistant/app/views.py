"""HTML/Markdown views of findings, grids and drafts (pure functions; no gradio)."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

from ..checks import CheckResult, Finding
from ..schema import Report
from ..schema.labels import describe
from .grids import flagged_positions, grid_rows, layout

SEVERITY_LABEL = {"error": "错误", "warning": "警告"}
_COLORS = {"error": "background-color: #fde2e1; color: #a8071a; font-weight: 600",
           "warning": "background-color: #fff4d6"}
_MAX_CELLS_LISTED = 2


def flagged_cells(result: CheckResult) -> dict[str, str]:
    """Cell id → worst severity among the findings naming it."""
    out: dict[str, str] = {}
    for f in result.findings:
        for cid in f.cells:
            if out.get(cid) != "error":
                out[cid] = f.severity
    return out


def _first_cells(f: Finding, version: str) -> str:
    shown = [describe(c, version) for c in f.cells[:_MAX_CELLS_LISTED]]  # type: ignore[arg-type]
    more = len(f.cells) - len(shown)
    return "；".join(shown) + (f" 等 {len(f.cells)} 个单元格" if more > 0 else "")


def findings_html(result: CheckResult, report: Report) -> str:
    """The findings beside the grids: a summary line, then one entry per finding naming its cells."""
    head_cls = "ok" if result.ok else "bad"
    parts = [f'<div class="xxgk-findings"><p class="xxgk-summary {head_cls}">{html.escape(result.summary())}</p>']
    if result.findings:
        parts.append("<ol>")
        for f in sorted(result.findings, key=lambda x: x.severity != "error"):
            cells = _first_cells(f, report.format)
            where = f'<div class="xxgk-cells">涉及：{html.escape(cells)}</div>' if cells else ""
            parts.append(
                f'<li class="xxgk-{f.severity}"><b>{SEVERITY_LABEL[f.severity]} {html.escape(f.rule)}</b>：'
                f"{html.escape(f.message)}{where}</li>"
            )
        parts.append("</ol>")
    parts.append("</div>")
    return "".join(parts)


def grid_frame(report: Report, table: str, result: CheckResult) -> Any:
    """The grid of one table as a pandas Styler with the flagged cells coloured."""
    grid = layout(report.format, table)
    frame = pd.DataFrame(grid_rows(report, table), columns=list(grid.headers))
    marks = flagged_positions(report, table, flagged_cells(result))

    def paint(_: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for (r, c), severity in marks.items():
            styles.iat[r, c] = _COLORS[severity]
        return styles

    return frame.style.apply(paint, axis=None)


_MARK = re.compile(r"【待核实[^】]*】")


def marked_markdown(text: str) -> str:
    """Draft text for the chat: the guard's 【待核实…】 marks in bold so they stand out."""
    # <mark>, not **…**: Markdown emphasis does not open between a Chinese character and 【.
    return _MARK.sub(lambda m: f"<mark>{m.group(0)}</mark>", text)


def guard_markdown(findings: list[Finding], notice: str | None, backend_label: str) -> str:
    """Under the reply: which numbers could not be traced, each quoted with its sentence."""
    lines = [f"**起草方式**：{backend_label}"]
    if notice:
        lines.append(f"**说明**：{notice}")
    if not findings:
        lines.append("【通过】数字核对通过：稿中数字均可在要点或统计表中找到。")
        return "\n\n".join(lines)
    lines.append(f"【注意】**数字核对发现 {len(findings)} 处问题**（已在稿中标注【待核实】）：")
    for f in findings:
        number = f"**{f.actual}**" if f.actual is not None else ""
        expected = f"（表中为 {f.expected}）" if f.expected is not None else ""
        quote = f"——“{f.quote}”" if f.quote else ""
        lines.append(f"- {f.rule} 数字 {number}{expected}：{f.message}{quote}")
    return "\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]) if len(lines) > 2 else "\n\n".join(lines)


def changes_markdown(action: str, changes: list[Any], shown: int = 40) -> str:
    """What a bulk action changed, cell by cell (official labels, from → to), for the status line."""
    if not changes:
        return f"{action}：没有需要改动的单元格。"
    def show(v: Any) -> str:
        return "空白" if v is None else str(v)
    lines = [f"- {c.label}：{show(c.before)} → {show(c.after)}" for c in changes[:shown]]
    more = f"\n- ……另有 {len(changes) - shown} 处" if len(changes) > shown else ""
    return f"{action}：已改动 {len(changes)} 个单元格（可点击“撤销”恢复）。\n" + "\n".join(lines) + more
