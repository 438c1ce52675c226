"""Dates are China's: whatever the server's own time zone, a batch expires, a
production date is 'in the future' and a report is 'dated ahead' by the day in
Beijing (a server on UTC read tomorrow's Beijing date as the future from 00:00
to 08:00, and a batch past its date as unexpired)."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from trace import catalog
from trace.clock import beijing_today
from trace.errors import InvalidInput

from conftest import GTIN


@pytest.fixture
def server_off_beijing(monkeypatch):
    """The process's local zone set to one whose date now differs from Beijing's
    (one of these always does), as on a server kept on UTC across midnight."""
    for zone in ("Etc/GMT+12", "Pacific/Kiritimati", "Etc/GMT-14", "Etc/GMT+10"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        if date.today() != beijing_today():
            break
    assert date.today() != beijing_today()
    yield date.today()
    monkeypatch.undo()
    time.tzset()


def test_the_beijing_date_decides_whatever_the_servers_zone(db, make_batch, server_off_beijing):
    make_batch()
    today = beijing_today()
    batch = catalog.new_batch(db, GTIN, "TODAY-1", produced_on=today.isoformat())
    assert batch.produced_on == today.isoformat()  # today in Beijing is never the future
    with pytest.raises(InvalidInput, match="future"):
        catalog.new_batch(db, GTIN, "TOMORROW-1", produced_on=(today + timedelta(1)).isoformat())
    ends_today = catalog.Batch(**{**batch.__dict__, "expires_on": today.isoformat()})
    ended = catalog.Batch(**{**batch.__dict__,
                             "expires_on": (today - timedelta(1)).isoformat()})
    assert not ends_today.expired() and ended.expired()
