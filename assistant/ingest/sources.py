"""Reading each file type into the same shape: running text (for headings and prose) and table rows.

Tables come from the file's own structure where it has one (HTML ``<table>`` with rowspan/colspan,
Word tables with merged cells, the PDF ruling lines via pdfplumber); plain text keeps its lines and the
table interpreter splits them into cells.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ParseError
from .limits import check_content, check_html_grid, html_span, reader_errors

if TYPE_CHECKING:
    from .pdf import PdfLine

# The one table of what a report file may be: its kinds (suffix aliases folded in) and how the page says so.
KIND_ALIASES = {"htm": "html", "shtml": "html", "xhtml": "html", "markdown": "md", "text": "txt"}
READABLE_KINDS = ("txt", "md", "html", "docx", "pdf", "doc", "wps", "ofd", "xlsx")
SUPPORTED_TEXT = "支持 .pdf .txt .md .html .docx .doc .wps .xlsx（.ofd 会说明原因）"
_HEADING_START = re.compile(r"^\s*[一二三四五六]\s*、")
_FOOTER = re.compile(r"^\s*[-—–]\s*\d+\s*[-—–]\s*$")
_SUB_HEADING = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")


@dataclass
class SourceDoc:
    """A report as read from a file: ``text`` in reading order, ``grid`` the rows of its real tables."""

    kind: str
    text: str
    grid: list[list[str | None]] = field(default_factory=list)
    title: str = ""  # the HTML <title>, used when the page body prints no title
    table_text: str | None = None  # PDF: the raw lines (``text`` joins them into paragraphs for the prose)


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Notepad's “Unicode”), else GB18030 as many government
    sites still use; garbage is an error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError("文件声明为 UTF-16 编码，但内容无法解码") from exc
    if b"\x00" in data[:4096]:
        raise ParseError("文件含有二进制内容，不是文本格式的年度报告")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ParseError("文件编码无法识别（应为 UTF-8 或 GB18030 文本）")


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return KIND_ALIASES.get(suffix, suffix)


# ---------------------------------------------------------------- HTML

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "table", "section", "article",
        "header", "footer", "blockquote", "pre", "title", "ul", "ol", "dd", "dt", "br", "hr", "tbody", "thead",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "iframe", "object", "svg", "head", "template"})


def _tag(el: Any) -> str:
    tag = el.tag
    return tag if isinstance(tag, str) else ""  # comments and processing instructions have no tag name


def _cell_text(el: Any) -> str:
    parts: list[str] = []
    for node in el.iter():
        if _tag(node) in _SKIP_TAGS:
            continue
        if _tag(node) == "br":
            parts.append(" ")
        if node is not el and node.tail:
            parts.append(node.tail)
        if node.text and _tag(node):
            parts.append(node.text)
    return " ".join("".join(parts).split())


def _html_table_grid(table: Any) -> list[list[str | None]]:
    """Expand rowspan/colspan into a full grid; positions covered by a span are None (as pdfplumber gives)."""
    grid: list[list[str | None]] = []
    covered: set[tuple[int, int]] = set()
    rows = [tr for tr in table.iter() if _tag(tr) == "tr" and _owner_table(tr) is table]
    for r, tr in enumerate(rows):
        row: list[str | None] = []
        col = 0
        for cell in tr:
            if _tag(cell) not in ("td", "th"):
                continue
            while (r, col) in covered:
                row.append(None)
                col += 1
            rowspan, colspan = html_span(cell.get("rowspan")), html_span(cell.get("colspan"))
            row.append(_cell_text(cell))
            row.extend([None] * (colspan - 1))
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    covered.add((r + dr, col + dc))
            col += colspan
        while (r, col) in covered:
            row.append(None)
            col += 1
        grid.append(row)
    return grid


def _owner_table(el: Any) -> Any:
    node = el.getparent()
    while node is not None and _tag(node) != "table":
        node = node.getparent()
    return node


def _block_text(root: Any) -> str:
    """The page's text with a line break after every block element (inline spans stay joined)."""
    out: list[str] = []

    def walk(el: Any) -> None:
        tag = _tag(el)
        if tag in _SKIP_TAGS:
            return
        if tag == "br":
            out.append("\n")
        elif el.text and tag:
            out.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if tag in _BLOCK_TAGS:
            out.append("\n")

    walk(root)
    return "".join(out)


def read_html(text: str) -> SourceDoc:
    import lxml.etree
    import lxml.html

    # a declared encoding inside an already-decoded page makes lxml refuse the text
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ParseError(f"网页内容无法解析：{exc}") from exc
    check_html_grid(root)
    title_el = root.find(".//title")
    page_title = " ".join((title_el.text_content() if title_el is not None else "").split())
    grid: list[list[str | None]] = []
    for table in root.iter("table"):
        if not any(True for _ in table.iterdescendants("table")):
            # layout tables hold the data tables; read only the innermost
            grid.extend(_html_table_grid(table))
            grid.append([])
    body = _block_text(root)
    body = body.replace("\xa0", " ").replace("\u3000", " ")
    return SourceDoc("html", body, grid, page_title)


# ---------------------------------------------------------------- DOCX


