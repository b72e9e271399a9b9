"""One table cell as printed: is it a number, a blank marker, a label; its value; splitting text lines into cells."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

CellValue = int | Decimal | None

BLANK_MARKS = {"", "/", "-", "—", "——", "–", "无", "／", "－", "空", "\\"}
_LIST_NUMBER = re.compile(r"^\d+\s*[.、．]\s*(\D|$)")
_VALUE_START = re.compile(r"^[+\-−]*\d")  # ``--253`` as printed is a (badly signed) value, not a label
_INT = re.compile(r"^[+\-]?\d{1,3}(?:,\d{3})+$|^[+\-]?\d+$")
_DECIMAL = re.compile(r"^\d+(?:\.\d+)?$|^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_GLUED = re.compile(r"^(.*[^\d\s.、．,，+\-])(\d+(?:\.\d+)?)$")
_PLACEHOLDER = re.compile(r"^[【\[(（]?(?:待补充|待核实|待填写|待填报|空白|暂无)[】\])）]?$")
_PIPE_RULE = re.compile(r"^[\s|:：\-—]+$")



@lru_cache(maxsize=65536)
def clean_cell(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("−", "-").strip()


@lru_cache(maxsize=65536)
def is_blank(text: str) -> bool:
    t = re.sub(r"\s+", "", clean_cell(text))
    return t in BLANK_MARKS or bool(_PLACEHOLDER.match(t))


@lru_cache(maxsize=65536)
def is_value_like(text: str) -> bool:
    """A cell that holds (or should hold) a number: digits first, or a blank marker; not a list number."""
    t = re.sub(r"\s+", "", clean_cell(text))
    if t in BLANK_MARKS or _PLACEHOLDER.match(t):
        return True
    if len(t) > 16 or re.search(r"[，。；,;]", t):
        return False  # prose that happens to start with a year is not a cell value
    return bool(_VALUE_START.match(t)) and not _LIST_NUMBER.match(t)


def split_line(line: str) -> list[str]:
    """Cells of one text line: tab-separated, a pipe table row, or whitespace-separated tokens."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    stripped = line.strip()
    # a pipe row, or one cell per line closed by a pipe (``自然人 | 3 |``, ``3 |``)
    if stripped.count("|") >= 2 or stripped.startswith("|") or stripped.endswith("|"):
        if _PIPE_RULE.match(stripped):
            return []
        return [c.strip() for c in stripped.strip("|").split("|")]
    return stripped.split()


def unglue(cells: list[str]) -> list[str]:
    """Split label+digits glued together by a flattened page (``行政许可3960181``)."""
    out: list[str] = []
    for cell in cells:
        m = _GLUED.match(clean_cell(cell)) if cell and cell[-1].isdigit() and not is_value_like(cell) else None
        if m and re.search(r"[\u4e00-\u9fff)）]", m.group(1)):
            out.extend([m.group(1), m.group(2)])
        else:
            out.append(cell)
    return out


@lru_cache(maxsize=65536)
def parse_value(raw: str, kind: str) -> CellValue:
    """The number in a cell, or None when it is blank or not a plain number of the right kind."""
    t = re.sub(r"\s+", "", clean_cell(raw))
    if t in BLANK_MARKS or _PLACEHOLDER.match(t):
        return None
    if kind == "money":
        if not _DECIMAL.match(t):
            return None
        try:
            return Decimal(t.replace(",", ""))
        except InvalidOperation:
            return None
    if not _INT.match(t):
        return None
    value = int(t.replace(",", ""))
    if kind == "count" and (value < 0 or t.startswith("+")):
        return None
    return value
