"""设置: the model backend (base URL, model; the key only from the environment), offline switch, connection test."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..drafting.settings import RemoteModelForbiddenError
from .context import AppContext
from .views import backend_label
from .workspace import Workspace

OK_MARK = "【成功】"


def connection_test(space: Workspace, timeout: float = 5.0, overrides: dict[str, Any] | None = None) -> str:
    """Ask the configured endpoint (``overrides``: the page's unsaved fields) for its model list; a Chinese
    verdict (never the key)."""
    settings = space.drafting_settings()
    if overrides:
        from ..drafting import load_settings

        saved = {k: v for k, v in space.settings_data().items() if v is not None}
        settings = load_settings(**{**saved, **{k: v for k, v in overrides.items() if v not in (None, "")}})
    if settings.offline:
        return "当前为离线起草，不需要连接模型服务。"
    if not settings.base_url:
        return "尚未填写模型服务地址（Base URL），目前使用离线起草。"
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


def test_and_save(space: Workspace, url: str | None, name: str | None, off: bool) -> str:
    """测试连接 with the page's fields; they are saved only when the test succeeds."""
    url = (url or "").strip()
    verdict = connection_test(space, overrides={"base_url": url or None, "model": (name or "").strip() or None,
                                                "offline": bool(off)})
    if verdict.startswith(OK_MARK):
        space.save_settings(url, name, off)
        return verdict + "已保存这些设置。"
    return verdict + "\n\n设置未保存（仍使用原来的设置）。"


def describe(space: Workspace, ctx: AppContext) -> str:
    settings = space.drafting_settings(ctx.config.offline)
    return f"当前起草方式：{backend_label(settings, ctx.config.offline)}\n\n{ctx.key_status()}"


def build(ctx: AppContext, ws: gr.BrowserState) -> dict[str, Any]:
    gr.Markdown("配置起草所用的模型服务（任何 OpenAI 兼容接口）。API 密钥只从环境变量 OPENAI_API_KEY 读取，不在页面中显示或保存。")
    base_url = gr.Textbox(label="模型服务地址（Base URL）", placeholder="例如 http://127.0.0.1:8000/v1", elem_id="base_url")
    model = gr.Textbox(label="模型名称", placeholder="例如 qwen2.5-7b-instruct", elem_id="model_name")
    offline = gr.Checkbox(label="离线起草（不调用模型，按模板由要点和统计表生成）", elem_id="offline")
    with gr.Row():
        save = gr.Button("保存设置", elem_id="save_settings", variant="primary")
        test = gr.Button("测试连接", elem_id="test_connection")
    status = gr.Markdown("", elem_id="settings_status")

    def refresh(ws_id: str, request: gr.Request) -> list[Any]:
        space = ctx.space(ws_id, request.username)
        settings = space.drafting_settings()
        return [settings.base_url or "", settings.model, settings.offline or ctx.config.offline, describe(space, ctx)]

    def on_save(url: str, name: str, off: bool, ws_id: str, request: gr.Request) -> str:
        space = ctx.space(ws_id, request.username)
        url = (url or "").strip()
        if url and not url.startswith(("http://", "https://")):
            return "【失败】模型服务地址应以 http:// 或 https:// 开头。"
        space.save_settings(url, name, off)
        return "已保存。" + describe(space, ctx)

    def on_test(url: str, name: str, off: bool, ws_id: str, request: gr.Request) -> str:
        return test_and_save(ctx.space(ws_id, request.username), url, name, off)

    save.click(on_save, [base_url, model, offline, ws], status)
    test.click(on_test, [base_url, model, offline, ws], status)
    return {"refresh": refresh, "outputs": [base_url, model, offline, status]}
