"""The one seam for writing files: every output goes to a temporary file in the same folder, is flushed
to disk, then renamed over the target. A failed write (full disk, no permission, a folder in the way)
leaves the old file as it was and no temporary file behind, and says so in Chinese.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import AssistantError

log = logging.getLogger(__name__)

# A file name of more than this many bytes (UTF-8) is shortened: most file systems allow 255 bytes,
# and the temporary name adds a prefix and a suffix to it.
MAX_NAME_BYTES = 180

MB = 1024 * 1024
# Input file: published reports with scanned seals and photos reach ~20 MB; 64 MB leaves room.
MAX_INPUT_BYTES = 64 * MB
# Zip containers (.docx, .xlsx): the XML inside a real report is a few MB. Members declare their sizes in
# the central directory and Python's zipfile never inflates past a declared size (CRC error instead),
# so checking the directory bounds what openpyxl and python-docx can inflate.
MAX_ZIP_TOTAL = 256 * MB
MAX_ZIP_MEMBERS = 2_000
# Sheet or document XML compresses ~10–30×; a bomb member 1000× or more. Small members may be
# ratio-heavy (repeated styles), so the ratio counts only from 1 MB up.
MAX_ZIP_RATIO = 200
ZIP_RATIO_FLOOR = 1 * MB

_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "文件超过系统允许的大小（或磁盘空间不足）",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EROFS: "所在磁盘为只读",
    errno.EISDIR: "该路径是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中的上级不是文件夹",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ENOENT: "文件或所在文件夹不存在",
}


class WriteFailedError(AssistantError, OSError):
    """Writing an output file failed; the message is Chinese and names only the file (never its folder)."""

    def __init__(self, path: Path, reason: str, cause: BaseException | None = None) -> None:
        code = cause.errno if isinstance(cause, OSError) else None
        super().__init__(code, f"无法写入文件“{path.name}”：{reason}；原有文件未被改动")
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return str(self.strerror)


def reason_of(exc: OSError) -> str:
    """A Chinese reason for an operating-system error (full disk, permission, …)."""
    return _REASONS.get(exc.errno or 0, exc.strerror or "写入出错")


def public_message(exc: BaseException, *paths: str | Path) -> str:
    """An error for a page: Chinese for operating-system errors, and no folder of ``paths`` (a server's
    upload or workspace folder) left in the text — only file names remain."""
    plain_os_error = isinstance(exc, OSError) and not isinstance(exc, WriteFailedError)
    text = reason_of(exc) if isinstance(exc, OSError) and plain_os_error else str(exc)
    for path in paths:
        folder = str(Path(path).parent)
        if folder not in ("", "."):
            text = text.replace(folder + os.sep, "").replace(folder, "")
    return text


def check_output(path: str | Path) -> Path:
    """Fail before any work starts when ``path`` cannot become an output file: it is a folder, a device,
    its folder is missing and cannot be created, or the folder is not writable."""
    p = Path(path)
    if p.is_dir():
        raise WriteFailedError(p, _REASONS[errno.EISDIR])
    if p.exists() and not p.is_file():
        raise WriteFailedError(p, "该路径不是普通文件")
    if len(p.name.encode("utf-8")) > MAX_NAME_BYTES + 60:
        raise WriteFailedError(p, _REASONS[errno.ENAMETOOLONG])
    parent = p.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise WriteFailedError(p, _REASONS[errno.ENOTDIR])
    if not os.access(existing, os.W_OK | os.X_OK):
        raise WriteFailedError(p, _REASONS[errno.EACCES])
    if p.exists() and not os.access(p, os.W_OK) and not os.access(parent, os.W_OK):
        raise WriteFailedError(p, _REASONS[errno.EACCES])
    return p


def _fail(target: Path, exc: OSError) -> WriteFailedError:
    if isinstance(exc, WriteFailedError):
        return exc
    log.warning("writing %s failed: %s", target.name, exc)
    return WriteFailedError(target, reason_of(exc), exc)


@contextmanager
def atomic_open(path: str | Path, mode: str = "wb", encoding: str | None = None,
                newline: str | None = None, permissions: int | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; on a clean exit it is flushed, synced and renamed
    over ``path`` (with ``permissions``, else an existing file's, else the umask's). Any failure removes it
    and raises ``WriteFailedError`` (for operating-system errors) with the old file untouched."""
    target = Path(path)
    if target.is_dir():
        raise WriteFailedError(target, _REASONS[errno.EISDIR])
    import tempfile  # here, not at the top: a read-only command (``xxgk check``) never pays for it

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".xxgk-", suffix=".tmp")
    except OSError as exc:
        raise _fail(target, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if permissions is None:
            _copy_mode(target, tmp)
        else:
            os.chmod(tmp, permissions)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # the folder went away or lost its permissions; the temporary name says what it is
            log.warning("could not remove the temporary file %s", tmp)
        if isinstance(exc, OSError):
            raise _fail(target, exc) from exc
        raise


def _copy_mode(target: Path, tmp: Path) -> None:
    """mkstemp creates 0600; an overwritten file keeps its mode, a new one gets the usual umask mode."""
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8", permissions: int | None = None) -> Path:
    """Write text to ``path`` atomically (see ``atomic_open``)."""
    with atomic_open(path, "w", encoding=encoding, newline="", permissions=permissions) as fh:
        fh.write(text)
    return Path(path)


def atomic_write_bytes(path: str | Path, data: bytes, permissions: int | None = None) -> Path:
    """Write bytes to ``path`` atomically (see ``atomic_open``)."""
    with atomic_open(path, "wb", permissions=permissions) as fh:
        fh.write(data)
    return Path(path)


def atomic_save(path: str | Path, save: Callable[[IO[bytes]], object], permissions: int | None = None) -> Path:
    """Let a library write into a binary file object (``Workbook.save``, ``Document.save``), then write the
    bytes atomically. The library writes into memory (our documents are small), so a failing disk never
    meets a half-written zip inside the library."""
    buffer = io.BytesIO()
    try:
        save(buffer)
    except Exception as exc:  # openpyxl spools sheets through temporary files, which a full disk breaks too
        code = _os_errno(exc)
        if code is None:
            raise
        raise _fail(Path(path), OSError(code, os.strerror(code))) from exc
    return atomic_write_bytes(path, buffer.getvalue(), permissions)


def _os_errno(exc: BaseException) -> int | None:
    """The operating-system error behind a library's exception: an OSError in its chain, or lxml's
    serialisation error text “IO_ENOSPC”."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno:
            return seen.errno
        text = str(seen)
        if text.startswith("IO_") and isinstance(getattr(errno, text[3:], None), int):
            return int(getattr(errno, text[3:]))
        seen = seen.__cause__ or seen.__context__
    return None


def safe_file_stem(name: str, fallback: str = "report", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name stem from a title: separators and characters Windows forbids become “_”, control
    characters go, and a long title is cut on a character boundary to ``max_bytes`` of UTF-8."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", name).strip(" .")
    raw = cleaned.encode("utf-8")
    if len(raw) > max_bytes:
        cleaned = raw[:max_bytes].decode("utf-8", errors="ignore").rstrip(" .")
    return cleaned or fallback


# ---------------------------------------------------------------- bounded reading


class UnsafeInputError(AssistantError, ValueError):
    """An input that is not a regular file, too large, or a container that would inflate past the bounds."""


def check_regular_file(path: Path, limit: int = MAX_INPUT_BYTES) -> int:
    """The size of ``path``; refuses anything but a regular file of at most ``limit`` bytes (a symbolic
    link counts as what it points to, so a link to ``/dev/zero`` is refused too)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise UnsafeInputError(f"无法读取文件 {path.name}：{reason_of(exc)}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeInputError(f"{path.name} 不是普通文件（可能是文件夹、设备或管道），不能读取")
    if info.st_size > limit:
        raise UnsafeInputError(f"文件 {path.name} 有 {info.st_size // MB} MB，超过读取上限 {limit // MB} MB")
    return info.st_size


def read_bounded(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see ``check_regular_file``)."""
    check_regular_file(path, limit)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)  # a file that grows while we read is still cut at the limit
    except OSError as exc:
        raise UnsafeInputError(f"无法读取文件 {path.name}：{reason_of(exc)}") from exc
    if len(data) > limit:
        raise UnsafeInputError(f"文件 {path.name} 超过读取上限 {limit // MB} MB")
    return data


def check_zip(source: bytes | str | os.PathLike[str], what: str) -> None:
    """Refuse a zip container (.docx, .xlsx) with too many members, a member inflating more than
    ``MAX_ZIP_RATIO`` times (from 1 MB up), or more than ``MAX_ZIP_TOTAL`` in all — before any inflating."""
    import zipfile  # only the commands that open .docx/.xlsx pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise UnsafeInputError(f"{what}已损坏或不是{what}（无法按压缩包读取）") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnsafeInputError(f"{what}内含 {len(members)} 个部件，超过上限 {MAX_ZIP_MEMBERS}，拒绝读取")
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size >= ZIP_RATIO_FLOOR and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1):
            raise UnsafeInputError(
                f"{what}中的部件 {m.filename[:80]} 解压后 {m.file_size // MB} MB，压缩比超过 {MAX_ZIP_RATIO} 倍"
                "（疑似压缩炸弹），拒绝读取"
            )
        if total > MAX_ZIP_TOTAL:
            raise UnsafeInputError(f"{what}解压后超过 {MAX_ZIP_TOTAL // MB} MB（疑似压缩炸弹），拒绝读取")
