"""What a batch's verify pages share, read once per content version, not per scan.

Every scan of a batch's items shows the same product, supplier and batch and the
same signed lab reports, re-checked; reading and checking them was a fifth of a
verify page's work (DESIGN §12). They change only through writes to the tables
migration 12 watches, whose triggers bump ``content_version`` in the writing
transaction whatever code writes, and with the clock (expiry dates, report ages).
So an entry is keyed by the database's epoch, its content version, the minute
and the batch::

    facts = batch_facts(db, batch_id)
    facts.product.name, facts.inspections, facts.stamp

The version is read before the facts: a write landing in between gives facts
newer than their stamp, never older, and the next read sees the new version.
Per-item state (an item's status, its scans, its events) is never cached: the
facts only say which items have events of their own, and which the ledger's events
leave voided or recalled, so a scan compares its item's row with that in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import sqlite_utils

from . import catalog, corrections, keys, recalls
from .bounded import BoundedCache
from .db import one_snapshot, utc_now
from .inspections import store as inspection_store
from .transparency import audit, findings
from .transparency.findings import Problem

# Tables whose writes do not bump the version: per-item rows (read per scan, and
# written by the hundred thousand in a top-up), accounts never shown publicly, the
# operator's follow-up of buyers' reports (no public page shows it), a supplier's
# standing and contact history (written with its suppliers row, which is watched),
# a supplier's own record of label downloads, and bookkeeping.
# tests/test_snapshots.py holds every other table to its triggers.
UNWATCHED_TABLES = frozenset({
    "items", "scans", "scan_totals", "scan_networks", "scan_browsers", "claims", "attempts",
    "jobs", "users", "api_tokens", "sign_ins", "claim_browsers", "report_handlings",
    "report_outcome_corrections", "supplier_standing", "supplier_changes", "ledger_leaves",
    "ledger_nodes",
    "ledger_checkpoints", "ledger_audits", "altered_sightings", "label_downloads",
    "pending_report_pdfs", "report_drafts", "room_screens",
    "schema_migrations", "content_version"})

Stamp = tuple[str, int, str]  # (epoch, version, minute)


@dataclass(frozen=True)
class BatchFacts:
    batch: catalog.Batch
    product: catalog.Product
    supplier: catalog.Supplier
    inspections: tuple[dict, ...]   # served_reports, newest first, checked at ``stamp``
    stamp: Stamp
    corrections: tuple[corrections.Correction, ...] = ()  # what buyers see, product and batch
    events: tuple[recalls.StatusEvent, ...] = ()  # the batch's own status events, oldest first
    items_with_events: frozenset[int] = frozenset()  # items recalled or voided one by one
    # Where the batch's records differ from what the ledger logged (audit.
    # batch_problems): changed around the platform, so its pages may not be believed.
    differences: tuple[Problem, ...] = ()
    # serial -> (status, reason) for the items the ledger's events leave voided or
    # recalled; every other item of the batch it leaves active.
    logged_items: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def records_altered(self) -> bool:
        return bool(self.differences)

    def item_differences(self, db: sqlite_utils.Database, item: dict) -> tuple[Problem, ...]:
        """Where the item's own status differs from what the ledger's events leave
        standing (voided or recalled around the platform, or back to active): a
        dict lookup per scan, and read in one snapshot only when they disagree."""
        logged = self.logged_items.get(item["serial"], ("active", None))
        if (item["status"], item["status_reason"]) == logged:
            return ()
        problems = tuple(audit.item_problems(db, self.batch.gtin, self.batch.lot,
                                             item["serial"]))
        if problems:
            findings.sighted(db, self.batch.id, self.differences + problems)
        return problems

    def events_of(self, db: sqlite_utils.Database, item_id: int) -> list[recalls.StatusEvent]:
        """The batch's events and the item's own: read afresh only for the few items
        that have any (a query a scan saved, on the busiest page)."""
        if item_id in self.items_with_events:
            return recalls.events_for(db, self.batch.id, item_id)
        return list(self.events)


_FACTS = BoundedCache(1024)   # stale stamps pile up: it starts afresh when full
_KEYS = BoundedCache(1024)    # forged codes name any key id
_MISSING = object()


def stamp(db: sqlite_utils.Database) -> Stamp:
    epoch, version = db.execute("SELECT epoch, n FROM content_version").fetchone()
    return epoch, version, utc_now()[:16]


def batch_facts(db: sqlite_utils.Database, batch_id: int,
                at: Stamp | None = None) -> BatchFacts:
    """The batch's facts as of now (or of ``at``, a stamp read just before): from
    this process's cache when nothing they depend on has changed this minute."""
    at = at or stamp(db)
    facts = _FACTS.get((at, batch_id))
    if facts is None:
        facts = _FACTS.keep((at, batch_id), _read(db, batch_id, at))
        if facts.differences:  # once a read, not a scan: the operator's home hears of it
            findings.sighted(db, batch_id, facts.differences)
    return facts


