"""One clerk's work in the app: report, notes, chat transcripts and settings, autosaved per workspace.

No gradio here. Everything is kept in the drafting ``VersionStore`` (SQLite, WAL, a commit per write),
so a killed server loses nothing already shown. The app holds only a workspace id per browser.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..checks import CheckResult, check_report, fill_totals
from ..drafting import PARTS, DraftSettings, Notes, VersionStore, load_settings, parse_notes
from ..samples import SAMPLE_NOTES, SAMPLE_REPORT
from ..schema import Report, load_report, load_report_file, set_cells
from ..schema.document import CellValue
from ..schema.labels import NARRATIVE_SECTION

_CHAT_KEY = "chat:"
_SETTINGS_KEY = "_settings"
_MARKER_KEY = "_created"
EXPORT_MAX_AGE_S = 3600
_WS_RE = re.compile(r"^[A-Za-z0-9_:\-.@]{8,80}$")


@cache
def sample_report() -> Report:
    """The reference report shipped in the package (``assistant/samples``) (loaded once)."""
    return load_report_file(SAMPLE_REPORT)


@cache
def sample_notes() -> Notes:
    return parse_notes(SAMPLE_NOTES.read_text(encoding="utf-8"))


def new_workspace_id() -> str:
    """An unguessable id: it is the only key to a clerk's work and files."""
    return "ws-" + secrets.token_urlsafe(18)


def valid_workspace_id(ws: Any) -> bool:
    return isinstance(ws, str) and bool(_WS_RE.match(ws))


def notes_document(parts: dict[str, str]) -> str:
    """The per-part notes as one notes document (data-contract §3), for the drafter and its guard."""
    return "\n".join(f"# {NARRATIVE_SECTION_SHORT[p]}\n{parts[p].strip()}\n" for p in PARTS if parts.get(p, "").strip())


NARRATIVE_SECTION_SHORT: dict[str, str] = {
    "overview": "总体情况",
    "problems": "存在问题",
    "improvements": "改进情况",
    "other_matters": "其他需要报告的事项",
}


@dataclass
class Workspace:
    """A workspace in the store: every getter reads the store, every setter writes it at once."""

    store: VersionStore
    id: str

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, store: VersionStore, ws: Any) -> tuple[Workspace, bool]:
        """The workspace ``ws`` if it exists in the store, else a new one seeded with the sample.

        Returns (workspace, created).
        """
        if valid_workspace_id(ws) and store.load_notes(ws, _MARKER_KEY) is not None:
            return cls(store, ws), False
        space = cls(store, ws if valid_workspace_id(ws) else new_workspace_id())
        space.load_sample()
        store.save_notes(space.id, _MARKER_KEY, "1")
        return space, True

    def load_sample(self) -> Report:
        """Replace report and notes by the sample (drafted versions are kept)."""
        for part in PARTS:
            self.save_notes(part, sample_notes().text(part))
        return self.save_report(sample_report())

    # ------------------------------------------------------------ report

    def report(self) -> Report:
        saved = self.store.load_report(self.id)
        return saved if saved is not None else sample_report()

    def save_report(self, report: Report) -> Report:
        self.store.save_report(self.id, report)
        return report

    def set_cells(self, values: dict[str, CellValue]) -> Report:
        report = self.report()
        return self.save_report(set_cells(report, values)) if values else report

    def fill_totals(self) -> Report:
        return self.save_report(fill_totals(self.report()))

    def set_narrative(self, part: str, text: str) -> Report:
        from ..schema import report_to_data

        data = report_to_data(self.report())
        data.setdefault("narrative", {})
        data["narrative"][part] = text
        return self.save_report(load_report(data))

    def check(self, report: Report | None = None) -> CheckResult:
        return check_report(report if report is not None else self.report())

    # ------------------------------------------------------------ notes and chats

    def notes(self, part: str) -> str:
        return self.store.load_notes(self.id, part) or ""

    def save_notes(self, part: str, text: str) -> None:
        self.store.save_notes(self.id, part, text)

    def notes_all(self) -> Notes:
        return parse_notes(notes_document({p: self.notes(p) for p in PARTS}) or "# 总体情况\n")

    def chat(self, part: str) -> list[dict[str, str]]:
        raw = self.store.load_notes(self.id, _CHAT_KEY + part)
        return list(json.loads(raw)) if raw else []

    def save_chat(self, part: str, messages: list[dict[str, str]]) -> None:
        self.store.save_notes(self.id, _CHAT_KEY + part, json.dumps(messages, ensure_ascii=False))

    # ------------------------------------------------------------ settings

    def settings_data(self) -> dict[str, Any]:
        raw = self.store.load_notes(self.id, _SETTINGS_KEY)
        return dict(json.loads(raw)) if raw else {}

    def save_settings(self, base_url: str | None, model: str | None, offline: bool) -> None:
        data = {"base_url": (base_url or "").strip() or None, "model": (model or "").strip() or None,
                "offline": bool(offline)}
        self.store.save_notes(self.id, _SETTINGS_KEY, json.dumps(data, ensure_ascii=False))

    def drafting_settings(self, force_offline: bool = False) -> DraftSettings:
        """The environment's settings with this workspace's overrides; the key always comes from the environment."""
        data = {k: v for k, v in self.settings_data().items() if v is not None}
        if force_offline:
            data["offline"] = True
        return load_settings(**data)

    # ------------------------------------------------------------ files

    def export_dir(self) -> Path:
        """A fresh directory of this workspace's own: exports are written nowhere another session could list.

        Earlier export directories of the workspace older than ``EXPORT_MAX_AGE_S`` are removed.
        """
        root = Path(tempfile.gettempdir()) / "xxgk-exports" / self.id
        if root.is_dir():
            cutoff = time.time() - EXPORT_MAX_AGE_S
            for old in root.iterdir():
                if old.is_dir() and old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
        path = root / secrets.token_hex(8)
        path.mkdir(parents=True, exist_ok=True)
        return path


def part_title(part: str) -> str:
    return NARRATIVE_SECTION.get(part, part)
