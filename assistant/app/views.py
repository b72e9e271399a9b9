"""HTML/Markdown views of findings, grids and drafts (pure functions; no gradio)."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

from ..checks import CheckResult, Finding
from ..checks.verdicts import STALE_MARK
from ..schema import Report
from ..schema.document import flatten_cells
from ..schema.labels import CELLS
from ..timefmt import local_time
from .grids import cell_or_blank, flagged_positions, grid_rows, layout

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


def _positions(report: Report) -> dict[str, str]:
    """Cell id → "grid_<table>:<row>:<col>" of the page's grids."""
    out: dict[str, str] = {}
    for table in ("active_disclosure", "applications", "review_litigation"):
        for (r, c), cid in layout(report.format, table).slots().items():
            out[cid] = f"grid_{table}:{r}:{c}"
    return out


def findings_html(result: CheckResult, report: Report) -> str:
    """The findings beside the grids: a summary line, then one entry per finding in plain Chinese.

    Cell ids and the rule stay in a collapsed detail; clicking an entry highlights its cells (the page
    script reads ``data-pos``; the first cell of an arithmetic rule is its total).
    """
    head_cls = "ok" if result.ok else "bad"
    summary = result.summary()
    if not result.findings and _all_blank(report):
        summary = "统计表尚未填写。"
    parts = [f'<div class="xxgk-findings"><p class="xxgk-summary {head_cls}">{html.escape(summary)}</p>']
    for note in result.notes:
        if note.startswith(STALE_MARK):  # a verdict dropped because the values it judged changed: say so
            parts.append(f'<p class="xxgk-stale">{html.escape(note)}</p>')
    if result.findings:
        where = _positions(report)
        parts.append("<ol>")
        for f in sorted(result.findings, key=lambda x: x.severity != "error"):
            pos = " ".join(where[c] for c in f.cells if c in where)
            total = "1" if f.rule[:2] in ("R2", "R3", "R4") and len(f.cells) > 1 else "0"
            attrs = f' data-pos="{html.escape(pos)}" data-total="{total}" title="点击在表格中标出相关单元格"' if pos else ""
            ids = "、".join(f.cells)
            labels = [CELLS[report.format][c].full_label for c in f.cells[:_MAX_CELLS_LISTED] if c in CELLS[report.format]]
            more = f" 等 {len(f.cells)} 个单元格" if len(f.cells) > len(labels) and labels else ""
            cells = f'<div class="xxgk-cells">涉及：{html.escape("；".join(labels) + more)}</div>' if labels else ""
            detail = (f'<details><summary>详细信息</summary>规则 {html.escape(f.rule)}'
                      f'{"；单元格编号：" + html.escape(ids) if ids else ""}</details>')
            verdict = ""
            if f.verdict is not None:
                why = f"：{f.verdict.reason}" if f.verdict.reason else ""
                verdict = (f'<div class="xxgk-verdict">〔{html.escape(f.verdict.label + why)}；'
                           f"{html.escape(f.verdict.by)}，{html.escape(local_time(f.verdict.at, '%m-%d %H:%M'))}〕</div>")
            cls = f"xxgk-{f.severity}" + (" xxgk-dismissed" if f.dismissed else "")
            parts.append(
                f'<li class="{cls}"{attrs}><b>{SEVERITY_LABEL[f.severity]}</b>：'
                f"{html.escape(f.plain_message(report.format))}{cells}{verdict}{detail}</li>"
            )
        parts.append("</ol>")
    parts.append("</div>")
    return "".join(parts)


def _all_blank(report: Report) -> bool:
    return all(v is None for v in flatten_cells(report)[0].values())


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


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def as_text(text: str) -> str:
    """Model or user text for a Markdown view, shown as typed: no HTML, no image or link syntax (a
    ``![](https://…)`` in a reply must never make the clerk's browser fetch anything)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def marked_markdown(text: str) -> str:
    """Draft text for the chat, as text, with the guard's 【待核实…】 marks highlighted so they stand out."""
    # <mark>, not **…**: Markdown emphasis does not open between a Chinese character and 【.
    return _MARK.sub(lambda m: f"<mark>{m.group(0)}</mark>", as_text(text))


def guard_markdown(findings: list[Finding], notice: str | None, backend_label: str) -> str:
    """Under the reply: which numbers could not be traced, each quoted with its sentence."""
    lines = [f"**起草方式**：{backend_label}"]
    if notice:
        # The drafter's notice also serves the CLI, which names its flag; the page has no flags.
        lines.append(f"**说明**：{notice.replace('（已指定 --offline）', '')}")
    if not findings:
        lines.append("【通过】数字核对通过：稿中数字均可在要点或统计表中找到。")
        return "\n\n".join(lines)
    lines.append(f"【注意】**数字核对发现 {len(findings)} 处问题**（已在稿中标注【待核实】）：")
    for f in findings:
        number = f"**{f.actual}**" if f.actual is not None else ""
        expected = f"（表中为 {f.expected}）" if f.expected is not None else ""
        quote = f"——“{as_text(f.quote)}”" if f.quote else ""
        lines.append(f"- {f.rule} 数字 {number}{expected}：{f.message}{quote}")
    return "\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]) if len(lines) > 2 else "\n\n".join(lines)


def changes_markdown(action: str, changes: list[Any], shown: int = 40) -> str:
    """What a bulk action changed, cell by cell (official labels, from → to), for the status line."""
    if not changes:
        return f"{action}：没有需要改动的单元格。"
    lines = [f"- {c.label}：{cell_or_blank(c.before)} → {cell_or_blank(c.after)}" for c in changes[:shown]]
    more = f"\n- ……另有 {len(changes) - shown} 处" if len(changes) > shown else ""
    return f"{action}：已改动 {len(changes)} 个单元格（可点击“撤销”恢复）。\n" + "\n".join(lines) + more


def view_only_note(why: str | None) -> str:
    """What an area says instead of its editing tools to a reviewer, or while the report is 待审核."""
    return f"**只能查看**：{why}" if why else ""


def backend_label(settings: Any, forced_offline: bool = False) -> str:
    """The drafting backend as the page names it: the model's name, never its address or a command flag."""
    if forced_offline:
        return "离线起草（本服务启动时设为只用离线起草）"
    if settings.offline:
        return "离线起草"
    if not settings.base_url:
        return "离线起草（未配置模型）"
    return f"模型 {settings.model}"


def diff_html(old: str, new: str, old_title: str, new_title: str) -> str:
    """Two versions side by side, sentence by sentence: removed sentences red on the left, added green on
    the right, unchanged ones plain on both sides."""
    from ..drafting.compare import sentence_rows

    rows = [(r.before, r.before_class, r.after, r.after_class) for r in sentence_rows(old, new)]
    if all(lc == rc == "" for _, lc, _, rc in rows):
        return '<p class="xxgk-same">两个版本内容相同。</p>'
    cells = "".join(
        f'<tr><td class="{lc}">{html.escape(x)}</td><td class="{rc}">{html.escape(y)}</td></tr>'
        for x, lc, y, rc in rows
    )
    return (f'<table class="xxgk-diff"><thead><tr><th>{html.escape(old_title)}</th><th>{html.escape(new_title)}</th>'
            f"</tr></thead><tbody>{cells}</tbody></table>")
