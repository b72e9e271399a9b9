"""The official tables as grids of cells with row/column spans, derived from ``schema.labels``.

Every renderer (DOCX, HTML, Markdown, XLSX) draws the same ``TableGrid``, so the merged headers and
the rowspans of 三、本年度办理结果 are decided once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..schema import Report, get_cell
from ..schema.labels import (
    APPLICANT_GROUP,
    INFO_CONTENT,
    LEGAL_ENTITY_COLUMNS,
    LEGAL_ENTITY_GROUP,
    RESULTS_GROUP,
    SECTION3_COLUMNS,
    SECTION3_RULE_TEXT,
    SECTION4_COLUMNS,
    SECTION4_GROUPS,
    FormatVersion,
    SubTable,
    section2_tables,
    section3_rows,
)

MISSING = "【待补充】"
SECTION2_VALUE_SPAN = 3  # section 二 is four columns wide: 信息内容 + three value columns
SECTION3_LABEL_COLS = 3
_RESULT_GROUPED = ("granted", "partially_granted", "total_processed")
TEXT_WIDTH_MM = 156.0  # the 公文 text block on A4 (210 mm − 28 mm − 26 mm)
# Column widths in mm: the label columns of section 三 get room for their text, the value columns are equal.
COLUMN_WIDTHS_MM: dict[str, tuple[float, ...]] = {
    "active_disclosure": (52.0, 34.6, 34.6, 34.8),
    "applications": (10.0, 16.0, 46.0) + (12.0,) * 7,
    "review_litigation": (10.4,) * 15,
}


@dataclass(frozen=True)
class GridCell:
    """One printed cell: its top-left grid position, spans, text, and the document cell it shows."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    cell_id: str | None = None
    header: bool = False
    kind: str = "label"  # caption | header | label | value


@dataclass
class TableGrid:
    """A whole table: its id (the document key), size, and cells in row-major order."""

    id: str
    n_rows: int
    n_cols: int
    cells: list[GridCell] = field(default_factory=list)
    header_rows: int = 0

    def rows(self) -> list[list[GridCell]]:
        """Cells grouped by the row they start in."""
        out: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        return out

    def value_cells(self) -> list[GridCell]:
        return [c for c in self.cells if c.cell_id is not None]

    def column_widths_mm(self) -> tuple[float, ...]:
        """Printed column widths, shared by the DOCX grid and the HTML colgroup."""
        return COLUMN_WIDTHS_MM.get(self.id, (TEXT_WIDTH_MM / self.n_cols,) * self.n_cols)

    def column_percents(self) -> list[float]:
        widths = self.column_widths_mm()
        return [round(w * 100 / sum(widths), 2) for w in widths]


def format_value(value: int | Decimal | None) -> str:
    """How a cell value is printed: integers as is, money without exponent or trailing zeros, blank as 【待补充】."""
    if value is None:
        return MISSING
    if isinstance(value, Decimal):
        if value == value.to_integral():
            return str(int(value))
        return format(value.normalize(), "f")
    return str(value)


def _spread(n_values: int) -> list[int]:
    """Column spans of n value columns laid over the three value columns of section 二."""
    if n_values >= SECTION2_VALUE_SPAN:
        return [1] * n_values
    return [1] * (n_values - 1) + [SECTION2_VALUE_SPAN - (n_values - 1)]


def section2_grid(report: Report | None, version: FormatVersion = "2021") -> TableGrid:
    """Section 二: per sub-table a full-width caption row, a header row, and its data rows."""
    grid = TableGrid("active_disclosure", 0, 1 + SECTION2_VALUE_SPAN)
    r = 0
    for sub in section2_tables(version):
        grid.cells.append(GridCell(r, 0, sub.caption, colspan=grid.n_cols, header=True, kind="caption"))
        r += 1
        r = _section2_body(grid, sub, r, report)
    grid.n_rows = r
    return grid


def _section2_body(grid: TableGrid, sub: SubTable, r: int, report: Report | None) -> int:
    spans = _spread(len(sub.columns))
    grid.cells.append(GridCell(r, 0, INFO_CONTENT, header=True, kind="header"))
    c = 1
    for col, span in zip(sub.columns, spans, strict=True):
        grid.cells.append(GridCell(r, c, col.label, colspan=span, header=True, kind="header"))
        c += span
    r += 1
    for row in sub.rows:
        grid.cells.append(GridCell(r, 0, row.label, kind="label"))
        c = 1
        for col, span in zip(sub.columns, spans, strict=True):
            cid = f"active_disclosure.{sub.id}.{row.id}.{col.id}"
            grid.cells.append(GridCell(r, c, _text(report, cid), colspan=span, cell_id=cid, kind="value"))
            c += span
        r += 1
    return r


