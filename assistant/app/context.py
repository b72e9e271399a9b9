"""What every event handler shares: the store and the app configuration (never per-user data)."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..drafting import VersionStore, load_settings
from .workspace import Workspace

SECRET_FILE = "app_secret"


@dataclass(frozen=True)
class AppConfig:
    """How the app is served. ``auth`` is (user, password); ``offline`` forces the offline drafter."""

    host: str = "127.0.0.1"
    port: int = 7860
    auth: tuple[str, str] | None = None
    offline: bool = False
    max_upload_mb: int = 20
    draft_concurrency: int = 4


UPLOAD_TYPES_WORKBOOK: tuple[str, ...] = (".xlsx",)
UPLOAD_TYPES_REPORT: tuple[str, ...] = (".docx", ".pdf", ".html", ".htm", ".txt", ".md", ".yaml", ".yml", ".json")


@dataclass
class AppContext:
    """The process-wide pieces: the SQLite store (safe across threads) and the configuration."""

    config: AppConfig = field(default_factory=AppConfig)
    store: VersionStore = field(default_factory=VersionStore)
    # Stop requests of running drafts, one flag per workspace (a clerk stops only their own draft).
    _stops: dict[str, threading.Event] = field(default_factory=dict, repr=False)

    def stop_flag(self, workspace_id: str) -> threading.Event:
        """The stop flag of a workspace's running draft (created on first use)."""
        return self._stops.setdefault(workspace_id, threading.Event())

    @property
    def data_dir(self) -> Path:
        return self.store.path.parent

    def browser_secret(self) -> str:
        """A stable secret for the browser-side workspace id, so it survives restarts (file mode 0600)."""
        path = self.data_dir / SECRET_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32))
        return path.read_text().strip()

    @staticmethod
    def workspace_key(ws: Any, username: str | None) -> Any:
        """By login name when login is on (the same work on any browser), else the browser's workspace id."""
        return f"user-{hashlib.sha256(username.encode()).hexdigest()[:32]}" if username else ws

    def open(self, ws: Any, username: str | None = None) -> tuple[Workspace, bool]:
        """The clerk's workspace and whether it was just created (seeded with the sample)."""
        return Workspace.open(self.store, self.workspace_key(ws, username))

    def space(self, ws: Any, username: str | None = None) -> Workspace:
        """The clerk's workspace (see ``workspace_key``)."""
        return self.open(ws, username)[0]

    def key_status(self) -> str:
        settings = load_settings()
        return "已从环境变量读取 API 密钥（不显示）。" if settings.api_key else "环境变量中未设置 API 密钥（OPENAI_API_KEY）。"
