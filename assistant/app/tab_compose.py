"""撰写: a drafting chat per narrative part, with the guard's findings, versions, diff and accept."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from typing import Any, cast

import gradio as gr

from ..drafting import BACKEND_LABELS, PARTS, StoreError
from ..drafting.session import OFFLINE_REWRITE_LIMIT, STOPPED
from ..errors import AssistantError
from ..schema.text import removal_notice
from ..timefmt import local_time
from .context import AppContext
from .views import as_text, backend_label, diff_html, guard_markdown, marked_markdown, view_only_note
from .workspace import Workspace, part_title

PART_CHOICES = [(part_title(p), p) for p in PARTS]
NOTES_KIND, INSTRUCTION_KIND = "notes", "instruction"
STOPPED_NOTE = "\n\n（已停止生成）"
_INSTRUCTION_PREFIX = "重写要求："


def display(chat: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The stored transcript as Chatbot messages."""
    out = []
    for m in chat:
        content = m["content"]
        if m["role"] == "assistant":
            content = marked_markdown(content)
        elif m.get("kind") == INSTRUCTION_KIND:  # the clerk's own text: shown (and edited) as typed
            content = _INSTRUCTION_PREFIX + content
        out.append({"role": m["role"], "content": content})
    return out


def version_choices(space: Workspace, part: str) -> list[tuple[str, int]]:
    labels = {"accepted": "（已采纳）", "interrupted": "（已中断）", "draft": ""}
    return [
        (f"第 {i} 版 · {local_time(v.created_at)} · {BACKEND_LABELS.get(v.backend, v.backend)}{labels[v.status]}", v.id)
        for i, v in enumerate(space.store.list_versions(space.id, part), 1)
    ]


