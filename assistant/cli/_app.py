"""The shared typer application and console helpers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from ._help import Typer
from ._plain import install_notices
from ._plain import require_file as require_file  # the shared helpers, for every command module
from ._plain import write_text as write_text

app = Typer(
    name="xxgk",
    help="政府信息公开工作年度报告起草助手：校验、起草、导入与导出年报。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """政府信息公开工作年度报告起草助手：校验、起草、导入与导出年报。"""
    # A callback keeps `xxgk` a group of commands even when the console script registered only one.


out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


install_notices()


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a Chinese error message to stderr and exit with ``code``."""
    err.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def require_output(path: Path | None) -> Path | None:
    """Exit 2 before any work starts when ``path`` cannot be written (a folder, no permission, …)."""
    if path is None:
        return None
    from ..fsio import WriteFailedError, check_output

    try:
        check_output(path)
    except WriteFailedError as exc:
        fail(f"输出文件 {path} 不可用：{exc.reason}")
    return path


def save_or_fail(report: Any, path: Path) -> Path:
    """Save a report document atomically; a failed write exits 2 with the Chinese reason (old file kept)."""
    from ..fsio import WriteFailedError
    from ..schema import save_report

    try:
        return save_report(report, path)
    except WriteFailedError as exc:
        fail(str(exc))


def open_store(path: Path | None) -> Any:
    """The version store (``None``: the one in the user data dir); a damaged one is set aside only when the clerk agrees (or with
    ``XXGK_NEW_STORE_IF_DAMAGED=1``); any other store problem exits 2 with the Chinese reason."""
    from ..drafting import StoreDamagedError, StoreError, VersionStore
    from ..drafting.storefile import set_aside

    try:
        return VersionStore(path)
    except StoreDamagedError as exc:
        if not (sys.stdin.isatty() and typer.confirm(f"{exc}\n现在移到一旁并新建吗？", default=False, err=True)):
            fail(str(exc))
        moved = set_aside(exc.path or path or VersionStore.default_path())
        err.print(f"已将损坏的数据文件改名保留为 {moved}，并新建数据文件。")
    except StoreError as exc:
        fail(str(exc))
    try:
        return VersionStore(path)
    except StoreError as exc:
        fail(str(exc))
