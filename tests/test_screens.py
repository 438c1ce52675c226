"""A room's one on-camera address: every room has its own from the start, and it
shows the batch the room put on air, only one of the room's own."""

from __future__ import annotations

import pytest

from trace import rooms
from trace.errors import Forbidden, NotFound
from trace.streamers import live, screens

from conftest import GTIN, LOT
from test_live import decide


@pytest.fixture
def room(db):
    return rooms.add_room(db, "山下湖珍珠直播间", "douyin", "7712345678")


def test_every_room_has_its_own_screen_from_the_start(db, room):
    other = rooms.add_room(db, "龙井茶直播间", "kuaishou", "88001")
    mine, theirs = screens.screen_of(db, room), screens.screen_of(db, other)
    assert mine.showing is None and mine.id != theirs.id and len(mine.id) == 18
    assert screens.screen_of(db, room) == mine  # the address set up in OBS keeps working
    assert screens.on_air(db, mine.id) == mine
    for unknown in ("", "x", "0" * 18, "../" * 6):
        with pytest.raises(NotFound):
            screens.on_air(db, unknown)


def test_a_rooms_screen_shows_the_batch_it_put_on_air(app, db, room, issued_urls):
    from test_web_public import _stored_report
    _stored_report(app, db)
    with pytest.raises(Forbidden, match="record 选用 first"):  # not selected: no page, none shown
        screens.put_on_air(db, room, GTIN, LOT, actor="live@room.cn")
    assert screens.screen_of(db, room).showing is None
    decide(db, room, issued_urls[0], "选用")
    on = screens.put_on_air(db, room, GTIN, LOT, actor="live@room.cn")
    page = live.open_live(db, room, GTIN, LOT, actor="live@room.cn")
    assert on.showing == page.id == screens.on_air(db, on.id).showing
    decide(db, room, issued_urls[0], "待复检")  # paused: its page may still go on air
    assert screens.put_on_air(db, room, GTIN, LOT, actor="live@room.cn").showing == page.id


def test_a_screen_shows_only_its_own_rooms_pages(app, db, room, issued_urls):
    from test_web_public import _stored_report
    _stored_report(app, db)
    other = rooms.add_room(db, "龙井茶直播间", "kuaishou", "88001")
    decide(db, other, issued_urls[0], "选用")
    theirs = live.open_live(db, other, GTIN, LOT, actor="tea@room.cn")
    with pytest.raises(NotFound):
        screens.show(db, room, theirs.id, actor="live@room.cn")
    assert screens.screen_of(db, room).showing is None


def test_a_room_registered_before_screens_gets_one_when_the_database_is_migrated(tmp_path):
    from trace import db as trace_db
    from trace.migrations import MIGRATIONS
    path = tmp_path / "old.db"
    old = trace_db.create_db(path)  # as schema 39 left it: what 40 and later added undone
    old.execute("DELETE FROM schema_migrations WHERE version >= 40")
    old.execute("DROP TRIGGER rooms_screen")
    old.execute("DROP TABLE room_screens")
    old.execute("ALTER TABLE agencies DROP COLUMN phone")  # 41
    old.execute("ALTER TABLE products DROP COLUMN fibre_content")  # 42
    old.execute("ALTER TABLE products DROP COLUMN care")
    old.execute("ALTER TABLE report_handlings DROP COLUMN to_supplier")  # 43
    for column in ("specification_en", "origin_en", "storage_en", "care_en",  # 44
                   "fibre_content_en",  # 45
                   "category_en"):  # 46
        old.execute(f"ALTER TABLE products DROP COLUMN {column}")
    assert MIGRATIONS[-1][0] == 46  # a later migration: undo what it adds above too
    room = rooms.add_room(old, "老直播间", "douyin", "1")
    old.close()
    migrated = trace_db.open_db(path)
    assert screens.screen_of(migrated, room).showing is None
