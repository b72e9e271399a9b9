"""A user's reports: several per owner (list, create, open, rename, duplicate, delete and restore), in the store.

An owner is the key of one clerk's work (the browser's workspace, a login, "default" for the CLI). Each
report has its own id; its table data, notes, chats and drafted versions are keyed by that id in the
``VersionStore``. A report is reachable only through its owner: every lookup checks the owner.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Literal

from ..schema import Report, ReportInputError, load_report, report_to_data
from .keys import move_key
from .notes import PARTS
from .store import StoreError, VersionStore, _ago, _now

log = logging.getLogger(__name__)

ReportKind = Literal["own", "sample"]
CURRENT_KEY = "_current"
REFERENCE_PREFIX = "reference:"  # last year's narrative of a part, offered beside the notes (never as notes)
PREVIOUS_KEY = "_previous"  # last year's report (as parsed), kept with the report for the side-by-side view
SAMPLE_NAME = "示例"
NAME_MAX = 60


class ReportNotFoundError(StoreError, KeyError):
    """No report with that id among the owner's reports (also when it belongs to someone else)."""

    def __str__(self) -> str:
        return "找不到这份报告（可能已被删除）；请在“我的报告”中重新选择。"


class NotOwnerError(StoreError, PermissionError):
    """Only the owner renames, deletes or restores a report (a colleague it is shared with may not)."""

    def __str__(self) -> str:
        return "这份报告是同事共享给您的，只有起草人可以重命名、删除或恢复它。"


class ReportNameError(StoreError, ValueError):
    """A report name that is empty or too long."""

    def __str__(self) -> str:
        return f"报告名称不能为空，且不超过 {NAME_MAX} 个字。"


@dataclass(frozen=True)
class ReportEntry:
    """One report of an owner, as listed."""

    id: str
    owner: str
    name: str
    kind: ReportKind
    created_at: str
    updated_at: str
    deleted_at: str | None = None
    role: str = "owner"  # owner, or the role a colleague shared it with (editor / reviewer)
    review_state: str = "editing"

    @property
    def is_sample(self) -> bool:
        return self.kind == "sample"

    @property
    def shared_with_me(self) -> bool:
        return self.role != "owner"


def default_name(report: Report) -> str:
    """The list name of a report: agency and year (the title without its fixed words)."""
    return f"{report.agency}{report.year}年度报告"


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise ReportNameError(name)
    return name


