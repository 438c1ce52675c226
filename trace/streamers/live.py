"""The on-camera page of a batch a room selected (DESIGN §9): which page a room
has for a batch, what it shows, and the fingerprint the page polls so that it
changes within seconds of a recall or a failed report::

    page = open_live(db, room, gtin, lot, actor="live@room.cn")   # after 选用
    shown = on_camera(db, page.id, base_url)
    shown.state            # one of STATES: 'ok', or why the page warns
    shown.fingerprint      # changes whenever anything the page shows would
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from .. import catalog, snapshots
from .. import reports as buyer_reports
from ..clock import beijing_today
from ..codes import BatchRef, ItemCode
from ..db import utc_now
from ..errors import Forbidden, NotFound
from ..inspections import report as reports
from ..inspections import store as inspection_store
from ..rooms import Room, get_room
from .selection import ABOUT_THE_BATCH, RECALLED_AFTER, SUSPENDED_AFTER, report_check

# Worst first: the page shows the first state that holds. A lab's withdrawal comes
# before a lifted recall's recheck: no recheck can clear a batch left with no report.
STATES = ("altered", "recalled", "expired", "failed", "suspended", "invalid_report", "dropped",
          "retest", "withdrawn", "recheck", "reinstated", "no_report", "ok")
_ID = re.compile(r"[A-Za-z0-9_-]{8,32}")


@dataclass(frozen=True)
class LivePage:
    id: str
    room_id: int
    batch_id: int
    opened_by: str
    opened_at: str


@dataclass(frozen=True)
class OnCamera:
    """Everything the on-camera page shows, as of now."""

    page: LivePage
    state: str
    room: Room
    batch: catalog.Batch
    product: catalog.Product
    supplier: catalog.Supplier
    report: dict | None         # a failing report first, else the newest signed one
    failed: tuple[str, ...]     # names of the failed items
    batch_url: str

    @property
    def fingerprint(self) -> str:
        shown = [self.state, self.batch.status, self.batch.status_reason, self.failed,
                 self.product.name, self.supplier.name, self.supplier.suspended_reason,
                 self.room.name, self.report]
        digest = hashlib.sha256(json.dumps(shown, ensure_ascii=False, sort_keys=True).encode())
        return digest.hexdigest()[:16]


def latest_decision(db: sqlite_utils.Database, room_id: int, batch_id: int) -> str | None:
    row = db.execute("SELECT decision FROM selections WHERE room_id = ? AND batch_id = ? "
                     f"AND {ABOUT_THE_BATCH} ORDER BY id DESC LIMIT 1",
                     [room_id, batch_id]).fetchone()
    return row[0] if row else None


# When the room last decided on the batch (params: room id, batch id).
_LAST_DECISION_AT = ("coalesce((SELECT max(s.at) FROM selections s WHERE s.room_id = ? "
                     f"AND s.batch_id = ? AND {ABOUT_THE_BATCH}), '')")


def recalled_since_check(db: sqlite_utils.Database, room_id: int, batch_id: int) -> bool:
    """Whether the batch was recalled after the room's latest decision on it: once the
    recall is lifted, the room checks again before the page says 正品 again (the
    supplier alone lifted it mid-show and the page turned green)."""
    return _since_check(db, RECALLED_AFTER, room_id, batch_id)


def suspended_since_check(db: sqlite_utils.Database, room_id: int, batch_id: int) -> bool:
    """Whether the batch's supplier was suspended after the room's latest decision on
    it: reinstated, its goods go back on air when the room has checked again, as
    after a lifted recall (the page turned green on its own mid-show)."""
    return _since_check(db, SUSPENDED_AFTER, room_id, batch_id)


def _since_check(db: sqlite_utils.Database, happened: str, room_id: int, batch_id: int) -> bool:
    sql = "SELECT " + happened.format(batch="?", at=_LAST_DECISION_AT)
    return db.execute(sql, [batch_id, room_id, batch_id]).fetchone()[0] == 1


def page_for(db: sqlite_utils.Database, room_id: int, batch_id: int) -> str | None:
    """The id of the room's on-camera page for the batch, once it has opened one."""
    row = db.execute("SELECT id FROM live_pages WHERE room_id = ? AND batch_id = ?",
                     [room_id, batch_id]).fetchone()
    return row[0] if row else None


