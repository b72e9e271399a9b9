"""The app's layout: four areas, a per-browser workspace id, and the load event that restores the work."""

from __future__ import annotations

import os
import warnings
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from . import tab_compose, tab_preview, tab_reports, tab_review, tab_settings, tab_stats
from .clientjs import PAGE_JS
from .context import AppContext

# Gradio warns that a Styler is shown unstyled when interactive, yet it still sends the cell styling
# (the flagged cells' colours) and the browser applies it.
warnings.filterwarnings("ignore", message="Cannot display Styler object in interactive mode")

TITLE = "政府信息公开工作年度报告起草助手"
CSS = """
.xxgk-findings ol { padding-left: 1.2em; }
.xxgk-findings li { margin: .35em 0; }
.xxgk-findings li.xxgk-error { color: #a8071a; }
.xxgk-findings li.xxgk-warning { color: #8a5a00; }
.xxgk-findings .xxgk-cells { font-size: .85em; color: #555; }
.xxgk-summary.ok { color: #237804; font-weight: 600; }
.xxgk-summary.bad { color: #a8071a; font-weight: 600; }
.xxgk-findings li[data-pos] { cursor: pointer; }
.xxgk-findings details { font-size: .85em; color: #555; }
.xxgk-hidden { display: none !important; }
.xxgk-findings li.xxgk-dismissed { color: #777; }
.xxgk-findings .xxgk-verdict { font-size: .85em; color: #0958d9; }
.xxgk-findings .xxgk-stale, .xxgk-review .xxgk-stale { color: #a8071a; font-size: .9em; }
.xxgk-review table { border-collapse: collapse; width: 100%; }
.xxgk-review th, .xxgk-review td { border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
.xxgk-review td.jump { background: #fff1b8; font-weight: 600; }
#xxgk-history td:first-child, #xxgk-history th:first-child { white-space: nowrap; }
.xxgk-review td.carried { background: #fde2e1; }
.xxgk-diff { width: 100%; border-collapse: collapse; table-layout: fixed; }
.xxgk-diff th, .xxgk-diff td { border: 1px solid #ddd; padding: .3em .5em; vertical-align: top; text-align: left; }
.xxgk-diff td.del, .xxgk-review td.del { background: #fde2e1; text-decoration: line-through; }
.xxgk-diff td.ins, .xxgk-review td.ins { background: #e3f6e0; }
.xxgk-sticky { position: sticky; top: 0; align-self: flex-start; max-height: 100vh; overflow-y: auto; }
.xxgk-note { font-size: 0.9em; color: #555; }
/* Gradio titles its toasts by their type in English; the page shows Chinese titles instead. */
.toast-title { font-size: 0 !important; visibility: hidden; }
.toast-title::after { font-size: var(--text-md); visibility: visible; }
.toast-title.warning::after { content: "提示"; }
.toast-title.info::after { content: "提示"; }
.toast-title.success::after { content: "完成"; }
.toast-title.error::after { content: "出错了"; }
.drop-hint, footer, .settings-button, button[aria-label="设置"], .record-button, .pwa-install { display: none !important; }
"""
STORAGE_KEY = "xxgk-workspace"


