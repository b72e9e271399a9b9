"""The single factory of the chat model: every LLM call in the project goes through ``build_chat_model``."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx  # the HTTP library of openai 3.x (an httpx fork with the same API)
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from .endpoint import AsyncGuardedTransport, GuardedTransport, http_timeout
from .settings import DraftSettings, ensure_allowed


def build_chat_model(settings: DraftSettings) -> BaseChatModel | None:
    """A ChatOpenAI for any OpenAI-compatible server, or None when drafting offline.

    Plain chat completions only (no json_schema, no tools: servers disagree on them). The token limit goes
    out as ``max_tokens`` (``extra_body``): LangChain would send ``max_completion_tokens``, which llama.cpp
    and other servers ignore. Usage is asked for in streams (``stream_options.include_usage``). The HTTP
    clients are ours: a silence timeout on every read, and the transports that enforce each call's
    deadline and stop flag on every chunk (``endpoint.py``). Retries are done by ``Drafter`` (tenacity),
    so the SDK's own are off.
    """
    if not settings.backend_configured or settings.base_url is None:
        return None
    ensure_allowed(settings.base_url)
    from langchain_openai import ChatOpenAI  # ~1 s import: only when a model is configured

    extra: dict[str, Any] = {"max_tokens": settings.max_tokens} if settings.max_tokens else {}
    timeout = http_timeout(settings.timeout)
    return ChatOpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key or SecretStr("sk-none"),
        model=settings.model,
        timeout=settings.timeout,
        max_retries=0,
        temperature=settings.temperature,
        extra_body=extra or None,
        stream_usage=True,
        use_responses_api=False,
        http_client=httpx.Client(transport=GuardedTransport(), timeout=timeout),
        # Its own async client: langchain-openai otherwise shares one per (base_url, timeout) process-wide,
        # and an async client is tied to the event loop that first used it.
        http_async_client=httpx.AsyncClient(transport=AsyncGuardedTransport(), timeout=timeout),
    )


def list_models(settings: DraftSettings, timeout: float = 5.0) -> list[str]:
    """The model ids the endpoint serves (the connection test), through the same allow-list and key policy
    as drafting. Raises the SDK's errors; ``describe_error`` turns them into Chinese."""
    if settings.base_url is None:
        return []
    ensure_allowed(settings.base_url)
    from openai import OpenAI

    key = settings.api_key.get_secret_value() if settings.api_key else "sk-none"
    client = OpenAI(
        base_url=settings.base_url, api_key=key, timeout=timeout, max_retries=0,
        http_client=httpx.Client(transport=GuardedTransport(), timeout=http_timeout(timeout)),
    )
    try:
        return [m.id for m in client.models.list().data]
    finally:
        client.close()
