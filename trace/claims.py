"""Claims ("这件是我买的") and the scratch-off PINs that protect them.

A PIN is derived from the server's hash secret and the item, so labels and the
codes export can print it again; the database holds only a keyed hash of it.
Wrong PINs are throttled per item and per network::

    pin = item_pin(secret, gtin, serial)            # '042917'
    claim_item(db, item, seen, pin, secret)         # the claim time
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import unicodedata
from datetime import timedelta

import sqlite_utils

from . import throttle
from .db import utc_now
from .digits import is_number
from .transparency import leaves
from .errors import Conflict, InvalidInput, KeyProblem
from .scans import Observer

PIN_DIGITS = 6
# 5 wrong PINs per item a day: a 10^6 space would take about 270 years to search.
PIN_PER_ITEM = throttle.Limit(
    "pin_item", 5, timedelta(days=1),
    "too many wrong PINs for this item today; try again tomorrow",
    "该商品今天的防伪密码错误次数过多，请明天再试")
PIN_PER_NETWORK = throttle.Limit(
    "pin_network", 20, timedelta(days=1),
    "too many wrong PINs from your network today; try again tomorrow",
    "您所在网络今天输错防伪密码的次数过多，请明天再试")


def _mac(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def item_pin(secret: str, gtin: str, serial: str) -> str:
    """The item's PIN: six digits, the same every time it is asked for."""
    number = int.from_bytes(_mac(secret, f"pin|{gtin}|{serial}")[:8], "big")
    return str(number % 10 ** PIN_DIGITS).zfill(PIN_DIGITS)


def pin_hash(secret: str, gtin: str, serial: str, pin: str) -> str:
    return _mac(secret, f"pin-hash|{gtin}|{serial}|{pin}").hex()[:32]


def stored_pin(secret: str, gtin: str, serial: str, stored_hash: str | None) -> str:
    """The PIN to print for an item ('' if it has none); refuses a changed secret."""
    if not stored_hash:
        return ""
    pin = item_pin(secret, gtin, serial)
    if not hmac.compare_digest(pin_hash(secret, gtin, serial, pin), stored_hash):
        raise KeyProblem("the hash secret is not the one these PINs were made with; "
                         "restore instance/hash_secret (or TRACE_HASH_SECRET) from backup")
    return pin


def normalise_pin(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if not ch.isspace() and ch != "-")


def _pin_format(text: str | None) -> str:
    """Six digits, or a message that costs no attempt: a slip is not a guess."""
    pin = unicodedata.normalize("NFKC", normalise_pin(text))
    if not (len(pin) == PIN_DIGITS and is_number(pin)):
        raise InvalidInput(f"the PIN is {PIN_DIGITS} digits; scratch the label's coating and "
                           "type the digits under it",
                           message_zh=f"防伪密码是 {PIN_DIGITS} 位数字：请刮开标签涂层，输入下面的数字")
    return pin


def claim_item(db: sqlite_utils.Database, item: dict, seen: Observer, pin: str | None,
               secret: str) -> str:
    """Claim ``item`` for the browser ``seen``; returns the claim time."""
    existing = db.execute("SELECT device FROM claims WHERE item_id = ?",
                          [item["id"]]).fetchone()
    if existing:
        mine = existing[0] == seen.device
        raise Conflict("you have claimed this item already" if mine
                       else "this item was claimed by another buyer",
                       message_zh="您已认领过这件商品" if mine else "这件商品已被其他买家认领")
    if item.get("pin_hash"):
        _check_pin(db, item, seen, _pin_format(pin), secret)
    claimed_at = utc_now()
    try:
        with db.atomic():
            db.execute("INSERT INTO claims (item_id, claimed_at, device, network) "
                       "VALUES (?, ?, ?, ?)", [item["id"], claimed_at, seen.device, seen.network])
            leaves.record(db, f"claims:{item['id']}")
    except sqlite3.IntegrityError:  # another browser claimed it a moment ago
        raise Conflict("this item was claimed by another buyer",
                       message_zh="这件商品已被其他买家认领") from None
    return claimed_at


def confirm_claimant(db: sqlite_utils.Database, item: dict, seen: Observer,
                     pin: str | None, secret: str) -> None:
    """The buyer who claimed ``item`` (it has a PIN) in one browser, opening it in
    another: the PIN proves it, and this browser reads the item as claimed by
    them, not by someone else. Wrong PINs count against the same daily limits."""
    claimed = db.execute("SELECT device FROM claims WHERE item_id = ?", [item["id"]]).fetchone()
    if claimed is None or not item.get("pin_hash"):
        raise InvalidInput("only the claimant of an item with a PIN can add a browser",
                           message_zh="只有带防伪密码、且已被认领的商品可以这样确认")
    _check_pin(db, item, seen, _pin_format(pin), secret)
    if claimed[0] != seen.device:
        db.execute("INSERT OR IGNORE INTO claim_browsers (item_id, device, added_at) "
                   "VALUES (?, ?, ?)", [item["id"], seen.device, utc_now()])


def _check_pin(db: sqlite_utils.Database, item: dict, seen: Observer, pin: str,
               secret: str) -> None:
    guard = ((PIN_PER_ITEM, str(item["id"])), (PIN_PER_NETWORK, seen.network))
    throttle.check_all(db, guard)
    expected = item["pin_hash"]
    if not hmac.compare_digest(pin_hash(secret, item["gtin"], item["serial"], pin), expected):
        throttle.note_all(db, guard)
        left = PIN_PER_ITEM.attempts - throttle.used(db, PIN_PER_ITEM, str(item["id"]))
        if left <= 0:
            raise InvalidInput(
                "that PIN is not right, and that was today's last try: try again tomorrow; "
                "if the coating is scratched off unreadably, call customer service",
                message_zh="防伪密码不正确，今天的尝试次数已用完，请明天再试；"
                           "如果涂层刮坏看不清数字，请联系客服")
        tries = "1 more try" if left == 1 else f"{left} more tries"
        raise InvalidInput(f"that PIN is not right; check the 6 digits under the coating "
                           f"({tries} today)",
                           message_zh=f"防伪密码不正确，请核对涂层下的 6 位数字（今天还可以试 {left} 次）")
