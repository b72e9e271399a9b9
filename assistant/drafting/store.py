"""Version history of drafted parts, notes and report per workspace: SQLite (WAL) in the user data dir."""

from __future__ import annotations

import difflib
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from ..checks import Finding
from ..schema import Report, load_report, report_to_data
from .settings import load_settings
from .storefile import StoreError, open_store_file, store_errors
from .storefile import reason as store_reason

VersionStatus = Literal["draft", "accepted", "interrupted"]
DB_NAME = "drafts.sqlite3"
BUSY_TIMEOUT_MS = 10_000
log = logging.getLogger(__name__)



class StaleReportError(StoreError):
    """The page edited an older revision of the report than the stored one: it must reload first."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(expected, actual)
        self.expected, self.actual = expected, actual

    def __str__(self) -> str:
        return "报告已在别处（另一个页面或窗口）修改过，本页显示的是旧数据；请刷新页面后再修改，以免覆盖较新的内容。"


class CellConflictError(StaleReportError):
    """Cells this page changed were changed elsewhere meanwhile (to other values): reload before editing."""

    def __init__(self, cells: list[str], labels: list[str]) -> None:
        super().__init__(-1, -1)
        self.cells, self.labels = cells, labels

    def __str__(self) -> str:
        shown = "；".join(self.labels[:3]) + (f" 等 {len(self.labels)} 处" if len(self.labels) > 3 else "")
        return (f"以下单元格已在别处（另一个页面或窗口）改过：{shown}。为免覆盖较新的数字，本次修改未保存；"
                "请刷新页面后再修改。")


class StoreUnavailableError(StoreError):
    """The store could not be written (full disk, read-only file, held by another process too long)."""

    @classmethod
    def of(cls, exc: sqlite3.OperationalError, path: Path) -> StoreUnavailableError:
        """The Chinese reason (one wording for the store file's problems: ``storefile.reason``)."""
        log.error("store write failed: %s", exc)
        return cls(store_reason(exc, path), path=path)

    def __str__(self) -> str:
        return str(self.args[0])


class ReportLockedError(StoreError):
    """The report is submitted for review: nobody changes it until the reviewer returns or approves it."""

    def __str__(self) -> str:
        return "报告已提交审核，审核人退回修改或审核通过之前不能修改；如需修改，请联系审核人退回。"


class NothingToUndoError(StoreError):
    """No bulk action left to undo (or redo)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "没有可以撤销的操作。"


class VersionNotFoundError(StoreError, KeyError):
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


def _m2(db: sqlite3.Connection) -> None:
    """Several reports per user: an index of reports (owner, name, kind, soft delete), a revision per
    report (stale pages are refused), versioned notes and an undo history of bulk actions.

    Every existing workspace becomes one report of its own, with the workspace as owner and the same
    key, so its notes, versions and chats stay attached.
    """
    for statement in (
        "ALTER TABLE reports ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
        "CREATE TABLE report_index (id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL,"
        " kind TEXT NOT NULL DEFAULT 'own', created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT)",
        "CREATE INDEX report_index_by_owner ON report_index (owner, updated_at)",
        "INSERT INTO report_index (id, owner, name, kind, created_at, updated_at) SELECT workspace, workspace,"
        " COALESCE(json_extract(data, '$.agency'), '') || COALESCE(json_extract(data, '$.year'), '') || '年度报告',"
        " 'own', updated_at, updated_at FROM reports",
        "CREATE TABLE notes_history (id INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL,"
        " part TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL)",
        "CREATE INDEX notes_history_by_part ON notes_history (workspace, part, id)",
        "INSERT INTO notes_history (workspace, part, text, created_at) SELECT workspace, part, text, updated_at"
        " FROM notes WHERE part NOT LIKE '\\_%' ESCAPE '\\' AND part NOT LIKE 'chat:%'",
        "CREATE TABLE report_history (id INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL,"
        " label TEXT NOT NULL, before TEXT, after TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0,"
        " created_at TEXT NOT NULL)",
        "CREATE INDEX report_history_by_ws ON report_history (workspace, id)",
    ):
        db.execute(statement)


def _m3(db: sqlite3.Connection) -> None:
    """Review and sign-off (issue 15): accounts with hashed passwords, shares, verdicts, comments, a review
    state per report, approvals (the approved report kept whole) and a history of every review action.

    Existing reports keep their data; they start in the 编写中 state with nothing shared.
    """
    for statement in (
        "ALTER TABLE report_index ADD COLUMN review_state TEXT NOT NULL DEFAULT 'editing'",
        "CREATE TABLE users (name TEXT PRIMARY KEY, owner TEXT NOT NULL UNIQUE, password TEXT NOT NULL,"
        " created_at TEXT NOT NULL)",
        "CREATE TABLE shares (report_id TEXT NOT NULL, grantee TEXT NOT NULL, role TEXT NOT NULL,"
        " granted_by TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (report_id, grantee))",
        "CREATE INDEX shares_by_grantee ON shares (grantee)",
        "CREATE TABLE verdicts (id INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT NOT NULL, anchor TEXT NOT NULL,"
        " data TEXT NOT NULL, created_at TEXT NOT NULL)",
        "CREATE INDEX verdicts_by_report ON verdicts (report_id, id)",
        "CREATE TABLE comments (id INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT NOT NULL, target TEXT NOT NULL,"
        " text TEXT NOT NULL, author TEXT NOT NULL, parent INTEGER, created_at TEXT NOT NULL,"
        " resolved_by TEXT, resolved_at TEXT)",
        "CREATE INDEX comments_by_report ON comments (report_id, id)",
        "CREATE TABLE approvals (id INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT NOT NULL,"
        " revision INTEGER NOT NULL, data TEXT NOT NULL, approver TEXT NOT NULL, created_at TEXT NOT NULL)",
        "CREATE INDEX approvals_by_report ON approvals (report_id, id)",
        "CREATE TABLE review_history (id INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT NOT NULL,"
        " who TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)",
        "CREATE INDEX review_history_by_report ON review_history (report_id, id)",
    ):
        db.execute(statement)


# Schema migrations, one small function each; PRAGMA user_version records how many have run.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1, _m2, _m3]


def versioned_notes_key(part: str) -> bool:
    """Notes keys whose every change is kept (the clerk's notes; not chats, settings or markers)."""
    return not part.startswith(("_", "chat:"))


@dataclass
class NotesVersion:
    """One saved state of a part's notes."""

    id: int
    part: str
    text: str
    created_at: str


@dataclass
class UndoStep:
    """One bulk action of the report (fill, auto-total, import, paste) that can be undone."""

    id: int
    label: str
    undone: bool
    created_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _ago(seconds: float) -> str:
    """The stored form of the time ``seconds`` ago (stored times compare as strings)."""
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


class VersionStore:
    """Notes, report and every drafted version per workspace ("default" for the CLI), in SQLite.

    WAL journal and a commit per write, so a killed process loses nothing already returned.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            path = self.default_path()
        elif path.is_dir() or path.suffix == "":
            path = path / DB_NAME
        self.path = path
        self._lock = threading.RLock()
        # Damaged, read-only or full: a Chinese StoreError; a new file is owner-only (0600) from its first byte.
        self._db = open_store_file(path)
        self._migrate()

    @staticmethod
    def default_path() -> Path:
        """The store file in the user data dir (``XXGK_DATA_DIR`` to move it)."""
        return load_settings().data_dir / DB_NAME

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> VersionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: the write lock is taken before the first read, so a
        read-modify-write cannot interleave with another process's; waits up to the busy timeout)."""
        with self._lock, store_errors(self.path):
            if self._db.in_transaction:  # nested: part of the enclosing transaction
                yield self._db
                return
            try:
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
            except sqlite3.OperationalError as exc:  # full disk, read-only file, held by another process too long
                raise StoreUnavailableError.of(exc, self.path) from exc

    def _migrate(self) -> None:
        with self.tx() as db:
            done = db.execute("PRAGMA user_version").fetchone()[0]
            for i, migration in enumerate(MIGRATIONS[done:], done + 1):
                migration(db)
                db.execute(f"PRAGMA user_version = {i}")

    # ------------------------------------------------------------ notes and report

    def save_notes(self, workspace: str, part: str, text: str) -> None:
        """Keep the user's notes of one part (``part`` may also be "all" for the whole notes text).

        Every change of a clerk's notes is also kept as a notes version (see ``notes_versions``).
        """
        with self.tx() as db:
            row = db.execute("SELECT text FROM notes WHERE workspace = ? AND part = ?", (workspace, part)).fetchone()
            if row is not None and row["text"] == text:
                return
            now = _now()
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, ?) ON CONFLICT (workspace, part) DO UPDATE "
                "SET text = excluded.text, updated_at = excluded.updated_at",
                (workspace, part, text, now),
            )
            if versioned_notes_key(part):
                db.execute("INSERT INTO notes_history (workspace, part, text, created_at) VALUES (?, ?, ?, ?)",
                           (workspace, part, text, now))

    def notes_versions(self, workspace: str, part: str) -> list[NotesVersion]:
        """Every saved state of a part's notes, oldest first."""
        rows = self._db.execute(
            "SELECT id, part, text, created_at FROM notes_history WHERE workspace = ? AND part = ? ORDER BY id",
            (workspace, part),
        ).fetchall()
        return [NotesVersion(r["id"], r["part"], r["text"], r["created_at"]) for r in rows]

    def notes_keys(self, workspace: str) -> dict[str, str]:
        """Every notes key of a workspace with its text (copying a report copies these)."""
        rows = self._db.execute("SELECT part, text FROM notes WHERE workspace = ?", (workspace,)).fetchall()
        return {r["part"]: r["text"] for r in rows}

    def load_notes(self, workspace: str, part: str) -> str | None:
        row = self._db.execute("SELECT text FROM notes WHERE workspace = ? AND part = ?", (workspace, part)).fetchone()
        return None if row is None else str(row["text"])

    def save_report(self, workspace: str, report: Report) -> int:
        """Store the whole report (no revision check); returns the new revision."""
        return self.update_report(workspace, lambda _old: report)[1]

    def load_report(self, workspace: str) -> Report | None:
        return self.load_report_revision(workspace)[0]

    def load_report_revision(self, workspace: str) -> tuple[Report | None, int]:
        """The stored report and its revision (0 when none is stored)."""
        row = self._db.execute("SELECT data, revision FROM reports WHERE workspace = ?", (workspace,)).fetchone()
        return (None, 0) if row is None else (load_report(json.loads(row["data"])), int(row["revision"]))

    def update_report(
        self,
        workspace: str,
        change: Callable[[Report | None], Report],
        *,
        expected_revision: int | None = None,
        undo_label: str | None = None,
    ) -> tuple[Report, int]:
        """Read, change and write the report in one ``BEGIN IMMEDIATE`` transaction.

        ``expected_revision`` (the revision the page shows) must still be the stored one, else
        ``StaleReportError`` and nothing is written. With ``undo_label`` the step can be undone
        (``undo_report``); a new step drops the steps that were undone (no redo past it).
        Returns (report, new revision).
        """
        with self.tx() as db:
            row = db.execute("SELECT data, revision FROM reports WHERE workspace = ?", (workspace,)).fetchone()
            revision = 0 if row is None else int(row["revision"])
            if expected_revision is not None and expected_revision != revision:
                log.warning("refused a change made on revision %s of a report now at revision %s",
                            expected_revision, revision)
                raise StaleReportError(expected_revision, revision)
            old = None if row is None else load_report(json.loads(row["data"]))
            new = change(old)
            after = json.dumps(report_to_data(new), ensure_ascii=False)
            if row is not None and after == row["data"]:
                # Nothing changed: no new revision, no undo step, and an approval still covers the report.
                return new, revision
            self._write_report(db, workspace, after, revision + 1)
            if undo_label is not None:
                db.execute("DELETE FROM report_history WHERE workspace = ? AND undone = 1", (workspace,))
                db.execute(
                    "INSERT INTO report_history (workspace, label, before, after, created_at) VALUES (?, ?, ?, ?, ?)",
                    (workspace, undo_label, None if row is None else row["data"], after, _now()),
                )
        return new, revision + 1

    @staticmethod
    def _write_report(db: sqlite3.Connection, workspace: str, data: str, revision: int) -> None:
        # The one write path of a report's content: the review lock is enforced here, for every shell.
        state = db.execute("SELECT review_state FROM report_index WHERE id = ?", (workspace,)).fetchone()
        if state is not None and state["review_state"] == "submitted":
            raise ReportLockedError(workspace)
        now = _now()
        db.execute(
            "INSERT INTO reports (workspace, data, updated_at, revision) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (workspace) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, "
            "revision = excluded.revision",
            (workspace, data, now, revision),
        )
        # A change after approval starts a new round: the approval stays on record, the report is 编写中 again.
        db.execute("UPDATE report_index SET updated_at = ?, review_state = CASE review_state WHEN 'approved'"
                   " THEN 'editing' ELSE review_state END WHERE id = ?", (now, workspace))

    def undo_steps(self, workspace: str) -> list[UndoStep]:
        """The report's undoable bulk actions, oldest first."""
        rows = self._db.execute(
            "SELECT id, label, undone, created_at FROM report_history WHERE workspace = ? ORDER BY id", (workspace,)
        ).fetchall()
        return [UndoStep(r["id"], r["label"], bool(r["undone"]), r["created_at"]) for r in rows]

    def undo_report(self, workspace: str) -> tuple[Report, int, str]:
        """Undo the latest bulk action still done; returns (report, revision, its label)."""
        return self._step(workspace, undo=True)

    def redo_report(self, workspace: str) -> tuple[Report, int, str]:
        """Redo the earliest undone bulk action; returns (report, revision, its label)."""
        return self._step(workspace, undo=False)

    def _step(self, workspace: str, *, undo: bool) -> tuple[Report, int, str]:
        with self.tx() as db:
            step = db.execute(
                "SELECT * FROM report_history WHERE workspace = ? AND undone = 0 ORDER BY id DESC LIMIT 1"
                if undo else
                "SELECT * FROM report_history WHERE workspace = ? AND undone = 1 ORDER BY id LIMIT 1",
                (workspace,),
            ).fetchone()
            if step is None:
                raise NothingToUndoError("没有可以撤销的操作。" if undo else "没有可以恢复（重做）的操作。")
            data = step["before"] if undo else step["after"]
            if data is None:  # the step created the report: undoing it leaves an empty report of the same kind
                data = json.dumps(report_to_data(load_report(json.loads(step["after"]))), ensure_ascii=False)
            row = db.execute("SELECT revision FROM reports WHERE workspace = ?", (workspace,)).fetchone()
            revision = (0 if row is None else int(row["revision"])) + 1
            self._write_report(db, workspace, data, revision)
            db.execute("UPDATE report_history SET undone = ? WHERE id = ?", (1 if undo else 0, step["id"]))
        return load_report(json.loads(data)), revision, str(step["label"])

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
        with self.tx() as db:
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
        with self.tx() as db:
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
