"""Beijing time, as every page, export and checklist shows a moment::

    beijing_time("2026-11-27T08:10:00+00:00")          # '2026-11-27 16:10:00'
    beijing_time("2026-11-27T08:10:00+00:00", "%Y-%m-%d")  # '2026-11-27'

Moments are stored in UTC (``db.utc_now``); China has one time zone and no
daylight saving, so a fixed offset is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def beijing(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(BEIJING)


def beijing_time(iso: str | None, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    """The stored UTC moment ``iso`` in Beijing time; "—" for none."""
    return beijing(iso).strftime(pattern) if iso else "—"
