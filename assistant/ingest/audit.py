"""Auditing many published reports: parse + check each one in parallel, then a CSV and an HTML summary.

Every file ends in the result — a report with its findings, or an unreadable file with the reason;
one bad file never stops the run.
"""

from __future__ import annotations

import csv
import glob
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks import check_report
from ..checks.findings import Finding
from .body import UNRECOGNISED_AGENCY, region_of
from .errors import ParseError
from .parser import parse_file
from .unread import UNREAD_RULE, separate

SUPPORTED = (
    ".pdf", ".txt", ".md", ".markdown", ".html", ".htm", ".shtml", ".docx", ".xlsx", ".doc", ".wps", ".ofd",
)
CSV_FIELDS = (
    "file", "status", "agency", "year", "format", "source", "rule", "severity", "cells", "message",
    "expected", "actual", "previous", "unread",
)
STATUS_LABELS = {"ok": "通过", "errors": "有错误", "warnings": "仅有警告", "unreadable": "无法读取", "skipped": "已跳过"}


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
    region: str = ""  # the administrative division of the body (pairing across years needs agency + region)
    # 未能读取: what the parser could not read, with the reason — our failure, never counted against the report
    unread: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class AuditSummary:
    """What an audit found: per-file results, counts by rule, and the unreadable files with reasons."""

    files: list[FileResult] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def reports(self) -> int:
        return sum(1 for f in self.files if f.status not in ("unreadable", "skipped"))

    @property
    def with_unread(self) -> list[FileResult]:
        """Reports with a part the parser could not read (未能读取): our failure, not counted as their errors."""
        return [f for f in self.files if f.unread]

    @property
    def skipped(self) -> list[FileResult]:
        """Files a folder held that are not reports (images, archives, …), each with the reason."""
        return [f for f in self.files if f.status == "skipped"]

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
            "skipped": [{"file": f.path, "reason": f.reason} for f in self.skipped],
            "reports_with_unread": len(self.with_unread),
            "errors_by_rule": dict(self.errors_by_rule.most_common()),
            "warnings_by_rule": dict(self.warnings_by_rule.most_common()),
            "elapsed_seconds": round(self.elapsed_seconds, 3),
        }

    def to_text(self) -> str:
        lines = [
            f"共 {len(self.files)} 个文件：读取 {self.reports} 份报告，其中 {self.reports_with_errors} 份有错误；"
            f"无法读取 {len(self.unreadable)} 个文件" + (f"；跳过 {len(self.skipped)} 个非报告文件。" if self.skipped else "。")
        ]
        if self.with_unread:
            lines.append(f"其中 {len(self.with_unread)} 份报告有未能读取的部分（本程序未能读出，不计为报告的错误，见“未能读取”一栏）。")
        if self.errors_by_rule:
            lines.append("错误（按规则）：" + "，".join(f"{r} {n} 处" for r, n in self.errors_by_rule.most_common()))
        if self.warnings_by_rule:
            lines.append("警告（按规则）：" + "，".join(f"{r} {n} 处" for r, n in self.warnings_by_rule.most_common()))
        for f in self.unreadable:
            lines.append(f"无法读取：{f.path}（{f.reason}）")
        for f in self.skipped:
            lines.append(f"已跳过：{f.path}（{f.reason}）")
        return "\n".join(lines)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """Files from paths, folders (recursively) and glob patterns; names that match nothing are reported."""
    files: list[Path] = []
    missing: list[FileResult] = []
    for item in paths:
        text = str(item)
        p = Path(text)
        if p.is_dir():
            for f in sorted(f for f in p.rglob("*") if f.is_file()):
                reason = skip_reason(f)
                if reason is None:
                    files.append(f)
                else:
                    missing.append(FileResult(str(f), "skipped", reason=reason))
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


def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not audited (None: it is a report to read)."""
    name = path.name
    if name.startswith("~$") or name.startswith(".~lock"):
        return "Office 打开文档时留下的临时文件，不是报告"
    if name.startswith("."):
        return "隐藏文件，不是报告"
    if path.suffix.lower() not in SUPPORTED:
        return f"文件类型“{path.suffix or '（无扩展名）'}”不是年度报告的格式（支持 {' '.join(SUPPORTED)}）"
    return None


def audit_one(path: str) -> FileResult:
    """Parse and check one file; any failure becomes an ``unreadable`` result with its reason."""
    try:
        outcome = parse_file(path)
    except ParseError as exc:
        return FileResult(path, "unreadable", reason=str(exc))
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
    findings, unread = _split_unread(result.findings, outcome.unread)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    status = "errors" if errors else ("warnings" if warnings else "ok")
    return FileResult(
        path,
        status,
        agency=report.agency,
        year=report.year,
        format=report.format,
        region=region_of(report.agency, report.contact.address if report.contact else None),
        errors=errors,
        warnings=warnings,
        findings=[f.to_data() for f in findings],
        unread=unread,
        parse_issues=[{"rule": i.rule, "cell": i.cell, "message": i.message, "raw": i.raw} for i in outcome.issues],
    )


def _split_unread(findings: list[Finding], unread: dict[str, str]) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Findings about the report, and the 未能读取 entries (one per reason, with the findings they void)."""
    kept, moved = separate(findings, unread)
    by_reason: dict[str, list[str]] = {}
    for key, why in unread.items():
        by_reason.setdefault(why, []).append(key)
    voided: dict[str, list[str]] = {why: [] for why in by_reason}
    for f in moved:
        keys = set(f.cells)
        home = next((why for why, cells in by_reason.items() if keys & set(cells)), next(iter(by_reason), None))
        if home is not None:
            voided[home].append(f"{f.rule} {f.message}")
    return kept, [{"reason": why, "cells": keys, "voided": voided[why]} for why, keys in by_reason.items()]


