"""Drive the running app over HTTP exactly as its page does (Gradio's queue protocol, sse_v3).

The app marks every event private (no API for scripts), so gradio_client refuses it; the page itself joins
the queue with the event's ``fn_index`` and a per-tab ``session_hash`` and reads the results as server-sent
events. Events are found by the ``elem_id`` of the component that triggers them, so layout changes do not
matter. Used by the load and crash suites.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from . import ROOT, free_port


@dataclass
class EventResult:
    """What one event sent back: every message, the final output data, success, and timings."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    output: list[Any] | None = None
    success: bool = False
    error: str | None = None
    seconds: float = 0.0
    generating: int = 0  # streamed updates before completion


class AppClient:
    """One browser tab: its own session hash; events by trigger elem_id ("load" for the page load)."""

    def __init__(self, base_url: str, config: dict[str, Any] | None = None, timeout: float = 120) -> None:
        self.base = base_url.rstrip("/")
        self.http = httpx.Client(timeout=timeout, trust_env=False)
        self.config = config or self.http.get(self.base + "/config").json()
        self.session_hash = secrets.token_hex(6)
        self._ids = {c.get("props", {}).get("elem_id"): c["id"] for c in self.config["components"]}

    def close(self) -> None:
        self.http.close()

    def fn_index(self, trigger: str, event: str = "click") -> tuple[int, int | None]:
        """(fn_index, trigger component id) of the event fired by ``trigger`` (an elem_id, or "load")."""
        target = None if trigger == "load" else self._ids[trigger]
        for i, dep in enumerate(self.config["dependencies"]):
            for comp, ev in dep["targets"]:
                if (trigger == "load" and ev == "load") or (comp == target and ev == event):
                    return int(dep.get("id", i)), target
        raise KeyError(f"页面中没有由 {trigger}.{event} 触发的事件")

    def inputs_of(self, trigger: str, event: str = "click") -> list[str]:
        """The elem_ids (or component types) of the event's inputs, in order."""
        fn, _ = self.fn_index(trigger, event)
        dep = next(d for i, d in enumerate(self.config["dependencies"]) if int(d.get("id", i)) == fn)
        comps = {c["id"]: c for c in self.config["components"]}
        return [comps[x].get("props", {}).get("elem_id") or comps[x]["type"] for x in dep["inputs"]]

    def stream(self, trigger: str, data: list[Any], event: str = "click") -> Iterator[dict[str, Any]]:
        """Join the queue and yield the event's messages until it completes."""
        fn, trigger_id = self.fn_index(trigger, event)
        body = {"data": data, "fn_index": fn, "trigger_id": trigger_id, "session_hash": self.session_hash,
                "event_data": None}
        joined = self.http.post(self.base + "/gradio_api/queue/join", json=body)
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        with self.http.stream("GET", self.base + "/gradio_api/queue/data",
                              params={"session_hash": self.session_hash}) as resp:
            resp.raise_for_status()
            for line in resp.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") not in (None, event_id):
                    continue
                yield msg
                if msg.get("msg") in ("process_completed", "close_stream", "unexpected_error"):
                    return

    def call(self, trigger: str, data: list[Any], event: str = "click") -> EventResult:
        result = EventResult()
        started = time.perf_counter()
        try:
            for msg in self.stream(trigger, data, event):
                result.messages.append(msg)
                kind = msg.get("msg")
                if kind == "process_generating":
                    result.generating += 1
                elif kind == "process_completed":
                    result.success = bool(msg.get("success"))
                    out = msg.get("output") or {}
                    result.output = out.get("data")
                    if not result.success:
                        result.error = str(out.get("error") or out)
                elif kind == "unexpected_error":
                    result.error = str(msg.get("message"))
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = time.perf_counter() - started
        return result


class ServeProcess:
    """`xxgk serve` as a subprocess on a free port, restartable on the same port and data dir."""

    def __init__(self, data_dir: Path, llm_url: str | None, extra_env: dict[str, str] | None = None,
                 args: tuple[str, ...] = (), per_browser: bool = True) -> None:
        self.args = list(args)  # extra `xxgk serve` options, e.g. ("--auth", "user:pass")
        # These suites simulate several clerks without logins: each browser (workspace id) its own work.
        # The default of `xxgk serve` on 127.0.0.1 is the one local user (tests/test_app_browser_review.py).
        if per_browser and "--logins" not in self.args and not any(a.startswith("--auth") for a in self.args):
            self.args.append("--per-browser")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = {**os.environ, "XXGK_DATA_DIR": str(data_dir), "GRADIO_TEMP_DIR": str(data_dir / "gradio"),
                    "GRADIO_ANALYTICS_ENABLED": "False", "NO_PROXY": "127.0.0.1,localhost", **(extra_env or {})}
        if llm_url:
            self.env.update({"XXGK_LLM_BASE_URL": llm_url, "XXGK_LLM_MODEL": "fake-model"})
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "serve.log"

    def start(self, timeout: float = 90) -> None:
        exe = Path(sys.executable).parent / "xxgk"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([str(exe), "serve", "--port", str(self.port), *self.args], env=self.env, cwd=ROOT,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"xxgk serve 启动失败：{self.log.read_text(encoding='utf-8', errors='replace')}")
            try:
                if httpx.get(self.url, timeout=2, trust_env=False).status_code == 200:  # also the login page
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"xxgk serve 未能在 {timeout:.0f} 秒内启动")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()
