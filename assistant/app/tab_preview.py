"""预览与导出: the report as it will be published; DOCX / HTML / Markdown downloads, blocked while errors remain."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr

from ..api import ExportBlocked, export_report, render_html
from ..errors import AssistantError
from ..fsio import WriteFailedError, reason_of, safe_file_stem
from .confirm import CANCELLED, confirm_box, confirm_js, confirmed
from .context import AppContext
from .readiness import Reason, export_reasons, marked_for_forced_export, reasons_markdown
from .workspace import Workspace

FORMATS = {"docx": ".docx", "html": ".html", "md": ".md"}


def preview_html(space: Workspace) -> tuple[str, str]:
    """(status markdown, preview iframe). A report with errors is previewed marked 「校验未通过」."""
    report = space.report()
    result = space.check(report)
    page = render_html(report, force=True, verdicts=space.review().verdicts())
    frame = (f'<iframe class="xxgk-preview" title="报告预览" sandbox="" style="width:100%;height:900px;border:1px solid #ddd;'
             f'background:#fff" srcdoc="{html.escape(page, quote=True)}"></iframe>')
    reasons = export_reasons(report, result)
    status = f"【通过】校验通过（{result.warnings} 个警告），可以导出。" if not reasons else reasons_markdown(reasons)
    return status, frame


class ExportRefused(AssistantError):
    """The report is not ready to publish; ``reasons`` say what and where."""

    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__(reasons_markdown(reasons))
        self.reasons = reasons


def export_file(space: Workspace, fmt: str, force: bool = False) -> Path:
    """Write the report in ``fmt`` into this workspace's own export dir.

    Refused (``ExportRefused``) while any reason of ``export_reasons`` remains, unless ``force``: the file
    is then marked 「校验未通过」 where the checks failed and 【待补充】 where a part is unwritten.
    """
    report = space.report()
    review = space.review()
    reasons = export_reasons(report, space.check(report))
    if reasons and not force:
        raise ExportRefused(reasons)
    # The file names an approval in its properties only when it is exactly the approved state.
    approval = None if force else review.export_approval()
    if force:
        report = marked_for_forced_export(report)
    stem = safe_file_stem(f"{report.agency or '本机关'}{report.year}年政府信息公开工作年度报告")  # long names cut
    return export_report(report, space.export_dir() / (stem + FORMATS[fmt]), force=force,
                         verdicts=review.verdicts(), approval=approval)


def blocked_message(exc: ExportBlocked) -> str:
    """Why an export was refused, for the page (the CLI's message speaks of --force)."""
    errors = [f for f in exc.result.findings if f.severity == "error"]
    lines = "\n".join(f"- {f.rule}：{f.message}" for f in errors[:10])
    more = f"\n- …… 另有 {len(errors) - 10} 个错误" if len(errors) > 10 else ""
    return (f"【不能导出】**报告校验未通过（{len(errors)} 个错误），已拒绝导出。**"
            f"请先在“统计数据”中修正以下问题（可用“自动计算合计”）：\n\n{lines}{more}")


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    gr.Markdown("以下是报告发布后的样子。校验存在错误时不能导出，并会列出原因。")
    with gr.Row():
        refresh_btn = gr.Button("刷新预览", elem_id="refresh_preview", size="sm")
        docx_btn = gr.Button("导出 Word（DOCX）", elem_id="export_docx", variant="primary", size="sm")
        html_btn = gr.Button("导出网页（HTML）", elem_id="export_html", size="sm")
        md_btn = gr.Button("导出 Markdown", elem_id="export_md", size="sm")
        force_btn = gr.Button("仍然导出（标注未通过校验）", elem_id="export_force", variant="stop", size="sm")
    status = gr.Markdown("", elem_id="export_status")
    out_file = gr.File(label="下载文件", elem_id="export_file", interactive=False, visible=False)
    preview = gr.HTML(elem_id="preview")

    def on_refresh(ws_id: str, request: gr.Request) -> list[str]:
        return list(preview_html(ctx.space(ws_id, request.username)))

    def on_export(fmt: str, force: bool = False) -> Any:
        def handler(ws_id: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> list[Any]:  # noqa: B008
            space = ctx.space(ws_id, request.username)
            progress(0.1, desc="正在校验并生成文件……")
            try:
                path = export_file(space, fmt, force)
            except ExportRefused as exc:
                gr.Warning("报告还有问题，已拒绝导出。", duration=5, title="提示")
                return [gr.update(value=None, visible=False), str(exc)]
            except ExportBlocked as exc:
                gr.Warning("报告校验未通过，已拒绝导出。", duration=5, title="提示")
                return [gr.update(value=None, visible=False), blocked_message(exc)]
            except OSError as exc:  # full disk etc.: the reason and the file name only, never the server's folder
                reason = exc.reason if isinstance(exc, WriteFailedError) else reason_of(exc)
                return [gr.update(value=None, visible=False), f"【导出失败】无法生成文件：{reason}。请稍后重试或联系管理员。"]
            note = "（已按要求强制导出，文件中标注了未通过校验之处）" if force else ""
            return [gr.update(value=str(path), visible=True), f"【完成】已生成 {path.name}{note}，请点击下方链接下载。"]

        return handler

    refresh_btn.click(on_refresh, [ws], [status, preview])
    for fmt, btn in (("docx", docx_btn), ("html", html_btn), ("md", md_btn)):
        btn.click(on_export(fmt), [ws], [out_file, status])
    sure = confirm_box()
    forced = on_export("docx", force=True)

    def on_force(ws_id: str, ok: bool, request: gr.Request) -> list[Any]:
        return forced(ws_id, request) if confirmed(ok) else [gr.update(), CANCELLED]

    force_btn.click(on_force, [ws, sure], [out_file, status],
                    js=confirm_js("报告还有未通过校验的问题。确定仍然导出吗？导出的文件会标注未通过校验之处。"))
    return {"refresh": on_refresh, "outputs": [status, preview]}
