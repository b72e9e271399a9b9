"""Resolving flattened rows: unique readings kept, column balance used, ambiguity left blank."""

from __future__ import annotations

from assistant.ingest.flattened import Run, columns_balance, resolve_runs

COLS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other_org", "total")


def row_cells(row: str) -> list[str]:
    return [f"applications.{row}.{c}" for c in COLS]


def test_unique_row_reading_is_kept_with_a_note() -> None:
    out = resolve_runs([Run(row_cells("new_requests"), "一、本年新收", ["640020470"])], {}, "2021")
    assert [out.values[c] for c in row_cells("new_requests")] == [64, 0, 0, 2, 0, 4, 70]
    assert out.issues[0].rule == "FLAT" and not out.ambiguous and not out.impossible


def test_column_balance_decides_between_row_readings() -> None:
    # 276012036 reads as 27,6,0,1,2,0,36 or 2,7,6,0,1,20,36; R3.1 with 新收 25 + 结转 3 − 结转下年 1 needs 27
    known = {
        **dict(zip(row_cells("new_requests"), (25, 6, 0, 1, 2, 0, 34), strict=True)),
        **dict(zip(row_cells("carried_over"), (3, 1, 0, 0, 0, 0, 4), strict=True)),
        **dict(zip(row_cells("carried_forward"), (1, 1, 0, 0, 0, 0, 2), strict=True)),
    }
    out = resolve_runs([Run(row_cells("total_processed"), "（七）总计", ["276012036"])], known, "2021")
    assert [out.values[c] for c in row_cells("total_processed")] == [27, 6, 0, 1, 2, 0, 36]


def test_without_the_other_rows_the_same_run_stays_blank() -> None:
    out = resolve_runs([Run(row_cells("total_processed"), "（七）总计", ["276012036"])], {}, "2021")
    assert out.values == {} and set(out.ambiguous) == set(row_cells("total_processed"))
    assert "2 种拆分" in out.issues[0].message


def test_run_that_fits_no_reading() -> None:
    out = resolve_runs([Run(row_cells("granted"), "（一）予以公开", ["1234567"])], {}, "2021")
    assert out.values == {} and set(out.impossible) == set(row_cells("granted"))


def test_section_four_groups() -> None:
    cells = [f"review_litigation.{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
             for c in ("upheld", "corrected", "other_result", "pending", "total")]
    out = resolve_runs([Run(cells, "四", ["12030150101210001"], grouped=5)], {}, "2021")
    assert [out.values[c] for c in cells] == [12, 0, 3, 0, 15, 0, 1, 0, 1, 2, 1, 0, 0, 0, 1]


def test_columns_balance_ignores_unknown_operands() -> None:
    assert columns_balance({}, "2021")
    assert not columns_balance(
        {"applications.new_requests.total": 1, "applications.carried_over.total": 0,
         "applications.total_processed.total": 0, "applications.carried_forward.total": 0}, "2021"
    )
