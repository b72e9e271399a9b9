"""审核: share with colleagues, decide on findings, comment, submit / return / approve, last year side by side,
history. A thin shell over ``drafting.review`` (through the workspace)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..errors import AssistantError
from ..fsio import public_message
from .context import UPLOAD_TYPES_REPORT, AppContext
from .reviewviews import (
    comment_targets,
    comments_html,
    finding_by_anchor,
    finding_choices,
    history_html,
    last_year_html,
    open_comment_choices,
    shares_markdown,
    since_approval_html,
    status_markdown,
)
from .tab_stats import read_last_year
from .workspace import Workspace

DECISIONS = [("确认需修改", "confirmed"), ("不属于问题（须写明理由）", "dismissed"), ("已修改", "fixed")]
SHARE_ROLES = [("审核", "reviewer"), ("编辑", "editor")]


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    """Lay out the area; returns its refresh function and outputs."""
    status = gr.Markdown("", elem_id="review_status")
    message = gr.Markdown("", elem_id="review_message")
    with gr.Row():
        submit_btn = gr.Button("提交审核", elem_id="review_submit", variant="primary", scale=0, min_width=120)
        approve_btn = gr.Button("审核通过", elem_id="review_approve", variant="primary", scale=0, min_width=120)
        back_text = gr.Textbox(label="退回意见（退回时必填）", elem_id="review_back_text", scale=3)
        back_btn = gr.Button("退回修改", elem_id="review_back", variant="stop", scale=0, min_width=120)
    with gr.Accordion("共享给同事", open=False, elem_id="share_box") as share_box:
        with gr.Row():
            share_name = gr.Textbox(label="同事的用户名", elem_id="share_name", scale=2)
            share_role = gr.Dropdown(SHARE_ROLES, value="reviewer", label="角色", elem_id="share_role", scale=1)
            share_btn = gr.Button("共享", elem_id="share_submit", scale=0, min_width=80)
            unshare_btn = gr.Button("取消共享", elem_id="share_remove", scale=0, min_width=100)
        shares = gr.Markdown("", elem_id="share_list")
    gr.Markdown("### 校验问题的裁定\n选择一个问题，标记“确认需修改”“不属于问题”（须写明理由）或“已修改”。"
                "裁定随报告保存，重新校验后仍然有效；所涉数字改变后裁定自动失效并提示。")
    with gr.Row():
        finding = gr.Dropdown([], label="问题", elem_id="verdict_finding", scale=4)
        decision = gr.Dropdown(DECISIONS, value="confirmed", label="裁定", elem_id="verdict_decision", scale=1)
    with gr.Row():
        reason = gr.Textbox(label="理由", placeholder="例如：本年度无此类申请", elem_id="verdict_reason", scale=4)
        decide_btn = gr.Button("保存裁定", elem_id="verdict_save", scale=0, min_width=100)
    gr.Markdown("### 意见")
    with gr.Row():
        target = gr.Dropdown([], label="位置", elem_id="comment_target", scale=2, filterable=True)
        comment_text = gr.Textbox(label="意见内容", elem_id="comment_text", scale=4)
        comment_btn = gr.Button("提出意见", elem_id="comment_submit", scale=0, min_width=100)
    with gr.Row():
        reply_to = gr.Dropdown([], label="待处理的意见", elem_id="comment_open", scale=2)
        reply_text = gr.Textbox(label="答复", elem_id="reply_text", scale=4)
        reply_btn = gr.Button("答复", elem_id="reply_submit", scale=0, min_width=80)
        resolve_btn = gr.Button("标记已解决", elem_id="comment_resolve", scale=0, min_width=110)
    comments = gr.HTML("", elem_id="comment_list")
    with gr.Accordion("自上次审核通过以来的改动", open=True, elem_id="since_box"):
        since = gr.HTML("", elem_id="since_approval")
    with gr.Accordion("与上年度对照", open=False, elem_id="lastyear_box"):
        attach = gr.UploadButton("附加上年度报告（用于对照和跨年度核对）", file_types=list(UPLOAD_TYPES_REPORT),
                                 elem_id="attach_previous", size="sm")
        last_year = gr.HTML("", elem_id="last_year")
    with gr.Accordion("操作记录", open=True, elem_id="history_box"):
        history = gr.HTML("", elem_id="review_history")
    # The buttons a person may use on this report (the others are hidden, and refused if called anyway).
    controls = [submit_btn, approve_btn, back_text, back_btn, share_box, attach]
    outputs = [status, shares, finding, target, reply_to, comments, since, last_year, history, *controls, message]

    def view(space: Workspace, note: Any) -> list[Any]:
        review = space.review()
        report = space.report()
        result = space.check(report)
        choices = finding_choices(result, report.format)
        openers = open_comment_choices(review)
        return [status_markdown(review), shares_markdown(review),
                gr.update(choices=choices, value=choices[0][1] if choices else None),
                gr.update(choices=comment_targets(report), value="report"),
                gr.update(choices=openers, value=openers[0][1] if openers else None),
                comments_html(review), since_approval_html(review), last_year_html(review, report),
                history_html(review), gr.update(visible=review.can_edit), gr.update(visible=review.can_review),
                gr.update(visible=review.can_review), gr.update(visible=review.can_review),
                gr.update(visible=review.role == "owner"), gr.update(visible=review.can_edit), note]

    def refresh(ws_id: str, request: gr.Request) -> list[Any]:
        return view(ctx.space(ws_id, request.username), "")

    def run(action: Any, ws_id: str, values: tuple[Any, ...], request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            note = action(space, *values)
        except (AssistantError, ValueError) as exc:
            return [*([gr.update()] * (len(outputs) - 1)), f"**未完成**：{exc}"]
        return view(space, note)

    def handler(action: Any, arity: int) -> Any:
        # Gradio passes the request only to a parameter annotated gr.Request, so each arity has its own handler.
        if arity == 0:
            def h0(ws_id: str, request: gr.Request) -> list[Any]:
                return run(action, ws_id, (), request)
            return h0
        if arity == 1:
            def h1(ws_id: str, a: Any, request: gr.Request) -> list[Any]:
                return run(action, ws_id, (a,), request)
            return h1
        if arity == 2:
            def h2(ws_id: str, a: Any, b: Any, request: gr.Request) -> list[Any]:
                return run(action, ws_id, (a, b), request)
            return h2

        def h3(ws_id: str, a: Any, b: Any, c: Any, request: gr.Request) -> list[Any]:
            return run(action, ws_id, (a, b, c), request)
        return h3

    def do_attach(space: Workspace, file: Any) -> str:
        path = file if isinstance(file, str) else getattr(file, "name", str(file))
        try:
            last = read_last_year(path)
        except (AssistantError, ValueError, OSError) as exc:
            raise ValueError(f"未能读取上年度报告：{public_message(exc, path)}") from None
        return space.attach_previous(last)

    def do_submit(space: Workspace) -> str:
        space.review().submit()
        return "已提交审核。审核人处理之前，报告内容不能修改。"

    def do_approve(space: Workspace) -> str:
        approval = space.review().approve()
        return f"已审核通过（第 {approval.number} 次）。此后导出的文件会在属性中注明审核通过的版本、审核人和时间。"

    def do_back(space: Workspace, text: str) -> str:
        space.review().send_back(text)
        return "已退回修改，意见已记录。"

    def do_share(space: Workspace, name: str, role: str) -> str:
        share = space.review().share(name, role)
        return f"已共享给 {share.name}（{share.role_label}）。对方登录后可在“我的报告”中打开。"

    def do_unshare(space: Workspace, name: str) -> str:
        space.review().unshare(name)
        return f"已取消与 {name} 的共享。"

    def do_decide(space: Workspace, anchor: str, decision: str, why: str) -> str:
        found = finding_by_anchor(space.check(), anchor or "")
        if found is None:
            return "**未完成**：这个问题已不存在（可能已修改），请重新选择。"
        verdict = space.review().decide(found, decision, why)
        return f"已保存裁定：{verdict.label()}。"

    def do_comment(space: Workspace, where: str, text: str) -> str:
        space.review().comment(where or "report", text)
        return "已提出意见。"

    def do_reply(space: Workspace, comment_id: Any, text: str) -> str:
        if comment_id in (None, ""):
            return "**未完成**：请先选择一条待处理的意见。"
        space.review().comment("report", text, parent=int(comment_id))
        return "已答复。"

    def do_resolve(space: Workspace, comment_id: Any) -> str:
        if comment_id in (None, ""):
            return "**未完成**：请先选择一条待处理的意见。"
        space.review().resolve(int(comment_id))
        return "已标记为已解决。"

    events = [
        submit_btn.click(handler(do_submit, 0), [ws], outputs),
        approve_btn.click(handler(do_approve, 0), [ws], outputs),
        back_btn.click(handler(do_back, 1), [ws, back_text], outputs),
        share_btn.click(handler(do_share, 2), [ws, share_name, share_role], outputs),
        unshare_btn.click(handler(do_unshare, 1), [ws, share_name], outputs),
        decide_btn.click(handler(do_decide, 3), [ws, finding, decision, reason], outputs),
        comment_btn.click(handler(do_comment, 2), [ws, target, comment_text], outputs),
        reply_btn.click(handler(do_reply, 2), [ws, reply_to, reply_text], outputs),
        resolve_btn.click(handler(do_resolve, 1), [ws, reply_to], outputs),
        attach.upload(handler(do_attach, 1), [ws, attach], outputs),
    ]
    return {"refresh": refresh, "outputs": outputs, "events": events}
