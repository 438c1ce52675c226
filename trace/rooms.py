"""Livestream rooms: the organisation a streamer account belongs to.

A room is one channel on one platform, known there by its room id; a 绿色直播间
certificate number is kept when the room has one::

    room = add_room(db, "珍珠直播间", "douyin", "7712345678", green_cert="ZJ-LS-2025-018")
    find_room(db, room.id).platform_name_zh      # '抖音'
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from .catalog import clean_text
from .db import utc_now
from .digits import is_number
from .errors import Conflict, InvalidInput, NotFound

PLATFORMS = {"douyin": "抖音", "taobao": "淘宝直播", "kuaishou": "快手",
             "channels": "微信视频号", "other": "其他平台"}
PLATFORMS_EN = {"douyin": "Douyin", "taobao": "Taobao Live", "kuaishou": "Kuaishou",
                "channels": "WeChat Channels", "other": "another platform"}


@dataclass(frozen=True)
class Room:
    id: int
    name: str
    platform: str
    room_id: str
    green_cert: str | None
    created_at: str

    @property
    def platform_name_zh(self) -> str:
        return PLATFORMS[self.platform]

    @property
    def platform_name_en(self) -> str:
        return PLATFORMS_EN[self.platform]

    def to_json(self) -> dict:
        return dict(self.__dict__)


def add_room(db: sqlite_utils.Database, name: str, platform: str, room_id: str, *,
             green_cert: str | None = None) -> Room:
    name = clean_text(name, "room name", what_zh="直播间名称", limit=100) or ""
    room_id = clean_text(room_id, "room id", what_zh="直播间号", limit=50) or ""
    if not name or not room_id:
        raise InvalidInput("a room needs its name and its id on the platform",
                           message_zh="请填写直播间名称和平台上的直播间号")
    if platform not in PLATFORMS:
        raise InvalidInput(f"platform must be one of {', '.join(PLATFORMS)}, not {platform!r}",
                           message_zh=f"平台须为 {'、'.join(PLATFORMS.values())} 之一")
    if db.execute("SELECT 1 FROM rooms WHERE platform = ? AND room_id = ?",
                  [platform, room_id]).fetchone():
        raise Conflict(f"room {room_id} on {platform} is registered already",
                       message_zh="该直播间已登记过")
    green_cert = clean_text(green_cert, "green certificate", what_zh="绿色直播间证书编号", limit=50)
    cursor = db.execute(
        "INSERT INTO rooms (name, platform, room_id, green_cert, created_at) "
        "VALUES (?, ?, ?, ?, ?)", [name, platform, room_id, green_cert, utc_now()])
    return get_room(db, cursor.lastrowid or 0)


def get_room(db: sqlite_utils.Database, room_id: int) -> Room:
    row = db.execute("SELECT id, name, platform, room_id, green_cert, created_at FROM rooms "
                     "WHERE id = ?", [room_id]).fetchone()
    if row is None:
        raise NotFound(f"no room {room_id}", message_zh="未找到该直播间")
    return Room(*row)


def find_room(db: sqlite_utils.Database, room: str | int) -> Room:
    """A room by its id here, or by its room number on its platform when that names
    exactly one room (what a streamer knows by heart)."""
    key = str(room).strip()
    if is_number(key) and len(key) < 19:
        found = db.execute("SELECT id FROM rooms WHERE id = ?", [int(key)]).fetchone()
        if found:
            return get_room(db, found[0])
    matches = db.execute("SELECT id FROM rooms WHERE room_id = ?", [key]).fetchall()
    if len(matches) == 1:
        return get_room(db, matches[0][0])
    raise NotFound(f"no room {key!r}: give the room's id from 'rooms list'",
                   message_zh="未找到该直播间")


def list_rooms(db: sqlite_utils.Database) -> list[Room]:
    rows = db.execute("SELECT id, name, platform, room_id, green_cert, created_at FROM rooms "
                      "ORDER BY id").fetchall()
    return [Room(*row) for row in rows]
