"""API keys entered on the settings page: kept on the server, one file per owner, readable by the server's
account only (directory 0700, file 0600), bound to the endpoint they were entered for.

A key is never sent back to a page, never written to the store, an export or the call log (``calllog``
blanks every key this process has read). It goes only to the base URL it was saved with: if the clerk
later points the page at another address, the saved key stays unused until that address is set back.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import NamedTuple

from pydantic import SecretStr

from ..fsio import atomic_write_text
from .accounts import keyed_name

logger = logging.getLogger(__name__)

KEYS_DIR = "keys"
MAX_KEY_CHARS = 512  # real keys are 30–200 characters; anything longer is a paste gone wrong

# Every key read or saved in this process, so the call log can blank it (calllog.RedactKeys).
_SEEN: set[str] = set()


class SavedKey(NamedTuple):
    """A key saved from the page and the endpoint it belongs to."""

    base_url: str
    key: SecretStr


def seen_keys() -> frozenset[str]:
    """The page keys this process has read or saved (for redaction; never shown)."""
    return frozenset(_SEEN)


class KeyFile:
    """The saved page key of one owner (a keyed hash of the owner names the file)."""

    def __init__(self, data_dir: Path, owner: str) -> None:
        self.path = data_dir / KEYS_DIR / f"{keyed_name(data_dir, owner)}.json"

    def load(self) -> SavedKey | None:
        """The saved key, or ``None`` (none saved, or a file that cannot be read: logged, not raised)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            saved = SavedKey(str(data["base_url"]), SecretStr(str(data["key"])))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            logger.warning("saved page key unreadable, ignored: %s", self.path.name)
            return None
        _SEEN.add(saved.key.get_secret_value())
        return saved

    def save(self, base_url: str, key: str) -> None:
        """Keep ``key`` for ``base_url`` (written to a temporary file and renamed; mode 0600)."""
        key = key.strip()
        # An HTTP header carries it: printable ASCII only (a zero-width space or a BOM from a paste would
        # make every request fail to encode).
        if not key or len(key) > MAX_KEY_CHARS or not (key.isascii() and key.isprintable()) or " " in key:
            raise ValueError("API 密钥应为一行不含空格的英文字母、数字和符号（最长 512 个字符），请重新粘贴。")
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        _SEEN.add(key)
        atomic_write_text(self.path, json.dumps({"base_url": base_url, "key": key}), permissions=0o600)

    def clear(self) -> bool:
        """Remove the saved key; whether there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def move_key(data_dir: Path, old: str, new: str) -> None:
    """When an owner's work moves to another owner key (a login, the one local user): the saved page key
    goes along, unless the new owner has one of their own (the old one is then removed)."""
    source, target = KeyFile(data_dir, old), KeyFile(data_dir, new)
    if not source.path.exists():
        return
    if target.path.exists():
        source.clear()
        return
    os.replace(source.path, target.path)
