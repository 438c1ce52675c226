"""Beijing time, as every page, export and checklist shows a moment::

    beijing_time("2026-11-27T08:10:00+00:00")          # '2026-11-27 16:10:00'
    beijing_time("2026-11-27T08:10:00+00:00", "%Y-%m-%d")  # '2026-11-27'

Moments are stored in UTC (``db.utc_now``); China has one time zone and no
daylight saving, so a fixed offset is exact.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")
# A date as people in China write it, always year first: 2026-11-03, 2026-11-3,
# 2026/11/3, 2026.11.3, 2026年11月3日 (full-width digits read as ASCII first).
_YEAR_FIRST = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def beijing(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(BEIJING)


def beijing_today() -> date:
    """Today's date in China: what a lab writes on what it signs today."""
    return datetime.now(BEIJING).date()


def beijing_time(iso: str | None, pattern: str = "%Y-%m-%d %H:%M:%S") -> str:
    """The stored UTC moment ``iso`` in Beijing time; "—" for none."""
    return beijing(iso).strftime(pattern) if iso else "—"


def year_first_date(text: str) -> date | None:
    """The date ``text`` writes year first, or None: a day-first 03/11/2026 could be
    read two ways and is no date here.

    >>> year_first_date("2026年11月3日"), year_first_date("3/11/2026")
    (datetime.date(2026, 11, 3), None)
    """
    found = _YEAR_FIRST.fullmatch(text.strip())
    if not found:
        return None
    try:
        return date(*map(int, found.groups()))
    except ValueError:
        return None
