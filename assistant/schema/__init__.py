"""The report as data: official labels, Pydantic models and document I/O."""

from typing import TYPE_CHECKING, Any

from .document import (
    InputProblem,
    ReportInputError,
    dump_report,
    flatten_cells,
    get_cell,
    has_row,
    iter_cells,
    load_report,
    load_report_file,
    read_data_file,
    report_json_schema,
    report_to_data,
    save_report,
    set_cells,
)
from .labels import CELLS, CellSpec, FormatVersion, cell_spec, describe
from .models import Narrative, Report2021

if TYPE_CHECKING:
    from .models import Report, Report2019

__all__ = [
    "CELLS",
    "CellSpec",
    "FormatVersion",
    "InputProblem",
    "Narrative",
    "Report",
    "Report2019",
    "Report2021",
    "ReportInputError",
    "cell_spec",
    "describe",
    "dump_report",
    "flatten_cells",
    "get_cell",
    "has_row",
    "iter_cells",
    "load_report",
    "load_report_file",
    "read_data_file",
    "report_json_schema",
    "report_to_data",
    "save_report",
    "set_cells",
]


def __getattr__(name: str) -> Any:
    # ``Report`` and ``Report2019`` need the 2019 trial format's classes, which load on first use.
    if name in ("Report", "Report2019"):
        from . import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
