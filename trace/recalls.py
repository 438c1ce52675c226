"""Recalls, un-recalls and voids: who did it, when and why, never deleted.

Each change writes an append-only ``status_events`` row (triggers refuse UPDATE
and DELETE) and the current status on the batch or item in one transaction, so
the next request sees it::

    recall_batch(db, "09521234000013", "ZJ-2611-A", "抽检不合格", actor="cli:alice")
    unrecall_batch(db, "09521234000013", "ZJ-2611-A", "复检合格", actor="cli:alice")
    void_item(db, parse_link(url, base), "标签损坏，已重印", actor="cli:alice")
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import sqlite_utils

from . import catalog
from .codes import ItemCode, group_serial, normalise_typed_serial, parse_code
from .db import utc_now
from .transparency import leaves
from .errors import Conflict, Forbidden, InvalidInput, NotFound


@dataclass(frozen=True)
class StatusEvent:
    """One recorded change of status, as the page's history shows it."""

    action: str          # recall, unrecall, void, recall_item
    reason: str
    actor: str
    at: str
    item_serial: str | None = None

    def to_json(self) -> dict:
        return {"action": self.action, "reason": self.reason, "at": self.at,
                "serial": self.item_serial}


@dataclass(frozen=True)
class EventRun:
    """Items voided or recalled together (a run issued by mistake), said once."""

    action: str
    reason: str
    actor: str
    at: str
    serials: tuple[str, ...]


def folded(events: list[StatusEvent], least: int = 3) -> list[StatusEvent | EventRun]:
    """The history with each run of ``least`` or more item events in a row, of one
    action, reason and actor, as one ``EventRun``: a range of 400 voids was 400 lines."""
    shown: list[StatusEvent | EventRun] = []
    run: list[StatusEvent] = []

    def close() -> None:
        if len(run) >= least:
            first = run[0]
            shown.append(EventRun(first.action, first.reason, first.actor, first.at,
                                  tuple(event.item_serial or "" for event in run)))
        else:
            shown.extend(run)
        run.clear()

    for event in events:
        if run and (event.item_serial is None or (event.action, event.reason, event.actor)
                    != (run[0].action, run[0].reason, run[0].actor)):
            close()
        if event.item_serial is None:
            shown.append(event)
        else:
            run.append(event)
    close()
    return shown


def _reason(reason: str | None) -> str:
    text = catalog.clean_text(reason, "reason", what_zh="原因", limit=200)
    if not text:
        raise InvalidInput("give a reason: buyers read it on the page",
                           message_zh="请填写原因：买家会在页面上看到")
    return text


def _record(db: sqlite_utils.Database, batch_id: int, item_id: int | None, action: str,
            reason: str, actor: str) -> None:
    """The event and its ledger leaf; callers hold the transaction that also changes
    the batch's or item's status."""
    cursor = db.execute("INSERT INTO status_events (batch_id, item_id, action, reason, actor, "
                        "at) VALUES (?, ?, ?, ?, ?, ?)",
                        [batch_id, item_id, action, reason, actor, utc_now()])
    leaves.record(db, f"status_events:{cursor.lastrowid}")


def recall_batch(db: sqlite_utils.Database, gtin: str, lot: str, reason: str,
                 actor: str) -> catalog.Batch:
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    catalog.require_not_cancelled(db, batch)  # it never had a code to recall
    if not catalog.supplier_of(db, catalog.get_product(db, batch.gtin)).approved:
        # Nobody can see it nor scan a code of it yet; a recall kept from now would
        # show buyers once the company is approved, and pin a lot meant to be reusable.
        raise Conflict(f"batch {batch.lot} is not public before the supplier is approved: "
                       "nothing to recall (cancel it if its lot is wrong)",
                       message_zh=f"您的单位通过审核前，批次 {batch.lot} 还不公开、也没有发码，无需召回；"
                                  "批次号录错了请取消这个批次")
    reason = _reason(reason)
    if batch.status == "recalled":
        raise Conflict(f"batch {batch.lot} of {batch.gtin} is already recalled "
                       f"({batch.status_reason})",
                       message_zh=f"批次 {batch.lot} 已经召回（{batch.status_reason}）")
    with db.atomic():
        _record(db, batch.id, None, "recall", reason, actor)
        db.execute("UPDATE batches SET status = 'recalled', status_reason = ? WHERE id = ?",
                   [reason, batch.id])
    return catalog.get_batch_by_id(db, batch.id)


