"""A whole report on one line (many sites' “copy text” gives the body so): cut it back into lines.

Lines are cut only at boundaries the format itself proves: before the six official section headings,
after the title, before each official table label (row, caption, group, column-header start) where it
follows a cell boundary (space, digit, blank mark), and inside the tables at every space (the table
reader reads one cell per line). In the prose, numbered sub-headings （一）（二）… that follow a full
stop start a paragraph. A line is cut only when it holds at least two section headings, so ordinary
text is never touched.
"""

from __future__ import annotations

import re
from functools import cache

from ..schema.labels import (
    APPLICANT_GROUP,
    INFO_CONTENT,
    LEGAL_ENTITY_GROUP,
    RESULTS_GROUP,
    SECTION3_COLUMNS,
    SECTION3_RULE_TEXT,
    SECTION4_COLUMNS,
    SECTION4_GROUPS,
    SECTION_HEADINGS,
    section2_tables,
    section3_rows,
)
from .narrative import TITLE_PATTERN

MIN_LENGTH = 300  # a line shorter than this is not a whole report
MIN_TABLE_LINE = 40  # several table rows on one line are at least this long
_DIGIT = re.compile(r"\d")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_TITLE_END = re.compile(f"({TITLE_PATTERN})\\s+")  # group 1: the whole title
_SUB_HEADING = re.compile(r"(?<=[。；;！!])\s*(?=[（(][一二三四五六七八九十]+[）)])")
_SHORT_SUBHEAD = re.compile(r"^([（(][一二三四五六七八九十]+[）)][^\s，。；：,;:]{1,14})\s+")


def _flexible(label: str) -> str:
    """A regex for a label as printed: either bracket width, list numbers with any of . 、 ．, spaces between characters."""
    parts: list[str] = []
    for ch in label:
        if ch in "（(":
            parts.append("[（(]")
        elif ch in "）)":
            parts.append("[）)]")
        elif ch in ".．、":
            parts.append("[.．、]?")
        elif ch.isspace():
            continue
        else:
            parts.append(re.escape(ch))
    return r"\s*".join(parts)


@cache
def _headings() -> re.Pattern[str]:
    labels = sorted({text for h in SECTION_HEADINGS for text in (h.label, *h.aliases)}, key=len, reverse=True)
    return re.compile("|".join(_flexible(t) for t in labels))


@cache
def _table_labels() -> re.Pattern[str]:
    """Every label a table prints (captions, rows, groups, column headers), longest first."""
    labels: set[str] = {INFO_CONTENT, APPLICANT_GROUP, LEGAL_ENTITY_GROUP, SECTION3_RULE_TEXT, RESULTS_GROUP, "行政诉讼"}
    for version in ("2021", "2019"):
        for sub in section2_tables(version):
            labels.add(sub.caption)
            labels.update(row.label for row in sub.rows)
            labels.update(col.label for col in sub.columns)
        for row in section3_rows(version):
            labels.add(row.label)
            if row.group:
                labels.add(row.group)
    labels.update(g.label for g in SECTION4_GROUPS)
    labels.update(c.label for c in (*SECTION3_COLUMNS, *SECTION4_COLUMNS))
    return re.compile("|".join(_flexible(t) for t in sorted(labels, key=len, reverse=True)))


def _cut_at_labels(piece: str) -> list[str]:
    """Cells of a table part: cut before every label (matched longest first, never inside another), then at spaces."""
    cells: list[str] = []
    last = 0
    for m in _table_labels().finditer(piece):
        cells.extend(piece[last : m.start()].split())
        cells.append(re.sub(r"\s+", "", m.group(0)))
        last = m.end()
    cells.extend(piece[last:].split())
    return cells


def unfold(text: str, tables: bool = True) -> tuple[str, str | None]:
    """The text with every one-line report cut into lines, and a note saying so (None when nothing was cut).

    ``tables``: the text is also where the tables are read from (not a PDF, whose table lines come apart).
    """
    lines = text.split("\n")
    out: list[str] = []
    cut = False
    tables_cut = False
    for line in lines:
        if len(line) >= MIN_LENGTH and len(_headings().findall(line)) >= 2:
            out.extend(_unfold_line(line))
            cut = True
        elif tables and len(line) >= MIN_TABLE_LINE and _is_table_line(line):
            out.extend(_cut_at_labels(line))
            tables_cut = True
        else:
            out.append(line)
    if cut:
        return "\n".join(out), "全文在同一行中（网页复制常见），已按六个部分的标题、规定的表格行标签分行读取"
    if tables_cut:
        return "\n".join(out), "统计表的多行内容挤在同一行中，已按规定的表格标签分成单元格读取"
    return text, None


def _is_table_line(line: str) -> bool:
    """A line that is several table rows run together: at least three labels, and besides them only numbers."""
    if "。" in line:
        return False  # no table label ends a sentence; prose does (and this keeps the check cheap)
    labels = _table_labels().findall(line)
    if len(labels) < 3 or not _DIGIT.search(line):
        return False
    rest = _table_labels().sub("", line)
    return len(_CJK_CHAR.findall(rest)) <= 4  # prose naming 行政许可、行政处罚 has words besides them


def _unfold_line(line: str) -> list[str]:
    pieces: list[str] = []
    last = 0
    spans = [m.span() for m in _headings().finditer(line)]
    for start, end in spans:
        pieces.append(line[last:start])
        pieces.append(line[start:end])
        last = end
    pieces.append(line[last:])
    out: list[str] = []
    head, *rest = pieces
    out.extend(_TITLE_END.sub(r"\1\n", head, count=1).split("\n"))
    in_table = False
    for i, piece in enumerate(rest):
        if i % 2 == 0:  # a heading
            out.append(piece.strip())
            number = piece.strip()[:1]
            in_table = number in "二三四"
            continue
        if in_table:
            out.extend(_cut_at_labels(piece))
        else:
            for para in _SUB_HEADING.sub("\n", piece).split("\n"):
                out.extend(_SHORT_SUBHEAD.sub(r"\1\n", para.strip()).split("\n"))
    return [ln for ln in out if ln.strip()]