def _run(paths: list[str], workers: int, progress: Callable[[FileResult], None] | None) -> Iterator[FileResult]:
    if workers <= 1 or len(paths) <= 1:
        for p in paths:
            res = audit_one(p)
            if progress:
                progress(res)
            yield res
        return
    chunk = max(1, min(64, len(paths) // (workers * 4) or 1))
    _warm()
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported modules and warmed label indexes instead of importing again
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for res in pool.map(audit_one, paths, chunksize=chunk):
            if progress:
                progress(res)
            yield res


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
) -> AuditSummary:
    """Parse and check every report under ``paths`` (files, folders, globs) on all cores.

    Writes one CSV row per finding, per parse issue and per unreadable file (``out_csv``) and a summary
    page (``out_html``) when asked. ``progress`` is called once per finished file.
    """
    import time

    start = time.perf_counter()
    files, missing = expand_paths(paths)
    n_workers = workers or os.cpu_count() or 1
    summary = AuditSummary(files=list(missing))
    summary.files.extend(_run([str(f) for f in files], n_workers, progress))
    link_years(summary.files)
    summary.elapsed_seconds = time.perf_counter() - start
    if out_csv is not None:
        write_csv(summary, out_csv)
    if out_html is not None:
        write_html(summary, out_html)
    return summary


def body_key(f: FileResult) -> tuple[str, str] | None:
    """Which body a result belongs to: agency + region; an unrecognised agency is nobody's key."""
    agency = "".join(f.agency.split())
    if f.status == "unreadable" or not agency or agency == UNRECOGNISED_AGENCY or not f.year:
        return None
    return agency, f.region


def link_years(files: list[FileResult]) -> None:
    """Where the batch holds the same body's report for the year before, re-check with it (X1, X3, R2.6, X7).

    Only the same body pairs: the same agency name and region. Reports whose agency was not recognised
    are never paired (they would all share one placeholder name).
    """
    by_year: dict[tuple[str, str, int], FileResult] = {}
    for f in files:
        key = body_key(f)
        if key is not None and f.year:
            by_year[(*key, f.year)] = f
    for f in files:
        key = body_key(f)
        prev = by_year.get((*key, (f.year or 0) - 1)) if key is not None else None
        if prev is None:
            continue
        try:
            outcome = parse_file(f.path)
            result = check_report(outcome.report, parse_file(prev.path).report)
        except Exception as exc:  # the single-year result stands; say why the cross-year check is missing
            f.parse_issues.append({"rule": "X1", "cell": None, "message": f"跨年度核对未完成：{exc}", "raw": None})
            continue
        findings, f.unread = _split_unread(result.findings, outcome.unread)
        f.findings = [x.to_data() for x in findings]
        f.errors = sum(1 for x in findings if x.severity == "error")
        f.warnings = sum(1 for x in findings if x.severity == "warning")
        f.status = "errors" if f.errors else ("warnings" if f.warnings else "ok")
        f.previous = prev.path


def csv_rows(summary: AuditSummary) -> Iterator[dict[str, Any]]:
    for f in summary.files:
        base = {"file": f.path, "status": STATUS_LABELS[f.status], "agency": f.agency, "year": f.year or "",
                "format": f.format, "previous": f.previous}
        if f.status == "unreadable":
            yield {**base, "source": "读取", "rule": "UNREADABLE", "severity": "error", "message": f.reason}
            continue
        if f.status == "skipped":
            yield {**base, "source": "读取", "rule": "SKIPPED", "severity": "", "message": f.reason}
            continue
        for x in f.findings:
            yield {
                **base, "source": "检查", "rule": x.get("rule", ""), "severity": x.get("severity", ""),
                "cells": " ".join(x.get("cells", [])), "message": x.get("message", ""),
                "expected": x.get("expected", ""), "actual": x.get("actual", ""),
            }
        for u in f.unread:
            yield {
                **base, "source": "未能读取", "rule": UNREAD_RULE, "severity": "", "cells": " ".join(u["cells"]),
                "unread": u["reason"] + (f"（因此未计入：{'；'.join(u['voided'])}）" if u["voided"] else ""),
            }
        for i in f.parse_issues:
            yield {
                **base, "source": "导入", "rule": i["rule"], "severity": "warning", "cells": i.get("cell") or "",
                "message": i["message"] + (f"（原文：“{i['raw']}”）" if i.get("raw") is not None else ""),
            }
        if not f.findings and not f.parse_issues and not f.unread:
            yield {**base, "source": "检查", "message": "未发现问题"}


def write_csv(summary: AuditSummary, path: str | Path) -> Path:
    """One row per finding, parse issue and unreadable file; UTF-8 with BOM so Excel opens it correctly."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in csv_rows(summary):
            writer.writerow(row)
    return p


def write_html(summary: AuditSummary, path: str | Path) -> Path:
    """A summary page a supervising office can read: totals, counts by rule, and each file's problems."""
    from .audit_html import render_summary

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_summary(summary), encoding="utf-8")
    return p
