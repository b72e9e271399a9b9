"""Workspaces: seeded with the sample, restored by id, isolated, settings without the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app.workspace import Workspace, notes_document, sample_notes
from assistant.drafting import PARTS, VersionStore


@pytest.fixture
def store(tmp_path: Path):
    with VersionStore(tmp_path) as s:
        yield s


def test_a_new_workspace_starts_with_the_sample(store: VersionStore) -> None:
    space, created = Workspace.open(store, None)
    assert created and space.owner.startswith("ws-") and len(space.owner) > 20
    assert space.entry().name == "示例"
    assert space.report().agency == "淄博市工业和信息化局"
    assert "148" in space.notes("overview")
    assert space.check().ok


def test_reopening_restores_the_work_from_the_file(tmp_path: Path) -> None:
    with VersionStore(tmp_path) as first:
        space, _ = Workspace.open(first, None)
        space.set_cells({"applications.granted.total": 5})
        space.save_notes("problems", "- 独有要点")
        space.save_chat("overview", [{"role": "user", "content": "要点", "kind": "notes"}])
    with VersionStore(tmp_path) as again:  # a new process: only the SQLite file is shared
        back, created = Workspace.open(again, space.owner)
        assert not created
        assert back.check().errors > 0
        assert back.notes("problems") == "- 独有要点"
        assert back.chat("overview")[0]["content"] == "要点"


def test_two_workspaces_do_not_share_anything(store: VersionStore) -> None:
    a, _ = Workspace.open(store, None)
    b, _ = Workspace.open(store, None)
    assert a.id != b.id and a.owner != b.owner
    a.set_cells({"review_litigation.review.upheld": 7})
    a.save_notes("overview", "- 甲的要点")
    assert b.report().review_litigation.review.upheld == 0  # type: ignore[union-attr]
    assert b.notes("overview") != "- 甲的要点"
    assert a.export_dir().parent != b.export_dir().parent


def test_an_unknown_or_malformed_id_gets_a_fresh_workspace(store: VersionStore) -> None:
    space, created = Workspace.open(store, "../../etc/passwd")
    assert created and space.owner.startswith("ws-")


def test_settings_override_the_environment_but_never_hold_the_key(store: VersionStore, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    space, _ = Workspace.open(store, None)
    space.save_settings("http://127.0.0.1:9/v1", "m1", False)
    settings = space.drafting_settings()
    assert settings.base_url == "http://127.0.0.1:9/v1" and settings.model == "m1"
    # The operator's key goes only to the operator's endpoint: a page-chosen address gets no key.
    assert settings.api_key is None and settings.key_withheld
    monkeypatch.setenv("XXGK_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    same = space.drafting_settings()
    assert same.api_key is not None and same.api_key.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in json.dumps(space.settings_data())
    assert space.drafting_settings(force_offline=True).offline


def test_accepting_text_goes_into_the_report(store: VersionStore) -> None:
    space, _ = Workspace.open(store, None)
    space.set_narrative("problems", "一是宣传不足。")
    assert space.report().narrative.problems == "一是宣传不足。"


def test_per_part_notes_make_one_notes_document() -> None:
    notes = sample_notes()
    text = notes_document({p: notes.text(p) for p in PARTS})
    assert text.startswith("# 总体情况") and "# 其他需要报告的事项" in text


def test_old_export_dirs_of_a_workspace_are_cleared(store: VersionStore) -> None:
    import os
    import time

    space, _ = Workspace.open(store, None)
    old = space.export_dir()
    (old / "old.docx").write_bytes(b"x")
    past = time.time() - 2 * 3600
    os.utime(old, (past, past))
    recent = space.export_dir()
    fresh = space.export_dir()
    assert not old.exists() and recent.exists() and fresh.exists() and recent != fresh


def test_the_wait_for_the_first_text_is_set_on_the_page(store: VersionStore) -> None:
    space, _ = Workspace.open(store, None)
    assert space.drafting_settings().first_text_timeout == 30.0
    space.save_settings("http://127.0.0.1:8000/v1", "m", False, first_text_wait=45)
    assert space.drafting_settings().first_text_timeout == 45.0
    for bad in (1, 6000):
        with pytest.raises(ValueError, match="5 至 600 秒"):
            space.save_settings("http://127.0.0.1:8000/v1", "m", False, first_text_wait=bad)
    assert space.drafting_settings().first_text_timeout == 45.0
