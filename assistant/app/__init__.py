"""The Gradio web app: statistics editing with live checks, drafting chats, preview/export, settings.

A thin shell over ``assistant.api`` and ``assistant.drafting``. ``import gradio`` happens only inside
this package and only when the app is built (``build_app``) or served (``serve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .context import AppConfig, AppContext

if TYPE_CHECKING:
    import gradio as gr

__all__ = ["AppConfig", "AppContext", "build_app", "serve"]


def build_app(ctx: AppContext) -> gr.Blocks:
    """The app's Blocks for one context (store + configuration)."""
    from .ui import build_app as _build

    return _build(ctx)


def serve(config: AppConfig, **launch: Any) -> Any:
    """Build and launch the app; see ``assistant.app.server.serve``."""
    from .server import serve as _serve

    return _serve(config, **launch)
