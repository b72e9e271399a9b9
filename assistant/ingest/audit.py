"""Auditing many published reports: parse + check each one in parallel, then a CSV and an HTML summary.

Every file ends in the result — a report with its findings, or an unreadable file with the reason;
one bad file never stops the run.
"""

from __future__ import annotations

import csv
import glob
import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks import check_report
from ..fsio import atomic_open, atomic_write_text, check_output
from .errors import ParseError
from .limits import FILE_MEMORY_BYTES, FILE_SECONDS, DeadlineExceeded, cap_memory, deadline
from .parser import parse_file

SUPPORTED = (".pdf", ".txt", ".md", ".markdown", ".html", ".htm", ".shtml", ".docx", ".xlsx")
CSV_FIELDS = (
    "file", "status", "agency", "year", "format", "source", "rule", "severity", "cells", "message",
    "expected", "actual", "previous",
)
log = logging.getLogger(__name__)
STATUS_LABELS = {"ok": "通过", "errors": "有错误", "warnings": "仅有警告", "unreadable": "无法读取"}


@dataclass
class FileResult:
    """The audit of one file (plain data, so it crosses process boundaries cheaply)."""

    path: str
    status: str
    reason: str = ""
    agency: str = ""
    year: int | None = None
    format: str = ""
    errors: int = 0
    warnings: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    parse_issues: list[dict[str, Any]] = field(default_factory=list)
    previous: str = ""  # last year's report of the same body found in the same batch, if any


@dataclass
class AuditSummary:
    """What an audit found: per-file results, counts by rule, and the unreadable files with reasons."""

    files: list[FileResult] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def reports(self) -> int:
        return sum(1 for f in self.files if f.status != "unreadable")

    @property
    def unreadable(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "unreadable"]

    @property
    def reports_with_errors(self) -> int:
        return sum(1 for f in self.files if f.status == "errors")

    @property
    def errors_by_rule(self) -> Counter[str]:
        return Counter(x["rule"] for f in self.files for x in f.findings if x.get("severity") == "error")

    @property
    def warnings_by_rule(self) -> Counter[str]:
        return Counter(x["rule"] for f in self.files for x in f.findings if x.get("severity") == "warning")

    def to_data(self) -> dict[str, Any]:
        return {
            "files": len(self.files),
            "reports": self.reports,
            "reports_with_errors": self.reports_with_errors,
            "unreadable": [{"file": f.path, "reason": f.reason} for f in self.unreadable],
            "errors_by_rule": dict(self.errors_by_rule.most_common()),
            "warnings_by_rule": dict(self.warnings_by_rule.most_common()),
            "elapsed_seconds": round(self.elapsed_seconds, 3),
        }

    def to_text(self) -> str:
        lines = [
            f"共 {len(self.files)} 个文件：读取 {self.reports} 份报告，其中 {self.reports_with_errors} 份有错误；"
            f"无法读取 {len(self.unreadable)} 个文件。"
        ]
        if self.errors_by_rule:
            lines.append("错误（按规则）：" + "，".join(f"{r} {n} 处" for r, n in self.errors_by_rule.most_common()))
        if self.warnings_by_rule:
            lines.append("警告（按规则）：" + "，".join(f"{r} {n} 处" for r, n in self.warnings_by_rule.most_common()))
        for f in self.unreadable:
            lines.append(f"无法读取：{f.path}（{f.reason}）")
        return "\n".join(lines)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """Files from paths, folders (recursively) and glob patterns; names that match nothing are reported."""
    files: list[Path] = []
    missing: list[FileResult] = []
    for item in paths:
        text = str(item)
        p = Path(text)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED))
        elif p.is_file():
            files.append(p)
        elif any(ch in text for ch in "*?["):
            hits = sorted(Path(h) for h in glob.glob(text, recursive=True) if Path(h).is_file())
            if not hits:
                missing.append(FileResult(text, "unreadable", reason="通配符没有匹配到任何文件"))
            files.extend(hits)
        else:
            missing.append(FileResult(text, "unreadable", reason="文件或文件夹不存在"))
    seen: set[Path] = set()
    unique = [f for f in files if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]
    return unique, missing


