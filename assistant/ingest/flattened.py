"""Rows whose digits ran together (flattened pages): every reading that fits the table's arithmetic.

A row is read only when exactly one split satisfies its own total (section 三 row total, section 四
group totals); when several do, the column balance of section 三 (R3.1, R3.2) may decide between the
rows still open. Whatever stays ambiguous is left blank and said so, with the digits kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    notes: list[ParseIssue] = field(default_factory=list)  # each split made, with what proved it


def _readings(run: Run) -> tuple[list[tuple[int, ...]], str | None]:
    """The readings of a run, and what proves a unique one (None: nothing does, see ``_fewer_cells_fit``)."""
    width = len(run.cells)
    if run.grouped:
        found, complete = splits(run.tokens, width, lambda p: grouped_totals_ok(p, run.grouped))
        proof: str | None = "每组“总计”等于前四项之和"
    elif run.cells[0].startswith("applications."):
        found, complete = splits(run.tokens, width, lambda p: row_total_ok(p, len(SECTION3_COLUMNS)))
        proof = "本行“总计”等于六类申请人之和"
    else:
        found, complete = splits(run.tokens, width)
        # no arithmetic in this row: only a reading the digits allow in no other way (no leading zeros,
        # and no reading with fewer numbers, i.e. with blank cells) is proven
        proof = None if _fewer_cells_fit(run.tokens, width) else "数字位数只允许这一种读法（数不以 0 开头）"
    return (found if complete else []), proof


def _fewer_cells_fit(tokens: list[str], width: int) -> bool:
    """Whether the digits also read as fewer numbers than cells (some cells printed blank)."""
    return any(splits(tokens, m, max_steps=20_000)[0] for m in range(len(tokens), width))


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
    found = {n: _readings(run) for n, run in enumerate(runs)}
    options = {n: opts for n, (opts, _) in found.items()}

    def assign(n: int, reading: tuple[int, ...], proof: str) -> None:
        run = runs[n]
        out.values.update(zip(run.cells, reading, strict=True))
        note = (f"“{run.label}”行的数字连在一起（{' '.join(run.tokens)}），依据{proof}，唯一拆分为 "
                + "、".join(str(v) for v in reading))
        out.issues.append(ParseIssue("FLAT", note, cell=run.cells[0]))
        out.notes.append(ParseIssue("FLAT", note, cell=run.cells[0]))

    for n, (opts, proof) in found.items():
        if len(opts) == 1 and proof is not None:
            assign(n, opts[0], proof)
        elif len(opts) == 1:
            run = runs[n]
            digits = " ".join(run.tokens)
            out.ambiguous.update(dict.fromkeys(run.cells, digits))
            out.issues.append(
                ParseIssue("FLAT", f"“{run.label}”行只有 {digits}，少于 {len(run.cells)} 列，可能有空白单元格；"
                           "本行没有勾稽关系能证明如何拆分，已留空", cell=run.cells[0], raw=digits)
            )
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
        if len(readings) == 1 and found[n][1] is not None:
            assign(n, readings.pop(), f"{found[n][1]}以及本表各列的勾稽关系（R3.1、R3.2）")
            continue
        run = runs[n]
        digits = " ".join(run.tokens)
        out.ambiguous.update(dict.fromkeys(run.cells, digits))
        count = len(readings) if fitting else len(open_rows[n])
        out.issues.append(
            ParseIssue("FLAT", f"“{run.label}”行的数字连在一起（{digits}），有 {count} 种拆分都说得通，无法确定，已留空",
                       cell=run.cells[0], raw=digits)
        )
    return out
