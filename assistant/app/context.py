"""What every event handler shares: the store and the app configuration (never per-user data)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..drafting import StoreError, VersionStore
from ..drafting.accounts import LOCAL_OWNER, Accounts, server_secret
from ..drafting.library import adopt_browser_workspaces, expire_empty_owners, move_owner
from .workspace import BROWSER_PREFIX, Workspace, new_workspace_id, valid_workspace_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppConfig:
    """How the app is served. ``auth`` is (user, password); ``offline`` forces the offline drafter."""

    host: str = "127.0.0.1"
    port: int = 7860
    auth: tuple[str, str] | None = None
    offline: bool = False
    max_upload_mb: int = 20
    draft_concurrency: int = 4
    logins: bool = False  # log in with the accounts in the store (``xxgk users add``)
    per_browser: bool = False  # without logins: one workspace per browser instead of the one local user

    @property
    def login_on(self) -> bool:
        return bool(self.auth) or self.logins

    @property
    def loopback(self) -> bool:
        """Served to this computer only."""
        return self.host in ("127.0.0.1", "localhost", "::1")

    @property
    def single_user(self) -> bool:
        """No logins on this computer only: one person, the same reports from any origin (127.0.0.1 or
        localhost) and any browser. Served to the network without logins, each browser keeps its own."""
        return not self.login_on and not self.per_browser and self.loopback


UPLOAD_TYPES_WORKBOOK: tuple[str, ...] = (".xlsx",)
UPLOAD_TYPES_REPORT: tuple[str, ...] = (".docx", ".pdf", ".html", ".htm", ".txt", ".md", ".yaml", ".yml", ".json")


@dataclass
class AppContext:
    """The process-wide pieces: the SQLite store (safe across threads) and the configuration."""

    config: AppConfig = field(default_factory=AppConfig)
    store: VersionStore = field(default_factory=VersionStore)
    # Stop requests of running drafts, one flag per workspace (a clerk stops only their own draft).
    _stops: dict[str, threading.Event] = field(default_factory=dict, repr=False)

    _last_expiry: float = field(default=0.0, repr=False)

    def expire_empty(self) -> None:
        """Drop workspaces nobody used (at most once an hour; every first page load makes one)."""
        now = time.monotonic()
        if self._last_expiry and now - self._last_expiry < 3600:
            return
        self._last_expiry = now
        try:
            expire_empty_owners(self.store)
        except StoreError as exc:  # never stop a page load for housekeeping
            log.warning("could not expire empty workspaces: %s", exc)

    def stop_flag(self, workspace_id: str) -> threading.Event:
        """The stop flag of a workspace's running draft (created on first use)."""
        return self._stops.setdefault(workspace_id, threading.Event())

    @property
    def data_dir(self) -> Path:
        return self.store.path.parent

    def browser_secret(self) -> str:
        """A stable secret for the browser-side workspace id, so it survives restarts (file mode 0600)."""
        return server_secret(self.data_dir).decode()

    def workspace_key(self, ws: Any, username: str | None) -> Any:
        """By login name when login is on (the same work on any browser); the one local user on a server
        without logins on this computer; else the browser's workspace id.

        A login's key is keyed by the server's secret, so nobody can derive it from the name (a server
        without login on the same data dir cannot open it by guessing).
        """
        if not username:
            if self.config.single_user:
                self._adopt_once()
                return LOCAL_OWNER
            # A browser names only a browser workspace: never the local user's or a login's key, which a
            # page could otherwise put into its own storage to open someone else's reports.
            return ws if isinstance(ws, str) and ws.startswith(BROWSER_PREFIX) else None
        key = self._login_keys.get(username)
        if key is None:  # once per name and process: every event of the page asks
            key = Accounts(self.store).remember(username)
            # Logins of earlier releases were keyed by sha256(name): their work moves to the new key once.
            move_owner(self.store, f"user-{hashlib.sha256(username.encode()).hexdigest()[:32]}", key)
            self._login_keys[username] = key
        return key

    _login_keys: dict[str, str] = field(default_factory=dict, repr=False)

    _adopted: bool = field(default=False, repr=False)

    def _adopt_once(self) -> None:
        """Reports of earlier per-browser workspaces become the local user's (once per process)."""
        if not self._adopted:
            self._adopted = True
            adopt_browser_workspaces(self.store, LOCAL_OWNER)

    def check_login(self, username: str, password: str) -> bool:
        """The login check: the accounts in the store (hashed), then the configured list (``--auth-file``)."""
        if Accounts(self.store).verify(username, password):
            return True
        listed = self.extra_logins or ([self.config.auth] if self.config.auth else [])
        expected = dict(listed).get(username)
        return expected is not None and hmac.compare_digest(password.encode(), expected.encode())

    extra_logins: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def open(self, ws: Any, username: str | None = None) -> tuple[Workspace, bool]:
        """The clerk's workspace and whether it was just created (its first report is the 示例)."""
        key = self.workspace_key(ws, username)
        # A login or the local user has several browsers: each keeps its own open report (its seat).
        seat = None if key == ws else (ws if valid_workspace_id(ws) else new_workspace_id())
        space, created = Workspace.open(self.store, key, seat)
        if created:
            self.expire_empty()
        return space, created

    def space(self, ws: Any, username: str | None = None) -> Workspace:
        """The clerk's workspace (see ``workspace_key``)."""
        return self.open(ws, username)[0]

