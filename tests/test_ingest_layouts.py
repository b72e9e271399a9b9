"""Layouts publishers really produce (issue 13), on fixtures we write: read exactly, or left blank and said so.

The fixtures in ``tests/fixtures/layouts/`` are made from our own ``one_cell_per_line.txt`` (synthetic
numbers) by ``make_layouts.py``; each test names the cells that differ from ``county_2023.expected.yaml``.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.checks import check_report
from assistant.ingest import ParseError, audit, parse_file, parse_text
from assistant.schema import iter_cells, load_report

FIXTURES = Path(__file__).parent / "fixtures"
LAYOUTS = FIXTURES / "layouts"
NORMATIVE = "active_disclosure.art20_1.normative_documents"
SLASH = "applications.denied_state_secret.research"  # printed as “/” in every layout: blank, never 0


def expected_cells() -> dict[str, Any]:
    data = yaml.safe_load((FIXTURES / "county_2023.expected.yaml").read_text(encoding="utf-8"))
    cells = dict(iter_cells(load_report(data)))
    cells[SLASH] = None
    return cells


def cells_of(report: Any) -> dict[str, Any]:
    return dict(iter_cells(report))


def test_tab_row_with_blank_last_cells_keeps_its_columns() -> None:
    """``行政规范性文件\\t2\\t\\t``: the trailing tabs are cells, 2 is 本年制发件数 (it was read as blank before)."""
    outcome = parse_file(LAYOUTS / "tabs_trailing_blank.txt")
    want = expected_cells()
    want[f"{NORMATIVE}.repealed"] = want[f"{NORMATIVE}.in_force"] = None
    assert cells_of(outcome.report) == want
    assert {i.cell for i in outcome.issues if i.rule == "R3.5"} == {SLASH, f"{NORMATIVE}.repealed", f"{NORMATIVE}.in_force"}


def test_short_tab_row_is_never_split_without_arithmetic() -> None:
    """``行政规范性文件\\t214``: 2/1/4, 21/4, 214 … section 二 has no arithmetic, so nothing is guessed."""
    outcome = parse_file(LAYOUTS / "tabs_short_row.txt")
    want = expected_cells()
    for col in ("issued", "repealed", "in_force"):
        want[f"{NORMATIVE}.{col}"] = None
    assert cells_of(outcome.report) == want
    assert outcome.report.raw_cells[f"{NORMATIVE}.issued"] == "214"
    flat = [i for i in outcome.issues if i.rule == "FLAT"]
    assert len(flat) == 1 and "没有勾稽关系" in flat[0].message
    claims = [n for n in outcome.report.parse_notes if "拆分" in n and not n.startswith("未能读取")]
    assert not claims  # nothing was split, so no split is claimed
    assert any(n.startswith("未能读取") and "214" in n for n in outcome.report.parse_notes)


def test_separated_cells_of_a_section2_row_are_not_split_into_digits() -> None:
    """The issue's example: 123 with blanks after it, and a one-per-line row missing a cell."""
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    head, tail = text.split("行政规范性文件\n2\n1\n14\n", 1)
    outcome = parse_text(head + "行政规范性文件\n12\n5\n" + tail)
    for col in ("issued", "repealed", "in_force"):
        assert cells_of(outcome.report)[f"{NORMATIVE}.{col}"] is None
    assert outcome.report.raw_cells[f"{NORMATIVE}.issued"] == "12 5"


