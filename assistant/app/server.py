"""Launching the app: queue sized for model calls, 127.0.0.1 unless told otherwise, a Chinese URL line."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import Any

from ..drafting.accounts import SECRET_FILE
from ..errors import AssistantError
from .context import AppConfig, AppContext


def prepare(config: AppConfig) -> tuple[Any, AppContext]:
    """Build the queued Blocks for ``config``; returns (demo, context)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    # Read by the queue Blocks() creates: every event may run for several clerks at once (Gradio's default
    # is one at a time). Set here rather than by calling demo.queue(), which would rebuild the whole
    # FastAPI app once more (~0.5 s of start-up). Drafting events have their own bound (concurrency_id
    # "drafting"); the model calls are bounded per endpoint by the drafter.
    os.environ.setdefault("GRADIO_DEFAULT_CONCURRENCY_LIMIT", str(config.draft_concurrency))
    from .ui import build_app

    ctx = AppContext(config)
    from ..drafting.calllog import log_calls_to

    log_calls_to(ctx.data_dir)  # one line per model call and retry, keys redacted (issue 14.5)
    return build_app(ctx), ctx


def _warm_up() -> None:
    with contextlib.suppress(ImportError):
        import langchain_openai  # noqa: F401


class AppStartError(AssistantError, RuntimeError):
    """The app cannot start; the message is Chinese and names the file at fault."""


def check_secret(data_dir: Path) -> None:
    """The browser-state secret must be a readable, non-empty regular file when it exists (else say so,
    instead of blaming the address)."""
    path = data_dir / SECRET_FILE
    if not path.exists() and not path.is_symlink():
        return
    problem = None
    if not path.is_file():
        problem = "不是普通文件"
    else:
        try:
            if len(path.read_text(encoding="utf-8").strip()) < 16:
                problem = "内容为空或过短"
        except (OSError, UnicodeDecodeError):
            problem = "无法读取"
    if problem:
        raise AppStartError(f"密钥文件 {path} {problem}。请删除该文件后重新启动（将生成新的密钥，"
                            "浏览器中保存的工作区编号需重新打开）。")


def serve(config: AppConfig, block: bool = True, users: list[tuple[str, str]] | None = None, **extra: Any) -> Any:
    """Launch the app. ``block=False`` returns the running demo (tests, benchmarks). ``users`` are the
    logins (default: ``config.auth``). Every request passes the edge guard (upload size, login rate)."""
    from starlette.middleware import Middleware

    from ..drafting import load_settings
    from .guard import EdgeGuard
    from .ui import launch_kwargs

    check_secret(load_settings().data_dir)
    demo, ctx = prepare(config)
    ctx.extra_logins = list(users or [])  # config.auth alone is checked by check_login itself
    if config.logins and not (ctx.extra_logins or config.auth):
        from ..drafting.accounts import Accounts

        if not Accounts(ctx.store).has_logins():
            raise AppStartError("已开启登录（--logins），但还没有任何账号。请先运行：xxgk users add 用户名")
    guard = Middleware(EdgeGuard, max_request_bytes=config.max_upload_mb * 1024 * 1024)
    kwargs = {**launch_kwargs(ctx), **extra, "prevent_thread_lock": True}
    app_kwargs = dict(kwargs.get("app_kwargs") or {})
    app_kwargs["middleware"] = [*app_kwargs.get("middleware", []), guard]
    kwargs["app_kwargs"] = app_kwargs
    demo.launch(**kwargs)
    url = f"http://{config.host}:{config.port}/"

    mode = "离线起草（已指定 --offline）" if config.offline else load_settings().describe()
    print(f"年报起草助手已启动：{url}（{mode}；数据保存在 {ctx.data_dir}）", flush=True)
    if config.login_on:
        print("已开启登录：每位用户只能看到自己的报告和同事共享给他的报告。", flush=True)
    elif config.single_user:
        print("未开启登录：本机单用户模式，从 127.0.0.1 或 localhost 打开都是同一批报告。", flush=True)
    if not config.loopback:
        print(f"注意：服务监听 {config.host}，同一网络中的其他计算机也可以访问。", file=sys.stderr, flush=True)
        if not config.login_on:
            print("未开启登录：每个浏览器各有一个工作区；多人使用请用 xxgk users add 添加账号并以 --logins 启动。",
                  file=sys.stderr, flush=True)
    if not config.offline:
        # The model client's import (~1 s) would otherwise delay the first streamed word.
        # Deferred so that it does not compete with the first page load for the GIL.
        threading.Timer(3.0, _warm_up).start()
    if not block:
        return demo
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        demo.close()
    return demo
