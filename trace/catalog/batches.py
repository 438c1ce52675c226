"""Batches (lots) of a product and the items issued in them."""

from __future__ import annotations

import re
from datetime import date

import sqlite_utils

from ..clock import beijing_today, year_first_date
from ..db import utc_now
from ..digits import ascii_alnum, ascii_digits
from ..errors import Conflict, InvalidInput, NotFound
from ..transparency import leaves
from .products import get_product, normalise_gtin, owned_product
from .records import Batch, Product
from .suppliers import require_not_suspended, supplier_of
from .text import clean_text


LOT_RE = re.compile(r"[0-9A-Z-]{1,20}")
EARLIEST_PRODUCTION = date(2000, 1, 1)  # a typo guard: 1900-01-01 is a slip, not stock
MAX_BATCH_QUANTITY = 10_000_000


# The dashes a Chinese keyboard or a word processor types for "-".
_DASHES = str.maketrans({dash: "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2212\uff0d"})


def normalise_lot(lot: str) -> str:
    """A lot as GS1 AI 10 holds it here: 1–20 of 0-9, A-Z and '-', upper case; typed
    full-width (ＺＭ－２６１１) or with an en dash it is read as meant."""
    lot = ascii_alnum(lot or "").translate(_DASHES).strip().upper()
    if re.search(r"\s", lot):
        raise InvalidInput(f"lot {lot!r} has spaces; use '-' between its parts, e.g. LJ-2026-03A",
                           message_zh="批次号不能有空格；各部分之间请用“-”，例如 LJ-2026-03A")
    if len(lot) > 20:
        raise InvalidInput(f"a lot is at most 20 characters, and {lot!r} has {len(lot)}",
                           message_zh=f"批次号最多 20 位，这里有 {len(lot)} 位：请缩短后再保存")
    if not lot:
        raise InvalidInput("enter the lot", message_zh="请填写批次号")
    if not LOT_RE.fullmatch(lot):
        bad = "".join(dict.fromkeys(char for char in lot if not LOT_RE.fullmatch(char)))
        raise InvalidInput(f"a lot uses only 0-9, A-Z and '-', not {', '.join(map(repr, bad))}",
                           message_zh=f"批次号只能用数字、英文字母和“-”，不能有"
                                      f"{'、'.join(f'“{char}”' for char in bad)}")
    if not lot.strip("-"):  # '---' names nothing
        raise InvalidInput("a lot needs at least one letter or digit",
                           message_zh="批次号至少要有一个数字或字母")
    return lot


def _date(text: str | None, what: str, what_zh: str) -> date | None:
    if not text or not text.strip():
        return None
    day = year_first_date(ascii_digits(text))
    if day is None:
        raise InvalidInput(f"{what} {text!r} must be a date written year first, e.g. "
                           "2026-11-03 or 2026/11/3",
                           message_zh=f"{what_zh}“{text.strip()}”不是日期：请按年、月、日的顺序写，"
                           "例如 2026-11-03、2026/11/3 或 2026年11月3日")
    return day


def _produced_on(text: str | None) -> str | None:
    day = _date(text, "production date", "生产日期")
    if day and day > beijing_today():
        raise InvalidInput(f"production date {day} is in the future",
                           message_zh=f"生产日期 {day} 晚于今天")
    if day and day < EARLIEST_PRODUCTION:
        raise InvalidInput(f"production date {day} is before {EARLIEST_PRODUCTION}: check it",
                           message_zh=f"生产日期 {day} 早于 {EARLIEST_PRODUCTION}，请核对")
    return day.isoformat() if day else None


def _expires_on(given: str | None, produced_on: str | None, product: Product) -> str | None:
    """The given expiry date, else production date plus the product's shelf life."""
    day = _date(given, "expiry date", "到期日")
    if day is None and produced_on:
        day = product.expiry_after(date.fromisoformat(produced_on))
    if day and produced_on and day < date.fromisoformat(produced_on):
        raise InvalidInput(f"expiry date {day} is before the production date {produced_on}",
                           message_zh=f"到期日 {day} 早于生产日期 {produced_on}")
    return day.isoformat() if day else None


