"""No silent misread (issue 13.1): damage the layout of our own report at random — a number lost, doubled,
glued to its neighbour, blanked — and every cell the parser fills is either right or its row is warned about."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ingest import ParseError, parse_text
from assistant.schema import iter_cells, load_report

FIXTURES = Path(__file__).parent / "fixtures"
LINES = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8").split("\n")
START = LINES.index("二、主动公开政府信息情况")
END = next(i for i, ln in enumerate(LINES) if ln.startswith("五、"))
VALUES = [i for i in range(START, END) if re.fullmatch(r"\d+(?:\.\d+)?|/", LINES[i])]
WANT = dict(iter_cells(load_report(yaml.safe_load((FIXTURES / "county_2023.expected.yaml").read_text(encoding="utf-8")))))
WANT["applications.denied_state_secret.research"] = None  # printed “/”
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KINDS = st.sampled_from(["drop", "double", "glue", "space", "blank"])
# each damage changes what one row prints; damages 16 numbers apart never fall in the same row (the review table
# prints its 15 numbers as one row),
# so none can undo another (a row that lost a number and gained one prints a different, well-formed table)
EDITS = st.lists(st.tuples(KINDS, st.integers(0, len(VALUES) - 1)), min_size=1, max_size=3).filter(
    lambda es: all(abs(a[1] - b[1]) >= 16 for i, a in enumerate(es) for b in es[i + 1 :])
).map(lambda es: [(kind, VALUES[n]) for kind, n in es])


def mutate(lines: list[str], edits: list[tuple[str, int]]) -> str:
    out = list(lines)
    for kind, at in sorted(edits, key=lambda e: -e[1]):  # from the end, so earlier positions stay valid
        if kind == "drop":
            out[at] = ""
        elif kind == "double":
            out[at] = f"{out[at]}\n{out[at]}"
        elif kind == "blank":
            out[at] = "—"
        elif at + 1 < len(out) and re.fullmatch(r"\d+", out[at]) and re.fullmatch(r"\d+", out[at + 1]):
            out[at] = out[at] + ("" if kind == "glue" else " ") + out[at + 1]
            out[at + 1] = ""
    return "\n".join(ln for ln in out if ln != "")


def warned_rows(outcome: Any) -> set[str]:
    rows = {i.cell.rsplit(".", 1)[0] for i in outcome.issues if i.cell}
    rows |= {c.rsplit(".", 1)[0] for c in outcome.unread if "." in c}
    return rows


@SETTINGS
@given(EDITS)
def test_damaged_layout_never_gives_a_wrong_cell_without_a_warning(edits: list[tuple[str, int]]) -> None:
    try:
        outcome = parse_text(mutate(LINES, edits))
    except ParseError:
        return
    warned = warned_rows(outcome)
    tables_unread = {k for k in outcome.unread if "." not in k}
    wrong = {
        cid: (WANT.get(cid), got) for cid, got in iter_cells(outcome.report)
        if got is not None and got != WANT.get(cid)
        and cid.rsplit(".", 1)[0] not in warned and cid.split(".", 1)[0] not in tables_unread
    }
    assert not wrong, (edits, wrong)


TAB_LINES = (FIXTURES / "layouts" / "tabs_trailing_blank.txt").read_text(encoding="utf-8").split("\n")
TAB_ROWS = [i for i, ln in enumerate(TAB_LINES) if "\t" in ln and re.search(r"\t\d", ln)]
TAB_WANT = {**WANT, "active_disclosure.art20_1.normative_documents.repealed": None,
            "active_disclosure.art20_1.normative_documents.in_force": None}
TAB_EDITS = st.lists(
    st.tuples(st.sampled_from(["drop", "glue", "space"]), st.sampled_from(TAB_ROWS), st.integers(1, 7)),
    min_size=1, max_size=3, unique_by=lambda e: e[1],
)


def mutate_tabs(edits: list[tuple[str, int, int]]) -> str:
    out = list(TAB_LINES)
    for kind, row, cell in edits:
        cells = out[row].split("\t")
        if cell >= len(cells) - 1:
            continue
        if kind == "drop":
            del cells[cell]  # a cell lost with its tab: the row is one column short
        else:
            cells[cell : cell + 2] = [cells[cell] + ("" if kind == "glue" else " ") + cells[cell + 1]]
        out[row] = "\t".join(cells)
    return "\n".join(out)


@SETTINGS
@given(TAB_EDITS)
def test_damaged_tab_rows_never_give_a_wrong_cell_without_a_warning(edits: list[tuple[str, int, int]]) -> None:
    try:
        outcome = parse_text(mutate_tabs(edits))
    except ParseError:
        return
    warned = warned_rows(outcome)
    wrong = {
        cid: (TAB_WANT.get(cid), got) for cid, got in iter_cells(outcome.report)
        if got is not None and got != TAB_WANT.get(cid) and cid.rsplit(".", 1)[0] not in warned
    }
    assert not wrong, (edits, wrong)
