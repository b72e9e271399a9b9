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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks import CheckResult, Verdict, apply_verdicts, check_report
from ..checks.findings import Finding
from ..fsio import atomic_open, atomic_write_text, check_output
from ..schema import Report, load_report, report_to_data
from ..timefmt import local_time
from .body import UNRECOGNISED_AGENCY, region_of
from .errors import ParseError
from .limits import FILE_MEMORY_BYTES, FILE_SECONDS, DeadlineExceeded, cap_memory, deadline
from .parser import parse_file
from .sources import READABLE_KINDS, SUPPORTED_TEXT, kind_of
from .unread import UNREAD_RULE, separate

CSV_FIELDS = (
    "file", "status", "agency", "year", "format", "source", "rule", "severity", "cells", "message",
    "expected", "actual", "previous", "unread", "verdict",
)
log = logging.getLogger(__name__)
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
    # reviewers' verdicts that no longer apply (the values they judged changed): said, not applied
    stale_verdicts: list[str] = field(default_factory=list)
    # the parsed report and what could not be read, kept for the cross-year pass (never parsed twice)
    report_data: dict[str, Any] | None = field(default=None, repr=False)
    unread_cells: dict[str, str] = field(default_factory=dict, repr=False)


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
        return Counter(x["rule"] for f in self.files for x in f.findings if x.get("severity") == "error" and not _dismissed(x))

    @property
    def warnings_by_rule(self) -> Counter[str]:
        return Counter(
            x["rule"] for f in self.files for x in f.findings if x.get("severity") == "warning" and not _dismissed(x)
        )

    @property
    def dismissed(self) -> int:
        """Findings a reviewer ruled 不属于问题 (still listed, not counted)."""
        return sum(1 for f in self.files for x in f.findings if _dismissed(x))

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
            "dismissed": self.dismissed,
            "stale_verdicts": sum(len(f.stale_verdicts) for f in self.files),
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
        if self.dismissed:
            lines.append(f"经裁定不属于问题：{self.dismissed} 处（仍列在清单中，不计为错误或警告）。")
        stale = sum(len(f.stale_verdicts) for f in self.files)
        if stale:
            lines.append(f"已失效的裁定：{stale} 条（所涉数值已变化，请重新核对）。")
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
    if kind_of(path) not in READABLE_KINDS:  # the same table parse_file reads by
        return f"文件类型“{path.suffix or '（无扩展名）'}”不是年度报告的格式（{SUPPORTED_TEXT}）"
    return None


def _counted(findings: list[Finding]) -> tuple[int, int, str]:
    """Errors and warnings still open (a finding ruled 不属于问题 counts as neither) and the file's status."""
    errors = sum(1 for f in findings if f.severity == "error" and not f.dismissed)
    warnings = sum(1 for f in findings if f.severity == "warning" and not f.dismissed)
    return errors, warnings, "errors" if errors else ("warnings" if warnings else "ok")


def _reviewed(result: CheckResult, report: Report, verdicts: Sequence[Verdict]) -> tuple[CheckResult, list[str]]:
    if not verdicts:
        return result, []
    outcome = apply_verdicts(result, report, verdicts)
    return outcome.result, outcome.stale_notes()


def _dismissed(finding: dict[str, Any]) -> bool:
    return (finding.get("verdict") or {}).get("decision") == "dismissed"


def audit_one(path: str, verdicts: Sequence[Verdict] = ()) -> FileResult:
    """Parse and check one file; any failure becomes an ``unreadable`` result with its reason.

    ``verdicts``: a supervising office's decisions on findings (``checks.verdicts``), carried onto the
    findings they still fit; findings ruled 不属于问题 are not counted as errors.
    """
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
    result, stale = _reviewed(result, report, verdicts)
    findings, unread = _split_unread(result.findings, outcome.unread)
    errors, warnings, status = _counted(findings)
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
        stale_verdicts=stale,
        report_data=report_to_data(report),
        unread_cells=dict(outcome.unread),
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


