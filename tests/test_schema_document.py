"""Strict input, labels in errors, null kept as blank, JSON/YAML round trip, the 2019 variant."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from assistant.schema import (
    CELLS,
    ReportInputError,
    dump_report,
    get_cell,
    labels,
    load_report,
    load_report_file,
    report_json_schema,
    save_report,
    set_cells,
)


def _problem(exc: pytest.ExceptionInfo[ReportInputError], field: str):
    matches = [p for p in exc.value.problems if p.field == field]
    assert matches, [p.field for p in exc.value.problems]
    return matches[0]


@pytest.mark.parametrize(
    ("value", "given"),
    [("三", "文字“三”"), ("3", "文字“3”"), (1.5, "1.5"), (-1, "-1"), (True, "布尔值 true")],
)
def test_bad_count_names_cell_id_and_label(sample_data, value, given):
    data = copy.deepcopy(sample_data)
    data["applications"]["granted"]["natural_person"] = value
    with pytest.raises(ReportInputError) as exc:
        load_report(data)
    problem = _problem(exc, "applications.granted.natural_person")
    assert "（一）予以公开" in problem.label and "自然人" in problem.label
    assert problem.given == given
    assert problem.rule == "R3.4"
    assert "applications.granted.natural_person" in str(exc.value)


def test_unknown_key_lists_accepted_columns(sample_data):
    data = copy.deepcopy(sample_data)
    data["applications"]["granted"]["companies"] = 1
    with pytest.raises(ReportInputError) as exc:
        load_report(data)
    problem = _problem(exc, "applications.granted.companies")
    assert "natural_person" in problem.expected and "legal_service" in problem.expected


def test_fee_in_yuan_text_is_flagged_with_unit_hint(sample_data):
    data = copy.deepcopy(sample_data)
    data["active_disclosure"]["art20_8"]["admin_fees"]["fee_amount_wan_yuan"] = "251000元"
    with pytest.raises(ReportInputError) as exc:
        load_report(data)
    problem = _problem(exc, "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan")
    assert problem.rule == "R2.3"
    assert "万元" in problem.expected


def test_null_stays_blank_not_zero(sample_data):
    data = copy.deepcopy(sample_data)
    data["applications"]["granted"]["commercial"] = None
    report = load_report(data)
    assert get_cell(report, "applications.granted.commercial") is None
    assert json.loads(dump_report(report))["applications"]["granted"]["commercial"] is None


def test_partial_document_loads(sample_data):
    report = load_report({"year": 2023, "agency": "某局", "applications": {"new_requests": {"total": 2}}})
    assert get_cell(report, "applications.new_requests.total") == 2
    assert get_cell(report, "applications.granted.total") is None
    assert report.active_disclosure is None


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_round_trip_json_and_yaml(sample_report, tmp_path, suffix):
    path = save_report(sample_report, tmp_path / f"r{suffix}")
    again = load_report_file(path)
    assert again == sample_report
    assert get_cell(again, "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan") == 0


def test_unreadable_file_is_an_input_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportInputError) as exc:
        load_report_file(path)
    assert "JSON" in str(exc.value)


def test_2019_format_is_first_class():
    report = load_report(
        {
            "format": "2019",
            "year": 2020,
            "agency": "某镇人民政府",
            "active_disclosure": {"art20_5": {"admin_licensing": {"prev_year_items": 5, "change": -2, "decisions": 3}}},
            "applications": {"other_total_2019": {"total": 1}},
        }
    )
    assert get_cell(report, "active_disclosure.art20_5.admin_licensing.change") == -2
    assert "applications.other_total_2019.total" in CELLS["2019"]
    assert "applications.other_misc.total" not in CELLS["2019"]
    with pytest.raises(ReportInputError) as exc:
        load_report({"format": "2019", "year": 2020, "agency": "x", "applications": {"other_misc": {"total": 1}}})
    assert exc.value.problems[0].field == "applications.other_misc"


def test_every_cell_has_a_chinese_label_and_models_match_labels(sample_report):
    assert len(CELLS["2021"]) == 10 + 25 * 7 + 15
    assert len([c for c in CELLS["2019"] if c.startswith("applications.")]) == 23 * 7
    for spec in CELLS["2021"].values():
        assert spec.label and spec.column_label
    # every cell id is an address in the model: setting it works, and unknown ids are refused
    report = set_cells(sample_report, {cid: None for cid in CELLS["2021"] if cid.startswith("review_litigation")})
    assert all(get_cell(report, c) is None for c in CELLS["2021"] if c.startswith("review_litigation"))
    with pytest.raises(ReportInputError):
        set_cells(sample_report, {"applications.granted.nobody": 1})
    assert len(labels.SECTION3_ROWS_2021) == 25


def test_json_schema_covers_both_formats():
    schema = report_json_schema()
    text = json.dumps(schema, ensure_ascii=False)
    assert "Report2021" in text and "Report2019" in text
    assert "本年废止件数" in text and "（六）其他处理" in text


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [("broken.json", '{\n  "year": 2024,\n  "agency": \n}', "第 4 行第 1 列附近的语法错误"),
     ("broken.yaml", "year: 2024\nagency: [未闭合\n", "第 3 行第 1 列附近的语法错误")],
)
def test_a_syntax_error_is_placed_by_line_and_column(tmp_path: Path, name: str, text: str, where: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportInputError) as caught:
        load_report_file(path)
    assert where in str(caught.value) and "合法的 JSON 或 YAML" in str(caught.value)


@pytest.mark.parametrize("value", ["2024-02-30", "1" * 5000])
def test_a_value_python_cannot_make_is_named_not_called_a_syntax_error(tmp_path: Path, value: str) -> None:
    path = tmp_path / "report.yaml"
    path.write_text(f"year: 2024\nagency: 某局\npublished_on: {value}\n", encoding="utf-8")
    with pytest.raises(ReportInputError) as caught:
        load_report_file(path)
    assert "无法读取的值（例如不存在的日期，或位数过多的数字）" in str(caught.value)
    assert "语法错误" not in str(caught.value)
