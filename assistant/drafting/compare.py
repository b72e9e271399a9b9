"""Two states of a report side by side: the text since the last approval, and this year beside last year
(the cells changed since the approval are ``edits.cell_changes``).

Pure functions over reports (no store, no page): the review page and the Python API show their results.
Cells are compared by id within the report's format; narrative parts sentence by sentence.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from ..schema import Report, get_cell
from ..schema.labels import CELLS, NARRATIVE_SECTION
from .notes import PARTS
from .store import sentence_lines

# A change from last year is marked as a large jump from this share up, when it is also at least JUMP_MIN.
JUMP_RATIO = Decimal("0.5")
JUMP_MIN = Decimal(10)
_DIGIT = re.compile(r"[0-9０-９]|[一二三四五六七八九十百千万]+[件条次个项起人篇]")


@dataclass(frozen=True)
class CellDelta:
    """One cell in two states (``before`` last approval or last year, ``after`` now)."""

    cell: str
    label: str
    before: int | Decimal | str | None
    after: int | Decimal | str | None

    @property
    def change(self) -> Decimal | None:
        if isinstance(self.before, int | Decimal) and isinstance(self.after, int | Decimal):
            return Decimal(self.after) - Decimal(self.before)
        return None

    @property
    def jump(self) -> bool:
        """A large change from last year (at least half, and at least 10): worth a second look."""
        change = self.change
        if change is None or abs(change) < JUMP_MIN:
            return False
        base = abs(Decimal(self.before)) if isinstance(self.before, int | Decimal) else Decimal(0)
        return base == 0 or abs(change) / base >= JUMP_RATIO


@dataclass(frozen=True)
class SentenceRow:
    """One line of a side-by-side text comparison: ``kind`` is same / changed / removed / added."""

    before: str
    after: str
    kind: str

    @property
    def before_class(self) -> str:
        """The page's mark of the left side: ``del`` for a removed or changed sentence."""
        return "del" if self.kind in ("changed", "removed") else ""

    @property
    def after_class(self) -> str:
        return "ins" if self.kind in ("changed", "added") else ""


@dataclass(frozen=True)
class PartComparison:
    part: str
    title: str
    rows: list[SentenceRow]

    @property
    def changed(self) -> bool:
        return any(r.kind != "same" for r in self.rows)


def _label(report: Report, cell: str) -> str:
    spec = CELLS[report.format].get(cell)
    return spec.full_label if spec is not None else cell


def year_over_year(current: Report, previous: Report) -> list[CellDelta]:
    """Every cell filled this year or last year, with last year's value beside it (cells both formats share)."""
    rows: list[CellDelta] = []
    for cell in CELLS[current.format]:
        if cell not in CELLS[previous.format]:
            continue
        now, then = get_cell(current, cell), get_cell(previous, cell)
        if now is None and then is None:
            continue
        rows.append(CellDelta(cell, _label(current, cell), then, now))  # type: ignore[arg-type]
    return rows


def sentence_rows(before: str, after: str) -> list[SentenceRow]:
    """Two texts aligned sentence by sentence (after 。；！？ and line breaks)."""
    a = [s.rstrip("\n") for s in sentence_lines(before)]
    b = [s.rstrip("\n") for s in sentence_lines(after)]
    rows: list[SentenceRow] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [SentenceRow(x, y, "same") for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            continue
        left, right = a[i1:i2], b[j1:j2]
        for k in range(max(len(left), len(right))):
            x = left[k] if k < len(left) else ""
            y = right[k] if k < len(right) else ""
            rows.append(SentenceRow(x, y, "changed" if x and y else "removed" if x else "added"))
    return rows


def _text(report: Report, part: str) -> str:
    return getattr(report.narrative, part, None) or ""


def compare_narrative(before: Report, after: Report) -> list[PartComparison]:
    """Each narrative part in both states (changed or not), in the official order."""
    return [PartComparison(p, NARRATIVE_SECTION.get(p, p), sentence_rows(_text(before, p), _text(after, p)))
            for p in PARTS]


def carried_over(current: Report, previous: Report) -> dict[str, list[tuple[str, bool]]]:
    """Per part, the sentences of this year's text that stand unchanged in last year's, each with whether it
    holds a figure (a sentence with last year's figures left in is the classic error of these reports)."""
    found: dict[str, list[tuple[str, bool]]] = {}
    for part in PARTS:
        old = {s.strip() for s in sentence_lines(_text(previous, part))}
        same = [s.strip() for s in sentence_lines(_text(current, part)) if s.strip() in old and len(s.strip()) > 6]
        if same:
            found[part] = [(s, bool(_DIGIT.search(s))) for s in same]
    return found
