"""Validate + every check of one full report vs bare ``model_validate`` of the same document.

Goal (issue 2): ratio ≤ 2×. Run: ``python benchmarks/bench_checks.py [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.checks import check_report  # noqa: E402
from assistant.checks.runner import clear_caches  # noqa: E402
from assistant.schema import Report2021, load_report, read_data_file  # noqa: E402


def _per_call_us(fn: Callable[[], object], seconds: float) -> float:
    """Median over batches of the time per call, in microseconds."""
    fn()
    batch, samples, end = 50, [], time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - t0) / batch * 1e6)
    return statistics.median(samples)


def run(quick: bool = False) -> dict[str, Any]:
    data = read_data_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    seconds = 1.0 if quick else 4.0
    validate_us = _per_call_us(lambda: Report2021.model_validate(data), seconds)
    # Warm: the prose was already analysed (the app's case: a clerk edits cells, the text is unchanged).
    full_us = _per_call_us(lambda: check_report(load_report(data)), seconds)

    def cold() -> None:  # a report never seen before (the audit's case)
        clear_caches()
        check_report(load_report(data))

    cold_us = _per_call_us(cold, seconds)
    ratio, cold_ratio = full_us / validate_us, cold_us / validate_us
    print(f"model_validate（基线）                 {validate_us:9.1f} µs/份")
    print(f"load_report + 全部检查（正文已分析）  {full_us:9.1f} µs/份  比值 {ratio:5.2f}×（目标 ≤ 2×）")
    print(f"load_report + 全部检查（首次分析正文）{cold_us:9.1f} µs/份  比值 {cold_ratio:5.2f}×")
    return {
        "check_vs_validate_ratio": round(ratio, 2),
        "check_vs_validate_ratio_cold": round(cold_ratio, 2),
        "validate_us": round(validate_us, 1),
        "check_us": round(full_us, 1),
        "check_cold_us": round(cold_us, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    run(parser.parse_args().quick)
