"""Next year's document: carry-over, metadata, empty narrative, and last year kept for X1/X3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.checks import check_report
from assistant.ingest import next_year, parse_file
from assistant.schema import get_cell, set_cells
from assistant.schema.labels import SECTION3_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures"


def test_carry_over_from_carried_forward_in_every_column(sample_report: Any) -> None:
    source = set_cells(
        sample_report,
        {"applications.carried_forward.natural_person": 2, "applications.carried_forward.legal_service": 1,
         "applications.carried_forward.total": 3},
    )
    new = next_year(source)
    assert (new.year, new.agency, new.format, new.contact) == (2023, source.agency, "2021", source.contact)
    for col in SECTION3_COLUMNS:
        assert get_cell(new, f"applications.carried_over.{col.id}") == get_cell(
            source, f"applications.carried_forward.{col.id}"
        )
    assert get_cell(new, "applications.new_requests.total") is None
    assert new.narrative.overview is None and new.narrative.other_matters is None
    assert new.title is None and new.raw_cells == {}


def test_previous_year_reference_feeds_the_cross_year_checks(sample_report: Any) -> None:
    new = next_year(sample_report)
    ref = new.previous_year
    assert ref is not None and ref.year == 2022 and ref.agency == sample_report.agency
    assert ref.new_requests is not None and ref.new_requests.total == 3
    assert ref.normative_documents_in_force == 5
    # break the carry-over on purpose: X1 must now compare against the kept reference
    broken = set_cells(new, {"applications.carried_over.total": 7})
    x1 = [f for f in check_report(broken).findings if f.rule == "X1"]
    assert x1 and any("applications.carried_over.total" in f.cells for f in x1)


def test_blank_carried_forward_stays_blank(sample_report: Any) -> None:
    source = set_cells(sample_report, {"applications.carried_forward.research": None})
    assert get_cell(next_year(source), "applications.carried_over.research") is None


def test_2019_report_rolls_into_the_2021_format() -> None:
    trial = parse_file(FIXTURES / "trial_2019.html").report
    new = next_year(trial)
    assert (trial.format, new.format, new.year) == ("2019", "2021", 2021)
    assert get_cell(new, "applications.carried_over.total") == get_cell(trial, "applications.carried_forward.total")
    assert new.previous_year is not None and new.previous_year.normative_documents_in_force is None
