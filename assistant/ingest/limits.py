"""Bounds every reader checks before it reads or decompresses anything (see docs/ARCHITECTURE.md, “Limits”).

A published report is at most a few megabytes; a crafted one can expand a few kilobytes into gigabytes
(zip members, PDF Flate streams, HTML row/column spans) or never end (``/dev/zero``). Each check here is
cheap — sizes from the zip directory, a bounded trial decompression, a sum of spans — and raises a
``ParseError`` in Chinese before the expensive reader starts.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..fsio import MAX_INPUT_BYTES, MB, UnsafeInputError, check_regular_file, read_bounded
from ..fsio import check_zip as _check_zip
from .errors import ParseError

# PDF streams: content streams are kilobytes, a full-page Flate image ~30 MB.
MAX_PDF_STREAM = 64 * MB
MAX_PDF_DECODED = 512 * MB
# HTML tables: the three statistics tables expand to ~1,500 positions; row/column spans multiply.
MAX_GRID_POSITIONS = 250_000
# One file's reading (each audit worker, `xxgk parse`): a real report parses in well under 10 s and 200 MB.
FILE_SECONDS = 60.0
FILE_MEMORY_BYTES = 1024 * MB

log = logging.getLogger(__name__)
_STREAM = re.compile(rb"stream\r?\n")


def _mb(n: int) -> str:
    return f"{n // MB} MB"


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (devices, FIFOs and folders are refused)."""
    try:
        return read_bounded(path, limit)
    except UnsafeInputError as exc:
        raise ParseError(str(exc)) from exc


def check_input_file(path: Path, limit: int = MAX_INPUT_BYTES) -> None:
    """Refuse anything but a regular file of at most ``limit`` bytes before anything else is said about it."""
    try:
        check_regular_file(path, limit)
    except UnsafeInputError as exc:
        raise ParseError(str(exc)) from exc


def check_zip(source: bytes | str | os.PathLike[str], what: str) -> None:
    """Refuse a zip container whose members would inflate past the bounds (see ``fsio.check_zip``)."""
    try:
        _check_zip(source, what)
    except UnsafeInputError as exc:
        raise ParseError(str(exc)) from exc


def _inflated_size(data: bytes | memoryview, budget: int) -> int:
    """How many bytes ``data`` inflates to, counted in pieces and stopping past ``budget`` (−1 if not zlib)."""
    d = zlib.decompressobj()
    size = 0
    chunk = data
    try:
        while chunk:
            out = d.decompress(chunk, 1 * MB)
            size += len(out)
            if size > budget:
                return size
            chunk = d.unconsumed_tail
    except zlib.error:
        return -1 if size == 0 else size
    return size


def check_pdf(data: bytes) -> None:
    """Refuse a PDF whose Flate streams inflate past ``MAX_PDF_STREAM`` each or ``MAX_PDF_DECODED`` in all.

    pdfminer inflates a stream in one call with no bound; here every stream body is trial-inflated in
    1 MB pieces that are thrown away, so the check itself stays small and fast.
    """
    total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        body = memoryview(data)[start:end]
        if len(body) < 2 or body[0] & 0x0F != 8 or (body[0] << 8 | body[1]) % 31:
            continue  # not a zlib header: another filter (images, ASCII85 …), left to the reader
        size = _inflated_size(body, min(MAX_PDF_STREAM, MAX_PDF_DECODED - total))
        if size > MAX_PDF_STREAM:
            raise ParseError(f"PDF 中有一段压缩内容解压后超过 {_mb(MAX_PDF_STREAM)}（疑似压缩炸弹），拒绝读取")
        total += max(size, 0)
        if total > MAX_PDF_DECODED:
            raise ParseError(f"PDF 的压缩内容解压后超过 {_mb(MAX_PDF_DECODED)}（疑似压缩炸弹），拒绝读取")


MAX_SPAN = 100  # a table cell's rowspan/colspan is read as at most this (the reader and the bound agree)


