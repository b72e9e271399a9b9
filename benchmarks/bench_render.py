"""Whole-report exports of the sample: DOCX (goal ≤ 300 ms), HTML, Markdown, XLSX write and read.

Baseline, measured in the same run: python-docx opening its default template and saving an empty
document — the floor of any DOCX export — so ``docx_ratio`` is what laying out the report costs on top.
Run: ``python benchmarks/bench_render.py [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402

from assistant.render import export_report, render_docx, render_html, render_markdown  # noqa: E402
from assistant.render.workbook import read_workbook, write_workbook  # noqa: E402
from assistant.schema import load_report_file  # noqa: E402

GOAL_MS = 300.0


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm: imports, template compilation, caches
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def run(quick: bool = False) -> dict[str, Any]:
    report = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    repeats = 5 if quick else 25
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        baseline = _median_ms(lambda: docx.Document().save(str(out / "empty.docx")), repeats)
        docx_ms = _median_ms(lambda: render_docx(report, out / "r.docx"), repeats)
        html_ms = _median_ms(lambda: render_html(report), repeats)
        md_ms = _median_ms(lambda: render_markdown(report), repeats)
        xlsx_ms = _median_ms(lambda: write_workbook(report, out / "s.xlsx"), repeats)
        read_ms = _median_ms(lambda: read_workbook(out / "s.xlsx"), repeats)
        export_ms = _median_ms(lambda: export_report(report, out / "e.docx"), repeats)
    return {
        "docx_export_ms": round(docx_ms, 1),
        "docx_baseline_empty_ms": round(baseline, 1),
        "docx_ratio": round(docx_ms / baseline, 2),
        "docx_goal_ms": GOAL_MS,
        "docx_goal_met": docx_ms <= GOAL_MS,
        "export_report_docx_ms": round(export_ms, 1),
        "html_ms": round(html_ms, 1),
        "markdown_ms": round(md_ms, 1),
        "xlsx_write_ms": round(xlsx_ms, 1),
        "xlsx_read_ms": round(read_ms, 1),
        "repeats": repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    result = run(quick=parser.parse_args().quick)
    print("整份报告导出（样例，中位数）")
    for key, value in result.items():
        print(f"  {key:28s} {value}")
    print(f"DOCX 导出 {result['docx_export_ms']} ms，目标 ≤ {GOAL_MS:.0f} ms："
          f"{'达标' if result['docx_goal_met'] else '未达标'}；为空文档基线的 {result['docx_ratio']} 倍")


if __name__ == "__main__":
    main()
