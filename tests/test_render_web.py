"""HTML and Markdown: every table cell with its rowspan/colspan parsed back, escaping, self-containment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from render_support import distinct_report, html_grid, layout_grid

from assistant.render import FAILED_MARK, MISSING, ExportBlocked, assemble, render_html, render_markdown, report_grids
from assistant.render.web import html_from, markdown_from
from assistant.schema import get_cell, load_report
from assistant.schema.labels import SECTION_HEADINGS

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> **粗体** [链接](http://evil.example) | 管道'


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_html_tables_hold_every_cell_and_span(version: str) -> None:
    report = distinct_report(version)  # type: ignore[arg-type]
    soup: Any = BeautifulSoup(html_from(assemble(report)), "lxml")
    tables = soup.find_all("table")
    grids = report_grids(report)
    assert [t["data-table"] for t in tables] == list(grids)
    for table, grid in zip(tables, grids.values(), strict=True):
        assert html_grid(table) == layout_grid(grid), grid.id
    for td in soup.select("td[data-cell]"):
        assert td.get_text() == str(get_cell(report, td["data-cell"]))
    assert len(soup.select("td[data-cell]")) == sum(len(g.value_cells()) for g in grids.values())


def test_html_page_is_self_contained_and_in_order(sample_report) -> None:
    page = render_html(sample_report)
    soup: Any = BeautifulSoup(page, "lxml")
    assert soup.find("h1").get_text() == "淄博市工业和信息化局2022年政府信息公开工作年度报告"
    assert [h.get_text() for h in soup.find_all("h2")] == [h.label for h in SECTION_HEADINGS]
    assert soup.find("meta", charset=True)["charset"] == "utf-8"
    assert not soup.find_all(["script", "link", "img", "iframe"])
    assert not re.search(r"(src|href)\s*=|@import|url\(", page)
    # styling travels with the <article> a CMS editor copies; tables keep borders even if <style> is stripped
    assert soup.select_one("article > style") is not None
    assert all(t.get("border") == "1" for t in soup.find_all("table"))
    assert [len(t.select("colgroup > col")) for t in soup.find_all("table")] == [4, 10, 15]
    assert FAILED_MARK not in page and MISSING not in page


def test_hostile_narrative_is_inert(sample_data) -> None:
    sample_data["narrative"]["other_matters"] = HOSTILE
    report = load_report(sample_data)
    soup: Any = BeautifulSoup(render_html(report, force=True), "lxml")
    assert not soup.find_all(["script", "img"])
    assert HOSTILE in soup.get_text()  # shown as text, not interpreted
    md = render_markdown(report, force=True)
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert r"\*\*粗体\*\*" in md and r"\[链接\]" in md and r"\| 管道" in md


def test_markdown_structure_and_tables(sample_report) -> None:
    md = render_markdown(sample_report)
    lines = md.splitlines()
    assert lines[0] == "# 淄博市工业和信息化局2022年政府信息公开工作年度报告"
    assert [line[3:] for line in lines if line.startswith("## ")] == [h.label for h in SECTION_HEADINGS]
    assert "### （一）存在问题" in lines and "### （二）改进情况" in lines
    # tables are HTML blocks (Markdown cannot merge cells) with no blank line inside, so they stay one block
    blocks = re.findall(r"<table.*?</table>", md, flags=re.S)
    assert len(blocks) == 3 and all("\n\n" not in b for b in blocks)
    grids = report_grids(sample_report)
    for block, grid in zip(blocks, grids.values(), strict=True):
        assert html_grid(BeautifulSoup(block, "lxml").find("table")) == layout_grid(grid)


def test_missing_parts_are_marked_in_html_and_markdown(sample_data) -> None:
    sample_data["narrative"] = {"overview": "本年工作概述。"}
    del sample_data["applications"]
    sample_data["active_disclosure"]["art20_1"]["regulations"]["issued"] = None
    report = load_report(sample_data)
    doc = assemble(report)
    soup: Any = BeautifulSoup(html_from(doc), "lxml")
    assert [p.get_text() for p in soup.select("p.missing")] == [f"{MISSING}本表数据尚未填写。", MISSING, MISSING, MISSING]
    assert soup.select_one('td[data-cell="active_disclosure.art20_1.regulations.issued"]').get_text() == MISSING
    assert all(td.get_text() == MISSING for td in soup.select('table[data-table="applications"] td[data-cell]'))
    md = markdown_from(doc)
    assert md.count(f"**{MISSING}**") == 3


def test_blocked_and_forced(sample_data) -> None:
    sample_data["applications"]["granted"]["natural_person"] = 2  # breaks R3.2 and R3.3
    report = load_report(sample_data)
    with pytest.raises(ExportBlocked) as blocked:
        render_html(report)
    assert "已拒绝导出" in str(blocked.value) and "R3" in str(blocked.value)
    page = render_html(report, force=True)
    marks = BeautifulSoup(page, "lxml").select("p.mark")
    assert marks and marks[0].get_text().startswith(f"【{FAILED_MARK}")
    assert f"【{FAILED_MARK}" in render_markdown(report, force=True)
