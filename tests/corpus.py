"""Where tests find documents: our own fixtures always, the third-party corpus only when it is there.

Third-party documents (real published reports: the seed text, the published PDFs) are never committed. Tests
that use them read them from the corpus folder — ``XXGK_CORPUS_DIR``, else ``../shared`` beside the repository —
and skip, saying why, when it is absent. Our own fixtures cover the same code paths in a bare clone:
``OWN_REPORT_TEXT`` is the sample report (our sentences, the sample's figures) in a published report's text
layout, and ``OWN_REPORT_PDF`` the same text printed to PDF by LibreOffice.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OWN_REPORT_TEXT = FIXTURES / "sample_published.txt"
OWN_REPORT_PDF = FIXTURES / "sample_textlayer.pdf"
SIBLING = "shared"  # the corpus folder's name beside the repository (the one place a test names it)
SEED = "seeds/000_17d8c9157013497c.txt"
PUBLISHED = "fixtures/published"


def corpus_dir() -> Path | None:
    """The third-party corpus folder, or None when this checkout has none."""
    configured = os.environ.get("XXGK_CORPUS_DIR")
    folder = Path(configured) if configured else ROOT.parent / SIBLING
    return folder if folder.is_dir() else None


def corpus_path(relative: str) -> Path:
    """A file or folder of the corpus; skips the calling test (with the reason) when it is not there."""
    folder = corpus_dir()
    if folder is None:
        pytest.skip(
            "third-party corpus absent (set XXGK_CORPUS_DIR or put shared/ beside the repository): "
            f"this test reads a real published report ({relative}), which is never committed"
        )
    path = folder / relative
    if not path.exists():
        pytest.skip(f"{relative} is not in the corpus folder {folder}")
    return path


class CorpusPath(os.PathLike[str]):
    """A corpus path that resolves (or skips the test using it) only when it is used, not at import.

    Module constants such as ``SEED = CorpusPath(SEED)`` keep a test module importable in a bare clone;
    ``parse_file(SEED)``, ``SEED.read_text()`` or ``PUBLISHED / "x.pdf"`` skip that one test there.
    """

    def __init__(self, relative: str) -> None:
        self.relative = relative

    def path(self) -> Path:
        return corpus_path(self.relative)

    def __fspath__(self) -> str:
        return str(self.path())

    def __truediv__(self, name: str) -> Path:
        return corpus_path(f"{self.relative}/{name}")

    def __str__(self) -> str:
        return str(self.path())

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.path().read_text(encoding=encoding)

    def exists(self) -> bool:
        folder = corpus_dir()
        return folder is not None and (folder / self.relative).exists()
