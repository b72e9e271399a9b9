"""Rows whose digits ran together (flattened pages): every reading that fits the table's arithmetic.

A row is read only when exactly one split satisfies its own total (section 三 row total, section 四
group totals); when several do, the column balance of section 三 (R3.1, R3.2) may decide between the
rows still open. Whatever stays ambiguous is left blank and said so, with the digits kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from ..schema.labels import SECTION3_COLUMNS, FormatVersion, section3_rows
from .cells import CellValue
from .errors import ParseIssue
from .runs import grouped_totals_ok, row_total_ok, splits

_MAX_COMBINATIONS = 200_000
_NOT_LEAVES = ("new_requests", "carried_over", "total_processed", "carried_forward")


@dataclass
class Run:
    """The cells of one row and the digit tokens printed for them (fewer tokens than cells)."""

    cells: list[str]
    label: str
    tokens: list[str]
    grouped: int = 0  # section 四: cells per group whose last is the group total


@dataclass
class RunOutcome:
    values: dict[str, int]
    ambiguous: dict[str, str]  # cell id → the digits, several readings fit
    impossible: dict[str, str]  # cell id → the digits, no reading fits
    issues: list[ParseIssue]


def _readings(run: Run) -> list[tuple[int, ...]]:
    width = len(run.cells)
    if run.grouped:
        found, complete = splits(run.tokens, width, lambda p: grouped_totals_ok(p, run.grouped))
    elif run.cells[0].startswith("applications."):
        found, complete = splits(run.tokens, width, lambda p: row_total_ok(p, len(SECTION3_COLUMNS)))
    else:
        found, complete = splits(run.tokens, width)
    return found if complete else []


def columns_balance(values: dict[str, CellValue], version: FormatVersion) -> bool:
    """R3.1 and R3.2 for every column whose operands are all known (unknown operands do not reject)."""
    leaves = [r.id for r in section3_rows(version) if r.id not in _NOT_LEAVES]
    for col in SECTION3_COLUMNS:
        def v(row: str, col: str = col.id) -> CellValue:
            return values.get(f"applications.{row}.{col}")

        a, b, c, d = v("new_requests"), v("carried_over"), v("total_processed"), v("carried_forward")
        if a is not None and b is not None and c is not None and d is not None and a + b != c + d:
            return False
        parts = [v(leaf) for leaf in leaves]
        if c is not None and all(p is not None for p in parts) and sum(p for p in parts if p is not None) != c:
            return False
    return True


def resolve_runs(runs: list[Run], known: dict[str, CellValue], version: FormatVersion) -> RunOutcome:
    """Read each run where the arithmetic allows exactly one reading; report the others."""
    out = RunOutcome({}, {}, {}, [])
    options = {n: _readings(run) for n, run in enumerate(runs)}

    def assign(n: int, reading: tuple[int, ...]) -> None:
        run = runs[n]
        out.values.update(zip(run.cells, reading, strict=True))
        out.issues.append(
            ParseIssue("FLAT", f"“{run.label}”行的数字连在一起（{''.join(run.tokens)}），按表内勾稽关系唯一拆分为 "
                       + "、".join(str(v) for v in reading))
        )

    for n, opts in options.items():
        if len(opts) == 1:
            assign(n, opts[0])
        elif not opts:
            out.impossible.update(dict.fromkeys(runs[n].cells, " ".join(runs[n].tokens)))
    open_rows = {n: opts for n, opts in options.items() if len(opts) > 1}
    if not open_rows:
        return out
    keys = list(open_rows)
    combos = 1
    for n in keys:
        combos *= len(open_rows[n])
    fitting: list[tuple[tuple[int, ...], ...]] = []
    if combos <= _MAX_COMBINATIONS:
        base = {**known, **out.values}
        for choice in product(*(open_rows[n] for n in keys)):
            trial = dict(base)
            for n, reading in zip(keys, choice, strict=True):
                trial.update(zip(runs[n].cells, reading, strict=True))
            if columns_balance(trial, version):
                fitting.append(choice)
    for i, n in enumerate(keys):
        readings = {choice[i] for choice in fitting}
        if len(readings) == 1:
            assign(n, readings.pop())
            continue
        run = runs[n]
        digits = "".join(run.tokens)
        out.ambiguous.update(dict.fromkeys(run.cells, digits))
        count = len(readings) if fitting else len(open_rows[n])
        out.issues.append(
            ParseIssue("FLAT", f"“{run.label}”行的数字连在一起（{digits}），有 {count} 种拆分都符合勾稽关系，无法确定，已留空",
                       raw=digits)
        )
    return out
