"""The SQLite version store: versions, acceptance, diffs, notes and report, restarts and kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.checks import Finding
from assistant.drafting import VersionNotFoundError, VersionStore
from assistant.drafting.store import sentence_lines
from assistant.schema import Report

ROOT = Path(__file__).resolve().parents[1]


def test_default_path_is_in_the_data_dir(_user_dir: Path) -> None:
    store = VersionStore()
    assert store.path == _user_dir / "drafts.sqlite3" and store.path.exists()
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_versions_are_kept_in_order_with_their_metadata(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    finding = Finding(rule="G1", severity="error", message="数字 37 找不到出处", actual=37, quote="解读37次。")
    a = store.add_version("ws", "problems", "一是甲。", instruction=None, backend="offline", findings=[])
    b = store.add_version("ws", "problems", "一是乙。", instruction="更简洁", backend="llm", findings=[finding])
    store.add_version("other", "problems", "一是丙。", instruction=None, backend="llm", findings=[])
    versions = store.list_versions("ws", "problems")
    assert [v.id for v in versions] == [a.id, b.id]
    assert (b.instruction, b.backend, b.status) == ("更简洁", "llm", "draft")
    assert b.findings == [finding] and b.findings[0].actual == 37
    assert b.created_at >= a.created_at
    assert store.latest("ws", "problems") == b
    assert store.workspaces() == ["other", "ws"]
    assert store.list_versions("ws", "overview") == []


def test_accept_keeps_one_accepted_version_per_part(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    a = store.add_version("ws", "overview", "甲。", instruction=None, backend="offline", findings=[])
    b = store.add_version("ws", "overview", "乙。", instruction=None, backend="offline", findings=[])
    assert store.accepted("ws", "overview") is None
    assert store.accept(a.id).status == "accepted"
    assert store.accept(b.id).status == "accepted"
    assert store.get_version(a.id).status == "draft"
    accepted = store.accepted("ws", "overview")
    assert accepted is not None and accepted.id == b.id


def test_diff_is_by_sentence(tmp_path: Path) -> None:
    store = VersionStore(tmp_path)
    a = store.add_version("ws", "problems", "一是公开方式单一。二是解读形式单一。三是水平有待提升。",
                          instruction=None, backend="offline", findings=[])
    b = store.add_version("ws", "problems", "一是公开方式单一。二是解读渠道较少。三是水平有待提升。",
                          instruction="更具体", backend="llm", findings=[])
    diff = store.diff(a.id, b.id)
    assert f"--- 版本 {a.id}" in diff and f"+++ 版本 {b.id}" in diff
    assert "-二是解读形式单一。\n" in diff and "+二是解读渠道较少。\n" in diff
    assert "-一是" not in diff and "+三是" not in diff
    assert store.diff(a.id, a.id) == ""


def test_sentence_lines() -> None:
    assert sentence_lines("甲。乙；丙\n（一）丁。") == ["甲。\n", "乙；\n", "丙\n", "（一）丁。\n"]


def test_unknown_version_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VersionNotFoundError) as exc:
        VersionStore(tmp_path).get_version(999)
    assert str(exc.value) == "找不到编号为 999 的稿件版本"


def test_notes_and_report_per_workspace(tmp_path: Path, sample_report: Report) -> None:
    store = VersionStore(tmp_path)
    assert store.load_notes("ws", "all") is None and store.load_report("ws") is None
    store.save_notes("ws", "all", "# 存在问题\n- 甲")
    store.save_notes("ws", "all", "# 存在问题\n- 乙")
    store.save_report("ws", sample_report)
    assert store.load_notes("ws", "all") == "# 存在问题\n- 乙"
    assert store.load_report("ws") == sample_report
    assert store.load_report("other") is None


def test_survives_a_restart(tmp_path: Path) -> None:
    with VersionStore(tmp_path) as store:
        v = store.add_version("ws", "problems", "一是甲。", instruction=None, backend="offline", findings=[])
    reopened = VersionStore(tmp_path)
    assert reopened.get_version(v.id).text == "一是甲。"
    from assistant.drafting.store import MIGRATIONS

    assert reopened._db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_survives_kill_9(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from assistant.drafting import VersionStore\n"
        "s = VersionStore(Path(sys.argv[1]))\n"
        "s.save_notes('ws', 'all', '要点')\n"
        "v = s.add_version('ws', 'overview', '（一）主动公开。', instruction=None, backend='llm', findings=[])\n"
        "print(v.id, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ}, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    version_id = int(proc.stdout.strip())
    store = VersionStore(tmp_path)
    assert store.get_version(version_id).text == "（一）主动公开。"
    assert store.load_notes("ws", "all") == "要点"
