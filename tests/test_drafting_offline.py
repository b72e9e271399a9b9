"""The offline drafter: every fact of the notes, no number outside notes and tables, the official structure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.drafting import PARTS, Drafter, Notes, draft_offline, guard_text, load_settings, parse_notes
from assistant.drafting.offline import drop_restated, formal, ordinal
from assistant.schema import Report, load_report, load_report_file, report_to_data, set_cells
from assistant.textnum import extract_numbers

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report() -> Report:
    return load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")


@pytest.fixture(scope="module")
def notes() -> Notes:
    return parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def drafts(report: Report, notes: Notes) -> dict[str, str]:
    return {p: draft_offline(p, notes, report) for p in PARTS}


def test_every_bullet_of_the_sample_is_in_the_draft(report: Report, notes: Notes, drafts: dict[str, str]) -> None:
    for part in PARTS:
        for bullet in notes.bullets[part]:
            # A clause restating a table figure the table sentence states is merged into it (once per part).
            body = (drop_restated([bullet], report) or [""])[0] if part == "overview" else formal(bullet)
            body = body.split("：", 1)[1] if part == "other_matters" and "：" in body[:24] else body
            assert body in drafts[part], (part, bullet)


def test_every_number_and_document_of_the_sample_appears(notes: Notes, drafts: dict[str, str]) -> None:
    for part in PARTS:
        source = notes.text(part)
        out_values = {m.value for m in extract_numbers(drafts[part])}
        for m in extract_numbers(source):
            assert m.value in out_values, (part, m.raw)
        for title in re.findall(r"《[^》]+》", source):
            assert title in drafts[part], title


def test_no_number_outside_notes_and_tables(report: Report, notes: Notes, drafts: dict[str, str]) -> None:
    for part in PARTS:
        assert guard_text(part, drafts[part], notes, report) == [], part


def test_overview_structure_and_table_sentences(drafts: dict[str, str]) -> None:
    overview = drafts["overview"]
    lines = overview.splitlines()
    assert lines[0].startswith("为保障公民、法人和其他组织依法获取政府信息") and "2022年" in lines[0]
    assert [line[:3] for line in lines[1:]] == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    assert lines[2].startswith("（二）依申请公开。")
    assert "共收到政府信息公开申请3件" in overview
    assert "予以公开1件" in overview and "不予公开1件" in overview and "无法提供1件" in overview
    assert "本年度制发行政规范性文件1件，废止1件，现行有效5件" in overview
    assert "被申请行政复议0件，被提起行政诉讼0件" in overview


def test_problems_and_improvements_are_enumerated(drafts: dict[str, str]) -> None:
    assert drafts["problems"].startswith("一是公开方式单一化")
    assert "二是政策解读形式单一" in drafts["problems"] and "三是" in drafts["problems"]
    assert drafts["improvements"].count("是") >= 3 and "三是针对信息公开业务工作水平有待提升的问题，健全培训机制" in drafts["improvements"]


def test_other_matters_start_with_the_fee_statement(drafts: dict[str, str]) -> None:
    lines = drafts["other_matters"].splitlines()
    assert lines[0] == "（一）依申请公开信息处理费收费情况。2022年，淄博市工业和信息化局未收取政府信息公开信息处理费。"
    assert lines[1].startswith("（二）本年度建议提案办理情况。")
    assert lines[2].startswith("（三）创新情况。")
    assert lines[3].startswith("（四）《2022年淄博市政务公开工作方案》落实情况。")


def test_missing_facts_become_placeholders_not_inventions(report: Report) -> None:
    notes = parse_notes(
        "# 总体情况\n## 主动公开\n- 公开信息 12 条\n# 存在问题\n- 甲问题\n- 乙问题\n# 改进情况\n- 甲措施\n"
    )
    overview = draft_offline("overview", notes, report)
    assert "【待核实：请补充政府信息管理方面的工作情况】" in overview
    assert "【待核实：请补充政府信息公开平台建设方面的工作情况】" in overview
    other = draft_offline("other_matters", notes, report)
    assert "【待核实：本年度政府信息公开信息处理费收取情况】" in other and "未收取" not in other
    improvements = draft_offline("improvements", notes, report)
    assert improvements.startswith("一是甲措施；") and "第二项问题" in improvements and "【待核实】" in improvements
    assert draft_offline("problems", Notes(), report) == "【待核实：请补充本年度政府信息公开工作存在的主要问题】"


def test_government_bodies_report_assessment(report: Report, notes: Notes) -> None:
    data = report_to_data(report)
    data["body_type"] = "government"
    gov = load_report(data)
    assert "【待核实：工作考核、社会评议和责任追究结果情况】" in draft_offline("overview", notes, gov)
    with_notes = parse_notes(
        "# 总体情况\n## 监督保障\n- 开展培训\n## 考核、社会评议和责任追究\n- 将政务公开纳入绩效考核\n"
    )
    text = draft_offline("overview", with_notes, gov)
    assert "将政务公开纳入绩效考核" in text and "考核、社会评议" not in text.split("（五）")[0]


def test_blank_cells_are_marked_not_filled(report: Report, notes: Notes) -> None:
    blank = set_cells(report, {"applications.granted.total": None})
    overview = draft_offline("overview", notes, blank)
    assert "予以公开【待核实】件" in overview
    assert guard_text("overview", overview, notes, blank) == []


def test_offline_is_deterministic_and_the_drafter_default(report: Report, notes: Notes) -> None:
    results = Drafter(load_settings()).draft_all(notes, report)
    assert {r.backend for r in results.values()} == {"offline"}
    assert all(r.findings == [] and r.usage.calls == 0 for r in results.values())
    assert results["overview"].notice is not None and "离线起草（未配置模型）" in results["overview"].notice
    assert {p: r.text for p, r in results.items()} == {p: draft_offline(p, notes, report) for p in PARTS}


@pytest.mark.parametrize(("i", "cn"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (23, "二十三")])
def test_ordinal(i: int, cn: str) -> None:
    assert ordinal(i) == cn


def test_formal_joins_digits_to_chinese() -> None:
    assert formal(" 局网站主动公开政府信息 148 条；") == "局网站主动公开政府信息148条"


def test_a_townships_assessment_notes_are_written_not_dropped() -> None:
    """考核评议 notes of a township (not only of a government) reach the draft; a missing one is asked only of a
    government (the corrected township eval case showed two facts lost)."""
    notes = parse_notes("# 总体情况\n## 监督保障\n- 镇党委专题研究政务公开2次\n## 考核评议\n- 政务公开纳入村级年度考核\n")
    township = load_report({"agency": "青山县白云镇人民政府", "body_type": "township", "year": 2025})
    assert "政务公开纳入村级年度考核" in draft_offline("overview", notes, township)
    bare = parse_notes("# 总体情况\n## 监督保障\n- 镇党委专题研究政务公开2次\n")
    assert "【待核实：工作考核" not in draft_offline("overview", bare, township)
    county = load_report({"agency": "青山县人民政府", "body_type": "government", "year": 2025})
    assert "【待核实：工作考核" in draft_offline("overview", bare, county)
