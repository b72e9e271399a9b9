"""Drafting settings (environment and ``.env``) and the switch that forbids real model requests in tests."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..errors import AssistantError

# Tests set XXGK_ALLOW_REMOTE_MODELS=0 (tests/conftest.py); code may also flip this flag directly.
ALLOW_REMOTE_MODELS: bool = True


class RemoteModelForbiddenError(AssistantError, RuntimeError):
    """A model outside this machine was requested while remote models are forbidden (tests)."""


class EndpointNotAllowedError(RemoteModelForbiddenError):
    """The endpoint is not on the operator's allow-list (``XXGK_LLM_ALLOWED_URLS``; default: the configured
    URL and loopback). Enforced on the server, whatever a page sends."""


def _strip_key(value: object) -> object:
    """A pasted key often ends in a space or a newline: the server would refuse it, so strip it."""
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(raw, str):
        raw = raw.strip()
        return raw or None
    return value


class _Operator(BaseSettings):
    """What only the operator sets (environment or ``.env``), never a page: the endpoint its key belongs to
    and the allow-list of endpoints."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    base_url: str | None = Field(None, validation_alias=AliasChoices("XXGK_LLM_BASE_URL", "OPENAI_BASE_URL"))
    api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY", "XXGK_LLM_API_KEY"))
    allowed_urls: str | None = Field(None, validation_alias=AliasChoices("XXGK_LLM_ALLOWED_URLS"))

    _strip = field_validator("api_key", mode="before")(_strip_key)


def operator_settings() -> _Operator:
    """The operator's endpoint, key and allow-list, read afresh from the environment and ``.env``."""
    return _Operator()


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a model service address (in Chinese), or ``None`` when it can."""
    parts = urlparse(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "模型服务地址应以 http:// 或 https:// 开头，并包含主机名，例如 http://127.0.0.1:8000/v1。"
    try:
        parts.port  # noqa: B018 - urlparse checks the port only when it is read
    except ValueError:
        return "模型服务地址中的端口应为 1–65535 的数字，例如 http://127.0.0.1:8000/v1。"
    return None


def same_endpoint(a: str | None, b: str | None) -> bool:
    """Whether two base URLs name the same endpoint (case of scheme/host and a trailing slash ignored)."""
    return a is not None and b is not None and _canonical(a) == _canonical(b)


def _canonical(url: str) -> str:
    parts = urlparse(url.strip())
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number: compared as written (it names no endpoint anyway)
        return url.strip().lower().rstrip("/")
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}{parts.path.rstrip('/')}"


class DraftSettings(BaseSettings):
    """Where the language model is and how to call it. The API key is a SecretStr: never printed or stored."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    base_url: str | None = Field(
        None, validation_alias=AliasChoices("XXGK_LLM_BASE_URL", "OPENAI_BASE_URL", "base_url")
    )
    api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "XXGK_LLM_API_KEY", "api_key")
    )
    model: str = Field("qwen2.5-7b-instruct", validation_alias=AliasChoices("XXGK_LLM_MODEL", "model"))
    # Silence allowed between chunks once a reply has started (and for connecting).
    timeout: float = Field(60.0, gt=0, validation_alias=AliasChoices("XXGK_LLM_TIMEOUT", "timeout"))
    # The wait for a reply's first byte, counted once the call holds its slot: a server evaluating a long
    # prompt sends nothing until its first token (llama.cpp), so this is longer than ``timeout``.
    first_token_timeout: float = Field(
        120.0, gt=0, validation_alias=AliasChoices("XXGK_LLM_FIRST_TOKEN_TIMEOUT", "first_token_timeout")
    )
    # The clerk's wait for the first text of a streamed draft, queue and retries included: past it the
    # call is stopped and the part drafted offline, with a notice saying so (issue 10: 30 s).
    first_text_timeout: float = Field(
        30.0, gt=0, validation_alias=AliasChoices("XXGK_LLM_FIRST_TEXT_TIMEOUT", "first_text_timeout")
    )
    retries: int = Field(2, ge=0, le=10, validation_alias=AliasChoices("XXGK_LLM_RETRIES", "retries"))
    temperature: float = Field(0.3, ge=0, le=2, validation_alias=AliasChoices("XXGK_LLM_TEMPERATURE", "temperature"))
    # Unset by default: LangChain sends it as max_completion_tokens, which some older servers reject or ignore.
    # Sent as ``max_tokens`` (what llama.cpp, vLLM, Ollama and the Chinese clouds honour; LangChain's
    # ``max_completion_tokens`` is ignored by some of them). A part is 1,000–3,000 characters.
    max_tokens: int | None = Field(4096, gt=0, validation_alias=AliasChoices("XXGK_LLM_MAX_TOKENS", "max_tokens"))
    # Requests in flight per endpoint (a llama.cpp server serves one at a time: set 1). Learned downwards:
    # a timeout before the first token while others are in flight makes that endpoint sequential.
    concurrency: int = Field(4, ge=1, le=32, validation_alias=AliasChoices("XXGK_LLM_CONCURRENCY", "concurrency"))
    # Wall-clock bound of one model call once it holds its slot (slow tokens, keep-alive comments, empty
    # deltas: the stream is closed when it passes). ``timeout`` bounds the silence between bytes.
    deadline: float = Field(300.0, gt=0, validation_alias=AliasChoices("XXGK_LLM_DEADLINE", "deadline"))
    # Upper bound of one back-off wait (also of a server's Retry-After) and of all retries of a call.
    retry_wait_max: float = Field(
        8.0, ge=0, validation_alias=AliasChoices("XXGK_LLM_RETRY_WAIT_MAX", "retry_wait_max")
    )
    # Parts run to 1,000–3,000 characters; a reply far beyond that is a runaway generation, not a draft.
    max_reply_chars: int = Field(
        8000, gt=0, validation_alias=AliasChoices("XXGK_LLM_MAX_REPLY_CHARS", "max_reply_chars")
    )
    guard_tries: int = Field(2, ge=0, le=5, validation_alias=AliasChoices("XXGK_GUARD_TRIES", "guard_tries"))
    offline: bool = Field(False, validation_alias=AliasChoices("XXGK_OFFLINE", "offline"))
    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("xxgk-assistant", appauthor=False)),
        validation_alias=AliasChoices("XXGK_DATA_DIR", "data_dir"),
    )

    # True when the environment's key was withheld because the endpoint is not the environment's.
    key_withheld: bool = Field(False, exclude=True)

    _strip = field_validator("api_key", mode="before")(_strip_key)

    @model_validator(mode="after")
    def _key_only_for_its_endpoint(self) -> DraftSettings:
        """The operator's key goes only to the operator's endpoint: a page-chosen URL gets no key unless
        one was entered for it (a key that differs from the environment's)."""
        operator = operator_settings()
        env_key = operator.api_key.get_secret_value() if operator.api_key else None
        key = self.api_key.get_secret_value() if self.api_key else None
        if key is not None and key == env_key and self.base_url and not same_endpoint(self.base_url, operator.base_url):
            self.api_key = None
            self.key_withheld = True
        return self

    @property
    def backend_configured(self) -> bool:
        """A model endpoint is set and drafting is not forced offline."""
        return bool(self.base_url) and not self.offline

    def describe(self) -> str:
        """A one-line Chinese description of the backend, safe to print (no key)."""
        if self.offline:
            return "离线起草（已指定 --offline）"
        if not self.base_url:
            return "离线起草（未配置模型）"
        return f"模型 {self.model}（{self.base_url}）"

    def redact(self, text: str) -> str:
        """``text`` with the API key blanked out, for anything that may reach a user, a log or the store."""
        key = self.api_key.get_secret_value() if self.api_key else ""
        return text.replace(key, "***") if key else text