def _text(report: Report | None, cell_id: str) -> str:
    return format_value(get_cell(report, cell_id) if report is not None else None)


def section3_grid(report: Report | None, version: FormatVersion = "2021") -> TableGrid:
    """Section 三: the 3×3 rule-text corner, the applicant column tree, and the nested row groups."""
    rows = section3_rows(version)
    n_data = len(SECTION3_COLUMNS)
    grid = TableGrid("applications", 3 + len(rows), SECTION3_LABEL_COLS + n_data, header_rows=3)
    add = grid.cells.append
    first = SECTION3_LABEL_COLS
    add(GridCell(0, 0, SECTION3_RULE_TEXT, rowspan=3, colspan=3, header=True, kind="header"))
    add(GridCell(0, first, APPLICANT_GROUP, colspan=n_data, header=True, kind="header"))
    for i, col in enumerate(SECTION3_COLUMNS):
        c = first + i
        if col.id in LEGAL_ENTITY_COLUMNS:
            if col.id == LEGAL_ENTITY_COLUMNS[0]:
                add(GridCell(1, c, LEGAL_ENTITY_GROUP, colspan=len(LEGAL_ENTITY_COLUMNS), header=True, kind="header"))
            add(GridCell(2, c, col.label, header=True, kind="header"))
        else:
            add(GridCell(1, c, col.label, rowspan=2, header=True, kind="header"))

    results = [r for r in rows if r.group is not None or r.id in _RESULT_GROUPED or r.id == "other_total_2019"]
    group_sizes: dict[str, int] = {}
    for row in rows:
        if row.group:
            group_sizes[row.group] = group_sizes.get(row.group, 0) + 1
    seen_groups: set[str] = set()
    for i, row in enumerate(rows):
        r = 3 + i
        in_results = row in results
        if in_results and row is results[0]:
            add(GridCell(r, 0, RESULTS_GROUP, rowspan=len(results), header=True, kind="label"))
        if not in_results:
            add(GridCell(r, 0, row.label, colspan=3, kind="label"))
        elif row.group:
            if row.group not in seen_groups:
                seen_groups.add(row.group)
                add(GridCell(r, 1, row.group, rowspan=group_sizes[row.group], kind="label"))
            add(GridCell(r, 2, row.label, kind="label"))
        else:
            add(GridCell(r, 1, row.label, colspan=2, kind="label"))
        for j, col in enumerate(SECTION3_COLUMNS):
            cid = f"applications.{row.id}.{col.id}"
            add(GridCell(r, first + j, _text(report, cid), cell_id=cid, kind="value"))
    return grid


def section4_grid(report: Report | None) -> TableGrid:
    """Section 四: 行政复议 (two header rows) beside 行政诉讼 with its two sub-groups, then one value row."""
    width = len(SECTION4_COLUMNS)
    grid = TableGrid("review_litigation", 4, width * len(SECTION4_GROUPS), header_rows=3)
    add = grid.cells.append
    parents_done: set[str] = set()
    for g, group in enumerate(SECTION4_GROUPS):
        c0 = g * width
        if group.parent is None:
            add(GridCell(0, c0, group.label, rowspan=2, colspan=width, header=True, kind="header"))
        else:
            if group.parent not in parents_done:
                parents_done.add(group.parent)
                n = sum(1 for x in SECTION4_GROUPS if x.parent == group.parent)
                add(GridCell(0, c0, group.parent, colspan=width * n, header=True, kind="header"))
            add(GridCell(1, c0, group.label, colspan=width, header=True, kind="header"))
    for g in range(len(SECTION4_GROUPS)):
        for j, col in enumerate(SECTION4_COLUMNS):
            add(GridCell(2, g * width + j, col.label, header=True, kind="header"))
    for g, group in enumerate(SECTION4_GROUPS):
        for j, col in enumerate(SECTION4_COLUMNS):
            cid = f"review_litigation.{group.id}.{col.id}"
            add(GridCell(3, g * width + j, _text(report, cid), cell_id=cid, kind="value"))
    grid.cells.sort(key=lambda c: (c.row, c.col))
    return grid


def report_grids(report: Report) -> dict[str, TableGrid]:
    """The three tables of a report, keyed by document table id."""
    return {
        "active_disclosure": section2_grid(report, report.format),
        "applications": section3_grid(report, report.format),
        "review_litigation": section4_grid(report),
    }
