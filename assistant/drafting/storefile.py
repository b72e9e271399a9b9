"""Opening the SQLite store file: a damaged, read-only or full store gets a Chinese message naming the
file, never a raw sqlite traceback. A damaged file is never deleted: with the user's consent (or
``XXGK_NEW_STORE_IF_DAMAGED=1``) it is moved aside and a fresh store starts in its place.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..errors import AssistantError

log = logging.getLogger(__name__)

RESET_ENV = "XXGK_NEW_STORE_IF_DAMAGED"


class StoreError(AssistantError):
    """Base of the store's errors: each reads as a Chinese sentence that says what to do.

    ``path`` names the store file when the file itself is the problem (damaged, read-only, full disk).
    """

    def __init__(self, *args: object, path: Path | None = None) -> None:
        super().__init__(*args)
        self.path = path


class StoreDamagedError(StoreError):
    """The store file is not a readable SQLite database (corrupted, truncated, or another file)."""


def reason(exc: sqlite3.Error, path: Path) -> str:
    """What is wrong with the store file, as a Chinese sentence naming it."""
    text = str(exc).lower()
    if "full" in text:
        return f"保存失败：存放数据的磁盘空间不足（{path.name}）。请清理磁盘后重试，已填写的内容尚未丢失。"
    if "i/o" in text:
        return f"保存失败：写入数据文件 {path.name} 时磁盘出错（可能是磁盘空间不足或磁盘故障）。请检查磁盘后重试。"
    if "readonly" in text or "read-only" in text or "permission" in text:
        return f"数据文件 {path} 是只读的或没有写入权限，无法保存。请检查该文件及其文件夹的权限。"
    if "locked" in text or "busy" in text:
        return f"数据文件 {path.name} 正被其他程序占用，请稍后重试。"
    if "unable to open" in text:
        return f"无法打开数据文件 {path}：文件夹不存在或没有访问权限。"
    return f"数据文件 {path.name} 无法使用（{exc.__class__.__name__}）。"


def _damaged(path: Path) -> StoreDamagedError:
    return StoreDamagedError(
        f"数据文件 {path} 已损坏，无法读取。原文件不会被删除；如同意将其移到一旁（改名保留）并新建数据文件，"
        f"请确认，或设置环境变量 {RESET_ENV}=1 后重新启动。",
        path=path,
    )


def set_aside(path: Path) -> Path:
    """Move a damaged store (and its WAL side files) aside under a dated name; returns the new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            os.replace(side, Path(str(target) + suffix))
    log.warning("damaged store %s moved aside to %s", path, target)
    return target


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        row = db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            raise sqlite3.DatabaseError("quick_check: " + (row[0] if row else "no answer"))
    except BaseException:
        db.close()
        raise
    return db


def open_store_file(path: Path, reset_damaged: bool | None = None) -> sqlite3.Connection:
    """A connection to the store at ``path`` (WAL, checked). Raises ``StoreDamagedError`` for a damaged file
    unless ``reset_damaged`` (default: the ``XXGK_NEW_STORE_IF_DAMAGED`` variable), and ``StoreError`` when
    the file is a folder, read-only, or the disk is full."""
    if reset_damaged is None:
        reset_damaged = os.environ.get(RESET_ENV, "") in ("1", "true", "yes")
    if path.is_dir():
        raise StoreError(f"数据文件 {path} 是一个文件夹，不是数据文件。", path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"无法创建数据文件夹 {path.parent}：没有权限或磁盘已满。", path=path) from exc
    if not path.exists():
        try:  # owner-only from the first byte (SQLite gives its -wal and -shm files the same mode)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError as exc:
            raise StoreError(f"无法创建数据文件 {path}：没有权限或磁盘已满。", path=path) from exc
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"数据文件 {path} 是只读的或没有读写权限，无法保存。请检查该文件的权限。", path=path)
    try:
        return _connect(path)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not _looks_damaged(exc):
            raise StoreError(reason(exc, path), path=path) from exc
        if not reset_damaged:
            raise _damaged(path) from exc
    set_aside(path)
    try:
        return _connect(path)
    except sqlite3.Error as exc:
        raise StoreError(reason(exc, path), path=path) from exc


def _looks_damaged(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text or "quick_check" in text


@contextmanager
def store_errors(path: Path) -> Iterator[None]:
    """Turn sqlite errors during a write (full disk, read-only file) into a Chinese ``StoreError``."""
    try:
        yield
    except sqlite3.Error as exc:
        log.warning("store write failed: %s", exc)
        if _looks_damaged(exc):
            raise _damaged(path) from exc
        raise StoreError(reason(exc, path), path=path) from exc
