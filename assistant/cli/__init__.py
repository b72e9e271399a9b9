"""`xxgk` — the command line, a thin shell over ``assistant.api``.

Each command group lives in its own module and registers itself on ``app`` when imported. The console
script imports only the module of the command it runs (``xxgk check`` never loads LangChain, python-docx or
the drafting store); ``from assistant.cli import app`` imports every command module.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

# Command name → the module that defines it (tests/test_cli_startup.py checks this against the app).
COMMAND_MODULES: dict[str, str] = {
    "check": "check",
    "schema": "check",
    "verdict": "check",
    "draft": "draft",
    "export": "export",
    "stats-template": "export",
    "parse": "ingest",
    "next-year": "ingest",
    "audit": "ingest",
    "demo": "demo",
    "sample": "demo",
    "serve": "serve",
    "users": "users",
    "eval-drafting": "evaluate",
}
_ALL_MODULES = tuple(dict.fromkeys(COMMAND_MODULES.values()))


def _register(modules: tuple[str, ...]) -> typer.Typer:
    for name in modules:
        import_module(f"{__name__}.{name}")
    from ._app import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole command line, every command registered
        return _register(_ALL_MODULES)
    raise AttributeError(name)


def main() -> None:
    """Entry point of the ``xxgk`` console script: no traceback ever reaches the clerk (exit 2 with a
    Chinese message; ``XXGK_DEBUG=1`` shows the traceback for developers)."""
    import os

    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if sys.argv[1:2] == ["check"]:
        from .checking import fast_check  # typer and rich load only when the check line is not plain

        code = fast_check(sys.argv[2:])
        if code is not None:
            raise SystemExit(code)
    module = COMMAND_MODULES.get(args[0]) if args else None
    # An unknown command or plain `xxgk --help` needs every command, for the listing or the error.
    app = _register((module,) if module and "--help" not in sys.argv else _ALL_MODULES)
    # Not standalone: typer's English panels for usage mistakes are replaced by Chinese ones (``_usage``).
    from typer import Abort, TyperException

    try:
        code = app(standalone_mode=False, prog_name="xxgk")
    except TyperException as exc:  # typer's click: a usage mistake (exit 2) or a file it could not open
        from ._usage import say_usage_error

        raise SystemExit(say_usage_error(exc)) from None
    except Abort:
        sys.stderr.write("已中止。\n")
        raise SystemExit(1) from None
    except Exception as exc:
        # Imported here: the drafting store and the file seam load only when something went wrong.
        from ..drafting.storefile import StoreError
        from ..fsio import WriteFailedError

        if isinstance(exc, WriteFailedError | StoreError):
            sys.stderr.write(f"错误：{exc}\n")
            raise SystemExit(2) from None
        if os.environ.get("XXGK_DEBUG"):
            raise
        sys.stderr.write(f"错误：处理时发生意外问题（{type(exc).__name__}），请检查输入文件；"
                         "设置 XXGK_DEBUG=1 可查看详细信息。\n")
        raise SystemExit(2) from None
    raise SystemExit(code if isinstance(code, int) else 0)


__all__ = ["COMMAND_MODULES", "app", "main"]
