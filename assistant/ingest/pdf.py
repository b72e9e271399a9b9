"""The text layer and ruled tables of a PDF through PDFium (pypdfium2): characters with their boxes, ruling lines.

pdfminer (under pdfplumber) interprets every page in Python and costs ~10× poppler's ``pdftotext``;
PDFium does it in C. From PDFium we take each character's box and every path segment in page space;
lines of text are grouped as pdfplumber groups them (3-point tolerances), and the ruled tables are found
by pdfplumber's own table finder (``TableFinder``, Nurminen's method) fed with those edges, so the cell
grid is the one pdfplumber finds, without pdfminer.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

X_TOLERANCE = 3.0  # pdfplumber's defaults: a gap wider than this starts a word, a step taller a line
Y_TOLERANCE = 3.0
MAX_FORM_DEPTH = 8
_ASCENT, _DESCENT = 0.88, 0.12  # of the font size, above and below the baseline


@dataclass
class PdfLine:
    """One line of text: its characters joined (a space between words) and its box (top-left origin)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class PdfPage:
    lines: list[PdfLine] = field(default_factory=list)
    tables: list[list[list[str | None]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


class _EdgePage:
    """What pdfplumber's TableFinder reads from a page: its edges and its box (no text: cells are filled here)."""

    def __init__(self, edges: list[dict[str, Any]], width: float, height: float) -> None:
        self.edges = edges
        self.bbox = (0.0, 0.0, width, height)
        self.chars: list[dict[str, Any]] = []


def read_pages(data: bytes) -> Iterator[PdfPage]:
    """Every page's text lines and tables, in order. Raises PDFium's errors on a broken file."""
    doc = pdfium.PdfDocument(data)
    try:
        for index in range(len(doc)):
            page = doc[index]
            try:
                yield _read_page(page)
            finally:
                page.close()
    finally:
        doc.close()


def _read_page(page: Any) -> PdfPage:
    left, bottom, right, top = page.get_cropbox()
    width, height = right - left, top - bottom
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage.raw, left, top)
    finally:
        textpage.close()
    out = PdfPage(lines=_lines(chars))
    edges = list(_edges(page.raw, left, top))
    if edges:
        out.tables = _tables(edges, chars, width, height)
    return out


def _chars(textpage: Any, left: float, top: float) -> list[_Char]:
    count = pdfium_c.FPDFText_CountChars(textpage)
    rect = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    matrix = pdfium_c.FS_MATRIX()
    chars: list[_Char] = []
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if code in (0, 0xFFFE, 0xFFFF) or pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        try:
            text = chr(code)
        except ValueError:
            continue
        if text.isspace():
            continue  # spaces come back from the gaps, as pdfplumber makes them
        if not pdfium_c.FPDFText_GetLooseCharBox(textpage, i, ctypes.byref(rect)):
            continue
        if not pdfium_c.FPDFText_GetCharOrigin(textpage, i, ctypes.byref(ox), ctypes.byref(oy)):
            continue
        # vertically, a box of the font size standing on the baseline, as pdfminer makes it: every
        # character of a line then shares its top, whatever its glyph or font
        # PDFium reports the size before the character's matrix (Tf 319 under a 0.05 matrix is 16 pt)
        size = pdfium_c.FPDFText_GetFontSize(textpage, i)
        if pdfium_c.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix)):
            size *= (matrix.c * matrix.c + matrix.d * matrix.d) ** 0.5 or 1.0
        base = top - oy.value
        # a glyph is at most one em wide (PDFium widens a loose box by any character spacing that follows it)
        x1 = min(rect.right, rect.left + size) if size > 0 else rect.right
        chars.append(_Char(text, rect.left - left, x1 - left, base - size * _ASCENT, base + size * _DESCENT))
    return chars


def _cluster(items: list[_Char], key: Any, tolerance: float) -> list[list[_Char]]:
    """Groups of items whose key values form chains no wider than ``tolerance`` apart (pdfplumber's clustering)."""
    groups: list[list[_Char]] = []
    last: float | None = None
    for item in sorted(items, key=key):
        value = key(item)
        if last is None or value - last > tolerance:
            groups.append([item])
        else:
            groups[-1].append(item)
        last = value
    return groups


