"""What goes into the ledger: one canonical, versioned leaf for each event, built
from the event's own row, so that the same code writes a leaf and later re-derives
it to check that neither changed::

    index = record(db, "status_events:7")      # in the event's own transaction
    build(db, "status_events:7").data           # b'{"action":"recall",...,"v":"trace-leaf-v1"}'

A leaf is the UTF-8 of sorted, compact JSON whose values are strings (RFC 8785 for
such JSON). It carries what the public pages show and ``row_sha256``, the
SHA-256 of the whole source row (actors, notes and device hashes included), so a
change to any column is caught without publishing the private ones. A top-up of
codes is one leaf holding ``items_root``, the RFC 6962 head of its items
(``serial|sig`` in issue order): an item is proved by its place under that head.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import sqlite_utils

from .. import ledger
from . import log

VERSION = "trace-leaf-v1"


@dataclass(frozen=True)
class Leaf:
    kind: str
    source: str
    data: bytes
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None


def encode(kind: str, fields: dict[str, Any]) -> bytes:
    body = {"v": VERSION, "kind": kind,
            **{name: "" if value is None else str(value) for name, value in fields.items()}}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def row_sha256(row: Sequence[Any]) -> str:
    return hashlib.sha256(json.dumps(list(row), ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def item_entry(serial: str, sig: str) -> bytes:
    return f"{serial}|{sig}".encode()


def items_root(entries: Iterable[tuple[str, str]]) -> str:
    return ledger.root([item_entry(serial, sig) for serial, sig in entries]).hex()


def _row(db: sqlite_utils.Database, sql: str, key: Any) -> tuple:
    row = db.execute(sql, [key]).fetchone()
    if row is None:
        raise LookupError("its row is gone")
    return tuple(row)


_BATCH_COLUMNS = ("id", "gtin", "lot", "produced_on", "quantity_planned", "notes",
                  "expires_on", "created_at")


def _batch(db, source: str, key: str) -> Leaf:
    row = _as_created(db, _row(db, f"SELECT {', '.join(_BATCH_COLUMNS)} FROM batches "
                               "WHERE id = ?", key))
    _id, gtin, lot, produced_on, _planned, _notes, expires_on, created_at = row
    return Leaf("batch_created", source, encode("batch_created", dict(
        gtin=gtin, lot=lot, produced_on=produced_on, expires_on=expires_on, at=created_at,
        row_sha256=row_sha256(row))), gtin, lot)


def _as_created(db, row: tuple) -> tuple:
    """The batch row as it was created: each corrected field back to the value its
    first logged correction started from."""
    first: dict[str, Any] = {}
    for (changes,) in db.execute("SELECT changes FROM batch_changes WHERE batch_id = ? "
                                 "ORDER BY id", [row[0]]):
        for field, (before, _after) in json.loads(changes).items():
            first.setdefault(field, before)
    return tuple(first.get(name, value) for name, value in zip(_BATCH_COLUMNS, row))


def _batch_change(db, source: str, key: str) -> Leaf:
    """What buyers see of the change in the clear; the rest only in ``row_sha256``."""
    row = _row(db, "SELECT c.id, b.gtin, b.lot, c.batch_id, c.changes, c.reason, c.actor, c.at "
               "FROM batch_changes c JOIN batches b ON b.id = c.batch_id WHERE c.id = ?", key)
    _id, gtin, lot, _batch_id, changes, reason, _actor, at = row
    public = {field: ["" if value is None else str(value) for value in values]
              for field, values in json.loads(changes).items()
              if field in ("produced_on", "expires_on")}
    return Leaf("batch_changed", source, encode("batch_changed", dict(
        gtin=gtin, lot=lot, changes=json.dumps(public, ensure_ascii=False, sort_keys=True),
        reason=reason, at=at, row_sha256=row_sha256(row))), gtin, lot)


def issuance_items(db: sqlite_utils.Database, issuance_id: int) -> list[tuple[str, str]]:
    return db.execute("SELECT serial, sig FROM items WHERE issuance_id = ? ORDER BY id",
                      [issuance_id]).fetchall()


def _issuance(db, source: str, key: str, root: str | None = None) -> Leaf:
    row = _row(db, "SELECT i.id, b.gtin, b.lot, i.kid, i.count, i.issued_at FROM issuances i "
               "JOIN batches b ON b.id = i.batch_id WHERE i.id = ?", key)
    issuance_id, gtin, lot, kid, count, issued_at = row
    root = root or items_root(issuance_items(db, issuance_id))
    return Leaf("codes_issued", source, encode("codes_issued", dict(
        gtin=gtin, lot=lot, issuance=issuance_id, kid=kid, count=count, at=issued_at,
        items_root=root, row_sha256=row_sha256(row))), gtin, lot)


def _report(db, source: str, key: str) -> Leaf:
    row = _row(db, "SELECT r.id, r.agency_id, b.gtin, b.lot, r.report_no, r.version, "
               "r.supersedes, r.record, r.kid, r.sig, r.pdf_sha256, r.created_at "
               "FROM inspection_reports r JOIN batches b ON b.id = r.batch_id WHERE r.id = ?", key)
    _id, agency, gtin, lot, report_no, version, supersedes, record, kid, sig, pdf, at = row
    kind = "withdrawal" if _withdraws(record) else "correction" if supersedes else "report"
    return Leaf(kind, source, encode(kind, dict(
        gtin=gtin, lot=lot, agency=agency, report_no=report_no, version=version,
        supersedes=supersedes, record_sha256=hashlib.sha256(record.encode()).hexdigest(),
        kid=kid, sig=sig, pdf_sha256=pdf, at=at, row_sha256=row_sha256(row))), gtin, lot)


def _withdraws(record: str) -> bool:
    """Whether the stored report record is a withdrawal (a damaged one is not)."""
    try:
        parsed = json.loads(record)
    except ValueError:
        return False
    return isinstance(parsed, dict) and parsed.get("status") == "withdrawn"


def _status_event(db, source: str, key: str) -> Leaf:
    row = _row(db, "SELECT e.id, e.action, b.gtin, b.lot, i.serial, e.reason, e.actor, e.at, "
               "e.batch_id, e.item_id FROM status_events e JOIN batches b ON b.id = e.batch_id "
               "LEFT JOIN items i ON i.id = e.item_id WHERE e.id = ?", key)
    _id, action, gtin, lot, serial, reason, _actor, at, _batch_id, _item = row
    return Leaf(action, source, encode(action, dict(
        gtin=gtin, lot=lot, serial=serial, reason=reason, at=at,
        row_sha256=row_sha256(row))), gtin, lot, serial)


def _batch_cancellation(db, source: str, key: str) -> Leaf:
    row = _row(db, "SELECT c.batch_id, b.gtin, b.lot, c.reason, c.actor, c.at FROM "
               "batch_cancellations c JOIN batches b ON b.id = c.batch_id WHERE c.batch_id = ?",
               key)
    _batch_id, gtin, lot, reason, _actor, at = row
    return Leaf("batch_cancelled", source, encode("batch_cancelled", dict(
        gtin=gtin, lot=lot, reason=reason, at=at, row_sha256=row_sha256(row))), gtin, lot)


def _claim(db, source: str, key: str) -> Leaf:
    row = _row(db, "SELECT c.item_id, b.gtin, b.lot, i.serial, c.claimed_at, c.device, "
               "c.network FROM claims c JOIN items i ON i.id = c.item_id "
               "JOIN batches b ON b.id = i.batch_id WHERE c.item_id = ?", key)
    _item, gtin, lot, serial, claimed_at, _device, _network = row
    return Leaf("claim", source, encode("claim", dict(
        gtin=gtin, lot=lot, serial=serial, at=claimed_at, row_sha256=row_sha256(row))),
        gtin, lot, serial)


def _key(db, source: str, key: str) -> Leaf:
    kid, event = key.rsplit(":", 1)
    row = _row(db, "SELECT kid, role, public_key, created_at, not_before, not_after, "
               "retired_at, revoked_at FROM keys WHERE kid = ?", kid)
    kid, role, public_key, created_at, not_before, not_after, retired_at, revoked_at = row
    fields = {"created": dict(role=role, public_key=public_key, at=created_at,
                              not_before=not_before),
              "retired": dict(at=retired_at, not_after=not_after),
              "revoked": dict(at=revoked_at)}[event]
    if not fields["at"]:
        raise LookupError(f"the key is not {event}")
    return Leaf(f"key_{event}", source, encode(f"key_{event}", dict(kid=kid, **fields)))


def _selection(db, source: str, key: str) -> Leaf:
    row = _row(db, "SELECT s.id, s.room_id, r.name, r.platform, b.gtin, b.lot, s.serial, "
               "s.decision, s.checks, s.passed, s.note, s.override_reason, s.actor, s.at "
               "FROM selections s JOIN rooms r ON r.id = s.room_id "
               "JOIN batches b ON b.id = s.batch_id WHERE s.id = ?", key)
    _id, room, room_name, platform, gtin, lot, serial, decision = row[:8]
    return Leaf("selection", source, encode("selection", dict(
        gtin=gtin, lot=lot, serial=serial, room=room, room_name=room_name, platform=platform,
        decision=decision, at=row[-1], row_sha256=row_sha256(row))), gtin, lot, serial)


def _product_change(db, source: str, key: str) -> Leaf:
    """About the product (every batch of the GTIN), so its lot is empty."""
    row = _row(db, "SELECT id, gtin, changes, reason, actor, at FROM product_changes "
               "WHERE id = ?", key)
    _id, gtin, changes, reason, _actor, at = row
    return Leaf("product_changed", source, encode("product_changed", dict(
        gtin=gtin, lot="", changes=changes, reason=reason, at=at,
        row_sha256=row_sha256(row))), gtin)


# A supplier as buyers reach it: what its leaf shows in the clear; the contact's
# person only in row_sha256.
_SUPPLIER_COLUMNS = ("id", "name", "credit_code", "phone", "address", "contact_name",
                     "approved_at")
SUPPLIER_SHOWN = ("name", "credit_code", "phone", "address")


def _supplier(db, source: str, key: str) -> Leaf:
    """The supplier as approved: each field a logged change touched set back to the
    value its first change started from (as ``_as_created`` does for a batch)."""
    row = _row(db, f"SELECT {', '.join(_SUPPLIER_COLUMNS)} FROM suppliers WHERE id = ? "
               "AND approved_at IS NOT NULL", key)
    first: dict[str, Any] = {}
    for (changes,) in db.execute("SELECT changes FROM supplier_changes WHERE supplier_id = ? "
                                 "ORDER BY id", [row[0]]):
        for name, (before, _after) in json.loads(changes).items():
            first.setdefault(name, before)
    row = tuple(first.get(name, value) for name, value in zip(_SUPPLIER_COLUMNS, row))
    shown = dict(zip(_SUPPLIER_COLUMNS, row))
    return Leaf("supplier_registered", source, encode("supplier_registered", dict(
        supplier=row[0], **{name: shown[name] for name in SUPPLIER_SHOWN},
        at=shown["approved_at"], row_sha256=row_sha256(row))))


def _supplier_change(db, source: str, key: str) -> Leaf:
    row = _row(db, "SELECT id, supplier_id, changes, actor, at FROM supplier_changes "
               "WHERE id = ?", key)
    _id, supplier, changes, _actor, at = row
    public = {name: values for name, values in json.loads(changes).items()
              if name in SUPPLIER_SHOWN}
    return Leaf("supplier_changed", source, encode("supplier_changed", dict(
        supplier=supplier, changes=json.dumps(public, ensure_ascii=False, sort_keys=True),
        at=at, row_sha256=row_sha256(row))))


def _supplier_standing(db, source: str, key: str) -> Leaf:
    row = _row(db, "SELECT id, supplier_id, action, reason, actor, at FROM supplier_standing "
               "WHERE id = ?", key)
    _id, supplier, action, reason, _actor, at = row
    kind = f"supplier_{action}"
    return Leaf(kind, source, encode(kind, dict(
        supplier=supplier, reason=reason, at=at, row_sha256=row_sha256(row))))


BUILDERS: dict[str, Callable[..., Leaf]] = {
    "batches": _batch, "issuances": _issuance, "inspection_reports": _report,
    "status_events": _status_event, "batch_cancellations": _batch_cancellation,
    "claims": _claim, "keys": _key, "selections": _selection,
    "product_changes": _product_change, "batch_changes": _batch_change,
    "suppliers": _supplier, "supplier_changes": _supplier_change,
    "supplier_standing": _supplier_standing}


def build(db: sqlite_utils.Database, source: str, **extra: Any) -> Leaf:
    """The leaf for the event row ``source`` ("table:key") as the row stands now."""
    table, _, key = source.partition(":")
    return BUILDERS[table](db, source, key, **extra)


def record(db: sqlite_utils.Database, source: str, **extra: Any) -> int:
    """Append the leaf of ``source``; call inside the event's own transaction."""
    leaf = build(db, source, **extra)
    return log.append(db, leaf.kind, leaf.source, leaf.data, gtin=leaf.gtin, lot=leaf.lot,
                      serial=leaf.serial)


