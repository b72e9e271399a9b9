"""Version history of drafted parts, notes and report per workspace: SQLite (WAL) in the user data dir."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ..checks import Finding
from ..schema import Report, load_report, report_to_data
from .settings import load_settings
from .storefile import open_store_file, store_errors

VersionStatus = Literal["draft", "accepted", "interrupted"]
DB_NAME = "drafts.sqlite3"


class VersionNotFoundError(KeyError):
    """No version with that id."""

    def __str__(self) -> str:
        return f"找不到编号为 {self.args[0]} 的稿件版本"


@dataclass
class Version:
    """One stored draft of one part."""

    id: int
    workspace: str
    part: str
    text: str
    instruction: str | None
    backend: str
    created_at: str
    findings: list[Finding] = field(default_factory=list)
    status: VersionStatus = "draft"

    def to_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "workspace": self.workspace,
            "part": self.part,
            "text": self.text,
            "instruction": self.instruction,
            "backend": self.backend,
            "created_at": self.created_at,
            "findings": [f.to_data() for f in self.findings],
            "status": self.status,
        }


def _m1(db: sqlite3.Connection) -> None:
    # One statement per execute(): executescript() would commit the migration transaction midway.
    for statement in (
        "CREATE TABLE notes (workspace TEXT NOT NULL, part TEXT NOT NULL, text TEXT NOT NULL,"
        " updated_at TEXT NOT NULL, PRIMARY KEY (workspace, part))",
        "CREATE TABLE reports (workspace TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE TABLE versions (id INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL, part TEXT NOT NULL,"
        " text TEXT NOT NULL, instruction TEXT, backend TEXT NOT NULL, created_at TEXT NOT NULL,"
        " findings TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'draft')",
        "CREATE INDEX versions_by_part ON versions (workspace, part, id)",
    ):
        db.execute(statement)


# Schema migrations, one small function each; PRAGMA user_version records how many have run.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class VersionStore:
    """Notes, report and every drafted version per workspace ("default" for the CLI), in SQLite.

    WAL journal and a commit per write, so a killed process loses nothing already returned.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            path = load_settings().data_dir / DB_NAME
        elif path.is_dir() or path.suffix == "":
            path = path / DB_NAME
        self.path = path
        self._lock = threading.Lock()
        self._db = open_store_file(path)  # damaged, read-only or full: a Chinese StoreError
        self._migrate()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> VersionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, store_errors(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # a failed COMMIT (full disk) leaves the transaction open: close it so the next write can start
                if self._db.in_transaction:
                    with suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        with self._tx() as db:
            done = db.execute("PRAGMA user_version").fetchone()[0]
            for i, migration in enumerate(MIGRATIONS[done:], done + 1):
                migration(db)
                db.execute(f"PRAGMA user_version = {i}")

    # ------------------------------------------------------------ notes and report

    def save_notes(self, workspace: str, part: str, text: str) -> None:
        """Keep the user's notes of one part (``part`` may also be "all" for the whole notes text)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, ?) ON CONFLICT (workspace, part) DO UPDATE "
                "SET text = excluded.text, updated_at = excluded.updated_at",
                (workspace, part, text, _now()),
            )

    def load_notes(self, workspace: str, part: str) -> str | None:
        row = self._db.execute("SELECT text FROM notes WHERE workspace = ? AND part = ?", (workspace, part)).fetchone()
        return None if row is None else str(row["text"])

    def save_report(self, workspace: str, report: Report) -> None:
        data = json.dumps(report_to_data(report), ensure_ascii=False)
        with self._tx() as db:
            db.execute(
                "INSERT INTO reports VALUES (?, ?, ?) ON CONFLICT (workspace) DO UPDATE "
                "SET data = excluded.data, updated_at = excluded.updated_at",
                (workspace, data, _now()),
            )

    def load_report(self, workspace: str) -> Report | None:
        row = self._db.execute("SELECT data FROM reports WHERE workspace = ?", (workspace,)).fetchone()
        return None if row is None else load_report(json.loads(row["data"]))

    # ------------------------------------------------------------ versions

    @staticmethod
    def _version(row: sqlite3.Row) -> Version:
        findings = [Finding.model_validate(f) for f in json.loads(row["findings"])]
        return Version(
            row["id"],
            row["workspace"],
            row["part"],
            row["text"],
            row["instruction"],
            row["backend"],
            row["created_at"],
            findings,
            row["status"],
        )

    def add_version(
        self,
        workspace: str,
        part: str,
        text: str,
        *,
        instruction: str | None,
        backend: str,
        findings: list[Finding],
        status: VersionStatus = "draft",
    ) -> Version:
        """Store a new version (never overwrites an earlier one)."""
        data = json.dumps([f.to_data() for f in findings], ensure_ascii=False)
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO versions (workspace, part, text, instruction, backend, created_at, findings, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (workspace, part, text, instruction, backend, _now(), data, status),
            )
            version_id = cur.lastrowid
        assert version_id is not None
        return self.get_version(version_id)

    def list_versions(self, workspace: str, part: str) -> list[Version]:
        """All versions of a part, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM versions WHERE workspace = ? AND part = ? ORDER BY id", (workspace, part)
        ).fetchall()
        return [self._version(r) for r in rows]

    def get_version(self, version_id: int) -> Version:
        row = self._db.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
        if row is None:
            raise VersionNotFoundError(version_id)
        return self._version(row)

    def latest(self, workspace: str, part: str) -> Version | None:
        row = self._db.execute(
            "SELECT * FROM versions WHERE workspace = ? AND part = ? ORDER BY id DESC LIMIT 1", (workspace, part)
        ).fetchone()
        return None if row is None else self._version(row)

    def accept(self, version_id: int) -> Version:
        """Mark a version as the accepted text of its part (the previously accepted one goes back to draft)."""
        version = self.get_version(version_id)
        with self._tx() as db:
            db.execute(
                "UPDATE versions SET status = 'draft' WHERE workspace = ? AND part = ? AND status = 'accepted'",
                (version.workspace, version.part),
            )
            db.execute("UPDATE versions SET status = 'accepted' WHERE id = ?", (version_id,))
        return self.get_version(version_id)

    def accepted(self, workspace: str, part: str) -> Version | None:
        row = self._db.execute(
            "SELECT * FROM versions WHERE workspace = ? AND part = ? AND status = 'accepted' ORDER BY id DESC LIMIT 1",
            (workspace, part),
        ).fetchone()
        return None if row is None else self._version(row)

    def diff(self, a_id: int, b_id: int) -> str:
        """Unified diff of two versions, one sentence per line (readable for Chinese prose)."""
        a, b = self.get_version(a_id), self.get_version(b_id)
        return "".join(
            difflib.unified_diff(
                sentence_lines(a.text),
                sentence_lines(b.text),
                fromfile=f"版本 {a.id}（{a.created_at}）",
                tofile=f"版本 {b.id}（{b.created_at}）",
                lineterm="\n",
            )
        )

    def workspaces(self) -> list[str]:
        rows = self._db.execute(
            "SELECT workspace FROM versions UNION SELECT workspace FROM notes UNION SELECT workspace FROM reports "
            "ORDER BY workspace"
        ).fetchall()
        return [r[0] for r in rows]


def sentence_lines(text: str) -> list[str]:
    """Split prose after 。；！？ and at line breaks, each piece ending in a newline."""
    pieces = [p for p in re.split(r"(?<=[。；！？])|\n", text) if p.strip()]
    return [p.strip() + "\n" for p in pieces]