def load_settings(**overrides: Any) -> DraftSettings:
    """Settings from the environment and ``.env``, with keyword overrides (``offline=True`` …) on top."""
    return DraftSettings(**overrides)


def remote_models_allowed() -> bool:
    """False when the tests' switch is on: then only loopback endpoints may be used."""
    return ALLOW_REMOTE_MODELS and os.environ.get("XXGK_ALLOW_REMOTE_MODELS", "1") not in ("0", "false", "False")


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_endpoints() -> tuple[list[str], bool]:
    """(allowed base URLs, loopback allowed) from ``XXGK_LLM_ALLOWED_URLS`` (comma- or space-separated; the
    word ``loopback`` admits 127.0.0.1/localhost/::1). Default: the configured URL and loopback. The
    configured URL is always allowed."""
    operator = operator_settings()
    configured = [operator.base_url] if operator.base_url else []
    if not operator.allowed_urls or not operator.allowed_urls.strip():
        return configured, True
    listed = [u for u in re.split(r"[,\s]+", operator.allowed_urls) if u]
    loopback = any(u.lower() == "loopback" for u in listed)
    return configured + [u for u in listed if u.lower() != "loopback"], loopback


def ensure_allowed(url: str) -> None:
    """Raise ``RemoteModelForbiddenError`` for a non-loopback endpoint while remote models are forbidden
    (tests), and ``EndpointNotAllowedError`` for an endpoint off the operator's allow-list."""
    if not remote_models_allowed() and not is_loopback(url):
        raise RemoteModelForbiddenError(
            f"测试环境禁止访问外部模型服务（{urlparse(url).hostname}）；请使用本机 127.0.0.1 上的测试服务器。"
        )
    urls, loopback = allowed_endpoints()
    if (loopback and is_loopback(url)) or any(same_endpoint(url, u) for u in urls):
        return
    raise EndpointNotAllowedError(
        f"模型服务地址“{urlparse(url).hostname or url}”不在本服务器允许使用的模型服务之列，"
        "请改用管理员配置的模型服务地址，或请管理员将其加入允许列表。"
    )
