"""The demo sample shipped inside the package: a report and its bullet notes.

Based on the data of the 淄博市工业和信息化局 2022 年报 (figures and facts); every sentence of the
narrative and the notes is our own. Read through ``importlib.resources`` so an installed wheel finds them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SAMPLES_DIR = Path(str(files("assistant") / "samples"))
SAMPLE_REPORT = SAMPLES_DIR / "sample_report.yaml"
SAMPLE_NOTES = SAMPLES_DIR / "sample_notes.md"
SAMPLE_FILES = (SAMPLE_REPORT, SAMPLE_NOTES)


def sample_notes_text() -> str:
    """The sample bullet notes (data-contract §3)."""
    return SAMPLE_NOTES.read_text(encoding="utf-8")
