"""疑似沿用上年数据 (X9): last year's figure where this year's belongs, or a sentence with a number carried
over word for word — flagged by the guard at drafting time and by the check, alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.checks import check_report
from assistant.drafting import Drafter, Notes, guard_text, load_settings, parse_notes
from assistant.schema import Report, load_report, load_report_file, report_to_data, set_cells

ROOT = Path(__file__).resolve().parents[1]
COPIED = "局网站全年主动公开政府信息148条。"


@pytest.fixture(scope="module")
def report() -> Report:
    return load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")


@pytest.fixture(scope="module")
def previous(report: Report) -> Report:
    """Last year's report: 7 new applications (this year 3), and a sentence this year's draft repeats."""
    data = report_to_data(set_cells(report, {"applications.new_requests.total": 7,
                                             "applications.new_requests.natural_person": 7}))
    data["year"] = report.year - 1
    data["narrative"] = {"overview": f"一、总体情况。{COPIED}"}
    return load_report(data)


def with_overview(report: Report, text: str) -> Report:
    data = report_to_data(report)
    data["narrative"] = {**data.get("narrative", {}), "overview": text}
    return load_report(data)


def test_last_years_figure_is_flagged_by_guard_and_check(report: Report, previous: Report) -> None:
    text = "本年度共收到政府信息公开申请7件。"
    guard = [f for f in guard_text("overview", text, Notes(), report, previous) if f.rule == "X9"]
    check = [f for f in check_report(with_overview(report, text), previous).findings if f.rule == "X9"]
    assert len(guard) == len(check) == 1
    for f in (guard[0], check[0]):
        assert f.cells == ["applications.new_requests.total"] and (f.expected, f.actual) == (3, 7)
        assert f.message.startswith("疑似沿用上年数据") and str(previous.year) in f.message
    # Without last year's report there is nothing to compare with: only the X2 contradiction.
    assert {f.rule for f in guard_text("overview", text, Notes(), report)} == {"X2"}


def test_this_years_figure_is_not_stale(report: Report, previous: Report) -> None:
    text = "本年度共收到政府信息公开申请3件。"
    assert guard_text("overview", text, Notes(), report, previous) == []
    assert not [f for f in check_report(with_overview(report, text), previous).findings if f.rule == "X9"]


def test_a_sentence_carried_over_word_for_word_is_flagged(report: Report, previous: Report) -> None:
    notes = parse_notes(f"# 总体情况\n## 主动公开\n- {COPIED}\n")
    guard = [f for f in guard_text("overview", COPIED, notes, report, previous) if f.rule == "X9"]
    assert len(guard) == 1 and "一字不差" in guard[0].message and guard[0].quote == COPIED
    check = [f for f in check_report(with_overview(report, COPIED), previous).findings if f.rule == "X9"]
    assert len(check) == 1 and check[0].quote == COPIED
    # A sentence without a number is not "data".
    same = "持续推进政务公开标准化规范化建设。"
    assert guard_text("overview", same, Notes(), with_overview(previous, same), with_overview(previous, same)) == []


def test_the_drafter_flags_stale_numbers_in_an_offline_draft(report: Report, previous: Report) -> None:
    notes = parse_notes(f"# 总体情况\n## 主动公开\n- {COPIED}\n")
    result = Drafter(load_settings(offline=True), previous=previous).draft_part("overview", notes, report)
    assert any(f.rule == "X9" for f in result.findings)
    assert result.findings and "【待核实" in result.text
