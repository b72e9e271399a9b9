"""`xxgk` — the command line, a thin shell over ``assistant.api``.

Each command group lives in its own module and registers itself on ``app`` when imported below.
"""

from __future__ import annotations

from . import check as _check  # noqa: F401  (registers commands)
from ._app import app

for _name in ("draft", "export", "ingest", "serve", "demo"):
    try:
        __import__(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != f"{__name__}.{_name}":
            raise


def main() -> None:
    """Entry point of the ``xxgk`` console script: no traceback ever reaches the clerk (exit 2 with a
    Chinese message; ``XXGK_DEBUG=1`` shows the traceback for developers)."""
    import os
    import sys

    from ..drafting.storefile import StoreError
    from ..fsio import WriteFailedError

    try:
        app(standalone_mode=True)
    except (WriteFailedError, StoreError) as exc:
        sys.stderr.write(f"错误：{exc}\n")
        raise SystemExit(2) from None
    except Exception as exc:
        if os.environ.get("XXGK_DEBUG"):
            raise
        sys.stderr.write(f"错误：处理时发生意外问题（{type(exc).__name__}），请检查输入文件；"
                         "设置 XXGK_DEBUG=1 可查看详细信息。\n")
        raise SystemExit(2) from None


__all__ = ["app", "main"]
