"""Hypothesis properties: filled totals always pass; any single changed cell is caught; garbage never crashes."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.checks import check_report, fill_totals
from assistant.schema import CELLS, ReportInputError, get_cell, load_report, read_data_file, set_cells
from assistant.schema.labels import APPLICANT_COLUMNS, DISPOSAL_LEAVES_2021, SECTION4_GROUPS

ARITHMETIC = {"R3.1", "R3.2", "R3.3", "R4.1"}
small = st.integers(min_value=0, max_value=40)


@st.composite
def leaf_tables(draw: st.DrawFn) -> dict[str, Any]:
    """Only the leaves a clerk types; every total is blank (None)."""
    apps: dict[str, dict[str, int | None]] = {}
    for row in DISPOSAL_LEAVES_2021:
        apps[row.id] = {c: draw(small) for c in APPLICANT_COLUMNS}
    apps["carried_forward"] = {c: draw(small) for c in APPLICANT_COLUMNS}
    apps["new_requests"], apps["carried_over"] = {}, {}
    for col in APPLICANT_COLUMNS:
        owed = sum(apps[r.id][col] for r in DISPOSAL_LEAVES_2021) + apps["carried_forward"][col]  # type: ignore[misc]
        carried = draw(st.integers(min_value=0, max_value=owed))
        apps["carried_over"][col], apps["new_requests"][col] = carried, owed - carried
    review = {g.id: {p: draw(small) for p in ("upheld", "corrected", "other_result", "pending")} for g in SECTION4_GROUPS}
    return {"year": 2022, "agency": "某局", "applications": apps, "review_litigation": review}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaf_tables())
def test_filled_totals_pass_every_arithmetic_rule(data):
    filled = fill_totals(load_report(data))
    assert get_cell(filled, "applications.total_processed.total") is not None
    findings = [f for f in check_report(filled).findings if f.rule in ARITHMETIC]
    assert findings == []


COUNT_CELLS = [c for c, s in CELLS["2021"].items() if s.table in ("applications", "review_litigation")]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaf_tables(), st.sampled_from(COUNT_CELLS), st.integers(min_value=1, max_value=5), st.booleans())
def test_changing_any_single_count_cell_is_caught(data, cell, delta, up):
    filled = fill_totals(load_report(data))
    old = get_cell(filled, cell)
    assert isinstance(old, int)
    new = old + delta if up or old < delta else old - delta
    changed = set_cells(filled, {cell: new})
    errors = [f for f in check_report(changed).findings if f.severity == "error" and cell in f.cells]
    assert errors, f"{cell}: {old} → {new} not caught"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
keys = st.sampled_from(["year", "agency", "format", "applications", "active_disclosure", "review_litigation",
                        "narrative", "contact", "previous_year", "raw_cells", "body_type", "published_on"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, json_values, max_size=8) | json_values)
def test_arbitrary_json_never_crashes(data):
    try:
        report = load_report(data)
    except ReportInputError as exc:
        assert exc.problems and str(exc)
        return
    check_report(report)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_yaml_text_never_crashes(text):
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return
    with contextlib.suppress(ReportInputError):
        check_report(load_report(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(list(CELLS["2021"])), json_values)
def test_arbitrary_cell_values_never_crash(sample_data_cell, value):
    data = read_data_file(Path(__file__).parents[1] / "assistant" / "samples" / "sample_report.yaml")
    node = data
    *path, last = sample_data_cell.split(".")
    for part in path:
        node = node[part]
    node[last] = value
    try:
        check_report(load_report(json.loads(json.dumps(data, default=str))))
    except ReportInputError as exc:
        assert any(p.field.startswith(sample_data_cell) for p in exc.problems)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaf_tables())
def test_fast_cell_read_agrees_with_the_addressed_read(data):
    from assistant.checks.facts import CELL_IDS, read_cells

    sample = read_data_file(Path(__file__).parents[1] / "assistant" / "samples" / "sample_report.yaml")
    complete = fill_totals(load_report({**data, "active_disclosure": sample["active_disclosure"]}))
    for report in (complete, load_report(sample)):
        cells = read_cells(report)
        assert cells is not None
        assert cells == tuple(get_cell(report, c) for c in CELL_IDS[report.format])
    trial = load_report({"format": "2019", "year": 2020, "agency": "某镇", **{k: v for k, v in data.items() if k == "review_litigation"}})
    assert read_cells(trial) is None  # absent tables: the slow path
