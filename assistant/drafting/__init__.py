"""Drafting: bullet notes + report tables → the narrative parts, with a number guard and a version store.

``build_chat_model`` is the single LLM factory; without a configured model the offline drafter is used.
``Drafter`` and ``build_chat_model`` load LangChain (~1 s) on first use, so importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .guard import FIXED_PHRASES, guard_text, mark_unverified
from .library import Library, ReportEntry, ReportNameError, ReportNotFoundError
from .notes import PARTS, Notes, NotesError, PartError, check_part, parse_notes
from .offline import draft_offline
from .prompts import estimate_tokens, prompt_size
from .results import BACKEND_LABELS, EXIT_FELL_BACK, DraftEvent, DraftResult, Usage, exit_status
from .service import draft_text, placeholder_report, redraft, store_result
from .settings import DraftSettings, EndpointNotAllowedError, RemoteModelForbiddenError, load_settings
from .store import (
    CellConflictError,
    NothingToUndoError,
    StaleReportError,
    StoreUnavailableError,
    Version,
    VersionNotFoundError,
    VersionStore,
)
from .storefile import StoreDamagedError, StoreError

if TYPE_CHECKING:
    from .chain import Drafter
    from .model import build_chat_model, list_models

_LAZY = {"Drafter": "chain", "build_chat_model": "model", "list_models": "model"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BACKEND_LABELS",
    "EXIT_FELL_BACK",
    "FIXED_PHRASES",
    "PARTS",
    "CellConflictError",
    "DraftEvent",
    "DraftResult",
    "DraftSettings",
    "Drafter",
    "EndpointNotAllowedError",
    "Library",
    "Notes",
    "NotesError",
    "NothingToUndoError",
    "PartError",
    "RemoteModelForbiddenError",
    "ReportEntry",
    "ReportNameError",
    "ReportNotFoundError",
    "StaleReportError",
    "StoreDamagedError",
    "StoreError",
    "StoreUnavailableError",
    "Usage",
    "Version",
    "VersionNotFoundError",
    "VersionStore",
    "build_chat_model",
    "check_part",
    "draft_offline",
    "draft_text",
    "estimate_tokens",
    "exit_status",
    "guard_text",
    "list_models",
    "load_settings",
    "mark_unverified",
    "parse_notes",
    "placeholder_report",
    "prompt_size",
    "redraft",
    "store_result",
]