def audit_one(path: str) -> FileResult:
    """Parse and check one file; any failure becomes an ``unreadable`` result with its reason."""
    try:
        outcome = parse_file(path)
    except ParseError as exc:
        return FileResult(path, "unreadable", reason=str(exc))
    except MemoryError:
        return FileResult(path, "unreadable", reason="读取时超出内存上限，已跳过（文件可能是压缩炸弹或结构异常）")
    except Exception as exc:  # a broken file must never stop the audit of the others
        return FileResult(path, "unreadable", reason=f"读取时出错：{type(exc).__name__}: {exc}"[:300])
    report = outcome.report
    try:
        result = check_report(report)
    except Exception as exc:
        return FileResult(
            path, "unreadable", reason=f"检查时出错：{type(exc).__name__}: {exc}"[:300], agency=report.agency,
            year=report.year, format=report.format,
        )
    status = "errors" if result.errors else ("warnings" if result.warnings else "ok")
    return FileResult(
        path,
        status,
        agency=report.agency,
        year=report.year,
        format=report.format,
        errors=result.errors,
        warnings=result.warnings,
        findings=[f.to_data() for f in result.findings],
        parse_issues=[{"rule": i.rule, "cell": i.cell, "message": i.message, "raw": i.raw} for i in outcome.issues],
    )


def _run(paths: list[str], workers: int, progress: Callable[[FileResult], None] | None,
         budget: FileBudget) -> Iterator[FileResult]:
    if workers <= 1 or len(paths) <= 1:
        for p in paths:
            res = audit_bounded(p, budget.seconds)
            if progress:
                progress(res)
            yield res
        return
    _warm()
    for res in _pooled(paths, workers, budget):
        if progress:
            progress(res)
        yield res


def _pooled(paths: list[str], workers: int, budget: FileBudget) -> Iterator[FileResult]:
    """Each file in a worker with its time and memory budget. A worker the system kills (out of memory,
    a crash in a C library) breaks the pool: the files it held are then re-run one per fresh worker,
    so exactly the file that kills its worker is reported and the batch goes on."""
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported modules and warmed label indexes instead of importing again
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    retry: list[str] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_limit_memory,
                             initargs=(budget.memory_bytes,)) as pool:
        futures = [(p, pool.submit(audit_bounded, p, budget.seconds)) for p in paths]
        for p, fut in futures:
            try:
                yield fut.result()
            except BrokenProcessPool:
                retry.append(p)
    for p in retry:
        log.warning("audit worker died; re-running %s alone", p)
        with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_limit_memory,
                                 initargs=(budget.memory_bytes,)) as single:
            try:
                yield single.submit(audit_bounded, p, budget.seconds).result()
            except BrokenProcessPool:
                yield FileResult(p, "unreadable", reason="读取该文件时处理进程被系统终止（可能超出内存上限），已跳过")


@dataclass(frozen=True)
class FileBudget:
    """What one file may use in its worker: wall-clock seconds and memory beyond the worker's own (0 = none)."""

    seconds: float = FILE_SECONDS
    memory_bytes: int = FILE_MEMORY_BYTES


def _limit_memory(extra_bytes: int) -> None:
    """Worker start-up: cap the address space at what the worker already maps plus ``extra_bytes``."""
    cap_memory(extra_bytes)


def audit_bounded(path: str, seconds: float) -> FileResult:
    """``audit_one`` under a wall-clock deadline (in a process's main thread); past it the file is reported."""
    try:
        with deadline(seconds):
            return audit_one(path)
    except DeadlineExceeded:
        log.warning("audit of %s stopped at its %s s deadline", path, seconds)
        return FileResult(path, "unreadable", reason=f"读取超过时限（{seconds:g} 秒），已跳过（文件可能过大或结构异常）")


def _warm() -> None:
    from .tables import _index

    _index("2021")
    _index("2019")