def _run(paths: list[str], workers: int, progress: Callable[[FileResult], None] | None,
         budget: FileBudget, verdicts: Sequence[Verdict] = ()) -> Iterator[FileResult]:
    if workers <= 1 or len(paths) <= 1:
        for p in paths:
            res = audit_bounded(p, budget.seconds, verdicts)
            if progress:
                progress(res)
            yield res
        return
    _warm()
    for res in _pooled(paths, workers, budget, verdicts):
        if progress:
            progress(res)
        yield res


def _pooled(paths: list[str], workers: int, budget: FileBudget, verdicts: Sequence[Verdict] = ()) -> Iterator[FileResult]:
    """Each file in a worker with its time and memory budget. A worker the system kills (out of memory,
    a crash in a C library) breaks the pool: the files it held are then re-run one per fresh worker,
    so exactly the file that kills its worker is reported and the batch goes on."""
    methods = multiprocessing.get_all_start_methods()
    # fork: workers inherit the imported modules and warmed label indexes instead of importing again
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    retry: list[str] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_limit_memory,
                             initargs=(budget.memory_bytes,)) as pool:
        futures = [(p, pool.submit(audit_bounded, p, budget.seconds, verdicts)) for p in paths]
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
                yield single.submit(audit_bounded, p, budget.seconds, verdicts).result()
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


def audit_bounded(path: str, seconds: float, verdicts: Sequence[Verdict] = ()) -> FileResult:
    """``audit_one`` under a wall-clock deadline (in a process's main thread); past it the file is reported."""
    try:
        with deadline(seconds):
            return audit_one(path, verdicts)
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
    verdicts: Sequence[Verdict] = (),
) -> AuditSummary:
    """Parse and check every report under ``paths`` (files, folders, globs) on all cores.

    Writes one CSV row per finding, per parse issue and per unreadable file (``out_csv``) and a summary
    page (``out_html``) when asked. ``progress`` is called once per finished file. Each file gets
    ``budget`` (default: ``FILE_SECONDS`` and ``FILE_MEMORY_BYTES``); one past it is reported unreadable.
    Both outputs are checked before any file is read, so a bad path fails at once. ``verdicts``: decisions
    on findings (e.g. a supervising office's, from ``xxgk verdict``) kept across batches: each is carried onto
    the finding of the same body, year, rule, cells and values; one whose values changed is listed as stale.
    """
    import time

    start = time.perf_counter()
    for out in (out_csv, out_html):
        if out is not None:
            check_output(out)
    files, missing = expand_paths(paths)
    n_workers = workers or os.cpu_count() or 1
    summary = AuditSummary(files=list(missing))
    summary.files.extend(_run([str(f) for f in files], n_workers, progress, budget or FileBudget(), verdicts))
    link_years(summary.files, verdicts)
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


def link_years(files: list[FileResult], verdicts: Sequence[Verdict] = ()) -> None:
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
        if prev is None or f.report_data is None or prev.report_data is None:
            continue
        # The reports the workers parsed within their budgets: nothing is read or parsed again here.
        try:
            report = load_report(f.report_data)
            result, f.stale_verdicts = _reviewed(
                check_report(report, load_report(prev.report_data)), report, verdicts,
            )
        except Exception as exc:  # the single-year result stands; say why the cross-year check is missing
            f.parse_issues.append({"rule": "X1", "cell": None, "message": f"跨年度核对未完成：{exc}", "raw": None})
            continue
        findings, f.unread = _split_unread(result.findings, f.unread_cells)
        f.findings = [x.to_data() for x in findings]
        f.errors, f.warnings, f.status = _counted(findings)
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
                "verdict": _verdict_text(x.get("verdict")),
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
        for note in f.stale_verdicts:
            yield {**base, "source": "裁定", "rule": "裁定失效", "severity": "warning", "message": note}
        if not f.findings and not f.parse_issues and not f.unread:
            yield {**base, "source": "检查", "message": "未发现问题"}


def _verdict_text(verdict: dict[str, Any] | None) -> str:
    if not verdict:
        return ""
    reason = f"：{verdict['reason']}" if verdict.get("reason") else ""
    return f"{verdict['label']}{reason}（{verdict['by']}，{local_time(verdict['at'], '%Y-%m-%d %H:%M')}）"


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
