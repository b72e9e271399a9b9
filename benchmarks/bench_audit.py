"""Audit throughput: parse + check of generated published reports, all cores vs one process.

Goal (issue 5): ≥ 10,000 reports/min on 2 cores. The baseline, measured in the same run on the same
files, is the serial audit (one process); the ratio shows what the process pool adds.
Run: ``python benchmarks/bench_audit.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest import audit  # noqa: E402
from assistant.render import render_html  # noqa: E402
from assistant.schema import Report, load_report, load_report_file, report_to_data  # noqa: E402
from assistant.schema.labels import (  # noqa: E402
    SECTION2_2021,
    SECTION3_COLUMNS,
    SECTION3_ROWS_2021,
    SECTION4_COLUMNS,
    SECTION4_GROUPS,
)

SEED = ROOT / "tests" / "fixtures" / "sample_published.txt"  # our sample in a published report's text layout
AGENCIES = ("市教育局", "市民政局", "县自然资源局", "区卫生健康委员会", "镇人民政府", "市生态环境局", "县人民政府")


def random_report(rng: random.Random, base: Report, n: int) -> Report:
    """A report whose tables add up (so the audit does the full work) with its own numbers and names."""
    data = report_to_data(base)
    data["agency"] = f"第{n}{rng.choice(AGENCIES)}"
    apps: dict[str, dict[str, int]] = {}
    leaves = [r.id for r in SECTION3_ROWS_2021 if r.id not in ("new_requests", "carried_over", "total_processed", "carried_forward")]
    cols = [c.id for c in SECTION3_COLUMNS if c.id != "total"]
    for leaf in leaves:
        apps[leaf] = {c: (rng.randint(0, 40) if rng.random() < 0.3 else 0) for c in cols}
    apps["total_processed"] = {c: sum(apps[leaf][c] for leaf in leaves) for c in cols}
    apps["carried_over"] = {c: rng.randint(0, 5) for c in cols}
    apps["carried_forward"] = {c: rng.randint(0, 5) for c in cols}
    apps["new_requests"] = {
        c: apps["total_processed"][c] + apps["carried_forward"][c] - apps["carried_over"][c] for c in cols
    }
    for c in cols:  # keep 本年新收 ≥ 0 by moving the difference into 上年结转
        if apps["new_requests"][c] < 0:
            apps["carried_over"][c] += apps["new_requests"][c]
            apps["new_requests"][c] = 0
    for row in apps.values():
        row["total"] = sum(row[c] for c in cols)
    data["applications"] = apps
    for sub in SECTION2_2021:
        for row in sub.rows:
            for col in sub.columns:
                value: Any = rng.randint(0, 500)
                if col.kind == "money":
                    value = f"{rng.randint(0, 9999)}.{rng.randint(0, 99):02d}"
                data["active_disclosure"][sub.id][row.id][col.id] = value
    for grp in SECTION4_GROUPS:
        parts = [rng.randint(0, 3) for _ in range(4)]
        data["review_litigation"][grp.id] = dict(zip([c.id for c in SECTION4_COLUMNS], [*parts, sum(parts)], strict=True))
    total = apps["new_requests"]["total"]
    data["narrative"]["overview"] = data["narrative"]["overview"].replace("依申请公开 3 件", f"依申请公开 {total} 件")
    return load_report(data)


def seed_like_text(report: Report) -> str:
    """The report as a PDF-extracted text in the seed's layout (tabs, spaced labels, a page break in a table)."""
    lines = [report.agency, f"{report.year} 年政府信息公开工作年度报告", "", "一、总体情况", report.narrative.overview or "", "",
             "二、行政机关主动公开政府信息情况"]
    for sub in SECTION2_2021:
        lines.append(f"{sub.caption}\t\t\t")
        lines.append("\t".join(["信息内容", *(c.label for c in sub.columns)]))
        for row in sub.rows:
            node = getattr(getattr(report.active_disclosure, sub.id), row.id)
            lines.append("\t".join([row.label, *(str(getattr(node, c.id)) for c in sub.columns)]))
    lines += ["", "三、收到和处理政府信息公开申请情况", "(本列数据的勾稽关系为：第一项加第二项之和， 等于第三项加第四项之和)\t\t申请人情况",
              "\t\t自 然 人\t法人或其他组织\t\t\t\t\t总计", "\t\t\t商 业 企 业\t科 研 机 构\t社 会 公 益 组 织\t法 律 服 务 机 构\t其 他"]
    for i, row in enumerate(SECTION3_ROWS_2021):
        line = getattr(report.applications, row.id)
        values = "\t".join(str(getattr(line, c.id)) for c in SECTION3_COLUMNS)
        group = f"{row.group}\t" if row.group and row.label.startswith("1.") else "\t"
        lines.append(f"{group}{row.label}\t{values}")
        if i == 17:
            lines.append("")  # a page break inside the table
    lines += ["", "四、政府信息公开行政复议、行政诉讼情况", "行政复议\t\t\t\t\t行政诉讼",
              "结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总 计\t未经复议直接起诉\t\t\t\t\t复议后起诉",
              "\t\t\t\t\t" + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)]
    lines.append("\t".join(str(getattr(getattr(report.review_litigation, g.id), c.id)) for g in SECTION4_GROUPS for c in SECTION4_COLUMNS))
    lines += ["", "五、存在的主要问题及改进情况", f"(一) 存在问题。{report.narrative.problems}", f"（二）改进情况。{report.narrative.improvements}",
              "", "六、其他需要报告的事项", report.narrative.other_matters or ""]
    return "\n".join(lines) + "\n"


