"""The one drafting API: a session on a stored report drafts, redrafts, edits by hand, accepts, diffs, edits cells."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import SAMPLE_NOTES

from assistant import api
from assistant.drafting import VersionStore
from assistant.schema import Report, get_cell


@pytest.fixture
def session(tmp_path: Path, sample_report: Report) -> api.DraftingSession:
    store = VersionStore(tmp_path)
    return api.open_session(sample_report, store=store, offline=True,
                            notes=SAMPLE_NOTES.read_text(encoding="utf-8"))


def test_draft_stores_a_version_and_accept_puts_it_in_the_report(session: api.DraftingSession) -> None:
    result, version = session.draft("problems")
    assert version.text == result.text and version.backend == "offline"
    assert [v.id for v in session.versions("problems")] == [version.id]
    accepted = session.accept("problems")
    assert accepted.status == "accepted" and session.report().narrative.problems == version.text


def test_stream_yields_deltas_then_done_and_keeps_the_version(session: api.DraftingSession) -> None:
    events = list(session.stream("overview"))
    assert events[-1].type == "done" and session.last_version is not None
    assert session.last_version.text == events[-1].result.text  # type: ignore[union-attr]


def test_a_stop_keeps_what_was_written_as_interrupted(tmp_path: Path, sample_report: Report, fake) -> None:
    from assistant.drafting import DraftSettings

    text = "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一。三是业务工作水平有待提升。"
    fake.push({"text": text, "chunk": 3})
    settings = DraftSettings(base_url=fake.url, api_key="sk-test", model="fake-qwen", timeout=2, retries=0)  # type: ignore[arg-type]
    session = api.DraftingSession(VersionStore(tmp_path), "r-1", settings)
    session.store.save_report("r-1", sample_report)
    session.save_notes("problems", "- 公开方式单一")
    stop = threading.Event()
    events = [e.type for e in _until_delta_then_stop(session.stream("problems", stop=stop), stop)]
    versions = session.versions("problems")
    assert "delta" in events and "done" not in events
    assert versions and versions[-1].status == "interrupted" and text.startswith(versions[-1].text)


def _until_delta_then_stop(events, stop):
    for event in events:
        yield event
        if event.type == "delta":
            stop.set()


def test_a_hand_edit_is_a_guarded_version_of_its_own(session: api.DraftingSession, sample_report: Report) -> None:
    total = get_cell(sample_report, "applications.new_requests.total")
    wrong = int(total or 0) + 1
    version = session.edit("overview", f"本年度共收到政府信息公开申请{wrong}件。")
    assert version.backend == "manual" and api.DraftingSession  # source 人工修改
    from assistant.drafting import BACKEND_LABELS

    assert BACKEND_LABELS[version.backend] == "人工修改"
    assert any(f.rule == "X2" for f in version.findings), version.findings
    good = session.edit("overview", f"本年度共收到政府信息公开申请{total}件。")
    assert not [f for f in good.findings if f.rule == "X2"]
    session.accept("overview", good.id)
    assert session.report().narrative.overview == good.text
    diff = session.diff(version.id, good.id)
    assert f"-本年度共收到政府信息公开申请{wrong}件。" in diff and f"+本年度共收到政府信息公开申请{total}件。" in diff


def test_versions_of_another_report_are_not_reachable(tmp_path: Path, sample_report: Report) -> None:
    store = VersionStore(tmp_path)
    mine = api.open_session(sample_report, report_id="r-mine", store=store, offline=True)
    theirs = api.open_session(sample_report, report_id="r-theirs", store=store, offline=True)
    version = theirs.edit("problems", "一是宣传不足。")
    with pytest.raises(api.VersionNotFoundError):
        mine.accept("problems", version.id)
    with pytest.raises(api.AssistantError):
        mine.diff(version.id, version.id)


def test_offline_redraft_says_its_limit_instead_of_pretending(session: api.DraftingSession) -> None:
    session.draft("other_matters")
    before = len(session.versions("other_matters"))
    try:
        result, version = session.redraft("other_matters", "请改成更有文采的风格，并加入一段比喻")
    except api.OfflineRewriteError as exc:
        assert str(exc) == "离线起草不能按要求改写，请直接修改文本或配置模型。"
        assert len(session.versions("other_matters")) == before  # no copy stored as a "rewrite"
    else:  # the offline drafter may follow or decline in words; it never returns the same text silently
        assert version.text != session.versions("other_matters")[before - 1].text or result.notice


def test_cell_edits_totals_and_undo_through_the_session(session: api.DraftingSession) -> None:
    seen = session.revision()
    session.set_cells({"applications.new_requests.natural_person": 999}, expected_revision=seen)
    with pytest.raises(api.StaleReportError):
        session.set_cells({"applications.new_requests.natural_person": 1}, expected_revision=seen)
    _, changes = session.fill_totals()
    assert any(c.cell == "applications.new_requests.total" for c in changes)
    _report, label = session.undo()
    assert label == "自动计算合计"
    with pytest.raises(api.AssistantError):
        session.accept("improvements")  # nothing drafted yet: a clear error of the one base class


def test_closing_the_stream_after_its_result_keeps_no_interrupted_copy(tmp_path: Path, sample_report: Report,
                                                                       fake) -> None:
    from assistant.drafting import DraftSettings

    fake.push({"text": "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一。", "chunk": 3})
    settings = DraftSettings(base_url=fake.url, api_key="sk-test", model="fake-qwen", timeout=2, retries=0)  # type: ignore[arg-type]
    session = api.DraftingSession(VersionStore(tmp_path), "r-1", settings)
    session.store.save_report("r-1", sample_report)
    session.save_notes("problems", "- 公开方式单一")
    events = session.stream("problems")
    for event in events:
        if event.type == "done":
            break
    events.close()  # what a shell does once it has the result
    assert [v.status for v in session.versions("problems")] == ["draft"]


def _fill_the_disk(store: VersionStore) -> None:
    """The store can grow no further: what a full disk looks like to SQLite (SQLITE_FULL)."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    i = 0
    writes = (lambda n: store.save_notes("filler", f"k{i}", "满" * n),
              lambda n: store.add_version("filler", "problems", "满" * n, instruction=None, backend="offline", findings=[]))
    for write in writes:  # use up the free space left in every table's pages
        for size in (2000, 200, 20, 1):
            while True:
                i += 1
                try:
                    write(size)
                except api.StoreUnavailableError:
                    break


