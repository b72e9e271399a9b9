"""The wire to a model endpoint: per-endpoint concurrency, the per-call deadline, stopping at any chunk.

Each call registers a ``CallGuard`` and sends its id in a request header (``CALL_HEADER``, removed before
the request leaves); the HTTP transports of the model's clients find the guard by that id and check it on
every raw chunk they read (SSE data, keep-alive comments, empty deltas alike). So a stream that never ends
is closed at its deadline or as soon as the clerk presses 停止生成, even when no token arrives — whatever
thread goes on reading the stream (a header, not a context variable: Gradio resumes a generator in
another worker thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx2 as httpx  # the HTTP library of openai 3.x (an httpx fork with the same API)

log = logging.getLogger("assistant.drafting.calls")


class CallAborted(Exception):
    """A model call ended by us: ``kind`` is ``deadline``, ``stopped`` or ``too_long``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


STOPPED_REASON = "已停止生成"  # the clerk pressed 停止


@dataclass
class CallGuard:
    """The bounds of one model call: a wall-clock deadline (monotonic seconds) and a stop flag."""

    deadline: float
    seconds: float
    stop: threading.Event | None = None
    silence: float | None = None  # seconds allowed between chunks once the response has started
    first_byte: float | None = None  # seconds allowed until the response starts
    # Monotonic time by which the clerk must see text (streamed calls), and whether any came.
    first_text_by: float | None = None
    first_text_seconds: float = 0.0
    text_seen: bool = False

    def _first_text_left(self) -> float | None:
        if self.first_text_by is None or self.text_seen:
            return None
        return max(0.1, self.first_text_by - time.monotonic())

    def first_byte_timeouts(self, request: httpx.Request) -> dict[str, float | None] | None:
        """Give the wait for the response's start (the prompt's evaluation: llama.cpp sends its headers
        with the first token) its own bound, ``first_byte`` within the deadline; ``silence`` applies from
        then on."""
        current = request.extensions.get("timeout")
        if not isinstance(current, dict) or self.silence is None:
            return None
        timeouts = dict(current)
        remaining = max(0.1, self.deadline - time.monotonic())
        bounds = [remaining, self.first_byte, self._first_text_left()]
        timeouts["read"] = min(b for b in bounds if b)
        request.extensions["timeout"] = timeouts
        return timeouts

    def after_first_byte(self, timeouts: dict[str, float | None] | None) -> None:
        # The body reader takes its read timeout from this very dict when it starts, once for the whole
        # body: it stays ``silence`` (a shorter bound for the first text would also cut the stream short
        # after its text began). Bytes without text are caught by ``check`` at the clerk's deadline.
        if timeouts is not None:
            timeouts["read"] = self.silence

    def check(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise CallAborted("stopped", STOPPED_REASON)
        now = time.monotonic()
        if self.first_text_by is not None and not self.text_seen and now > self.first_text_by:
            raise CallAborted("no_text", no_text_reason(self.first_text_seconds))
        if now > self.deadline:
            raise CallAborted("deadline", f"模型在 {self.seconds:g} 秒内未写完本部分")

    @contextlib.contextmanager
    def registered(self) -> Iterator[dict[str, str]]:
        """The extra headers that bind a request to this guard, while the call runs."""
        call_id = uuid.uuid4().hex
        with _GUARDS_LOCK:
            _GUARDS[call_id] = self
        try:
            yield {CALL_HEADER: call_id}
        finally:
            with _GUARDS_LOCK:
                _GUARDS.pop(call_id, None)


def no_text_reason(seconds: float) -> str:
    """Why a draft stopped waiting: no text within ``seconds`` (the settings' ``first_text_timeout``)."""
    return f"模型在 {seconds:g} 秒内没有开始输出"


CALL_HEADER = "x-xxgk-call"
_GUARDS: dict[str, CallGuard] = {}
_GUARDS_LOCK = threading.Lock()


def new_guard(
    seconds: float, stop: threading.Event | None = None, silence: float | None = None, first_byte: float | None = None,
    first_text_by: float | None = None, first_text_seconds: float = 0.0,
) -> CallGuard:
    """The guard of a call that may take ``seconds`` in all, ``first_byte`` seconds until its response
    starts and ``silence`` seconds between chunks after that; a streamed call shows text by ``first_text_by``."""
    return CallGuard(time.monotonic() + seconds, seconds, stop, silence, first_byte, first_text_by, first_text_seconds)


def _guard_of(request: httpx.Request) -> CallGuard | None:
    call_id = request.headers.pop(CALL_HEADER, None)
    if call_id is None:
        return None
    with _GUARDS_LOCK:
        return _GUARDS.get(call_id)


class _GuardedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, guard: CallGuard) -> None:
        self.inner, self.guard = inner, guard

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.guard.check()
            yield chunk

    def close(self) -> None:
        self.inner.close()


