"""Verdicts on findings survive re-checks while the judged values stay, and are dropped (and said) when they change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import api
from assistant.checks import VerdictError, apply_verdicts, check_report, decide, read_verdicts, write_verdicts
from assistant.render import ExportBlocked
from assistant.schema import Report, save_report, set_cells

A = "applications"


def broken(report: Report, granted: int = 2) -> Report:
    """予以公开 raised without raising （七）总计: R3.2 fails in two columns."""
    return set_cells(report, {f"{A}.granted.natural_person": granted, f"{A}.granted.total": granted})


def the_finding(report: Report, column: str = "total"):
    [finding] = [f for f in check_report(report).by_rule("R3.2") if f.cells[0] == f"{A}.total_processed.{column}"]
    return finding


def test_dismissing_needs_a_reason_and_a_name(sample_report: Report) -> None:
    report = broken(sample_report)
    with pytest.raises(VerdictError, match="理由"):
        decide(the_finding(report), report, "dismissed", by="张审核")
    with pytest.raises(VerdictError, match="裁定人"):
        decide(the_finding(report), report, "confirmed", by="  ")
    with pytest.raises(VerdictError, match="无效"):
        decide(the_finding(report), report, "maybe", by="张审核")  # type: ignore[arg-type]


def test_a_dismissed_error_survives_a_recheck_and_no_longer_counts(sample_report: Report) -> None:
    report = broken(sample_report)
    before = check_report(report)
    assert before.errors == 2
    verdict = decide(the_finding(report), report, "dismissed", by="张审核", reason="口径按申请人统计")
    outcome = api.review_report(report, [verdict])
    assert [f.verdict.decision for f in outcome.result.findings if f.verdict] == ["dismissed"]
    assert outcome.result.errors == 1 and outcome.result.dismissed == 1 and not outcome.stale
    # Re-checking the same values (a new CheckResult) keeps the verdict: it is keyed, not remembered by object.
    again = apply_verdicts(check_report(report.model_copy(deep=True)), report, [verdict])
    assert again.applied == [verdict]
    data = again.result.to_data()
    assert data["dismissed"] == 1
    [carried] = [f for f in data["findings"] if "verdict" in f]
    assert carried["verdict"]["label"] == "不属于问题" and carried["verdict"]["reason"] == "口径按申请人统计"


def test_changing_a_judged_cell_drops_the_verdict_and_says_so(sample_report: Report) -> None:
    report = broken(sample_report)
    verdict = decide(the_finding(report), report, "dismissed", by="张审核", reason="口径按申请人统计")
    changed = broken(sample_report, granted=3)  # still wrong, but not the values the reviewer judged
    outcome = api.review_report(changed, [verdict])
    assert outcome.stale == [verdict] and not outcome.applied
    assert not any(f.verdict for f in outcome.result.findings)
    assert outcome.result.errors == 2
    assert any("已失效" in n and "张审核" in n for n in outcome.result.notes)


def test_a_fixed_finding_leaves_its_verdict_unmatched(sample_report: Report) -> None:
    report = broken(sample_report)
    verdict = decide(the_finding(report), report, "confirmed", by="李科长")
    outcome = apply_verdicts(check_report(sample_report), sample_report, [verdict])
    assert outcome.unmatched == [verdict] and not outcome.stale


def test_verdicts_of_another_body_never_apply(sample_report: Report) -> None:
    report = broken(sample_report)
    verdict = decide(the_finding(report), report, "dismissed", by="张审核", reason="口径")
    other = report.model_copy(update={"agency": "某县人民政府"})
    assert not apply_verdicts(check_report(other), other, [verdict]).applied


def test_dismissed_errors_do_not_block_export(sample_report: Report, tmp_path: Path) -> None:
    report = set_cells(sample_report, {f"{A}.granted.total": 2})  # R3.2 (总计 column) and R3.3 (予以公开 row)
    errors = [f for f in check_report(report).findings if f.severity == "error"]
    assert [f.rule for f in errors] == ["R3.2", "R3.3"]
    verdicts = [decide(f, report, "dismissed", by="张审核", reason="已与统计口径核对") for f in errors]
    with pytest.raises(ExportBlocked):
        api.export_report(report, tmp_path / "r.md", verdicts=verdicts[:1])  # one error still open
    path = api.export_report(report, tmp_path / "r.md", verdicts=verdicts)
    assert "校验未通过" not in path.read_text(encoding="utf-8")


def test_verdict_file_round_trip_and_bad_files(sample_report: Report, tmp_path: Path) -> None:
    report = broken(sample_report)
    verdict = decide(the_finding(report), report, "fixed", by="王办事员")
    path = write_verdicts(tmp_path / "v.yaml", [verdict])
    assert read_verdicts(path) == [verdict]
    assert read_verdicts(write_verdicts(tmp_path / "v.json", [verdict])) == [verdict]
    assert read_verdicts(tmp_path / "missing.yaml") == []
    (tmp_path / "bad.yaml").write_text("verdicts:\n- rule: X2\n", encoding="utf-8")
    with pytest.raises(VerdictError, match="第 1 条记录无效"):
        read_verdicts(tmp_path / "bad.yaml")
    assert not list(tmp_path.glob(".v.yaml.*"))  # no temporary file left behind


def test_cli_verdict_then_check_and_export(sample_report: Report, tmp_path: Path) -> None:
    report = set_cells(sample_report, {f"{A}.granted.total": 2})
    doc = save_report(report, tmp_path / "r.yaml")
    verdicts = tmp_path / "verdicts.yaml"
    runner = CliRunner()
    from assistant.cli import app

    refused = runner.invoke(app, ["verdict", str(doc), "--rule", "R3.2", "--decision", "不属于问题", "--by", "张审核",
                                  "--file", str(verdicts)])
    assert refused.exit_code == 2 and "理由" in refused.output and not verdicts.exists()
    for rule in ("R3.2", "R3.3"):
        done = runner.invoke(app, ["verdict", str(doc), "--rule", rule, "--decision", "不属于问题", "--by", "张审核",
                                   "--reason", "已与统计口径核对", "--file", str(verdicts)])
        assert done.exit_code == 0, done.output
    assert len(read_verdicts(verdicts)) == 2
    checked = runner.invoke(app, ["check", str(doc), "--verdicts", str(verdicts), "--json"])
    assert checked.exit_code == 0, checked.output
    data = json.loads(checked.output)
    assert data["ok"] and data["dismissed"] == 2
    assert runner.invoke(app, ["export", str(doc), "-o", str(tmp_path / "r.docx")]).exit_code == 2
    exported = runner.invoke(app, ["export", str(doc), "-o", str(tmp_path / "r.docx"), "--verdicts", str(verdicts)])
    assert exported.exit_code == 0, exported.output
    forced = runner.invoke(app, ["export", str(doc), "-o", str(tmp_path / "f.docx"), "--force", "--verdicts",
                                 str(verdicts)])
    assert forced.exit_code == 0 and "校验未通过" not in forced.output  # nothing left to mark: none is said
    plain = runner.invoke(app, ["check", str(doc), "--verdicts", str(verdicts)])
    assert "裁定：不属于问题" in plain.output


def test_cli_audit_takes_a_verdicts_file(sample_report: Report, tmp_path: Path) -> None:
    from assistant.cli import app
    from assistant.ingest import parse_file

    batch = tmp_path / "batch"
    batch.mkdir()
    published = api.export_report(set_cells(sample_report, {f"{A}.granted.total": 2}), batch / "r.md", force=True)
    parsed = parse_file(published).report
    verdicts = write_verdicts(tmp_path / "v.yaml", [
        decide(f, parsed, "dismissed", by="督查科", reason="口径差异") for f in check_report(parsed).findings
        if f.severity == "error"
    ])
    result = CliRunner().invoke(app, ["audit", str(batch), "--workers", "1", "--verdicts", str(verdicts),
                                      "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    assert "经裁定不属于问题：2 处" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("- 1\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["audit", str(batch), "--verdicts", str(bad)])
    assert refused.exit_code == 2 and "裁定文件" in refused.output
