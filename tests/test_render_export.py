"""export_report by extension, the export gate, and `xxgk export` / `xxgk stats-template`."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli import app
from assistant.render import FAILED_MARK, ExportBlocked, export_all, export_report
from assistant.render.workbook import read_workbook
from assistant.schema import iter_cells, load_report

runner = CliRunner()


def _broken(sample_data: dict) -> dict:
    sample_data["applications"]["new_requests"]["natural_person"] = 4  # R3.1 and R3.3 fail
    return sample_data


@pytest.mark.parametrize("suffix", [".docx", ".html", ".md", ".xlsx"])
def test_export_each_format(sample_report, tmp_path: Path, suffix: str) -> None:
    path = export_report(sample_report, tmp_path / "deep" / f"report{suffix}")
    assert path.exists() and path.stat().st_size > 1000
    if suffix == ".docx":
        assert len(docx.Document(str(path)).tables) == 3
    elif suffix == ".xlsx":
        assert dict(iter_cells(read_workbook(path))) == dict(iter_cells(sample_report))
    else:
        text = path.read_text(encoding="utf-8")
        assert "申请人情况" in text and "未经复议直接起诉" in text


def test_unknown_extension(sample_report, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.pdf"):
        export_report(sample_report, tmp_path / "r.pdf")


@pytest.mark.parametrize("suffix", [".docx", ".html", ".md", ".xlsx"])
def test_blocked_while_checks_have_errors(sample_data, tmp_path: Path, suffix: str) -> None:
    report = load_report(_broken(sample_data))
    with pytest.raises(ExportBlocked) as exc:
        export_report(report, tmp_path / f"r{suffix}")
    assert exc.value.result.errors >= 1
    assert "R3.1" in str(exc.value) and "已拒绝导出" in str(exc.value)
    assert not (tmp_path / f"r{suffix}").exists()
    forced = export_report(report, tmp_path / f"r{suffix}", force=True)
    if suffix == ".docx":
        document = docx.Document(str(forced))
        text = "\n".join(p.text for p in document.paragraphs)
        assert FAILED_MARK in document.sections[0].header.paragraphs[0].text  # on every page
    elif suffix == ".xlsx":
        import openpyxl

        text = "\n".join(str(c.value) for c in openpyxl.load_workbook(forced)["说明"]["A"])
    else:
        text = forced.read_text(encoding="utf-8")
    assert f"【{FAILED_MARK}" in text and "R3.1" in text


def test_cli_export_and_blocked(sample_path: Path, sample_data: dict, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    result = runner.invoke(app, ["export", str(sample_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已导出" in result.output and out.exists()
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(_broken(sample_data), allow_unicode=True), encoding="utf-8")
    blocked = runner.invoke(app, ["export", str(broken), "-o", str(tmp_path / "b.html")])
    assert blocked.exit_code == 2
    assert "已拒绝导出" in blocked.output and "R3.1" in blocked.output
    assert not (tmp_path / "b.html").exists()
    forced = runner.invoke(app, ["export", str(broken), "-o", str(tmp_path / "b.html"), "--force"])
    assert forced.exit_code == 0 and FAILED_MARK in (tmp_path / "b.html").read_text(encoding="utf-8")


def test_cli_bad_input(sample_path: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["export", str(sample_path), "-o", str(tmp_path / "r.pdf")]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2022\nagency: 某局\napplications: {granted: {natural_person: 约3}}\n", encoding="utf-8")
    result = runner.invoke(app, ["export", str(bad), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 2 and "applications.granted.natural_person" in result.output
    assert runner.invoke(app, ["export", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "r.md")]).exit_code == 2


def test_cli_stats_template(tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"
    result = runner.invoke(app, ["stats-template", "-o", str(out)])
    assert result.exit_code == 0, result.output
    import openpyxl

    assert openpyxl.load_workbook(out)["表三"]["J5"].value == "=SUM(D5:I5)"
    assert runner.invoke(app, ["stats-template", "-o", str(tmp_path / "stats.csv")]).exit_code == 2
    old = tmp_path / "stats2019.xlsx"
    assert runner.invoke(app, ["stats-template", "-o", str(old), "--format", "2019"]).exit_code == 0
    assert openpyxl.load_workbook(old)["表二"]["A2"].value == "第二十条第（一）项"
    assert "采购总金额" in [c.value for row in openpyxl.load_workbook(old)["表二"].iter_rows() for c in row]
    assert runner.invoke(app, ["stats-template", "-o", str(old), "--format", "2020"]).exit_code == 2


def test_export_all_writes_every_format_once(sample_report, tmp_path: Path) -> None:
    written = export_all(sample_report, tmp_path / "out", formats=(".docx", ".html", ".md", ".xlsx"))
    assert sorted(written) == [".docx", ".html", ".md", ".xlsx"]
    assert all(p.exists() and p.stem == "淄博市工业和信息化局2022年政府信息公开工作年度报告" for p in written.values())
    assert export_all(sample_report, tmp_path, stem="a/b:c")[".md"].name == "a_b_c.md"
    with pytest.raises(ValueError, match=r"\.pdf"):
        export_all(sample_report, tmp_path, formats=(".pdf",))
