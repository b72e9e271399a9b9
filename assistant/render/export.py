"""Export by file extension: .docx, .html, .md, .xlsx."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsio import atomic_write_text, safe_file_stem
from ..schema import Report
from .assemble import approval_text, assemble
from .docx_writer import docx_from
from .gate import gate
from .web import html_from, markdown_from

if TYPE_CHECKING:
    from ..checks import Verdict

EXPORT_FORMATS = (".docx", ".html", ".md", ".xlsx")


def export_report(
    report: Report, path: str | Path, force: bool = False, verdicts: Sequence[Verdict] | None = None,
    approval: Mapping[str, Any] | None = None,
) -> Path:
    """Write the report to ``path`` in the format named by its extension (.docx .html .md .xlsx).

    Raises ``ExportBlocked`` while the checks find errors, unless ``force`` (the output is then marked
    「校验未通过」; a workbook holds only the statistics and carries the mark on its 说明 sheet).
    Raises ``ValueError`` for any other extension. ``verdicts``: errors ruled 不属于问题 do not block.
    ``approval`` (``Review.export_approval()``) is named in the file's properties, not in the printed text.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"不支持导出为“{out.suffix or '无扩展名'}”文件：请使用 {' / '.join(EXPORT_FORMATS)} 之一")
    failed = gate(report, force, verdicts)
    if suffix == ".xlsx":
        from .workbook import write_workbook

        return write_workbook(report, out, failed=failed, approval=approval_text(approval))
    doc = assemble(report, failed)
    doc.approval = approval_text(approval)
    if suffix == ".docx":
        return docx_from(doc, out)
    text = html_from(doc) if suffix == ".html" else markdown_from(doc)
    return atomic_write_text(out, text)


def export_all(
    report: Report, directory: str | Path, stem: str | None = None, force: bool = False,
    formats: tuple[str, ...] = (".docx", ".html", ".md"), verdicts: Sequence[Verdict] | None = None,
    approval: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write the report in several formats into ``directory`` (checked once); returns suffix → path.

    ``stem`` defaults to the report title. Raises ``ExportBlocked`` like ``export_report``.
    """
    unknown = [s for s in formats if s not in EXPORT_FORMATS]
    if unknown:
        raise ValueError(f"不支持的导出格式：{'、'.join(unknown)}；可用 {' / '.join(EXPORT_FORMATS)}")
    failed = gate(report, force, verdicts)
    doc = assemble(report, failed)
    doc.approval = approval_text(approval)
    base = Path(directory) / safe_file_stem(stem or doc.title)
    base.parent.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for suffix in formats:
        out = base.with_name(base.name + suffix)
        if suffix == ".docx":
            written[suffix] = docx_from(doc, out)
        elif suffix == ".xlsx":
            from .workbook import write_workbook

            written[suffix] = write_workbook(report, out, failed=failed, approval=doc.approval)
        else:
            written[suffix] = atomic_write_text(out, html_from(doc) if suffix == ".html" else markdown_from(doc))
    return written