def new_batch(db: sqlite_utils.Database, gtin: str, lot: str, *, produced_on: str | None = None,
              quantity: int | None = None, notes: str | None = None,
              expires_on: str | None = None) -> Batch:
    product = get_product(db, gtin)
    require_not_suspended(supplier_of(db, product))
    lot = normalise_lot(lot)
    details = described_batch(product, produced_on=produced_on, quantity=quantity, notes=notes,
                              expires_on=expires_on)
    taken = db.execute("SELECT id FROM batches WHERE gtin = ? AND lot = ?",
                       [product.gtin, lot]).fetchone()
    if taken:
        cancelled = cancellation(db, taken[0]) is not None  # its creation is logged for good
        raise Conflict(f"batch {lot} of GTIN {product.gtin} already exists"
                       + (" (cancelled; a cancelled lot stays taken)" if cancelled else ""),
                       message_zh=f"批次号 {lot} 已登记过"
                       + ("（是已取消的批次：取消后批次号也不能再用，请换一个）" if cancelled else ""))
    batch = dict(gtin=product.gtin, lot=lot, **details)
    with db.atomic():
        cursor = db.execute("INSERT INTO batches (gtin, lot, produced_on, quantity_planned, "
                            "notes, expires_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [*batch.values(), utc_now()])
        # A sign-up's batches are logged once an operator approves it: until then no
        # page shows them, and a turned-down sign-up's are deleted.
        if supplier_of(db, product).approved:
            leaves.record(db, f"batches:{cursor.lastrowid}")
    return Batch(id=cursor.lastrowid, **batch)  # type: ignore[arg-type]


def described_batch(product: Product, *, produced_on: str | None, quantity: int | None,
                    notes: str | None, expires_on: str | None) -> dict:
    """A batch's details as described, each checked; the expiry date from the product's
    shelf life when none is given."""
    if quantity is not None and not 1 <= quantity <= MAX_BATCH_QUANTITY:
        raise InvalidInput(f"planned quantity must be 1-{MAX_BATCH_QUANTITY:,}",
                           message_zh=f"计划数量须为 1–{MAX_BATCH_QUANTITY:,}")
    produced = _produced_on(produced_on)
    return dict(produced_on=produced, quantity_planned=quantity,
                notes=clean_text(notes, "notes", what_zh="备注", limit=500, multiline=True),
                expires_on=_expires_on(expires_on, produced, product))


def get_batch(db: sqlite_utils.Database, gtin: str, lot: str) -> Batch:
    gtin = normalise_gtin(gtin)
    rows = list(db.query("SELECT * FROM batches WHERE gtin = ? AND lot = ?", [gtin, lot]))
    if not rows:
        lots = [row[0] for row in db.execute(
            "SELECT lot FROM batches WHERE gtin = ? ORDER BY id DESC LIMIT 8", [gtin])]
        hint = (f"lots of this product: {', '.join(lots)} (python -m trace batch list "
                f"--gtin {gtin})" if lots else
                f"open it first: python -m trace batch new --gtin {gtin} --lot {lot}")
        raise NotFound(f"no batch {lot} of GTIN {gtin} is registered", hint=hint,
                       message_zh=f"没有登记这个批次（商品条码 {gtin}，批次号 {lot}）")
    return Batch.from_row(rows[0])


def unregistered_batch(gtin: str, lot: str, hint: str | None = None) -> NotFound:
    """What a buyer is told about a batch we do not vouch for."""
    # A link pasted cut short lands here as often as a fake: say both, and what to do.
    return NotFound(f"no batch {lot} of GTIN {gtin} is registered here. If you copied the "
                    "address, it may be cut short: scan the QR code on the item or in the "
                    "livestream instead. If scanning the code itself led here, beware of fakes.",
                    hint=hint,
                    message_zh=f"本平台没有登记此批次（批次号 {lot}）。如果网址是复制来的，可能没有复制完整，"
                               "请直接扫商品上或直播间里的二维码；如果是扫二维码打开的这一页，请谨防假冒。")


def get_batch_by_id(db: sqlite_utils.Database, batch_id: int) -> Batch:
    rows = list(db.query("SELECT * FROM batches WHERE id = ?", [batch_id]))
    if not rows:
        raise NotFound(f"no batch with id {batch_id}")
    return Batch.from_row(rows[0])


def issued_count(db: sqlite_utils.Database, batch_id: int) -> int:
    return db.execute("SELECT count(*) FROM items WHERE batch_id = ?", [batch_id]).fetchone()[0]


def find_item(db: sqlite_utils.Database, gtin: str, serial: str) -> dict | None:
    # db.execute, not db.query: no savepoint around a read, on every scan
    cursor = db.execute("SELECT * FROM items WHERE gtin = ? AND serial = ?", [gtin, serial])
    row = cursor.fetchone()
    return dict(zip((column[0] for column in cursor.description), row)) if row else None


def find_lot(db: sqlite_utils.Database, lot: str, limit: int = 10) -> list[dict]:
    """The batches with lot ``lot`` (read out alone on the phone, without its
    barcode), each with its product, supplier and barcode; none for no such lot.
    Read out, a lot loses its dashes or gains spaces (ZJ 2611 A, ZJ2611A), or is
    only begun (CS-2611): matched then without them, from its start."""
    letters = re.sub(r"[\s\-]", "", ascii_alnum(lot or "").translate(_DASHES).upper())
    if not letters or len(letters) > 20 or not letters.isalnum() or not letters.isascii():
        return []
    select = ("SELECT p.gtin, p.name, s.name AS supplier, b.lot FROM batches b "
              "JOIN products p ON p.gtin = b.gtin JOIN suppliers s ON s.id = p.supplier_id ")
    exact = list(db.query(select + "WHERE replace(b.lot, '-', '') = ? ORDER BY p.name, p.gtin "
                          "LIMIT ?", [letters, limit]))
    return exact or list(db.query(
        select + "WHERE replace(b.lot, '-', '') LIKE ? || '%' AND length(?) >= 4 "
        "ORDER BY p.name, p.gtin, b.lot LIMIT ?", [letters, letters, limit]))


def find_items_by_serial(db: sqlite_utils.Database, serial: str) -> list[dict]:
    """Items with this serial under any GTIN (a typed 追溯码 carries no GTIN)."""
    return list(db.query("SELECT * FROM items WHERE serial = ? LIMIT 2", [serial]))


def owned_batch(db: sqlite_utils.Database, supplier_id: int, gtin: str, lot: str) -> Batch:
    """The batch, if this supplier owns its product; another's is 'not found'."""
    product = owned_product(db, supplier_id, gtin)
    lot = normalise_lot(lot)
    try:
        return get_batch(db, product.gtin, lot)
    except NotFound:  # in the owner's words, not the buyer's warning
        raise NotFound(f"no batch {lot} of GTIN {product.gtin}",
                       message_zh=f"没有批次号为 {lot} 的批次") from None


def cancellation(db: sqlite_utils.Database, batch_id: int) -> dict | None:
    """Why, when and by whom a batch opened by mistake was cancelled, or None."""
    row = db.execute("SELECT reason, actor, at FROM batch_cancellations WHERE batch_id = ?",
                     [batch_id]).fetchone()
    return dict(zip(("reason", "actor", "at"), row)) if row else None


def require_not_cancelled(db: sqlite_utils.Database, batch: Batch) -> None:
    if cancellation(db, batch.id) is not None:
        raise Conflict(f"batch {batch.lot} was cancelled: nothing can be issued, tested or "
                       "changed for it",
                       message_zh=f"批次 {batch.lot} 已取消，不能再发码、委托检测或修改")


def approved_batches(db: sqlite_utils.Database, limit: int = 500) -> list[dict]:
    """The newest batches of approved suppliers (gtin, lot, product): what an operator
    picks from to send a lab, without counting anyone's codes."""
    return list(db.query(
        "SELECT b.gtin, b.lot, p.name AS product FROM batches b "
        "JOIN products p ON p.gtin = b.gtin JOIN suppliers s ON s.id = p.supplier_id "
        "WHERE s.approved_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batch_cancellations c "
        "WHERE c.batch_id = b.id) ORDER BY b.id DESC LIMIT ?", [limit]))


def list_batches(db: sqlite_utils.Database, gtin: str | None = None, *,
                 supplier_id: int | None = None) -> list[dict]:
    """Batches, newest first (those cancelled after the rest), with how many codes
    each has and how many of its items were recalled one by one: one product's with
    ``gtin``, one supplier's with ``supplier_id``."""
    sql = ("SELECT b.gtin, b.lot, b.produced_on, b.expires_on, b.status, p.name AS product, "
           "(SELECT count(*) FROM items i WHERE i.batch_id = b.id) AS issued, "
           "(SELECT count(DISTINCT item_id) FROM status_events e WHERE e.batch_id = b.id "
           "AND e.action = 'recall_item') AS items_recalled, "
           "EXISTS (SELECT 1 FROM batch_cancellations c WHERE c.batch_id = b.id) AS cancelled "
           "FROM batches b JOIN products p ON p.gtin = b.gtin WHERE 1")
    params: list = []
    if gtin:
        sql += " AND b.gtin = ?"
        params.append(get_product(db, gtin).gtin)
    if supplier_id is not None:
        sql += " AND p.supplier_id = ?"
        params.append(supplier_id)
    return list(db.query(sql + " ORDER BY cancelled, b.id DESC", params))  # cancelled last
