"""The report in the official layout: DOCX, HTML, Markdown, and the statistics workbook (XLSX)."""

from .assemble import FAILED_MARK, AssembledReport, Block, assemble, opening_paragraph
from .docx_writer import render_docx
from .export import EXPORT_FORMATS, export_all, export_report
from .gate import ExportBlocked
from .layout import MISSING, GridCell, TableGrid, report_grids, section2_grid, section3_grid, section4_grid
from .web import render_html, render_markdown

__all__ = [
    "EXPORT_FORMATS",
    "FAILED_MARK",
    "MISSING",
    "AssembledReport",
    "Block",
    "ExportBlocked",
    "GridCell",
    "TableGrid",
    "assemble",
    "export_all",
    "export_report",
    "opening_paragraph",
    "render_docx",
    "render_html",
    "render_markdown",
    "report_grids",
    "section2_grid",
    "section3_grid",
    "section4_grid",
]
