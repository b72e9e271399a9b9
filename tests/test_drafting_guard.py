"""The number guard (G1 untraceable number, X2 table figure ≠ cell), mark_unverified, extract_numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.drafting import FIXED_PHRASES, Notes, guard_text, mark_unverified, parse_notes
from assistant.drafting.guard import traceable_values
from assistant.schema import Report, load_report_file, set_cells
from assistant.textnum import extract_numbers

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report() -> Report:
    return load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")


@pytest.fixture(scope="module")
def notes() -> Notes:
    return parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- extract_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("公开政府信息 148 条", [("148", Decimal(148), "条", "arabic")]),
        ("收到申请１２件", [("１２", Decimal(12), "件", "arabic")]),
        ("较去年上升一件", [("一", Decimal(1), "件", "chinese")]),
        ("满意率均为 100%", [("100%", Decimal(100), "%", "percent")]),
        ("办结率百分之九十五", [("百分之九十五", Decimal(95), "%", "percent")]),
        ("联系 1 万余个企业", [("1 万", Decimal(10000), "个", "arabic")]),
        ("收费 2.5万元", [("2.5万", Decimal(25000), "元", "arabic")]),
        ("访问量 1,234 人次", [("1,234", Decimal(1234), "人", "arabic")]),
        ("二十三项任务", [("二十三", Decimal(23), "项", "chinese")]),
    ],
)
def test_extract_numbers(text: str, expected: list[tuple[str, Decimal, str, str]]) -> None:
    found = extract_numbers(text)
    assert [(m.raw, m.value, m.unit, m.kind) for m in found] == expected
    assert all(text[m.start : m.end] == m.raw for m in found)


@pytest.mark.parametrize("text", ["一是公开方式单一，二是进一步统一", "（一）主动公开", "三审三校", "一体化平台"])
def test_words_with_numerals_are_not_numbers(text: str) -> None:
    assert extract_numbers(text) == []


# ---------------------------------------------------------------- G1 / X2


def test_published_sample_passes_except_the_figure_missing_from_the_notes(report: Report, notes: Notes) -> None:
    for part in ("overview", "problems", "improvements"):
        assert guard_text(part, getattr(report.narrative, part), notes, report) == [], part
    findings = guard_text("other_matters", report.narrative.other_matters or "", notes, report)
    # The published text says 服务10人以上企业, a figure the sample notes leave out: the guard must see it.
    assert [(f.rule, f.actual) for f in findings] == [("G1", 10)]


def test_invented_number_is_g1_with_sentence_and_number(report: Report, notes: Notes) -> None:
    text = "局网站主动公开政府信息148条。局机关门户网站访问量达到506217人次。"
    [finding] = guard_text("overview", text, notes, report)
    assert finding.rule == "G1" and finding.severity == "error"
    assert finding.actual == 506217
    assert finding.quote == "局机关门户网站访问量达到506217人次。"
    assert "506217" in finding.message and "找不到出处" in finding.message
    assert finding.section == "一、总体情况"


def test_numbers_of_another_part_do_not_count(report: Report, notes: Notes) -> None:
    # 65 is a fact of 其他需要报告的事项, not of 存在问题.
    assert [f.actual for f in guard_text("problems", "一是有65件建议办理不及时。", notes, report)] == [65]
    assert guard_text("other_matters", "共收到建议、提案65件。", notes, report) == []


def test_table_figure_must_equal_its_cell(report: Report, notes: Notes) -> None:
    [finding] = guard_text("overview", "本年度共收到政府信息公开申请5件。", notes, report)
    assert finding.rule == "X2" and finding.expected == 3 and finding.actual == 5
    assert finding.cells[0] == "applications.new_requests.total"
    assert "一、本年新收政府信息公开申请数量" in finding.message
    assert guard_text("overview", "本年度共收到政府信息公开申请3件。", notes, report) == []


@pytest.mark.parametrize(
    ("sentence", "cell"),
    [
        ("本年度被申请行政复议2件。", "review_litigation.review.total"),
        ("提起行政诉讼1件。", "review_litigation.litigation_direct.total"),
        ("办结政府信息公开申请4件。", "applications.total_processed.total"),
        ("结转下年度继续办理2件。", "applications.carried_forward.total"),
        ("本年制发行政规范性文件3件。", "active_disclosure.art20_1.normative_documents.issued"),
    ],
)
def test_each_table_phrase_maps_to_its_cell(report: Report, notes: Notes, sentence: str, cell: str) -> None:
    # The same rule as the check: X2, or R4.3 for review and litigation.
    findings = [f for f in guard_text("overview", sentence, notes, report) if f.rule in ("X2", "R4.3")]
    assert len(findings) == 1 and cell in findings[0].cells


def test_new_plus_carried_over_is_accepted_and_other_counts_are_not_applications(notes: Notes) -> None:
    report = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    report = set_cells(report, {"applications.carried_over.total": 2})
    assert guard_text("overview", "连同上年结转，共受理政府信息公开申请5件。", notes, report) == []
    # 建议、提案 are not disclosure applications even though the clause says 收到.
    assert guard_text("other_matters", "共收到“两会”建议、提案65件。", notes, report) == []


def test_blank_cell_is_not_assessable_but_the_number_must_still_be_traced(notes: Notes) -> None:
    blank = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    blank = set_cells(blank, {"applications.granted.total": None})
    findings = guard_text("overview", "其中予以公开9件。", notes, blank)
    assert [f.rule for f in findings] == ["G1"]


@pytest.mark.parametrize("phrase", FIXED_PHRASES)
def test_every_fixed_phrase_is_allowed(report: Report, phrase: str) -> None:
    text = f"深入落实{phrase}有关要求，推进各项工作。"
    assert guard_text("problems", text, Notes(), report) == []


def test_report_year_is_allowed_other_years_are_not(report: Report) -> None:
    assert guard_text("problems", "2022年，工作有待加强。", Notes(), report) == []
    assert [f.actual for f in guard_text("problems", "2019年，工作有待加强。", Notes(), report)] == [2019]


def test_subtotals_are_traceable(report: Report) -> None:
    values = traceable_values("overview", Notes(), report)
    assert Decimal(1) in values and Decimal(3) in values and Decimal(5) in values


# ---------------------------------------------------------------- mark_unverified


def test_mark_unverified_marks_only_flagged_numbers(report: Report, notes: Notes) -> None:
    text = "局网站主动公开政府信息148条，访问量506217人次。共收到政府信息公开申请5件。"
    findings = guard_text("overview", text, notes, report)
    marked = mark_unverified(text, findings)
    assert marked == (
        "局网站主动公开政府信息148条，访问量【待核实：原文为506217】人次。共收到政府信息公开申请【待核实：原文为5】件。"
    )
    assert guard_text("overview", marked, notes, report) == []


def test_mark_unverified_without_findings_is_identity() -> None:
    assert mark_unverified("一是甲。", []) == "一是甲。"


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2, max_value=10**7))
def test_any_untraceable_figure_is_caught(n: int) -> None:
    report = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
    notes = parse_notes("# 存在问题\n- 培训 2023 人次\n")
    findings = guard_text("problems", f"一是年内开展培训{n}人次。", notes, report)
    allowed = traceable_values("problems", notes, report)
    assert bool(findings) == (Decimal(n) not in allowed)
    if findings:
        assert f"原文为{n}】" in mark_unverified(f"一是年内开展培训{n}人次。", findings)


@pytest.mark.parametrize(
    "text",
    ["1. 加强政策解读。\n2. 完善公开目录。\n13. 做好培训。", "（三）依申请公开。依法答复。", "(4)加强监督。", "一是加强解读；二是完善目录。",
     "工作要点：1.加强解读；2.完善目录。"],
)
def test_list_numbers_are_not_figures(report: Report, text: str) -> None:
    """A model's "1." "（三）" are enumerators: the guard once flagged them as untraceable figures (14.6 d)."""
    assert guard_text("problems", text, Notes(), report) == []


def test_a_decimal_at_a_line_start_is_still_a_number(report: Report) -> None:
    [finding] = guard_text("problems", "1.5万人次参与评议。", Notes(), report)
    assert finding.rule == "G1" and finding.actual == 15000
