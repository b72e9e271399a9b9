"""xxgk-assistant — 政府信息公开工作年度报告起草助手.

The public Python API is ``assistant.api``; its names are re-exported here and loaded on first use,
so ``import assistant`` stays cheap for tools that only need the schema or the checks.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# A library logs; the application decides where it goes. Without a handler Python would print our
# warnings (English, for developers) on the clerk's terminal.
logging.getLogger(__name__).addHandler(logging.NullHandler())

# name → module that defines it (all are also reachable as ``assistant.api.<name>``)
_EXPORTS: dict[str, str] = {
    "Report": "assistant.schema",
    "ReportInputError": "assistant.schema",
    "load_report": "assistant.schema",
    "load_report_file": "assistant.schema",
    "save_report": "assistant.schema",
    "report_json_schema": "assistant.schema",
    "CheckResult": "assistant.checks",
    "Finding": "assistant.checks",
    "check_report": "assistant.checks",
    "fill_totals": "assistant.checks",
    "check_file": "assistant.api",
    "draft_notes": "assistant.api",
    "export_report": "assistant.api",
    "render_html": "assistant.api",
    "parse_file": "assistant.api",
    "next_year": "assistant.api",
    "audit": "assistant.api",
    "run_demo": "assistant.demo",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
