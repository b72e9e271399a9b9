"""The table reader on variations of the seed's layout: what it reads, and what it refuses to guess."""

from __future__ import annotations

from corpus import OWN_REPORT_TEXT

from assistant.ingest import parse_text
from assistant.schema import get_cell

SEED = OWN_REPORT_TEXT  # our sample in a published report's text layout (tests/corpus.py)
OTHER_ROWS = ("other_no_correction", "other_fee_unpaid", "other_misc")


def seed() -> str:
    return SEED.read_text(encoding="utf-8")


def replace_line(text: str, startswith: str, new: str) -> str:
    lines = text.split("\n")
    hits = [i for i, ln in enumerate(lines) if ln.lstrip("\t ").startswith(startswith)]
    assert len(hits) == 1, (startswith, hits)
    lines[hits[0]] = new
    return "\n".join(lines)


def collapse_other(text: str, values: str) -> str:
    text = replace_line(text, "(六) 其他处理", f"(六) 其他处理\t\t{values}")
    text = replace_line(text, "2. 申请人逾期未按收费通知", "")
    return replace_line(text, "3. 其他\t", "")


def test_collapsed_other_row_with_counts_leaves_the_sub_rows_blank() -> None:
    text = collapse_other(seed(), "1\t0\t0\t0\t0\t0\t1")
    text = text.replace("(七) 总计\t\t3\t0\t0\t0\t0\t0\t3", "(七) 总计\t\t4\t0\t0\t0\t0\t0\t4")
    outcome = parse_text(text)
    report = outcome.report
    for row in OTHER_ROWS:
        assert get_cell(report, f"applications.{row}.natural_person") is None
        assert report.raw_cells[f"applications.{row}.natural_person"] == "（六）其他处理合计 1"
    messages = " ".join(i.message for i in outcome.issues)
    assert "合并成了一行" in messages and "无法拆分" in messages


def test_collapsed_other_row_of_zeros_gives_zero_sub_rows() -> None:
    report = parse_text(collapse_other(seed(), "0\t0\t0\t0\t0\t0\t0")).report
    assert all(get_cell(report, f"applications.{row}.total") == 0 for row in OTHER_ROWS)


def test_note_inside_a_cell_is_not_guessed() -> None:
    text = replace_line(seed(), "行政规范性文件\t", "行政规范性文件\t1（其中修订1件）\t1\t5")
    outcome = parse_text(text)
    cid = "active_disclosure.art20_1.normative_documents.issued"
    assert get_cell(outcome.report, cid) is None
    assert outcome.report.raw_cells[cid] == "1（其中修订1件）"
    assert get_cell(outcome.report, "active_disclosure.art20_1.normative_documents.in_force") == 5
    assert any(i.cell == cid and i.rule == "R3.4" for i in outcome.issues)


def test_yuan_typed_into_the_wan_yuan_cell_is_kept_raw() -> None:
    text = replace_line(seed(), "行政事业性收费\t", "行政事业性收费\t251000元")
    outcome = parse_text(text)
    cid = "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan"
    assert get_cell(outcome.report, cid) is None
    assert outcome.report.raw_cells[cid] == "251000元"


def test_inserted_subtotal_row_is_ignored_and_reported() -> None:
    text = replace_line(seed(), "(三) 不予公开", "(三) 不予公开\t小计\t1\t0\t0\t0\t0\t0\t1\n\t\t1. 属于国家秘密\t0\t0\t0\t0\t0\t0\t0")
    outcome = parse_text(text)
    assert get_cell(outcome.report, "applications.denied_state_secret.total") == 0
    assert get_cell(outcome.report, "applications.denied_process_info.total") == 1
    assert any("小计" in i.message or "分组标题" in i.message for i in outcome.issues)


def test_row_with_an_extra_column_is_left_blank() -> None:
    text = replace_line(seed(), "二、上年结转", "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t0")
    outcome = parse_text(text)
    assert get_cell(outcome.report, "applications.carried_over.total") is None
    assert any("比规定的列数多" in i.message for i in outcome.issues)


def test_missing_row_is_named() -> None:
    text = replace_line(seed(), "7. 属于行政执法案卷", "")
    outcome = parse_text(text)
    assert outcome.report.applications is not None and outcome.report.applications.denied_enforcement_file is None
    assert any("7.属于行政执法案卷" in i.message and i.rule == "X6" for i in outcome.issues)


def test_full_width_digits_and_blank_markers() -> None:
    text = replace_line(seed(), "规章\t", "规章\t０\t—\t/")
    report = parse_text(text).report
    assert get_cell(report, "active_disclosure.art20_1.regulations.issued") == 0
    assert get_cell(report, "active_disclosure.art20_1.regulations.repealed") is None
    assert report.raw_cells["active_disclosure.art20_1.regulations.repealed"] == "—"
    assert report.raw_cells["active_disclosure.art20_1.regulations.in_force"] == "/"


def test_review_table_printed_one_row_per_group() -> None:
    text = seed()
    start = text.index("四、政府信息公开行政复议、行政诉讼情况")
    end = text.index("五、存在的主要问题及改进情况")
    transposed = "\n".join([
        "四、政府信息公开行政复议、行政诉讼情况",
        "| 类别 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 行政复议 | 2 | 1 | 0 | 1 | 4 |",
        "| 行政诉讼 未经复议直接起诉 | 0 | 0 | 1 | 0 | 1 |",
        "| 行政诉讼 复议后起诉 | 1 | 0 | 0 | 0 | 1 |",
        "",
    ])
    report = parse_text(text[:start] + transposed + text[end:]).report
    assert report.review_litigation is not None
    assert report.review_litigation.model_dump() == {
        "review": {"upheld": 2, "corrected": 1, "other_result": 0, "pending": 1, "total": 4},
        "litigation_direct": {"upheld": 0, "corrected": 0, "other_result": 1, "pending": 0, "total": 1},
        "litigation_after_review": {"upheld": 1, "corrected": 0, "other_result": 0, "pending": 0, "total": 1},
    }


def test_the_issue_examples_of_flattened_rows() -> None:
    text = replace_line(seed(), "一、本年新收", "一、本年新收政府信息公开申请数量640020470")
    text = replace_line(text, "行政许可\t", "行政许可3960181")
    outcome = parse_text(text)
    new = outcome.report.applications.new_requests  # type: ignore[union-attr]
    assert new is not None and new.model_dump() == {
        "natural_person": 64, "commercial": 0, "research": 0, "public_interest": 2, "legal_service": 0,
        "other_org": 4, "total": 70,
    }
    assert any(i.rule == "FLAT" and "640020470" in i.message for i in outcome.issues)
    # one column in the 2021 format: the digits are the whole value, nothing to split
    assert get_cell(outcome.report, "active_disclosure.art20_5.admin_licensing.decisions") == 3960181


def test_flattened_row_with_three_free_columns_stays_blank() -> None:
    text = "\n".join([
        "某镇人民政府2020年政府信息公开工作年度报告", "一、总体情况", "略。", "二、主动公开政府信息情况",
        "第二十条第（五）项", "信息内容上一年项目数量本年增/减处理决定数量", "行政许可3960181", "其他对外管理服务事项000",
        "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "略。",
    ])
    outcome = parse_text(text)
    assert outcome.version == "2019"
    cid = "active_disclosure.art20_5.admin_licensing.decisions"
    assert get_cell(outcome.report, cid) is None and outcome.report.raw_cells[cid] == "3960181"
    assert any(i.rule == "FLAT" and "11 种拆分" in i.message for i in outcome.issues)
    assert get_cell(outcome.report, "active_disclosure.art20_5.other_external_services.change") == 0
