"""The statistics grids: official labels verbatim, round trip, edits, and Chinese errors naming the cell."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.app.grids import TABLES, GridInputError, Slot, grid_rows, layout, parse_value, read_grid
from assistant.schema import load_report
from assistant.schema.labels import CELLS, SECTION3_ROWS_2021, SECTION4_COLUMNS, section2_tables


def test_every_cell_of_both_formats_has_exactly_one_grid_position() -> None:
    for version in ("2021", "2019"):
        placed = [cid for t in TABLES for cid in layout(version, t).slots().values()]  # type: ignore[arg-type]
        assert sorted(placed) == sorted(CELLS[version])


def test_labels_are_the_official_ones() -> None:
    apps = layout("2021", "applications")
    assert [row[1] for row in apps.rows] == [r.label for r in SECTION3_ROWS_2021]
    assert apps.headers[-1] == "总计" and apps.headers[2] == "自然人"
    review = layout("2021", "review_litigation")
    assert list(review.headers[2:]) == [c.label for c in SECTION4_COLUMNS]
    captions = [row[0] for row in layout("2021", "active_disclosure").rows if row[0]]
    assert captions == [sub.caption for sub in section2_tables("2021")]
    assert len([r for r in layout("2019", "active_disclosure").rows if r[0]]) == 5  # 2019 has （九）项


def test_sample_round_trips_without_changes(sample_report) -> None:
    for table in TABLES:
        assert read_grid(sample_report, table, grid_rows(sample_report, table)) == {}


def test_an_edit_and_a_blank_are_read_back(sample_report) -> None:
    rows = grid_rows(sample_report, "applications")
    rows[2][8] = "５"  # full-width digits are what a Chinese IME types
    rows[3][2] = ""
    assert read_grid(sample_report, "applications", rows) == {
        "applications.granted.total": 5,
        "applications.partially_granted.natural_person": None,
    }


def test_unreadable_values_name_the_cell_id_and_label(sample_report) -> None:
    rows = grid_rows(sample_report, "applications")
    rows[2][3] = "若干"
    rows[4][2] = "-1"
    with pytest.raises(GridInputError) as info:
        read_grid(sample_report, "applications", rows)
    text = str(info.value)
    assert "applications.granted.commercial" in text and "「三、本年度办理结果 （一）予以公开」行" in text
    assert "applications.denied_state_secret.natural_person" in text and "不小于 0 的整数" in text
    assert len(info.value.problems) == 2


def test_money_and_signed_counts() -> None:
    assert parse_value("active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan", "1.5", "2021") == Decimal("1.5")
    assert parse_value("active_disclosure.art20_5.admin_licensing.change", "-3", "2019") == -3
    with pytest.raises(ValueError, match="整数"):
        parse_value("applications.granted.total", "1.5", "2021")


def test_blank_report_shows_blank_cells_not_zero() -> None:
    report = load_report({"format": "2021", "year": 2024, "agency": "某局"})
    rows = grid_rows(report, "review_litigation")
    assert rows[0][2:] == ["", "", "", "", ""]
    assert isinstance(layout("2021", "review_litigation").rows[0][2], Slot)
