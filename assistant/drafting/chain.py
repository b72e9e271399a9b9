"""The drafting chain: notes + report → prompt → model → text → number guard → targeted re-ask or fallback.

The control flow is written once, as a generator (``_plan``) that yields model calls and events; the
sync and async drivers only perform the calls. So streaming, sync and async behave identically.
"""

from __future__ import annotations

import asyncio
import re
import time
import weakref
from collections.abc import AsyncIterator, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from langchain_core.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableLambda

from ..checks import Finding
from ..schema import Report
from .guard import guard_text, mark_unverified
from .model import build_chat_model
from .notes import PARTS, Notes, check_part, part_label
from .offline import draft_offline
from .prompts import chat_prompt, prompt_inputs, read_prompt
from .results import DraftEvent, DraftResult, Usage
from .settings import DraftSettings, load_settings


@dataclass
class _Call:
    messages: list[BaseMessage]
    stream: bool


@dataclass
class _Reply:
    text: str = ""
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None


_CJK = re.compile(r"[\u4e00-\u9fff]")


_THINK = re.compile(r"<think>.*?</think>", re.S)
_FENCE = re.compile(r"^```\w*\s*$", re.M)
_MD_HEADING = re.compile(r"^\s*#{1,6}\s.*$\n?", re.M)


def clean_reply(text: str) -> str:
    """The prose of a reply: without reasoning blocks (<think>…</think> of R1/Qwen3 servers), code fences,
    Markdown headings or bold markers, which some models add despite the prompt."""
    text = _THINK.sub("", text)
    text = _FENCE.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = text.replace("**", "").replace("__", "")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def reply_problem(reply: _Reply, max_chars: int = 8000, instructions: str = "") -> str | None:
    """Why a reply cannot be used (Chinese), or None.

    Empty, cut, not Chinese prose, runaway length (over ``max_chars``), or a reply that recites the
    drafting instructions (``instructions``: the system prompt) instead of writing the part.
    """
    if reply.error:
        return reply.error
    text = clean_reply(reply.text)
    if not text:
        return "模型返回了空内容"
    if reply.finish_reason != "stop":
        return f"模型输出不完整（结束原因：{reply.finish_reason or '连接提前结束'}）"
    visible = re.sub(r"\s", "", text)
    if len(_CJK.findall(visible)) < max(10, len(visible) * 0.3):
        return "模型返回的不是中文正文"
    if len(text) > max_chars:
        return f"模型输出过长（{len(text)} 字，超过上限 {max_chars} 字）"
    if repeated := _repeated_sentence(text):
        return f"模型输出过长且反复重复同一句话（“{repeated[:20]}…”）"
    if recites(visible, instructions):
        return "模型复述了起草要求，而不是撰写正文"
    return None


def _repeated_sentence(text: str) -> str | None:
    """A sentence of 8+ characters that occurs three times or more: a runaway generation."""
    seen: dict[str, int] = {}
    for sentence in re.split(r"(?<=[。；！？])", text):
        key = re.sub(r"\s|^[一二三四五六七八九十]+是", "", sentence)
        if len(key) >= 8:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] >= 3:
                return sentence.strip()
    return None


def recites(visible_text: str, instructions: str) -> bool:
    """Whether the reply contains a whole line (12+ characters) of the instructions, verbatim."""
    for line in instructions.splitlines():
        probe = re.sub(r"\s", "", line)
        probe = re.sub(r"^(\d+[.、．]|[-*#>]+)", "", probe)
        if len(probe) >= 12 and probe in visible_text:
            return True
    return False


class KeyRedactor:
    """Removes the API key from streamed text even when the key is split across chunks.

    Holds back a tail of the text only while it could be the beginning of the key.
    """

    def __init__(self, settings: DraftSettings) -> None:
        self.settings = settings
        self.key = settings.api_key.get_secret_value() if settings.api_key else ""
        self.buffer = ""

    def feed(self, piece: str) -> str:
        if not self.key:
            return piece
        text = self.settings.redact(self.buffer + piece)
        # Hold back only a tail that could be the start of the key; everything else is shown at once.
        keep = next((k for k in range(min(len(self.key) - 1, len(text)), 0, -1) if self.key.startswith(text[-k:])), 0)
        ready, self.buffer = text[: len(text) - keep], text[len(text) - keep :]
        return ready

    def flush(self) -> str:
        rest, self.buffer = self.settings.redact(self.buffer), ""
        return rest


