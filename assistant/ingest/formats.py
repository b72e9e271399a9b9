"""File formats Chinese offices use beyond PDF, Word (.docx), web pages and text: read through a tool, or refused aloud.

``.doc`` (Word 97–2003) and ``.wps`` (WPS 文字, the same binary family) are converted to ``.docx`` by
LibreOffice when it is installed — in a private profile and a temporary folder, with a time limit —
and read as Word documents; without LibreOffice the refusal names the tool. ``.ofd`` (the national
版式文档 format, GB/T 33190) has no maintained, light Python reader: it is refused with the format named
and what to send instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from .errors import ParseError

log = logging.getLogger(__name__)

LEGACY_WORD = ("doc", "wps")
CONVERT_TIMEOUT_S = 90.0
TEMPLATE_SHEET = "基本信息"  # the first sheet of our own statistics workbook (assistant.render.workbook)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of .doc and .wps


def soffice() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def legacy_word_to_docx(data: bytes, kind: str) -> bytes:
    """A .doc/.wps file as .docx bytes, converted by LibreOffice; a clear error when that is not possible."""
    name = "Word 97–2003 文档（.doc）" if kind == "doc" else "WPS 文字文档（.wps）"
    if data.startswith(b"PK"):
        return data  # a .docx saved under an old extension (WPS does this): read it as it is
    if not data.startswith(_OLE_MAGIC):
        raise ParseError(f"文件扩展名为 .{kind}，但内容不是{name}")
    tool = soffice()
    if tool is None:
        raise ParseError(f"读取{name}需要 LibreOffice（soffice 命令），本机未安装；请安装 LibreOffice，或把报告另存为 .docx 或 PDF")
    with tempfile.TemporaryDirectory(prefix="xxgk-convert-") as tmp:
        folder = Path(tmp)
        source = folder / "report.doc"  # LibreOffice reads WPS 文字 binary files through its Word filter
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()  # a private profile: parallel conversions do not collide
        command = [tool, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "docx",
                   "--outdir", str(folder), str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False,
                           env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired as exc:
            raise ParseError(f"LibreOffice 转换{name}超过 {CONVERT_TIMEOUT_S:.0f} 秒仍未完成，已放弃") from exc
        except OSError as exc:
            raise ParseError(f"无法运行 LibreOffice 转换{name}：{exc.strerror or exc}") from exc
        converted = folder / "report.docx"
        if not converted.is_file():
            log.warning("LibreOffice produced no output for a .%s file", kind)
            raise ParseError(f"LibreOffice 未能转换该{name}（文件可能已损坏或加密）")
        return converted.read_bytes()


def is_statistics_workbook(data: bytes) -> bool:
    """Whether an .xlsx is our own statistics workbook (its first sheet 基本信息), from its small workbook part only."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 1_000_000:
                return False
            return TEMPLATE_SHEET in archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return False


def sheet_source(data: bytes) -> tuple[list[list[str | None]], list[str]] | None:
    """A clerk's own Excel sheet as rows of cells (read by their labels, as HTML and Word tables are) and its
    text lines; None when it is our statistics workbook (read exactly by ``render.workbook``)."""
    import openpyxl

    try:
        # data_only: a formula cell gives the value Excel last computed, never the formula
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged archive fails in zipfile, XML or openpyxl in many ways
        if isinstance(exc, MemoryError):
            raise
        raise ParseError(f"无法打开 Excel 文件（统计工作簿或统计表）：{type(exc).__name__}") from exc
    try:
        if TEMPLATE_SHEET in book.sheetnames:
            return None
        grid: list[list[str | None]] = []
        lines: list[str] = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells: list[str | None] = [_cell_text(v) for v in row]
                grid.append(cells)
                text = " ".join(c for c in cells if c)
                if text:
                    lines.append(text)
            grid.append([])
        return grid, lines
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def refuse_ofd(data: bytes) -> ParseError:
    """The refusal of an OFD file, saying whether the file really is one."""
    really = False
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            really = any(n.upper().endswith("OFD.XML") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        really = False
    what = "OFD 版式文档（GB/T 33190）" if really else "扩展名为 .ofd 的文件（内容也不是有效的 OFD 版式文档）"
    return ParseError(f"暂不能读取{what}：请提供同一份报告的 PDF、Word（.docx）或网页版本")
