"""Helpers for the render tests: a report whose every cell holds a distinct value, and readers that
rebuild a table's merged-cell grid from DOCX XML and from HTML, independently of the renderers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assistant.schema import CELLS, Report, load_report
from assistant.schema.labels import FormatVersion

Grid = dict[tuple[int, int], tuple[str, int, int]]  # (row, col) of the top-left → (text, rowspan, colspan)


def distinct_report(version: FormatVersion = "2021", **extra: Any) -> Report:
    """Every statistics cell a different value, so a swapped or shifted cell cannot go unnoticed."""
    data: dict[str, Any] = {"format": version, "year": 2022 if version == "2021" else 2020, "agency": "测试市测试局"}
    for i, (cell_id, spec) in enumerate(CELLS[version].items(), start=1):
        value: Any = i
        if spec.kind == "money":
            value = str(Decimal(i) + Decimal("0.25"))
        elif spec.kind == "signed_count":
            value = -i
        *path, last = cell_id.split(".")
        node = data
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    data.update(extra)
    return load_report(data)


def docx_grid(table: Any) -> Grid:
    """Rebuild the grid of a python-docx table from w:gridSpan and w:vMerge."""
    from docx.oxml.ns import qn

    grid: Grid = {}
    open_cols: dict[int, tuple[int, int]] = {}  # grid column → top-left of the vertical merge running there
    for r, tr in enumerate(table._tbl.tr_lst):
        c = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            vmerge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            state = None if vmerge is None else (vmerge.get(qn("w:val")) or "continue")
            text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            if state == "continue":
                top = open_cols[c]
                t_text, rs, cs = grid[top]
                assert cs == span, f"vMerge continuation at {(r, c)} has span {span}, restart had {cs}"
                grid[top] = (t_text, rs + 1, cs)
                assert text == "", f"continued cell {(r, c)} holds text {text!r}"
            else:
                grid[(r, c)] = (text, 1, span)
                if state == "restart":
                    open_cols[c] = (r, c)
                else:
                    open_cols.pop(c, None)
            c += span
    return grid


def html_grid(table: Any) -> Grid:
    """Rebuild the grid of a bs4 <table> from rowspan/colspan (the HTML table model)."""
    grid: Grid = {}
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(table.find_all("tr")):
        c = 0
        for cell in tr.find_all(["td", "th"]):
            while (r, c) in taken:
                c += 1
            rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            grid[(r, c)] = (cell.get_text(), rs, cs)
            for i in range(rs):
                for j in range(cs):
                    taken.add((r + i, c + j))
            c += cs
    return grid


def layout_grid(table: Any) -> Grid:
    """The grid a renderer was asked to draw (``assistant.render.layout.TableGrid``)."""
    return {(c.row, c.col): (c.text, c.rowspan, c.colspan) for c in table.cells}