class _StreamReader:
    """One model reply as it arrives: joins the chunks and keeps the API key out of what is shown and kept."""

    def __init__(self, settings: DraftSettings) -> None:
        self.settings = settings
        self.redactor = KeyRedactor(settings)  # a model may echo the key: never show or store it
        self.full: AIMessageChunk | None = None
        self.started = False  # once text has arrived, a retry would repeat it: fall back instead

    def add(self, chunk: AIMessageChunk) -> str:
        """The text to show for this chunk (possibly empty while a key prefix is held back)."""
        self.full = chunk if self.full is None else self.full + chunk
        if not chunk.text:
            return ""
        self.started = True
        return self.redactor.feed(chunk.text)

    def finish(self) -> tuple[str, _Reply]:
        """The held-back tail to show, and the whole reply."""
        full = self.full
        metadata = full.response_metadata if full else {}
        reply = _Reply(self.settings.redact(full.text if full else ""), metadata.get("finish_reason"), _usage_of(full))
        return self.redactor.flush(), reply

    def whole(self, msg: AIMessage) -> _Reply:
        """A reply that came in one piece (no streaming)."""
        return _Reply(self.settings.redact(msg.text), msg.response_metadata.get("finish_reason"), _usage_of(msg))


def _system_text(messages: list[BaseMessage]) -> str:
    return "\n".join(m.text for m in messages if isinstance(m, SystemMessage))


def _classify(exc: BaseException) -> tuple[str, bool]:
    """(Chinese reason, retryable) of a model error."""
    if isinstance(exc, ModelRateLimitError):
        return "模型服务限流（HTTP 429）", True
    if isinstance(exc, ModelTimeoutError | TimeoutError):
        return "模型服务响应超时", True
    if isinstance(exc, ModelConnectionError):
        return "与模型服务的连接中断", True
    if isinstance(exc, ModelAPIError):
        status = getattr(exc, "status_code", None)
        retryable = status is None or status >= 500
        return f"模型服务返回错误（HTTP {status or '未知'}）", retryable
    return f"模型调用失败（{type(exc).__name__}）", False


def _usage_of(message: AIMessage | AIMessageChunk | None) -> Usage:
    usage = Usage(calls=1)
    meta = getattr(message, "usage_metadata", None) if message is not None else None
    if meta:
        usage.prompt_tokens = int(meta.get("input_tokens", 0))
        usage.completion_tokens = int(meta.get("output_tokens", 0))
    return usage


def _violations(findings: list[Finding]) -> str:
    lines = []
    for i, f in enumerate(findings, 1):
        if f.rule == "X2":
            lines.append(f"{i}. {f.message}请改为表格中的 {f.expected}。")
        else:
            lines.append(f"{i}. {f.message}")
    return "\n".join(lines)


