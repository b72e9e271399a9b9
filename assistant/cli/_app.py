"""The shared typer application and console helpers."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

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


class _ControlCharacterNotice(logging.Handler):
    """Says on stderr, in Chinese, when control characters were removed from a field of the input."""

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) != 2:
            return
        count, field = args
        err.print(f"[yellow]提示：[/]已删除“{_field_label(str(field))}”中的 {count} 个控制字符"
                  "（如退格、转义符；它们会使 Word、Excel 导出失败）。")


def _field_label(name: str) -> str:
    from ..schema.models import Contact, Narrative, Report2021

    for model in (Narrative, Contact, Report2021):
        info = model.model_fields.get(name)
        if info is not None and info.title:
            return info.title
    return {"agency": "机关名称", "raw_cells": "单元格原文"}.get(name, name)


logging.getLogger("assistant.schema.text").addHandler(_ControlCharacterNotice(logging.WARNING))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a Chinese error message to stderr and exit with ``code``."""
    err.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def require_file(path: Path) -> Path:
    """Exit 2 with a Chinese message unless ``path`` is an existing regular file."""
    if not path.exists():
        fail(f"找不到文件 {path}")
    if path.is_dir():
        fail(f"{path} 是一个文件夹，这里需要一个文件")
    if not path.is_file():
        fail(f"{path} 不是普通文件（可能是设备或管道），不能读取")
    return path


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


def write_text(text: str) -> None:
    """Write to stdout without rich markup (for JSON and streamed drafts)."""
    sys.stdout.write(text)
    sys.stdout.flush()
