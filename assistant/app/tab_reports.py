"""我的报告: the clerk's reports (open, new blank / from last year / from the workbook, rename, duplicate,
delete with confirmation and undo, the 示例) and the open report's information (metadata)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..drafting.accounts import Accounts
from ..drafting.library import ReportEntry
from ..drafting.review import ROLE_LABELS, STATE_LABELS
from ..errors import AssistantError
from ..schema import ReportInputError
from ..schema.labels import BODY_TYPE_LABELS
from ..schema.text import removal_notice
from .confirm import CANCELLED, confirm_box, confirm_js, confirmed
from .context import UPLOAD_TYPES_REPORT, UPLOAD_TYPES_WORKBOOK, AppContext
from .workspace import Workspace

BODY_CHOICES = [(label, key) for key, label in BODY_TYPE_LABELS.items()]
FORMAT_CHOICES = [("2021年版（国办公开办函〔2021〕30号）", "2021"), ("2019年版（试行）", "2019")]
_CONTACT = ("address", "postcode", "phone", "email")


def _shared_label(space: Workspace, entry: ReportEntry) -> str:
    if not entry.shared_with_me:
        return ""
    return f"（{Accounts(space.store).name_of(entry.owner)}共享 · {ROLE_LABELS[entry.role]}）"


def report_choices(space: Workspace) -> list[tuple[str, str]]:
    return [(("【示例】" if e.is_sample else "") + e.name + _shared_label(space, e)
             + (f"【{STATE_LABELS[e.review_state]}】" if e.review_state != "editing" else ""), e.id)
            for e in space.library.entries()]


def current_line(space: Workspace) -> str:
    entry = space.entry()
    report = space.report()
    kind = "（示例报告，仅供参考，可随意修改）" if entry.is_sample else _shared_label(space, entry)
    return f"**当前报告**：{entry.name}{kind} —— {report.default_title}"


def _cleaned(fields: tuple[Any, ...]) -> str:
    """The notice for control characters the report's fields dropped from what the clerk typed (or "")."""
    return removal_notice(*(f for f in fields if isinstance(f, str)))


def metadata_values(space: Workspace) -> list[Any]:
    """(agency, body type, year, format, address, postcode, phone, email) of the open report."""
    report = space.report()
    contact = report.contact.model_dump() if report.contact else {}
    return [report.agency, report.body_type, report.year, report.format, *(contact.get(k) or "" for k in _CONTACT)]


def metadata_from(agency: str, body: str | None, year: Any, fmt: str, *contact: str) -> dict[str, Any]:
    """The page's metadata fields as report data; a clear Chinese error for a missing or bad field."""
    agency = " ".join((agency or "").split())
    if not agency:
        raise ValueError("请填写“机关名称”（例如：青山县白云镇人民政府）。")
    try:
        year_int = int(year)
    except (TypeError, ValueError):
        raise ValueError("“统计年度”应为四位年份，例如 2025。") from None
    if not 2007 <= year_int <= 2100:
        raise ValueError(f"“统计年度”应在 2007 至 2100 之间，实际填写 {year_int}。")
    values = {k: (v or "").strip() or None for k, v in zip(_CONTACT, contact, strict=True)}
    return {"agency": agency, "body_type": body or None, "year": year_int, "format": fmt or "2021",
            "contact": values if any(values.values()) else None}


