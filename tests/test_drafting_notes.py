"""Bullet notes: Markdown headings or YAML, aliases, and errors that name the bad heading."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.drafting import Notes, NotesError, parse_notes

SAMPLE_NOTES = Path(__file__).resolve().parents[1] / "assistant" / "samples" / "sample_notes.md"


def sample() -> Notes:
    return parse_notes(SAMPLE_NOTES.read_text(encoding="utf-8"))


def test_sample_notes_have_every_part_and_topic() -> None:
    notes = sample()
    assert list(notes.parts) == ["overview", "problems", "improvements", "other_matters"]
    assert list(notes.topics) == ["主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障"]
    assert len(notes.general) == 1 and "二十大" in notes.general[0]
    assert notes.topics["平台建设"][0] == "局机关门户网站年内发布信息 246 条，访问量 506216 人次"
    assert [len(notes.bullets[p]) for p in notes.parts] == [17, 3, 3, 4]
    assert "## 主动公开" in notes.parts["overview"]
    assert "<!--" not in notes.all_text()


def test_aliases_and_numbered_headings() -> None:
    notes = parse_notes(
        "# 一、总体情况\n## （一）主动公开\n- 甲\n## 政府信息公开平台建设\n- 乙\n"
        "# 改进措施\n1. 丙\n# 其他事项\n* 丁\n"
    )
    assert notes.topics == {"主动公开": ["甲"], "平台建设": ["乙"]}
    assert notes.bullets["improvements"] == ["丙"]
    assert notes.bullets["other_matters"] == ["丁"]


def test_unknown_heading_is_named_with_accepted_ones() -> None:
    with pytest.raises(NotesError) as exc:
        parse_notes("# 总体情况\n- 甲\n# 工作亮点\n- 乙\n")
    message = str(exc.value)
    assert "第 3 行" in message and "工作亮点" in message
    for accepted in ("总体情况", "存在问题", "改进情况", "其他需要报告的事项"):
        assert accepted in message


def test_unknown_sub_heading_lists_the_five_topics() -> None:
    with pytest.raises(NotesError) as exc:
        parse_notes("# 总体情况\n## 宣传推广\n- 甲\n")
    assert "宣传推广" in str(exc.value) and "政府信息管理" in str(exc.value) and "监督保障" in str(exc.value)


def test_sub_heading_outside_overview_is_an_error() -> None:
    with pytest.raises(NotesError, match="只能用于“总体情况”"):
        parse_notes("# 存在问题\n## 主动公开\n- 甲\n")


def test_bullets_before_any_heading_are_an_error() -> None:
    with pytest.raises(NotesError, match="不在任何一级标题之下"):
        parse_notes("- 孤立的要点\n# 总体情况\n")


def test_yaml_form_reads_like_markdown() -> None:
    yaml_notes = parse_notes(
        "总体情况:\n  总体: [学习贯彻党的二十大精神]\n  主动公开:\n    - 公开信息 148 条\n"
        "存在问题: [公开方式单一]\n改进情况: 用图表解读政策\n其他需要报告的事项: [未收取信息处理费]\n"
    )
    md_notes = parse_notes(
        "# 总体情况\n- 学习贯彻党的二十大精神\n## 主动公开\n- 公开信息 148 条\n# 存在问题\n- 公开方式单一\n"
        "# 改进情况\n- 用图表解读政策\n# 其他需要报告的事项\n- 未收取信息处理费\n"
    )
    assert yaml_notes.bullets == md_notes.bullets
    assert yaml_notes.topics == md_notes.topics and yaml_notes.general == md_notes.general
    assert "148" in yaml_notes.text("overview")


def test_yaml_unknown_key_and_bad_value() -> None:
    with pytest.raises(NotesError, match="亮点"):
        parse_notes("亮点: [甲]\n")
    with pytest.raises(NotesError, match="文字或文字列表"):
        parse_notes("存在问题: {a: 1}\n")
    with pytest.raises(NotesError, match="标题分段"):
        parse_notes("只是一句话")


def test_empty_notes_are_empty() -> None:
    assert parse_notes("").is_empty()
    assert parse_notes("# 存在问题\n").bullets == {"problems": []}
