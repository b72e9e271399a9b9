"""Every rule breaks on a copy of the sample with the exact rule id and cells, and is silent on the sample."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.checks import check_report
from assistant.schema import Report, load_report, report_to_data, set_cells

A = "applications"


def _with_text(report: Report, part: str, old: str, new: str) -> Report:
    copy = report.model_copy(deep=True)
    text = getattr(copy.narrative, part)
    assert old in text, old
    setattr(copy.narrative, part, text.replace(old, new))
    return copy


def _failed(result, rule):
    return [f for f in result.by_rule(rule) if f.status == "fail"]


def test_clean_sample_has_no_errors_and_only_true_warnings(sample_report):
    result = check_report(sample_report)
    assert result.ok
    assert result.errors == 0
    # The only warning: section 五 does not refer back to last year's problems (spec §9.4 item 5).
    assert [f.rule for f in result.findings] == ["S5.1"]
    assert result.findings[0].status == "uncertain"
    # The doubt about the format lives in ``status``; the clerk's message carries no caveat about the spec.
    assert "尚待确认" not in result.findings[0].message and "格式是否" not in result.findings[0].message
    assert any("跨年度" in n for n in result.notes)


CELL_CASES = [
    # R3.1: carried_forward breaks 新收+结转 = 办结+结转下年 in the 自然人 column (and the row total, R3.3)
    ({f"{A}.carried_forward.natural_person": 1, f"{A}.carried_forward.total": 1}, "R3.1",
     {f"{A}.new_requests.natural_person", f"{A}.carried_forward.natural_person"}),
    # R3.2: a leaf changes without its （七）总计
    ({f"{A}.rejected_duplicate.research": 1, f"{A}.rejected_duplicate.total": 1}, "R3.2",
     {f"{A}.total_processed.research", f"{A}.rejected_duplicate.research"}),
    # R3.3: the 总计 column disagrees with the applicant columns
    ({f"{A}.granted.total": 2}, "R3.3", {f"{A}.granted.total", f"{A}.granted.natural_person"}),
    # R4.1: a group total disagrees with its parts
    ({"review_litigation.litigation_direct.corrected": 1}, "R4.1",
     {"review_litigation.litigation_direct.total", "review_litigation.litigation_direct.corrected"}),
]


@pytest.mark.parametrize(("change", "rule", "cells"), CELL_CASES, ids=[c[1] for c in CELL_CASES])
def test_planted_table_error_is_caught(sample_report, change, rule, cells):
    result = check_report(set_cells(sample_report, change))
    failed = _failed(result, rule)
    assert failed, result.findings
    assert all(f.severity == "error" for f in failed)
    assert any(cells <= set(f.cells) for f in failed)
    assert not result.ok


def test_r31_message_matches_contract_shape(sample_report):
    report = set_cells(sample_report, {f"{A}.carried_forward.total": 1})
    [finding] = [f for f in _failed(check_report(report), "R3.1") if f.cells[0].endswith(".total")]
    assert finding.cells == [f"{A}.new_requests.total", f"{A}.carried_over.total",
                             f"{A}.total_processed.total", f"{A}.carried_forward.total"]
    assert (finding.expected, finding.actual) == (3, 4)
    assert "「总计」列" in finding.message and "本年新收" in finding.message


def test_blank_cell_is_not_assessable_never_silent(sample_report):
    result = check_report(set_cells(sample_report, {f"{A}.granted.natural_person": None}))
    blanks = result.by_rule("R3.5")
    assert [f.cells for f in blanks] == [[f"{A}.granted.natural_person"]]
    r32 = [f for f in result.by_rule("R3.2") if f"{A}.granted.natural_person" in f.cells]
    assert r32 and r32[0].status == "not_assessable" and r32[0].severity == "warning"
    assert "无法核验" in r32[0].message


def test_blank_quotes_raw_text(sample_report):
    data = report_to_data(set_cells(sample_report, {"review_litigation.review.pending": None}))
    data["raw_cells"] = {"review_litigation.review.pending": "/"}
    [finding] = check_report(load_report(data)).by_rule("R3.5")
    assert "“/”" in finding.message and "尚未审结" in finding.message


def test_partial_document_is_checked_without_crashing():
    report = load_report({"year": 2023, "agency": "某局", "applications": {
        "new_requests": {"natural_person": 2, "total": 2}, "granted": {"natural_person": 2, "total": 2}}})
    result = check_report(report)
    x6 = result.by_rule("X6")
    assert any("二、主动公开政府信息情况" in f.message for f in x6)
    assert any("缺少" in f.message and f"{A}.carried_forward.total" in f.cells for f in x6)
    assert all(f.status == "not_assessable" for f in result.by_rule("R3.1"))
    assert not result.ok


def test_r23_fee_implausibly_large(sample_report):
    report = set_cells(sample_report, {"active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan": 251000})
    [finding] = check_report(report).by_rule("R2.3")
    assert finding.cells == ["active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan"]


def test_r24_regulations_for_a_department(sample_report):
    report = set_cells(sample_report, {"active_disclosure.art20_1.regulations.in_force": 6})
    [finding] = check_report(report).by_rule("R2.4")
    assert finding.cells == ["active_disclosure.art20_1.regulations.in_force"]
    government = report.model_copy(update={"body_type": "government"})
    assert not check_report(government).by_rule("R2.4")


def test_r25_issued_more_than_in_force_and_repealed(sample_report):
    report = set_cells(sample_report, {"active_disclosure.art20_1.normative_documents.issued": 9})
    [finding] = check_report(report).by_rule("R2.5")
    assert "active_disclosure.art20_1.normative_documents.issued" in finding.cells
    assert finding.actual == 9


def test_x2_prose_disagrees_with_table(sample_report):
    report = _with_text(sample_report, "overview", "依申请公开3件", "依申请公开5件")
    [finding] = check_report(report).by_rule("X2")
    assert finding.cells == [f"{A}.new_requests.total"]
    assert (finding.expected, finding.actual) == (3, 5)
    assert finding.section == "一、总体情况" and "依申请公开5件" in (finding.quote or "")
    assert "，" in (finding.quote or "")  # the clerk's own punctuation is quoted back


def test_x2_ignores_suggestions_and_proposals(sample_report):
    # “收到建议、提案65件” is not about information-disclosure applications.
    assert not check_report(sample_report).by_rule("X2")


def test_r43_review_count_in_prose(sample_report):
    report = _with_text(sample_report, "other_matters", "（三）创新情况。", "（三）本年度发生行政复议2件。（四）创新情况。")
    [finding] = check_report(report).by_rule("R4.3")
    assert finding.cells == ["review_litigation.review.total"] and finding.actual == 2
    filing = _with_text(sample_report, "other_matters", "（三）创新情况。", "（三）规范性文件备案审查行政复议2件。")
    assert not check_report(filing).by_rule("R4.3")


def test_r36_prose_says_no_applications(sample_report):
    report = _with_text(sample_report, "overview", "共收到并办理依申请公开3件", "未收到政府信息公开申请")
    assert [f.rule for f in check_report(report).findings if f.rule == "R3.6"] == ["R3.6"]


def test_r36_zero_counts_of_other_rows_are_not_a_claim(sample_report):
    # A regression: “上年结转…申请0件” and “被申请行政复议0件” were read as “no applications received”.
    report = _with_text(sample_report, "overview", "共收到并办理依申请公开3件",
                        "共收到政府信息公开申请3件，上年结转政府信息公开申请0件；本年度被申请行政复议0件")
    assert not check_report(report).by_rule("R3.6")


def test_r37_fee_notice_without_fee_statement(sample_report):
    report = set_cells(sample_report, {
        f"{A}.other_fee_unpaid.natural_person": 1, f"{A}.other_fee_unpaid.total": 1,
        f"{A}.unavailable_not_held.natural_person": 0, f"{A}.unavailable_not_held.total": 0})
    report = _with_text(report, "other_matters", "（一）依申请公开信息处理费收费情况。2022年，本局未收取政府信息公开信息处理费。\n", "")
    result = check_report(report)
    assert result.ok
    assert [f.cells for f in result.by_rule("R3.7")] == [[f"{A}.other_fee_unpaid.total"]]
    assert result.by_rule("S6.1")


def test_p1_parts_exceed_total_is_an_error(sample_report):
    report = _with_text(sample_report, "other_matters", "政协委员提案40件", "政协委员提案50件")
    [finding] = check_report(report).by_rule("P1")
    assert finding.severity == "error" and (finding.expected, finding.actual) == (65, 75)
    under = _with_text(sample_report, "other_matters", "政协委员提案40件", "政协委员提案30件")
    [finding] = check_report(under).by_rule("P1")
    assert finding.severity == "warning" and finding.status == "uncertain"


def test_s11_overview_missing_a_topic(sample_report):
    report = sample_report.model_copy(deep=True)
    report.narrative.overview = "2022年，本局认真做好主动公开工作，及时答复依申请公开。"
    [finding] = check_report(report).by_rule("S1.1")
    assert "政府信息管理" in finding.message and "监督保障" in finding.message


def test_s12_government_report_needs_assessment(sample_report):
    report = sample_report.model_copy(update={"body_type": "government"})
    assert check_report(report).by_rule("S1.2")
    assert not check_report(sample_report).by_rule("S1.2")


def test_s6_other_matters_only_wu(sample_report):
    report = sample_report.model_copy(deep=True)
    report.narrative.other_matters = "无。"
    rules = {f.rule for f in check_report(report).findings}
    assert {"S6.1", "S6.2"} <= rules


def test_x4_year_mismatch(sample_report):
    report = _with_text(sample_report, "other_matters", "《2022年淄博市政务公开工作方案》", "《2021年淄博市政务公开工作方案》")
    [finding] = check_report(report).by_rule("X4")
    assert finding.severity == "error" and (finding.expected, finding.actual) == (2022, 2021)
    opening = sample_report.model_copy(update={"opening": "本报告统计期限自2021年1月1日起至2021年12月31日止。"})
    assert _failed(check_report(opening), "X4")
    titled = sample_report.model_copy(update={"title": "淄博市工业和信息化局2021年政府信息公开工作年度报告"})
    assert _failed(check_report(titled), "X4")


def test_x4_old_format_for_new_year():
    report = load_report({"format": "2019", "year": 2022, "agency": "某局"})
    assert any("2019 年试行格式" in f.message for f in check_report(report).by_rule("X4"))


def test_x5_late_publication(sample_report):
    late = sample_report.model_copy(update={"published_on": date(2023, 2, 3)})
    [finding] = check_report(late).by_rule("X5")
    assert finding.expected == "2023-01-31"
    on_time = sample_report.model_copy(update={"published_on": date(2023, 1, 20)})
    assert not check_report(on_time).by_rule("X5")


def test_x6_missing_table_and_narrative(sample_report):
    report = sample_report.model_copy(update={"review_litigation": None})
    report.narrative.improvements = ""
    x6 = check_report(report).by_rule("X6")
    assert len(x6) == 2 and all(f.severity == "error" for f in x6)


def test_p1_a_comparison_after_the_parts_is_not_a_part(sample_report):
    # A regression (false alarm): “比上年增加1件” was added to the parts, giving 4 > 3.
    text = "全年共收到政府信息公开申请3件，其中通过网络提交2件、通过邮件提交1件，比上年增加1件，均依法作出答复。"
    report = sample_report.model_copy(deep=True)
    report.narrative.overview = (report.narrative.overview or "") + "\n" + text
    assert not check_report(report).by_rule("P1")
    wrong = text.replace("邮件提交1件", "邮件提交2件")
    report.narrative.overview = (sample_report.narrative.overview or "") + "\n" + wrong
    [finding] = check_report(report).by_rule("P1")
    assert (finding.expected, finding.actual) == (3, 4)


def test_a_signed_change_cell_of_the_2019_format_takes_its_sign() -> None:
    """本年增/减 is signed: ``+2`` is its value (no R3.4); ``+2件`` is faulted for its unit, not its sign."""
    cell = "active_disclosure.art20_5.admin_licensing.change"
    base = {"agency": "某县人民政府", "year": 2020, "format": "2019"}
    plain = check_report(load_report({**base, "raw_cells": {cell: "+2"}}))
    assert not [f for f in plain.findings if f.rule == "R3.4" and f.cells == [cell]]
    unit = check_report(load_report({**base, "raw_cells": {cell: "+2件"}}))
    [found] = [f for f in unit.findings if f.rule == "R3.4" and f.cells == [cell]]
    assert "带有单位" in found.message and "整数（可带正负号）" in found.message and "正负号；" not in found.message
