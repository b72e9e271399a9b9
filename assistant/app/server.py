"""Launching the app: queue sized for model calls, 127.0.0.1 unless told otherwise, a Chinese URL line."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Any

from .context import AppConfig, AppContext


def prepare(config: AppConfig) -> tuple[Any, AppContext]:
    """Build the queued Blocks for ``config``; returns (demo, context)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    # Read by the queue Blocks() creates: every event may run for several clerks at once (Gradio's default
    # is one at a time). Set here rather than by calling demo.queue(), which would rebuild the whole
    # FastAPI app once more (~0.5 s of start-up). The model calls have their own limit (concurrency_id "llm").
    os.environ.setdefault("GRADIO_DEFAULT_CONCURRENCY_LIMIT", str(config.draft_concurrency))
    from .ui import build_app

    ctx = AppContext(config)
    from ..drafting.calllog import log_calls_to

    log_calls_to(ctx.data_dir)  # one line per model call and retry, keys redacted (issue 14.5)
    return build_app(ctx), ctx


def _warm_up() -> None:
    with contextlib.suppress(ImportError):
        import langchain_openai  # noqa: F401


def serve(config: AppConfig, block: bool = True, **extra: Any) -> Any:
    """Launch the app. ``block=False`` returns the running demo (tests, benchmarks)."""
    from .ui import launch_kwargs

    demo, ctx = prepare(config)
    kwargs = {**launch_kwargs(ctx), **extra, "prevent_thread_lock": True}
    demo.launch(**kwargs)
    url = f"http://{config.host}:{config.port}/"
    from ..drafting import load_settings

    mode = "离线起草（已指定 --offline）" if config.offline else load_settings().describe()
    print(f"年报起草助手已启动：{url}（{mode}；数据保存在 {ctx.data_dir}）", flush=True)
    if config.auth:
        print("已开启登录，请使用启动时指定的用户名和密码。", flush=True)
    if config.host not in ("127.0.0.1", "localhost"):
        print(f"注意：服务监听 {config.host}，同一网络中的其他计算机也可以访问。", file=sys.stderr, flush=True)
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
