"""The chain against a real local OpenAI-compatible server: replies, streaming, re-ask, retries, fallback."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAIServer

from assistant.drafting import (
    PARTS,
    Drafter,
    DraftEvent,
    DraftSettings,
    Notes,
    VersionStore,
    draft_offline,
    parse_notes,
    redraft,
)
from assistant.schema import Report, load_report_file

ROOT = Path(__file__).resolve().parents[1]
SECRET = "sk-test-SECRET-7f3a9"
PROBLEMS_OK = "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一，多渠道解读能力有待完善。三是业务工作水平有待提升。"
PROBLEMS_INVENTED = "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一，全年仅开展解读37次。三是业务工作水平有待提升。"


@pytest.fixture(scope="module")
def report() -> Report:
    return load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")


@pytest.fixture(scope="module")
def notes() -> Notes:
    return parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text(encoding="utf-8"))


def make(fake: FakeOpenAIServer, **overrides: object) -> Drafter:
    values: dict[str, object] = {
        "base_url": fake.url, "api_key": SECRET, "model": "fake-qwen", "timeout": 2, "first_token_timeout": 2, "retries": 2, "guard_tries": 2,
    }
    values.update(overrides)
    return Drafter(DraftSettings(**values))  # type: ignore[arg-type]


def last_user(request: dict) -> str:
    return [m["content"] for m in request["messages"] if m["role"] == "user"][-1]


def test_plain_reply(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"text": PROBLEMS_OK})
    result = make(fake).draft_part("problems", notes, report)
    assert (result.backend, result.text, result.findings, result.notice) == ("llm", PROBLEMS_OK, [], None)
    assert result.usage.calls == 1 and result.usage.retries == 0 and result.usage.completion_tokens == len(PROBLEMS_OK)
    assert result.usage.prompt_tokens > 300
    [request] = fake.chat_requests()
    assert request["model"] == "fake-qwen" and not request.get("stream")
    assert "tools" not in request and "response_format" not in request  # plain chat completions only
    # The limit goes out as max_tokens, which llama.cpp, vLLM and Ollama honour (not max_completion_tokens).
    assert "max_completion_tokens" not in request and request["max_tokens"] == 4096
    assert request["temperature"] == 0.3
    system = request["messages"][0]
    assert system["role"] == "system" and "严禁编造" in system["content"] and "淄博市工业和信息化局" in system["content"]
    user = last_user(request)
    assert "公开方式单一化、陈旧化，以文字形式为主" in user and "存在问题" in user


def test_streamed_reply(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"text": PROBLEMS_OK, "chunk": 3})
    events = list(make(fake).stream_part("problems", notes, report))
    deltas = [e.text for e in events if e.type == "delta"]
    assert len(deltas) >= 10 and "".join(deltas) == PROBLEMS_OK
    assert events[-1].type == "done" and events[-1].result is not None
    assert events[-1].result.text == PROBLEMS_OK and events[-1].result.backend == "llm"
    assert events[-1].result.usage.completion_tokens == len(PROBLEMS_OK)  # stream_usage is on
    assert fake.chat_requests()[0]["stream"] is True


def test_invented_number_is_fixed_by_one_targeted_reask(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"text": PROBLEMS_INVENTED}, {"text": PROBLEMS_OK})
    events = list(make(fake).stream_part("problems", notes, report))
    result = events[-1].result
    assert result is not None
    assert result.text == PROBLEMS_OK and result.findings == [] and result.backend == "llm"
    assert result.usage.calls == 2 and result.usage.reasks == 1
    assert result.notice == "经 1 次重写，数字均已核实。"
    assert any(e.type == "status" and "重写" in e.text for e in events)
    first, second = fake.chat_requests()
    reask = last_user(second)
    assert "37" in reask and "找不到出处" in reask and "全年仅开展解读37次" in reask and "存在问题" in reask
    # Targeted: the re-ask carries this part's conversation and the model's own draft, nothing else.
    assert second["messages"][: len(first["messages"])] == first["messages"]
    assert second["messages"][-2] == {"role": "assistant", "content": PROBLEMS_INVENTED}


def test_reask_names_the_table_value_for_x2(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    wrong = "2022年，共收到政府信息公开申请5件，均依法依规、及时答复，政府信息公开工作扎实推进。"
    right = "2022年，共收到政府信息公开申请3件，均依法依规、及时答复，政府信息公开工作扎实推进。"
    fake.push({"text": wrong}, {"text": right})
    result = make(fake).draft_part("overview", notes, report)
    assert result.text == right and result.findings == []
    reask = last_user(fake.chat_requests()[1])
    assert "写的是 5" in reask and "表格为 3" in reask and "请改为表格中的 3" in reask
    assert "本年新收政府信息公开申请" in reask and "「总计」列" in reask  # the printed row and column, not the id


def test_unresolved_numbers_are_marked_and_returned(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"text": PROBLEMS_INVENTED}, {"text": PROBLEMS_INVENTED}, {"text": PROBLEMS_INVENTED})
    result = make(fake, guard_tries=2).draft_part("problems", notes, report)
    assert result.usage.reasks == 2 and result.usage.calls == 3
    assert "全年仅开展解读【待核实：原文为37】次" in result.text
    assert [(f.rule, f.actual) for f in result.findings] == [("G1", 37)]
    assert result.notice is not None and "已标注【待核实】" in result.notice


def test_429_then_success_is_retried(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"status": 429}, {"text": PROBLEMS_OK})
    result = make(fake).draft_part("problems", notes, report)
    assert result.backend == "llm" and result.text == PROBLEMS_OK
    assert result.usage.retries == 1 and result.usage.calls == 2
    assert len(fake.chat_requests()) == 2


def test_500_always_falls_back_to_offline(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.default = {"status": 500}
    events = list(make(fake, retries=1).stream_part("problems", notes, report))
    result = events[-1].result
    assert result is not None and result.backend == "offline-fallback"
    assert result.text == draft_offline("problems", notes, report)
    assert result.fallback_reason == "模型服务返回错误（HTTP 500）"
    assert result.notice is not None and "已改用离线起草" in result.notice and "要点和此前的稿件均已保留" in result.notice
    assert result.usage.calls == 2 and result.usage.retries == 1
    assert len(fake.chat_requests()) == 2
    assert any(e.type == "status" for e in events)


def test_timeout_falls_back(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"behaviour": "timeout", "delay": 3, "text": PROBLEMS_OK})
    started = time.monotonic()
    result = make(fake, timeout=0.5, retries=0).draft_part("problems", notes, report)
    assert time.monotonic() - started < 2.5
    assert result.backend == "offline-fallback" and result.fallback_reason == "模型服务响应超时"


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [("cut", "与模型服务的连接中断"), ("cut-clean", "模型输出不完整（结束原因：连接提前结束）")],
)
def test_cut_stream_falls_back_and_keeps_nothing_partial(
    fake: FakeOpenAIServer, notes: Notes, report: Report, behaviour: str, reason: str
) -> None:
    fake.push({"behaviour": behaviour, "text": PROBLEMS_OK})
    events = list(make(fake).stream_part("problems", notes, report))
    assert any(e.type == "delta" for e in events)  # part of the reply had been shown
    result = events[-1].result
    assert result is not None and result.backend == "offline-fallback" and result.fallback_reason == reason
    assert result.text == draft_offline("problems", notes, report)
    assert len(fake.chat_requests()) == 1  # a stream that already showed text is not retried


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ({"behaviour": "empty"}, "模型返回了空内容"),
        ({"text": "Sorry, I cannot help with that request."}, "模型返回的不是中文正文"),
        ({"behaviour": "length", "text": PROBLEMS_OK}, "模型输出不完整（结束原因：length）"),
    ],
)
def test_unusable_replies_fall_back(
    fake: FakeOpenAIServer, notes: Notes, report: Report, reply: dict, reason: str
) -> None:
    fake.push(reply)
    result = make(fake).draft_part("problems", notes, report)
    assert result.backend == "offline-fallback" and result.fallback_reason == reason
    assert result.text == draft_offline("problems", notes, report)


def test_unreachable_server_falls_back(notes: Notes, report: Report) -> None:
    drafter = Drafter(DraftSettings(base_url="http://127.0.0.1:9/v1", timeout=1, retries=0))
    result = drafter.draft_part("problems", notes, report)
    assert result.backend == "offline-fallback" and result.fallback_reason == "与模型服务的连接中断"


def test_parts_are_drafted_concurrently(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.default = {"delay": 0.6, "text": PROBLEMS_OK}
    started = time.monotonic()
    results = make(fake, guard_tries=0).draft_all(notes, report)
    elapsed = time.monotonic() - started
    assert list(results) == list(PARTS) and len(fake.chat_requests()) == 4
    assert elapsed < 1.2, elapsed  # four 0.6 s replies, not 2.4 s in sequence


async def test_async_stream_and_concurrent_parts(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    drafter = make(fake, guard_tries=0)
    fake.push({"text": PROBLEMS_OK})
    events: list[DraftEvent] = [e async for e in drafter.astream_part("problems", notes, report)]
    assert "".join(e.text for e in events if e.type == "delta") == PROBLEMS_OK
    assert events[-1].result is not None and events[-1].result.backend == "llm"
    fake.reset()
    fake.default = {"delay": 0.6, "text": PROBLEMS_OK}
    started = time.monotonic()
    results = await drafter.adraft_all(notes, report)
    assert time.monotonic() - started < 1.2
    assert [r.backend for r in results.values()] == ["llm"] * 4


async def test_async_fallback_and_reask(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"text": PROBLEMS_INVENTED}, {"text": PROBLEMS_OK}, {"status": 500}, {"status": 500}, {"status": 500})
    drafter = make(fake)
    fixed = await drafter.adraft_part("problems", notes, report)
    assert fixed.text == PROBLEMS_OK and fixed.usage.reasks == 1, fixed.fallback_reason
    failed = await asyncio.wait_for(drafter.adraft_part("problems", notes, report), 10)
    assert failed.backend == "offline-fallback" and failed.usage.retries == 2


def test_redraft_sends_instruction_and_previous_version(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    store = VersionStore()
    first = store.add_version("w", "problems", PROBLEMS_OK, instruction=None, backend="llm", findings=[])
    shorter = "一是公开方式单一。二是解读形式单一。三是业务水平有待提升。"
    fake.push({"text": shorter})
    result, version = redraft(make(fake), store, "w", "problems", notes, report, instruction="更简洁")
    assert result.backend == "llm" and result.text == version.text
    user = last_user(fake.chat_requests()[0])
    assert "更简洁" in user and PROBLEMS_OK in user
    assert version.text == shorter and version.instruction == "更简洁" and version.backend == "llm"
    assert [v.id for v in store.list_versions("w", "problems")] == [first.id, version.id]
    assert "-一是公开方式单一化、陈旧化，以文字形式为主。" in store.diff(first.id, version.id)


def test_api_key_appears_in_no_output(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"text": PROBLEMS_INVENTED}, {"text": PROBLEMS_INVENTED}, {"text": PROBLEMS_INVENTED})
    fake.push({"status": 401}, {"status": 500})
    drafter = make(fake)
    results = [drafter.draft_part("problems", notes, report), drafter.draft_part("improvements", notes, report)]
    store = VersionStore()
    for r in results:
        store.add_version("w", r.part, r.text, instruction=None, backend=r.backend, findings=r.findings)
    dumped = json.dumps([r.to_data() for r in results], ensure_ascii=False) + drafter.describe()
    assert SECRET not in dumped
    assert SECRET.encode() not in store.path.read_bytes()
    assert fake.chat_requests()  # the key did go to the server, in the Authorization header only


def test_reasoning_blocks_and_markdown_are_removed(fake: FakeOpenAIServer, notes: Notes, report: Report) -> None:
    fake.push({"text": f"<think>要点里有三条问题，数字37不能写。</think>\n## 存在问题\n**{PROBLEMS_OK}**"})
    result = make(fake).draft_part("problems", notes, report)
    assert result.text == PROBLEMS_OK and result.findings == [] and result.usage.reasks == 0


def test_key_split_across_stream_chunks_is_redacted() -> None:
    """A regression: the key echoed by a model reached the draft, the store and exports (found by fuzzing)."""
    from pydantic import SecretStr

    from assistant.drafting.chain import KeyRedactor
    from assistant.drafting.settings import DraftSettings

    redactor = KeyRedactor(DraftSettings(api_key=SecretStr("sk-secret-123")))
    pieces = ["密钥为 sk-se", "cret-1", "23，完毕。sk-", "不是密钥"]
    shown = "".join(redactor.feed(p) for p in pieces) + redactor.flush()
    assert "sk-secret-123" not in shown and "***" in shown
    assert shown.endswith("完毕。sk-不是密钥")
    assert redactor.feed("普通文字") == "普通文字"  # nothing held back when no key prefix is pending
