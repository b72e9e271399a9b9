"""The single factory of the chat model: every LLM call in the project goes through ``build_chat_model``."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from .settings import DraftSettings, ensure_allowed


def build_chat_model(settings: DraftSettings) -> BaseChatModel | None:
    """A ChatOpenAI for any OpenAI-compatible server, or None when drafting offline.

    Plain chat completions only (no json_schema, no tools: servers disagree on them); a timeout is always
    set, because ChatOpenAI's default is no timeout at all. Retries (``settings.retries``) are done by
    ``Drafter``, which counts them; the SDK's own retries are off.
    """
    if not settings.backend_configured or settings.base_url is None:
        return None
    ensure_allowed(settings.base_url)
    from langchain_openai import ChatOpenAI  # ~1 s import: only when a model is configured
    from openai import DefaultAsyncHttpxClient

    return ChatOpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key or SecretStr("sk-none"),
        model=settings.model,
        timeout=settings.timeout,
        # The Drafter retries 429/5xx/timeouts itself (counted in Usage.retries, also before a stream's first chunk).
        max_retries=0,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,  # type: ignore[call-arg]  # alias of max_completion_tokens
        stream_usage=True,
        use_responses_api=False,
        # Its own async client: langchain-openai otherwise shares one per (base_url, timeout) process-wide,
        # and an async client is tied to the event loop that first used it.
        http_async_client=DefaultAsyncHttpxClient(timeout=settings.timeout),
    )
