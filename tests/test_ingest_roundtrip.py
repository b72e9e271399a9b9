"""Our own exports (DOCX, HTML, Markdown, XLSX) read back into exactly the same document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant import api
from assistant.ingest import parse_file
from assistant.schema import iter_cells, load_report, set_cells

FIXTURES = Path(__file__).parent / "fixtures"


def county() -> Any:
    return load_report(yaml.safe_load((FIXTURES / "county_2023.expected.yaml").read_text(encoding="utf-8")))


def documents(sample: Any) -> dict[str, Any]:
    return {
        "sample": sample,
        "county": county(),
        "blank_cell": set_cells(sample, {"applications.granted.research": None}),
    }


@pytest.mark.parametrize("ext", ["docx", "html", "md", "xlsx"])
@pytest.mark.parametrize("which", ["sample", "county", "blank_cell"])
def test_export_then_parse_gives_the_same_document(tmp_path: Path, sample_report: Any, ext: str, which: str) -> None:
    report = documents(sample_report)[which]
    path = api.export_report(report, tmp_path / f"report.{ext}", force=True)
    outcome = parse_file(path)
    back = outcome.report
    assert dict(iter_cells(back)) == dict(iter_cells(report))
    assert (back.format, back.year, back.agency) == (report.format, report.year, report.agency)
    if ext != "xlsx":  # the workbook holds the statistics only
        assert back.narrative == report.narrative
        assert back.contact == report.contact
    assert not [i for i in outcome.issues if i.rule == "X6"]