def _line_text(chars: list[_Char]) -> str:
    parts: list[str] = []
    prev: _Char | None = None
    for ch in sorted(chars, key=lambda c: c.x0):
        if prev is not None and ch.x0 - prev.x1 > X_TOLERANCE:
            parts.append(" ")
        parts.append(ch.text)
        prev = ch
    return "".join(parts)


def _lines(chars: list[_Char]) -> list[PdfLine]:
    lines = []
    for group in _cluster(chars, lambda c: c.top, Y_TOLERANCE):
        text = _line_text(group).strip()
        if text:
            lines.append(
                PdfLine(text, min(c.x0 for c in group), max(c.x1 for c in group),
                        min(c.top for c in group), max(c.bottom for c in group))
            )
    return lines


# ---------------------------------------------------------------- ruling lines


def _matrix(obj: Any) -> tuple[float, float, float, float, float, float]:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(
    inner: tuple[float, float, float, float, float, float], outer: tuple[float, float, float, float, float, float]
) -> tuple[float, float, float, float, float, float]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _objects(page: Any) -> Iterator[tuple[Any, tuple[float, float, float, float, float, float]]]:
    """Every path object on the page with its matrix to page space (form XObjects entered)."""
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack = [(pdfium_c.FPDFPage_GetObject(page, i), identity, 0) for i in range(pdfium_c.FPDFPage_CountObjects(page))]
    while stack:
        obj, parent, depth = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            # a path's segments are in its own space; its matrix maps them to the parent's
            yield obj, _compose(_matrix(obj), parent)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            matrix = _compose(_matrix(obj), parent)
            count = pdfium_c.FPDFFormObj_CountObjects(obj)
            stack.extend((pdfium_c.FPDFFormObj_GetObject(obj, i), matrix, depth + 1) for i in range(count))


def _edges(page: Any, left: float, top: float) -> Iterator[dict[str, Any]]:
    """Straight segments of every path as pdfplumber edges (its ``curve_to_edges``: consecutive points)."""
    x = ctypes.c_float()
    y = ctypes.c_float()
    for obj, (a, b, c, d, e, f) in _objects(page):
        points: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                continue
            px, py = x.value, y.value
            point = (round(a * px + c * py + e - left, 3), round(top - (b * px + d * py + f), 3))
            if pdfium_c.FPDFPathSegment_GetType(seg) == pdfium_c.FPDF_SEGMENT_MOVETO:
                yield from _pairs(points)
                points, start = [point], point
                continue
            points.append(point)
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                points.append(start)
        yield from _pairs(points)


def _pairs(points: list[tuple[float, float]]) -> Iterator[dict[str, Any]]:
    for (x0, y0), (x1, y1) in pairwise(points):
        if x0 == x1:
            orientation = "v"
        elif y0 == y1:
            orientation = "h"
        else:
            continue
        top_, bottom_ = min(y0, y1), max(y0, y1)
        yield {
            "object_type": "curve_edge", "x0": min(x0, x1), "x1": max(x0, x1), "top": top_, "bottom": bottom_,
            "doctop": top_, "width": abs(x1 - x0), "height": bottom_ - top_, "orientation": orientation,
        }


def _tables(edges: list[dict[str, Any]], chars: list[_Char], width: float, height: float) -> list[list[list[str | None]]]:
    from pdfplumber.table import TableFinder, TableSettings

    finder = TableFinder(_EdgePage(edges, width, height), TableSettings.resolve(None))  # type: ignore[arg-type]
    # a character belongs to the cell holding its centre (pdfplumber's rule); sorted by height for bisecting
    placed = sorted((((c.top + c.bottom) / 2, (c.x0 + c.x1) / 2, c) for c in chars), key=lambda t: t[0])
    mids = [p[0] for p in placed]
    tables: list[list[list[str | None]]] = []
    for table in finder.tables:
        rows: list[list[str | None]] = []
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            row_chars = [p for p in placed[bisect_left(mids, top) : bisect_left(mids, bottom)] if x0 <= p[1] < x1]
            cells: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    cells.append(None)
                    continue
                cx0, ctop, cx1, cbottom = cell
                inside = [c for v, h, c in row_chars if cx0 <= h < cx1 and ctop <= v < cbottom]
                cells.append("\n".join(_line_text(g) for g in _cluster(inside, lambda c: c.top, Y_TOLERANCE)))
            rows.append(cells)
        tables.append(rows)
    return tables
