"""Every benchmark of the project in one command, each against its baseline measured in the same run.

    python benchmarks/run.py [--quick] [--json FILE]

Prints a table of figures with their goals and writes the figures as JSON (exactly the keys of
``GOALS``, plus ``machine`` and per-benchmark details under ``details``). Quick mode stays under 60 s.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# key → (benchmark module, goal, "max" when the figure must stay at or below the goal, "min" for at least)
GOALS: dict[str, tuple[str, float, str]] = {
    "check_vs_validate_ratio": ("bench_checks", 2.0, "max"),
    "audit_reports_per_min": ("bench_audit", 10_000, "min"),
    "pdf_parse_vs_pdftotext_ratio": ("bench_parse", 5.0, "max"),
    "chain_overhead_ms_p50": ("bench_drafting", 5.0, "max"),
    "concurrent_parts_ratio": ("bench_drafting", 1.2, "max"),
    "serve_startup_ratio": ("bench_app", 1.3, "max"),
    "cell_edit_check_ms": ("bench_app", 50.0, "max"),
    "prompt_tokens_max_part": ("bench_drafting", 3000, "max"),
    "docx_export_ms": ("bench_render", 300.0, "max"),
    "cli_check_startup_ratio": ("bench_cli", 2.5, "max"),
    "real_chain_overhead_pct_p50": ("bench_drafting", 5.0, "max"),
}


QUICK_BUDGET_S = 60.0


def _load() -> float | None:
    """The 1-minute load average: other processes on a 2-core machine lower every figure."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "loadavg_1m_before": _load(),
    }


def run_all(quick: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    details: dict[str, Any] = {}
    machine = _machine()
    for module in dict.fromkeys(m for m, _, _ in GOALS.values()):
        print(f"\n== {module} ==", flush=True)
        started = time.perf_counter()
        try:
            bench: Callable[[bool], dict[str, Any]] = importlib.import_module(module).run
            result = bench(quick)
        except Exception as exc:  # a broken benchmark must not hide the others' figures
            print(f"!! {module} 失败：{type(exc).__name__}: {exc}", flush=True)
            result = {"error": f"{type(exc).__name__}: {exc}"}
        details[module] = {**result, "seconds": round(time.perf_counter() - started, 1), "loadavg_1m": _load()}
        for key, (owner, _, _) in GOALS.items():
            if owner == module:
                figures[key] = result.get(key)
    return {**figures, "machine": machine, "details": details}


def _table(results: dict[str, Any]) -> tuple[str, bool]:
    lines = [f"{'指标':<26}{'结果':>12}{'目标':>14}  达标", "-" * 60]
    all_met = True
    for key, (_, goal, kind) in GOALS.items():
        value = results.get(key)
        met = value is not None and (value <= goal if kind == "max" else value >= goal)
        all_met &= met
        bound = f"{'≤' if kind == 'max' else '≥'} {goal:g}"
        shown = "—" if value is None else f"{value:g}"
        lines.append(f"{key:<26}{shown:>12}{bound:>14}  {'是' if met else '否'}")
    return "\n".join(lines), all_met


def _markdown(results: dict[str, Any]) -> str:
    """The figures as the README's table (with the machine they came from)."""
    m = results["machine"]
    rows = ["| 指标 | 结果 | 目标 | 达标 |", "|---|---:|---:|:---:|"]
    for key, (_, goal, kind) in GOALS.items():
        value = results.get(key)
        met = value is not None and (value <= goal if kind == "max" else value >= goal)
        rows.append(f"| `{key}` | {'—' if value is None else f'{value:g}'} | {'≤' if kind == 'max' else '≥'} "
                    f"{goal:g} | {'是' if met else '否'} |")
    rows.append("")
    rows.append(f"机器：{m['cpus']} 核 {m['processor']}，Python {m['python']}，{m['platform']}；{m['date']}；"
                f"开始时 1 分钟负载 {m['loadavg_1m_before']}；用时 {m.get('seconds', '—')} 秒。")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description="运行全部基准测试")
    parser.add_argument("--quick", action="store_true", help="快速模式（60 秒以内）")
    parser.add_argument("--json", type=Path, help="把结果写入 JSON 文件")
    parser.add_argument("--markdown", action="store_true", help="另外打印 README 用的 Markdown 表格")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run_all(args.quick)
    table, all_met = _table(results)
    print("\n" + table)
    elapsed = time.perf_counter() - started
    results["machine"]["seconds"] = round(elapsed, 1)
    print(f"\n用时 {elapsed:.1f} 秒；机器：{results['machine']}")
    if args.markdown:
        print("\n" + _markdown(results))
    if args.quick and elapsed > QUICK_BUDGET_S:
        print(f"注意：快速模式用时 {elapsed:.1f} 秒，超过 {QUICK_BUDGET_S:.0f} 秒的预算。", flush=True)
        all_met = False
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"结果已写入 {args.json}")
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
