"""DOCX in 公文 layout (GB/T 9704 conventions) with python-docx.

python-docx has no East Asian font API: fonts are set on ``w:rFonts/@w:eastAsia`` and the theme
attributes of the default template are stripped, because they override explicit names (stack.md §6).
Fallback fonts are declared as ``w:altName`` in the font table, which Word and WPS honour when the
公文 fonts (方正小标宋简体, 仿宋_GB2312 …) are not installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ..fsio import atomic_save
from ..schema import Report
from .assemble import FAILED_MARK, AssembledReport, Block, assemble
from .gate import gate
from .layout import MISSING, GridCell, TableGrid

if TYPE_CHECKING:
    from ..checks import Verdict

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
PAGE_NUMBER_FONT = "宋体"
# Fonts to use when the 公文 fonts are missing (written to the font table as w:altName).
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体", HEADING1_FONT: "SimHei"}

BODY_SIZE = 16  # 三号
TITLE_SIZE = 22  # 二号
TABLE_SIZE = 9  # 小五, so that the 15 columns of section 四 fit a portrait page
LINE_PITCH = 28
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_RED = RGBColor(0xC0, 0, 0)


def _set_font(target: Any, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set Latin and East Asian font of a run or style, removing theme fonts that would override them."""
    target.font.name = LATIN_FONT
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    rfonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)


def _indent_chars(paragraph: Paragraph, hundredths: int) -> None:
    """First-line indent in character units (200 = two characters), which python-docx has no API for."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(hundredths))
    ind.set(qn("w:firstLine"), str(hundredths * BODY_SIZE // 5))  # twips: chars × size pt × 20


def _exact_lines(paragraph: Paragraph, points: float) -> None:
    pf = paragraph.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(points)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    styles = doc.styles
    _set_font(styles["Normal"], BODY_FONT, BODY_SIZE)
    for name, font, size in (("Title", TITLE_FONT, TITLE_SIZE), ("Heading 1", HEADING1_FONT, BODY_SIZE),
                             ("Heading 2", HEADING2_FONT, BODY_SIZE)):
        style = styles[name]
        _set_font(style, font, size, bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        ppr = style.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):  # the template's Title has a blue bottom rule
            ppr.remove(border)
    _document_defaults(doc)
    _declare_fallbacks(doc)
    _page_number_footer(doc)


def _document_defaults(doc: DocxDocument) -> None:
    """Replace the template's theme fonts in docDefaults and mark the text as Chinese (zh-CN line breaking)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is None:
        return
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is not None:
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(qn(attr), None)
        for attr, value in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT), ("w:eastAsia", BODY_FONT)):
            rfonts.set(qn(attr), value)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _declare_fallbacks(doc: DocxDocument) -> None:
    font_table = next(p for p in doc.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    from lxml import etree

    root = etree.fromstring(font_table.blob)
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_el = etree.SubElement(font, qn("w:altName"))
        alt_el.set(qn("w:val"), alt)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "roman" if name != HEADING1_FONT else "modern")
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field_run(paragraph: Paragraph, kind: str, text: str = "") -> None:
    run = paragraph.add_run()
    _set_font(run, PAGE_NUMBER_FONT, 14)
    if kind == "instr":
        el = OxmlElement("w:instrText")
        el.set(qn("xml:space"), "preserve")
        el.text = text
    elif kind == "text":
        el = OxmlElement("w:t")
        el.text = text
    else:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
    run._r.append(el)


