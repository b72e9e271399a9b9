"""DOCX: every table cell and merge read back with python-docx, 公文 fonts and page setup, and a real
render through LibreOffice → PDF → PNG."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from render_support import distinct_report, docx_grid, layout_grid

from assistant.render import MISSING, assemble, render_docx, report_grids
from assistant.render.docx_writer import docx_from
from assistant.schema import Report, load_report, report_to_data
from assistant.schema.labels import SECTION_HEADINGS


def _write(report: Report, tmp_path: Path) -> Any:  # python-docx's Optional-heavy types add nothing here
    path = docx_from(assemble(report), tmp_path / "report.docx")
    return docx.Document(str(path))


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_every_table_cell_and_merge_matches_the_document(version: str, tmp_path: Path) -> None:
    report = distinct_report(version)  # type: ignore[arg-type]
    document = _write(report, tmp_path)
    expected = report_grids(report)
    assert len(document.tables) == 3
    for table, grid in zip(document.tables, expected.values(), strict=True):
        assert docx_grid(table) == layout_grid(grid), grid.id
        # python-docx's own view agrees: a merged cell is one <w:tc> however many grid positions it covers
        rows = [row.cells for row in table.rows]  # table.cell() re-walks the whole table on every call
        for gc in grid.cells:
            cell = rows[gc.row][gc.col]
            assert cell.text == gc.text
            assert cell._tc.grid_span == gc.colspan
            assert cell._tc.bottom - gc.row == gc.rowspan
    values = {gc.cell_id: gc.text for g in expected.values() for gc in g.value_cells()}
    assert values["applications.denied_process_info.total"] == str(report.applications.denied_process_info.total)  # type: ignore[union-attr]


def test_section3_merges_are_the_official_ones(sample_report, tmp_path: Path) -> None:
    table = _write(sample_report, tmp_path).tables[1]
    grid = docx_grid(table)
    assert grid[(0, 0)][1:] == (3, 3)
    assert grid[(5, 0)] == ("三、本年度办理结果", 22, 1)
    assert grid[(7, 1)] == ("（三）不予公开", 8, 1)
    assert grid[(3, 3)][0] == "3" and grid[(3, 9)][0] == "3"  # 本年新收 自然人 / 总计 of the sample
    header_rows = [tr for tr in table._tbl.tr_lst
                   if tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None]
    assert len(header_rows) == 3  # the header repeats when the table runs onto the next page


def test_fonts_page_and_paragraph_layout(sample_report, tmp_path: Path) -> None:
    document = _write(sample_report, tmp_path)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # stored in twips
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert all(normal.get(qn(a)) is None for a in ("w:eastAsiaTheme", "w:asciiTheme", "w:hAnsiTheme"))
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert document.sections[0].header.paragraphs[0].text == ""  # no 校验未通过 mark on a clean report
    title = document.paragraphs[0]
    assert title.text == "淄博市工业和信息化局2022年政府信息公开工作年度报告"
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [h.label for h in SECTION_HEADINGS]
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert level2 == ["（一）存在问题", "（二）改进情况"]
    body = [p for p in document.paragraphs if p.style.name == "Normal" and p.text]
    assert body[0].text.startswith("本年度报告中所列数据的统计期限自2022年1月1日起，至2022年12月31日止。")
    assert "电话：0533-3182068" in body[0].text
    for p in body:
        assert p.paragraph_format.line_spacing == Pt(28)
        assert p._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    font_table = next(p for p in document.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    assert "方正小标宋简体" in font_table.blob.decode() and 'w:altName w:val="仿宋"' in font_table.blob.decode()


def test_footer_has_a_page_field(sample_report, tmp_path: Path) -> None:
    footer = _write(sample_report, tmp_path).sections[0].footer.paragraphs[0]
    instr = [el.text for el in footer._p.iter(qn("w:instrText"))]
    assert [t.strip() for t in instr] == ["PAGE"]
    kinds = [el.get(qn("w:fldCharType")) for el in footer._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]


def test_missing_parts_are_marked(sample_data, tmp_path: Path) -> None:
    sample_data["narrative"] = {"overview": "（一）主动公开\n本年主动公开信息148条。", "problems": "  "}
    sample_data.pop("review_litigation")
    document = _write(load_report(sample_data), tmp_path)
    texts = [p.text for p in document.paragraphs]
    i5 = texts.index("五、存在的主要问题及改进情况")
    assert texts[i5 + 1: i5 + 5] == ["（一）存在问题", MISSING, "（二）改进情况", MISSING]
    assert texts[texts.index("六、其他需要报告的事项") + 1] == MISSING
    assert f"{MISSING}本表数据尚未填写。" in texts
    assert all(c.text == MISSING for c in document.tables[2].rows[3].cells)
    assert next(p.text for p in document.paragraphs if p.style.name == "Heading 2") == "（一）主动公开"


def test_render_docx_on_the_sample(sample_report, tmp_path: Path) -> None:
    path = render_docx(sample_report, tmp_path / "out" / "sample.docx")
    document: Any = docx.Document(str(path))
    assert "校验未通过" not in "\n".join(p.text for p in document.paragraphs)
    table2 = docx_grid(document.tables[0])
    assert table2[(3, 0)][0] == "行政规范性文件"
    assert [table2[(3, c)][0] for c in (1, 2, 3)] == ["1", "1", "5"]
    assert report_to_data(sample_report)["narrative"]["problems"] in [p.text for p in document.paragraphs]


@pytest.mark.slow
def test_libreoffice_renders_the_expected_pages(sample_report, tmp_path: Path) -> None:
    if not (shutil.which("libreoffice") and shutil.which("pdftoppm") and shutil.which("pdfinfo")):
        pytest.skip("需要 libreoffice、pdftoppm 与 pdfinfo（CI 通过 apt 安装 libreoffice-writer-nogui、poppler-utils）")
    path = render_docx(sample_report, tmp_path / "sample.docx")
    profile = tmp_path / "lo-profile"  # a private profile: other LibreOffice processes may be running
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "sample.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == 6  # the sample with Debian's fonts-noto-cjk standing in for the 公文 fonts
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert size.endswith("(A4)"), size
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for label in ("申请人情况", "（七）总计", "未经复议直接起诉", "第二十条第（八）项", "— 3 —"):
        assert re.sub(r"\s", "", label) in re.sub(r"\s", "", text), label  # narrow cells wrap per character
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages
    assert all(p.stat().st_size > 2000 for p in pngs)