def unrecall_batch(db: sqlite_utils.Database, gtin: str, lot: str, reason: str,
                   actor: str, *, by_platform: bool = False) -> catalog.Batch:
    """Lift a batch's recall. One the platform made (``recalled_by_platform``) is
    lifted by the platform only (``by_platform``: its operator or a server
    command): a supplier lifting a confirmed fake's recall put 正品 back on it."""
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    reason = _reason(reason)
    if batch.status != "recalled":
        raise Conflict(f"batch {batch.lot} of {batch.gtin} is not recalled",
                       message_zh=f"批次 {batch.lot} 没有被召回")
    if not by_platform and recalled_by_platform(db, batch.id):
        raise Forbidden(f"the platform recalled batch {batch.lot}: only the platform can lift "
                        "that recall; contact its operator",
                        message_zh=f"批次 {batch.lot} 是平台召回的，只能由平台撤销；"
                                   "复检合格等情况请联系平台运营方")
    with db.atomic():
        _record(db, batch.id, None, "unrecall", reason, actor)
        db.execute("UPDATE batches SET status = 'open', status_reason = NULL WHERE id = ?",
                   [batch.id])
    return catalog.get_batch_by_id(db, batch.id)


def recalled_by_platform(db: sqlite_utils.Database, batch_id: int) -> str | None:
    """Who recalled the batch, if its standing recall is the platform's: the operator
    on the web (an admin account) or a server command (cli:USER); else None."""
    row = db.execute("SELECT actor FROM status_events WHERE batch_id = ? AND item_id IS NULL "
                     "AND action = 'recall' ORDER BY id DESC LIMIT 1", [batch_id]).fetchone()
    if row is None:
        return None
    actor = row[0]
    if actor.startswith("cli:"):
        return actor
    role = db.execute("SELECT role FROM users WHERE email = ?", [actor]).fetchone()
    return actor if role and role[0] == "admin" else None


def _item(db: sqlite_utils.Database, code: ItemCode) -> dict:
    item = catalog.find_item(db, code.gtin, code.serial)
    if item is None or catalog.get_batch_by_id(db, item["batch_id"]).lot != code.lot:
        raise NotFound(f"no item {code.serial} in batch {code.lot} of {code.gtin}",
                       message_zh="本平台没有发放过这个追溯码")
    if (item["kid"], item["sig"]) != (code.kid, code.sig):
        # A forged URL names a real serial: acting on it would void the genuine item.
        raise InvalidInput(f"the signature in this URL is not the one issued for item "
                           f"{code.serial}: it is a forged or altered code",
                           message_zh="网址中的签名与发码记录不符：这是伪造或被改动的码",
                           hint="copy the item's URL from 'python -m trace codes export'")
    return item


def _typed_code_link(text: str) -> str | None:
    """The 追溯码 of a typed-code page's address (``…/verify?q=RZJ4-WDFF-XA07``)."""
    parts = urlsplit(text.strip())
    if parts.path.rstrip("/").endswith("/verify") or parts.path == "verify":
        return next(iter(parse_qs(parts.query).get("q", [])), None)
    return None


def issued_code(db: sqlite_utils.Database, batch: catalog.Batch, serial: str,
                base_url: str | None = None) -> ItemCode:
    """The code issued under ``serial`` in this batch, as its owner names it: typed
    (dashes, lower case or O for 0 are fine), or the URL a barcode scanner reads
    off the label, whose signature must be the one issued."""
    typed_link = _typed_code_link(serial)
    if typed_link:  # a /verify?q=… link, as the typed-code page shows: its 追溯码
        serial = typed_link
    elif "://" in serial or serial.strip().startswith("/01/"):
        code = parse_code(serial.strip(), base_url)
        if (code.gtin, code.lot) != (batch.gtin, batch.lot):
            other = f"; it is of batch {code.lot}" if code.gtin == batch.gtin else ""
            raise NotFound(f"this code is not of batch {batch.lot}{other}",
                           message_zh=f"这个码不属于批次 {batch.lot}"
                           + (f"，它属于同一商品的批次 {code.lot}" if other else ""))
        _item(db, code)  # a copied label with a made-up signature changes nothing
        return code
    typed = normalise_typed_serial(serial)
    item = catalog.find_item(db, batch.gtin, typed)
    if item is None or item["batch_id"] != batch.id:
        en, zh = _where_else(db, batch, item, typed)
        raise NotFound(f"no item {serial.strip()} in batch {batch.lot}{en}",
                       message_zh=f"本批次没有追溯码 {serial.strip()}{zh}")
    return ItemCode(batch.gtin, batch.lot, typed, item["kid"], item["sig"])


def _where_else(db: sqlite_utils.Database, batch: catalog.Batch, item: dict | None,
                serial: str) -> tuple[str, str]:
    """Where the supplier's own code is, when it is in another of its batches (of this
    product, or of another of its products), to look there; nothing of another's."""
    if item is not None:
        lot = catalog.get_batch_by_id(db, item["batch_id"]).lot
        return f"; it is of batch {lot}", f"，它属于同一商品的批次 {lot}"
    owner = catalog.get_product(db, batch.gtin).supplier_id
    for other in catalog.find_items_by_serial(db, serial):
        product = catalog.get_product(db, other["gtin"])
        if product.supplier_id == owner:
            lot = catalog.get_batch_by_id(db, other["batch_id"]).lot
            return (f"; it is of batch {lot} of your product {product.name}",
                    f"，它属于贵公司另一商品“{product.name}”的批次 {lot}")
    return "", ""


