"""Output helpers of the command line that need neither typer nor rich (``xxgk check`` starts without them)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import NoReturn

ABORTED = "已中止。"  # Ctrl-C, or a prompt the user left


def say_error(message: str, code: int = 2) -> NoReturn:
    """Print ``错误：message`` on stderr and exit with ``code`` (works inside and outside typer)."""
    sys.stderr.write(f"错误：{message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def require_file(path: Path) -> Path:
    """Exit 2 with a Chinese message unless ``path`` is an existing regular file."""
    if not path.exists():
        say_error(f"找不到文件 {path}")
    if path.is_dir():
        say_error(f"{path} 是一个文件夹，这里需要一个文件")
    if not path.is_file():
        say_error(f"{path} 不是普通文件（可能是设备或管道），不能读取")
    return path


def write_text(text: str) -> None:
    """Write to stdout as it is (JSON, streamed drafts)."""
    sys.stdout.write(text)
    sys.stdout.flush()


class _ControlCharacterNotice(logging.Handler):
    """Says on stderr, in Chinese, when control characters were removed from a field of the input."""

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) != 2:
            return
        count, field = args
        from ..schema.text import control_notice

        sys.stderr.write(f"提示：{control_notice(int(str(count)), _field_label(str(field)))}\n")


def _field_label(name: str) -> str:
    from ..schema.models import Contact, Narrative, Report2021

    for model in (Narrative, Contact, Report2021):
        info = model.model_fields.get(name)
        if info is not None and info.title:
            return info.title
    return name


def install_notices() -> None:
    """Announce removed control characters on stderr (once per process)."""
    logger = logging.getLogger("assistant.schema.text")
    if not any(isinstance(h, _ControlCharacterNotice) for h in logger.handlers):
        logger.addHandler(_ControlCharacterNotice(logging.WARNING))