class Library:
    """The reports of one owner in a ``VersionStore``.

    ``seat`` names one browser of the owner: the report open there is remembered per seat, so two browsers
    of one login keep their own open report (the owner's last opened one is the default for a new browser).
    """

    def __init__(self, store: VersionStore, owner: str, seat: str | None = None) -> None:
        self.store = store
        self.owner = owner
        self.seat = seat

    def _remember(self, report_id: str) -> None:
        self.store.save_notes(self.owner, CURRENT_KEY, report_id)
        if self.seat:
            self.store.save_notes(self.owner, f"{CURRENT_KEY}:{self.seat}", report_id)

    # ------------------------------------------------------------ reading

    @staticmethod
    def _entry(r: sqlite3.Row) -> ReportEntry:
        return ReportEntry(r["id"], r["owner"], r["name"], r["kind"], r["created_at"], r["updated_at"], r["deleted_at"],
                           r["role"], r["review_state"])

    # The owner's own reports and those colleagues shared with them (with the role they were given).
    _VISIBLE = ("SELECT i.*, CASE WHEN i.owner = :me THEN 'owner' ELSE s.role END AS role FROM report_index i "
                "LEFT JOIN shares s ON s.report_id = i.id AND s.grantee = :me WHERE (i.owner = :me OR s.grantee = :me)")

    def entries(self, *, deleted: bool = False) -> list[ReportEntry]:
        """The owner's reports and those shared with them, most recently changed first (``deleted``: the
        owner's deleted ones instead)."""
        rows = self.store._db.execute(
            self._VISIBLE + " AND (i.deleted_at IS NOT NULL) = :deleted AND (:deleted = 0 OR i.owner = :me)"
            " ORDER BY i.updated_at DESC, i.id",
            {"me": self.owner, "deleted": int(deleted)},
        ).fetchall()
        return [self._entry(r) for r in rows]

    def get(self, report_id: str, *, deleted: bool = False) -> ReportEntry:
        """The report ``report_id`` if it is the owner's or shared with them; else ``ReportNotFoundError``
        (also when deleted, unless ``deleted``)."""
        row = self.store._db.execute(self._VISIBLE + " AND i.id = :id", {"me": self.owner, "id": report_id}).fetchone()
        if row is None or (row["deleted_at"] is not None) != deleted:
            raise ReportNotFoundError(report_id)
        return self._entry(row)

    def _own(self, report_id: str, *, deleted: bool = False) -> ReportEntry:
        entry = self.get(report_id, deleted=deleted)
        if entry.shared_with_me:
            raise NotOwnerError(report_id)
        return entry

    def current(self) -> ReportEntry | None:
        """The report the owner last opened (else the most recently changed one, else None)."""
        keys = ([f"{CURRENT_KEY}:{self.seat}"] if self.seat else []) + [CURRENT_KEY]
        for key in keys:
            chosen = self.store.load_notes(self.owner, key)
            if chosen:
                try:
                    return self.get(chosen)
                except ReportNotFoundError:
                    log.info("the last opened report is gone (deleted or no longer shared); trying the next choice")
        reports = self.entries()
        return reports[0] if reports else None

    def open(self, report_id: str) -> ReportEntry:
        """Make ``report_id`` the owner's current report."""
        entry = self.get(report_id)
        self._remember(entry.id)
        return entry

    # ------------------------------------------------------------ creating

    def create(
        self,
        report: Report,
        *,
        name: str | None = None,
        kind: ReportKind = "own",
        notes: dict[str, str] | None = None,
        reference: dict[str, str] | None = None,
        report_id: str | None = None,
    ) -> ReportEntry:
        """A new report of the owner (opened at once). ``notes`` are this report's notes per part;
        ``reference`` last year's narrative per part, kept apart from the notes. One transaction."""
        rid = report_id or "r-" + secrets.token_urlsafe(12)
        label = _clean_name(name or default_name(report))
        now = _now()
        with self.store.tx() as db:
            db.execute(
                "INSERT INTO report_index (id, owner, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (rid, self.owner, label, kind, now, now),
            )
            self.store.save_report(rid, report)
            for part, text in (notes or {}).items():
                if text.strip():
                    self.store.save_notes(rid, part, text)
            for part, text in (reference or {}).items():
                if text and text.strip():
                    self.store.save_notes(rid, REFERENCE_PREFIX + part, text)
            self._remember(rid)
        return self.get(rid)

    def set_reference(self, report_id: str, reference: dict[str, str]) -> None:
        """Last year's narrative, part by part, offered beside the notes of ``report_id`` (replaces any earlier)."""
        entry = self.get(report_id)
        with self.store.tx():
            for part in PARTS:
                text = (reference.get(part) or "").strip()
                self.store.save_notes(entry.id, REFERENCE_PREFIX + part, text)

    def sample(self, report: Report, notes: dict[str, str]) -> ReportEntry:
        """The owner's 示例 report (created from ``report``/``notes`` the first time), opened.

        Opening it never touches any other report.
        """
        for entry in self.entries():
            if entry.is_sample and not entry.shared_with_me:
                return self.open(entry.id)
        return self.create(report, name=SAMPLE_NAME, kind="sample", notes=notes)

    def duplicate(self, report_id: str, name: str | None = None) -> ReportEntry:
        """A copy of a report: tables, metadata, accepted narrative and notes (not its drafting history)."""
        entry = self.get(report_id)
        report = self.store.load_report(entry.id)
        if report is None:
            raise ReportNotFoundError(report_id)
        keys = self.store.notes_keys(entry.id)
        notes: dict[str, str] = {p: keys[p] for p in PARTS if p in keys}
        reference = {k[len(REFERENCE_PREFIX):]: v for k, v in keys.items() if k.startswith(REFERENCE_PREFIX)}
        with self.store.tx():
            copy = self.create(report, name=name or f"{entry.name}（副本）"[:NAME_MAX], notes=notes, reference=reference)
            if PREVIOUS_KEY in keys:  # last year's report comes along (the copy keeps 与上年度对照)
                self.store.save_notes(copy.id, PREVIOUS_KEY, keys[PREVIOUS_KEY])
        return copy

    # ------------------------------------------------------------ changing

    def rename(self, report_id: str, name: str) -> ReportEntry:
        entry = self._own(report_id)
        with self.store.tx() as db:
            db.execute("UPDATE report_index SET name = ? WHERE id = ?", (_clean_name(name), entry.id))
        return self.get(entry.id)

    def delete(self, report_id: str) -> ReportEntry:
        """Move a report to the deleted list (kept whole: ``restore`` brings it back)."""
        entry = self._own(report_id)
        with self.store.tx() as db:
            db.execute("UPDATE report_index SET deleted_at = ? WHERE id = ?", (_now(), entry.id))
        return self.get(entry.id, deleted=True)

    def restore(self, report_id: str) -> ReportEntry:
        """Undo a delete."""
        entry = self._own(report_id, deleted=True)
        with self.store.tx() as db:
            db.execute("UPDATE report_index SET deleted_at = NULL WHERE id = ?", (entry.id,))
        return self.open(entry.id)

    def reference(self, report_id: str, part: str) -> str:
        """Last year's narrative of a part, if the report was created from last year's report."""
        return self.store.load_notes(self.get(report_id).id, REFERENCE_PREFIX + part) or ""


