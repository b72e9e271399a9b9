"""The export gate of the app, pasting blocks from a spreadsheet, and times in Beijing time."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app.grids import GridInputError, read_paste
from assistant.app.readiness import MISSING_MARK, export_reasons, marked_for_forced_export
from assistant.app.tab_preview import ExportRefused, export_file
from assistant.app.tab_stats import paste_block
from assistant.app.workspace import Workspace
from assistant.drafting import VersionStore
from assistant.schema import Report, get_cell, load_report, report_to_data
from assistant.timefmt import local_time


@pytest.fixture
def space(tmp_path: Path) -> Workspace:
    return Workspace.open(VersionStore(tmp_path), None)[0]


def _with_narrative(report: Report, **parts: str) -> Report:
    data = report_to_data(report)
    data["narrative"] = {**(data.get("narrative") or {}), **parts}
    return load_report(data)


def test_the_clean_sample_is_ready(sample_report: Report) -> None:
    assert export_reasons(sample_report) == []


def test_marks_unwritten_parts_and_contradictions_each_block_with_where(sample_report: Report) -> None:
    total = get_cell(sample_report, "applications.new_requests.total")
    report = _with_narrative(
        sample_report,
        problems="一是宣传【待核实】不足。",
        other_matters="",
        overview=(sample_report.narrative.overview or "") + f"本年度共收到政府信息公开申请{int(total or 0) + 1}件。",
    )
    reasons = {(r.where, r.text[:12]) for r in export_reasons(report)}
    wheres = [w for w, _ in reasons]
    assert any(w == "撰写 · 五、存在的主要问题及改进情况（一）存在问题" for w in wheres)
    assert any(w == "撰写 · 六、其他需要报告的事项" for w in wheres)
    assert any(w == "撰写 · 一、总体情况" for w in wheres), reasons  # the prose states another figure (X2)


def test_a_forced_export_keeps_the_gaps_visible(space: Workspace) -> None:
    space.set_narrative("other_matters", "")
    with pytest.raises(ExportRefused) as info:
        export_file(space, "md")
    assert "六、其他需要报告的事项" in str(info.value)
    path = export_file(space, "md", force=True)
    assert MISSING_MARK in path.read_text(encoding="utf-8")
    assert marked_for_forced_export(space.report()).narrative.other_matters == MISSING_MARK


def test_a_block_pasted_from_excel_lands_from_the_selected_cell(space: Workspace) -> None:
    space.create_blank({"agency": "青山县白云镇人民政府", "year": 2025, "body_type": "township"})
    report = space.report()
    # Row 0 of table 三 is 一、本年新收; columns 2.. are the applicant columns.
    values = read_paste(report, "applications", 0, 2, "3\t1\t0\r\n1\t0\t\n")
    assert values["applications.new_requests.natural_person"] == 3
    assert values["applications.new_requests.commercial"] == 1
    assert values["applications.carried_over.natural_person"] == 1
    assert values["applications.carried_over.research"] is None
    with pytest.raises(GridInputError) as exc:
        read_paste(report, "applications", 0, 2, "3\t甲")
    assert "applications.new_requests.commercial" in str(exc.value)
    report, message = paste_block(space, '{"table": "applications", "row": 0, "col": 2, "text": "5\\t2"}')
    assert get_cell(report, "applications.new_requests.natural_person") == 5 and "粘贴：已改动 2 个单元格" in message
    report, label = space.undo()
    assert label == "粘贴" and get_cell(report, "applications.new_requests.natural_person") is None


def test_times_are_shown_in_beijing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XXGK_TIMEZONE", raising=False)
    assert local_time("2026-12-02T07:30:00.000+00:00") == "12-02 15:30:00"
    monkeypatch.setenv("XXGK_TIMEZONE", "UTC")
    assert local_time("2026-12-02T07:30:00.000+00:00") == "12-02 07:30:00"
