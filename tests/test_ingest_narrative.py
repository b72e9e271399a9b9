"""Prose of a published report: headings and their aliases, section 五 split, contact, artefacts."""

from __future__ import annotations

from assistant.ingest.narrative import find_headings, read_prose, split_section5, squeeze


def test_headings_with_aliases_and_table_rows_that_look_like_headings() -> None:
    lines = [
        "一、总体情况", "正文", "二、行政机关主动公开政府信息情况", "三、行政机关收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量", "三、本年度办理结果", "四、结转下年度继续办理",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "五、政府信息公开工作存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert find_headings(lines) == {"一": 0, "二": 2, "三": 3, "四": 7, "五": 8, "六": 9}


def test_markdown_and_bold_headings() -> None:
    assert find_headings(["## 一、总体情况", "**二、主动公开政府信息情况**"]) == {"一": 0, "二": 1}


def test_section5_subheading_variants() -> None:
    notes: list[str] = []
    problems, improvements = split_section5(
        ["（一）存在的主要问题", "一是解读不够。", "（二）改进措施", "一是加强解读。"], notes
    )
    assert (problems, improvements, notes) == (["一是解读不够。"], ["一是加强解读。"], [])
    problems, improvements = split_section5(["(一) 存在问题。一是少。", "（二）改进情况。一是多。"], notes)
    assert (problems, improvements) == (["一是少。"], ["一是多。"])


def test_section5_without_subheadings_split_at_the_turn_to_remedies() -> None:
    notes: list[str] = []
    problems, improvements = split_section5(["仍存在一些不足。", "下一步，我们将加强培训。"], notes)
    assert (problems, improvements) == (["仍存在一些不足。"], ["下一步，我们将加强培训。"])
    assert notes and "按" in notes[0]
    notes.clear()
    problems, improvements = split_section5(["仍存在一些不足，也有改进。"], notes)
    assert (problems, improvements) == (["仍存在一些不足，也有改进。"], [])
    assert notes and "无法区分" in notes[0]


def test_pdf_artefacts_removed() -> None:
    assert squeeze("2022 年，**三是**信息 148 条；邮箱 a@b.cn") == "2022年，三是信息148条；邮箱a@b.cn"
    assert squeeze("Hello world") == "Hello world"


def test_contact_title_year_and_wrapped_lines() -> None:
    text = "\n".join([
        "某市统计局", "2023年政府信息公开工作年度报告",
        "本报告统计期限自2023年1月1日至2023年12月31日。如有疑问请与某市统计局联系（地址：某市人民",
        "路 8 号，邮政编码：100000，联系电话：010-12345678，电子邮箱：tj@example.cn）。",
        "一、总体情况", "本年度主动公开信息", "", "100条。", "（一）主动公开。略。",
    ])
    prose = read_prose(text, rejoin=True)
    assert (prose.agency, prose.year, prose.period_year) == ("某市统计局", 2023, 2023)
    assert prose.contact == {"address": "某市人民路8号", "postcode": "100000", "phone": "010-12345678", "email": "tj@example.cn"}
    assert prose.narrative["overview"] == "本年度主动公开信息100条。\n（一）主动公开。略。"


def test_agency_from_contact_sentence_when_title_has_none() -> None:
    prose = read_prose("2021年政府信息公开工作年度报告\n统计期限自2021年1月1日起。请与某县教育局联系。\n一、总体情况\n略。", True)
    assert prose.year == 2021 and prose.agency == "某县教育局"
