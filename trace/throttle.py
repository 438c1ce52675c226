"""Throttles kept in SQLite, so every server worker counts the same attempts.

Flask-Limiter's storage is per process (or Redis); a PIN throttle that each of
four workers counted separately would allow four times the guesses::

    check(db, PIN_PER_ITEM, str(item_id))       # raises TooManyAttempts
    note(db, PIN_PER_ITEM, str(item_id))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlite_utils

from .errors import TooManyAttempts


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` per ``subject`` within ``window``."""

    scope: str
    attempts: int
    window: timedelta
    message: str
    message_zh: str


def _since(limit: Limit, now: datetime | None) -> str:
    return ((now or datetime.now(timezone.utc)) - limit.window).isoformat()


def _window(db: sqlite_utils.Database, limit: Limit, subject: str,
            now: datetime | None) -> tuple[int, str | None]:
    """How many attempts ``subject`` made within the window, and the oldest's time."""
    return db.execute("SELECT count(*), min(at) FROM attempts WHERE scope = ? AND subject = ? "
                      "AND at >= ?", [limit.scope, subject, _since(limit, now)]).fetchone()


def used(db: sqlite_utils.Database, limit: Limit, subject: str,
         now: datetime | None = None) -> int:
    return _window(db, limit, subject, now)[0]


def check(db: sqlite_utils.Database, limit: Limit, subject: str,
          now: datetime | None = None) -> None:
    """``TooManyAttempts`` once ``limit`` is used up, saying in ``retry_after`` how
    many seconds until its oldest attempt leaves the window and one is free."""
    count, oldest = _window(db, limit, subject, now)
    if count < limit.attempts or oldest is None:  # (None only with no attempts)
        return
    free_at = datetime.fromisoformat(oldest) + limit.window
    error = TooManyAttempts(limit.message, message_zh=limit.message_zh)
    error.retry_after = max(1, math.ceil(
        (free_at - (now or datetime.now(timezone.utc))).total_seconds()))
    raise error


def note(db: sqlite_utils.Database, limit: Limit, subject: str,
         now: datetime | None = None) -> None:
    at = (now or datetime.now(timezone.utc)).isoformat()
    db.execute("INSERT INTO attempts (scope, subject, at) VALUES (?, ?, ?)",
               [limit.scope, subject, at])


Guard = tuple[tuple[Limit, str], ...]  # the limits one attempt counts against


def check_all(db: sqlite_utils.Database, guard: Guard) -> None:
    for limit, subject in guard:
        check(db, limit, subject)


def note_all(db: sqlite_utils.Database, guard: Guard) -> None:
    """One failed attempt against every limit of ``guard``, together."""
    with db.atomic():
        for limit, subject in guard:
            note(db, limit, subject)


def forget(db: sqlite_utils.Database, limit: Limit, subject: str) -> None:
    """Drop the subject's counted attempts: an operator vouches for it (a reset)."""
    db.execute("DELETE FROM attempts WHERE scope = ? AND subject = ?", [limit.scope, subject])
