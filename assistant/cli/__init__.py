"""`xxgk` — the command line, a thin shell over ``assistant.api``.

Each command group lives in its own module and registers itself on ``app`` when imported below.
"""

from __future__ import annotations

from . import check as _check  # noqa: F401  (registers commands)
from ._app import app

for _name in ("draft", "export", "ingest", "serve", "demo", "evaluate"):
    try:
        __import__(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != f"{__name__}.{_name}":
            raise


def main() -> None:
    """Entry point of the ``xxgk`` console script."""
    app()


__all__ = ["app", "main"]