def key(db: sqlite_utils.Database, kid: str, at: Stamp | None = None) -> keys.KeyRecord | None:
    """The key ``kid`` as of now (its status included): the keys table is watched."""
    cache_key = ((at or stamp(db))[:2], kid)
    found = _KEYS.get(cache_key, _MISSING)
    if found is _MISSING:
        found = _KEYS.keep(cache_key, keys.get_key(db, kid))
    return found  # type: ignore[return-value]


def _read(db: sqlite_utils.Database, batch_id: int, at: Stamp) -> BatchFacts:
    with one_snapshot(db):  # rows and ledger as of one moment: a write between is no alarm
        batch = catalog.get_batch_by_id(db, batch_id)
        differences = tuple(audit.batch_problems(db, batch.gtin, batch.lot))
        batch = _as_logged_if_recalled(batch, differences)
        product = catalog.get_product(db, batch.gtin)
        return BatchFacts(batch, product,
                          _supplier_as_logged(catalog.supplier_of(db, product), differences),
                          tuple(inspection_store.served_reports(db, batch_id)), at,
                          tuple(corrections.changes_of(db, batch.gtin)
                                + corrections.batch_changes_of(db, batch_id)),
                          tuple(recalls.events_for(db, batch_id)),
                          recalls.items_with_events(db, batch_id), differences,
                          audit.logged_item_states(db, batch.gtin, batch.lot))


def _as_logged_if_recalled(batch: catalog.Batch,
                           differences: tuple[Problem, ...]) -> catalog.Batch:
    """The batch as recalled when the ledger logged it recalled, whatever its row says
    now: deleting a recall around the platform must not give its buyers back a green
    page. Only ever the more cautious way: a row recalled around the ledger stays so."""
    for problem in differences:
        if problem.code == "batch_status" and problem.params["expected"] == "recalled":
            return replace(batch, status="recalled",
                           status_reason=problem.params["expected_reason"])
    return batch


def _supplier_as_logged(supplier: catalog.Supplier,
                        differences: tuple[Problem, ...]) -> catalog.Supplier:
    """The supplier reached as the ledger last logged it where its row now differs:
    a phone swapped for a scammer's would take a recall's callers. (A suspension
    lifted around the platform is the ledger's already: catalog.find_supplier.)"""
    for problem in differences:
        params = problem.params
        if params.get("supplier") == str(supplier.id) and problem.code == "now_changed":
            was = {name: values[0] or None for name, values in params["values"].items()}
            supplier = replace(supplier, phone=was.get("phone", supplier.phone),
                               address=was.get("address", supplier.address))
    return supplier


def renew_epoch(db: sqlite_utils.Database) -> None:
    """A new epoch for a database whose contents were replaced (a restore): no
    process may take its cached facts for the new contents' at the same version."""
    db.execute("UPDATE content_version SET epoch = lower(hex(randomblob(8)))")
