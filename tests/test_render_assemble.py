"""Assembly: title, opening paragraph, sections in order, narrative split, 【待补充】, the failed mark."""

from __future__ import annotations

from assistant.checks import CheckResult, Finding
from assistant.render import FAILED_MARK, MISSING, assemble, opening_paragraph
from assistant.schema import load_report
from assistant.schema.labels import SECTION_HEADINGS


def _kinds(doc) -> list[tuple[str, str]]:
    return [(b.kind, b.text if b.kind != "table" else b.table.id) for b in doc.blocks]


def test_order_of_the_whole_report(sample_report) -> None:
    blocks = _kinds(assemble(sample_report))
    assert blocks[0] == ("title", "淄博市工业和信息化局2022年政府信息公开工作年度报告")
    headings = [i for i, (kind, _) in enumerate(blocks) if kind == "heading1"]
    assert [blocks[i][1] for i in headings] == [h.label for h in SECTION_HEADINGS]
    assert blocks[headings[1] + 1] == ("table", "active_disclosure")
    assert blocks[headings[2] + 1] == ("table", "applications")
    assert blocks[headings[3] + 1] == ("table", "review_litigation")
    overview = blocks[headings[0] + 1: headings[1]]
    assert len(overview) == 6 and overview[1][1].startswith("（一）主动公开。")
    assert all(kind == "paragraph" for kind, _ in overview)  # 「（一）…。正文」 stays one paragraph
    five = blocks[headings[4] + 1: headings[5]]
    assert [five[0], five[2]] == [("heading2", "（一）存在问题"), ("heading2", "（二）改进情况")]
    assert len([b for b in blocks[headings[5] + 1:]]) == 4


def test_opening_paragraph(sample_data) -> None:
    report = load_report(sample_data)
    assert opening_paragraph(report) == (
        "本年度报告中所列数据的统计期限自2022年1月1日起，至2022年12月31日止。如对本报告有疑问，请与淄博市工业和信息化局联系"
        "（地址：淄博市张店区柳泉路63号；邮编：255000；电话：0533-3182068；邮箱：gxjbgs@zb.shandong.cn）。"
    )
    sample_data["contact"] = {"phone": "0533-1"}
    assert opening_paragraph(load_report(sample_data)).endswith("联系（电话：0533-1）。")
    del sample_data["contact"]
    assert opening_paragraph(load_report(sample_data)).endswith("请与淄博市工业和信息化局联系。")
    sample_data["opening"] = "导入时保留的开头段落。"
    sample_data["title"] = "淄博市工业和信息化局2022年度政府信息公开工作年度报告"
    report = load_report(sample_data)
    assert opening_paragraph(report) == "导入时保留的开头段落。"
    assert assemble(report).title == "淄博市工业和信息化局2022年度政府信息公开工作年度报告"


def test_standalone_subheadings_and_duplicate_section5_headings(sample_data) -> None:
    sample_data["narrative"] = {
        "overview": "（一）主动公开\n全年公开信息10条。\n（二）依申请公开工作情况：\n收到申请3件。",
        "problems": "（一）存在问题\n一是公开方式单一。",
        "improvements": "二、改进情况无关标题\n加强培训。",
        "other_matters": "无。",
    }
    blocks = _kinds(assemble(load_report(sample_data)))
    assert ("heading2", "（一）主动公开") in blocks and ("heading2", "（二）依申请公开工作情况：") in blocks
    assert blocks.count(("heading2", "（一）存在问题")) == 1
    assert ("paragraph", "二、改进情况无关标题") in blocks
    assert ("paragraph", "无。") in blocks


def test_missing_parts_and_failed_mark(sample_data) -> None:
    sample_data["narrative"] = {}
    del sample_data["active_disclosure"]
    failed = CheckResult(findings=[Finding(rule="R3.1", severity="error", message="总计不符"),
                                   Finding(rule="S5.1", severity="warning", message="仅警告")])
    blocks = _kinds(assemble(load_report(sample_data), failed))
    assert blocks[1] == ("mark", f"【{FAILED_MARK}：本稿有 1 个错误，仅供内部核对，修正前不得发布】")
    assert blocks[2] == ("mark", "R3.1：总计不符")
    assert ("mark", "S5.1：仅警告") not in blocks
    assert blocks.count(("paragraph", MISSING)) == 4  # 一, 五（一）, 五（二）, 六
    assert ("note", f"{MISSING}本表数据尚未填写。") in blocks
    assert assemble(load_report(sample_data), CheckResult()).failed is None
