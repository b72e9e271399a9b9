"""`xxgk serve` — the web app for clerks (Gradio), on 127.0.0.1 by default."""

from __future__ import annotations

import errno
import importlib.util
import os
import stat
from pathlib import Path
from typing import Annotated

import typer
from click.core import ParameterSource

from ._app import app, err, fail


def _pair(value: str, where: str) -> tuple[str, str]:
    user, sep, password = value.strip().partition(":")
    if not sep or not user or not password:
        fail(f"{where}的格式应为“用户名:密码”，例如 clerk:s3cret。")
    return user, password


def _users_file(path: Path) -> list[tuple[str, str]]:
    """Logins from a file, one “用户名:密码” a line (# starts a comment); it should be readable only by its owner."""
    if not path.is_file():
        fail(f"登录用户文件 {path} 不存在或不是文件。")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        err.print(f"[yellow]注意：登录用户文件 {path} 可被其他用户读取，建议执行 chmod 600。[/]")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        fail(f"登录用户文件 {path} 无法读取（应为 UTF-8 文本）。")
    users = [_pair(ln, f"登录用户文件 {path.name} 第 {i} 行") for i, ln in enumerate(lines, 1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not users:
        fail(f"登录用户文件 {path} 中没有任何用户。")
    return users


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="监听地址；默认只允许本机访问")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口", min=1, max=65535)] = 7860,
    auth: Annotated[
        str | None,
        typer.Option(help="开启登录：用户名:密码（建议改用环境变量 XXGK_APP_AUTH 或 --auth-file，命令行参数会被同机用户看到）",
                     envvar="XXGK_APP_AUTH"),
    ] = None,
    auth_file: Annotated[
        Path | None, typer.Option("--auth-file", help="登录用户文件：每行一个“用户名:密码”", envvar="XXGK_APP_AUTH_FILE")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="只用离线起草，不调用模型")] = False,
    max_upload_mb: Annotated[int, typer.Option(help="单次上传大小上限（MB，按一次请求合计）", min=1, max=200)] = 20,
    new_store_if_damaged: Annotated[
        bool, typer.Option("--new-store-if-damaged", help="数据文件损坏时改名保留原文件并新建（默认询问或拒绝启动）")
    ] = False,
    open_browser: Annotated[bool, typer.Option("--open", help="启动后在本机浏览器中打开")] = False,
    logins: Annotated[bool, typer.Option("--logins", help="开启登录，使用 xxgk users add 添加的账号（多人共用、共享与审核）")] = False,
    per_browser: Annotated[
        bool, typer.Option("--per-browser", help="未开启登录时每个浏览器各用一个工作区（默认本机单用户）")
    ] = False,
) -> None:
    """启动网页版起草助手（统计数据、撰写、预览与导出、设置），新工作区自动载入样例报告。"""
    if importlib.util.find_spec("gradio") is None:  # the web app is an extra: the library installs without it
        fail("网页版所需的组件未安装。请运行：pip install \"xxgk-assistant\\[app]\"，然后重新执行 xxgk serve。")
    from ..app import AppConfig
    from ..app.server import AppStartError
    from ..app.server import serve as run
    from ..drafting import StoreDamagedError, StoreError, VersionStore
    from ..drafting.storefile import RESET_ENV, set_aside

    users: list[tuple[str, str]] = []
    if auth:
        if ctx.get_parameter_source("auth") == ParameterSource.COMMANDLINE:
            err.print("[yellow]注意：--auth 写在命令行中，同一台计算机的其他用户可以看到密码；"
                      "建议改用环境变量 XXGK_APP_AUTH 或 --auth-file。[/]")
        users.append(_pair(auth, "--auth "))
    if auth_file is not None:
        users.extend(_users_file(auth_file))
    if new_store_if_damaged:
        os.environ[RESET_ENV] = "1"
    config = AppConfig(host=host, port=port, auth=users[0] if users else None, offline=offline,
                       max_upload_mb=max_upload_mb, logins=logins, per_browser=per_browser)
    for attempt in (1, 2):
        try:
            run(config, inbrowser=open_browser, users=users)
            return
        except StoreDamagedError as exc:
            if attempt == 2 or not (os.isatty(0) and typer.confirm(f"{exc}\n现在移到一旁并新建吗？", default=False,
                                                                 err=True)):
                fail(str(exc))
            err.print(f"已将损坏的数据文件改名保留为 {set_aside(exc.path or VersionStore.default_path())}，并新建数据文件。")
        except (StoreError, AppStartError) as exc:
            fail(str(exc))
        except OSError as exc:
            # Gradio says "Cannot find empty port in range" for a port in use; the OS says EADDRINUSE.
            said = str(exc).lower()
            if exc.errno == errno.EADDRINUSE or "address already in use" in said or "empty port" in said:
                fail(f"无法在 {host}:{port} 启动服务：端口已被占用，请用 --port 换一个端口。")
            fail(f"无法在 {host}:{port} 启动服务：{exc.strerror or type(exc).__name__}")