class Drafter:
    """Drafts the narrative parts with the configured model, or offline when none is configured.

    ``chat_model`` can be injected (unit tests); otherwise ``build_chat_model(settings)`` is used.
    Every failure of the model ends in the offline drafter, announced in ``DraftResult.notice``.
    """

    def __init__(self, settings: DraftSettings | None = None, chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings or load_settings()
        model = chat_model if chat_model is not None else build_chat_model(self.settings)
        self.model: BaseChatModel | None = None if self.settings.offline else model
        self._owns_model = chat_model is None
        self._loop_models: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, BaseChatModel] = (
            weakref.WeakKeyDictionary()
        )

    def _async_model(self) -> BaseChatModel:
        """The model for the running event loop: an async HTTP client cannot outlive or change its loop."""
        assert self.model is not None
        if not self._owns_model:
            return self.model
        loop = asyncio.get_running_loop()
        model = self._loop_models.get(loop)
        if model is None:
            model = build_chat_model(self.settings) or self.model
            self._loop_models[loop] = model
        return model

    @property
    def backend(self) -> str:
        return "llm" if self.model is not None else "offline"

    def describe(self) -> str:
        """The backend in Chinese for stderr / the UI (never the key)."""
        if self.model is None or self.settings.base_url:
            return self.settings.describe()
        return f"模型 {type(self.model).__name__}"

    def chain(self, part: str) -> Runnable[dict[str, Any], Any]:
        """The LangChain runnable of one part: {notes, report, instruction, previous_text} → prompt → model."""
        if self.model is None:
            raise RuntimeError("未配置模型，无法构建模型链；请使用离线起草。")
        to_inputs: Runnable[dict[str, Any], dict[str, str]] = RunnableLambda(
            lambda x: prompt_inputs(part, x["notes"], x["report"], x.get("instruction"), x.get("previous_text"))
        )
        return to_inputs | chat_prompt(part) | self.model

    # ------------------------------------------------------------ the plan (shared by all drivers)

    def _offline(self, part: str, notes: Notes, report: Report, usage: Usage, reason: str | None) -> DraftResult:
        text = draft_offline(part, notes, report)
        findings = guard_text(part, text, notes, report)
        if findings:
            text = mark_unverified(text, findings)
        if reason is None:
            notice = f"{self.describe()}：按模板由要点和统计表格生成。"
            return DraftResult(part, text, "offline", findings, usage, None, notice)
        reason = self.settings.redact(reason)
        notice = f"模型起草失败（{reason}），已改用离线起草；要点和此前的稿件均已保留。"
        return DraftResult(part, text, "offline-fallback", findings, usage, reason, notice)

    def _plan(
        self, part: str, notes: Notes, report: Report, instruction: str | None, previous_text: str | None, stream: bool
    ) -> Generator[_Call | DraftEvent, _Reply | None, DraftResult]:
        check_part(part)
        usage = Usage()
        if self.model is None:
            return self._offline(part, notes, report, usage, None)
        messages = chat_prompt(part).format_messages(**prompt_inputs(part, notes, report, instruction, previous_text))
        reply = yield _Call(messages, stream)
        assert reply is not None
        usage.add(reply.usage)
        problem = reply_problem(reply, self.settings.max_reply_chars, _system_text(messages))
        if problem:
            yield DraftEvent("status", f"{problem}，改用离线起草。")
            return self._offline(part, notes, report, usage, problem)
        text = clean_reply(reply.text)
        findings = guard_text(part, text, notes, report)
        notice: str | None = None
        for attempt in range(1, self.settings.guard_tries + 1):
            if not findings:
                break
            yield DraftEvent(
                "status", f"发现 {len(findings)} 处数字无法核实，正在请模型重写本部分（第 {attempt} 次）。"
            )
            reask = read_prompt("reask.md").format(part_label=part_label(part), violations=_violations(findings))
            messages = [*messages, AIMessage(text), HumanMessage(reask)]
            reply = yield _Call(messages, False)
            assert reply is not None
            usage.add(reply.usage)
            usage.reasks += 1
            problem = reply_problem(reply, self.settings.max_reply_chars, _system_text(messages))
            if problem:
                notice = f"重写失败（{self.settings.redact(problem)}），保留上一稿并标注待核实。"
                break
            text = clean_reply(reply.text)
            findings = guard_text(part, text, notes, report)
        if findings:
            text = mark_unverified(text, findings)
            notice = (notice + " " if notice else "") + f"仍有 {len(findings)} 处数字无法核实，已标注【待核实】。"
        elif usage.reasks:
            notice = f"经 {usage.reasks} 次重写，数字均已核实。"
        return DraftResult(part, text, "llm", findings, usage, None, notice)

    # ------------------------------------------------------------ sync driver

    def _call_sync(self, call: _Call) -> Generator[DraftEvent, None, _Reply]:
        assert self.model is not None
        retries = 0
        while True:
            reader = _StreamReader(self.settings)
            try:
                if call.stream:
                    for chunk in self.model.stream(call.messages):
                        if piece := reader.add(chunk):
                            yield DraftEvent("delta", piece)
                    rest, reply = reader.finish()
                    if rest:
                        yield DraftEvent("delta", rest)
                else:
                    msg = self.model.invoke(call.messages)
                    reply = reader.whole(msg)
                reply.usage.calls += retries
                reply.usage.retries = retries
                return reply
            except Exception as exc:  # every model failure ends in the fallback, never in a crash
                reason, retryable = _classify(exc)
                if retryable and not reader.started and retries < self.settings.retries:
                    retries += 1
                    time.sleep(min(0.5 * 2 ** (retries - 1), 4.0))
                    continue
                usage = Usage(calls=retries + 1, retries=retries)
                return _Reply(error=reason, usage=usage)

    def stream_part(
        self, part: str, notes: Notes, report: Report, instruction: str | None = None, previous_text: str | None = None
    ) -> Iterator[DraftEvent]:
        """Draft one part, yielding text deltas as they arrive, status messages, then ``done`` with the result."""
        yield from self._drive_sync(self._plan(part, notes, report, instruction, previous_text, True))

    def _drive_sync(self, plan: Generator[_Call | DraftEvent, _Reply | None, DraftResult]) -> Iterator[DraftEvent]:
        reply: _Reply | None = None
        while True:
            try:
                step = plan.send(reply)
            except StopIteration as stop:
                result: DraftResult = stop.value
                yield DraftEvent("done", result.text, result)
                return
            if isinstance(step, DraftEvent):
                yield step
                reply = None
            else:
                reply = yield from self._call_sync(step)

    def draft_part(
        self, part: str, notes: Notes, report: Report, instruction: str | None = None, previous_text: str | None = None
    ) -> DraftResult:
        """Draft one part (no streaming)."""
        for event in self._drive_sync(self._plan(part, notes, report, instruction, previous_text, False)):
            if event.type == "done" and event.result is not None:
                return event.result
        raise RuntimeError("起草未完成")  # unreachable: the plan always ends with a result

    def draft_all(self, notes: Notes, report: Report, parts: list[str] | None = None) -> dict[str, DraftResult]:
        """Draft several parts concurrently (threads); results in the order of ``parts``."""
        wanted = [check_part(p) for p in (parts or list(PARTS))]
        if self.model is None or len(wanted) == 1:
            return {p: self.draft_part(p, notes, report) for p in wanted}
        with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
            futures = {p: pool.submit(self.draft_part, p, notes, report) for p in wanted}
            return {p: futures[p].result() for p in wanted}

    # ------------------------------------------------------------ async driver

    async def _call_async(self, call: _Call) -> AsyncIterator[DraftEvent | _Reply]:
        model = self._async_model()
        retries = 0
        while True:
            reader = _StreamReader(self.settings)
            try:
                if call.stream:
                    async for chunk in model.astream(call.messages):
                        if piece := reader.add(chunk):
                            yield DraftEvent("delta", piece)
                    rest, reply = reader.finish()
                    if rest:
                        yield DraftEvent("delta", rest)
                else:
                    msg = await model.ainvoke(call.messages)
                    reply = reader.whole(msg)
                reply.usage.calls += retries
                reply.usage.retries = retries
                yield reply
                return
            except Exception as exc:  # every model failure ends in the fallback
                reason, retryable = _classify(exc)
                if retryable and not reader.started and retries < self.settings.retries:
                    retries += 1
                    await asyncio.sleep(min(0.5 * 2 ** (retries - 1), 4.0))
                    continue
                yield _Reply(error=reason, usage=Usage(calls=retries + 1, retries=retries))
                return

    async def _drive_async(
        self, plan: Generator[_Call | DraftEvent, _Reply | None, DraftResult]
    ) -> AsyncIterator[DraftEvent]:
        reply: _Reply | None = None
        while True:
            try:
                step = plan.send(reply)
            except StopIteration as stop:
                result: DraftResult = stop.value
                yield DraftEvent("done", result.text, result)
                return
            if isinstance(step, DraftEvent):
                yield step
                reply = None
                continue
            reply = None
            async for item in self._call_async(step):
                if isinstance(item, _Reply):
                    reply = item
                else:
                    yield item

    async def astream_part(
        self, part: str, notes: Notes, report: Report, instruction: str | None = None, previous_text: str | None = None
    ) -> AsyncIterator[DraftEvent]:
        """Async ``stream_part``."""
        async for event in self._drive_async(self._plan(part, notes, report, instruction, previous_text, True)):
            yield event

    async def adraft_part(
        self, part: str, notes: Notes, report: Report, instruction: str | None = None, previous_text: str | None = None
    ) -> DraftResult:
        """Async ``draft_part``."""
        async for event in self._drive_async(self._plan(part, notes, report, instruction, previous_text, False)):
            if event.type == "done" and event.result is not None:
                return event.result
        raise RuntimeError("起草未完成")

    async def adraft_all(self, notes: Notes, report: Report, parts: list[str] | None = None) -> dict[str, DraftResult]:
        """Draft several parts concurrently (asyncio.gather)."""
        wanted = [check_part(p) for p in (parts or list(PARTS))]
        results = await asyncio.gather(*(self.adraft_part(p, notes, report) for p in wanted))
        return dict(zip(wanted, results, strict=True))