def keep_previous(store: VersionStore, report_id: str, previous: Report) -> None:
    """Keep last year's report with this year's (the side-by-side view, cross-year checks, drafting guard)."""
    store.save_notes(report_id, PREVIOUS_KEY, json.dumps(report_to_data(previous), ensure_ascii=False))


def load_previous(store: VersionStore, report_id: str) -> Report | None:
    """Last year's report kept with ``report_id`` (made from last year's report), else ``None``.

    An unreadable copy is logged and ignored: the cross-year checks are then skipped, as without one.
    """
    raw = store.load_notes(report_id, PREVIOUS_KEY)
    if not raw:
        return None
    try:
        return load_report(json.loads(raw))
    except (ValueError, ReportInputError):
        log.warning("last year's report kept with %s is unreadable; cross-year checks skipped", report_id)
        return None


def move_owner(store: VersionStore, old: str, new: str) -> bool:
    """Give every report and owner-level setting of ``old`` to ``new`` (once: only while ``new`` is unused).

    Returns whether anything moved.
    """
    with store.tx() as db:
        if db.execute("SELECT 1 FROM notes WHERE workspace = ? LIMIT 1", (new,)).fetchone() is not None:
            return False
        if db.execute("SELECT 1 FROM notes WHERE workspace = ? AND part = '_created'", (old,)).fetchone() is None:
            return False
        db.execute("UPDATE report_index SET owner = ? WHERE owner = ?", (new, old))
        db.execute("UPDATE notes SET workspace = ? WHERE workspace = ? AND part LIKE '\\_%' ESCAPE '\\'",
                   (new, old))
    move_key(store.path.parent, old, new)
    log.info("moved a workspace to its login-bound key")
    return True


EMPTY_OWNER_TTL_S = 24 * 3600


def expire_empty_owners(store: VersionStore, max_age_s: float = EMPTY_OWNER_TTL_S) -> int:
    """Remove owners older than ``max_age_s`` who never did anything: only the 示例, never edited, nothing
    drafted, no settings. Every page load without a stored workspace creates one; these would pile up.

    Returns how many were removed.
    """
    cutoff = _ago(max_age_s)
    with store.tx() as db:
        owners = [r[0] for r in db.execute(
            "SELECT workspace FROM notes WHERE part = '_created' AND updated_at < ?", (cutoff,)).fetchall()]
        removed = 0
        for owner in owners:
            reports = db.execute("SELECT id, kind FROM report_index WHERE owner = ?", (owner,)).fetchall()
            ids = [r["id"] for r in reports]
            if any(r["kind"] != "sample" for r in reports) or _touched(db, owner, ids):
                continue
            for rid in ids:
                _drop_report(db, rid)
            db.execute("DELETE FROM notes WHERE workspace = ?", (owner,))
            removed += 1
    if removed:
        log.info("removed %d empty workspaces older than %.0f hours", removed, max_age_s / 3600)
    return removed


