"""Export by file extension: .docx, .html, .md, .xlsx."""

from __future__ import annotations

from pathlib import Path

from ..schema import Report
from .assemble import assemble
from .docx_writer import docx_from
from .gate import gate
from .web import html_from, markdown_from

EXPORT_FORMATS = (".docx", ".html", ".md", ".xlsx")


def export_report(report: Report, path: str | Path, force: bool = False) -> Path:
    """Write the report to ``path`` in the format named by its extension (.docx .html .md .xlsx).

    Raises ``ExportBlocked`` while the checks find errors, unless ``force`` (the output is then marked
    「校验未通过」; a workbook holds only the statistics and carries the mark on its 说明 sheet).
    Raises ``ValueError`` for any other extension.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"不支持导出为“{out.suffix or '无扩展名'}”文件：请使用 {' / '.join(EXPORT_FORMATS)} 之一")
    failed = gate(report, force)
    if suffix == ".xlsx":
        from .workbook import write_workbook

        return write_workbook(report, out, failed=failed)
    doc = assemble(report, failed)
    if suffix == ".docx":
        return docx_from(doc, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = html_from(doc) if suffix == ".html" else markdown_from(doc)
    out.write_text(text, encoding="utf-8")
    return out
