"""Arithmetic rules declared once as data, evaluated generically, and the totals helper.

Each ``Equation`` says: the sum of ``left`` equals the sum of ``right``. R3.1, R3.2, R3.3 and R4.1
are generated from the label tables, so adding a row to the format adds its equations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..schema import FormatVersion, load_report, report_to_data
from ..schema.labels import (
    APPLICANT_COLUMNS,
    BLANK_CELL,
    SECTION3_COLUMNS,
    SECTION4_COLUMNS,
    SECTION4_GROUPS,
    disposal_leaves,
    section3_rows,
)
from .facts import CELL_IDS, CELL_INDEX, Facts
from .findings import Finding

if TYPE_CHECKING:
    from ..schema import Report

_COLUMN_LABEL = {c.id: c.label for c in SECTION3_COLUMNS}
_SHORT_ROW = {
    "new_requests": "本年新收",
    "carried_over": "上年结转",
    "total_processed": "办理结果（七）总计",
    "carried_forward": "结转下年度继续办理",
}


@dataclass(frozen=True)
class Equation:
    """sum(left) == sum(right). ``derived`` is the cell ``fill_totals`` computes from the other side."""

    rule: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    scope: str
    left_name: str
    right_name: str
    derived: str | None = None
    cells: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", self.left + self.right)


def _a(row: str, col: str) -> str:
    return f"applications.{row}.{col}"


@cache
def equations(version: FormatVersion) -> tuple[Equation, ...]:
    """Every arithmetic identity of the format (spec §5.1, §5.3), in a fixed order."""
    leaves = [r.id for r in disposal_leaves(version)]
    eqs: list[Equation] = []
    for col in (c.id for c in SECTION3_COLUMNS):
        scope = f"「{_COLUMN_LABEL[col]}」列"
        eqs.append(
            Equation(
                "R3.1",
                (_a("new_requests", col), _a("carried_over", col)),
                (_a("total_processed", col), _a("carried_forward", col)),
                scope,
                "本年新收+上年结转",
                "办理结果总计+结转下年度",
            )
        )
    for col in (c.id for c in SECTION3_COLUMNS):
        eqs.append(
            Equation(
                "R3.2",
                (_a("total_processed", col),),
                tuple(_a(leaf, col) for leaf in leaves),
                f"「{_COLUMN_LABEL[col]}」列",
                "（七）总计",
                "各项办理结果之和",
                derived=_a("total_processed", col),
            )
        )
    for row in section3_rows(version):
        eqs.append(
            Equation(
                "R3.3",
                (_a(row.id, "total"),),
                tuple(_a(row.id, col) for col in APPLICANT_COLUMNS),
                f"「{row.label}」行",
                "总计列",
                "六类申请人之和",
                derived=_a(row.id, "total"),
            )
        )
    parts = [c.id for c in SECTION4_COLUMNS if c.id != "total"]
    for group in SECTION4_GROUPS:
        label = f"{group.parent}·{group.label}" if group.parent else group.label
        eqs.append(
            Equation(
                "R4.1",
                (f"review_litigation.{group.id}.total",),
                tuple(f"review_litigation.{group.id}.{p}" for p in parts),
                f"「{label}」",
                "总计",
                "结果维持+结果纠正+其他结果+尚未审结",
                derived=f"review_litigation.{group.id}.total",
            )
        )
    return tuple(eqs)


def _side(facts: Facts, name: str, cells: tuple[str, ...], total: int) -> str:
    """「（七）总计为3」 for one cell, 「本年新收+上年结转为3+0＝3」 for a few, the sum alone for many."""
    if len(cells) == 1:
        return f"{name}为{total}"
    if len(cells) > 4:
        return f"{name}为{total}"
    terms = "+".join(str(v) if (v := facts.cell(c)) is not None else BLANK_CELL for c in cells)
    return f"{name}为{terms}＝{total}"


def evaluate(facts: Facts, eq: Equation) -> Finding | None:
    """None when the identity holds; otherwise a failed or not-assessable finding.

    A blank operand makes the rule not assessable (never a silent pass); the message still says whether
    the identity would hold if the blanks were 0, which is what clerks usually mean by a blank.
    """
    got = tuple(facts.cell(c) for c in eq.cells)
    if None not in got:
        n = len(eq.left)
        left, right = sum(int(v or 0) for v in got[:n]), sum(int(v or 0) for v in got[n:])
        if left == right:
            return None
    if getattr(facts.report, eq.left[0].split(".", 1)[0]) is None:
        return None  # the whole table is missing; X6 reports it once
    values = dict(zip(eq.cells, got, strict=True))
    blanks = [c for c, v in values.items() if v is None]
    left = sum(int(values[c] or 0) for c in eq.left)
    right = sum(int(values[c] or 0) for c in eq.right)
    if blanks:
        missing_rows = sorted({c.rsplit(".", 1)[0] for c in blanks if not facts.has_row(c)})
        why = "所在行缺失" if missing_rows else "为空白"
        verdict = "成立" if left == right else f"也不成立（{left}≠{right}）"
        return Finding(
            rule=eq.rule,
            severity="warning",
            status="not_assessable",
            cells=list(eq.cells),
            message=f"{eq.scope}：无法核验“{eq.left_name}＝{eq.right_name}”，其中 {len(blanks)} 个单元格{why}；"
            f"若按 0 计算{verdict}。",
            expected=left,
            actual=right,
        )
    return Finding(
        rule=eq.rule,
        severity="error",
        cells=list(eq.cells),
        message=f"{eq.scope}：{_side(facts, eq.left_name, eq.left, left)}，"
        f"而{_side(facts, eq.right_name, eq.right, right)}，两者应当相等",
        expected=left if eq.derived is None else right,
        actual=right if eq.derived is None else left,
        formula=f"{' + '.join(eq.left)} = {' + '.join(eq.right)}",
    )


def _picker(indices: list[int]) -> Callable[[Any], tuple[Any, ...]]:
    """Reads the operands of one side of an equation from a row of cells, in C (``itemgetter``)."""
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    return itemgetter(*indices)


class _EquationMatrix:
    """All identities of one format, each side an ``itemgetter`` over one row of the report's cells.

    A clerk's edit re-runs every rule; the sums run in C over precomputed operand positions. Only an
    identity that does not hold, or a blank operand, goes to ``evaluate`` for its message. Plain Python
    integers: no overflow at any count, and no numpy import (the command line starts faster without it).
    """

    def __init__(self, version: FormatVersion) -> None:
        self.equations = equations(version)
        used = {c for eq in self.equations for c in eq.cells}
        ids = CELL_IDS[version]
        # Columns are a contiguous run of the cell order (sections 三 and 四), so a complete report's
        # operands are one slice of its cells.
        self.start = min(CELL_INDEX[version][c] for c in used)
        self.cells = ids[self.start :]
        index = {c: i for i, c in enumerate(self.cells)}
        self.sides = [
            (_picker([index[c] for c in eq.left]), _picker([index[c] for c in eq.right])) for eq in self.equations
        ]
        self.get = itemgetter(*self.cells)

    def failing(self, facts: Facts) -> list[Equation]:
        got = facts.row[self.start :] if facts.row is not None else self.get(facts.values)
        try:
            return [
                eq
                for eq, (left, right) in zip(self.equations, self.sides, strict=True)
                if sum(left(got)) != sum(right(got))
            ]
        except TypeError:  # a blank operand: evaluate one by one (each says whether it is assessable)
            return list(self.equations)


@cache
def _matrix(version: FormatVersion) -> _EquationMatrix:
    return _EquationMatrix(version)


def check_equations(facts: Facts) -> list[Finding]:
    """R3.1, R3.2, R3.3 and R4.1 over the whole report."""
    suspects = _matrix(facts.report.format).failing(facts)
    return [f for eq in suspects if (f := evaluate(facts, eq)) is not None]


def _set(data: dict[str, Any], cell_id: str, value: int) -> None:
    node = data
    *path, last = cell_id.split(".")
    for part in path:
        if node.get(part) is None:
            node[part] = {}
        node = node[part]
    node[last] = value


def _get(data: dict[str, Any], cell_id: str) -> Any:
    node: Any = data
    for part in cell_id.split("."):
        if not isinstance(node, dict) or node.get(part) is None:
            return None
        node = node[part]
    return node


def fill_totals(report: Report) -> Report:
    """Fill every derivable total so a clerk types only the leaves.

    Computes the 总计 column of each section-三 row, the （七）总计 row, 结转下年度继续办理 when it is
    blank (from 新收 + 结转 − 办结, if not negative), and the 总计 of each section-四 group. Blank
    operands count as 0, but a total whose operands are all blank stays blank; blank leaves are left
    blank (R3.5 still reports them).
    """
    data = report_to_data(report)
    eqs = equations(report.format)
    row_totals = [e for e in eqs if e.rule == "R3.3" and not e.derived.startswith(  # type: ignore[union-attr]
        ("applications.total_processed.", "applications.carried_forward."))]
    processed = [e for e in eqs if e.rule == "R3.2"]
    tail_totals = [e for e in eqs if e.rule == "R3.3" and e not in row_totals]
    review = [e for e in eqs if e.rule == "R4.1"]

    def fill(eq: Equation) -> None:
        operands = [_get(data, c) for c in eq.right]
        if eq.derived and any(v is not None for v in operands):
            _set(data, eq.derived, sum(int(v or 0) for v in operands))

    if data.get("applications") is not None:
        for eq in row_totals:
            fill(eq)
        for eq in processed:
            fill(eq)
        for col in (c.id for c in SECTION3_COLUMNS):
            if col != "total" and _get(data, _a("carried_forward", col)) is None:
                parts = [_get(data, _a(r, col)) for r in ("new_requests", "carried_over", "total_processed")]
                if all(v is not None for v in parts) and parts[0] + parts[1] - parts[2] >= 0:
                    _set(data, _a("carried_forward", col), parts[0] + parts[1] - parts[2])
        for eq in tail_totals:
            fill(eq)
    if data.get("review_litigation") is not None:
        for eq in review:
            fill(eq)
    return load_report(data)
