"""The drafting scorecard (`xxgk eval-drafting`): the offline drafter's scores are pinned as a regression floor."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.drafting import Drafter, load_settings
from assistant.drafting.results import DraftResult
from assistant.drafting.scorecard import load_cases, run_scorecard, score_part, summary

# (case, part) → the offline drafter's score when pinned; a change below it is a regression.
FLOOR: dict[tuple[str, str], float] = {
    ("county", "overview"): 100, ("county", "problems"): 100, ("county", "improvements"): 100,
    ("county", "other_matters"): 100,
    ("department", "overview"): 100, ("department", "problems"): 100, ("department", "improvements"): 100,
    ("department", "other_matters"): 100,
    # The township's notes copy a sentence of last year's report word for word: X9 flags it.
    ("township", "overview"): 90, ("township", "problems"): 100, ("township", "improvements"): 100,
    ("township", "other_matters"): 100,
}
runner = CliRunner()


def test_the_cases_cover_three_kinds_of_body_with_and_without_last_year() -> None:
    cases = {c.name: c for c in load_cases()}
    assert set(cases) == {"department", "township", "county"}
    assert cases["department"].report.body_type == "department" and cases["department"].previous is None
    assert cases["township"].previous is not None and cases["county"].previous is not None
    assert cases["county"].report.body_type == "government"


def test_offline_scores_hold_the_pinned_floor() -> None:
    scores = run_scorecard(Drafter(load_settings(offline=True)))
    got = {(s.case, s.part): s.score for s in scores}
    assert set(got) == set(FLOOR)
    low = {k: (v, FLOOR[k]) for k, v in got.items() if v < FLOOR[k]}
    assert not low, low
    township = next(s for s in scores if (s.case, s.part) == ("township", "overview"))
    assert township.stale == 1 and township.covered == township.facts


def test_a_bad_draft_scores_low_on_what_is_wrong() -> None:
    case = next(c for c in load_cases() if c.name == "department")
    bad = "## 存在问题\n**我们**觉得挺好的，没啥问题。We did great. 全年收到申请9件。"
    s = score_part(case, DraftResult("problems", bad, "llm"))
    assert s.covered == 0 and s.structure_ok == 0 and s.score < 40
    assert set(s.register) == {"Markdown 标记", "英文", "第一人称", "口语"}
    assert s.untraced + s.contradictions >= 1


def test_the_command_prints_a_table_and_json() -> None:
    result = runner.invoke(app, ["eval-drafting", "--offline", "--case", "department"])
    assert result.exit_code == 0, result.output
    assert "起草评分" in result.stdout and "平均得分：市级部门（无上年报告） 100" in result.stdout
    result = runner.invoke(app, ["eval-drafting", "--offline", "--json"])
    data = json.loads(result.stdout)
    assert len(data["parts"]) == 12 and data["summary"]["overall"] >= 95
    assert runner.invoke(app, ["eval-drafting", "--offline", "--case", "nope"]).exit_code == 2


@pytest.mark.parametrize("name", ["township", "county"])
def test_summary_averages_per_case(name: str) -> None:
    scores = run_scorecard(Drafter(load_settings(offline=True)), tuple(c for c in load_cases() if c.name == name))
    totals = summary(scores)
    assert set(totals) == {name, "overall"} and totals[name] == totals["overall"]


def test_a_part_that_fell_back_scores_zero_with_its_reason() -> None:
    case = next(c for c in load_cases() if c.name == "department")
    result = DraftResult("problems", "一是统计数据解读的通俗性不够；二是部分栏目更新不够及时。", "offline-fallback",
                         fallback_reason="模型输出不完整（结束原因：length）")
    s = score_part(case, result)
    assert s.score == 0 and s.fallback_reason == "模型输出不完整（结束原因：length）"
