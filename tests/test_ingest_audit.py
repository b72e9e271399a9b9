"""Auditing a folder of good, wrong and garbage files: each one reported, none crashes the run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from corpus import OWN_REPORT_TEXT

from assistant.ingest import audit
from assistant.ingest.audit import audit_one, expand_paths

SEED = OWN_REPORT_TEXT  # our sample in a published report's text layout (tests/corpus.py)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    good = SEED.read_text(encoding="utf-8")
    (tmp_path / "good.txt").write_text(good, encoding="utf-8")
    # 本年新收 natural-person count changed from 3 to 4: R3.1 (and R3.3) must fail
    wrong = good.replace("一、本年新收政府信息公开申请数量\t\t3\t", "一、本年新收政府信息公开申请数量\t\t4\t")
    assert wrong != good
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "wrong.txt").write_text(wrong, encoding="utf-8")
    (tmp_path / "garbage.pdf").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "not_a_report.txt").write_text("会议纪要\n今天开会。\n", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    return tmp_path


def test_each_file_is_reported(folder: Path, tmp_path: Path) -> None:
    out_csv, out_html = tmp_path / "out" / "audit.csv", tmp_path / "out" / "audit.html"
    summary = audit([folder, folder / "missing.pdf"], out_csv, out_html, workers=2)
    by_name = {Path(f.path).name: f for f in summary.files}
    assert set(by_name) == {
        "good.txt", "wrong.txt", "garbage.pdf", "not_a_report.txt", "broken.docx", "missing.pdf", "ignored.png",
    }
    # a folder's file that is not a report is counted and said so, never silently dropped (issue 13.5)
    assert by_name["ignored.png"].status == "skipped" and ".png" in by_name["ignored.png"].reason
    assert [Path(f.path).name for f in summary.skipped] == ["ignored.png"]
    assert by_name["good.txt"].status in ("ok", "warnings") and by_name["good.txt"].errors == 0
    assert by_name["wrong.txt"].status == "errors"
    assert "R3.1" in {x["rule"] for x in by_name["wrong.txt"].findings}
    for name in ("garbage.pdf", "not_a_report.txt", "broken.docx", "missing.pdf"):
        assert by_name[name].status == "unreadable" and by_name[name].reason, name
    assert summary.reports == 2 and summary.reports_with_errors == 1 and len(summary.unreadable) == 4
    assert summary.errors_by_rule["R3.1"] >= 1

    rows = list(csv.DictReader(out_csv.open(encoding="utf-8-sig")))
    unreadable_rows = [r for r in rows if r["rule"] == "UNREADABLE"]
    assert {Path(r["file"]).name for r in unreadable_rows} == {"garbage.pdf", "not_a_report.txt", "broken.docx", "missing.pdf"}
    wrong_rows = [r for r in rows if r["file"].endswith("wrong.txt") and r["rule"] == "R3.1"]
    assert wrong_rows and wrong_rows[0]["severity"] == "error" and "applications." in wrong_rows[0]["cells"]
    check_rows = [r for r in rows if r["source"] == "检查" and r["rule"]]
    assert len(check_rows) == sum(len(f.findings) for f in summary.files)

    page = out_html.read_text(encoding="utf-8")
    assert "政府信息公开工作年度报告核查汇总" in page and "R3.1" in page and "garbage.pdf" in page
    assert "<script" not in page


def test_serial_and_parallel_runs_agree(folder: Path) -> None:
    one = audit([folder], workers=1)
    two = audit([folder], workers=2)
    assert [(f.path, f.status, f.errors, f.warnings) for f in one.files] == [
        (f.path, f.status, f.errors, f.warnings) for f in two.files
    ]


def test_globs_and_missing_patterns(folder: Path) -> None:
    files, missing = expand_paths([str(folder / "**" / "*.txt"), str(folder / "*.nothing")])
    assert {f.name for f in files} == {"good.txt", "wrong.txt", "not_a_report.txt"}
    assert len(missing) == 1 and "没有匹配" in missing[0].reason


def test_progress_called_once_per_file(folder: Path) -> None:
    seen: list[str] = []
    summary = audit([folder], workers=1, progress=lambda r: seen.append(r.path))
    assert sorted(seen) == sorted(f.path for f in summary.files if f.status != "skipped")


def test_audit_one_never_raises(tmp_path: Path) -> None:
    weird = tmp_path / "x.html"
    weird.write_bytes(b"\xff\xfe\x00<html>\x00")
    result = audit_one(str(weird))
    assert result.status == "unreadable" and result.reason


def test_same_body_previous_year_in_the_batch_is_used(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    (tmp_path / "2022.txt").write_text(text, encoding="utf-8")
    # the 2023 report claims 1 application carried over, but 2022 carried none forward: X1
    later = text.replace("2022", "2023").replace(
        "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0", "二、上年结转政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1"
    )
    (tmp_path / "2023.txt").write_text(later, encoding="utf-8")
    summary = audit([tmp_path], workers=1)
    by_name = {Path(f.path).name: f for f in summary.files}
    assert by_name["2023.txt"].previous.endswith("2022.txt")
    x1 = [x for x in by_name["2023.txt"].findings if x["rule"] == "X1"]
    assert x1 and "applications.carried_over.natural_person" in {c for x in x1 for c in x["cells"]}
    assert by_name["2022.txt"].previous == ""


def test_audit_carries_a_supervising_offices_verdicts_across_batches(tmp_path: Path, sample_report) -> None:
    """Verdicts from a verdicts file land on the same body's finding in a later batch; changed values drop them."""
    import csv as csv_mod

    from assistant import api
    from assistant.ingest import parse_file
    from assistant.schema import set_cells

    wrong = set_cells(sample_report, {"applications.granted.total": 2})  # R3.2 and R3.3 fail
    batch = tmp_path / "batch"
    batch.mkdir()
    published = api.export_report(wrong, batch / "report.md", force=True)
    parsed = parse_file(published).report
    [r32] = api.check_report(parsed).by_rule("R3.2")
    verdicts_file = api.write_verdicts(tmp_path / "verdicts.yaml", [
        api.decide_finding(parsed, r32, "dismissed", by="市政务公开办", reason="经核实为统计口径差异"),
    ])
    first = api.audit([batch], out_csv=tmp_path / "a.csv", workers=1)
    assert first.errors_by_rule["R3.2"] == 1 and first.dismissed == 0
    second = api.audit([batch], out_csv=tmp_path / "b.csv", workers=1, verdicts=api.read_verdicts(verdicts_file))
    assert second.errors_by_rule["R3.2"] == 0 and second.errors_by_rule["R3.3"] == 1 and second.dismissed == 1
    rows = list(csv_mod.DictReader((tmp_path / "b.csv").open(encoding="utf-8-sig")))
    [row] = [r for r in rows if r["rule"] == "R3.2"]
    assert row["verdict"].startswith("不属于问题：经核实为统计口径差异（市政务公开办")
    assert "经裁定不属于问题：1 处" in second.to_text()
    # The next year's batch holds the report with other values: the verdict no longer applies, and says so.
    api.export_report(set_cells(wrong, {"applications.granted.total": 4}), batch / "report.md", force=True)
    third = api.audit([batch], out_csv=tmp_path / "c.csv", workers=1, verdicts=api.read_verdicts(verdicts_file))
    assert third.errors_by_rule["R3.2"] == 1 and third.dismissed == 0
    assert "已失效的裁定：1 条" in third.to_text()
    assert any(r["rule"] == "裁定失效" for r in csv_mod.DictReader((tmp_path / "c.csv").open(encoding="utf-8-sig")))


def test_the_cross_year_pass_parses_nothing_again(tmp_path: Path) -> None:
    """Pairing years uses the reports the workers parsed (within their time and memory budgets): a file that is
    gone by then (deleted as soon as it was audited) still pairs, and no 跨年度核对未完成 is said."""
    text = SEED.read_text(encoding="utf-8")
    (tmp_path / "2022.txt").write_text(text, encoding="utf-8")
    (tmp_path / "2023.txt").write_text(text.replace("2022", "2023"), encoding="utf-8")
    summary = audit([tmp_path], workers=1, progress=lambda f: Path(f.path).unlink())
    by_name = {Path(f.path).name: f for f in summary.files}
    assert by_name["2023.txt"].previous.endswith("2022.txt")
    assert not [i for i in by_name["2023.txt"].parse_issues if "跨年度核对未完成" in i["message"]]
