"""People on one server: accounts with hashed passwords, and the key each person's reports are kept under.

A login name maps to an owner key derived with the server's own secret (``server_secret``), so nobody can
derive a colleague's key from the name. Passwords are stored as scrypt hashes (salted, ``hashlib.scrypt``);
a plain password is never stored or logged. Accounts are added with ``xxgk users add`` (the password is
asked at the prompt or read from standard input, never taken from the command line).

A person who logged in through an external list (``--auth-file``) is remembered by name with no password
here, so colleagues can share reports with them; such an entry never lets anyone log in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AssistantError
from .store import VersionStore, _now

log = logging.getLogger(__name__)

SECRET_FILE = "app_secret"
NO_PASSWORD = "!"  # remembered from an external login list: cannot log in with this entry
LOCAL_OWNER = "local-user"  # the single user of a server without logins on this computer
LOCAL_NAME = "本机用户"
PASSWORD_MIN = 8
_NAME_RE = re.compile(r"^[^\s:]{1,32}$")
# scrypt cost: n=2**14, r=8 (16 MB, ~50 ms a check) — OWASP's minimum; a login is rate-limited at the edge too.
_N, _R, _P = 2**14, 8, 1


class AccountError(AssistantError, ValueError):
    """An account that cannot be added or changed (message in Chinese)."""


def server_secret(data_dir: Path) -> bytes:
    """The server's own secret (file mode 0600 in the data dir), created on first use."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def keyed_name(data_dir: Path, text: str, length: int = 32) -> str:
    """A name derived from ``text`` with the server's secret (nobody can derive it without the secret):
    the owner key of a login, the folder of an owner's exports, the file of an owner's page key."""
    return hmac.new(server_secret(data_dir), text.encode(), hashlib.sha256).hexdigest()[:length]


def login_owner(data_dir: Path, name: str) -> str:
    """The owner key of a login name on this server (keyed by the server's secret)."""
    return f"user-{keyed_name(data_dir, name, 40)}"


def hash_password(password: str) -> str:
    """A salted scrypt hash, self-describing: ``scrypt$n$r$p$salt$hash`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time compare; a malformed hash never matches)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise AccountError("用户名应为 1–32 个字符，不含空格和冒号。")
    return name


@dataclass(frozen=True)
class Account:
    """One person known to the server."""

    name: str
    owner: str
    can_log_in: bool
    created_at: str


class Accounts:
    """The server's accounts, kept in the store (table ``users``)."""

    def __init__(self, store: VersionStore) -> None:
        self.store = store
        self.data_dir = store.path.parent

    def add(self, name: str, password: str) -> Account:
        """A new account (``AccountError`` if the name is taken or the password too short)."""
        name = check_name(name)
        _check_password(password)
        owner = login_owner(self.data_dir, name)
        with self.store.tx() as db:
            row = db.execute("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
            if row is not None and row["password"] != NO_PASSWORD:
                raise AccountError(f"用户“{name}”已存在；修改密码请用 xxgk users passwd。")
            db.execute("INSERT INTO users (name, owner, password, created_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (name) DO UPDATE SET password = excluded.password",
                       (name, owner, hash_password(password), _now()))
        log.info("account added")
        return self.get(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str) -> None:
        if self.get(name) is None:
            raise AccountError(f"没有用户“{name}”。")
        _check_password(password)
        with self.store.tx() as db:
            db.execute("UPDATE users SET password = ? WHERE name = ?", (hash_password(password), name))

    def remove(self, name: str) -> None:
        """The account can no longer log in; its reports stay in the store (an account added again with the
        same name reaches them again)."""
        if self.get(name) is None:
            raise AccountError(f"没有用户“{name}”。")
        with self.store.tx() as db:
            db.execute("DELETE FROM users WHERE name = ?", (name,))

    def get(self, name: str) -> Account | None:
        row = self.store._db.execute("SELECT * FROM users WHERE name = ?", ((name or "").strip(),)).fetchone()
        return None if row is None else _account(row)

    def all(self) -> list[Account]:
        return [_account(r) for r in self.store._db.execute("SELECT * FROM users ORDER BY name").fetchall()]

    def has_logins(self) -> bool:
        return self.store._db.execute("SELECT 1 FROM users WHERE password != ? LIMIT 1",
                                      (NO_PASSWORD,)).fetchone() is not None

    def verify(self, name: str, password: str) -> bool:
        """Whether ``name`` may log in with ``password`` (stored accounts only)."""
        row = self.store._db.execute("SELECT password FROM users WHERE name = ?", (name,)).fetchone()
        if row is None or row["password"] == NO_PASSWORD:
            # spend the same time as a real check, so a wrong name is not told apart from a wrong password
            verify_password(password, _DUMMY_HASH)
            return False
        return verify_password(password, row["password"])

    def remember(self, name: str) -> str:
        """Record a logged-in name (from any login list) so colleagues can share with it; returns its owner."""
        owner = login_owner(self.data_dir, name)
        with self.store.tx() as db:
            db.execute("INSERT INTO users (name, owner, password, created_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (name) DO NOTHING", (name, owner, NO_PASSWORD, _now()))
        return owner

    def name_of(self, owner: str) -> str:
        """The display name of an owner key (the login name; 本机用户 for the single local user)."""
        if owner == LOCAL_OWNER:
            return LOCAL_NAME
        row = self.store._db.execute("SELECT name FROM users WHERE owner = ?", (owner,)).fetchone()
        return str(row["name"]) if row is not None else "本浏览器用户"


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"密码至少 {PASSWORD_MIN} 个字符。")


def _account(row: Any) -> Account:
    return Account(row["name"], row["owner"], row["password"] != NO_PASSWORD, row["created_at"])


_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
