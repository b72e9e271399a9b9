"""The drafting chain: notes + report → prompt → model → text → number guard → targeted re-ask or fallback.

The control flow is written once, as a generator (``_plan``) that yields model calls and events; the
sync and async drivers only perform the calls. So streaming, sync and async behave identically.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import tenacity
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableLambda

from ..checks import Finding
from ..schema import Report
from .endpoint import STOPPED_REASON, CallAborted, CallGuard, EndpointGate, gate_for, new_guard, no_text_reason
from .errors import Failure, classify, model_failures
from .guard import guard_text, mark_unverified
from .model import build_chat_model
from .notes import PARTS, Notes, check_part, part_label
from .offline import draft_offline_result
from .prompts import chat_prompt, estimate_tokens, prompt_inputs, read_prompt, tables_brief
from .replies import Reply, clean_reply, reply_problem
from .results import DraftEvent, DraftResult, Usage
from .settings import DraftSettings, load_settings

log = logging.getLogger("assistant.drafting.calls")


@dataclass
class _Call:
    messages: list[BaseMessage]
    stream: bool
    stop: threading.Event | None = None




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
    """One model reply as it arrives: joins the chunks, keeps the API key out of what is shown and kept, and
    ends the stream once the reply passes the length cap (checked on every chunk, not at the end)."""

    def __init__(self, settings: DraftSettings, messages: list[BaseMessage]) -> None:
        self.settings = settings
        self.messages = messages
        self.redactor = KeyRedactor(settings)  # a model may echo the key: never show or store it
        self.full: AIMessageChunk | None = None
        self.shown = ""
        self.length = 0

    def add(self, chunk: AIMessageChunk) -> str:
        """The text to show for this chunk (possibly empty while a key prefix is held back)."""
        self.full = chunk if self.full is None else self.full + chunk
        if not chunk.text:
            return ""
        self.length += len(chunk.text)
        if self.length > self.settings.max_reply_chars:
            raise CallAborted("too_long", f"模型输出过长（超过上限 {self.settings.max_reply_chars} 字），已中止")
        piece = self.redactor.feed(chunk.text)
        self.shown += piece
        return piece

    def finish(self) -> tuple[str, Reply]:
        """The held-back tail to show, and the whole reply."""
        full = self.full
        metadata = full.response_metadata if full else {}
        text = self.settings.redact(full.text if full else "")
        reply = Reply(text, metadata.get("finish_reason"), self._usage(full, text))
        return self.redactor.flush(), reply

    def whole(self, msg: AIMessage) -> Reply:
        """A reply that came in one piece (no streaming)."""
        text = self.settings.redact(msg.text)
        return Reply(text, msg.response_metadata.get("finish_reason"), self._usage(msg, text))

    def _usage(self, message: AIMessage | AIMessageChunk | None, text: str) -> Usage:
        """Tokens as the server reported them; estimated (and said so) when a server reports none."""
        usage = Usage(calls=1)
        meta = getattr(message, "usage_metadata", None) if message is not None else None
        if meta and (meta.get("input_tokens") or meta.get("output_tokens")):
            usage.prompt_tokens = int(meta.get("input_tokens", 0))
            usage.completion_tokens = int(meta.get("output_tokens", 0))
        else:
            usage.prompt_tokens = sum(estimate_tokens(m.text) for m in self.messages)
            usage.completion_tokens = estimate_tokens(text)
            usage.estimated = True
        return usage


def _system_text(messages: list[BaseMessage]) -> str:
    return "\n".join(m.text for m in messages if isinstance(m, SystemMessage))


# Failures that mean "still waiting for the model" (turned into no_text once the clerk's wait is over);
# a refusal, a bad request or the clerk's stop keep their own reason.
_WAITING_KINDS = frozenset({"timeout", "connection", "server", "rate", "no_text"})


class _Policy:
    """The retry policy of one model call (tenacity) and what the call learned.

    Retried: rate limits, 5xx, timeouts and broken connections before any text was shown — with
    exponential back-off and jitter, or the server's Retry-After (a Retry-After beyond
    ``retry_wait_max`` ends the retries: waiting less would only be refused again). A timeout before the
    first token while other calls were in flight to the same endpoint makes the endpoint sequential and
    earns one extra try (the server was busy with the others, not broken).
    """

    def __init__(self, settings: DraftSettings, gate: EndpointGate) -> None:
        self.settings = settings
        self.gate = gate
        self.started = False
        self.attempts = 0
        self.free = 0
        self.free_now = False
        self.others = 0
        self.failure: Failure | None = None
        self.first_text_by: float | None = None  # set for a streamed call: when the clerk must see text
        self._jitter = tenacity.wait_exponential_jitter(initial=0.5, max=max(settings.retry_wait_max, 0.01), jitter=0.5)

    def should_retry(self, exc: BaseException) -> bool:
        if not isinstance(exc, model_failures()):
            return False  # a bug of ours: not a model failure, never retried or hidden
        failure = self.failure = classify(exc, self.settings.key_withheld)
        if failure.kind in _WAITING_KINDS and self.waited_out():  # not a refusal, a stop or a bad request
            self.failure = Failure(no_text_reason(self.settings.first_text_timeout), False, "no_text")
            return False
        if not failure.retryable or self.started:
            return False
        if failure.retry_after is not None and failure.retry_after > self.settings.retry_wait_max:
            return False
        if failure.kind == "timeout" and self.others > 0 and not self.free:
            self.gate.go_sequential()
            self.free, self.free_now = 1, True
        return True

    def waited_out(self) -> bool:
        """No text yet and the clerk's wait for it is over: no retry (the part is drafted offline)."""
        return not self.started and self.first_text_by is not None and time.monotonic() >= self.first_text_by

    def not_started(self, stop: threading.Event | None) -> CallAborted:
        """Why a call waiting for its slot gave up: the clerk stopped it, or waited out the first text."""
        if (stop is None or not stop.is_set()) and self.waited_out():
            return CallAborted("no_text", no_text_reason(self.settings.first_text_timeout))
        return CallAborted("stopped", STOPPED_REASON)

    def stop(self, state: tenacity.RetryCallState) -> bool:
        return state.attempt_number > self.settings.retries + self.free

    def wait(self, state: tenacity.RetryCallState) -> float:
        if self.free_now:
            self.free_now = False
            return 0.0
        if self.failure is not None and self.failure.retry_after is not None:
            seconds = min(self.failure.retry_after, self.settings.retry_wait_max)
        else:
            seconds = float(self._jitter(state))
        if self.first_text_by is not None and not self.started:  # never sleep past the clerk's wait
            seconds = max(0.0, min(seconds, self.first_text_by - time.monotonic()))
        return seconds

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        reason = self.failure.reason if self.failure else "?"
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("模型服务 %s：%s，%.1f 秒后重试（第 %d 次）", self.gate.name, reason, wait, state.attempt_number)

    def retrying(self) -> tenacity.Retrying:
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(self.should_retry), stop=self.stop, wait=self.wait,
            before_sleep=self._before_sleep, reraise=True,
        )

    def aretrying(self) -> tenacity.AsyncRetrying:
        return tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception(self.should_retry), stop=self.stop, wait=self.wait,
            before_sleep=self._before_sleep, reraise=True,
        )

    def failed(self, exc: BaseException, shown: str) -> Reply:
        failure = self.failure if self.failure is not None else classify(exc, self.settings.key_withheld)
        return Reply(text=shown, error=self.settings.redact(failure.reason), kind=failure.kind, usage=Usage(calls=1))

    def finish(self, reply: Reply, started_at: float) -> Reply:
        reply.usage.calls = max(self.attempts, 1)
        reply.usage.retries = max(self.attempts - 1, 0)
        u = reply.usage
        log.info(
            "模型调用 %s：用时 %.2f 秒，输入 %d、输出 %d tokens%s，重试 %d 次，结果：%s",
            self.gate.name, time.monotonic() - started_at, u.prompt_tokens, u.completion_tokens,
            "（估算）" if u.estimated else "", u.retries, reply.error or reply.finish_reason or "完成",
        )
        return reply


