"""A room's one on-camera address (its screen): the OBS browser source set up once,
showing whichever batch's on-camera page the room puts on air, so a show of thirty
products needs no address changed in OBS between them::

    screen = screen_of(db, room)                 # every room has one from the start
    show(db, room, live_id, actor="live@…")      # this batch's page, from now on
    on_air(db, screen.id).showing                # the page on air; None before the first
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from .. import catalog
from ..db import utc_now
from ..errors import NotFound
from ..rooms import Room
from . import live

_ID = re.compile(r"[A-Za-z0-9_-]{8,32}")


@dataclass(frozen=True)
class Screen:
    id: str
    room_id: int
    showing: str | None       # the on-camera page on air, None before the first
    changed_by: str | None
    changed_at: str | None

    def url(self, base_url: str) -> str:
        """The address OBS is given, once for the room's every show."""
        return f"{base_url}/live/screen/{self.id}"


def screen_of(db: sqlite_utils.Database, room: Room) -> Screen:
    """The room's screen (a trigger gives each room one, with a random id)."""
    return _screen(db, "room_id = ?", room.id)


def show(db: sqlite_utils.Database, room: Room, live_id: str, *, actor: str) -> Screen:
    """The room's screen shows this on-camera page from its next poll (within
    seconds); only one of the room's own pages."""
    page = live.get_live(db, live_id)
    if page.room_id != room.id:
        raise NotFound("no such on-camera page", message_zh="未找到该直播核验页")
    screen, at = screen_of(db, room), utc_now()
    db.execute("UPDATE room_screens SET showing = ?, changed_by = ?, changed_at = ? "
               "WHERE room_id = ?", [page.id, actor, at, room.id])
    return Screen(screen.id, room.id, page.id, actor, at)


def put_on_air(db: sqlite_utils.Database, room: Room, gtin: str, lot: str, *,
               actor: str) -> Screen:
    """The batch on the room's screen: its on-camera page, opened now if need be (only
    for a batch the room selected), or the one it has (paused since, say)."""
    batch = catalog.get_batch(db, gtin, lot)
    live_id = live.page_for(db, room.id, batch.id) or \
        live.open_live(db, room, batch.gtin, batch.lot, actor=actor).id
    return show(db, room, live_id, actor=actor)


def on_air(db: sqlite_utils.Database, screen_id: str) -> Screen:
    """The screen by its address; ``NotFound`` for none."""
    if not _ID.fullmatch(screen_id or ""):
        raise NotFound("no such on-camera screen", message_zh="未找到该直播画面地址")
    return _screen(db, "id = ?", screen_id)


def _screen(db: sqlite_utils.Database, where: str, value: object) -> Screen:
    row = db.execute(f"SELECT id, room_id, showing, changed_by, changed_at FROM room_screens "
                     f"WHERE {where}", [value]).fetchone()
    if row is None:
        raise NotFound("no such on-camera screen", message_zh="未找到该直播画面地址")
    return Screen(*row)