def event_sources(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """Every event the ledger must hold, as (time, source), oldest first."""
    queries = [
        "SELECT b.created_at, 'batches:' || b.id FROM batches b JOIN products p ON "
        "p.gtin = b.gtin JOIN suppliers s ON s.id = p.supplier_id "
        "WHERE s.approved_at IS NOT NULL",  # a sign-up's are logged on approval
        "SELECT issued_at, 'issuances:' || id FROM issuances",
        "SELECT created_at, 'inspection_reports:' || id FROM inspection_reports",
        "SELECT at, 'status_events:' || id FROM status_events",
        "SELECT at, 'batch_cancellations:' || batch_id FROM batch_cancellations",
        "SELECT claimed_at, 'claims:' || item_id FROM claims",
        "SELECT created_at, 'keys:' || kid || ':created' FROM keys",
        "SELECT retired_at, 'keys:' || kid || ':retired' FROM keys WHERE retired_at IS NOT NULL",
        "SELECT revoked_at, 'keys:' || kid || ':revoked' FROM keys WHERE revoked_at IS NOT NULL",
        "SELECT at, 'selections:' || id FROM selections",
        "SELECT at, 'product_changes:' || id FROM product_changes",
        "SELECT at, 'batch_changes:' || id FROM batch_changes",
        "SELECT approved_at, 'suppliers:' || id FROM suppliers WHERE approved_at IS NOT NULL",
        "SELECT at, 'supplier_changes:' || id FROM supplier_changes",
        "SELECT at, 'supplier_standing:' || id FROM supplier_standing",
    ]
    return sorted(tuple(row) for query in queries for row in db.execute(query).fetchall())