def _violations(findings: list[Finding]) -> str:
    lines = []
    for i, f in enumerate(findings, 1):
        if f.rule in ("X2", "R4.3", "X9") and f.expected is not None:
            lines.append(f"{i}. {f.message}请改为表格中的 {f.expected}。")
        else:
            lines.append(f"{i}. {f.message}")
    return "\n".join(lines)


class Drafter:
    """Drafts the narrative parts with the configured model, or offline when none is configured.

    ``chat_model`` can be injected (unit tests); otherwise ``build_chat_model(settings)`` is used.
    Every failure of the model service ends in the offline drafter, announced in ``DraftResult.notice``;
    a bug of ours is raised. Calls to one endpoint share its concurrency gate (``settings.concurrency``);
    offline drafting never waits for it. ``previous`` (last year's report) lets the guard flag
    疑似沿用上年数据.
    """

    def __init__(
        self, settings: DraftSettings | None = None, chat_model: BaseChatModel | None = None,
        previous: Report | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        model = chat_model if chat_model is not None else build_chat_model(self.settings)
        self.model: BaseChatModel | None = None if self.settings.offline else model
        self.previous = previous
        self._owns_model = chat_model is None
        self.gate = gate_for(self.settings.base_url or "injected", self.settings.model, self.settings.concurrency)
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

    def _guard(self, part: str, text: str, notes: Notes, report: Report) -> list[Finding]:
        return guard_text(part, text, notes, report, self.previous)

    def _offline(
        self, part: str, notes: Notes, report: Report, usage: Usage, reason: str | None,
        instruction: str | None = None, previous_text: str | None = None,
    ) -> DraftResult:
        drafted = draft_offline_result(part, notes, report, instruction, previous_text)
        text = drafted.text
        findings = self._guard(part, text, notes, report)
        if findings:
            text = mark_unverified(text, findings)
        if reason is None:
            notice = f"{self.describe()}：按模板由要点和统计表格生成。"
            if drafted.note:
                notice += drafted.note
            return DraftResult(part, text, "offline", findings, usage, None, notice)
        reason = self.settings.redact(reason)
        notice = f"模型起草失败（{reason}），已改用离线起草；要点和此前的稿件均已保留。"
        if drafted.note:
            notice += drafted.note
        return DraftResult(part, text, "offline-fallback", findings, usage, reason, notice)

    def _plan(
        self, part: str, notes: Notes, report: Report, instruction: str | None, previous_text: str | None,
        stream: bool, stop: threading.Event | None = None,
    ) -> Generator[_Call | DraftEvent, Reply | None, DraftResult]:
        check_part(part)
        usage = Usage()
        if self.model is None:
            return self._offline(part, notes, report, usage, None, instruction, previous_text)
        messages = chat_prompt(part).format_messages(**prompt_inputs(part, notes, report, instruction, previous_text))
        # What a reply may relate to: the notes and tables, and the prompt's own wording (its example, the
        # part's vocabulary) — sparse notes must not make a proper paragraph look unrelated.
        sources = "\n".join([*(m.text for m in messages), notes.all_text(), tables_brief(report), previous_text or ""])
        reply = yield _Call(messages, stream, stop)
        assert reply is not None
        usage.add(reply.usage)
        if reply.kind == "stopped":
            return DraftResult(part, reply.text, "llm", [], usage, None, "已停止生成；已写出的内容予以保留。",
                               interrupted=True)
        problem = reply_problem(reply, self.settings.max_reply_chars, _system_text(messages), sources)
        if problem:
            yield DraftEvent("status", f"{problem}，改用离线起草。")
            return self._offline(part, notes, report, usage, problem, instruction, previous_text)
        text = clean_reply(reply.text)
        findings = self._guard(part, text, notes, report)
        notice: str | None = None
        for attempt in range(1, self.settings.guard_tries + 1):
            if not findings:
                break
            yield DraftEvent(
                "status", f"发现 {len(findings)} 处数字无法核实，正在请模型重写本部分（第 {attempt} 次）。"
            )
            reask = read_prompt("reask.md").format(part_label=part_label(part), violations=_violations(findings))
            messages = [*messages, AIMessage(text), HumanMessage(reask)]
            reply = yield _Call(messages, False, stop)
            assert reply is not None
            usage.add(reply.usage)
            usage.reasks += 1
            problem = reply_problem(reply, self.settings.max_reply_chars, _system_text(messages), sources)
            if problem:
                notice = f"重写失败（{self.settings.redact(problem)}），保留上一稿并标注待核实。"
                break
            text = clean_reply(reply.text)
            findings = self._guard(part, text, notes, report)
        if findings:
            text = mark_unverified(text, findings)
            notice = (notice + " " if notice else "") + f"仍有 {len(findings)} 处数字无法核实，已标注【待核实】。"
        elif usage.reasks:
            notice = f"经 {usage.reasks} 次重写，数字均已核实。"
        return DraftResult(part, text, "llm", findings, usage, None, notice)

    # ------------------------------------------------------------ sync driver

    def _call_guard(self, call: _Call, policy: _Policy) -> CallGuard:
        s = self.settings
        return new_guard(s.deadline, call.stop, silence=s.timeout, first_byte=s.first_token_timeout,
                         first_text_by=policy.first_text_by, first_text_seconds=s.first_text_timeout)

    def _policy(self, call: _Call) -> _Policy:
        policy = _Policy(self.settings, self.gate)
        if call.stream:  # the clerk watches a streamed call: its first text is due within first_text_timeout
            policy.first_text_by = time.monotonic() + self.settings.first_text_timeout
        return policy

    def _attempt_sync(self, call: _Call, policy: _Policy, reader: _StreamReader) -> Generator[DraftEvent, None, Reply]:
        assert self.model is not None
        policy.attempts += 1
        if not self.gate.acquire(call.stop, policy.first_text_by):
            raise policy.not_started(call.stop)
        policy.others = self.gate.in_flight - 1  # shared the server with these from the start
        acquired_at_start = self.gate.acquired
        guard = self._call_guard(call, policy)  # the deadline counts from the slot, not the queue
        try:
            with guard.registered() as headers:
                if call.stream:
                    for chunk in self.model.stream(call.messages, extra_headers=headers):
                        if piece := reader.add(chunk):
                            policy.started = guard.text_seen = True  # text shown: a retry would repeat it
                            yield DraftEvent("delta", piece)
                    rest, reply = reader.finish()
                    if rest:
                        yield DraftEvent("delta", rest)
                    return reply
                return reader.whole(self.model.invoke(call.messages, extra_headers=headers))  # type: ignore[arg-type]
        except model_failures():
            policy.others = max(policy.others, self.gate.overlap(acquired_at_start))
            raise
        finally:
            self.gate.release()

    def _call_sync(self, call: _Call) -> Generator[DraftEvent, None, Reply]:
        policy = self._policy(call)
        started_at = time.monotonic()
        reader = _StreamReader(self.settings, call.messages)
        try:
            for attempt in policy.retrying():
                with attempt:
                    reader = _StreamReader(self.settings, call.messages)
                    reply = yield from self._attempt_sync(call, policy, reader)
        except model_failures() as exc:  # the model service failed: the plan falls back (a bug is raised)
            reply = policy.failed(exc, reader.shown)
        return policy.finish(reply, started_at)

    def stream_part(
        self, part: str, notes: Notes, report: Report, instruction: str | None = None,
        previous_text: str | None = None, stop: threading.Event | None = None,
    ) -> Iterator[DraftEvent]:
        """Draft one part, yielding text deltas as they arrive, status messages, then ``done`` with the result.

        Setting ``stop`` ends the model's stream at its next chunk (keep-alive comments included); the
        result then keeps what was written, with ``interrupted`` set.
        """
        yield from self._drive_sync(self._plan(part, notes, report, instruction, previous_text, True, stop))

    def _drive_sync(self, plan: Generator[_Call | DraftEvent, Reply | None, DraftResult]) -> Iterator[DraftEvent]:
        reply: Reply | None = None
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
        self, part: str, notes: Notes, report: Report, instruction: str | None = None,
        previous_text: str | None = None, stop: threading.Event | None = None,
    ) -> DraftResult:
        """Draft one part (no streaming)."""
        for event in self._drive_sync(self._plan(part, notes, report, instruction, previous_text, False, stop)):
            if event.type == "done" and event.result is not None:
                return event.result
        raise RuntimeError("起草未完成")  # unreachable: the plan always ends with a result

    def draft_all(self, notes: Notes, report: Report, parts: list[str] | None = None) -> dict[str, DraftResult]:
        """Draft several parts: as many at once as the endpoint's gate allows; results in the order of ``parts``."""
        wanted = [check_part(p) for p in (parts or list(PARTS))]
        if self.model is None or len(wanted) == 1:
            return {p: self.draft_part(p, notes, report) for p in wanted}
        with ThreadPoolExecutor(max_workers=min(len(wanted), self.settings.concurrency)) as pool:
            futures = {p: pool.submit(self.draft_part, p, notes, report) for p in wanted}
            return {p: futures[p].result() for p in wanted}

    # ------------------------------------------------------------ async driver

    async def _attempt_async(
        self, call: _Call, policy: _Policy, reader: _StreamReader
    ) -> AsyncIterator[DraftEvent | Reply]:
        model = self._async_model()
        policy.attempts += 1
        if not await self.gate.aacquire(call.stop, policy.first_text_by):
            raise policy.not_started(call.stop)
        policy.others = self.gate.in_flight - 1  # shared the server with these from the start
        acquired_at_start = self.gate.acquired
        guard = self._call_guard(call, policy)
        try:
            with guard.registered() as headers:
                if call.stream:
                    async for chunk in model.astream(call.messages, extra_headers=headers):
                        if piece := reader.add(chunk):
                            policy.started = guard.text_seen = True
                            yield DraftEvent("delta", piece)
                    rest, reply = reader.finish()
                    if rest:
                        yield DraftEvent("delta", rest)
                    yield reply
                else:
                    yield reader.whole(await model.ainvoke(call.messages, extra_headers=headers))  # type: ignore[arg-type]
        except model_failures():
            policy.others = max(policy.others, self.gate.overlap(acquired_at_start))
            raise
        finally:
            self.gate.release()

    async def _call_async(self, call: _Call) -> AsyncIterator[DraftEvent | Reply]:
        policy = self._policy(call)
        started_at = time.monotonic()
        reader = _StreamReader(self.settings, call.messages)
        reply: Reply | None = None
        try:
            async for attempt in policy.aretrying():
                with attempt:
                    reader = _StreamReader(self.settings, call.messages)
                    async for item in self._attempt_async(call, policy, reader):
                        if isinstance(item, Reply):
                            reply = item
                        else:
                            yield item
        except model_failures() as exc:
            reply = policy.failed(exc, reader.shown)
        assert reply is not None
        yield policy.finish(reply, started_at)

    async def _drive_async(
        self, plan: Generator[_Call | DraftEvent, Reply | None, DraftResult]
    ) -> AsyncIterator[DraftEvent]:
        reply: Reply | None = None
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
                if isinstance(item, Reply):
                    reply = item
                else:
                    yield item

    async def astream_part(
        self, part: str, notes: Notes, report: Report, instruction: str | None = None,
        previous_text: str | None = None, stop: threading.Event | None = None,
    ) -> AsyncIterator[DraftEvent]:
        """Async ``stream_part``."""
        async for event in self._drive_async(self._plan(part, notes, report, instruction, previous_text, True, stop)):
            yield event

    async def adraft_part(
        self, part: str, notes: Notes, report: Report, instruction: str | None = None,
        previous_text: str | None = None, stop: threading.Event | None = None,
    ) -> DraftResult:
        """Async ``draft_part``."""
        async for event in self._drive_async(self._plan(part, notes, report, instruction, previous_text, False, stop)):
            if event.type == "done" and event.result is not None:
                return event.result
        raise RuntimeError("起草未完成")

    async def adraft_all(self, notes: Notes, report: Report, parts: list[str] | None = None) -> dict[str, DraftResult]:
        """Draft several parts concurrently (asyncio.gather; the endpoint's gate bounds what is in flight)."""
        wanted = [check_part(p) for p in (parts or list(PARTS))]
        results = await asyncio.gather(*(self.adraft_part(p, notes, report) for p in wanted))
        return dict(zip(wanted, results, strict=True))
