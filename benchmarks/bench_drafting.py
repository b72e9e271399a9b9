"""Drafting benchmarks: chain overhead vs a raw openai SDK call, concurrent parts, prompt size per part.

Run: ``.venv/bin/python benchmarks/bench_drafting.py [--quick] [--real-only]``. Baselines are measured in the
same run against the same server: the local scripted one (tests/fake_openai_server.py, a subprocess) and,
when installed (scripts/llm-server.sh), a real llama.cpp server with SmolLM2-135M.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai_server import post  # noqa: E402

from assistant.drafting import PARTS, Drafter, DraftSettings, parse_notes, prompt_size  # noqa: E402
from assistant.drafting.prompts import chat_prompt, prompt_inputs  # noqa: E402
from assistant.schema import load_report_file  # noqa: E402

REPLY = "一是公开方式单一化、陈旧化，以文字形式为主。二是政策解读形式单一，多渠道解读能力有待完善。三是业务工作水平有待提升。"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The fake server in its own process, so it does not compete for this process's GIL."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "fake_openai_server.py"), "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/models", timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("fake server did not start")

    def default(self, **reply: Any) -> None:
        post(self.url, "/_reset", {})
        post(self.url, "/_default", reply)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=5)


def _p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def chain_overhead(server: Server, rounds: int) -> dict[str, float]:
    """p50 of Drafter.draft_part (prompt → model → guard) minus p50 of a raw SDK call with the same messages."""
    from openai import OpenAI

    report = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    notes = parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text(encoding="utf-8"))
    server.default(text=REPLY)
    drafter = Drafter(DraftSettings(base_url=server.url, api_key="sk-bench", model="m", timeout=10, retries=0))
    messages = chat_prompt("problems").format_messages(**prompt_inputs("problems", notes, report))
    raw_messages: Any = [{"role": "system" if m.type == "system" else "user", "content": m.content} for m in messages]
    client = OpenAI(base_url=server.url, api_key="sk-bench", timeout=10, max_retries=0)
    for _ in range(5):  # warm both paths (imports, connections)
        client.chat.completions.create(model="m", messages=raw_messages, temperature=0.3)
        drafter.draft_part("problems", notes, report)
    raw, chain = [], []
    for _ in range(rounds):  # interleaved so drift hits both equally
        t = time.perf_counter()
        client.chat.completions.create(model="m", messages=raw_messages, temperature=0.3)
        raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = drafter.draft_part("problems", notes, report)
        chain.append(time.perf_counter() - t)
        assert result.backend == "llm" and not result.findings
    return {
        "raw_sdk_ms_p50": round(_p50_ms(raw), 3),
        "chain_ms_p50": round(_p50_ms(chain), 3),
        "chain_overhead_ms_p50": round(_p50_ms(chain) - _p50_ms(raw), 3),
        "chain_vs_raw_ratio": round(_p50_ms(chain) / _p50_ms(raw), 3),
    }


def real_server_overhead(rounds: int) -> dict[str, Any]:
    """The same comparison against a real llama.cpp server (SmolLM2-135M, tests/real_llm.py): p50 of the
    whole chain (prompt → model → reply checks → guard, offline fallback included) vs a raw SDK call with the
    same messages and token limit. Interleaved; the server's prompt cache serves both alike."""
    import tempfile

    from openai import OpenAI
    from real_llm import MODEL_ALIAS, RealServer, available

    reason = available()
    if reason is not None:
        return {"real_server": f"未运行：{reason}"}
    report = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    notes = parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text(encoding="utf-8"))
    server = RealServer(Path(tempfile.mkdtemp()) / "llama-server.log")
    try:
        settings = DraftSettings(base_url=server.url, model=MODEL_ALIAS, max_tokens=16, temperature=0, timeout=300,
                                 deadline=600, retries=0, guard_tries=0, concurrency=1)
        drafter = Drafter(settings)
        messages = chat_prompt("problems").format_messages(**prompt_inputs("problems", notes, report))
        raw_messages: Any = [{"role": "system" if m.type == "system" else "user", "content": m.content}
                             for m in messages]
        client = OpenAI(base_url=server.url, api_key="sk-none", timeout=300, max_retries=0)

        def raw_call() -> None:
            client.chat.completions.create(model=MODEL_ALIAS, messages=raw_messages, temperature=0, max_tokens=16)

        raw_call()  # the first call evaluates the prompt; later ones reuse the server's cache
        drafter.draft_part("problems", notes, report)
        raw, chain = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            raw_call()
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            drafter.draft_part("problems", notes, report)
            chain.append(time.perf_counter() - t)
        r, c = _p50_ms(raw), _p50_ms(chain)
        return {
            "real_raw_sdk_ms_p50": round(r, 1),
            "real_chain_ms_p50": round(c, 1),
            "real_chain_overhead_pct_p50": round((c - r) / r * 100, 2),
        }
    finally:
        server.stop()


def concurrent_parts(server: Server, quick: bool) -> dict[str, float]:
    """All four parts with draft_all vs the slowest part alone, every reply delayed 1 s by the server."""
    report = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    notes = parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text(encoding="utf-8"))
    server.default(text=REPLY, delay=1.0)
    drafter = Drafter(DraftSettings(base_url=server.url, api_key="sk-bench", model="m", timeout=10, retries=0,
                                    guard_tries=0))
    drafter.draft_part("problems", notes, report)  # warm
    alone = {}
    for part in (["overview"] if quick else PARTS):
        t = time.perf_counter()
        drafter.draft_part(part, notes, report)
        alone[part] = time.perf_counter() - t
    t = time.perf_counter()
    results = drafter.draft_all(notes, report)
    together = time.perf_counter() - t
    assert all(r.backend == "llm" for r in results.values())
    slowest = max(alone.values())
    return {
        "slowest_part_alone_s": round(slowest, 3),
        "four_parts_concurrent_s": round(together, 3),
        "concurrent_parts_ratio": round(together / slowest, 3),
    }


def prompt_tokens() -> dict[str, Any]:
    report = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    notes = parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text(encoding="utf-8"))
    sizes = {part: prompt_size(part, notes, report) for part in PARTS}
    return {"prompt_tokens_per_part": sizes, "prompt_tokens_max_part": max(sizes.values())}


def run(quick: bool = False) -> dict[str, Any]:
    """Every drafting figure; ``quick`` uses fewer rounds and one part for the 'alone' baseline."""
    server = Server()
    try:
        figures: dict[str, Any] = {}
        figures.update(chain_overhead(server, 30 if quick else 200))
        figures.update(concurrent_parts(server, quick))
        figures.update(prompt_tokens())
        figures.update(real_server_overhead(3 if quick else 9))
        figures["goals"] = {"chain_overhead_ms_p50": "<= 5", "concurrent_parts_ratio": "<= 1.2",
                            "prompt_tokens_max_part": "<= 3000", "real_chain_overhead_pct_p50": "<= 5"}
        return figures
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--real-only", action="store_true", help="只测真实推理服务上的链路开销")
    args = parser.parse_args()
    figures = real_server_overhead(3 if args.quick else 9) if args.real_only else run(args.quick)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
