"""The three statistics tables as editable grids laid out like the official tables (no gradio here).

A grid is a list of rows; each position holds either a fixed label (text) or a cell id. Values shown
are strings ("" = blank); reading a grid back turns every cell position into a value or a Chinese
error naming the cell id and its label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..schema import Report
from ..schema.document import flatten_cells
from ..schema.labels import (
    BLANK_CELL,
    CELLS,
    INFO_CONTENT,
    RESULTS_GROUP,
    SECTION3_COLUMNS,
    SECTION4_COLUMNS,
    SECTION4_GROUPS,
    TABLE_LABELS,
    FormatVersion,
    section2_tables,
    section3_rows,
)
from ..textnum import to_int, to_number

TABLES: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation")


@dataclass(frozen=True)
class Slot:
    """A cell position in a grid."""

    cell_id: str


Item = str | Slot


@dataclass(frozen=True)
class GridLayout:
    """One official table as a grid: headers and rows of labels and cell slots."""

    table: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Item, ...], ...]
    label_columns: int

    def slots(self) -> dict[tuple[int, int], str]:
        """(row, column) → cell id for every editable position."""
        return {
            (r, c): item.cell_id
            for r, row in enumerate(self.rows)
            for c, item in enumerate(row)
            if isinstance(item, Slot)
        }


class GridInputError(ValueError):
    """Grid values that are not numbers; ``problems`` are Chinese lines naming cell id and label."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("以下单元格的内容无法识别为数字，请修改：\n" + "\n".join(f"  - {p}" for p in problems))


def _section2(version: FormatVersion) -> GridLayout:
    width = max(len(sub.columns) for sub in section2_tables(version))
    rows: list[tuple[Item, ...]] = []
    for sub in section2_tables(version):
        # The official table repeats a header row per sub-table; so does the grid.
        head = [c.label for c in sub.columns] + [""] * (width - len(sub.columns))
        rows.append((sub.caption, INFO_CONTENT, *head))
        for row in sub.rows:
            slots: list[Item] = [Slot(f"active_disclosure.{sub.id}.{row.id}.{c.id}") for c in sub.columns]
            rows.append(("", row.label, *slots, *([""] * (width - len(sub.columns)))))
    # A column's header names what it holds in every sub-table (the official headings, not "第1栏").
    subs = section2_tables(version)
    headers = ("项目", INFO_CONTENT, *(
        " / ".join(dict.fromkeys(sub.columns[i].label for sub in subs if i < len(sub.columns))) for i in range(width)
    ))
    return GridLayout("active_disclosure", TABLE_LABELS["active_disclosure"], headers, tuple(rows), 2)


def _section3(version: FormatVersion) -> GridLayout:
    rows: list[tuple[Item, ...]] = []
    for row in section3_rows(version):
        group = row.group or (RESULTS_GROUP if row.id in ("granted", "partially_granted", "total_processed") else "")
        rows.append((group, row.label, *(Slot(f"applications.{row.id}.{c.id}") for c in SECTION3_COLUMNS)))
    # The official header prints 法人或其他组织 above five of these; the grid keeps the bottom header row.
    headers = ("栏目", "项目", *(c.label for c in SECTION3_COLUMNS))
    return GridLayout("applications", TABLE_LABELS["applications"], headers, tuple(rows), 2)


def _section4() -> GridLayout:
    rows: tuple[tuple[Item, ...], ...] = tuple(
        (grp.parent or grp.label, grp.label if grp.parent else "", *(Slot(f"review_litigation.{grp.id}.{c.id}") for c in SECTION4_COLUMNS))
        for grp in SECTION4_GROUPS
    )
    headers = ("类别", "起诉方式", *(c.label for c in SECTION4_COLUMNS))
    return GridLayout("review_litigation", TABLE_LABELS["review_litigation"], headers, rows, 2)


_LAYOUTS: dict[str, dict[str, GridLayout]] = {
    v: {"active_disclosure": _section2(v), "applications": _section3(v), "review_litigation": _section4()}  # type: ignore[arg-type]
    for v in ("2021", "2019")
}


