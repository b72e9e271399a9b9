"""The reference sample shipped with the project (淄博市工业和信息化局 2022 年报, from a published report)."""

from __future__ import annotations

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "demo"
SAMPLE_REPORT = SAMPLES_DIR / "sample_report.yaml"
SAMPLE_NOTES = SAMPLES_DIR / "sample_notes.md"


def sample_notes_text() -> str:
    """The sample bullet notes (data-contract §3)."""
    return SAMPLE_NOTES.read_text(encoding="utf-8")
