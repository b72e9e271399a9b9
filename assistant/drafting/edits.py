"""Edits of a report's tables and metadata as pure functions: what changed, blanks to 0, imports, metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import AssistantError
from ..schema import Report, load_report, report_to_data
from ..schema.document import CellValue, flatten_cells
from ..schema.labels import CELLS


class FormatMismatchError(AssistantError, ValueError):
    """An imported report of the other format version while its metadata is not imported."""


@dataclass(frozen=True)
class CellChange:
    """One cell a bulk action changed, for the page's list (from → to)."""

    cell: str
    label: str
    before: CellValue
    after: CellValue


def cell_changes(before: Report | None, after: Report) -> list[CellChange]:
    """The cells that differ between two states of a report, in the format's cell order."""
    old = flatten_cells(before)[0] if before is not None and before.format == after.format else {}
    new = flatten_cells(after)[0]
    specs = CELLS[after.format]
    return [CellChange(c, specs[c].full_label, old.get(c), v) for c, v in new.items() if old.get(c) != v]


def zero_blanks(report: Report, table: str | None = None) -> dict[str, CellValue]:
    """The blank cells of one table (or of all tables), each set to 0 (a fee amount to 0 万元)."""
    values, _ = flatten_cells(report)
    return {
        cid: 0 for cid, spec in CELLS[report.format].items()
        if values.get(cid) is None and (table is None or spec.table == table)
    }


METADATA_FIELDS = ("agency", "body_type", "year", "format", "contact")
_TABLE_KEYS = ("active_disclosure", "applications", "review_litigation")


def with_metadata(report: Report, meta: dict[str, Any]) -> Report:
    """The report with new metadata (agency, body type, year, format, contact); tables and narrative kept.

    A change of format keeps the tables whose cells exist in the new format (section 四) and leaves the
    others blank, since their rows differ.
    """
    data = report_to_data(report)
    for key in METADATA_FIELDS:
        if key in meta:
            data[key] = meta[key]
    if data.get("format") != report.format:
        for key in ("active_disclosure", "applications"):
            data.pop(key, None)
    return load_report(data)


def with_tables(report: Report | None, imported: Report, metadata: bool) -> Report:
    """``report`` with the statistics tables of ``imported`` (and its metadata if ``metadata``); the
    narrative and last year's reference of ``report`` are never replaced."""
    if report is None:
        return imported
    data = report_to_data(report)
    new = report_to_data(imported)
    for key in _TABLE_KEYS:
        data[key] = new.get(key)
    if metadata:
        for key in METADATA_FIELDS:
            data[key] = new.get(key)
        if new.get("previous_year") and not data.get("previous_year"):
            data["previous_year"] = new["previous_year"]
    elif imported.format != report.format:
        raise FormatMismatchError(f"导入文件为 {imported.format} 年版格式，本报告为 {report.format} 年版格式；"
                         "请在导入时勾选“同时导入报告信息”，或先在“报告信息”中修改格式。")
    return load_report(data)
