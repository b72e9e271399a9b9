"""Asking before a destructive action: the browser's confirm dialog fills a hidden checkbox the handler reads."""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

CANCELLED = "已取消，未作任何改动。"


def confirm_box() -> gr.Checkbox:
    """A hidden checkbox: the last input of an event that asks first (see ``confirm_js``)."""
    return gr.Checkbox(False, visible=False, elem_classes=["xxgk-confirm"])


def confirm_js(question: str) -> str:
    """Front-end code that asks ``question`` and puts the answer in the last input (the ``confirm_box``)."""
    return f"(...args) => {{ args[args.length - 1] = window.confirm({json.dumps(question, ensure_ascii=False)}); return args; }}"


def confirmed(value: Any) -> bool:
    return value is True
