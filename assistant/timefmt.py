"""Times as people read them: stored in UTC (ISO 8601), shown in the clerk's zone (Beijing time by default)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone, tzinfo


def _zone_id() -> str:
    return os.environ.get("XXGK_TIMEZONE") or "Asia/Shanghai"


def _zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(_zone_id())
    except (KeyError, ValueError, OSError):  # no zone database: Beijing time has no daylight saving
        return timezone(timedelta(hours=8))


def zone_name() -> str:
    """How the page names the zone times are shown in (北京时间 by default)."""
    name = _zone_id()
    return "北京时间" if name in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else name


def local_time(iso: str, fmt: str = "%m-%d %H:%M:%S") -> str:
    """A stored UTC time shown in the clerk's zone: Beijing time unless ``XXGK_TIMEZONE`` names another."""
    try:
        return datetime.fromisoformat(iso).astimezone(_zone()).strftime(fmt)
    except ValueError:
        return iso
