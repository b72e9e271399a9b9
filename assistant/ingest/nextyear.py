"""Next year's document from this year's: the carry-over row, the metadata and last year's reference."""

from __future__ import annotations

from typing import Any, cast

from ..schema import Report, load_report
from ..schema.labels import SECTION3_COLUMNS
from ..schema.models import PreviousYearReference, Report2021


def _row(report: Report, row: str) -> dict[str, int | None] | None:
    apps = report.applications
    line = getattr(apps, row, None) if apps is not None else None
    if line is None:
        return None
    return {c.id: getattr(line, c.id) for c in SECTION3_COLUMNS}


def previous_reference(report: Report) -> PreviousYearReference:
    """The figures of this report that next year's cross-year checks (X1, X3, R2.6) compare against."""
    in_force: dict[str, int | None] = {"regulations_in_force": None, "normative_documents_in_force": None}
    if isinstance(report, Report2021) and report.active_disclosure and report.active_disclosure.art20_1:
        item = report.active_disclosure.art20_1
        in_force["regulations_in_force"] = item.regulations.in_force if item.regulations else None
        in_force["normative_documents_in_force"] = (
            item.normative_documents.in_force if item.normative_documents else None
        )
    return PreviousYearReference.model_validate(
        {
            "year": report.year,
            "agency": report.agency,
            "new_requests": _row(report, "new_requests"),
            "carried_forward": _row(report, "carried_forward"),
            **in_force,
        }
    )


def next_year(report: Report) -> Report:
    """Next year's document: 上年结转 = this year's 结转下年度继续办理 (every column; blank stays blank),
    agency, body type and contact carried, narrative and every other cell empty, and this year's figures kept
    as ``previous_year``. A 2019-format report rolls into the 2021 format from year 2021 on."""
    year = report.year + 1
    version = "2021" if year >= 2021 else report.format
    data: dict[str, Any] = {
        "format": version,
        "year": year,
        "agency": report.agency,
        "body_type": report.body_type,
        "contact": report.contact.model_dump() if report.contact else None,
        "narrative": {},
        "previous_year": previous_reference(report).model_dump(),
    }
    carried = _row(report, "carried_forward")
    if carried is not None:
        data["applications"] = {"carried_over": carried}
    return cast(Report, load_report(data))
