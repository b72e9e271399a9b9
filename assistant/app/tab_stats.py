"""统计数据: the three tables as editable grids (typing and pasting like a spreadsheet), live findings,
自动计算合计, 空白填 0, undo and redo of every bulk action, workbook import and the blank workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr

from ..checks import CheckResult
from ..drafting import PARTS, StaleReportError
from ..drafting.edits import cell_changes
from ..errors import AssistantError
from ..fsio import public_message
from ..schema import Report, ReportInputError, set_cells
from ..schema.document import flatten_cells
from ..schema.labels import CELLS
from .context import UPLOAD_TYPES_REPORT, UPLOAD_TYPES_WORKBOOK, AppContext
from .grids import TABLES, GridInputError, layout, read_grid, read_paste
from .views import changes_markdown, findings_html, grid_frame, view_only_note
from .workspace import Workspace

GRID_IDS = {t: f"grid_{t}" for t in TABLES}
# The long row labels of table 三 would otherwise squeeze the seven number columns.
_WIDTHS: dict[str, list[str | int]] = {"applications": ["13%", "30%", *(["8.1%"] * 7)]}


def stats_outputs(report: Report, result: CheckResult) -> list[Any]:
    """Values for (three grids, findings panel)."""
    return [*(grid_frame(report, t, result) for t in TABLES), findings_html(result, report)]


def edit_table(space: Workspace, table: str, rows: list[list[Any]],
               shown: dict[str, Any] | None = None) -> tuple[Report, CheckResult, str | None]:
    """Apply an edited grid as cell-level changes, checks re-run. Returns (report, result, error message).

    ``shown`` holds the cell values the page last displayed: only cells the clerk changed from those are
    written, and a cell changed elsewhere meanwhile makes the page reload instead of overwriting it.
    """
    report = space.report()
    try:
        if shown:
            base = set_cells(report, {c: v for c, v in shown.items() if c in CELLS[report.format]})
            changed = read_grid(base, table, rows)
            report = space.set_cells(changed, expected={c: shown.get(c) for c in changed})
        else:
            changed = read_grid(report, table, rows)
            report = space.set_cells(changed)
    except GridInputError as exc:
        return report, space.check(report), str(exc)
    except StaleReportError as exc:
        return space.report(), space.check(), str(exc)
    except ReportInputError as exc:
        return report, space.check(report), str(exc)
    except AssistantError as exc:  # submitted for review (locked), or a reviewer: nothing was written
        return space.report(), space.check(), str(exc)
    return report, space.check(report), None


def paste_block(space: Workspace, payload: str) -> tuple[Report, str]:
    """Apply a block pasted from Excel/WPS (JSON from the page: table, row, col, text) as one undoable step."""
    try:
        data = json.loads(payload or "{}")
        table, row, col, text = data["table"], int(data["row"]), int(data["col"]), str(data["text"])
    except (ValueError, KeyError, TypeError):
        return space.report(), "未能识别粘贴的内容，请重新复制后再粘贴。"
    if table not in TABLES:
        return space.report(), "请先点选要粘贴到的表格单元格。"
    report = space.report()
    try:
        values = read_paste(report, table, row, col, text)
        if not values:
            return report, "粘贴位置没有可填写的单元格（请点选数字单元格后再粘贴）。"
        before = report
        report = space.set_cells(values, undo_label="粘贴")
    except (GridInputError, AssistantError) as exc:
        return report, f"**粘贴未生效**：{exc}"
    return report, changes_markdown("粘贴", cell_changes(before, report))


def _rows(frame: Any) -> list[list[Any]]:
    if hasattr(frame, "values"):
        return [list(r) for r in frame.values.tolist()]
    if isinstance(frame, dict):
        return [list(r) for r in frame.get("data", [])]
    return [list(r) for r in frame or []]


def read_last_year(path: str) -> Report:
    """Last year's report from a file: our own document (.yaml/.json) or a published report, parsed in a
    bounded child process (its own time and memory budget)."""
    from ..api import load_report_file, parse_file_isolated

    suffix = Path(path).suffix.lower()
    if suffix not in UPLOAD_TYPES_REPORT:
        raise ValueError(f"不支持的文件类型“{suffix or '无扩展名'}”；请上传 {' / '.join(UPLOAD_TYPES_REPORT)} 文件。")
    return load_report_file(path) if suffix in (".yaml", ".yml", ".json") else parse_file_isolated(path).report


def import_file(space: Workspace, path: str, kind: str, metadata: bool = False) -> tuple[Report, str]:
    """Import statistics from a filled workbook into the open report (tables only; with ``metadata`` also
    the report information), or make a new report for next year from last year's published report."""
    from ..api import next_year, read_workbook_isolated

    suffix = Path(path).suffix.lower()
    allowed = UPLOAD_TYPES_WORKBOOK if kind == "workbook" else UPLOAD_TYPES_REPORT
    if suffix not in allowed:
        raise ValueError(f"不支持的文件类型“{suffix or '无扩展名'}”；请上传 {' / '.join(allowed)} 文件。")
    if kind == "workbook":
        imported = read_workbook_isolated(path)  # a bounded child process, like a published report
        report = space.import_tables(imported, metadata=metadata)
        also = "和报告信息" if metadata else ""
        return report, (f"已从 Excel 统计表导入 {imported.year} 年度的统计数据{also}（只替换统计表，已写的正文和要点不变；"
                        "可点击“撤销”恢复导入前的数据）。")
    last = read_last_year(path)
    reference: dict[str, str] = {p: text for p in PARTS if (text := getattr(last.narrative, p, None))}
    entry = space.create_from(next_year(last), reference=reference, previous=last)
    report = space.report()
    return report, (f"已根据 {last.year} 年度报告新建“{entry.name}”：“上年结转”已按上年“结转下年度继续办理”填入，"
                    "其余数字请逐项填写；上年正文仅作参考，不作为本年要点。原有报告不受影响。")


