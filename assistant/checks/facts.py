"""The report read once per check run: every rule reads cells from here, not from the model.

The app re-runs every rule on each cell edit, so the common case — a complete document — is read
in one C-level ``attrgetter`` call; the dict by id and the set of rows are built only when a rule
needs them (a blank cell, a missing row, a failing identity).
"""

from __future__ import annotations

from functools import cache, cached_property
from itertools import chain
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from ..schema import CELLS, FormatVersion, flatten_cells
from ..schema.document import ROW_IDS, CellValue

if TYPE_CHECKING:
    from ..schema import Report

CELL_IDS: dict[FormatVersion, tuple[str, ...]] = {v: tuple(CELLS[v]) for v in ("2021", "2019")}
CELL_INDEX: dict[FormatVersion, dict[str, int]] = {v: {c: i for i, c in enumerate(CELL_IDS[v])} for v in CELL_IDS}
_ALL: dict[FormatVersion, Any] = {v: attrgetter(*CELL_IDS[v]) for v in CELL_IDS}


_values: Any = dict.values  # typed loosely: vars() is typed as a mapping proxy, it is a dict here


def read_cells(report: Report) -> tuple[CellValue, ...] | None:
    """Every cell in ``CELL_IDS`` order, or None when a table or a row is absent.

    The models declare tables, rows and columns in the order of the official labels (a property test
    holds them to it), so the cells are the rows' ``__dict__`` values laid end to end: read in C,
    without a Python-level loop over 200 cells.
    """
    try:
        fields = vars(report)
        sub_tables = vars(fields["active_disclosure"]).values()
        row_models = chain(
            chain.from_iterable(map(_values, map(vars, sub_tables))),
            vars(fields["applications"]).values(),
            vars(fields["review_litigation"]).values(),
        )
        cells: tuple[CellValue, ...] = tuple(chain.from_iterable(map(_values, map(vars, row_models))))
    except TypeError:  # a table or a row is None
        return None
    return cells if len(cells) == len(CELL_IDS[report.format]) else _ALL[report.format](report)


@cache
def _positions(version: FormatVersion, ids: tuple[str, ...]) -> Any:
    index = CELL_INDEX[version]
    getter = itemgetter(*(index[c] for c in ids))
    return getter if len(ids) > 1 else (lambda row: (getter(row),))


class Facts:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.row: tuple[CellValue, ...] | None = read_cells(report)
        # Every table and row present and no cell blank.
        self.complete = self.row is not None and None not in self.row

    @classmethod
    def of(cls, report: Report) -> Facts:
        return cls(report)

    def cells(self, ids: tuple[str, ...]) -> tuple[CellValue, ...]:
        """Several cells at once (one C-level read for a complete report)."""
        if self.row is not None:
            return tuple(_positions(self.report.format, ids)(self.row))
        return tuple(self.values.get(c) for c in ids)

    @cached_property
    def _flat(self) -> tuple[dict[str, CellValue], set[str]]:
        if self.row is not None:
            return dict(zip(CELL_IDS[self.report.format], self.row, strict=True)), set(ROW_IDS[self.report.format])
        return flatten_cells(self.report)

    @property
    def values(self) -> dict[str, CellValue]:
        return self._flat[0]

    @property
    def rows(self) -> set[str]:
        return self._flat[1]

    def cell(self, cell_id: str) -> CellValue:
        if self.row is not None:
            index = CELL_INDEX[self.report.format].get(cell_id)
            return None if index is None else self.row[index]
        return self.values.get(cell_id)

    def has_row(self, cell_id: str) -> bool:
        return self.row is not None or cell_id.rsplit(".", 1)[0] in self.rows

    def total(self, cells: tuple[str, ...]) -> int | None:
        """Sum of the cells, or None if any is blank."""
        got = [self.cell(c) for c in cells]
        return None if None in got else sum(int(v) for v in got if v is not None)