def test_a_full_disk_is_said_in_chinese_and_the_draft_is_still_shown(session: api.DraftingSession) -> None:
    _fill_the_disk(session.store)
    with pytest.raises(api.StoreUnavailableError) as exc:
        session.edit("problems", "一是宣传不足。" * 400)
    assert str(exc.value).startswith("保存失败") and "磁盘空间不足" in str(exc.value)
    assert "database" not in str(exc.value)
    events = list(session.stream("problems"))
    statuses = [e.text for e in events if e.type == "status"]
    assert any("保存失败" in s and "磁盘空间不足" in s for s in statuses)
    done = events[-1]
    assert done.type == "done" and done.result is not None and done.result.text.strip()  # kept for the page
    assert session.last_version is None and session.versions("problems") == []


def test_stop_ends_a_stream_that_sends_only_keep_alive_comments(tmp_path: Path, sample_report: Report, fake) -> None:
    """A regression (issue 12.9): the stop flag reached the model stream only between events, so a stream of
    keep-alive comments (no text, no event) could not be stopped. Now it ends at the next raw chunk."""
    import time

    from assistant.drafting import DraftSettings

    fake.push({"behaviour": "comments", "delay": 30, "chunk_delay": 0.05})
    settings = DraftSettings(base_url=fake.url, api_key="sk-test", model="fake-qwen", timeout=20, retries=0)  # type: ignore[arg-type]
    session = api.DraftingSession(VersionStore(tmp_path), "r-1", settings)
    session.store.save_report("r-1", sample_report)
    session.save_notes("problems", "- 公开方式单一")
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    events = list(session.stream("problems", stop=stop))
    assert time.monotonic() - started < 10
    assert any(e.type == "status" and "停止" in e.text for e in events)