def template_file(space: Workspace) -> Path:
    """A blank statistics workbook of the open report's format, in the owner's export dir."""
    from ..api import write_template

    report = space.report()
    return write_template(space.export_dir() / f"统计表模板（{report.format}年版格式）.xlsx", report.format)


# Why table 四 is three rows here: a grid has one header row, the official table a two-level header over one row.
TABLE4_NOTE = ("官方表四为一行十五格：行政复议（结果维持、结果纠正、其他结果、尚未审结、总计）与行政诉讼的"
               "“未经复议直接起诉”“复议后起诉”各五格。此处按类别分三行填写，数字与官方各格一一对应；"
               "预览和导出的文件按官方格式排为一行。")

FILL_SCOPES = [("全部表格", "all"), ("表二 主动公开", "active_disclosure"), ("表三 依申请公开", "applications"),
               ("表四 复议诉讼", "review_litigation")]


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    """Lay out the area; returns its components for the other areas and for loading."""
    gr.Markdown("按官方表格逐格填写：点选单元格直接输入数字，或从 Excel / WPS 复制一块数字后点选起始单元格粘贴。"
                "右侧立即显示校验结果；空白表示未填写（不是 0），可用“空白填 0”一次补齐。")
    readonly = gr.Markdown("", visible=False, elem_id="stats_readonly")
    with gr.Column(elem_id="stats_tools") as tools:  # hidden from a reviewer and while the report is 待审核
        with gr.Row():
            fill_btn = gr.Button("自动计算合计", elem_id="fill_totals", variant="primary", size="sm")
            scope = gr.Dropdown(FILL_SCOPES, value="all", label="填 0 的范围", show_label=False, elem_id="zero_scope", scale=0, min_width=160,
                                container=False)
            zero_btn = gr.Button("空白填 0", elem_id="fill_zeros", size="sm")
            undo_btn = gr.Button("撤销", elem_id="undo", size="sm")
            redo_btn = gr.Button("重做", elem_id="redo", size="sm")
        with gr.Row():
            upload_wb = gr.UploadButton("从 Excel 统计表导入", file_types=list(UPLOAD_TYPES_WORKBOOK), elem_id="import_xlsx", size="sm")
            with_meta = gr.Checkbox(False, label="同时导入报告信息（机关名称、年度等）", elem_id="import_with_meta", container=False)
            template_btn = gr.Button("下载空白统计表", elem_id="download_template", size="sm")
            template_file_c = gr.File(label="空白统计表", elem_id="template_file", interactive=False, visible=False)
    status = gr.Markdown("", elem_id="stats_status")
    rev = gr.State({})  # the cell values this page shows (what an edit is compared against)
    with gr.Group(elem_classes=["xxgk-hidden"]):
        paste_payload = gr.Textbox(label="粘贴内容", elem_id="paste_payload", show_label=False, container=False)
        paste_apply = gr.Button("粘贴", elem_id="paste_apply")
    grids: dict[str, gr.Dataframe] = {}
    with gr.Row():
        with gr.Column(scale=5):
            for t in TABLES:
                grid = layout("2021", t)
                grids[t] = gr.Dataframe(
                    label=grid.title,
                    headers=list(grid.headers),
                    datatype="str",
                    interactive=True,
                    elem_id=GRID_IDS[t],
                    static_columns=list(range(grid.label_columns)),
                    wrap=True,
                    max_height=4000,
                    column_widths=_WIDTHS.get(t),
                )
                if t == "review_litigation":  # the grid has one header row; the official table has three
                    gr.Markdown(TABLE4_NOTE, elem_id="table4_note", elem_classes=["xxgk-note"])
        with gr.Column(scale=2, min_width=300, elem_classes=["xxgk-sticky"]):
            gr.Markdown("#### 校验结果")
            findings = gr.HTML(elem_id="findings")
    outputs: list[Any] = [*grids.values(), findings]
    area_outputs: list[Any] = [*outputs, rev, tools, readonly]  # what ``view`` returns, in this order

    def view(space: Workspace, report: Report | None = None) -> list[Any]:
        report = report if report is not None else space.report()
        why = space.review().refusal()  # a reviewer, or 待审核: the editing tools are hidden, the reason shown
        return [*stats_outputs(report, space.check(report)), flatten_cells(report)[0], gr.update(visible=why is None),
                gr.update(visible=why is not None, value=view_only_note(why))]

    def refresh(ws_id: str, request: gr.Request) -> list[Any]:
        return view(ctx.space(ws_id, request.username))

    def on_edit(table: str) -> Any:
        def handler(frame: Any, ws_id: str, seen: dict[str, Any], request: gr.Request) -> list[Any]:
            space = ctx.space(ws_id, request.username)
            report, _result, error = edit_table(space, table, _rows(frame), seen or None)
            if error and "刷新页面" in error:
                report = space.report()  # show the newer values at once
            if error:
                gr.Warning(error.splitlines()[1].strip(" -") if "\n" in error else error, duration=8, title="提示")
            return [*view(space, report), error or "已自动保存。"]

        return handler

    for t, grid_c in grids.items():
        grid_c.input(on_edit(t), [grid_c, ws, rev], [*area_outputs, status], show_progress="hidden",
                     concurrency_limit=8)

    def on_fill(ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            report, changes = space.fill_totals()
        except AssistantError as exc:  # locked for review, or a reviewer
            return [*view(space), f"**未完成**：{exc}"]
        return [*view(space, report), changes_markdown("自动计算合计", changes)]

    def on_zeros(ws_id: str, which: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            report, filled = space.fill_zeros(None if which in (None, "all") else which)
        except AssistantError as exc:
            return [*view(space), f"**未完成**：{exc}"]
        return [*view(space, report), changes_markdown("空白填 0", filled)]

    def on_step(redo: bool) -> Any:
        def handler(ws_id: str, request: gr.Request) -> list[Any]:
            space = ctx.space(ws_id, request.username)
            before = space.report()
            try:
                report, label = space.redo() if redo else space.undo()
            except AssistantError as exc:  # nothing to undo, or locked for review
                return [*view(space), str(exc)]
            verb = "已重做" if redo else "已撤销"
            return [*view(space, report), changes_markdown(f"{verb}“{label}”", cell_changes(before, report))]

        return handler

    def on_paste(payload: str, ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        report, message = paste_block(space, payload)
        return [*view(space, report), message]

    def on_upload(file: Any, ws_id: str, metadata: bool, request: gr.Request,
                  progress: gr.Progress = gr.Progress()) -> list[Any]:  # noqa: B008
        space = ctx.space(ws_id, request.username)
        progress(0.2, desc="正在读取文件……")
        path = file if isinstance(file, str) else getattr(file, "name", str(file))
        try:
            report, message = import_file(space, path, "workbook", metadata=bool(metadata))
        except (AssistantError, ValueError, OSError) as exc:
            gr.Warning("导入失败，请查看页面上的说明。", duration=5, title="提示")
            return [*view(space), f"**导入失败**：{public_message(exc, path)}"]  # no server folder on the page
        progress(0.9, desc="正在校验……")
        return [*view(space, report), message]

    def on_template(ws_id: str, request: gr.Request) -> Any:
        return gr.update(value=str(template_file(ctx.space(ws_id, request.username))), visible=True)

    fill_btn.click(on_fill, [ws], [*area_outputs, status])
    zero_btn.click(on_zeros, [ws, scope], [*area_outputs, status])
    undo_btn.click(on_step(False), [ws], [*area_outputs, status])
    redo_btn.click(on_step(True), [ws], [*area_outputs, status])
    paste_apply.click(on_paste, [paste_payload, ws], [*area_outputs, status], show_progress="hidden")
    upload_wb.upload(on_upload, [upload_wb, ws, with_meta], [*area_outputs, status])
    with_meta.select(lambda v: "导入时将同时替换机关名称、年度、机关类型和联系方式（可撤销）。" if v else "", with_meta, status)
    template_btn.click(on_template, [ws], template_file_c)
    return {"outputs": area_outputs, "status": status, "refresh": refresh}
