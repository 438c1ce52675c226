"""Attempt limits kept in SQLite: refused once used up, and told when to try again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from trace import throttle
from trace.errors import TooManyAttempts

LIMIT = throttle.Limit("test", 2, timedelta(minutes=15), "too many", "太多")


def test_a_used_up_limit_says_when_its_oldest_attempt_frees_a_try(db):
    start = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)
    throttle.note(db, LIMIT, "me", now=start)
    throttle.note(db, LIMIT, "me", now=start + timedelta(minutes=4))
    throttle.check(db, LIMIT, "other", now=start + timedelta(minutes=5))  # its own count
    with pytest.raises(TooManyAttempts) as refused:
        throttle.check(db, LIMIT, "me", now=start + timedelta(minutes=10))
    assert refused.value.retry_after == 5 * 60  # the 08:00 attempt leaves at 08:15
    throttle.check(db, LIMIT, "me", now=start + timedelta(minutes=15, seconds=1))