def layout(version: FormatVersion, table: str) -> GridLayout:
    """The grid of one table (``active_disclosure`` / ``applications`` / ``review_litigation``)."""
    return _LAYOUTS[version][table]


def cell_text(value: Any) -> str:
    """A cell value as the page shows it ("" for blank; 1.5 not 1.50, 3 not 3.0)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
    return str(value)


def cell_or_blank(value: Any) -> str:
    """A cell value as a list or table of changes shows it: its text, or 空白 (``BLANK_CELL``) when blank."""
    return cell_text(value) or BLANK_CELL


def grid_rows(report: Report, table: str) -> list[list[str]]:
    """The grid's rows as strings: labels verbatim, cell values ("" for blank)."""
    values, _ = flatten_cells(report)
    return [
        [cell_text(values.get(item.cell_id)) if isinstance(item, Slot) else item for item in row]
        for row in layout(report.format, table).rows
    ]


def parse_value(cell_id: str, raw: Any, version: FormatVersion) -> int | Decimal | None:
    """One edited value: blank → None; counts must be whole numbers (negative only where allowed)."""
    spec = CELLS[version][cell_id]
    text = "" if raw is None else str(raw).strip()
    if text in ("", "nan", "None"):
        return None
    if isinstance(raw, float) and raw == int(raw):
        text = str(int(raw))
    if spec.kind == "money":
        money = to_number(text)
        if money is None or money < 0:
            raise ValueError(f"{cell_id}（{spec.full_label}）：应为不小于 0 的金额（万元），实际填写“{text}”")
        return money
    number = to_int(text)
    if number is None or (number < 0 and spec.kind != "signed_count"):
        what = "整数" if spec.kind == "signed_count" else "不小于 0 的整数"
        raise ValueError(f"{cell_id}（{spec.full_label}）：应为{what}，实际填写“{text}”")
    return number


def read_grid(report: Report, table: str, rows: Sequence[Sequence[Any]]) -> dict[str, int | Decimal | None]:
    """The cells whose grid value differs from the report. Raises ``GridInputError`` for unreadable values."""
    grid = layout(report.format, table)
    current, _ = flatten_cells(report)
    changed: dict[str, int | Decimal | None] = {}
    problems: list[str] = []
    for (r, c), cell_id in grid.slots().items():
        if r >= len(rows) or c >= len(rows[r]):
            continue
        try:
            value = parse_value(cell_id, rows[r][c], report.format)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        old = current.get(cell_id)
        if value != old or (value is None) != (old is None):
            changed[cell_id] = value
    if problems:
        raise GridInputError(problems)
    return changed


def flagged_positions(report: Report, table: str, cells: dict[str, str]) -> dict[tuple[int, int], str]:
    """Grid positions of flagged cells → severity ("error" wins over "warning")."""
    return {pos: cells[cid] for pos, cid in layout(report.format, table).slots().items() if cid in cells}


MAX_PASTE_CHARS = 200_000


def read_paste(report: Report, table: str, row: int, col: int, text: str) -> dict[str, int | Decimal | None]:
    """A block copied from Excel/WPS (tab-separated rows) pasted at grid position (row, col).

    Rows and columns land as copied, from the selected cell on; positions that are labels or outside the
    grid are skipped; a blank copied cell leaves the cell blank. Raises ``GridInputError`` naming every
    cell whose value is not a number (nothing is applied then).
    """
    if len(text) > MAX_PASTE_CHARS:
        raise GridInputError([f"粘贴的内容过长（超过 {MAX_PASTE_CHARS} 个字符），请分块粘贴。"])
    slots = layout(report.format, table).slots()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    values: dict[str, int | Decimal | None] = {}
    problems: list[str] = []
    for dr, line in enumerate(lines):
        for dc, raw in enumerate(line.split("\t")):
            cell_id = slots.get((row + dr, col + dc))
            if cell_id is None:
                continue
            try:
                values[cell_id] = parse_value(cell_id, raw.replace(",", "").replace("，", ""), report.format)
            except ValueError as exc:
                problems.append(str(exc))
    if problems:
        raise GridInputError(problems)
    return values
