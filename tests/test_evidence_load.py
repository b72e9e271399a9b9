"""Load: 20 concurrent app sessions drafting against the local model server with a scripted delay.

Each session is a page of its own (session hash, workspace), drives `xxgk serve` over HTTP as the page
does, and drafts from notes carrying a token only it knows. 0 errors, 0 cross-session leaks (in what each
page received, in what the model was sent, in the store), and the p95 latency is printed as load_p95_ms.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from evidence import SECRET
from evidence.gradio_http import AppClient, EventResult, ServeProcess
from fake_openai_server import FakeOpenAIServer, serve

from assistant.drafting import VersionStore

pytestmark = pytest.mark.slow

SESSIONS = 20
DELAY = 0.5  # the model's scripted thinking time per request
TOKEN = re.compile(r"会话(\d{2})专属要点")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAIServer]:
    srv = serve()
    srv.default = {"delay": DELAY}  # echoes the prompt, so a leaked note would show in the reply
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def app(fake: FakeOpenAIServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    proc = ServeProcess(tmp_path_factory.mktemp("load"), fake.url, {"OPENAI_API_KEY": SECRET})
    proc.start()
    yield proc
    proc.stop()


def session(url: str, config: dict[str, Any], n: int) -> tuple[str, str, EventResult, EventResult]:
    client = AppClient(url, config)
    try:
        loaded = client.call("load", [""])
        assert loaded.success and loaded.output, loaded.error
        ws = str(loaded.output[0])
        notes = f"- 会话{n:02d}专属要点：公开目录更新不够及时\n- 会话{n:02d}专属要点：政策解读形式单一"
        drafted = client.call("draft_notes", [notes, ws, "problems"])
        return ws, notes, loaded, drafted
    finally:
        client.close()


def tokens(value: Any) -> set[str]:
    return set(TOKEN.findall(str(value)))


def test_twenty_concurrent_sessions(app: ServeProcess, fake: FakeOpenAIServer, capsys: pytest.CaptureFixture[str],
                                    record_property: Any) -> None:
    config = AppClient(app.url).config
    started = time.perf_counter()
    with ThreadPoolExecutor(SESSIONS) as pool:
        runs = list(pool.map(lambda n: session(app.url, config, n), range(SESSIONS)))
    wall = time.perf_counter() - started

    # 0 errors: every page load and every streamed draft completed.
    errors = [(n, r.error) for n, (_, _, a, b) in enumerate(runs) for r in (a, b) if not r.success]
    assert errors == []
    assert all(d.generating > 0 for _, _, _, d in runs)  # the drafts were streamed

    # 0 leaks in what each page received.
    workspaces = [ws for ws, _, _, _ in runs]
    assert len(set(workspaces)) == SESSIONS
    for n, (_, _, _, drafted) in enumerate(runs):
        assert tokens(drafted.output) == {f"{n:02d}"}, f"会话 {n} 收到了其他会话的内容"
        assert all(tokens(m) <= {f"{n:02d}"} for m in drafted.messages)

    # … in what the model was sent: each request carries the notes of one session only.
    requests = [r for r in fake.chat_requests() if "专属要点" in str(r)]
    assert len(requests) >= SESSIONS
    assert all(len(tokens(r["messages"])) == 1 for r in requests)

    # … and in the store: each workspace holds only its own notes and drafts.
    store = VersionStore(Path(app.env["XXGK_DATA_DIR"]))
    for n, (ws, notes, _, _) in enumerate(runs):
        assert store.load_notes(_report_of(store, ws), "problems") == notes
        versions = store.list_versions(_report_of(store, ws), "problems")
        assert len(versions) == 1 and tokens(versions[0].text) == {f"{n:02d}"}
        assert versions[0].backend == "llm" and versions[0].status == "draft"
        for part in ("overview", "improvements", "other_matters"):
            assert store.list_versions(_report_of(store, ws), part) == []
    assert {_report_of(store, w) for w in workspaces} <= set(store.workspaces())

    # The key went to the model server in the header, and to no page, store or log.
    assert fake.authorization == f"Bearer {SECRET}"
    pages = "".join(str(m) for _, _, a, b in runs for m in a.messages + b.messages)
    data_dir = Path(app.env["XXGK_DATA_DIR"])
    stored = b"".join(p.read_bytes() for p in data_dir.glob("drafts.sqlite3*"))
    assert SECRET not in pages and SECRET.encode() not in stored and SECRET not in app.log.read_text(errors="replace")

    latencies = sorted(d.seconds * 1000 for _, _, _, d in runs)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    p50 = statistics.median(latencies)
    record_property("load_p95_ms", round(p95))
    with capsys.disabled():
        print(f"\nload_p95_ms={p95:.0f} load_p50_ms={p50:.0f} sessions={SESSIONS} model_delay_ms={DELAY * 1000:.0f} "
              f"wall_s={wall:.1f}")
    # The sessions were served side by side, not one after another.
    assert wall * 1000 < sum(latencies) / 3


def _report_of(store, owner: str) -> str:
    """The report a workspace has open (its versions, notes and tables are keyed by the report)."""
    from assistant.drafting.library import Library

    entry = Library(store, owner).current()
    assert entry is not None
    return entry.id
