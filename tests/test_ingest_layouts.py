"""Layouts publishers really produce (issue 13), on fixtures we write: read exactly, or left blank and said so.

The fixtures in ``tests/fixtures/layouts/`` are made from our own ``one_cell_per_line.txt`` (synthetic
numbers) by ``make_layouts.py``; each test names the cells that differ from ``county_2023.expected.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.checks import check_report
from assistant.ingest import parse_file, parse_text
from assistant.schema import iter_cells, load_report

FIXTURES = Path(__file__).parent / "fixtures"
LAYOUTS = FIXTURES / "layouts"
NORMATIVE = "active_disclosure.art20_1.normative_documents"
SLASH = "applications.denied_state_secret.research"  # printed as “/” in every layout: blank, never 0


def expected_cells() -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / "county_2023.expected.yaml").read_text(encoding="utf-8"))
    cells = dict(iter_cells(load_report(data)))
    cells[SLASH] = None
    return cells


def cells_of(report: Any) -> dict[str, Any]:
    return dict(iter_cells(report))


def test_tab_row_with_blank_last_cells_keeps_its_columns() -> None:
    """``行政规范性文件\\t2\\t\\t``: the trailing tabs are cells, 2 is 本年制发件数 (it was read as blank before)."""
    outcome = parse_file(LAYOUTS / "tabs_trailing_blank.txt")
    want = expected_cells()
    want[f"{NORMATIVE}.repealed"] = want[f"{NORMATIVE}.in_force"] = None
    assert cells_of(outcome.report) == want
    assert {i.cell for i in outcome.issues if i.rule == "R3.5"} == {SLASH, f"{NORMATIVE}.repealed", f"{NORMATIVE}.in_force"}


def test_short_tab_row_is_never_split_without_arithmetic() -> None:
    """``行政规范性文件\\t214``: 2/1/4, 21/4, 214 … section 二 has no arithmetic, so nothing is guessed."""
    outcome = parse_file(LAYOUTS / "tabs_short_row.txt")
    want = expected_cells()
    for col in ("issued", "repealed", "in_force"):
        want[f"{NORMATIVE}.{col}"] = None
    assert cells_of(outcome.report) == want
    assert outcome.report.raw_cells[f"{NORMATIVE}.issued"] == "214"
    flat = [i for i in outcome.issues if i.rule == "FLAT"]
    assert len(flat) == 1 and "没有勾稽关系" in flat[0].message
    assert not [n for n in outcome.report.parse_notes if "拆分" in n]  # nothing was split, so no split is claimed


def test_separated_cells_of_a_section2_row_are_not_split_into_digits() -> None:
    """The issue's example: 123 with blanks after it, and a one-per-line row missing a cell."""
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    head, tail = text.split("行政规范性文件\n2\n1\n14\n", 1)
    outcome = parse_text(head + "行政规范性文件\n12\n5\n" + tail)
    for col in ("issued", "repealed", "in_force"):
        assert cells_of(outcome.report)[f"{NORMATIVE}.{col}"] is None
    assert outcome.report.raw_cells[f"{NORMATIVE}.issued"] == "12 5"


def test_all_zero_run_is_the_only_reading_and_says_why() -> None:
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    head, tail = text.split("规章\n0\n0\n0\n", 1)
    outcome = parse_text(head + "规章000\n" + tail)
    assert [cells_of(outcome.report)[f"active_disclosure.art20_1.regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert any("数字位数只允许这一种读法" in n for n in outcome.report.parse_notes)


def test_subtotal_column_is_mapped_by_the_header() -> None:
    """Eight numbers per row (小计 after 其他): 总计 is the last one, never the 小计; no false R3.3."""
    outcome = parse_file(LAYOUTS / "subtotal_column.txt")
    assert cells_of(outcome.report) == expected_cells()
    assert any("小计" in n and "第 7 个数" in n for n in outcome.report.parse_notes)
    assert not [f for f in check_report(outcome.report).findings if f.rule == "R3.3" and f.severity == "error"]


def test_subtotal_that_disagrees_is_reported() -> None:
    text = (LAYOUTS / "subtotal_column.txt").read_text(encoding="utf-8")
    text = text.replace("一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n9\n34", "一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n8\n34")
    outcome = parse_text(text)
    assert cells_of(outcome.report)["applications.new_requests.total"] == 34
    assert any("小计”列为 8" in i.message for i in outcome.issues)


def test_stray_number_after_a_one_per_line_row_voids_the_row() -> None:
    """An eighth number with no 小计 in the header: the row's cells cannot be placed, so none is kept."""
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    text = text.replace("一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n34", "一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n9\n34")
    outcome = parse_text(text)
    row = {c: v for c, v in cells_of(outcome.report).items() if c.startswith("applications.new_requests.")}
    assert set(row.values()) == {None}
    assert any("比规定的列数多" in i.message for i in outcome.issues)


def test_excerpt_without_title_takes_year_and_agency_from_the_body() -> None:
    outcome = parse_file(LAYOUTS / "no_title.txt")
    assert (outcome.report.year, outcome.report.agency) == (2023, "青河县自然资源局")
    assert cells_of(outcome.report) == expected_cells()


def test_year_first_title() -> None:
    outcome = parse_file(LAYOUTS / "year_first_title.txt")
    assert (outcome.report.year, outcome.report.agency) == (2023, "青河县自然资源局")
    assert cells_of(outcome.report) == expected_cells()
