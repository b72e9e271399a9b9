"""The server's edge, as plain ASGI middleware (no gradio import): an upload limit per request and a
login rate limit.

Gradio bounds each uploaded file but not the request: ten files of the per-file maximum pass in one
request. Here every upload request must declare its length, and one over the limit is refused before its
body is read. Failed logins are counted per client address; past the limit the login answers 429 until
the window has passed, so a password cannot be guessed at network speed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# multipart headers and boundaries around one file
MULTIPART_OVERHEAD = 64 * 1024
LOGIN_FAILURES = 5
LOGIN_WINDOW_SECONDS = 300.0


class LoginLimiter:
    """Failed logins per client address within a sliding window (thread-safe)."""

    def __init__(self, failures: int = LOGIN_FAILURES, window: float = LOGIN_WINDOW_SECONDS) -> None:
        self.failures = failures
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._seen.setdefault(client, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked_for(self, client: str) -> float:
        """Seconds until ``client`` may try again (0 when it may now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self.failures:
                return 0.0
            return max(0.0, self.window - (now - times[0]))

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode("utf-8")
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                    *(headers or [])],
    })
    await send({"type": "http.response.body", "body": body})


class EdgeGuard:
    """ASGI middleware: ``max_request_bytes`` per upload request, and the login limiter."""

    def __init__(self, app: ASGIApp, max_request_bytes: int, limiter: LoginLimiter | None = None) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.limiter = limiter or LoginLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", "")).rstrip("/")
        if path.endswith("/upload"):
            await self._upload(scope, receive, send)
        elif path.endswith("/login"):
            await self._login(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _upload(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = _header(scope, b"content-length")
        limit_mb = self.max_request_bytes // (1024 * 1024)
        if length is None or not length.isdigit():
            await _plain(send, 411, "上传请求须注明大小（Content-Length），请使用页面上的上传按钮。")
            return
        if int(length) > self.max_request_bytes + MULTIPART_OVERHEAD:
            log.warning("upload request of %s bytes refused (limit %s)", length, self.max_request_bytes)
            await _plain(send, 413, f"上传内容过大：一次上传合计不得超过 {limit_mb} MB。")
            return
        await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.limiter.blocked_for(client)
        if wait > 0:
            await _plain(send, 429, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。",
                         [(b"retry-after", str(int(wait) + 1).encode())])
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message.get("type") == "http.response.start":
                status.append(int(message.get("status", 0)))
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] in (400, 401, 403):
            self.limiter.failed(client)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1").strip()
    return None