def build_app(ctx: AppContext) -> gr.Blocks:
    """Build the Blocks. Nothing user-specific lives at module level: each browser holds only its workspace id."""
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        ws = gr.BrowserState("", storage_key=STORAGE_KEY, secret=ctx.browser_secret())
        gr.Markdown(f"## {TITLE}\n按国办公开办函〔2021〕30号格式填写统计数据、起草正文、预览并导出。所有改动自动保存。")
        with gr.Tabs(elem_id="areas"):
            with gr.Tab("我的报告", id="reports", elem_id="tab_reports"):
                reports = tab_reports.build(ctx, ws)
            with gr.Tab("统计数据", id="stats", elem_id="tab_stats"):
                stats = tab_stats.build(ctx, ws)
            with gr.Tab("撰写", id="compose", elem_id="tab_compose") as compose_tab:
                compose = tab_compose.build(ctx, ws)
            with gr.Tab("预览与导出", id="preview", elem_id="tab_preview") as preview_tab:
                preview = tab_preview.build(ctx, ws)
            with gr.Tab("审核", id="review", elem_id="tab_review") as review_tab:
                review = tab_review.build(ctx, ws)
            with gr.Tab("设置", id="settings", elem_id="tab_settings"):
                settings = tab_settings.build(ctx, ws)
        ready = gr.Markdown("", elem_id="ready", visible=True)

        def on_load(ws_id: str, request: gr.Request) -> list[Any]:
            space, created = ctx.open(ws_id, getattr(request, "username", None))
            message = ("已为您新建工作区并打开示例报告；在“我的报告”中可新建自己的报告。" if created
                       else "已恢复您上次的工作。")
            return [space.browser_key, *stats["refresh"](space.browser_key, request), message, message]

        load = demo.load(on_load, [ws], [ws, *stats["outputs"], stats["status"], reports["status"]])
        load.then(compose["refresh"], [ws, compose["part"]], compose["outputs"]).then(
            settings["refresh"], [ws], settings["outputs"]
        ).then(reports["refresh"], [ws], reports["outputs"]).then(lambda: "就绪", None, ready)
        for event in compose["accepted"]:
            event.then(stats["refresh"], [ws], stats["outputs"])
        for event in reports["events"]:
            # Another report is open (or its information changed): every area shows it.
            event.then(stats["refresh"], [ws], stats["outputs"]).then(
                compose["refresh"], [ws, compose["part"]], compose["outputs"]
            ).then(preview["refresh"], [ws], preview["outputs"])
        for event in review["events"]:
            # A verdict or a state change: the findings and the report list follow (one state everywhere).
            event.then(stats["refresh"], [ws], stats["outputs"]).then(
                compose["refresh"], [ws, compose["part"]], compose["outputs"]
            ).then(reports["refresh"], [ws], reports["outputs"])
        preview_tab.select(preview["refresh"], [ws], preview["outputs"])
        # Submitted or returned meanwhile (by a colleague): the drafting controls follow when the area is opened.
        compose_tab.select(compose["refresh_access"], [ws], compose["access_outputs"], show_progress="hidden")
        review_tab.select(review["refresh"], [ws], review["outputs"])  # the area is read when it is opened
    for fn in demo.fns.values():
        # The page calls its own events; no documented API for scripts to drive a clerk's workspace.
        fn.api_visibility = "private"
    return demo


def launch_kwargs(ctx: AppContext) -> dict[str, Any]:
    """The launch() arguments that carry the security settings and the look."""
    cfg = ctx.config
    return {
        "server_name": cfg.host,
        "server_port": cfg.port,
        # One login check for every source (store accounts, hashed; the --auth/--auth-file list).
        "auth": ctx.check_login if cfg.login_on else None,
        "auth_message": "请输入用户名和密码登录年报起草助手。" if cfg.login_on else None,
        "max_file_size": f"{cfg.max_upload_mb}mb",
        "css": CSS,
        "theme": gr.themes.Default(font=["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "sans-serif"]),
        "show_error": True,
        "quiet": True,
        "share": False,
        # Run history could be pushed to a Hugging Face bucket from its page: report data must not leave.
        "run_history": False,
        "footer_links": [],
        "pwa": False,
        "js": PAGE_JS,
        # Status words Gradio's Chinese translation lacks (announced to screen readers).
        "i18n": gr.I18n(**{loc: {"common.complete": "已完成", "common.error": "出错了",
                                 # the queue line a busy server shows (seen on a loaded machine: "In queue: 1 of 1")
                                 "status.queue_position": "排队中：第 {position} 位，共 {size} 位"}
                           for loc in ("zh-CN", "zh")}),
    }
