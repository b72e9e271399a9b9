"""Settings from env/.env, the single model factory, and the switch forbidding remote models in tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.drafting import Drafter, DraftSettings, RemoteModelForbiddenError, build_chat_model, load_settings
from assistant.drafting import settings as settings_mod

SECRET = "sk-test-SECRET-0042"


def test_without_backend_the_factory_returns_none_and_says_offline() -> None:
    s = load_settings()
    assert s.base_url is None and not s.backend_configured
    assert build_chat_model(s) is None
    assert s.describe() == "离线起草（未配置模型）"
    assert Drafter(s).backend == "offline"


def test_xxgk_base_url_wins_over_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    assert load_settings().base_url == "http://127.0.0.1:1/v1"
    monkeypatch.setenv("XXGK_LLM_BASE_URL", "http://127.0.0.1:2/v1")
    assert load_settings().base_url == "http://127.0.0.1:2/v1"


def test_env_values_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "XXGK_LLM_MODEL": "deepseek-chat", "XXGK_LLM_TIMEOUT": "7.5", "XXGK_LLM_RETRIES": "4",
        "XXGK_LLM_TEMPERATURE": "0.1", "XXGK_GUARD_TRIES": "3", "XXGK_OFFLINE": "1",
    }.items():
        monkeypatch.setenv(key, value)
    s = load_settings()
    assert (s.model, s.timeout, s.retries, s.temperature, s.guard_tries, s.offline) == (
        "deepseek-chat", 7.5, 4, 0.1, 3, True
    )
    assert load_settings(offline=False).offline is False


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = "XXGK_LLM_MODEL=qwen-max\nXXGK_LLM_BASE_URL=http://localhost:9/v1\n"
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert s.model == "qwen-max" and s.backend_configured


def test_api_key_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("XXGK_LLM_BASE_URL", "http://127.0.0.1:3/v1")
    s = load_settings()
    assert s.api_key is not None and s.api_key.get_secret_value() == SECRET
    for shown in (repr(s), str(s), s.model_dump_json(), s.describe()):
        assert SECRET not in shown
    assert s.redact(f"error with {SECRET} inside") == "error with *** inside"


def test_factory_sets_timeout_and_plain_chat_completions(monkeypatch: pytest.MonkeyPatch) -> None:
    s = DraftSettings(base_url="http://127.0.0.1:5/v1", api_key=SECRET, model="m", timeout=3.5)
    model = build_chat_model(s)
    assert model is not None
    assert model.request_timeout == 3.5  # type: ignore[attr-defined]
    assert model.max_retries == 0  # type: ignore[attr-defined]  # Drafter retries and counts
    assert model.use_responses_api is False  # type: ignore[attr-defined]
    assert build_chat_model(DraftSettings(base_url="http://127.0.0.1:5/v1", offline=True)) is None


@pytest.mark.parametrize("url", ["https://api.deepseek.com/v1", "http://10.0.0.8:8000/v1", "https://example.org"])
def test_remote_models_are_forbidden_in_tests(url: str) -> None:
    with pytest.raises(RemoteModelForbiddenError, match="禁止访问外部模型服务"):
        build_chat_model(DraftSettings(base_url=url))
    with pytest.raises(RemoteModelForbiddenError):
        Drafter(DraftSettings(base_url=url))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/v1", "http://localhost:11434/v1", "http://[::1]:8000/v1"])
def test_loopback_models_are_allowed(url: str) -> None:
    assert build_chat_model(DraftSettings(base_url=url)) is not None


def test_the_switch_can_be_lifted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_ALLOW_REMOTE_MODELS", "1")
    monkeypatch.setenv("XXGK_LLM_ALLOWED_URLS", "https://api.deepseek.com/v1 loopback")
    assert build_chat_model(DraftSettings(base_url="https://api.deepseek.com/v1")) is not None
    monkeypatch.setattr(settings_mod, "ALLOW_REMOTE_MODELS", False)
    with pytest.raises(RemoteModelForbiddenError):
        build_chat_model(DraftSettings(base_url="https://api.deepseek.com/v1"))
