"""Model faults, one suite: every fault of issue 7 against the local OpenAI-compatible server ends in a retry,
a fallback or a clear Chinese message, and afterwards the clerk's notes and accepted versions are intact
(asserted on the SQLite store). The drafting turn is the app's: stream the part, then store the result."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from evidence import SECRET, assert_intact, sample_report, seed_workspace
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
    values: dict[str, Any] = {"base_url": fake.url, "api_key": SECRET, "model": "fake-qwen", "timeout": 1.0,
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


def _report_of(store, owner: str) -> str:
    """The report a workspace has open (its versions, notes and tables are keyed by the report)."""
    from assistant.drafting.library import Library

    entry = Library(store, owner).current()
    assert entry is not None
    return entry.id
