"""设置: the model backend (address, model, a key typed on the page or the environment's), offline switch,
connection test. A typed key is kept on the server for its address only and never sent back to a page."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..drafting.settings import RemoteModelForbiddenError
from .confirm import CANCELLED, confirm_box, confirm_js, confirmed
from .context import AppContext
from .views import backend_label
from .workspace import FIRST_TEXT_WAIT_RANGE, Workspace, check_settings

OK_MARK = "【成功】"


def connection_test(space: Workspace, timeout: float = 5.0, overrides: dict[str, Any] | None = None,
                    page_key: str | None = None) -> str:
    """Ask the configured endpoint (``overrides``: the page's unsaved fields; ``page_key``: a key typed but
    not saved) for its model list; a Chinese verdict (never the key)."""
    settings = space.drafting_settings(page_key=page_key, overrides=overrides)
    if settings.offline:
        return "当前为离线起草，不需要连接模型服务。"
    if not settings.base_url:
        return "尚未填写模型服务地址，目前使用离线起草。"
    from ..drafting.errors import classify, model_failures
    from ..drafting.model import list_models  # the one model factory's path: allow-list, key policy, transport

    try:
        models = list_models(settings, timeout)
    except RemoteModelForbiddenError as exc:
        return f"【失败】{exc}"
    except Exception as exc:  # any failure is reported, never raised into the UI
        if isinstance(exc, model_failures()):
            return f"【失败】连接失败：{classify(exc, settings.key_withheld).reason}"
        return f"【失败】连接失败：{settings.redact(type(exc).__name__ + '：' + str(exc))[:300]}"
    listed = "已提供" if settings.model in models else "未在服务的模型列表中（仍可尝试起草）"
    return f"{OK_MARK}连接成功：服务 {settings.base_url} 可用，共 {len(models)} 个模型；所选模型 {settings.model} {listed}。"


def test_and_save(space: Workspace, url: str | None, name: str | None, off: bool, key: str | None = None,
                  wait: float | None = None) -> str:
    """测试连接 with the page's fields (and a key typed there); they are saved only when the test succeeds."""
    url = (url or "").strip()
    check_settings(url, key, wait)  # before testing: nothing is sent for settings that could not be kept
    verdict = connection_test(space, overrides={"base_url": url or None, "model": (name or "").strip() or None,
                                                "offline": bool(off)}, page_key=key)
    if verdict.startswith(OK_MARK):
        space.save_settings(url, name, off, key if url else None, wait)
        return verdict + ("已保存这些设置和密钥（密钥不再显示）。" if (key or "").strip() and url else "已保存这些设置。")
    return verdict + "\n\n设置未保存（仍使用原来的设置）。"


def describe(space: Workspace, ctx: AppContext) -> str:
    settings = space.drafting_settings(ctx.config.offline)
    wait = (f"\n\n起草时最多等待模型 {settings.first_text_timeout:g} 秒开始输出，超过即停止等待并改用离线起草。"
            if settings.backend_configured else "")
    return f"当前起草方式：{backend_label(settings, ctx.config.offline)}{wait}\n\n{space.key_status()}"


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    gr.Markdown("配置起草所用的模型服务（兼容通用对话接口的服务均可）。密钥可在此填写：保存在服务器上，只发往保存时的"
                "服务地址，保存后不再显示；也可由管理员在服务器的环境变量中配置。")
    base_url = gr.Textbox(label="模型服务地址", placeholder="例如 http://127.0.0.1:8000/v1", elem_id="base_url")
    model = gr.Textbox(label="模型名称", placeholder="例如 qwen2.5-7b-instruct", elem_id="model_name")
    api_key = gr.Textbox(label="API 密钥（可不填）", type="password", placeholder="粘贴密钥；测试连接成功或保存后不再显示",
                         elem_id="api_key")
    wait = gr.Number(label="等待模型开始输出的最长时间（秒；超过即改用离线起草）", value=30, minimum=FIRST_TEXT_WAIT_RANGE[0],
                     maximum=FIRST_TEXT_WAIT_RANGE[1], precision=0, elem_id="first_text_wait")
    offline = gr.Checkbox(label="离线起草（不调用模型，按模板由要点和统计表生成）", elem_id="offline")
    with gr.Row():
        save = gr.Button("保存设置", elem_id="save_settings", variant="primary")
        test = gr.Button("测试连接", elem_id="test_connection")
        forget = gr.Button("清除保存的密钥", elem_id="forget_key", variant="secondary")
    status = gr.Markdown("", elem_id="settings_status")
    asked = confirm_box()

    def refresh(ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        settings = space.drafting_settings()
        return [settings.base_url or "", settings.model, "", settings.first_text_timeout,
                settings.offline or ctx.config.offline, describe(space, ctx)]

    def on_save(url: str, name: str, key: str, seconds: Any, off: bool, ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            space.save_settings(url, name, off, key, _seconds(seconds))
        except ValueError as exc:
            return [gr.update(), f"【失败】{exc}"]
        return ["", "已保存。" + describe(space, ctx)]

    def on_test(url: str, name: str, key: str, seconds: Any, off: bool, ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        try:
            verdict = test_and_save(space, url, name, off, key, _seconds(seconds))
        except ValueError as exc:
            return [gr.update(), f"【失败】{exc}"]
        return ["" if verdict.startswith(OK_MARK) else gr.update(), verdict]

    def on_forget(ws_id: str, ok: bool, request: gr.Request) -> str:
        if not confirmed(ok):
            return CANCELLED
        space = ctx.space(ws_id, request.username)
        done = space.key_file().clear()
        return ("已清除保存的密钥。" if done else "没有保存的密钥。") + describe(space, ctx)

    save.click(on_save, [base_url, model, api_key, wait, offline, ws], [api_key, status])
    test.click(on_test, [base_url, model, api_key, wait, offline, ws], [api_key, status])
    forget.click(on_forget, [ws, asked], status, js=confirm_js("清除在页面保存的 API 密钥吗？清除后需重新填写密钥才能调用需要密钥的模型服务。"))
    return {"refresh": refresh, "outputs": [base_url, model, api_key, wait, offline, status]}


def _seconds(value: Any) -> float | None:
    """The page's number field: ``None`` when left empty."""
    return None if value in (None, "") else float(value)