def read_docx(data: bytes) -> SourceDoc:
    try:
        import docx
        from docx.document import Document as DocxDocument
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document: DocxDocument = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on a broken archive
        raise ParseError(f"无法打开 Word 文档：{type(exc).__name__}") from exc
    lines: list[str] = []
    grid: list[list[str | None]] = []
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                # merged cells come back once per grid position: keep the first, mark the rest as spans.
                # The dict holds the lxml elements alive, so their ids stay unique while we compare them.
                seen: dict[int, object] = {}
                for row in block.rows:
                    cells: list[str | None] = []
                    for cell in row.cells:
                        key = id(cell._tc)
                        cells.append(None if key in seen else cell.text)
                        seen[key] = cell._tc
                    grid.append(cells)
                grid.append([])
    except Exception as exc:  # a damaged document part (no body, broken XML): python-docx raises many types
        raise ParseError("Word 文档的正文部分已损坏，无法读取；请用 Word 或 WPS 打开后另存为 .docx 再试。") from exc
    return SourceDoc("docx", "\n".join(lines), grid)


# ---------------------------------------------------------------- PDF


def _pdf_layout(pages: list[list[PdfLine]]) -> tuple[float, float, float]:
    """(left margin, line height, right edge) of the body text, measured over the whole document.

    Per page they mislead: a last page holding only indented first lines would look unindented and be
    glued to the page before (losing a sub-heading such as （二）改进情况).
    """
    lines = [ln for page in pages for ln in page]
    margins = sorted(round(ln.x0) for ln in lines)
    margin = margins[len(margins) // 4]
    size = sorted(ln.bottom - ln.top for ln in lines)[len(lines) // 2] or 10.0
    right = sorted(round(ln.x1) for ln in lines)[-max(1, len(lines) // 4)]
    return margin, size, right


def _pdf_page_paragraphs(lines: list[PdfLine], layout: tuple[float, float, float]) -> tuple[list[str], bool]:
    """Lines of one page joined into paragraphs: an indented line starts a paragraph (PDFs wrap mid-sentence).

    The flag says whether the page's first line continues the previous page's paragraph (not indented,
    and not a heading or a numbered sub-heading).
    """
    if not lines:
        return [], False
    margin, size, right = layout
    out: list[str] = []
    first = lines[0].text
    continues = lines[0].x0 <= margin + 0.8 * size and not (_HEADING_START.match(first) or _SUB_HEADING.match(first))
    prev_short = False
    for ln in lines:
        indented = ln.x0 > margin + 0.8 * size
        if indented or not out or prev_short or _HEADING_START.match(ln.text):
            out.append(ln.text)
        else:
            out[-1] += ln.text
        prev_short = ln.x1 < right - 2 * size
    return out, continues


def read_pdf(data: bytes) -> SourceDoc:
    """A PDF's text layer (PDFium) as paragraphs, its raw lines, and the rows of its ruled tables."""
    from .pdf import read_pages

    try:
        pages = list(read_pages(data))
    except Exception as exc:  # PDFium raises its own error types on broken files
        raise ParseError(f"无法打开 PDF 文件：{type(exc).__name__}") from exc
    kept = [[ln for ln in page.lines if not _FOOTER.match(ln.text)] for page in pages]
    raw_lines = [ln.text for page in kept for ln in page]
    if not any(t.strip() for t in raw_lines):
        raise ParseError("PDF 没有文字层（可能是扫描件），无法读取；请提供带文字的 PDF 或 Word/网页版本")
    layout = _pdf_layout(kept)
    paragraphs: list[str] = []
    grid: list[list[str | None]] = []
    for page, lines in zip(pages, kept, strict=True):
        page_paras, continues = _pdf_page_paragraphs(lines, layout)
        if continues and page_paras and paragraphs:
            paragraphs[-1] += page_paras.pop(0)
        paragraphs.extend(page_paras)
        for table in page.tables:
            grid.extend(table)  # None marks a merged continuation, "" a printed blank cell
    return SourceDoc("pdf", "\n".join(paragraphs), grid, table_text="\n".join(raw_lines))


# ---------------------------------------------------------------- dispatch


BINARY_KINDS = ("docx", "pdf", "doc", "wps", "ofd", "xlsx")


def _read_binary(data: bytes, kind: str) -> SourceDoc:
    from . import formats

    if kind == "pdf":
        return read_pdf(data)
    if kind == "docx":
        return read_docx(data)
    if kind in formats.LEGACY_WORD:
        doc = read_source(formats.legacy_word_to_docx(data, kind), "docx")  # the converted file: a .docx like any
        return SourceDoc(kind, doc.text, doc.grid)
    if kind == "ofd":
        raise formats.refuse_ofd(data)
    sheet = formats.sheet_source(data)
    if sheet is None:
        raise ParseError("这是本程序的统计工作簿，请用 parse_file 读取")
    grid, lines = sheet
    return SourceDoc("xlsx", "\n".join(lines), grid)


def read_source(data: bytes | str, kind: str) -> SourceDoc:
    """Read raw content of a given kind (txt, md, html, docx, pdf, doc, wps, ofd, xlsx), within the bounds of
    ``limits``."""
    check_content(data, kind)
    with reader_errors(kind):
        return _read_source(data, kind)


def _read_source(data: bytes | str, kind: str) -> SourceDoc:
    if kind in BINARY_KINDS:
        if isinstance(data, str):
            raise ParseError(f"{kind} 内容应为二进制文件")
        return _read_binary(data, kind)
    text = data if isinstance(data, str) else decode_bytes(data)
    if kind == "html":
        return read_html(text)
    if kind == "md" and "<table" in text.lower():
        # Markdown exports often carry their tables as embedded HTML (merged cells need it)
        return SourceDoc(kind, text, read_html(text).grid)
    if kind in ("txt", "md"):
        return SourceDoc(kind, text)
    raise ParseError(f"不支持的文件类型“{kind}”：{SUPPORTED_TEXT}")
