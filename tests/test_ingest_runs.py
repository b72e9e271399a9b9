"""Splitting concatenated digit runs: every reading enumerated, filtered by the table's arithmetic."""

from __future__ import annotations

from itertools import combinations, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.runs import grouped_totals_ok, row_total_ok, splits


def naive_row_splits(digits: str, k: int) -> set[tuple[int, ...]]:
    """Independent oracle: every cut of the string into k parts, no leading zeros, last = sum of the rest."""
    found = set()
    for cuts in combinations(range(1, len(digits)), k - 1):
        bounds = (0, *cuts, len(digits))
        parts = [digits[a:b] for a, b in pairwise(bounds)]
        if any(len(p) > 1 and p.startswith("0") for p in parts):
            continue
        nums = tuple(int(p) for p in parts)
        if sum(nums[:-1]) == nums[-1]:
            found.add(nums)
    return found


def test_row_run_agrees_with_naive_enumeration() -> None:
    for run in ("256012034", "276012036", "0000000", "1000001", "640020470", "110000011"):
        got, complete = splits([run], 7, lambda p: row_total_ok(p, 7))
        assert complete
        assert set(got) == naive_row_splits(run, 7), run


def test_known_ambiguity_is_reported_as_several_readings() -> None:
    got, _ = splits(["276012036"], 7, lambda p: row_total_ok(p, 7))
    assert set(got) == {(27, 6, 0, 1, 2, 0, 36), (2, 7, 6, 0, 1, 20, 36)}


def test_token_boundaries_are_respected() -> None:
    got, _ = splits(["12", "3"], 3)
    assert set(got) == {(1, 2, 3)}
    got, _ = splits(["12", "3"], 2)
    assert set(got) == {(12, 3)}
    assert splits(["12", "x"], 2) == ([], True)
    assert splits(["1"], 2) == ([], True)


def test_grouped_totals_for_section_four() -> None:
    run = "".join(str(v) for v in (12, 0, 3, 0, 15, 0, 1, 0, 1, 2, 1, 0, 0, 0, 1))
    got, complete = splits([run], 15, lambda p: grouped_totals_ok(p, 5))
    assert complete and (12, 0, 3, 0, 15, 0, 1, 0, 1, 2, 1, 0, 0, 0, 1) in got
    assert all(grouped_totals_ok(r, 5) and len(r) == 15 for r in got)


def test_search_gives_up_instead_of_running_forever() -> None:
    _, complete = splits(["9" * 60], 15, None, max_steps=1000)
    assert complete is False


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=6, max_size=6))
def test_true_row_is_always_among_the_readings(values: list[int]) -> None:
    row = (*values, sum(values))
    run = "".join(str(v) for v in row)
    got, complete = splits([run], 7, lambda p: row_total_ok(p, 7))
    assert complete and row in got
