"""Helpers of the evidence suites (tests/test_evidence_*.py): a seeded store and the "nothing lost" check."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.drafting import PARTS, Notes, VersionStore, draft_offline, parse_notes
from assistant.schema import Report, load_report_file

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_REPORT = ROOT / "assistant" / "samples" / "sample_report.yaml"
SAMPLE_NOTES = ROOT / "assistant" / "samples" / "sample_notes.md"
# Recognisable, so a leak anywhere (output, store, export, log) is found by a plain substring search.
SECRET = "sk-evidence-KEY-5c1e0b7d9a"
# Keys the store uses for things that are not per-part notes.
NOTE_KEYS: tuple[str, ...] = ("all", *PARTS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample_report() -> Report:
    return load_report_file(SAMPLE_REPORT)


def sample_notes_text() -> str:
    return SAMPLE_NOTES.read_text(encoding="utf-8")


def sample_notes() -> Notes:
    return parse_notes(sample_notes_text())


@dataclass(frozen=True)
class Snapshot:
    """What a clerk must never lose: the notes and every stored version with its status."""

    notes: dict[str, str | None]
    versions: dict[int, dict[str, Any]]
    accepted: dict[str, int | None]


def seed_workspace(store: VersionStore, workspace: str, notes_text: str | None = None) -> Snapshot:
    """Notes for every part and, per part, an accepted version and a later draft (the clerk's work so far)."""
    text = notes_text if notes_text is not None else sample_notes_text()
    notes, report = parse_notes(text), sample_report()
    store.save_notes(workspace, "all", text)
    for part in PARTS:
        store.save_notes(workspace, part, notes.text(part))
        accepted = store.add_version(workspace, part, draft_offline(part, notes, report), instruction=None,
                                     backend="offline", findings=[])
        store.accept(accepted.id)
        store.add_version(workspace, part, f"（{workspace} 的未采纳草稿）", instruction="更简洁", backend="llm",
                          findings=[])
    return snapshot(store, workspace)


def snapshot(store: VersionStore, workspace: str) -> Snapshot:
    versions: dict[int, dict[str, Any]] = {}
    accepted: dict[str, int | None] = {}
    for part in PARTS:
        for v in store.list_versions(workspace, part):
            versions[v.id] = v.to_data()
        acc = store.accepted(workspace, part)
        accepted[part] = acc.id if acc else None
    return Snapshot({k: store.load_notes(workspace, k) for k in NOTE_KEYS}, versions, accepted)


def assert_intact(store: VersionStore, workspace: str, before: Snapshot) -> Snapshot:
    """The notes and every earlier version are unchanged, the accepted ones still accepted; new versions are
    never accepted on their own. Returns the snapshot after."""
    after = snapshot(store, workspace)
    assert after.notes == before.notes, "要点被改动"
    assert after.accepted == before.accepted, "已采纳的稿件被改动"
    for vid, data in before.versions.items():
        assert after.versions.get(vid) == data, f"第 {vid} 号稿件被改动或丢失"
    for vid, data in after.versions.items():
        if vid not in before.versions:
            assert data["status"] in ("draft", "interrupted"), f"新稿件 {vid} 未经采纳却成了 {data['status']}"
    return after
