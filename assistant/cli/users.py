"""`xxgk users` — the accounts of a shared server (passwords asked at the prompt or read from stdin, hashed)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ._app import app, fail, open_store, out
from ._help import Typer

users_app = Typer(help="管理登录账号（多人共用一台服务器时使用；启动时加 --logins）。", no_args_is_help=True)
app.add_typer(users_app, name="users")

PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行），用于脚本")]


def _password(from_stdin: bool) -> str:
    """The password, never from the command line: one line of stdin, or asked twice at the prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("请在终端中运行以输入密码，或加 --password-stdin 从标准输入读取。")
    return str(typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码"))


@users_app.command("add")
def add(name: Annotated[str, typer.Argument(help="用户名（登录时输入）")], password_stdin: PasswordStdin = False) -> None:
    """添加一个账号（密码在提示时输入，加盐散列后保存，不保存明文）。"""
    from ..drafting.accounts import AccountError, Accounts

    store = open_store(None)
    try:
        account = Accounts(store).add(name, _password(password_stdin))
    except AccountError as exc:
        fail(str(exc))
    out.print(f"已添加账号“{account.name}”。以 xxgk serve --logins 启动后即可登录。")


@users_app.command("passwd")
def passwd(name: Annotated[str, typer.Argument(help="用户名")], password_stdin: PasswordStdin = False) -> None:
    """修改账号的密码。"""
    from ..drafting.accounts import AccountError, Accounts

    store = open_store(None)
    try:
        Accounts(store).set_password(name, _password(password_stdin))
    except AccountError as exc:
        fail(str(exc))
    out.print(f"已修改“{name}”的密码。")


@users_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="用户名")],
           yes: Annotated[bool, typer.Option("--yes", help="不再询问")] = False) -> None:
    """删除账号（此后不能登录；其报告保留，重新添加同名账号后可再次使用）。"""
    from ..drafting.accounts import AccountError, Accounts

    if not yes and not typer.confirm(f"确定删除账号“{name}”吗？", default=False):
        raise typer.Exit(1)
    store = open_store(None)
    try:
        Accounts(store).remove(name)
    except AccountError as exc:
        fail(str(exc))
    out.print(f"已删除账号“{name}”（其报告仍保留在数据文件中）。")


@users_app.command("list")
def list_users() -> None:
    """列出账号。"""
    from ..drafting.accounts import Accounts

    accounts = Accounts(open_store(None)).all()
    if not accounts:
        out.print("还没有账号。添加：xxgk users add 用户名")
        return
    for account in accounts:
        how = "可登录" if account.can_log_in else "经登录名单登录（此处无密码）"
        out.print(f"{account.name}\t{how}\t创建于 {account.created_at[:10]}")
