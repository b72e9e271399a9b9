"""Parsing one uploaded file in a child process with its own time and memory budget.

The web app is shared: a hostile upload that the size checks let through (a PDF that is slow to interpret,
a table that needs much memory) must cost only its own request, not a server thread for minutes or the
whole process's memory. The child comes from a fork server (started once, single-threaded, with the
readers imported), so a parse costs a fork, not a fresh interpreter.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from ..schema import Report
from .errors import ParseError
from .limits import FILE_MEMORY_BYTES, FILE_SECONDS, DeadlineExceeded, cap_memory, deadline
from .parser import ParseOutcome, parse_file

log = logging.getLogger(__name__)
T = TypeVar("T")
_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        methods = multiprocessing.get_all_start_methods()
        _CONTEXT = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            _CONTEXT.set_forkserver_preload(
                ["assistant.ingest.parser", "assistant.ingest.isolated", "assistant.render.workbook"])
    return _CONTEXT


def _in_child(fn: Callable[..., T], seconds: float, *args: Any) -> T:
    try:
        with deadline(seconds):
            return fn(*args)
    except DeadlineExceeded:
        raise ParseError(f"读取超过时限（{seconds:g} 秒），文件可能过大或结构异常") from None
    except MemoryError:
        raise ParseError("读取时超出内存上限，文件可能过大或结构异常") from None


def run_isolated(fn: Callable[..., T], *args: Any, seconds: float = FILE_SECONDS,
                 memory_bytes: int = FILE_MEMORY_BYTES) -> T:
    """``fn(*args)`` in a child process (``fn`` a module-level function): past ``seconds`` or ``memory_bytes``
    (beyond the child's own) the result is a ``ParseError`` in Chinese; the calling process is untouched.
    Exceptions ``fn`` raises (``ParseError``, ``WorkbookError``) come back as they are."""
    with ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=cap_memory,
                             initargs=(memory_bytes,)) as pool:
        future = pool.submit(_in_child, fn, seconds, *args)
        try:
            return future.result(timeout=seconds + 30)  # the child's own alarm fires first; this is the net
        except BrokenProcessPool as exc:
            log.warning("isolated reader %s died", getattr(fn, "__name__", fn))
            raise ParseError("读取该文件时处理进程被系统终止（可能超出内存上限），已拒绝读取") from exc
        except FutureTimeout as exc:
            for process in list(getattr(pool, "_processes", {}).values()):  # a child stuck in C code
                process.kill()
            raise ParseError(f"读取超过时限（{seconds:g} 秒），文件可能过大或结构异常") from exc


def parse_file_isolated(path: str | Path, seconds: float = FILE_SECONDS,
                        memory_bytes: int = FILE_MEMORY_BYTES) -> ParseOutcome:
    """``parse_file`` in a child process with the reading budget (see ``run_isolated``)."""
    return run_isolated(parse_file, str(path), seconds=seconds, memory_bytes=memory_bytes)


def read_workbook_isolated(path: str | Path, seconds: float = FILE_SECONDS,
                           memory_bytes: int = FILE_MEMORY_BYTES) -> Report:
    """``read_workbook`` in a child process with the reading budget; its ``WorkbookError`` comes back intact."""
    from ..render.workbook import read_workbook

    return run_isolated(read_workbook, str(path), seconds=seconds, memory_bytes=memory_bytes)
