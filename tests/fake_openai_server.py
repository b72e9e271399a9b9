"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests, benchmarks and browser tests (stdlib only).

POST /v1/chat/completions answers JSON, or SSE when ``"stream": true``. Each request takes the first
queued reply whose ``match`` (a substring of the request's messages) fits, else the default reply.
A reply is a dict:

  text       the content (default: echo "收到：<last user text>")
  delay      seconds to wait before answering (a ``timeout`` reply waits ``delay`` or 30 s)
  status     an HTTP error status (429, 500 …) with an OpenAI-style error body
  behaviour  "timeout" | "cut" (stream drops the TCP connection midway) | "cut-clean" (stream ends
             without finish_reason or [DONE]) | "empty" (empty content) | "length" (finish_reason=length)
  match      only for requests whose messages contain this text
  chunk      characters per streamed chunk (default 4); chunk_delay seconds between chunks (default 0)
  repeat     send the text this many times over (a reply far too long)
  headers    extra response headers (e.g. {"Retry-After": "1"} with a 429)
  no_usage   report no token counts (like servers that ignore stream_options.include_usage)

Streams that never end (issue 12.9): behaviour "comments" sends only SSE keep-alive comments, "empty-deltas"
only chunks with empty content — every ``chunk_delay`` (default 0.05 s) for ``delay`` seconds (default 30).

Like a real server, a request's ``max_completion_tokens`` / ``max_tokens`` cuts the content at that many
characters with ``finish_reason: "length"``.

Control endpoints: POST /_script (a list of replies, queued), POST /_default (one reply), POST /_reset,
GET /_requests (every request body received, in order). Standalone: ``python tests/fake_openai_server.py
--port 8000 [--delay 1] [--text 文本]``.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _messages_text(req: dict[str, Any]) -> str:
    parts = []
    for m in req.get("messages", []):
        content = m.get("content")
        parts.append(content if isinstance(content, str) else "".join(p.get("text", "") for p in content or []))
    return "\n".join(parts)


def _last_user(req: dict[str, Any]) -> str:
    users = [m for m in req.get("messages", []) if m.get("role") == "user"]
    if not users:
        return ""
    content = users[-1].get("content")
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content or [])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else small writes wait ~40 ms for the client's delayed ACK
    server: FakeOpenAIServer

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def do_GET(self) -> None:
        if self.path == "/_requests":
            with self.server.lock:
                self._send(200, list(self.server.requests))
        elif self.path.endswith("/models"):
            with self.server.lock:
                self.server.authorization = self.headers.get("Authorization")
            self._send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        srv = self.server
        if self.path == "/_script":
            srv.push(*(body if isinstance(body, list) else body.get("replies", [])))
            return self._send(200, {"queued": len(srv.script)})
        if self.path == "/_default":
            srv.default = dict(body)
            return self._send(200, {"ok": True})
        if self.path == "/_reset":
            srv.reset()
            return self._send(200, {"ok": True})
        if not self.path.endswith("/chat/completions"):
            return self._send(404, {"error": {"message": "not found"}})
        with srv.lock:
            srv.authorization = self.headers.get("Authorization")  # a scripted "hostile" server may leak it
        self._complete(body)

    def _complete(self, req: dict[str, Any]) -> None:
        srv = self.server
        reply = srv.take(req)
        behaviour = reply.get("behaviour")
        if behaviour == "timeout":
            time.sleep(float(reply.get("delay", 30)))
        elif behaviour in ("comments", "empty-deltas"):
            return self._endless(req, reply)
        elif reply.get("delay"):
            time.sleep(float(reply["delay"]))
        if reply.get("status"):
            code = int(reply["status"])
            return self._send(
                code, {"error": {"message": f"fake {code}", "type": "server_error", "code": code}}, reply.get("headers")
            )
        text = reply.get("text")
        if text is None:
            text = "收到：" + _last_user(req)
        if behaviour == "empty":
            text = ""
        text = text * int(reply.get("repeat", 1))
        finish = "length" if behaviour == "length" else "stop"
        limit = req.get("max_completion_tokens") or req.get("max_tokens")
        if limit and len(text) > int(limit):
            text, finish = text[: int(limit)], "length"
        base = {"id": "chatcmpl-fake", "created": int(time.time()), "model": req.get("model", "fake-model")}
        usage: dict[str, int] | None = {"prompt_tokens": len(_messages_text(req)), "completion_tokens": len(text),
                                         "total_tokens": len(_messages_text(req)) + len(text)}
        if reply.get("no_usage"):
            usage = None
        if not req.get("stream"):
            if behaviour in ("cut", "cut-clean"):
                self.close_connection = True
                self.connection.shutdown(2)
                return None
            return self._send(200, {**base, "object": "chat.completion", **({"usage": usage} if usage else {}), "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}]})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def event(delta: dict[str, Any], finish_reason: str | None = None) -> None:
            chunk = {**base, "object": "chat.completion.chunk",
                     "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
            self._chunk(b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n")

        event({"role": "assistant", "content": ""})
        step = int(reply.get("chunk", 4))
        for i in range(0, len(text), step):
            if behaviour in ("cut", "cut-clean") and i >= 2 * step:
                if behaviour == "cut":
                    self.wfile.write(b"ff\r\ndata: {\"trunc")
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                self._chunk(b"")
                return None
            event({"content": text[i : i + step]})
            if reply.get("chunk_delay"):
                time.sleep(float(reply["chunk_delay"]))
        event({}, finish)
        if usage and (req.get("stream_options") or {}).get("include_usage"):
            tail = {**base, "object": "chat.completion.chunk", "choices": [], "usage": usage}
            self._chunk(b"data: " + json.dumps(tail).encode() + b"\n\n")
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")
        return None


    def _endless(self, req: dict[str, Any], reply: dict[str, Any]) -> None:
        """A stream that sends bytes but never a token: keep-alive comments or empty deltas."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": "chatcmpl-fake", "created": int(time.time()), "model": req.get("model", "fake-model"),
                "object": "chat.completion.chunk"}
        end = time.monotonic() + float(reply.get("delay", 30))
        step = float(reply.get("chunk_delay", 0.05))
        try:
            while time.monotonic() < end:
                if reply.get("behaviour") == "comments":
                    self._chunk(b": keep-alive\n\n")
                else:
                    chunk = {**base, "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": None}]}
                    self._chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                time.sleep(step)
            self._chunk(b"")
        except OSError:  # the client hung up: what a stopped stream does
            self.server.hangups += 1
            self.close_connection = True


class FakeOpenAIServer(ThreadingHTTPServer):
    """The server with its own reply script and request log (one instance per test or session)."""

    daemon_threads = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.lock = threading.Lock()
        self.script: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.default: dict[str, Any] = {}
        self.authorization: str | None = None  # the last chat request's Authorization header
        self.hangups = 0  # endless streams the client closed
        self._thread: threading.Thread | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # broken pipes after client timeouts are expected

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The base URL for OpenAI clients (``…/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: dict[str, Any]) -> None:
        with self.lock:
            self.script.extend(dict(r) for r in replies)

    def reset(self) -> None:
        with self.lock:
            self.script.clear()
            self.requests.clear()
            self.default = {}

    def take(self, req: dict[str, Any]) -> dict[str, Any]:
        text = _messages_text(req)
        with self.lock:
            self.requests.append(req)
            for i, reply in enumerate(self.script):
                if not reply.get("match") or reply["match"] in text:
                    return self.script.pop(i)
            return dict(self.default)

    def chat_requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.requests)

    def start(self) -> FakeOpenAIServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def serve(port: int = 0) -> FakeOpenAIServer:
    """Start a server in a background thread; ``.url`` is its base URL, ``.stop()`` ends it."""
    return FakeOpenAIServer(port).start()


def post(url: str, path: str, payload: Any) -> Any:
    """Drive a running server from another process (``post(base, "/_script", [...])``)."""
    root = url.split("/v1")[0]
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(root + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as resp:
        return json.loads(resp.read())


def main() -> None:
    parser = argparse.ArgumentParser(description="本机 OpenAI 兼容测试服务器")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--delay", type=float, default=0.0, help="每个回复前等待的秒数")
    parser.add_argument("--text", default=None, help="固定回复文本（默认回显）")
    args = parser.parse_args()
    srv = FakeOpenAIServer(args.port)
    srv.default = {k: v for k, v in {"delay": args.delay, "text": args.text}.items() if v}
    print(f"fake OpenAI server on {srv.url}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        srv.server_close()


if __name__ == "__main__":
    main()