def html_span(value: Any) -> int:
    """A rowspan/colspan attribute as the HTML reader expands it (missing or malformed: 1)."""
    if value is None:
        return 1
    try:
        return max(1, min(int(str(value).strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def check_html_grid(root: Any, limit: int = MAX_GRID_POSITIONS) -> None:
    """Refuse a page whose table cells, with their row and column spans expanded, exceed ``limit`` positions."""
    total = 0
    for cell in root.iter("td", "th"):
        total += html_span(cell.get("rowspan")) * html_span(cell.get("colspan"))
        if total > limit:
            raise ParseError(f"网页表格展开合并单元格后超过 {limit} 格（行列跨度异常），拒绝读取")


_GRID_SPAN = re.compile(rb"<w:gridSpan\b[^>]*?w:val=\"\s*([^\"]*)\"")
_TABLE_CELL = re.compile(rb"<w:tc[\s>]")


def check_docx_grid(data: bytes, limit: int = MAX_GRID_POSITIONS) -> None:
    """Refuse a Word document whose table cells, with their column spans (``w:gridSpan``), exceed ``limit``
    grid positions — python-docx repeats a spanned cell once per position it covers."""
    import io
    import zipfile
    import zlib

    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # opened once already by check_zip
        # every XML part: the main document is found through the relationships, not by a fixed name
        for member in zf.infolist():
            if not member.filename.lower().endswith(".xml"):
                continue
            try:
                xml = zf.read(member)  # its size is bounded by check_zip
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
                continue  # python-docx reports a broken part itself
            total = _count_grid(xml, total, limit)


def _count_grid(xml: bytes, total: int, limit: int) -> int:
    total += len(_TABLE_CELL.findall(xml))
    for match in _GRID_SPAN.finditer(xml):
        value = match.group(1).strip()
        if not value.isdigit():
            raise ParseError(f"Word 文档表格中的合并列数“{value[:20].decode('utf-8', 'replace')}”不是整数，文档已损坏")
        total += int(value[:9])
        if total > limit:
            raise ParseError(f"Word 文档表格展开合并单元格后超过 {limit} 格（跨列数异常），拒绝读取")
    return total


def check_content(data: bytes | str, kind: str) -> None:
    """The checks for content of one kind, before its reader runs."""
    size = len(data)
    if size > MAX_INPUT_BYTES:
        raise ParseError(f"内容超过读取上限 {_mb(MAX_INPUT_BYTES)}")
    if isinstance(data, bytes):
        if kind == "docx":
            check_zip(data, "Word 文档")
            check_docx_grid(data)
        elif kind == "xlsx":  # a clerk's own sheet, read by its labels
            check_zip(data, "Excel 工作簿")
        elif kind == "pdf":
            check_pdf(data)


@contextmanager
def reader_errors(kind: str) -> Iterator[None]:
    """Any failure inside a third-party reader becomes a ``ParseError`` (no traceback reaches the user);
    running out of memory or recursion depth says the file is too complex."""
    names = {"docx": "Word 文档", "pdf": "PDF 文件", "html": "网页", "md": "Markdown 文件", "txt": "文本文件"}
    try:
        yield
    except ParseError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ParseError(f"{names.get(kind, '文件')}过于复杂，超出读取时的内存或层级上限，拒绝读取") from exc
    except Exception as exc:  # lxml, pdfminer and python-docx raise many types on hostile input
        raise ParseError(f"{names.get(kind, '文件')}内容无法读取（{type(exc).__name__}）") from exc


# ---------------------------------------------------------------- time and memory of one reading


class DeadlineExceeded(BaseException):
    """Raised by the alarm; a BaseException so that no reader's ``except Exception`` swallows it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise DeadlineExceeded


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ``DeadlineExceeded`` in the block after ``seconds`` of wall-clock time. Works in a process's
    main thread (the CLI, the audit workers); elsewhere, or with ``seconds <= 0``, the block runs unbounded."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cap_memory(extra_bytes: int) -> tuple[int, int] | None:
    """Cap this process's address space at what it maps now plus ``extra_bytes`` (for a worker or a one-shot
    command: a reader that needs more gets ``MemoryError`` instead of taking the machine's memory).
    Returns the previous limits (for ``memory_budget`` to restore), or None when nothing was set."""
    if extra_bytes <= 0:
        return None
    try:
        import resource

        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        previous = resource.getrlimit(resource.RLIMIT_AS)
        soft, hard = mapped + extra_bytes, previous[1]
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        if previous[0] != resource.RLIM_INFINITY:
            soft = min(soft, previous[0])
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        return previous
    except (OSError, ValueError, ImportError) as exc:  # no /proc or no rlimits: the time budget still holds
        log.warning("memory limit not set: %s", exc)
        return None


@contextmanager
def memory_budget(extra_bytes: int) -> Iterator[None]:
    """``cap_memory`` for the block only; the previous limit comes back afterwards."""
    previous = cap_memory(extra_bytes)
    try:
        yield
    finally:
        if previous is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, previous)
