"""The one base class of every error the assistant raises on purpose (its text is a Chinese sentence for the user)."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of the assistant's own errors: invalid input, parse failures, blocked exports, store conflicts.

    Callers of ``assistant.api`` catch this one class; ``str(exc)`` is ready to show to a clerk.
    A bug in our code is never one of these.
    """
