"""X1, X3, R2.6 and X7 against last year's report or the embedded previous-year reference."""

from __future__ import annotations

import pytest

from assistant.checks import check_report
from assistant.schema import Report, load_report, report_to_data, set_cells

A = "applications"


@pytest.fixture
def previous(sample_report: Report) -> Report:
    """A consistent 2021 report of the same body: 2 new requests, nothing carried forward, 5 documents in force."""
    prev = set_cells(sample_report, {
        f"{A}.new_requests.natural_person": 2, f"{A}.new_requests.total": 2,
        f"{A}.granted.natural_person": 0, f"{A}.granted.total": 0,
        f"{A}.total_processed.natural_person": 2, f"{A}.total_processed.total": 2,
        "active_disclosure.art20_1.normative_documents.in_force": 5,
    })
    prev = prev.model_copy(update={"year": 2021})
    prev.narrative.overview = "2021年，本局依法做好政府信息公开工作。"
    prev.narrative.problems = prev.narrative.improvements = prev.narrative.other_matters = "无相同内容。"
    return prev


def test_consistent_previous_year_adds_no_findings(sample_report, previous):
    result = check_report(sample_report, previous)
    assert result.ok
    assert {f.rule for f in result.findings} == {"S5.1"}
    assert not result.notes


def test_x1_carry_over_mismatch_is_an_error(sample_report, previous):
    prev = set_cells(previous, {f"{A}.carried_forward.commercial": 1, f"{A}.carried_forward.total": 1,
                                f"{A}.new_requests.commercial": 1, f"{A}.new_requests.total": 3})
    result = check_report(sample_report, prev)
    x1 = result.by_rule("X1")
    assert {tuple(f.cells) for f in x1} == {
        (f"{A}.carried_over.commercial", f"previous.{A}.carried_forward.commercial"),
        (f"{A}.carried_over.total", f"previous.{A}.carried_forward.total"),
    }
    assert all(f.severity == "error" for f in x1)
    assert not result.ok


def test_x1_other_body_downgrades_to_warning(sample_report, previous):
    prev = set_cells(previous, {f"{A}.carried_forward.commercial": 1, f"{A}.carried_forward.total": 1})
    prev = prev.model_copy(update={"agency": "淄博市经济和信息化委员会"})
    x1 = check_report(sample_report, prev).by_rule("X1")
    assert x1 and all(f.severity == "warning" for f in x1)
    assert "机构调整" in x1[0].message


def test_x1_uses_embedded_previous_year_reference(sample_report):
    data = report_to_data(sample_report)
    data["previous_year"] = {"year": 2021, "carried_forward": {"total": 4}, "new_requests": {"total": 2}}
    x1 = check_report(load_report(data)).by_rule("X1")
    assert [f.cells[0] for f in x1] == [f"{A}.carried_over.total"]
    assert x1[0].severity == "warning"  # only the total column is known


def test_previous_of_wrong_year_is_not_assessable(sample_report, previous):
    result = check_report(sample_report, previous.model_copy(update={"year": 2019}))
    [finding] = result.by_rule("X1")
    assert finding.status == "not_assessable" and finding.actual == 2019


def test_x3_year_on_year_claim(sample_report, previous):
    prev = set_cells(previous, {f"{A}.new_requests.natural_person": 1, f"{A}.new_requests.total": 1,
                                f"{A}.total_processed.natural_person": 1, f"{A}.total_processed.total": 1})
    [finding] = check_report(sample_report, prev).by_rule("X3")
    assert (finding.expected, finding.actual) == (2, 1)
    assert "比上年增加1件" in finding.message


def test_r26_in_force_stock(sample_report, previous):
    prev = set_cells(previous, {"active_disclosure.art20_1.normative_documents.in_force": 9})
    [finding] = check_report(sample_report, prev).by_rule("R2.6")
    assert (finding.expected, finding.actual) == (9, 5)
    assert finding.severity == "warning"


def test_x7_copied_narrative(sample_report, previous):
    prev = previous.model_copy(deep=True)
    prev.narrative.overview = sample_report.narrative.overview.replace("2022年", "2021年")  # type: ignore[union-attr]
    x7 = check_report(sample_report, prev).by_rule("X7")
    assert [f.section for f in x7] == ["一、总体情况"]


def test_r26_compares_only_the_same_body(sample_report, previous):
    """Another body's in-force stock says nothing about this one's: not assessable, never a mismatch."""
    prev = set_cells(previous, {"active_disclosure.art20_1.normative_documents.in_force": 9})
    prev = prev.model_copy(update={"agency": "另一个县财政局"})
    [finding] = check_report(sample_report, prev).by_rule("R2.6")
    assert finding.status == "not_assessable" and finding.expected is None
