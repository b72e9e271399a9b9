"""Drafting settings (environment and ``.env``) and the switch that forbids real model requests in tests."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import platformdirs
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..errors import AssistantError

# Tests set XXGK_ALLOW_REMOTE_MODELS=0 (tests/conftest.py); code may also flip this flag directly.
ALLOW_REMOTE_MODELS: bool = True


class RemoteModelForbiddenError(AssistantError, RuntimeError):
    """A model outside this machine was requested while remote models are forbidden (tests)."""


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
    timeout: float = Field(60.0, gt=0, validation_alias=AliasChoices("XXGK_LLM_TIMEOUT", "timeout"))
    retries: int = Field(2, ge=0, le=10, validation_alias=AliasChoices("XXGK_LLM_RETRIES", "retries"))
    temperature: float = Field(0.3, ge=0, le=2, validation_alias=AliasChoices("XXGK_LLM_TEMPERATURE", "temperature"))
    # Unset by default: LangChain sends it as max_completion_tokens, which some older servers reject or ignore.
    max_tokens: int | None = Field(None, gt=0, validation_alias=AliasChoices("XXGK_LLM_MAX_TOKENS", "max_tokens"))
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


def ensure_allowed(url: str) -> None:
    """Raise ``RemoteModelForbiddenError`` for a non-loopback endpoint while remote models are forbidden."""
    if not remote_models_allowed() and not is_loopback(url):
        raise RemoteModelForbiddenError(
            f"测试环境禁止访问外部模型服务（{urlparse(url).hostname}）；请使用本机 127.0.0.1 上的测试服务器。"
        )
