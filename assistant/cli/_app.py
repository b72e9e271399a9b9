"""The shared typer application and console helpers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

app = typer.Typer(
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


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a Chinese error message to stderr and exit with ``code``."""
    err.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def require_file(path: Path) -> Path:
    if not path.exists():
        fail(f"找不到文件 {path}")
    return path


def write_text(text: str) -> None:
    """Write to stdout without rich markup (for JSON and streamed drafts)."""
    sys.stdout.write(text)
    sys.stdout.flush()
