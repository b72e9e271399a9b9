"""`xxgk demo`: the main job on the sample, offline, on a fresh machine."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from typer.testing import CliRunner

from assistant.cli import app
from assistant.demo import run_demo
from assistant.schema import get_cell, load_report_file


def test_run_demo_drafts_checks_and_exports_every_format(tmp_path: Path):
    outcome = run_demo(tmp_path, offline=True)
    assert outcome.check.ok, outcome.check.findings
    assert {p.suffix for p in outcome.files} == {".yaml", ".docx", ".html", ".md", ".xlsx"}
    assert all(p.exists() and p.stat().st_size > 1000 for p in outcome.files)
    assert not outcome.forced
    report = load_report_file(tmp_path / "report.yaml")
    # the narrative is the assistant's draft, built from the notes: their facts are in it
    overview = report.narrative.overview or ""
    for fact in ("148", "246", "506216", "549", "4719", "64", "三审三校"):
        assert fact in overview, fact
    assert "信息处理费" in (report.narrative.other_matters or "")
    assert get_cell(report, "applications.new_requests.total") == 3
    docx = next(p for p in outcome.files if p.suffix == ".docx")
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "淄博市工业和信息化局2022年政府信息公开工作年度报告" in text
    assert "一、总体情况" in text and "六、其他需要报告的事项" in text


def test_demo_command_prints_backend_files_and_summary(tmp_path: Path):
    result = CliRunner().invoke(app, ["demo", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "离线起草" in result.output
    assert "检查通过" in result.output
    assert ".docx" in result.output and ".html" in result.output