def _set_item_status(db: sqlite_utils.Database, code: ItemCode, status: str, action: str,
                     reason: str, actor: str) -> dict:
    item = _item(db, code)
    reason = _reason(reason)
    if item["status"] == "void":
        raise Conflict(f"item {code.serial} is void already; a void code stays void",
                       message_zh=f"追溯码 {group_serial(code.serial)} 已作废，作废的码不能再改")
    if item["status"] == status:
        raise Conflict(f"item {code.serial} is {status} already ({item['status_reason']})",
                       message_zh=f"追溯码 {group_serial(code.serial)} 已是这个状态"
                       f"（{item['status_reason']}）")
    with db.atomic():
        _record(db, item["batch_id"], item["id"], action, reason, actor)
        db.execute("UPDATE items SET status = ?, status_reason = ? WHERE id = ?",
                   [status, reason, item["id"]])
    return dict(item, status=status, status_reason=reason)


def void_item(db: sqlite_utils.Database, code: ItemCode, reason: str, actor: str) -> dict:
    """A damaged or reprinted label: the code never stands for an item again."""
    return _set_item_status(db, code, "void", "void", reason, actor)


def void_range(db: sqlite_utils.Database, batch: catalog.Batch, first: int, last: int,
               reason: str, actor: str) -> int:
    """Void the codes at positions ``first``..``last`` (1-based, in issue order; the
    caller checks them against the batch): a run issued twice by mistake, never to be
    printed, or a box of goods lost or stolen on its way (whoever scans one is told
    why). Each is voided and logged as one item's void is, all or none; returns
    how many were voided (those void already are passed over)."""
    reason = _reason(reason)
    rows = db.execute("SELECT id FROM items WHERE batch_id = ? AND status != 'void' "
                      "AND id IN (SELECT id FROM items WHERE batch_id = ? ORDER BY id "
                      "LIMIT ? OFFSET ?)",
                      [batch.id, batch.id, last - first + 1, first - 1]).fetchall()
    if not rows:
        raise Conflict(f"codes {first} to {last} of batch {batch.lot} are void already",
                       message_zh=f"第 {first} 到第 {last} 个码都已作废")
    with db.atomic():
        for (item_id,) in rows:
            _record(db, batch.id, item_id, "void", reason, actor)
            db.execute("UPDATE items SET status = 'void', status_reason = ? WHERE id = ?",
                       [reason, item_id])
    return len(rows)


def recall_item(db: sqlite_utils.Database, code: ItemCode, reason: str, actor: str) -> dict:
    return _set_item_status(db, code, "recalled", "recall_item", reason, actor)


def events_for(db: sqlite_utils.Database, batch_id: int, item_id: int | None = None, *,
               every_item: bool = False) -> list[StatusEvent]:
    """The batch's own events and, given an item, that item's (or, for the batch's
    owner, ``every_item``'s), oldest first."""
    rows = db.execute(
        "SELECT e.action, e.reason, e.actor, e.at, i.serial FROM status_events e "
        "LEFT JOIN items i ON i.id = e.item_id "
        "WHERE e.batch_id = ? AND (e.item_id IS NULL OR e.item_id = ? OR ?) ORDER BY e.id",
        [batch_id, item_id, every_item]).fetchall()
    return [StatusEvent(*row) for row in rows]


def items_with_events(db: sqlite_utils.Database, batch_id: int) -> frozenset[int]:
    """The batch's items that have events of their own (recalled or voided one by one)."""
    return frozenset(row[0] for row in db.execute(
        "SELECT DISTINCT item_id FROM status_events WHERE batch_id = ? AND item_id IS NOT NULL",
        [batch_id]))


def items_taken_back(db: sqlite_utils.Database, batch_id: int) -> dict[str, int]:
    """How many of the batch's items were recalled or voided one by one: a batch whose
    own status still reads 正常 may hold some a buyer must not use."""
    # From the batch's few events (indexed), not its items (a batch may have 100,000).
    # Neither is ever undone; a recalled item voided since counts as void.
    return dict(db.execute(
        "SELECT state, count(*) FROM (SELECT CASE WHEN max(action = 'void') THEN 'void' "
        "ELSE 'recalled' END AS state FROM status_events WHERE batch_id = ? "
        "AND item_id IS NOT NULL AND action IN ('recall_item', 'void') GROUP BY item_id) "
        "GROUP BY state", [batch_id]).fetchall())