def _drop_report(db: sqlite3.Connection, report_id: str) -> None:
    """Remove a report and everything kept under it (only for reports nobody worked on: see ``_touched``)."""
    for table in ("notes", "notes_history", "reports", "report_history", "versions"):
        db.execute(f"DELETE FROM {table} WHERE workspace = ?", (report_id,))
    for table in ("shares", "verdicts", "comments", "approvals", "review_history"):
        db.execute(f"DELETE FROM {table} WHERE report_id = ?", (report_id,))
    db.execute("DELETE FROM report_index WHERE id = ?", (report_id,))


def _touched(db: sqlite3.Connection, owner: str, ids: list[str], *, owner_level: bool = True) -> bool:
    """Whether an owner did anything: settings, edits of the sample, notes changed, drafts, chats
    (``owner_level=False``: only what was done to the reports ``ids``)."""
    if owner_level and db.execute("SELECT 1 FROM notes WHERE workspace = ? AND part != '_created'"
                                  " AND part NOT LIKE '\\_current%' ESCAPE '\\'", (owner,)).fetchone():
        return True
    for rid in ids:
        row = db.execute("SELECT revision FROM reports WHERE workspace = ?", (rid,)).fetchone()
        if row is not None and row["revision"] > 1:
            return True
        if db.execute("SELECT 1 FROM versions WHERE workspace = ? LIMIT 1", (rid,)).fetchone():
            return True
        if db.execute("SELECT 1 FROM notes WHERE workspace = ? AND part LIKE 'chat:%' LIMIT 1", (rid,)).fetchone():
            return True
        for table in ("comments", "verdicts", "shares"):  # a reviewer's or a colleague's work counts too
            if db.execute(f"SELECT 1 FROM {table} WHERE report_id = ? LIMIT 1", (rid,)).fetchone():
                return True
        if db.execute("SELECT 1 FROM notes_history WHERE workspace = ? GROUP BY part HAVING COUNT(*) > 1 LIMIT 1",
                      (rid,)).fetchone():
            return True
    return False


def adopt_browser_workspaces(store: VersionStore, owner: str) -> int:
    """Give the reports of every per-browser workspace (``ws-…``) to ``owner``, the one local user of a server
    without logins: work started in any browser, on any origin (127.0.0.1 or localhost), stays reachable.

    Own reports move as they are; a 示例 moves only if it was worked on (then as an own report named
    “示例（原浏览器工作区）”), the untouched copies are dropped; the owner keeps their settings, else takes the
    latest workspace's. Returns how many reports moved.
    """
    moved = 0
    with store.tx() as db:
        owners = [r[0] for r in db.execute(
            "SELECT owner FROM report_index WHERE owner LIKE 'ws-%' GROUP BY owner ORDER BY MAX(updated_at) DESC").fetchall()]
        for old in owners:
            rows = db.execute("SELECT id, kind FROM report_index WHERE owner = ?", (old,)).fetchall()
            for r in rows:
                if r["kind"] == "sample":
                    if not _touched(db, old, [r["id"]], owner_level=False):
                        _drop_report(db, r["id"])
                        continue
                    db.execute("UPDATE report_index SET kind = 'own', name = ? WHERE id = ?",
                               ("示例（原浏览器工作区）", r["id"]))
                db.execute("UPDATE report_index SET owner = ? WHERE id = ?", (owner, r["id"]))
                moved += 1
            settings = db.execute("SELECT text FROM notes WHERE workspace = ? AND part = '_settings'", (old,)).fetchone()
            # the owner's own settings stay; else the most recently used workspace's (owners newest first)
            if settings is not None and store.load_notes(owner, "_settings") is None:
                store.save_notes(owner, "_settings", settings["text"])
            move_key(store.path.parent, old, owner)  # the page key goes with the settings it belongs to
            db.execute("DELETE FROM notes WHERE workspace = ?", (old,))
        if moved and store.load_notes(owner, "_created") is None:
            store.save_notes(owner, "_created", "1")
    if moved:
        log.info("gave %d reports of earlier browser workspaces to the local user", moved)
    return moved