def test_all_zero_run_is_the_only_reading_and_says_why() -> None:
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    head, tail = text.split("规章\n0\n0\n0\n", 1)
    outcome = parse_text(head + "规章000\n" + tail)
    assert [cells_of(outcome.report)[f"active_disclosure.art20_1.regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert any("数字位数只允许这一种读法" in n for n in outcome.report.parse_notes)


def test_subtotal_column_is_mapped_by_the_header() -> None:
    """Eight numbers per row (小计 after 其他): 总计 is the last one, never the 小计; no false R3.3."""
    outcome = parse_file(LAYOUTS / "subtotal_column.txt")
    assert cells_of(outcome.report) == expected_cells()
    assert any("小计" in n and "第 7 个数" in n for n in outcome.report.parse_notes)
    assert not [f for f in check_report(outcome.report).findings if f.rule == "R3.3" and f.severity == "error"]


def test_subtotal_that_disagrees_is_reported() -> None:
    text = (LAYOUTS / "subtotal_column.txt").read_text(encoding="utf-8")
    text = text.replace("一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n9\n34", "一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n8\n34")
    outcome = parse_text(text)
    assert cells_of(outcome.report)["applications.new_requests.total"] == 34
    assert any("小计”列为 8" in i.message for i in outcome.issues)


def test_stray_number_after_a_one_per_line_row_voids_the_row() -> None:
    """An eighth number with no 小计 in the header: the row's cells cannot be placed, so none is kept."""
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    text = text.replace("一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n34", "一、本年新收政府信息公开申请数量\n25\n6\n0\n1\n2\n0\n9\n34")
    outcome = parse_text(text)
    row = {c: v for c, v in cells_of(outcome.report).items() if c.startswith("applications.new_requests.")}
    assert set(row.values()) == {None}
    assert any("比规定的列数多" in i.message for i in outcome.issues)


def test_excerpt_without_title_takes_year_and_agency_from_the_body() -> None:
    outcome = parse_file(LAYOUTS / "no_title.txt")
    assert (outcome.report.year, outcome.report.agency) == (2023, "青河县自然资源局")
    assert cells_of(outcome.report) == expected_cells()


def test_year_first_title() -> None:
    outcome = parse_file(LAYOUTS / "year_first_title.txt")
    assert (outcome.report.year, outcome.report.agency) == (2023, "青河县自然资源局")
    assert cells_of(outcome.report) == expected_cells()


def expected_narrative() -> Any:
    data = yaml.safe_load((FIXTURES / "county_2023.expected.yaml").read_text(encoding="utf-8"))
    return load_report(data).narrative


def test_value_pipe_one_cell_per_line() -> None:
    """``规章 |`` / ``0 |``: one cell per line, each closed by a pipe."""
    outcome = parse_file(LAYOUTS / "pipe_cells.txt")
    assert cells_of(outcome.report) == expected_cells()
    assert outcome.report.narrative == expected_narrative()


def test_label_and_value_on_one_pipe_line() -> None:
    text = (LAYOUTS / "pipe_cells.txt").read_text(encoding="utf-8")
    text = text.replace("行政规范性文件 |\n2 |\n", "行政规范性文件 | 2 |\n").replace("自然人 |\n", "自然人 | ")
    assert cells_of(parse_text(text).report) == expected_cells()


def test_whole_report_on_one_line() -> None:
    """The body copied as one line: rows split at the official labels, sections at their headings."""
    outcome = parse_file(LAYOUTS / "one_line.txt")
    assert (outcome.report.agency, outcome.report.year) == ("青河县自然资源局", 2023)
    assert cells_of(outcome.report) == expected_cells()
    assert outcome.report.narrative.problems == expected_narrative().problems
    assert outcome.report.narrative.improvements == expected_narrative().improvements
    assert any("同一行" in i.message for i in outcome.issues)


def test_one_line_with_cells_glued_together() -> None:
    """No spaces at all inside the tables: rows still split at their labels, digits by the arithmetic."""
    text = (LAYOUTS / "one_line.txt").read_text(encoding="utf-8")
    start, end = text.index("二、主动公开政府信息情况"), text.index("五、存在的主要问题")
    glued = text[:start] + text[start:end].replace(" ", "") + text[end:]
    outcome = parse_text(glued)
    got = cells_of(outcome.report)
    want = expected_cells()
    assert got["applications.new_requests.total"] == want["applications.new_requests.total"]
    # whatever is read is right; what could not be proven is blank with its digits kept
    wrong = {c: (want[c], v) for c, v in got.items() if v is not None and v != want[c]}
    assert not wrong
    assert all(outcome.report.raw_cells.get(c) for c, v in got.items() if v is None and c != SLASH)


def test_sub_heading_line_without_punctuation_is_not_glued_to_the_next() -> None:
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    text = text.replace("（二）改进情况\n一是规范答复文书", "（二）改进情况\n我局将规范答复文书")
    report = parse_text(text).report
    assert report.narrative.improvements == "我局将规范答复文书，加强法制审核；二是丰富解读形式，增加图解和视频解读。"
    assert report.narrative.problems == expected_narrative().problems


def test_pdf_last_page_of_indented_lines_is_not_glued_to_the_page_before() -> None:
    """``last_page_indented.pdf`` (made from the .html beside it with LibreOffice): page 2 holds only indented
    lines; measured per page they looked unindented and the first was glued to page 1's last paragraph."""
    report = parse_file(FIXTURES / "last_page_indented.pdf").report
    assert report.narrative.problems is not None and report.narrative.problems.endswith("结果公开，")
    assert report.narrative.improvements == "针对上述问题，本局将进一步完善公开目录。\n同时丰富解读形式，增加图解和视频解读。"
    assert report.narrative.other_matters == "本年度未收取信息处理费。"


def test_pdf_text_layer_and_ruled_tables_through_pdfium() -> None:
    """Our own text-layer PDF still reads every cell (the published PDFs are checked in test_ingest_parser)."""
    from assistant.ingest.pdf import read_pages

    pages = list(read_pages((FIXTURES / "sample_textlayer.pdf").read_bytes()))
    assert len(pages) == 3 and all(p.lines for p in pages)
    assert any(ln.text.startswith("规章") for p in pages for ln in p.lines)


def test_kangxi_radicals_of_print_to_pdf_read_as_the_ideographs() -> None:
    """⼀⼯⽉⽇⼈⽂ (U+2F00…) look like 一工月日人文 and matched nothing: headings, title and labels were lost."""
    outcome = parse_file(LAYOUTS / "kangxi.txt")
    assert "\u2f2f" in (LAYOUTS / "kangxi.txt").read_text(encoding="utf-8")
    assert (outcome.report.agency, outcome.report.year) == ("青河县自然资源局", 2023)
    assert cells_of(outcome.report) == expected_cells()
    assert outcome.report.narrative == expected_narrative()


def test_traditional_page_is_matched_in_simplified_and_keeps_its_characters() -> None:
    source = (LAYOUTS / "traditional.txt").read_text(encoding="utf-8")
    outcome = parse_file(LAYOUTS / "traditional.txt")
    assert cells_of(outcome.report) == expected_cells()
    assert outcome.report.agency == "青河縣自然資源局"
    lines = source.split("\n")
    problems = lines[lines.index("（一）存在問題") + 1]
    assert outcome.report.narrative.problems == problems  # 答覆 stays 答覆: the source text, not a conversion
    assert any("繁体字" in i.message for i in outcome.issues)
    assert not [i for i in outcome.issues if i.rule == "X6"]


def test_simplified_text_is_not_converted() -> None:
    from assistant.ingest.chars import to_simplified

    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8")
    [out], info = to_simplified(text)
    assert out == text and not info.converted


# ---------------------------------------------------------------- formats (issue 13.5)


def test_clerks_own_excel_sheet_is_read_by_its_labels() -> None:
    """Not our workbook template: a sheet laid out like the official tables, numbers typed as numbers."""
    outcome = parse_file(LAYOUTS / "clerk_sheet.xlsx")
    assert outcome.kind == "xlsx"
    assert (outcome.report.agency, outcome.report.year) == ("青河县自然资源局", 2023)
    assert cells_of(outcome.report) == expected_cells()


def test_legacy_word_doc_is_converted_by_libreoffice(tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice（soffice）未安装：.doc 转换无法测试")
    outcome = parse_file(FIXTURES / "county_2023.doc")  # our county report saved as Word 97–2003 by LibreOffice
    want = expected_cells()
    want[SLASH] = 0  # the .doc was made from the document itself, where this cell is 0
    assert cells_of(outcome.report) == want
    assert outcome.report.narrative == expected_narrative()
    wps = tmp_path / "county_2023.wps"  # WPS 文字 binary files share the Word 97 compound format
    wps.write_bytes((FIXTURES / "county_2023.doc").read_bytes())
    assert cells_of(parse_file(wps).report) == want


def test_doc_without_libreoffice_names_the_missing_tool(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on the path
    with pytest.raises(ParseError, match="LibreOffice"):
        parse_file(FIXTURES / "county_2023.doc")
    fake = tmp_path / "x.doc"
    fake.write_text("不是 Word 文档", encoding="utf-8")
    with pytest.raises(ParseError, match="内容不是"):
        parse_file(fake)


def test_ofd_is_refused_naming_the_format(tmp_path: Path) -> None:
    ofd = tmp_path / "report.ofd"
    with zipfile.ZipFile(ofd, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
    with pytest.raises(ParseError, match="GB/T 33190"):
        parse_file(ofd)
    summary = audit([tmp_path], workers=1)
    assert [(f.status, "OFD" in f.reason) for f in summary.files] == [("unreadable", True)]


def test_signed_and_annotated_cells_are_kept_and_named_precisely() -> None:
    """``+2`` ``--1`` ``14（其中修订3件）`` ``123500元``: raw text kept, R3.4 / R2.3 — never “为空白”."""
    outcome = parse_file(LAYOUTS / "annotated_cells.txt")
    fee = "active_disclosure.art20_8.admin_fees.fee_amount_wan_yuan"
    raws = {f"{NORMATIVE}.issued": "+2", f"{NORMATIVE}.repealed": "--1", f"{NORMATIVE}.in_force": "14（其中修订3件）",
            fee: "123500元"}
    assert {c: outcome.report.raw_cells[c] for c in raws} == raws
    want = expected_cells()
    for cid in raws:
        want[cid] = None
    assert cells_of(outcome.report) == want  # the other cells of the table are untouched
    findings = check_report(outcome.report).findings
    by_cell = {f.cells[0]: f for f in findings if f.rule in ("R3.4", "R2.3")}
    assert {c: by_cell[c].rule for c in raws} == {**dict.fromkeys(list(raws)[:3], "R3.4"), fee: "R2.3"}
    assert "正负号" in by_cell[f"{NORMATIVE}.issued"].message and "说明文字" in by_cell[f"{NORMATIVE}.in_force"].message
    blanks = [f for f in findings if f.rule == "R3.5"]
    assert not [f for f in blanks if set(f.cells) & set(raws)]


def test_pdf_title_wrapped_over_two_lines() -> None:
    """``wrapped_title.pdf`` (LibreOffice, from the .html beside it): 白水县文化和旅游局2023年政府信息公开 / 工作年度报告."""
    report = parse_file(FIXTURES / "wrapped_title.pdf").report
    assert (report.agency, report.year) == ("白水县文化和旅游局", 2023)
    assert report.title == "白水县文化和旅游局2023年政府信息公开工作年度报告"


def test_untitled_excerpt_takes_the_first_body_it_names_else_says_unrecognised() -> None:
    text = (LAYOUTS / "no_title.txt").read_text(encoding="utf-8").replace("请与青河县自然资源局联系", "请与我们联系")
    outcome = parse_text(text)
    assert outcome.report.agency == "青河县自然资源局"
    assert any("机关名称取自正文" in i.message for i in outcome.issues)
    anonymous = parse_text(text.replace("青河县自然资源局", "本局"))
    assert anonymous.report.agency == "（未识别机关）"
    assert any("未能识别发布机关名称" in i.message for i in anonymous.issues)
    assert anonymous.report.body_type is None  # nothing to infer it from


def test_section2_columns_in_another_order_map_by_header_and_say_so() -> None:
    text = (LAYOUTS / "tabs_trailing_blank.txt").read_text(encoding="utf-8")
    header = "信息内容\n本年制发件数\n本年废止件数\n现行有效件数"
    assert header in text
    text = text.replace(header, "信息内容\n现行有效件数\n本年制发件数\n本年废止件数")
    text = text.replace("规章\t0\t0\t0", "规章\t5\t0\t0").replace("行政规范性文件\t2\t\t", "行政规范性文件\t14\t2\t1")
    outcome = parse_text(text)
    cells = cells_of(outcome.report)
    assert [cells[f"{NORMATIVE}.{c}"] for c in ("issued", "repealed", "in_force")] == [2, 1, 14]
    assert cells["active_disclosure.art20_1.regulations.in_force"] == 5
    assert any("列顺序与规定不同" in n for n in outcome.report.parse_notes)


def test_2019_row_one_cell_per_line_with_a_missing_cell_is_not_split() -> None:
    """2019 trial format, one cell per line, a cell missing: 12 is never read as 1 and 2."""
    text = "\n".join([
        "某镇人民政府2020年政府信息公开工作年度报告", "一、总体情况", "略。", "二、主动公开政府信息情况",
        "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量", "行政许可", "12", "5",
        "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "略。",
    ])
    outcome = parse_text(text)
    row = {c: v for c, v in cells_of(outcome.report).items() if c.startswith("active_disclosure.art20_5.admin_licensing.")}
    assert outcome.version == "2019" and row and set(row.values()) == {None}
    assert all(outcome.report.raw_cells[c] == "12 5" for c in row)


def test_subtotal_column_in_an_html_table_is_mapped_by_the_header() -> None:
    outcome = parse_file(LAYOUTS / "subtotal_column.html")
    want = expected_cells()
    want[SLASH] = 0  # made from the document itself (make_layouts.subtotal_html), where this cell is 0
    assert cells_of(outcome.report) == want
    assert any("第 7 个数为小计" in n for n in outcome.report.parse_notes)
    assert not [f for f in check_report(outcome.report).findings if f.severity == "error"]


def test_excerpt_year_from_the_end_of_the_period_or_from_the_body() -> None:
    text = (LAYOUTS / "no_title.txt").read_text(encoding="utf-8")
    assert "统计期限自2023年1月1日起至2023年12月31日止" in text
    ended = text.replace("统计期限自2023年1月1日起至2023年12月31日止", "统计数据截至2023年12月31日")
    assert parse_text(ended).report.year == 2023
    bodied = text.replace("本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。", "")
    outcome = parse_text(bodied)
    assert outcome.report.year == 2023  # “2023年，青河县自然资源局坚持……” opens section 一
    assert any("年度取自正文" in i.message for i in outcome.issues)


def test_each_table_run_together_on_one_line() -> None:
    """Headings on their own lines, but every table's rows copied as one line: cut at the official labels."""
    outcome = parse_file(LAYOUTS / "tables_one_line.txt")
    assert cells_of(outcome.report) == expected_cells()
    assert outcome.report.narrative == expected_narrative()
    assert any("挤在同一行" in i.message for i in outcome.issues)


def test_prose_naming_table_rows_is_not_cut() -> None:
    line = "全年公开行政许可、行政处罚、行政强制等信息356条，行政规范性文件2件，均在规定时限内公开。"
    text = (FIXTURES / "one_cell_per_line.txt").read_text(encoding="utf-8").replace(
        "（五）监督保障。", f"（五）监督保障。{line}"
    )
    outcome = parse_text(text)
    assert line in (outcome.report.narrative.overview or "")
    assert not any("挤在同一行" in i.message for i in outcome.issues)
