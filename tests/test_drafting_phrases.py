"""One number truth: the drafting guard and rule X2/R4.3 read figure phrases from one table
(``assistant.schema.phrases``) and give the same verdict on every sentence of a corpus we wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.checks import check_report
from assistant.drafting import Notes, guard_text
from assistant.schema import Report, load_report, load_report_file, report_to_data

ROOT = Path(__file__).resolve().parents[1]
CORPUS: list[dict[str, Any]] = yaml.safe_load((ROOT / "tests" / "fixtures" / "figure_phrases.yaml").read_text("utf-8"))
FIGURE_RULES = ("X2", "R4.3")


@pytest.fixture(scope="module")
def report() -> Report:
    return load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")


def with_overview(report: Report, text: str) -> Report:
    data = report_to_data(report)
    data["narrative"] = {**data.get("narrative", {}), "overview": text}
    return load_report(data)


def guard_verdict(report: Report, sentence: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.rule, tuple(f.cells)) for f in guard_text("overview", sentence, Notes(), report) if f.rule in FIGURE_RULES]


def check_verdict(report: Report, sentence: str) -> list[tuple[str, tuple[str, ...]]]:
    findings = check_report(with_overview(report, sentence)).findings
    return [(f.rule, tuple(f.cells)) for f in findings if f.rule in FIGURE_RULES and f.section == "一、总体情况"]


def test_the_corpus_is_large_and_covers_every_phrase() -> None:
    from assistant.schema.phrases import FIGURE_PHRASES

    assert len(CORPUS) >= 30
    named = {c for case in CORPUS for c in case["violates"]}
    for phrase in FIGURE_PHRASES:
        assert named & set(phrase.candidates[0]), phrase.name


@pytest.mark.parametrize("case", CORPUS, ids=[c["sentence"][:16] for c in CORPUS])
def test_guard_and_check_agree(report: Report, case: dict[str, Any]) -> None:
    sentence = case["sentence"]
    guard, check = guard_verdict(report, sentence), check_verdict(report, sentence)
    assert guard == check, sentence
    expected = [tuple(case["violates"])] if case["violates"] else []
    assert [cells for _, cells in guard] == expected, sentence


def test_a_violation_names_the_cell_and_both_numbers(report: Report) -> None:
    [finding] = [f for f in guard_text("overview", "被申请行政复议2起。", Notes(), report) if f.rule == "R4.3"]
    assert finding.cells == ["review_litigation.review.total"] and (finding.expected, finding.actual) == (0, 2)
    # the message names the printed table, row and column; the id is in ``cells`` (shown only as a detail)
    assert "「行政复议」的「总计」" in finding.message and "review_litigation" not in finding.message


def test_notes_stating_another_figure_than_the_table_are_flagged(report: Report) -> None:
    """Notes say 6 applications beside a table saying 3: the offline draft keeps the notes' clause, and the
    guard flags it with the cell instead of passing 数字核对通过."""
    from assistant.drafting import Drafter, load_settings, parse_notes

    notes = parse_notes("# 总体情况\n## 依申请公开\n- 全年共受理政府信息公开申请6件，均按时答复\n")
    result = Drafter(load_settings(offline=True)).draft_part("overview", notes, report)
    assert any(f.rule == "X2" and f.cells[0] == "applications.new_requests.total" and f.actual == 6
               for f in result.findings)
    assert "【待核实：原文为6】" in result.text
