"""Parsing one uploaded file in a child process with its own time and memory budget.

The web app is shared: a hostile upload that the size checks let through (a PDF that is slow to interpret,
a table that needs much memory) must cost only its own request, not a server thread for minutes or the
whole process's memory. The child comes from a fork server (started once, single-threaded, with the
readers imported), so a parse costs a fork, not a fresh interpreter.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .errors import ParseError
from .limits import FILE_MEMORY_BYTES, FILE_SECONDS, DeadlineExceeded, cap_memory, deadline
from .parser import ParseOutcome, parse_file

log = logging.getLogger(__name__)
_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        methods = multiprocessing.get_all_start_methods()
        _CONTEXT = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            _CONTEXT.set_forkserver_preload(["assistant.ingest.parser", "assistant.ingest.isolated"])
    return _CONTEXT


def _parse_in_child(path: str, seconds: float) -> ParseOutcome:
    try:
        with deadline(seconds):
            return parse_file(path)
    except DeadlineExceeded:
        raise ParseError(f"读取超过时限（{seconds:g} 秒），文件可能过大或结构异常") from None
    except MemoryError:
        raise ParseError("读取时超出内存上限，文件可能过大或结构异常") from None


def parse_file_isolated(path: str | Path, seconds: float = FILE_SECONDS,
                        memory_bytes: int = FILE_MEMORY_BYTES) -> ParseOutcome:
    """``parse_file`` in a child process: past ``seconds`` or ``memory_bytes`` (beyond the child's own) the
    result is a ``ParseError`` in Chinese, and the calling process is untouched."""
    with ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=cap_memory,
                             initargs=(memory_bytes,)) as pool:
        future = pool.submit(_parse_in_child, str(path), seconds)
        try:
            return future.result(timeout=seconds + 30)  # the child's own alarm fires first; this is the net
        except BrokenProcessPool as exc:
            log.warning("parse worker for %s died", Path(path).name)
            raise ParseError("读取该文件时处理进程被系统终止（可能超出内存上限），已拒绝读取") from exc
        except FutureTimeout as exc:
            for process in list(getattr(pool, "_processes", {}).values()):  # a child stuck in C code
                process.kill()
            raise ParseError(f"读取超过时限（{seconds:g} 秒），文件可能过大或结构异常") from exc