def _snapshot(chat: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Each yield is a state of its own: the reply dict keeps growing after it is yielded.
    return [dict(m) for m in chat]


def draft_stream(
    ctx: AppContext, space: Workspace, part: str, kind: str, text: str, chat: list[dict[str, Any]]
) -> Iterator[tuple[list[dict[str, Any]], str]]:
    """Run one drafting turn through the drafting session: append the user's turn, stream the reply.

    Yields (transcript, guard markdown); the session stores the version, the transcript is saved at the end.
    """
    why = space.review().refusal()  # a reviewer, or 待审核: no draft is made
    if why is not None:
        yield _snapshot(chat), why
        return
    chat = [*chat, {"role": "user", "content": text, "kind": kind}]
    if kind == NOTES_KIND:
        space.save_notes(part, text)
    instruction = text if kind == INSTRUCTION_KIND else None
    session = space.session(ctx.config.offline)
    reply: dict[str, Any] = {"role": "assistant", "content": ""}
    chat.append(reply)
    status = f"正在起草（{backend_label(session.settings, ctx.config.offline)}）"
    started = time.monotonic()

    def waiting() -> str:
        return f"{status}……已用 {time.monotonic() - started:.0f} 秒"

    stop = ctx.stop_flag(space.id)
    stop.clear()
    yield _snapshot(chat), waiting()
    events = session.stream(part, instruction, stop)
    try:
        for event in events:
            if event.type == "delta":
                reply["content"] += event.text
                yield _snapshot(chat), waiting()
            elif event.type == "status":
                status = event.text
                if status == STOPPED:  # said below together with the marked reply, never before it
                    continue
                if status == OFFLINE_REWRITE_LIMIT:
                    reply["content"] = status
                yield _snapshot(chat), status
            elif event.result is not None:
                result = event.result
                limited = session.last_version is None and result.notice == OFFLINE_REWRITE_LIMIT
                reply["content"] = OFFLINE_REWRITE_LIMIT if limited else result.text
                if session.last_version is not None:
                    reply["version"] = session.last_version.id
                    number = ordinal(space, part, session.last_version.id)
                    space.review().record("起草正文", f"{part_title(part)} 第 {number} 版（{BACKEND_LABELS[result.backend]}）")
                events.close()
                guard = guard_markdown(result.findings, result.notice, BACKEND_LABELS[result.backend])
                try:
                    space.save_chat(part, chat)
                except StoreError as exc:
                    session.last_error = session.last_error or exc
                if session.last_error is not None:  # the text stays on the page until it can be saved
                    guard = f"**未能保存**：{session.last_error}请把稿件复制到下方“正文”框，稍后点击“保存修改为新版本”。\n\n{guard}"
                yield _snapshot(chat), guard
                return
        # stopped: the session kept what was written as an interrupted version
        if session.last_version is not None:
            reply["version"] = session.last_version.id
        reply["content"] += STOPPED_NOTE
        space.save_chat(part, chat)
        yield _snapshot(chat), status if status.startswith("已停止") else waiting()
    except GeneratorExit:  # the browser went away mid-draft
        events.close()
        reply["content"] += STOPPED_NOTE
        space.save_chat(part, chat)
        raise


def drafting_events_limit(draft_concurrency: int) -> int:
    """How many drafting events (model or offline) may run at once on the server."""
    return max(16, 4 * draft_concurrency)


def ordinal(space: Workspace, part: str, version_id: int) -> int:
    """A version's number as every list on the page shows it: 第 n 版 of its part."""
    ids = [v.id for v in space.store.list_versions(space.id, part)]
    return ids.index(version_id) + 1 if version_id in ids else 0


def accept_version(space: Workspace, part: str, version_id: int | None) -> str:
    """Accept a version (default: the latest) into the report; returns a Chinese message."""
    version = space.session().accept(part, version_id)
    number = ordinal(space, part, version.id)
    space.review().record("采纳正文", f"{part_title(part)} 第 {number} 版")
    note = "（稿中仍有【待核实】标注，请核对后修改）" if "【待核实" in version.text else ""
    return f"已将第 {number} 版采纳为“{part_title(part)}”正文并保存{note}。"


def notes_choices(space: Workspace, part: str) -> list[tuple[str, int]]:
    """The part's saved notes, newest first, numbered like the drafts."""
    versions = space.store.notes_versions(space.id, part)
    return [(f"第 {i} 版 · {local_time(v.created_at)} · {v.text.strip()[:20]}", v.id)
            for i, v in reversed(list(enumerate(versions, 1)))]


def reference_markdown(space: Workspace, part: str) -> str:
    """Last year's text of the part (as text), when the report was made from last year's report."""
    text = space.reference(part)
    return as_text(text) if text else "（本报告不是根据上年度报告新建的，没有可参考的上年正文。）"


def current_text(space: Workspace, part: str) -> str:
    """The text a clerk edits: the latest version, else the report's narrative of the part."""
    latest = space.store.latest(space.id, part)
    return latest.text if latest is not None else (getattr(space.report().narrative, part, None) or "")


def save_edit(space: Workspace, part: str, text: str) -> tuple[str, int]:
    """A hand edit of the part's text as a new version (人工修改), guarded and checked; (message, id)."""
    version = space.session().edit(part, text)
    space.review().record("人工修改正文", part_title(part))
    found = "；".join(f.message for f in version.findings[:3])
    more = f"，请核对：{found}" if found else "，数字核对通过"
    return (f"已将修改保存为第 {ordinal(space, part, version.id)} 版（人工修改）{more}。采纳后进入正文。"
            f"{removal_notice(text)}", version.id)


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    gr.Markdown("选择正文部分，粘贴要点（或使用已保存的要点）即可起草；可按指令重写、比较版本，满意后采纳为正文。")
    part = gr.Radio(PART_CHOICES, value="overview", label="正文部分", elem_id="part")
    with gr.Row():
        with gr.Column(scale=2, min_width=300):
            notes = gr.Textbox(label="已保存的要点（修改后自动保存）", lines=16, max_lines=30, elem_id="notes")
            use_notes = gr.Button("按已保存的要点起草", elem_id="draft_notes", variant="primary")
            with gr.Accordion("要点的历史版本", open=False, elem_id="notes_history_panel"):
                notes_ver = gr.Dropdown(label="选择一版要点", choices=[], elem_id="notes_version")
                restore_notes = gr.Button("恢复这一版要点", elem_id="restore_notes", size="sm")
            with gr.Accordion("上年正文（仅供参考，不作为本年要点）", open=False, elem_id="reference_panel"):
                reference = gr.Markdown("", elem_id="reference")
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="起草对话", editable="user", elem_id="chat", height=460,
                                 placeholder="在下方粘贴要点并发送，稿件会逐字显示在这里。", feedback_options=None)
            guard = gr.Markdown("", elem_id="guard")
            with gr.Row():
                chat_input = gr.Textbox(label="要点", placeholder="粘贴要点，每行一条（以“-”开头）……", show_label=False, lines=3,
                                        elem_id="chat_input", scale=4)
                send = gr.Button("发送要点并起草", elem_id="send", variant="primary", scale=1)
            with gr.Row():
                instruction = gr.Textbox(label="重写要求", placeholder="重写要求，例如：更简洁；补充培训情况", show_label=False,
                                         elem_id="instruction", scale=4)
                regen = gr.Button("按要求重写", elem_id="regenerate", scale=1)
            with gr.Row():
                stop = gr.Button("停止生成", elem_id="stop", variant="stop")
                accept = gr.Button("采纳最新稿为正文", elem_id="accept", variant="primary")
            edit_text = gr.Textbox(label="正文（可直接修改；保存后成为新版本，经数字核对后可采纳）", lines=8,
                                   max_lines=30, elem_id="part_text")
            save_edit_btn = gr.Button("保存修改为新版本", elem_id="save_edit")
    compose_status = gr.Markdown("", elem_id="compose_status")
    compose_readonly = gr.Markdown("", visible=False, elem_id="compose_readonly")
    with gr.Accordion("版本历史与对比", open=False, elem_id="versions_panel"):
        with gr.Row():
            ver_a = gr.Dropdown(label="版本甲", choices=[], elem_id="version_a")
            ver_b = gr.Dropdown(label="版本乙", choices=[], elem_id="version_b")
        with gr.Row():
            diff_btn = gr.Button("比较两个版本", elem_id="diff_btn")
            accept_sel = gr.Button("采纳版本乙", elem_id="accept_selected")
        diff = gr.HTML(elem_id="diff")

    def refresh(ws_id: str, part_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        choices = version_choices(space, part_id)
        a = choices[-2][1] if len(choices) > 1 else None
        b = choices[-1][1] if choices else None
        notes_upd, text_upd, *controls = access(space)
        return [{**notes_upd, "value": space.notes(part_id)}, display(space.chat(part_id)), "",
                gr.update(choices=choices, value=a), gr.update(choices=choices, value=b),
                {**text_upd, "value": current_text(space, part_id)},
                gr.update(choices=notes_choices(space, part_id), value=None), reference_markdown(space, part_id),
                *controls]

    def access(space: Workspace) -> list[Any]:
        """Updates for ``access_outputs``: a reviewer, or a report 待审核, gets no drafting or editing
        controls and the reason instead."""
        why = space.review().refusal()
        editable = why is None
        return [gr.update(interactive=editable), gr.update(interactive=editable),
                gr.update(visible=not editable, value=view_only_note(why)),
                *(gr.update(visible=editable) for _ in editing)]

    def refresh_access(ws_id: str, request: gr.Request) -> list[Any]:
        return access(ctx.space(ws_id, request.username))

    # Hidden from a reviewer and while the report is 待审核 (the handlers refuse them too).
    editing = [use_notes, restore_notes, send, chat_input, regen, instruction, accept, save_edit_btn, accept_sel]
    access_outputs = [notes, edit_text, compose_readonly, *editing]
    view_outputs = [notes, chatbot, guard, ver_a, ver_b, edit_text, notes_ver, reference, *access_outputs[2:]]
    part.change(refresh, [ws, part], view_outputs)

    def save_notes(text: str, ws_id: str, part_id: str, request: gr.Request) -> None:
        try:
            ctx.space(ws_id, request.username).save_notes(part_id, text)
        except AssistantError as exc:  # a reviewer's notes are not kept: say so instead of failing silently
            gr.Warning(str(exc), duration=6, title="提示")

    # .change, not .input: Gradio 6's Textbox did not deliver .input for typed text here; saving the
    # value a refresh has just loaded is harmless (same part, same text).
    notes.change(save_notes, [notes, ws, part], None, show_progress="hidden", trigger_mode="always_last")

    def on_restore_notes(ws_id: str, part_id: str, version_id: Any, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        chosen = next((v for v in space.store.notes_versions(space.id, part_id) if v.id == version_id), None)
        if chosen is None:
            return [gr.update(), "请先选择一版要点。", gr.update()]
        space.save_notes(part_id, chosen.text)  # restoring is itself a new version: nothing is lost
        return [chosen.text, "已恢复所选的一版要点（恢复前的要点仍在历史版本中）。",
                gr.update(choices=notes_choices(space, part_id), value=None)]

    restore_notes.click(on_restore_notes, [ws, part, notes_ver], [notes, compose_status, notes_ver])

    def turn(kind: str, source: str) -> Any:
        def handler(text: str, ws_id: str, part_id: str, request: gr.Request) -> Iterator[list[Any]]:
            space = ctx.space(ws_id, request.username)
            text = (text or "").strip()
            if source == "notes" and not text:
                text = space.notes(part_id).strip()
            if not text:
                gr.Warning("请先输入要点或重写要求。", duration=5, title="提示")
                yield [display(space.chat(part_id)), gr.update(), gr.update()]
                return
            for last, guard_md in draft_stream(ctx, space, part_id, kind, text, space.chat(part_id)):
                yield [display(last), guard_md, ""]

        return handler

    def refresh_versions(ws_id: str, part_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        choices = version_choices(space, part_id)
        a = choices[-2][1] if len(choices) > 1 else None
        b = choices[-1][1] if choices else None
        return [gr.update(choices=choices, value=a), gr.update(choices=choices, value=b), space.notes(part_id),
                current_text(space, part_id)]

    # Model calls are bounded per endpoint by the drafter's gate (and the wait for the first text), not here:
    # this bound only caps the threads of drafting events, so an offline draft never queues behind model drafts.
    llm = {"concurrency_limit": drafting_events_limit(ctx.config.draft_concurrency), "concurrency_id": "drafting"}
    after = (refresh_versions, [ws, part], [ver_a, ver_b, notes, edit_text])
    ev_send = send.click(turn(NOTES_KIND, "input"), [chat_input, ws, part], [chatbot, guard, chat_input], **llm)  # type: ignore[arg-type]
    ev_notes = use_notes.click(turn(NOTES_KIND, "notes"), [notes, ws, part], [chatbot, guard, chat_input], **llm)  # type: ignore[arg-type]
    ev_regen = regen.click(turn(INSTRUCTION_KIND, "input"), [instruction, ws, part], [chatbot, guard, instruction], **llm)  # type: ignore[arg-type]
    for event in (ev_send, ev_notes, ev_regen):
        event.then(*after)

    def rerun(ws_id: str, part_id: str, index: int, new_text: str | None, request: gr.Request) -> Iterator[list[Any]]:
        space = ctx.space(ws_id, request.username)
        chat = space.chat(part_id)
        if index >= len(chat):
            yield [display(chat), gr.update()]
            return
        kind = chat[index].get("kind", NOTES_KIND)
        text = new_text if new_text is not None else chat[index]["content"]
        if kind == INSTRUCTION_KIND and text.startswith(_INSTRUCTION_PREFIX):
            text = text[len(_INSTRUCTION_PREFIX):]
        for last, guard_md in draft_stream(ctx, space, part_id, kind, text, chat[:index]):
            yield [display(last), guard_md]

    def on_retry(ws_id: str, part_id: str, data: gr.RetryData, request: gr.Request) -> Iterator[list[Any]]:
        yield from rerun(ws_id, part_id, cast(int, data.index), None, request)

    def on_edit(ws_id: str, part_id: str, data: gr.EditData, request: gr.Request) -> Iterator[list[Any]]:
        yield from rerun(ws_id, part_id, cast(int, data.index), str(data.value), request)

    def on_undo(ws_id: str, part_id: str, data: gr.UndoData, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        chat = space.chat(part_id)
        index = cast(int, data.index)
        text = chat[index]["content"] if index < len(chat) else ""
        space.save_chat(part_id, chat[:index])
        return [display(chat[:index]), text]

    ev_retry = chatbot.retry(on_retry, [ws, part], [chatbot, guard], **llm)  # type: ignore[arg-type]
    ev_edit = chatbot.edit(on_edit, [ws, part], [chatbot, guard], **llm)  # type: ignore[arg-type]
    for event in (ev_retry, ev_edit):
        event.then(*after)
    chatbot.undo(on_undo, [ws, part], [chatbot, chat_input])

    def on_stop(ws_id: str, request: gr.Request) -> str:
        # A flag the running draft checks at every streamed piece: Gradio's own cancel marks the chat
        # as failed ("Error") and loses the partial text.
        ctx.stop_flag(ctx.space(ws_id, request.username).id).set()
        return "已请求停止生成；已保存的要点和此前的各版本稿件不受影响。"

    stop.click(on_stop, [ws], compose_status, queue=False)

    def on_accept(ws_id: str, part_id: str, version_id: Any, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            message = accept_version(space, part_id, int(version_id) if version_id not in (None, "") else None)
        except AssistantError as exc:
            return [f"**未能采纳**：{exc}", gr.update(), gr.update()]
        choices = version_choices(space, part_id)
        return [message, gr.update(choices=choices), gr.update(choices=choices)]


    def on_accept_latest(ws_id: str, part_id: str, request: gr.Request) -> list[Any]:
        return on_accept(ws_id, part_id, None, request)

    ev_accept = accept.click(on_accept_latest, [ws, part], [compose_status, ver_a, ver_b])

    def on_save_edit(text: str, ws_id: str, part_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            message, _ = save_edit(space, part_id, text or "")
        except AssistantError as exc:
            return [f"**未能保存**：{exc}", gr.update(), gr.update()]
        choices = version_choices(space, part_id)
        return [message, gr.update(choices=choices, value=choices[-2][1] if len(choices) > 1 else None),
                gr.update(choices=choices, value=choices[-1][1])]

    save_edit_btn.click(on_save_edit, [edit_text, ws, part], [compose_status, ver_a, ver_b])
    ev_accept_sel = accept_sel.click(on_accept, [ws, part, ver_b], [compose_status, ver_a, ver_b])

    def on_diff(ws_id: str, part_id: str, a: Any, b: Any, request: gr.Request) -> str:
        space = ctx.space(ws_id, request.username)
        if a in (None, "") or b in (None, ""):
            return "请先在“版本甲”“版本乙”中各选一个版本。"
        try:
            session = space.session(editing=False)
            va, vb = session.version(int(a)), session.version(int(b))
        except AssistantError as exc:
            return f"<p>{html.escape(str(exc))}</p>"
        return diff_html(va.text, vb.text, f"第 {ordinal(space, part_id, va.id)} 版（版本甲）",
                         f"第 {ordinal(space, part_id, vb.id)} 版（版本乙）")

    diff_btn.click(on_diff, [ws, part, ver_a, ver_b], diff)
    # The narrative changed: the other areas' findings follow (one state everywhere).
    return {"part": part, "refresh": refresh, "outputs": view_outputs, "accepted": [ev_accept, ev_accept_sel],
            "refresh_access": refresh_access, "access_outputs": access_outputs}
