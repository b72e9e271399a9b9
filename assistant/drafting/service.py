"""Drafting with history: draft or redraft parts and keep every version in the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema import Report
from .notes import Notes, check_part
from .results import DraftResult
from .store import Version, VersionStore

if TYPE_CHECKING:
    from .chain import Drafter


def store_result(store: VersionStore, workspace: str, result: DraftResult, instruction: str | None = None) -> Version:
    """Keep one drafted part as a new version."""
    return store.add_version(
        workspace, result.part, result.text, instruction=instruction, backend=result.backend, findings=result.findings
    )


def redraft(
    drafter: Drafter,
    store: VersionStore,
    workspace: str,
    part: str,
    notes: Notes,
    report: Report,
    instruction: str | None = None,
    base_version: int | None = None,
) -> tuple[DraftResult, Version]:
    """Redraft one part following a reviewer's instruction ("更简洁", "补充培训情况" …).

    The model revises ``base_version`` (default: the accepted version, else the latest); the result is
    stored as a new version, so every earlier version stays available for diffs.
    """
    check_part(part)
    base = (
        store.get_version(base_version)
        if base_version is not None
        else (store.accepted(workspace, part) or store.latest(workspace, part))
    )
    result = drafter.draft_part(part, notes, report, instruction=instruction, previous_text=base.text if base else None)
    return result, store_result(store, workspace, result, instruction)


def placeholder_report(year: int | None = None, agency: str = "本机关") -> Report:
    """A report with no tables, for drafting from notes alone: last calendar year unless ``year`` is given.

    The table-derived sentences are then left out and any table figure the text states is untraceable.
    """
    from datetime import date

    from ..schema import load_report

    return load_report({"format": "2021", "year": year or date.today().year - 1, "agency": agency})


def draft_text(
    notes_text: str,
    report: Report | None = None,
    parts: list[str] | None = None,
    instruction: str | None = None,
    offline: bool = False,
    drafter: Drafter | None = None,
    previous: Report | None = None,
) -> dict[str, DraftResult]:
    """Parse the notes and draft the parts (concurrently); ``offline`` forces the deterministic drafter.
    ``previous`` (last year's report) makes the guard flag 疑似沿用上年数据."""
    from .notes import parse_notes
    from .settings import load_settings

    notes = parse_notes(notes_text)
    report = report or placeholder_report()
    if drafter is None:
        from .chain import Drafter

        drafter = Drafter(load_settings(offline=True) if offline else load_settings(), previous=previous)
    wanted = [check_part(p) for p in (parts or ["overview", "problems", "improvements", "other_matters"])]
    if instruction:
        return {p: drafter.draft_part(p, notes, report, instruction=instruction) for p in wanted}
    return drafter.draft_all(notes, report, wanted)