def audit(
    paths: Iterable[str | Path],
    out_csv: str | Path | None = None,
    out_html: str | Path | None = None,
    workers: int | None = None,
    progress: Callable[[FileResult], None] | None = None,
    budget: FileBudget | None = None,
) -> AuditSummary:
    """Parse and check every report under ``paths`` (files, folders, globs) on all cores.

    Writes one CSV row per finding, per parse issue and per unreadable file (``out_csv``) and a summary
    page (``out_html``) when asked. ``progress`` is called once per finished file. Each file gets
    ``budget`` (default: ``FILE_SECONDS`` and ``FILE_MEMORY_BYTES``); one past it is reported unreadable.
    Both outputs are checked before any file is read, so a bad path fails at once.
    """
    import time

    start = time.perf_counter()
    for out in (out_csv, out_html):
        if out is not None:
            check_output(out)
    files, missing = expand_paths(paths)
    n_workers = workers or os.cpu_count() or 1
    summary = AuditSummary(files=list(missing))
    summary.files.extend(_run([str(f) for f in files], n_workers, progress, budget or FileBudget()))
    link_years(summary.files)
    summary.elapsed_seconds = time.perf_counter() - start
    if out_csv is not None:
        write_csv(summary, out_csv)
    if out_html is not None:
        write_html(summary, out_html)
    return summary


def _agency_key(agency: str) -> str:
    return "".join(agency.split())


def link_years(files: list[FileResult]) -> None:
    """Where the batch holds the same body's report for the year before, re-check with it (X1, X3, R2.6, X7)."""
    by_year = {(_agency_key(f.agency), f.year): f for f in files if f.status != "unreadable" and f.year}
    for f in files:
        prev = by_year.get((_agency_key(f.agency), (f.year or 0) - 1)) if f.status != "unreadable" else None
        if prev is None:
            continue
        try:
            result = check_report(parse_file(f.path).report, parse_file(prev.path).report)
        except Exception as exc:  # the single-year result stands; say why the cross-year check is missing
            f.parse_issues.append({"rule": "X1", "cell": None, "message": f"跨年度核对未完成：{exc}", "raw": None})
            continue
        f.findings = [x.to_data() for x in result.findings]
        f.errors, f.warnings = result.errors, result.warnings
        f.status = "errors" if result.errors else ("warnings" if result.warnings else "ok")
        f.previous = prev.path


def csv_rows(summary: AuditSummary) -> Iterator[dict[str, Any]]:
    for f in summary.files:
        base = {"file": f.path, "status": STATUS_LABELS[f.status], "agency": f.agency, "year": f.year or "",
                "format": f.format, "previous": f.previous}
        if f.status == "unreadable":
            yield {**base, "source": "读取", "rule": "UNREADABLE", "severity": "error", "message": f.reason}
            continue
        for x in f.findings:
            yield {
                **base, "source": "检查", "rule": x.get("rule", ""), "severity": x.get("severity", ""),
                "cells": " ".join(x.get("cells", [])), "message": x.get("message", ""),
                "expected": x.get("expected", ""), "actual": x.get("actual", ""),
            }
        for i in f.parse_issues:
            yield {
                **base, "source": "导入", "rule": i["rule"], "severity": "warning", "cells": i.get("cell") or "",
                "message": i["message"] + (f"（原文：“{i['raw']}”）" if i.get("raw") is not None else ""),
            }
        if not f.findings and not f.parse_issues:
            yield {**base, "source": "检查", "message": "未发现问题"}


def write_csv(summary: AuditSummary, path: str | Path) -> Path:
    """One row per finding, parse issue and unreadable file; UTF-8 with BOM so Excel opens it correctly."""
    p = Path(path)
    with atomic_open(p, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in csv_rows(summary):
            writer.writerow({k: neutralise(v) for k, v in row.items()})
    return p


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """A CSV cell Excel will not run: text starting like a formula (= + - @, tab, carriage return, or their
    full-width forms) gets a leading apostrophe, as OWASP recommends; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_html(summary: AuditSummary, path: str | Path) -> Path:
    """A summary page a supervising office can read: totals, counts by rule, and each file's problems."""
    from .audit_html import render_summary

    return atomic_write_text(path, render_summary(summary))