def _meta_fields(prefix: str) -> list[Any]:
    """Agency, body type, year, format and the contact fields, with ids ``<prefix>_agency`` …"""
    with gr.Row():
        agency = gr.Textbox(label="机关名称", placeholder="例如：青山县白云镇人民政府", elem_id=f"{prefix}_agency", scale=3)
        body = gr.Dropdown(BODY_CHOICES, value=None, label="机关类型", elem_id=f"{prefix}_body", scale=2)
        year = gr.Number(label="统计年度", precision=0, elem_id=f"{prefix}_year", scale=1)
        fmt = gr.Dropdown(FORMAT_CHOICES, value="2021", label="格式", elem_id=f"{prefix}_format", scale=2)
    with gr.Row():
        address = gr.Textbox(label="联系地址", elem_id=f"{prefix}_address", scale=3)
        postcode = gr.Textbox(label="邮编", elem_id=f"{prefix}_postcode", scale=1)
        phone = gr.Textbox(label="联系电话", elem_id=f"{prefix}_phone", scale=2)
        email = gr.Textbox(label="电子邮箱", elem_id=f"{prefix}_email", scale=2)
    return [agency, body, year, fmt, address, postcode, phone, email]


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    """Lay out the area; returns the events after which every other area shows the open report."""
    gr.Markdown("每份年报单独保存。可新建空白报告、根据上年度已发布的报告或填好的统计表新建，也可随时打开示例报告参考。")
    with gr.Row():
        choice = gr.Dropdown([], label="我的报告", elem_id="report_list", scale=3)
        open_btn = gr.Button("打开", elem_id="open_report", variant="primary", scale=0, min_width=80)
        sample_btn = gr.Button("打开示例报告", elem_id="load_sample", scale=0, min_width=120)
    with gr.Row():
        new_name = gr.Textbox(label="新名称", elem_id="rename_text", scale=3)
        rename_btn = gr.Button("重命名", elem_id="rename_report", scale=0, min_width=80)
        copy_btn = gr.Button("复制", elem_id="duplicate_report", scale=0, min_width=80)
        delete_btn = gr.Button("删除", elem_id="delete_report", variant="stop", scale=0, min_width=80)
        restore_btn = gr.Button("撤销删除", elem_id="restore_report", scale=0, min_width=100)
    with gr.Accordion("新建报告", open=True, elem_id="new_panel"):
        gr.Markdown("填写本机关的信息后新建空白报告；也可以直接上传上年度已发布的报告或填好的统计表新建。")
        new_fields = _meta_fields("new")
        with gr.Row():
            new_btn = gr.Button("新建空白报告", elem_id="new_report", variant="primary")
            from_last = gr.UploadButton("根据上年度报告新建", file_types=list(UPLOAD_TYPES_REPORT), elem_id="import_last_year")
            from_wb = gr.UploadButton("根据统计表新建", file_types=list(UPLOAD_TYPES_WORKBOOK), elem_id="new_from_xlsx")
    with gr.Accordion("当前报告的信息（可随时修改；标题、文件名和按机关类型的校验随之变化）", open=False,
                      elem_id="meta_panel"):
        meta_fields = _meta_fields("meta")
        save_meta = gr.Button("保存报告信息", elem_id="save_metadata", variant="primary")
    status = gr.Markdown("", elem_id="reports_status")
    current = gr.Markdown("", elem_id="current_report")
    sure = confirm_box()
    outputs = [choice, current, *meta_fields, status]

    def view(space: Workspace, message: Any) -> list[Any]:
        return [gr.update(choices=report_choices(space), value=space.id), current_line(space),
                *metadata_values(space), message]

    def refresh(ws_id: str, request: gr.Request) -> list[Any]:
        return view(ctx.space(ws_id, request.username), gr.update())  # keeps the page's last message

    def run(action: Any, ws_id: str, values: tuple[Any, ...], request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            message = action(space, *values)
        except (AssistantError, ValueError) as exc:
            return [gr.update(), gr.update(), *([gr.update()] * len(meta_fields)), f"**未完成**：{exc}"]
        return view(space, message)

    # Gradio passes the request only to a parameter annotated gr.Request, so each arity has its own handler.
    def guarded(action: Any) -> Any:
        def handler(ws_id: str, request: gr.Request) -> list[Any]:
            return run(action, ws_id, (), request)

        return handler

    def guarded1(action: Any) -> Any:
        def handler(ws_id: str, value: Any, request: gr.Request) -> list[Any]:
            return run(action, ws_id, (value,), request)

        return handler

    def guarded_meta(action: Any) -> Any:
        def handler(ws_id: str, a: Any, b: Any, c: Any, d: Any, e: Any, f: Any, g: Any, h: Any,
                    request: gr.Request) -> list[Any]:
            return run(action, ws_id, (a, b, c, d, e, f, g, h), request)

        return handler

    def do_open(space: Workspace, rid: str) -> str:
        if not rid:
            raise ValueError("请先在“我的报告”中选择一份报告。")
        return f"已打开“{space.switch(rid).name}”。"

    def do_sample(space: Workspace) -> str:
        space.load_sample()
        return "已打开示例报告（单独保存，不影响您的其他报告）。"

    def do_rename(space: Workspace, name: str) -> str:
        return f"已重命名为“{space.library.rename(space.id, name).name}”。"

    def do_copy(space: Workspace) -> str:
        entry = space.library.duplicate(space.id)
        space.switch(entry.id)
        return f"已复制为“{entry.name}”并打开。"

    def do_delete(space: Workspace, ok: bool) -> str:
        if not confirmed(ok):
            return CANCELLED
        entry = space.library.delete(space.id)
        rest = space.library.entries()
        if rest:
            space.switch(rest[0].id)
        else:
            space.load_sample()
        return f"已删除“{entry.name}”。如属误删，请点击“撤销删除”。"

    def do_restore(space: Workspace) -> str:
        deleted = space.library.entries(deleted=True)
        if not deleted:
            raise ValueError("没有可以恢复的已删除报告。")
        latest = max(deleted, key=lambda e: e.deleted_at or "")
        space.library.restore(latest.id)
        space.switch(latest.id)
        return f"已恢复“{latest.name}”。"

    def do_new(space: Workspace, *fields: Any) -> str:
        try:
            entry = space.create_blank(metadata_from(*fields))
        except ReportInputError as exc:
            raise ValueError(str(exc)) from None
        return f"已新建“{entry.name}”：三张统计表均为空白，请在“统计数据”中填写。{_cleaned(fields)}"

    def do_save_meta(space: Workspace, *fields: Any) -> str:
        space.set_metadata(metadata_from(*fields))
        return f"已保存报告信息（可在“统计数据”中点击“撤销”恢复）。{_cleaned(fields)}"

    def do_upload(kind: str) -> Any:
        def action(space: Workspace, file: Any) -> str:
            from .tab_stats import import_file

            path = file if isinstance(file, str) else getattr(file, "name", str(file))
            if kind == "report":
                return import_file(space, path, "report")[1]
            from ..api import read_workbook_isolated

            imported = read_workbook_isolated(path)  # a bounded child process (shared server)
            entry = space.create_from(imported)
            return f"已根据统计表新建“{entry.name}”。"

        return action

    events = [
        open_btn.click(guarded1(do_open), [ws, choice], outputs),
        sample_btn.click(guarded(do_sample), [ws], outputs),
        rename_btn.click(guarded1(do_rename), [ws, new_name], outputs),
        copy_btn.click(guarded(do_copy), [ws], outputs),
        delete_btn.click(guarded1(do_delete), [ws, sure], outputs,
                         js=confirm_js("确定删除当前报告吗？删除后可点击“撤销删除”恢复。")),
        restore_btn.click(guarded(do_restore), [ws], outputs),
        new_btn.click(guarded_meta(do_new), [ws, *new_fields], outputs),
        save_meta.click(guarded_meta(do_save_meta), [ws, *meta_fields], outputs),
        from_last.upload(guarded1(do_upload("report")), [ws, from_last], outputs, api_name="import_last_year"),
        from_wb.upload(guarded1(do_upload("workbook")), [ws, from_wb], outputs, api_name="import_workbook"),
    ]
    return {"refresh": refresh, "outputs": outputs, "events": events, "status": status}
