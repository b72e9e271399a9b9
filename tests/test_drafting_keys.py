"""API keys typed on the settings page: kept on the server (0600), per owner, for their address only, never
sent back, never in the store or the call log."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAIServer, serve

from assistant.app import tab_settings
from assistant.app.tab_settings import connection_test
from assistant.app.workspace import Workspace
from assistant.drafting import VersionStore
from assistant.drafting.calllog import LOGGER, log_calls_to
from assistant.drafting.keys import KeyFile

PAGE_KEY = "sk-page-entered-0123456789abcdef"


@pytest.fixture
def store(tmp_path: Path):
    with VersionStore(tmp_path / "data") as s:
        yield s


@pytest.fixture
def llm():
    srv = serve()
    yield srv
    srv.stop()


def test_the_key_file_is_owner_only_and_names_no_one(store: VersionStore) -> None:
    keys = KeyFile(store.path.parent, "ws-someone-1234567890")
    keys.save("http://127.0.0.1:8000/v1", f"  {PAGE_KEY}\n")
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.path.parent.stat().st_mode) == 0o700
    assert "someone" not in keys.path.name
    saved = keys.load()
    assert saved is not None and saved.base_url == "http://127.0.0.1:8000/v1"
    assert saved.key.get_secret_value() == PAGE_KEY and PAGE_KEY not in repr(saved)
    assert KeyFile(store.path.parent, "ws-another-0987654321").load() is None
    assert keys.clear() and keys.load() is None and not keys.clear()


@pytest.mark.parametrize("bad", ["", "   ", "sk-two words", "x" * 600, "sk-abc\u200bdef", "\ufeffsk-abcdef", "sk-密钥"])
def test_a_mangled_paste_is_refused_in_chinese(store: VersionStore, bad: str) -> None:
    with pytest.raises(ValueError, match="API 密钥应为一行不含空格的英文字母、数字和符号"):
        KeyFile(store.path.parent, "ws-someone-1234567890").save("http://127.0.0.1:8000/v1", bad)


def test_a_typed_key_goes_to_its_address_only(store: VersionStore, llm: FakeOpenAIServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-secret-999")
    monkeypatch.setenv("XXGK_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # the operator's endpoint is elsewhere
    space, _ = Workspace.open(store, None)
    verdict = tab_settings.test_and_save(space, llm.url, "fake-model", False, PAGE_KEY)
    assert "连接成功" in verdict and "密钥不再显示" in verdict and PAGE_KEY not in verdict
    assert llm.authorization == f"Bearer {PAGE_KEY}"  # the page's key, not the operator's
    assert "sk-operator-secret-999" not in (llm.authorization or "")
    assert space.drafting_settings().api_key is not None
    assert space.drafting_settings().api_key.get_secret_value() == PAGE_KEY  # type: ignore[union-attr]
    assert "正在使用" in space.key_status() and PAGE_KEY not in space.key_status()
    # Another address on the page: the saved key is not sent there.
    space.save_settings("http://127.0.0.1:8001/v1", "fake-model", False)
    assert space.drafting_settings().api_key is None
    assert "暂未使用" in space.key_status()
    # The key is in no row of the store.
    store.close()
    assert PAGE_KEY.encode() not in b"".join(p.read_bytes() for p in store.path.parent.glob("*.sqlite3*"))


def test_another_owner_never_gets_the_key(store: VersionStore, llm: FakeOpenAIServer) -> None:
    mine, _ = Workspace.open(store, None)
    mine.save_settings(llm.url, "fake-model", False, PAGE_KEY)
    theirs, _ = Workspace.open(store, None)
    theirs.save_settings(llm.url, "fake-model", False)
    assert theirs.drafting_settings().api_key is None
    connection_test(theirs)
    assert PAGE_KEY not in (llm.authorization or "")
    connection_test(mine)
    assert llm.authorization == f"Bearer {PAGE_KEY}"


def test_a_key_without_an_address_is_refused(store: VersionStore) -> None:
    space, _ = Workspace.open(store, None)
    with pytest.raises(ValueError, match="请先填写模型服务地址"):
        space.save_settings("", "m", False, PAGE_KEY)
    assert space.key_file().load() is None


def test_a_failed_test_keeps_neither_address_nor_key(store: VersionStore) -> None:
    space, _ = Workspace.open(store, None)
    verdict = tab_settings.test_and_save(space, "http://127.0.0.1:9/v1", "m", False, PAGE_KEY)
    assert "设置未保存" in verdict and PAGE_KEY not in verdict
    assert space.key_file().load() is None and not space.settings_data().get("base_url")


def test_the_call_log_blanks_a_page_key(store: VersionStore, tmp_path: Path) -> None:
    plain_key = "QwenCloudKey0123456789abcdef"  # not shaped like sk-… or a bearer token: only the key list blanks it
    KeyFile(store.path.parent, "ws-someone-1234567890").save("http://127.0.0.1:8000/v1", plain_key)
    path = log_calls_to(tmp_path / "logs")
    logging.getLogger(LOGGER).warning("echo from a server: %s", plain_key)
    for handler in logging.getLogger(LOGGER).handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "echo from a server: ***" in text and plain_key not in text


@pytest.mark.parametrize("url", ["http://10.0.0.5:8O00/v1", "ftp://127.0.0.1/v1", "http:///v1"])
def test_an_address_that_names_no_endpoint_is_refused_before_anything_is_saved(store: VersionStore, url: str) -> None:
    space, _ = Workspace.open(store, None)
    with pytest.raises(ValueError, match="模型服务地址"):
        tab_settings.test_and_save(space, url, "m", False, PAGE_KEY)
    with pytest.raises(ValueError, match="模型服务地址"):
        space.save_settings(url, "m", False, PAGE_KEY)
    assert space.key_file().load() is None and not space.settings_data().get("base_url")


def test_a_bad_address_saved_earlier_does_not_lock_the_workspace(store: VersionStore) -> None:
    """Review fix: urlparse raised on a non-numeric port in every settings lookup once a key was saved."""
    import json

    space, _ = Workspace.open(store, None)
    space.save_settings("http://127.0.0.1:8000/v1", "m", False, PAGE_KEY)
    store.save_notes(space.owner, "_settings", json.dumps({"base_url": "http://127.0.0.1:8O00/v1", "model": "m"}))
    assert space.drafting_settings().api_key is None  # not the saved key's address; and no exception
    assert "暂未使用" in space.key_status()


def test_a_key_typed_without_an_address_is_not_silently_dropped(store: VersionStore) -> None:
    space, _ = Workspace.open(store, None)
    with pytest.raises(ValueError, match="请先填写模型服务地址"):
        tab_settings.test_and_save(space, "", "m", False, PAGE_KEY)


def test_the_key_moves_with_the_work_to_a_login(store: VersionStore) -> None:
    from assistant.drafting.library import move_owner

    space, _ = Workspace.open(store, None)
    space.save_settings("http://127.0.0.1:8000/v1", "m", False, PAGE_KEY)
    old_file = space.key_file().path
    assert move_owner(store, space.owner, "user-newlogin-0123456789")
    moved = KeyFile(store.path.parent, "user-newlogin-0123456789").load()
    assert moved is not None and moved.key.get_secret_value() == PAGE_KEY
    assert not old_file.exists()