def _page_number_footer(doc: DocxDocument) -> None:
    """「— 1 —」 centred in the footer: a PAGE field, updated by Word/WPS/LibreOffice on opening."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dash = paragraph.add_run("— ")
    _set_font(dash, PAGE_NUMBER_FONT, 14)
    for kind, text in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "1"), ("end", "")):
        _field_run(paragraph, kind, text)
    dash = paragraph.add_run(" —")
    _set_font(dash, PAGE_NUMBER_FONT, 14)


def _failed_header(doc: DocxDocument) -> None:
    """A forced export carries the 校验未通过 mark on every page, not only under the title."""
    paragraph = doc.sections[0].header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(f"【{FAILED_MARK}：仅供内部核对，修正前不得发布】")
    _set_font(run, HEADING1_FONT, 12, bold=True)
    run.font.color.rgb = _RED


def _add_block(doc: DocxDocument, block: Block) -> None:
    if block.kind == "table":
        assert block.table is not None
        _add_table(doc, block.table)
        return
    style = {"title": "Title", "heading1": "Heading 1", "heading2": "Heading 2"}.get(block.kind)
    paragraph = doc.add_paragraph(style=style)
    run = paragraph.add_run(block.text)
    if block.kind == "title":
        _set_font(run, TITLE_FONT, TITLE_SIZE)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_lines(paragraph, 36)
        paragraph.paragraph_format.space_after = Pt(LINE_PITCH)
        return
    font = {"heading1": HEADING1_FONT, "heading2": HEADING2_FONT}.get(block.kind, BODY_FONT)
    _set_font(run, font, BODY_SIZE)
    _exact_lines(paragraph, LINE_PITCH)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if block.kind == "mark":
        run.font.bold = True
        run.font.color.rgb = _RED
        _indent_chars(paragraph, 0)
        return
    _indent_chars(paragraph, 200)
    if block.missing or MISSING in block.text:
        run.font.bold = True
        run.font.color.rgb = _RED


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _cell_xml(text: str, width: int, colspan: int, vmerge: str | None, align: str, red: bool) -> str:
    props = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if colspan > 1:
        props.append(f'<w:gridSpan w:val="{colspan}"/>')
    if vmerge == "restart":
        props.append('<w:vMerge w:val="restart"/>')
    elif vmerge == "continue":
        props.append("<w:vMerge/>")
    props.append('<w:vAlign w:val="center"/>')
    run = ""
    if text:
        color = '<w:color w:val="C00000"/>' if red else ""
        run = (f'<w:r><w:rPr><w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{BODY_FONT}"/>'
               f'{color}<w:sz w:val="{TABLE_SIZE * 2}"/><w:szCs w:val="{TABLE_SIZE * 2}"/></w:rPr>'
               f"<w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r>")
    para = (f'<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            f'<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="{align}"/></w:pPr>{run}</w:p>')
    return f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{para}</w:tc>"


def _table_xml(grid: TableGrid) -> str:
    """The table as WordprocessingML: merged cells are ``w:gridSpan`` and ``w:vMerge`` restart/continue.

    Built as text in one pass: python-docx's ``merge()`` re-walks the table on every call and made a
    whole-report export take ~0.5 s.
    """
    widths = [_twips(w) for w in grid.column_widths_mm()]
    starts = {(cell.row, cell.col): cell for cell in grid.cells}
    covering: dict[tuple[int, int], GridCell] = {}
    for cell in grid.cells:
        for r in range(cell.row + 1, cell.row + cell.rowspan):
            covering[(r, cell.col)] = cell
    rows = []
    for r in range(grid.n_rows):
        tcs = []
        c = 0
        while c < grid.n_cols:
            gc = starts.get((r, c)) or covering.get((r, c))
            if gc is None:
                raise ValueError(f"表格 {grid.id} 第 {r + 1} 行第 {c + 1} 列没有单元格")
            width = sum(widths[gc.col:gc.col + gc.colspan])
            if gc.row == r:
                vmerge = "restart" if gc.rowspan > 1 else None
                left = gc.kind == "label" and gc.rowspan == 1 and gc.col + gc.colspan > 1
                tcs.append(_cell_xml(gc.text, width, gc.colspan, vmerge, "left" if left else "center",
                                     gc.text == MISSING))
            else:
                tcs.append(_cell_xml("", width, gc.colspan, "continue", "center", False))
            c += gc.colspan
        # Header rows repeat on every page the table runs onto; no row splits across a page break.
        tr_pr = ('<w:trPr><w:cantSplit/><w:trHeight w:val="397" w:hRule="atLeast"/>'
                 + ("<w:tblHeader/>" if r < grid.header_rows else "") + "</w:trPr>")
        rows.append(f"<w:tr>{tr_pr}{''.join(tcs)}</w:tr>")
    grid_cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (f"<w:tbl {nsdecls('w')}><w:tblPr><w:tblW w:w=\"{sum(widths)}\" w:type=\"dxa\"/>"
            f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            f'<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
            f"<w:tblLook w:val=\"04A0\"/></w:tblPr><w:tblGrid>{grid_cols}</w:tblGrid>{''.join(rows)}</w:tbl>")


def _add_table(doc: DocxDocument, grid: TableGrid) -> None:
    anchor = doc.add_paragraph()  # a paragraph must separate consecutive tables; it also gives room below
    anchor._p.addprevious(parse_xml(_table_xml(grid)))


def docx_from(doc_model: AssembledReport, path: str | Path) -> Path:
    """Write the assembled report to ``path`` as DOCX."""
    doc = Document()
    _setup(doc)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by, props.comments = doc_model.title, "", "", ""
    if doc_model.approval:  # file properties only (文件 → 属性); the printed text is the same as before approval
        props.content_status, props.comments = "审核通过", doc_model.approval
    if doc_model.failed is not None:
        _failed_header(doc)
    for block in doc_model.blocks:
        _add_block(doc, block)
    return atomic_save(path, doc.save)


def render_docx(report: Report, path: str | Path, force: bool = False, verdicts: Sequence[Verdict] | None = None) -> Path:
    """The whole report as a Word document in 公文 layout at ``path``.

    Raises ``ExportBlocked`` while the checks find errors, unless ``force`` (then marked 「校验未通过」);
    errors ruled 不属于问题 in ``verdicts`` do not count.
    """
    return docx_from(assemble(report, gate(report, force, verdicts)), path)
