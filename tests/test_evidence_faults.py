"""Model faults, one suite: every fault of issue 7 against the local OpenAI-compatible server ends in a retry,
a fallback or a clear Chinese message, and afterwards the clerk's notes and accepted versions are intact
(asserted on the SQLite store). The drafting turn is the app's: stream the part, then store the result."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from evidence import SECRET, assert_intact, sample_notes, sample_report, seed_workspace
from fake_openai_server import FakeOpenAIServer

from assistant.drafting import (
    Drafter,
    DraftResult,
    DraftSettings,
    VersionStore,
    draft_offline,
    parse_notes,
    store_result,
)

OK = "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一，多渠道解读能力有待完善。三是业务工作水平有待提升。"
WS = "ws-evidence-faults"
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Fault:
    name: str
    replies: tuple[dict[str, Any], ...]  # queued in order; the default reply is OK
    outcome: str  # "retry" | "fallback"
    reason: str | None = None  # the Chinese fallback reason
    settings: tuple[tuple[str, Any], ...] = ()


FAULTS = [
    Fault("429 once", ({"status": 429},), "retry"),
    Fault("429 always", ({"status": 429},) * 2, "fallback", "模型服务限流（HTTP 429）"),
    Fault("500 once", ({"status": 500},), "retry"),
    Fault("500 always", ({"status": 500},) * 2, "fallback", "模型服务返回错误（HTTP 500）"),
    Fault("timeout once", ({"behaviour": "timeout", "delay": 2.5},), "retry"),
    Fault("timeout always", ({"behaviour": "timeout", "delay": 2.5},) * 2, "fallback", "模型服务响应超时"),
    Fault("cut stream", ({"behaviour": "cut", "text": OK},), "fallback", None),
    Fault("stream without finish_reason", ({"behaviour": "cut-clean", "text": OK},), "fallback", None),
    Fault("empty reply", ({"behaviour": "empty"},), "fallback", "模型返回了空内容"),
    Fault("garbage reply", ({"text": "\ufffd\ufffd{]]>>#@!%%\x1b[31m \u0000 0x7f3a 99 ^^^ \ufffd"},), "fallback",
          "模型返回的不是中文正文"),
    Fault("non-Chinese reply", ({"text": "Sorry, as an AI language model I cannot write this report."},),
          "fallback", "模型返回的不是中文正文"),
    # A real server stops at the configured limit with finish_reason=length; the fake one does the same.
    Fault("reply 50x too long, limit set", ({"text": OK, "repeat": 50},), "fallback",
          "模型输出不完整（结束原因：length）", (("max_tokens", 1500),)),
]
# A cut connection: a stream that already showed text is not retried (the clerk saw it) and falls back;
# a plain request that lost its connection before any text is retried.
CUT_REASONS = {
    "cut stream": "与模型服务的连接中断",
    "stream without finish_reason": "模型输出不完整（结束原因：连接提前结束）",
}


def expected_outcome(fault: Fault, mode: str) -> str:
    return "retry" if fault.name in CUT_REASONS and mode == "invoke" else fault.outcome


@pytest.fixture
def fake(server: FakeOpenAIServer) -> FakeOpenAIServer:
    server.reset()
    server.default = {"text": OK}
    return server


def drafter(fake: FakeOpenAIServer, **overrides: Any) -> Drafter:
    values: dict[str, Any] = {"base_url": fake.url, "api_key": SECRET, "model": "fake-qwen", "timeout": 1.0, "first_token_timeout": 1.0,
                              "retries": 1, "guard_tries": 1}
    values.update(overrides)
    return Drafter(DraftSettings(**values))


def turn(d: Drafter, store: VersionStore, mode: str, part: str = "problems") -> tuple[DraftResult, list[str]]:
    """One drafting turn as the app runs it: notes and report from the store, the result stored as a version."""
    notes_text = store.load_notes(WS, "all")
    assert notes_text is not None
    notes, report = parse_notes(notes_text), sample_report()
    shown: list[str] = []
    if mode == "stream":
        result = None
        for event in d.stream_part(part, notes, report):
            shown.append(event.text)
            if event.type == "done":
                result = event.result
        assert result is not None
    else:
        result = d.draft_part(part, notes, report)
    store_result(store, WS, result)
    return result, shown


@pytest.mark.parametrize("mode", ["stream", "invoke"])
@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_ends_in_retry_or_fallback_and_loses_nothing(
    fake: FakeOpenAIServer, tmp_path: Path, fault: Fault, mode: str
) -> None:
    store = VersionStore(tmp_path)
    before = seed_workspace(store, WS)
    fake.push(*fault.replies)
    result, shown = turn(drafter(fake, **dict(fault.settings)), store, mode)

    if expected_outcome(fault, mode) == "retry":
        assert (result.backend, result.text, result.fallback_reason) == ("llm", OK, None)
        assert result.usage.retries == 1 and result.usage.calls == 2
        assert len(fake.chat_requests()) == 2
    else:
        reason = fault.reason or CUT_REASONS[fault.name]
        assert result.backend == "offline-fallback" and result.fallback_reason == reason
        notes = parse_notes(store.load_notes(WS, "all") or "")
        assert result.text == draft_offline("problems", notes, sample_report())
        assert result.notice is not None and CJK.search(result.notice)
        assert "已改用离线起草" in result.notice and "要点和此前的稿件均已保留" in result.notice
        assert OK * 2 not in result.text  # nothing of an over-long or cut reply is kept

    after = assert_intact(store, WS, before)
    [new] = [v for vid, v in after.versions.items() if vid not in before.versions]
    assert new["status"] == "draft" and new["text"] == result.text and new["backend"] == result.backend
    everything = store.path.read_bytes() + "".join(shown).encode() + repr(result.to_data()).encode()
    assert SECRET.encode() not in everything


def test_reply_50x_too_long_without_a_limit_is_not_kept_silently(fake: FakeOpenAIServer, tmp_path: Path) -> None:
    """Default settings send no max_tokens (servers disagree on it), so a 50× reply arrives whole."""
    store = VersionStore(tmp_path)
    before = seed_workspace(store, WS)
    fake.push({"text": OK, "repeat": 50})
    result, _ = turn(drafter(fake), store, "stream")
    assert_intact(store, WS, before)
    assert result.backend == "offline-fallback" or (result.notice is not None and "过长" in result.notice)


def test_every_fault_in_one_session_then_recovery(fake: FakeOpenAIServer, tmp_path: Path) -> None:
    """All faults in a row against one workspace, then a healthy draft is accepted: only that changes."""
    store = VersionStore(tmp_path)
    before = seed_workspace(store, WS)
    d = drafter(fake, max_tokens=1500)
    backends = []
    for fault in FAULTS:
        fake.reset()
        fake.default = {"text": OK}
        fake.push(*fault.replies)
        result, _ = turn(d, store, "stream")
        backends.append(result.backend)
        assert_intact(store, WS, before)
    assert backends == ["llm" if f.outcome == "retry" else "offline-fallback" for f in FAULTS]
    fake.reset()
    fake.push({"text": OK})
    result, _ = turn(d, store, "stream")
    assert result.backend == "llm"
    latest = store.latest(WS, "problems")
    assert latest is not None and latest.text == OK
    store.accept(latest.id)
    after = snapshot_after_accept(store, before, latest.id)
    assert after == OK


def snapshot_after_accept(store: VersionStore, before: Any, accepted_id: int) -> str:
    """After accepting a new draft only the accepted id of that part changed; every old text is intact."""
    from evidence import snapshot

    now = snapshot(store, WS)
    assert now.notes == before.notes
    changed = {p for p in now.accepted if now.accepted[p] != before.accepted[p]}
    assert changed == {"problems"} and now.accepted["problems"] == accepted_id
    for vid, data in before.versions.items():
        assert now.versions[vid]["text"] == data["text"]
    return store.get_version(accepted_id).text


@pytest.mark.slow
def test_every_fault_through_the_app(fake: FakeOpenAIServer, tmp_path: Path) -> None:
    """The same faults through `xxgk serve` as a clerk meets them: the page gets a Chinese notice, never an
    error, and the store keeps the notes, the accepted version and the report text."""
    from evidence.gradio_http import AppClient, ServeProcess

    app = ServeProcess(tmp_path, fake.url, {"OPENAI_API_KEY": SECRET, "XXGK_LLM_TIMEOUT": "1.0",
                                            "XXGK_LLM_FIRST_TOKEN_TIMEOUT": "1.0",
                                            "XXGK_LLM_RETRIES": "1", "XXGK_LLM_MAX_TOKENS": "1500"})
    app.start()
    try:
        client = AppClient(app.url)
        ws = str(client.call("load", [""]).output[0])  # type: ignore[index]
        notes = "- 公开方式单一化、陈旧化\n- 政策解读形式单一\n- 业务工作水平有待提升"
        assert client.call("draft_notes", [notes, ws, "problems"]).success
        assert client.call("accept", [ws, "problems"]).success
        store = VersionStore(tmp_path)
        [v1] = store.list_versions(_report_of(store, ws), "problems")
        assert v1.status == "accepted" and v1.text == OK
        for fault in FAULTS:
            fake.reset()
            fake.default = {"text": OK}
            fake.push(*fault.replies)
            turn_ = client.call("draft_notes", [notes, ws, "problems"])
            assert turn_.success, (fault.name, turn_.error)
            page = "".join(str(m) for m in turn_.messages)
            if expected_outcome(fault, "stream") == "retry":
                assert "模型起草" in page, fault.name
            else:
                assert "已改用离线起草" in page and "要点和此前的稿件均已保留" in page, fault.name
            assert SECRET not in page
        versions = store.list_versions(_report_of(store, ws), "problems")
        assert versions[0].id == v1.id and versions[0].status == "accepted" and versions[0].text == OK
        assert len(versions) == 1 + len(FAULTS) and all(v.status == "draft" for v in versions[1:])
        assert [v.backend for v in versions[1:]] == [
            "llm" if expected_outcome(f, "stream") == "retry" else "offline-fallback" for f in FAULTS]
        assert store.load_notes(_report_of(store, ws), "problems") == notes
        report = store.load_report(_report_of(store, ws))
        assert report is not None and report.narrative.problems == OK
        assert SECRET.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("drafts.sqlite3*"))
    finally:
        app.stop()


# ---------------------------------------------------------------- issue 12.9: streams that never end


@pytest.mark.parametrize("behaviour", ["comments", "empty-deltas"])
def test_a_stream_that_never_ends_is_cut_at_the_deadline(fake: FakeOpenAIServer, behaviour: str) -> None:
    """Bytes keep coming (so no read timeout fires), but no token: the wall-clock deadline ends the call."""
    fake.push({"behaviour": behaviour, "delay": 20, "chunk_delay": 0.05})
    d = drafter(fake, deadline=1.0, timeout=5.0, retries=2)
    start = time.monotonic()
    result = d.draft_part("problems", sample_notes(), sample_report()) if behaviour == "empty-deltas" else next(
        e.result for e in d.stream_part("problems", sample_notes(), sample_report()) if e.type == "done"
    )
    elapsed = time.monotonic() - start
    assert result is not None and result.backend == "offline-fallback"
    assert result.fallback_reason == "模型在 1 秒内未写完本部分"
    assert result.usage.retries == 0  # our own bound: not retried
    assert elapsed < 4, elapsed


def test_slow_tokens_are_cut_at_the_deadline(fake: FakeOpenAIServer) -> None:
    fake.push({"text": OK * 3, "chunk": 1, "chunk_delay": 0.05})
    d = drafter(fake, deadline=1.0, timeout=5.0)
    result = next(e.result for e in d.stream_part("problems", sample_notes(), sample_report()) if e.type == "done")
    assert result is not None
    assert result.backend == "offline-fallback" and result.fallback_reason == "模型在 1 秒内未写完本部分"


def test_the_length_cap_ends_a_stream_while_it_runs(fake: FakeOpenAIServer) -> None:
    """A fast reply far past max_reply_chars is cut as soon as it passes the cap, not read to the end."""
    fake.push({"text": OK, "repeat": 400, "chunk": 50})
    events = list(drafter(fake, max_reply_chars=500, max_tokens=None).stream_part(
        "problems", sample_notes(), sample_report()))
    result = events[-1].result
    assert result is not None and result.backend == "offline-fallback"
    assert result.fallback_reason == "模型输出过长（超过上限 500 字），已中止"
    shown = "".join(e.text for e in events if e.type == "delta")
    assert len(shown) <= 500 + 50


@pytest.mark.parametrize("behaviour", ["comments", "empty-deltas"])
def test_stop_ends_a_comment_only_stream_at_once(fake: FakeOpenAIServer, behaviour: str) -> None:
    """停止生成 while the server sends nothing but keep-alives: the stream is closed at the next chunk."""
    import threading

    fake.push({"behaviour": behaviour, "delay": 20, "chunk_delay": 0.05})
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    start = time.monotonic()
    events = list(drafter(fake, deadline=60, timeout=5).stream_part(
        "problems", sample_notes(), sample_report(), stop=stop))
    assert time.monotonic() - start < 3
    result = events[-1].result
    assert result is not None and result.interrupted and result.backend == "llm"
    assert "已停止生成" in (result.notice or "")
    deadline = time.monotonic() + 3
    while fake.hangups < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.hangups >= 1  # the connection was closed: the server does not work on for nobody


def test_offline_drafting_never_waits_for_the_model_slots(fake: FakeOpenAIServer) -> None:
    """Four endless model drafts hold every slot of the endpoint; an offline draft still runs at once."""
    from concurrent.futures import ThreadPoolExecutor

    fake.push(*({"behaviour": "comments", "delay": 3, "chunk_delay": 0.1},) * 4)
    busy = drafter(fake, concurrency=4, deadline=2.5, timeout=5, retries=0)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(busy.draft_part, "problems", sample_notes(), sample_report()) for _ in range(4)]
        time.sleep(0.5)
        assert busy.gate.in_flight == 4
        start = time.monotonic()
        offline = Drafter(DraftSettings(base_url=fake.url, model="fake-qwen", concurrency=4, offline=True))
        result = offline.draft_part("overview", sample_notes(), sample_report())
        assert result.backend == "offline" and time.monotonic() - start < 1.0
        assert all(f.result().backend == "offline-fallback" for f in futures)


# ---------------------------------------------------------------- issue 14.5: model calls done by the book


def test_retry_after_is_honoured(fake: FakeOpenAIServer) -> None:
    fake.push({"status": 429, "headers": {"Retry-After": "1"}})
    start = time.monotonic()
    result = drafter(fake, retries=1).draft_part("problems", sample_notes(), sample_report())
    assert result.backend == "llm" and result.usage.retries == 1
    assert time.monotonic() - start >= 1.0  # waited as long as the server asked


def test_a_retry_after_beyond_the_cap_is_not_waited_for(fake: FakeOpenAIServer) -> None:
    fake.push({"status": 429, "headers": {"Retry-After": "120"}})
    start = time.monotonic()
    result = drafter(fake, retries=2, retry_wait_max=2).draft_part("problems", sample_notes(), sample_report())
    assert result.backend == "offline-fallback" and result.fallback_reason == "模型服务限流（HTTP 429）"
    assert len(fake.chat_requests()) == 1 and time.monotonic() - start < 2


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_named_and_not_retried(fake: FakeOpenAIServer, status: int) -> None:
    fake.push({"status": status}, {"status": status})
    result = drafter(fake, retries=2).draft_part("problems", sample_notes(), sample_report())
    assert result.backend == "offline-fallback"
    assert result.fallback_reason is not None and result.fallback_reason.startswith(f"模型服务拒绝了密钥（HTTP {status}）")
    assert len(fake.chat_requests()) == 1


def test_a_bug_of_ours_is_raised_not_hidden_as_a_fallback(fake: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.drafting import chain

    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(chain._StreamReader, "whole", broken)
    with pytest.raises(KeyError):
        drafter(fake).draft_part("problems", sample_notes(), sample_report())


def test_each_call_is_logged_without_the_key(fake: FakeOpenAIServer, caplog: pytest.LogCaptureFixture) -> None:
    fake.push({"status": 500})
    with caplog.at_level(logging.INFO, logger="assistant.drafting.calls"):
        drafter(fake, retries=1).draft_part("problems", sample_notes(), sample_report())
    text = caplog.text
    assert f"127.0.0.1:{fake.port}" in text and "重试 1 次" in text and "tokens" in text and "用时" in text
    assert "后重试" in text  # the retry itself is logged
    assert SECRET not in text


def test_a_key_with_a_trailing_newline_is_stripped(fake: FakeOpenAIServer) -> None:
    d = drafter(fake, api_key=SECRET + " \n")
    d.draft_part("problems", sample_notes(), sample_report())
    assert fake.authorization == f"Bearer {SECRET}"


# ---------------------------------------------------------------- issue 14.6: what the real server found


def test_a_timeout_while_others_are_in_flight_makes_the_endpoint_sequential(fake: FakeOpenAIServer) -> None:
    """A server serving one request at a time: the queued calls time out once, then go one by one."""
    from assistant.drafting.endpoint import gate_for

    # One timeout per part (matched by its prompt, so a retry gets the default reply whatever the order).
    fake.push(*({"behaviour": "timeout", "delay": 1.5, "match": m} for m in ("“（一）存在问题”部分", "“（二）改进情况”部分", "“六、其他需要报告的事项”部分")))
    url = fake.url + "/"  # a gate of its own for this test
    d = Drafter(DraftSettings(base_url=url, api_key=SECRET, model="seq", timeout=1.0, first_token_timeout=1.0, retries=0, concurrency=3))
    results = d.draft_all(sample_notes(), sample_report(), ["problems", "improvements", "other_matters"])
    assert gate_for(url, "seq", 3).limit == 1
    # Each got one free try once the endpoint went sequential (retries=0): no fallback, no wasted retry.
    assert [r.backend for r in results.values()] == ["llm"] * 3, [r.fallback_reason for r in results.values()]
    assert [r.usage.calls for r in results.values()] == [2, 2, 2]


def test_streamed_usage_is_read_and_estimated_when_absent(fake: FakeOpenAIServer) -> None:
    fake.push({"text": OK})
    [*_, done] = drafter(fake).stream_part("problems", sample_notes(), sample_report())
    assert done.result is not None and done.result.usage.completion_tokens == len(OK) and not done.result.usage.estimated
    assert fake.chat_requests()[-1]["stream_options"] == {"include_usage": True}
    fake.push({"text": OK, "no_usage": True})
    [*_, done] = drafter(fake).stream_part("problems", sample_notes(), sample_report())
    assert done.result is not None and done.result.usage.estimated and done.result.usage.completion_tokens > 0


def test_nonsense_replies_are_refused(fake: FakeOpenAIServer) -> None:
    fake.push({"text": "一是公开方式在实际漏vapor后进行曾经记录的工作。二是曾经记录。三是进行在实际。"})
    result = drafter(fake, retries=0).draft_part("problems", sample_notes(), sample_report())
    assert result.backend == "offline-fallback" and "外文" in (result.fallback_reason or "")
    fake.push({"text": "今天天气晴朗，阳光明媚，我们一起去公园散步吧。小鸟在树上唱歌，花儿在风中摇摆。"})
    result = drafter(fake, retries=0).draft_part("problems", sample_notes(), sample_report())
    assert result.backend == "offline-fallback" and result.fallback_reason == "模型输出与要点和统计表格无关"


def test_a_fallback_gives_a_distinct_exit_status(fake: FakeOpenAIServer) -> None:
    from assistant.drafting.results import EXIT_FELL_BACK, exit_status

    fake.push({"status": 500}, {"status": 500})
    fell = drafter(fake, retries=1).draft_part("problems", sample_notes(), sample_report())
    fake.push({"text": OK})
    ok = drafter(fake).draft_part("improvements", sample_notes(), sample_report())
    code, message = exit_status({"problems": fell, "improvements": ok})
    assert code == EXIT_FELL_BACK == 3 and message is not None and "存在问题" in message
    assert exit_status({"improvements": ok})[0] in (0, 1)


def _report_of(store, owner: str) -> str:
    """The report a workspace has open (its versions, notes and tables are keyed by the report)."""
    from assistant.drafting.library import Library

    entry = Library(store, owner).current()
    assert entry is not None
    return entry.id


def test_the_call_log_file_holds_each_call_and_no_key(
    fake: FakeOpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.drafting.calllog import LOGGER, log_calls_to

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("XXGK_LLM_BASE_URL", fake.url)
    path = log_calls_to(tmp_path)
    assert log_calls_to(tmp_path) == path  # idempotent: one handler
    try:
        fake.push({"status": 503})
        drafter(fake, retries=1).draft_part("problems", sample_notes(), sample_report())
        logging.getLogger(LOGGER).warning("回显的密钥 %s 与 Bearer %s", SECRET, "sk-other-123456789")
    finally:
        for handler in list(logging.getLogger(LOGGER).handlers):
            if getattr(handler, "baseFilename", None) == str(path.resolve()):
                logging.getLogger(LOGGER).removeHandler(handler)
                handler.close()
    text = path.read_text(encoding="utf-8")
    assert "模型服务返回错误（HTTP 503）" in text and "重试 1 次" in text and f"127.0.0.1:{fake.port}" in text
    assert SECRET not in text and "sk-other-123456789" not in text
    assert path.stat().st_mode & 0o077 == 0


def test_the_timeout_counts_from_the_first_token(fake: FakeOpenAIServer) -> None:
    """A server that thinks 1.5 s before its first token (a long prompt) is not timed out by a 1 s silence
    timeout; silence of more than 1 s between tokens afterwards is."""
    fake.push({"text": OK, "delay": 1.5})
    slow_start = drafter(fake, timeout=1.0, first_token_timeout=5.0, retries=0)
    [*_, done] = slow_start.stream_part("problems", sample_notes(), sample_report())
    assert done.result is not None and done.result.backend == "llm", done.result.fallback_reason
    fake.push({"text": OK, "chunk": 20, "chunk_delay": 1.5})
    [*_, done] = drafter(fake, timeout=1.0, first_token_timeout=5.0, retries=0).stream_part(
        "problems", sample_notes(), sample_report())
    assert done.result is not None and done.result.backend == "offline-fallback"
    assert done.result.fallback_reason in ("模型服务响应超时", "与模型服务的连接中断")


@pytest.mark.parametrize("reply", [
    {"text": OK, "delay": 8},  # thinks past the wait before sending anything
    {"behaviour": "comments", "delay": 8, "chunk_delay": 0.1},  # keep-alive comments, never a token
    {"behaviour": "empty-deltas", "delay": 8, "chunk_delay": 0.1},  # empty deltas, never a token
], ids=["silent", "comments", "empty-deltas"])
def test_no_first_text_in_time_stops_and_drafts_offline_saying_so(fake: FakeOpenAIServer, reply: dict[str, Any]) -> None:
    """Issue 10.7: past ``first_text_timeout`` with no text shown, the call is stopped (not retried, though
    retries are allowed and the other bounds are far) and the part is drafted offline with a notice."""
    fake.default = reply
    slow = drafter(fake, timeout=20.0, first_token_timeout=20.0, deadline=60.0, retries=2, first_text_timeout=1.5)
    started = time.monotonic()
    [*_, done] = slow.stream_part("problems", sample_notes(), sample_report())
    waited = time.monotonic() - started
    assert done.result is not None and done.result.backend == "offline-fallback"
    assert done.result.fallback_reason == "模型在 1.5 秒内没有开始输出"
    assert "模型在 1.5 秒内没有开始输出" in (done.result.notice or "") and "已改用离线起草" in (done.result.notice or "")
    assert waited < 6, waited  # not 8 s of silence, not three tries
    assert len(fake.chat_requests()) == 1
    assert done.result.text and done.result.text != OK  # the offline draft, not the model's


def test_first_text_in_time_is_kept_even_when_the_reply_takes_longer(fake: FakeOpenAIServer) -> None:
    fake.default = {"text": OK, "chunk": 4, "chunk_delay": 0.15}  # first text at once, the whole reply > 1.5 s
    d = drafter(fake, timeout=5.0, first_token_timeout=5.0, retries=0, first_text_timeout=1.5)
    [*_, done] = d.stream_part("problems", sample_notes(), sample_report())
    assert done.result is not None and done.result.backend == "llm", done.result.fallback_reason


def test_first_text_timeout_default_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DraftSettings().first_text_timeout == 30.0
    monkeypatch.setenv("XXGK_LLM_FIRST_TEXT_TIMEOUT", "45")
    assert DraftSettings().first_text_timeout == 45.0


def test_no_first_text_in_time_async_too(fake: FakeOpenAIServer) -> None:
    import asyncio

    fake.default = {"behaviour": "comments", "delay": 8, "chunk_delay": 0.1}
    d = drafter(fake, timeout=20.0, first_token_timeout=20.0, deadline=60.0, retries=2, first_text_timeout=1.5)

    async def run() -> Any:
        events = [e async for e in d.astream_part("problems", sample_notes(), sample_report())]
        return events[-1].result

    started = time.monotonic()
    result = asyncio.run(run())
    assert time.monotonic() - started < 6
    assert result.backend == "offline-fallback" and result.fallback_reason == "模型在 1.5 秒内没有开始输出"
    assert len(fake.chat_requests()) == 1


def test_a_draft_waiting_for_a_busy_endpoint_past_the_wait_is_drafted_offline(fake: FakeOpenAIServer) -> None:
    import threading

    fake.default = {"text": OK * 3, "chunk": 4, "chunk_delay": 0.1}  # about 4 s of text for the first clerk
    busy = drafter(fake, timeout=5.0, first_token_timeout=5.0, retries=0, concurrency=1, first_text_timeout=10)
    first = threading.Thread(target=lambda: list(busy.stream_part("problems", sample_notes(), sample_report())))
    first.start()
    try:
        deadline = time.monotonic() + 5
        while not fake.chat_requests() and time.monotonic() < deadline:
            time.sleep(0.02)
        waiting = drafter(fake, timeout=5.0, first_token_timeout=5.0, retries=0, concurrency=1, first_text_timeout=1.0)
        started = time.monotonic()
        [*_, done] = waiting.stream_part("improvements", sample_notes(), sample_report())
        assert time.monotonic() - started < 2.5
        assert done.result is not None and done.result.fallback_reason == "模型在 1 秒内没有开始输出"
        assert len(fake.chat_requests()) == 1  # it never reached the server
    finally:
        first.join(timeout=20)


def test_text_that_starts_just_before_the_wait_ends_keeps_the_full_silence_bound(fake: FakeOpenAIServer) -> None:
    """Review fix: the first text arriving 0.3 s before the wait ends must not leave the rest of the stream
    only those 0.3 s between chunks (the body's read timeout is set once, when the headers come)."""
    fake.default = {"text": OK, "delay": 1.2, "chunk": 20, "chunk_delay": 0.6}
    d = drafter(fake, timeout=5.0, first_token_timeout=5.0, retries=0, first_text_timeout=1.5)
    [*_, done] = d.stream_part("problems", sample_notes(), sample_report())
    assert done.result is not None and done.result.backend == "llm", done.result.fallback_reason

