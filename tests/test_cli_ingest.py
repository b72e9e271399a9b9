"""`xxgk parse`, `xxgk next-year`, `xxgk audit`: exit codes, stdout/stderr, files written."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from corpus import OWN_REPORT_TEXT
from typer.testing import CliRunner

from assistant.cli import app
from assistant.schema import get_cell, load_report_file

SEED = OWN_REPORT_TEXT  # our sample in a published report's text layout (tests/corpus.py)
runner = CliRunner()


def test_parse_to_stdout_and_warnings_to_stderr() -> None:
    result = runner.invoke(app, ["parse", str(SEED)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    assert doc["agency"] == "淄博市工业和信息化局" and doc["applications"]["new_requests"]["total"] == 3
    assert "本年度止件数" in result.stderr and "本年度止件数" not in result.stdout


def test_parse_to_file_then_check(tmp_path: Path) -> None:
    out = tmp_path / "seed.json"
    assert runner.invoke(app, ["parse", str(SEED), "-o", str(out)]).exit_code == 0
    assert load_report_file(out).year == 2022
    checked = runner.invoke(app, ["check", str(out), "--json"])
    assert checked.exit_code == 0, checked.output


def test_parse_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("购物清单：苹果、梨。", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(junk)])
    assert result.exit_code == 2
    assert "不是可识别的年度报告" in result.stderr
    assert runner.invoke(app, ["parse", str(tmp_path / "absent.pdf")]).exit_code == 2


def test_next_year(tmp_path: Path, sample_path: Path) -> None:
    out = tmp_path / "2023.yaml"
    result = runner.invoke(app, ["next-year", str(sample_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    new = load_report_file(out)
    assert new.year == 2023 and get_cell(new, "applications.carried_over.total") == 0
    assert new.previous_year is not None and new.previous_year.year == 2022
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 二〇二二\nagency: x\n", encoding="utf-8")
    assert runner.invoke(app, ["next-year", str(bad), "-o", str(tmp_path / "x.yaml")]).exit_code == 2


def test_audit_folder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "garbage.docx").write_bytes(b"\x00\x01garbage")
    out_csv, out_html = tmp_path / "a.csv", tmp_path / "a.html"
    result = runner.invoke(app, ["audit", str(folder), "--out", str(out_csv), "--html", str(out_html), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "读取 1 份报告" in result.stdout and "无法读取 1 个文件" in result.stdout
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8-sig")))
    assert any(r["rule"] == "UNREADABLE" and r["file"].endswith("garbage.docx") for r in rows)
    assert out_html.exists()
