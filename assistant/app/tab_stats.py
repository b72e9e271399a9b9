"""统计数据: the three tables as editable grids, live findings, 自动计算合计, imports, the sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from ..checks import CheckResult
from ..fsio import public_message
from ..schema import Report, ReportInputError
from .context import UPLOAD_TYPES_REPORT, UPLOAD_TYPES_WORKBOOK, AppContext
from .grids import TABLES, GridInputError, layout, read_grid
from .views import findings_html, grid_frame
from .workspace import Workspace

GRID_IDS = {t: f"grid_{t}" for t in TABLES}
# The long row labels of table 三 would otherwise squeeze the seven number columns.
_WIDTHS: dict[str, list[str | int]] = {"applications": ["13%", "30%", *(["8.1%"] * 7)]}


def stats_outputs(report: Report, result: CheckResult) -> list[Any]:
    """Values for (three grids, findings panel)."""
    return [*(grid_frame(report, t, result) for t in TABLES), findings_html(result, report)]


def edit_table(space: Workspace, table: str, rows: list[list[Any]]) -> tuple[Report, CheckResult, str | None]:
    """Apply an edited grid: changed cells saved, checks re-run. Returns (report, result, error message)."""
    report = space.report()
    try:
        changed = read_grid(report, table, rows)
    except GridInputError as exc:
        return report, space.check(report), str(exc)
    try:
        report = space.set_cells(changed)
    except ReportInputError as exc:
        return report, space.check(report), str(exc)
    return report, space.check(report), None


def _rows(frame: Any) -> list[list[Any]]:
    if hasattr(frame, "values"):
        return [list(r) for r in frame.values.tolist()]
    if isinstance(frame, dict):
        return [list(r) for r in frame.get("data", [])]
    return [list(r) for r in frame or []]


def import_file(space: Workspace, path: str, kind: str) -> tuple[Report, str]:
    """Import statistics from a filled workbook, or next year's document from last year's published report."""
    from ..api import load_report_file, next_year, parse_file_isolated, read_workbook_isolated

    suffix = Path(path).suffix.lower()
    allowed = UPLOAD_TYPES_WORKBOOK if kind == "workbook" else UPLOAD_TYPES_REPORT
    if suffix not in allowed:
        raise ValueError(f"不支持的文件类型“{suffix or '无扩展名'}”；请上传 {' / '.join(allowed)} 文件。")
    if kind == "workbook":
        imported = read_workbook_isolated(path)  # bounded child process, like a published report
        return space.save_report(imported), f"已从 Excel 统计表导入 {imported.year} 年度的统计数据。"
    # a published report is parsed in a child process with its own time and memory budget (shared server)
    last = load_report_file(path) if suffix in (".yaml", ".yml", ".json") else parse_file_isolated(path).report
    report = space.save_report(next_year(last))
    return report, (f"已根据 {last.year} 年度报告生成 {report.year} 年度报告：“上年结转”已按上年“结转下年度继续办理”填入，"
                    "其余数字请逐项填写。")


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    """Lay out the area; returns its components for the other areas and for loading."""
    gr.Markdown("按官方表格逐格填写；数字改动后右侧立即显示校验结果，有问题的单元格以颜色标出。空白表示未填写（不是 0）。")
    with gr.Row():
        sample_btn = gr.Button("载入样例报告", elem_id="load_sample", size="sm")
        fill_btn = gr.Button("自动计算合计", elem_id="fill_totals", variant="primary", size="sm")
        upload_wb = gr.UploadButton("从 Excel 统计表导入", file_types=list(UPLOAD_TYPES_WORKBOOK), elem_id="import_xlsx", size="sm")
        upload_rep = gr.UploadButton("从上年度报告导入", file_types=list(UPLOAD_TYPES_REPORT), elem_id="import_last_year", size="sm")
    status = gr.Markdown("", elem_id="stats_status")
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
                    max_height=1400,
                    column_widths=_WIDTHS.get(t),
                )
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("#### 校验结果")
            findings = gr.HTML(elem_id="findings")
    outputs: list[Any] = [*grids.values(), findings]

    def on_edit(table: str) -> Any:
        def handler(frame: Any, ws_id: str, request: gr.Request) -> list[Any]:
            space = ctx.space(ws_id, request.username)
            report, result, error = edit_table(space, table, _rows(frame))
            if error:
                gr.Warning(error.splitlines()[1].strip(" -") if "\n" in error else error, duration=8, title="提示")
            return [*stats_outputs(report, result), error or "已自动保存。"]

        return handler

    for t, grid_c in grids.items():
        grid_c.input(on_edit(t), [grid_c, ws], [*outputs, status], show_progress="hidden", concurrency_limit=8)

    def on_fill(ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        report = space.fill_totals()
        return [*stats_outputs(report, space.check(report)), "已按表内勾稽关系自动计算合计并保存。"]

    def on_sample(ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        report = space.load_sample()
        return [*stats_outputs(report, space.check(report)), "已载入样例报告（统计数据和起草要点）。"]

    def on_upload(kind: str) -> Any:
        def handler(file: Any, ws_id: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> list[Any]:  # noqa: B008
            space = ctx.space(ws_id, request.username)
            progress(0.2, desc="正在读取文件……")
            path = file if isinstance(file, str) else getattr(file, "name", str(file))
            try:
                report, message = import_file(space, path, kind)
            except (ValueError, OSError) as exc:
                gr.Warning("导入失败，请查看页面上的说明。", duration=5, title="提示")
                report = space.report()
                return [*stats_outputs(report, space.check(report)), f"**导入失败**：{public_message(exc, path)}"]
            progress(0.9, desc="正在校验……")
            return [*stats_outputs(report, space.check(report)), message]

        return handler

    fill_btn.click(on_fill, [ws], [*outputs, status])
    sample_btn.click(on_sample, [ws], [*outputs, status])
    upload_wb.upload(on_upload("workbook"), [upload_wb, ws], [*outputs, status])
    upload_rep.upload(on_upload("report"), [upload_rep, ws], [*outputs, status])
    return {"outputs": outputs, "status": status}
