"""The statistics workbook: template layout, protection and formulas; exact round trip of every cell;
errors that name sheet and cell, cell id and Chinese label."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render_support import distinct_report

from assistant.render.workbook import (
    WorkbookError,
    cell_addresses,
    read_workbook,
    write_template,
    write_workbook,
)
from assistant.schema import (
    CELLS,
    FormatVersion,
    ReportInputError,
    get_cell,
    iter_cells,
    load_report,
    report_to_data,
    set_cells,
)


def _fill(path: Path, edits: dict[tuple[str, str], object], out: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    for (sheet, address), value in edits.items():
        wb[sheet][address] = value
    wb.save(out)
    return out


def _problem(exc: pytest.ExceptionInfo[WorkbookError], cell: str):
    found = [p for p in exc.value.problems if getattr(p, "cell", None) == cell]
    assert found, [str(p) for p in exc.value.problems]
    return found[0]


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_round_trip_of_every_cell(version: str, tmp_path: Path) -> None:
    report = distinct_report(version, contact={"postcode": "055000", "phone": "0533-1234567"},  # type: ignore[arg-type]
                             body_type="township")
    back = read_workbook(write_workbook(report, tmp_path / "s.xlsx"))
    assert back.format == version
    assert dict(iter_cells(back)) == dict(iter_cells(report))
    assert len(dict(iter_cells(back))) == len(CELLS[version])
    assert (back.year, back.agency, back.body_type) == (report.year, report.agency, "township")
    assert back.contact is not None and back.contact.postcode == "055000"


def test_round_trip_of_the_sample_keeps_blanks_and_their_marks(sample_data, tmp_path: Path) -> None:
    sample_data["applications"]["other_misc"]["research"] = None
    sample_data["raw_cells"] = {"applications.other_misc.research": "/"}
    sample_data["active_disclosure"]["art20_8"]["admin_fees"]["fee_amount_wan_yuan"] = "12.35"
    report = load_report(sample_data)
    back = read_workbook(write_workbook(report, tmp_path / "s.xlsx"))
    assert dict(iter_cells(back)) == dict(iter_cells(report))
    assert get_cell(back, "applications.other_misc.research") is None
    assert back.raw_cells == {"applications.other_misc.research": "/"}
    assert get_cell(back, "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan") == Decimal("12.35")
    data = report_to_data(back)
    assert data["narrative"] == {k: None for k in ("overview", "problems", "improvements", "other_matters")}


def test_template_layout_protection_and_formulas(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", "基本信息", "表二", "表三", "表四"]
    ws = wb["表三"]
    assert ws.protection.sheet
    assert ws["A2"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert "A2:C4" in {str(r) for r in ws.merged_cells.ranges}
    assert "A7:A28" in {str(r) for r in ws.merged_cells.ranges}  # 三、本年度办理结果 over 22 rows
    assert ws["A2"].protection.locked and ws["B9"].protection.locked
    addr = cell_addresses("2021")
    sheet, leaf = addr["applications.granted.natural_person"]
    assert (sheet, leaf) == ("表三", "D7") and not ws[leaf].protection.locked
    assert ws[addr["applications.granted.total"][1]].value == "=SUM(D7:I7)"
    assert ws[addr["applications.total_processed.natural_person"][1]].value == "=SUM(D7:D27)"
    assert wb["表四"][addr["review_litigation.litigation_direct.total"][1]].value == "=SUM(F5:I5)"
    assert wb["表二"]["A2"].value == "第二十条第（一）项"


def test_filled_template_reads_with_our_own_sums(tmp_path: Path) -> None:
    template = write_template(tmp_path / "t.xlsx")
    filled = _fill(template, {("基本信息", "B3"): 2023, ("基本信息", "B4"): "某县某局", ("表三", "D5"): 2,
                              ("表三", "E5"): 1, ("表三", "D7"): 3, ("表四", "A5"): 1, ("表四", "D5"): 1},
                   tmp_path / "f.xlsx")
    report = read_workbook(filled)
    assert get_cell(report, "applications.new_requests.total") == 3
    assert get_cell(report, "applications.total_processed.natural_person") == 3
    assert get_cell(report, "applications.total_processed.total") == 3
    assert get_cell(report, "review_litigation.review.total") == 2
    assert get_cell(report, "applications.carried_over.total") is None  # nothing filled: blank, not 0
    assert get_cell(report, "applications.carried_over.natural_person") is None


def test_bad_text_negative_and_fraction_are_located(tmp_path: Path, sample_report) -> None:
    good = write_workbook(sample_report, tmp_path / "s.xlsx")
    bad = _fill(good, {("表三", "D7"): "约3", ("表三", "E5"): -1, ("表二", "B4"): 1.5, ("表四", "C5"): "三件"},
                tmp_path / "bad.xlsx")
    with pytest.raises(WorkbookError) as exc:
        read_workbook(bad)
    assert isinstance(exc.value, ReportInputError) and isinstance(exc.value, ValueError)
    text = _problem(exc, "D7")
    assert (text.sheet, text.field) == ("表三", "applications.granted.natural_person")
    assert "（一）予以公开" in text.label and "自然人" in text.label
    assert "整数" in text.expected and "约3" in text.given
    assert str(text).startswith("「表三」!D7 applications.granted.natural_person（")
    negative = _problem(exc, "E5")
    assert negative.field == "applications.new_requests.commercial" and negative.given == "-1"
    fraction = _problem(exc, "B4")
    assert fraction.sheet == "表二" and fraction.field == "active_disclosure.art20_1.regulations.issued"
    assert fraction.given == "1.5"
    assert _problem(exc, "C5").field == "review_litigation.review.other_result"
    assert len(exc.value.problems) == 4
    assert "「表三」!D7" in str(exc.value)


def test_money_in_yuan_and_signed_2019_change(tmp_path: Path) -> None:
    report = distinct_report("2019")
    path = write_workbook(report, tmp_path / "s.xlsx")
    addr = cell_addresses("2019")
    fee_sheet, fee_cell = addr["active_disclosure.art20_9.gov_central_procurement.procurement_amount"]
    change_sheet, change_cell = addr["active_disclosure.art20_5.admin_licensing.change"]
    bad = _fill(path, {(fee_sheet, fee_cell): "251000元", (change_sheet, change_cell): -8}, tmp_path / "b.xlsx")
    with pytest.raises(WorkbookError) as exc:
        read_workbook(bad)
    assert [p.field for p in exc.value.problems] == ["active_disclosure.art20_9.gov_central_procurement.procurement_amount"]
    assert "万元" in exc.value.problems[0].expected or "金额" in exc.value.problems[0].expected


def test_tampered_labels_and_missing_sheet(tmp_path: Path, sample_report) -> None:
    good = write_workbook(sample_report, tmp_path / "s.xlsx")
    tampered = _fill(good, {("表三", "B7"): "（一）同意公开"}, tmp_path / "t.xlsx")
    with pytest.raises(WorkbookError) as exc:
        read_workbook(tampered)
    problem = _problem(exc, "B7")
    assert "（一）予以公开" in problem.expected and "同意公开" in problem.given
    wb = openpyxl.load_workbook(good)
    del wb["表四"]
    wb.save(tmp_path / "m.xlsx")
    with pytest.raises(WorkbookError) as exc2:
        read_workbook(tmp_path / "m.xlsx")
    assert any(getattr(p, "sheet", "") == "表四" and "工作表" in p.expected for p in exc2.value.problems)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("不是工作簿", encoding="utf-8")
    with pytest.raises(WorkbookError) as exc:
        read_workbook(path)
    assert ".xlsx" in exc.value.problems[0].expected


def test_missing_year_and_agency_are_required(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError) as exc:
        read_workbook(write_template(tmp_path / "t.xlsx"))
    assert {(p.field, getattr(p, "cell", "")) for p in exc.value.problems} == {("year", "B3"), ("agency", "B4")}


def test_numbers_typed_as_text_are_read_but_words_and_units_are_not(tmp_path: Path, sample_report) -> None:
    good = write_workbook(sample_report, tmp_path / "s.xlsx")
    ok = read_workbook(_fill(good, {("表三", "D7"): " 1 ", ("表二", "B15"): "0.50"}, tmp_path / "ok.xlsx"))
    assert get_cell(ok, "applications.granted.natural_person") == 1
    assert get_cell(ok, "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan") == Decimal("0.5")
    bad = _fill(good, {("表三", "D7"): "一", ("表二", "B15"): "1.5万元", ("表四", "A5"): "3件"}, tmp_path / "b.xlsx")
    with pytest.raises(WorkbookError) as exc:
        read_workbook(bad)
    assert {getattr(p, "cell", "") for p in exc.value.problems} == {"D7", "B15", "A5"}
    assert "万元" in _problem(exc, "B15").expected


_COUNT = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
_MONEY = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**8, places=4, allow_nan=False,
                                          allow_infinity=False))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_round_trip_property(tmp_path: Path, data: st.DataObject) -> None:
    """Any mix of blanks, zeros, large counts and 4-place money amounts comes back exactly."""
    version: FormatVersion = data.draw(st.sampled_from(["2021", "2019"]))
    values: dict[str, object] = {}
    for cell_id, spec in CELLS[version].items():
        if spec.kind == "money":
            values[cell_id] = data.draw(_MONEY)
        elif spec.kind == "signed_count":
            values[cell_id] = data.draw(st.one_of(st.none(), st.integers(-10**6, 10**6)))
        else:
            values[cell_id] = data.draw(_COUNT)
    report = set_cells(load_report({"format": version, "year": 2020, "agency": "某局"}), values)  # type: ignore[arg-type]
    back = read_workbook(write_workbook(report, tmp_path / "p.xlsx"))
    assert dict(iter_cells(back)) == dict(iter_cells(report))
