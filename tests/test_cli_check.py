"""`xxgk check` and `xxgk schema` as a clerk runs them: exit codes, the table, the JSON of data-contract §2."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from assistant.cli import app
from assistant.schema import read_data_file, save_report, set_cells

runner = CliRunner()


def test_clean_sample_exits_0_with_readable_table(sample_path):
    result = runner.invoke(app, ["check", str(sample_path)])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output and "S5.1" in result.output


def test_json_output_follows_the_contract(sample_report, tmp_path: Path):
    bad = save_report(set_cells(sample_report, {"applications.carried_forward.total": 1}), tmp_path / "bad.json")
    result = runner.invoke(app, ["check", str(bad), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["errors"] >= 1
    finding = next(f for f in data["findings"] if f["rule"] == "R3.1")
    assert set(finding) >= {"rule", "severity", "cells", "message", "expected", "actual"}
    assert finding["severity"] == "error" and finding["expected"] == 3 and finding["actual"] == 4


def test_text_in_a_count_cell_exits_2_naming_the_cell(sample_data, tmp_path: Path):
    sample_data["applications"]["granted"]["natural_person"] = "约3"
    path = tmp_path / "text.yaml"
    path.write_text(yaml.safe_dump(sample_data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "applications.granted.natural_person" in result.output
    assert "（一）予以公开" in result.output and "约3" in result.output
    as_json = runner.invoke(app, ["check", str(path), "--json"])
    assert as_json.exit_code == 2
    [finding] = json.loads(as_json.stdout)["findings"]
    assert finding["rule"] == "R3.4" and finding["cells"] == ["applications.granted.natural_person"]


def test_previous_report_enables_x1(sample_report, tmp_path: Path):
    prev = set_cells(sample_report, {"applications.carried_forward.natural_person": 1,
                                     "applications.carried_forward.total": 1,
                                     "applications.new_requests.natural_person": 4,
                                     "applications.new_requests.total": 4})
    prev_path = save_report(prev.model_copy(update={"year": 2021}), tmp_path / "2021.yaml")
    this_path = save_report(sample_report, tmp_path / "2022.yaml")
    result = runner.invoke(app, ["check", str(this_path), "--previous", str(prev_path), "--json"])
    assert result.exit_code == 1
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert "X1" in rules


def test_missing_file_exits_2(tmp_path: Path):
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "找不到文件" in result.output


def test_partial_document_checks_without_crash(tmp_path: Path):
    path = tmp_path / "partial.yaml"
    path.write_text("year: 2023\nagency: 某局\napplications:\n  new_requests: {total: 1}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    assert any(f["rule"] == "X6" for f in json.loads(result.stdout)["findings"])


def test_schema_command_prints_json_schema(sample_path):
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "$defs" in schema and read_data_file(sample_path)["format"] == "2021"