def open_live(db: sqlite_utils.Database, room: Room, gtin: str, lot: str, *,
              actor: str) -> LivePage:
    """The room's on-camera page for the batch (the same one each time, so the address
    set up in OBS keeps working); only for a batch the room last decided 选用."""
    batch = catalog.get_batch(db, gtin, lot)
    if not catalog.supplier_of(db, catalog.get_product(db, batch.gtin)).approved:
        raise catalog.unregistered_batch(batch.gtin, batch.lot)
    if latest_decision(db, room.id, batch.id) != "选用":
        raise Forbidden(f"room {room.id} has not selected batch {batch.lot}: check a sample "
                        "and record 选用 first (select check / select record)",
                        message_zh="本直播间尚未选用该批次：请先核验样品并记录“选用”")
    with db.atomic():  # two taps at once: the second waits, then finds the first's page
        existing = page_for(db, room.id, batch.id)
        if existing:
            return get_live(db, existing)
        live_id = secrets.token_urlsafe(9)  # random: rooms cannot walk each other's pages
        db.execute("INSERT INTO live_pages (id, room_id, batch_id, opened_by, opened_at) "
                   "VALUES (?, ?, ?, ?, ?)", [live_id, room.id, batch.id, actor, utc_now()])
    return get_live(db, live_id)


def get_live(db: sqlite_utils.Database, live_id: str) -> LivePage:
    row = None
    if _ID.fullmatch(live_id or ""):
        row = db.execute("SELECT id, room_id, batch_id, opened_by, opened_at FROM live_pages "
                         "WHERE id = ?", [live_id]).fetchone()
    if row is None:
        raise NotFound("no such on-camera page", message_zh="未找到该直播核验页")
    return LivePage(*row)


def selected_batches(db: sqlite_utils.Database, room: Room) -> list[dict]:
    """The batches the room's latest decision selected (选用), and those it paused or
    dropped since opening their on-camera page (OBS may still show it), the batch
    first checked latest first (a later decision does not move it),
    each with its latest ``decision``, its on-camera page id once one is open,
    ``told``: buyers' reports naming the batch since the room's latest 选用 of it
    (``told_since``; a pause after it keeps them in view) as ``reports.Complaints``,
    ``told_words``: what the latest of them wrote (``reports.words_about_batch``),
    and ``sample``: the code the decision was made on (``sample_code``).

    Those reports are the room's to weigh, not the page's to show: a buyer's word is
    unchecked, and a rival could file it. So they reach the room, who may pause the
    page (待复检); the page itself changes only on facts (a recall, a lab's finding)."""
    rows = list(db.query(
        "SELECT b.gtin, b.lot, p.name AS product, s.at, s.serial, s.decision, "
        "l.id AS live_id, (SELECT max(o.at) FROM selections o WHERE o.room_id = s.room_id "
        f"AND o.batch_id = s.batch_id AND o.decision = '选用' AND {ABOUT_THE_BATCH}) AS on_sale_at "
        "FROM selections s "
        "JOIN batches b ON b.id = s.batch_id JOIN products p ON p.gtin = b.gtin "
        "LEFT JOIN live_pages l ON l.room_id = s.room_id AND l.batch_id = s.batch_id "
        "WHERE s.id IN (SELECT max(id) FROM selections WHERE room_id = ? "
        f"AND {ABOUT_THE_BATCH} GROUP BY batch_id) "
        "AND (s.decision = '选用' OR l.id IS NOT NULL) "
        # Newest taken on first, in an order a re-check does not shuffle mid-show.
        "ORDER BY (SELECT min(o.id) FROM selections o WHERE o.room_id = s.room_id "
        "AND o.batch_id = s.batch_id) DESC", [room.id]))
    for row in rows:
        # Since it went on sale: pausing it (待复检) must not hide what made the room pause.
        since = row.pop("on_sale_at") or row["at"]
        row["told_since"] = since
        row["told"] = buyer_reports.against_batch(db, row["gtin"], row["lot"], since)
        row["told_words"] = buyer_reports.words_about_batch(
            db, row["gtin"], row["lot"], since) if row["told"].standing else []
        row["sample"] = sample_code(db, row["gtin"], row["lot"], row.pop("serial"))
    return rows