def generate(folder: Path, n: int, seed: int = 5) -> list[Path]:
    rng = random.Random(seed)
    base = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    paths = []
    for i in range(n):
        report = random_report(rng, base, i)
        if i % 4 == 3:
            path = folder / f"report_{i:05d}.html"
            path.write_text(render_html(report, force=True), encoding="utf-8")
        else:
            path = folder / f"report_{i:05d}.txt"
            path.write_text(seed_like_text(report), encoding="utf-8")
        paths.append(path)
    return paths


def run(quick: bool = False) -> dict[str, Any]:
    n = 300 if quick else 2000
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-audit-") as tmp:
        folder = Path(tmp)
        generate(folder, n)
        serial_n = max(100, n // 4)
        serial_paths = sorted(folder.iterdir())[:serial_n]
        repeats = 2 if quick else 3
        # best of several runs: the machine is shared, and the least disturbed run is the fairest figure
        serial_s, serial_cpu, parallel_s = float("inf"), float("inf"), float("inf")
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            serial = audit(serial_paths, workers=1)
            serial_s = min(serial_s, time.perf_counter() - t0)
            serial_cpu = min(serial_cpu, time.process_time() - c0)
            t0 = time.perf_counter()
            summary = audit([folder], workers=cores)
            parallel_s = min(parallel_s, time.perf_counter() - t0)
    serial_rate = serial_n / serial_s * 60
    cpu_ms = serial_cpu / serial_n * 1000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rate = n / parallel_s * 60
    unreadable = len(summary.unreadable)
    with_errors = summary.reports_with_errors
    print(f"生成报告 {n} 份（3/4 为 PDF 提取文本版式，1/4 为 HTML 导出）；各取 {repeats} 次中最快的一次")
    print(f"单进程（基线）   {serial_rate:10.0f} 份/分钟（{serial_n} 份，{serial_s:.2f} 秒）")
    print(f"{cores} 核并行        {rate:10.0f} 份/分钟（{n} 份，{parallel_s:.2f} 秒）  比值 {rate / serial_rate:4.2f}×（目标 ≥ 10000 份/分钟）")
    print(f"每份 CPU 时间 {cpu_ms:.2f} ms（解析 + 检查）；按 {cores} 核满载推算 {cores * 60000 / cpu_ms:.0f} 份/分钟；"
          f"测量时系统负载 {load:.1f}（其他进程占用时实测值偏低）")
    print(f"无法读取 {unreadable} 份；检查出错误的 {with_errors} 份（生成的报告均应无错误）")
    return {
        "audit_reports_per_min": round(rate),
        "audit_serial_reports_per_min": round(serial_rate),
        "audit_parallel_vs_serial_ratio": round(rate / serial_rate, 2),
        "audit_unreadable": unreadable,
        "audit_reports_with_errors": with_errors,
        "audit_serial_errors": serial.reports_with_errors,
        "audit_cpu_ms_per_report": round(cpu_ms, 2),
        "audit_cpu_bound_reports_per_min": round(cores * 60000 / cpu_ms),
        "load_average": round(load, 2),
        "cores": cores,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    run(parser.parse_args().quick)
