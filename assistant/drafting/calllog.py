"""The model-call log in a file (the app keeps it in its data dir): one line per call and per retry, with
the endpoint's host:port, duration, tokens, retries and outcome — never a key."""

from __future__ import annotations

import logging
import os
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from .keys import seen_keys
from .settings import operator_settings

LOGGER = "assistant.drafting.calls"
FILE_NAME = "model-calls.log"
_BEARER = re.compile(r"(?i)(bearer\s+|sk-)[A-Za-z0-9._\-]{6,}")


class RedactKeys(logging.Filter):
    """Blanks the operator's key, every key saved on a settings page, and anything shaped like a bearer
    token or ``sk-…`` key."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        key = operator_settings().api_key
        secrets = {key.get_secret_value() if key is not None else "", *seen_keys()}
        for secret in sorted(secrets, key=len, reverse=True):  # a key inside a longer one: the longer first
            if secret:
                message = message.replace(secret, "***")
        record.msg, record.args = _BEARER.sub(lambda m: m.group(1) + "***", message), None
        return True


def log_calls_to(data_dir: Path, max_bytes: int = 1_000_000, backups: int = 3) -> Path:
    """Append the call log to ``data_dir/model-calls.log`` (mode 0600, rotated); idempotent."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE_NAME
    logger = logging.getLogger(LOGGER)
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path.resolve():
            return path
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.addFilter(RedactKeys())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return path