def sample_code(db: sqlite_utils.Database, gtin: str, lot: str,
                serial: str | None) -> ItemCode | None:
    """The code of the sample a decision was made on, to check it again without
    scanning (mid-show, the sample may be out of reach); None if there is none."""
    row = db.execute("SELECT i.kid, i.sig FROM items i JOIN batches b ON b.id = i.batch_id "
                     "WHERE b.gtin = ? AND b.lot = ? AND i.serial = ?",
                     [gtin, lot, serial]).fetchone() if serial else None
    return ItemCode(gtin, lot, serial, *row) if row and serial else None


def batch_state(db: sqlite_utils.Database, room_id: int, batch: catalog.Batch, *,
                valid_days: int = 365, today: date | None = None,
                supplier: catalog.Supplier | None = None
                ) -> tuple[str, dict | None, tuple[str, ...]]:
    """What the page shows for the batch now: its state (the worst that holds), the
    report to show (a failing one first, else the newest signed one, else the
    withdrawal that left none) and the names of failed items."""
    every = inspection_store.served_reports(db, batch.id)
    served = inspection_store.standing(every)
    signed = inspection_store.signed_standing(every)
    failing = [report for report in signed if reports.failed_items(report)]
    failed = tuple(reports.failed_names(failing))
    withdrawn = [entry["report"] for entry in every if entry["withdrawn"]]
    decision = latest_decision(db, room_id, batch.id)
    today = today or beijing_today()
    no_report = not report_check(served, valid_days, today).ok
    # The on-camera page, polled every 2 s by each open page, has it read already.
    supplier = supplier or catalog.supplier_of(db, catalog.get_product(db, batch.gtin))
    conditions = {
        # Its records were changed around the platform: nothing else here holds.
        "altered": snapshots.batch_facts(db, batch.id).records_altered,
        "recalled": batch.status == "recalled",
        "expired": batch.expired(today),
        "failed": bool(failed),
        "suspended": supplier.suspended,  # the operator no longer vouches for its goods
        "invalid_report": len(signed) < len(served),
        "dropped": decision == "不选用",
        "retest": decision == "待复检",
        "recheck": recalled_since_check(db, room_id, batch.id),
        "reinstated": suspended_since_check(db, room_id, batch.id),
        "withdrawn": no_report and bool(withdrawn),
        "no_report": no_report,
    }
    state = next((name for name in STATES[:-1] if conditions[name]), "ok")
    return state, (failing or signed or withdrawn or [None])[0], failed


def on_camera(db: sqlite_utils.Database, live_id: str, base_url: str, *,
              valid_days: int = 365, today: date | None = None) -> OnCamera:
    page = get_live(db, live_id)
    # Polled every 2 s by each open page: the batch's facts, read once a content version.
    facts = snapshots.batch_facts(db, page.batch_id)
    batch, product, supplier = facts.batch, facts.product, facts.supplier
    if not supplier.approved:
        raise catalog.unregistered_batch(batch.gtin, batch.lot)
    state, shown, failed = batch_state(db, page.room_id, batch, valid_days=valid_days,
                                       today=today, supplier=supplier)
    return OnCamera(page, state, get_room(db, page.room_id), batch, product, supplier, shown,
                    failed, BatchRef(batch.gtin, batch.lot).url(base_url))
