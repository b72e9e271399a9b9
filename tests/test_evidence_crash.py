"""Crash: `kill -9` the app during a streamed draft, restart it, and find the clerk's work intact.

The notes and the accepted version survive; the interrupted draft is either kept as an unaccepted version
or absent — never accepted, never half-written into the report. The restarted app restores the workspace
and drafts again.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from evidence.gradio_http import AppClient, ServeProcess
from fake_openai_server import FakeOpenAIServer, serve

from assistant.drafting import VersionStore

pytestmark = pytest.mark.slow

OK = "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一，多渠道解读能力有待完善。三是业务工作水平有待提升。"
SLOW = "一是政府信息公开目录更新不够及时，部分栏目内容较为陈旧。" * 40  # streamed two characters at a time
NOTES_1 = "- 公开方式单一化、陈旧化\n- 政策解读形式单一\n- 业务工作水平有待提升"
NOTES_2 = "- 公开目录更新不够及时\n- 栏目内容较为陈旧"


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    srv = serve()
    yield srv
    srv.stop()


def wait_for(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("等待超时")
        time.sleep(0.05)


def test_kill_9_during_a_streamed_draft(fake: FakeOpenAIServer, tmp_path: Path) -> None:
    app = ServeProcess(tmp_path, fake.url)
    app.start()
    try:
        client = AppClient(app.url)
        ws = str(client.call("load", [""]).output[0])  # type: ignore[index]
        fake.push({"text": OK})
        first = client.call("draft_notes", [NOTES_1, ws, "problems"])
        assert first.success, first.error
        accepted = client.call("accept", [ws, "problems"])
        assert accepted.success and "已将第" in str(accepted.output), accepted.output

        store = VersionStore(tmp_path)
        [v1] = store.list_versions(_report_of(store, ws), "problems")
        assert v1.status == "accepted" and v1.text == OK
        report_before = store.load_report(_report_of(store, ws))
        assert report_before is not None and report_before.narrative.problems == OK

        # The second draft streams slowly; the server is killed once part of it has been shown.
        fake.push({"text": SLOW, "chunk": 2, "chunk_delay": 0.02})
        seen: list[dict[str, Any]] = []

        def drive() -> None:
            try:
                for msg in AppClient(app.url, client.config).stream("draft_notes", [NOTES_2, ws, "problems"]):
                    seen.append(msg)
            except Exception:  # the connection dies with the server
                pass

        runner = threading.Thread(target=drive, daemon=True)
        runner.start()
        wait_for(lambda: sum(m.get("msg") == "process_generating" for m in seen) >= 10)
        app.kill9()
        runner.join(timeout=10)
        assert not any(m.get("msg") == "process_completed" for m in seen), "稿件在被终止前已写完，未测到中断"
    finally:
        app.stop()

    # After the crash, before the restart: the store is consistent and nothing was lost.
    with sqlite3.connect(tmp_path / "drafts.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = VersionStore(tmp_path)
    assert store.load_notes(_report_of(store, ws), "problems") == NOTES_2  # the notes were saved when the turn started
    versions = store.list_versions(_report_of(store, ws), "problems")
    assert versions[0].id == v1.id and versions[0].text == OK and versions[0].status == "accepted"
    interrupted = versions[1:]
    assert len(interrupted) <= 1
    for v in interrupted:  # kept as an unaccepted version, or not at all
        assert v.status in ("draft", "interrupted") and SLOW.startswith(v.text.rstrip("…"))
    acc = store.accepted(_report_of(store, ws), "problems")
    assert acc is not None and acc.id == v1.id
    report_after = store.load_report(_report_of(store, ws))
    assert report_after is not None and report_after.narrative.problems == OK  # not half-written
    assert report_after == report_before

    # The restarted app restores the workspace and works.
    app.start()
    try:
        client = AppClient(app.url)
        restored = client.call("load", [ws])
        assert restored.success and restored.output and restored.output[0] == ws
        assert "已恢复" in str(restored.output[-1])
        view = client.call("part", [ws, "problems"], event="change")
        assert view.success and view.output
        notes_shown = view.output[0]  # an update that also says whether the notes may be edited
        assert (notes_shown.get("value") if isinstance(notes_shown, dict) else notes_shown) == NOTES_2
        fake.reset()
        fake.push({"text": OK})
        again = client.call("draft_notes", [NOTES_1, ws, "problems"])
        assert again.success, again.error
        fresh = VersionStore(tmp_path)
        latest = fresh.latest(_report_of(fresh, ws), "problems")
        assert latest is not None and latest.text == OK and latest.status == "draft"
        still = fresh.accepted(_report_of(fresh, ws), "problems")
        assert still is not None and still.id == v1.id
    finally:
        app.stop()


def _report_of(store, owner: str) -> str:
    """The report a workspace has open (its versions, notes and tables are keyed by the report)."""
    from assistant.drafting.library import Library

    entry = Library(store, owner).current()
    assert entry is not None
    return entry.id
