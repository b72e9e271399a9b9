"""`xxgk` — the command line, a thin shell over ``assistant.api``.

Each command group lives in its own module and registers itself on ``app`` when imported. The console
script imports only the module of the command it runs (``xxgk check`` never loads LangChain, python-docx or
the drafting store); ``from assistant.cli import app`` imports every command module.
"""

from __future__ import annotations

import gc
import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._plain import ABORTED

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


# Pydantic looks for plugins by scanning the entry points of every installed distribution the first time a
# model is built (a few milliseconds with a hundred packages installed). The command line uses no pydantic
# plugin; an operator who wants theirs sets PYDANTIC_DISABLE_PLUGINS (to "" for all).
PYDANTIC_PLUGINS_VARIABLE = "PYDANTIC_DISABLE_PLUGINS"


def main() -> None:
    """Entry point of the ``xxgk`` console script: no traceback ever reaches the clerk (exit 2 with a
    Chinese message; ``XXGK_DEBUG=1`` shows the traceback for developers). It always ends the process."""
    os.environ.setdefault(PYDANTIC_PLUGINS_VARIABLE, "__all__")
    try:
        code = _run(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write(f"{ABORTED}\n")
        raise SystemExit(130) from None
    except BrokenPipeError:  # `xxgk check … | head`: the reader left; nothing more to say
        raise SystemExit(1) from None
    except Exception as exc:
        raise SystemExit(_say_unexpected(exc)) from None
    finally:
        # The process ends next. Its last garbage collections would walk every object (pydantic's validators
        # and serializers are deep trees) only to free memory the system takes back anyway: a fifth of
        # `xxgk check`'s time. Frozen objects are skipped by them; files are still flushed and closed, and
        # atexit handlers still run.
        gc.freeze()
    raise SystemExit(code)


def _run(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        from .checking import fast_check  # typer and rich load only when the check line is not plain

        code = fast_check(argv[1:])
        if code is not None:
            return code
    args = [a for a in argv if not a.startswith("-")]
    module = COMMAND_MODULES.get(args[0]) if args else None
    # An unknown command or plain `xxgk --help` needs every command, for the listing or the error.
    app = _register((module,) if module and "--help" not in argv else _ALL_MODULES)
    # Not standalone: typer's English panels for usage mistakes are replaced by Chinese ones (``_usage``).
    from typer import Abort, TyperException

    try:
        result = app(args=argv, standalone_mode=False, prog_name="xxgk")
    except TyperException as exc:  # typer's click: a usage mistake (exit 2) or a file it could not open
        from ._usage import say_usage_error

        return say_usage_error(exc)
    except Abort:
        sys.stderr.write(f"{ABORTED}\n")
        return 1
    return result if isinstance(result, int) else 0


def _say_unexpected(exc: Exception) -> int:
    # Imported here: the drafting store and the file seam load only when something went wrong.
    from ..drafting.storefile import StoreError
    from ..fsio import WriteFailedError

    if isinstance(exc, WriteFailedError | StoreError):
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    if os.environ.get("XXGK_DEBUG"):
        raise exc
    sys.stderr.write(f"错误：处理时发生意外问题（{type(exc).__name__}），请检查输入文件；"
                     "设置 XXGK_DEBUG=1 可查看详细信息。\n")
    return 2


__all__ = ["COMMAND_MODULES", "app", "main"]
