"""`xxgk serve` — the web app for clerks (Gradio), on 127.0.0.1 by default."""

from __future__ import annotations

import importlib.util
from typing import Annotated

import typer

from ._app import app, fail


def _auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        fail("--auth 的格式应为“用户名:密码”，例如 --auth clerk:s3cret。")
    return user, password


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址；默认只允许本机访问")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口", min=1, max=65535)] = 7860,
    auth: Annotated[str | None, typer.Option(help="开启登录：用户名:密码", envvar="XXGK_APP_AUTH")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="只用离线起草，不调用模型")] = False,
    max_upload_mb: Annotated[int, typer.Option(help="上传文件大小上限（MB）", min=1, max=200)] = 20,
    open_browser: Annotated[bool, typer.Option("--open", help="启动后在本机浏览器中打开")] = False,
) -> None:
    """启动网页版起草助手（统计数据、撰写、预览与导出、设置），新工作区自动载入样例报告。"""
    if importlib.util.find_spec("gradio") is None:  # the web app is an extra: the library installs without it
        fail("网页版所需的组件未安装。请运行：pip install \"xxgk-assistant\\[app]\"，然后重新执行 xxgk serve。")
    from ..app import AppConfig
    from ..app import serve as run

    config = AppConfig(host=host, port=port, auth=_auth(auth), offline=offline, max_upload_mb=max_upload_mb)
    try:
        run(config, inbrowser=open_browser)
    except OSError as exc:
        if "port" in str(exc).lower():
            fail(f"无法在 {host}:{port} 启动服务：端口已被占用，请用 --port 换一个端口。")
        fail(f"无法在 {host}:{port} 启动服务：{exc}")