class _AsyncGuardedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, guard: CallGuard) -> None:
        self.inner, self.guard = inner, guard

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.guard.check()
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


# No Nagle: a request's headers and body leave in separate writes, and Nagle + the server's delayed ACK
# held the body back ~40 ms per call (measured against llama.cpp's uvicorn server). Keep-alive probes
# notice a server that vanished mid-stream.
SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1), (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]


class GuardedTransport(httpx.BaseTransport):
    """An HTTP transport that enforces the current call's guard on every chunk it reads."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport(socket_options=SOCKET_OPTIONS)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        guard = _guard_of(request)
        if guard is None:
            return self.inner.handle_request(request)
        guard.check()
        timeouts = guard.first_byte_timeouts(request)
        response = self.inner.handle_request(request)
        guard.after_first_byte(timeouts)
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _GuardedStream(response.stream, guard)
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncGuardedTransport(httpx.AsyncBaseTransport):
    """The async ``GuardedTransport``."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(socket_options=SOCKET_OPTIONS)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        guard = _guard_of(request)
        if guard is None:
            return await self.inner.handle_async_request(request)
        guard.check()
        timeouts = guard.first_byte_timeouts(request)
        response = await self.inner.handle_async_request(request)
        guard.after_first_byte(timeouts)
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _AsyncGuardedStream(response.stream, guard)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def http_timeout(seconds: float) -> httpx.Timeout:
    """``seconds`` of silence allowed (connect, each read). Inside a guarded call the wait for the first
    byte runs to the call's deadline instead; waiting for a slot is ours and never counted."""
    return httpx.Timeout(seconds, connect=min(seconds, 10.0), pool=None)


def endpoint_name(url: str | None) -> str:
    """host:port of an endpoint — what the log names (never a key, never a query string)."""
    parts = urlparse(url or "")
    return f"{parts.hostname or '?'}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


@dataclass
class EndpointGate:
    """How many calls may be in flight to one endpoint. ``limit`` starts at the configured concurrency and
    drops to 1 when a call timed out before its first token while others were in flight (a server that
    serves one request at a time)."""

    name: str
    limit: int
    in_flight: int = 0
    acquired: int = 0  # slots ever taken: a call that sees it grow shared the server with another
    learned: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def try_acquire(self) -> bool:
        with self._cond:
            if self.in_flight < self.limit:
                self.in_flight += 1
                self.acquired += 1
                return True
            return False

    def acquire(self, stop: threading.Event | None = None, until: float | None = None) -> bool:
        """Wait for a slot; False if ``stop`` was set while waiting or the monotonic time ``until`` passed."""
        with self._cond:
            while self.in_flight >= self.limit:
                if (stop is not None and stop.is_set()) or (until is not None and time.monotonic() >= until):
                    return False
                self._cond.wait(0.1)
            self.in_flight += 1
            self.acquired += 1
            return True

    async def aacquire(self, stop: threading.Event | None = None, until: float | None = None) -> bool:
        while not self.try_acquire():
            if (stop is not None and stop.is_set()) or (until is not None and time.monotonic() >= until):
                return False
            await asyncio.sleep(0.05)
        return True

    def overlap(self, acquired_at_start: int) -> int:
        """How many other calls were in flight during a call that started when ``acquired`` was
        ``acquired_at_start`` (those still running, and those that started after it)."""
        with self._cond:
            return max(self.in_flight - 1, self.acquired - acquired_at_start)

    def release(self) -> None:
        with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    def go_sequential(self) -> bool:
        """Serve one call at a time from now on; True if this changed anything."""
        with self._cond:
            if self.limit == 1:
                return False
            self.limit, self.learned = 1, True
            log.warning("模型服务 %s 在并发请求时超时，此后改为逐个发送请求", self.name)
            return True


_GATES: dict[tuple[str, str], EndpointGate] = {}
_GATES_LOCK = threading.Lock()


def gate_for(url: str, model: str, concurrency: int) -> EndpointGate:
    """The process-wide gate of an endpoint (shared by every drafter, clerk and thread)."""
    key = (url.rstrip("/"), model)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = EndpointGate(endpoint_name(url), concurrency)
        elif not gate.learned and gate.limit != concurrency:
            with gate._cond:
                gate.limit = concurrency
                gate._cond.notify_all()
        return gate
