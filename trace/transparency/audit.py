"""``ledger verify``: re-derive the whole log from the event tables and name every
place where the two disagree::

    problems = audit(db)            # [] when everything holds
    result = run(db, progress=tell)  # Audit(size=, checkpoints=, problems=), tell(leaves)
    added = backfill(db)            # leaves for events logged before the ledger existed
    str(problems[0]), problems[0].code, problems[0].params  # a line, and a page's words

It checks that each leaf is what its event row makes now, that every event has a
leaf, that every stored subtree hash is what the leaves make, that batch, item
and key statuses are what their logged events say, and that every checkpoint is
signed by a ledger key, matches the tree at its size and extends the one before.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import sqlite_utils

from .. import ledger
from ..db import on_upgrade, one_snapshot
from ..migrations import MIGRATIONS
from . import checkpoints, leaves, log
from .findings import Problem


LEDGER_SCHEMA = 11  # the migration that brought the ledger
SUPPLIER_SCHEMA = 32  # the one that brought suppliers (as approved, contacts, standing)


@on_upgrade
def _backfill_on_upgrade(db: sqlite_utils.Database, applied: list[int]) -> None:
    """A database from before the ledger gets leaves for its past events as it is
    migrated, whichever command opens it first: an event logged before them would
    leave the history out of order for good."""
    if LEDGER_SCHEMA in applied or SUPPLIER_SCHEMA in applied:
        backfill(db)


def backfill(db: sqlite_utils.Database) -> int:
    """Append leaves, oldest first, for events that have none (a database from
    before the ledger); returns how many."""
    logged = {row[0] for row in db.execute("SELECT source FROM ledger_leaves")}
    missing = [leaves.build(db, source) for _at, source in leaves.event_sources(db)
               if source not in logged]
    log.append_many(db, [(leaf.kind, leaf.source, leaf.data, leaf.gtin, leaf.lot, leaf.serial)
                         for leaf in missing])
    return len(missing)


def backfill_unpublished(db: sqlite_utils.Database) -> int:
    """Leaves for past events when the ledger is empty and no checkpoint of it was
    ever published (an upgrade by an earlier version that skipped the backfill);
    a ledger emptied after publishing stays empty for ``audit`` to report."""
    if log.tree_size(db) or db.execute("SELECT 1 FROM ledger_checkpoints WHERE size > 0 "
                                       "LIMIT 1").fetchone():
        return 0
    return backfill(db)


@dataclass(frozen=True)
class Audit:
    """What one audit covered and found."""
    size: int          # leaves re-derived from their event rows
    checkpoints: int   # signed checkpoints verified
    problems: list[Problem]


Progress = Callable[[int], None]  # told of each step of leaves checked


def run(db: sqlite_utils.Database, kept: Sequence[checkpoints.Checkpoint] = (),
        progress: Progress | None = None) -> Audit:
    """``audit``, with what it covered, all read in one snapshot of the database."""
    with one_snapshot(db):
        size = log.tree_size(db)
        signed = db.execute("SELECT count(*) FROM ledger_checkpoints").fetchone()[0]
        return Audit(size, signed, _problems(db, kept, progress))


def audit(db: sqlite_utils.Database, kept: Sequence[checkpoints.Checkpoint] = (),
          progress: Progress | None = None) -> list[Problem]:
    """Everything that does not hold, named. ``kept``: checkpoints kept outside the
    database (already verified against a pinned key): the only defence against
    someone who rewrites the log, its subtrees and its checkpoints all together."""
    return run(db, kept, progress).problems


def _problems(db: sqlite_utils.Database, kept: Sequence[checkpoints.Checkpoint],
              progress: Progress | None) -> list[Problem]:
    tell = progress or (lambda _step: None)
    problems, stored = _leaves_against_rows(db, progress)
    problems += _events_without_leaves(db)
    tell(0)  # no leaves, but alive: a job that stops moving reads as lost
    node_problems = _subtrees(db, stored)
    problems += node_problems
    tell(0)
    problems += _statuses(db)
    problems += supplier_standings(db)
    problems += _batches_now(db) + _suppliers_now(db)
    problems += _items_outside_their_issuance(db)
    problems += _checkpoints(db, stored, trust_nodes=not node_problems)
    problems += _kept(db, stored, kept)
    problems += _missing_triggers(db)
    return problems


def subject_problems(db: sqlite_utils.Database, gtin: str, lot: str,
                     serial: str | None = None) -> list[Problem]:
    """What ``audit`` would say about one batch (and item): its leaves against their
    event rows, and its statuses against the ledger's events. For proof pages."""
    problems = []
    for row in db.execute("SELECT idx FROM ledger_leaves WHERE gtin = ? AND lot = ? AND "
                          "(serial IS NULL OR serial = ?) ORDER BY idx", [gtin, lot, serial]):
        problems += _leaf_against_row(db, log.leaf(db, row[0]))
    return problems + _statuses(db, gtin, lot, serial) + _items_outside_their_issuance(
        db, gtin, lot) + _batches_now(db, gtin, lot) + _owner_problems(db, gtin)


def batch_problems(db: sqlite_utils.Database, gtin: str, lot: str) -> list[Problem]:
    """What a batch's public pages rest on, against the ledger: the leaves about the
    batch and its product (the rooms' selections too) and its status. Not its codes:
    re-hashing a top-up's hundred thousand is the full audit's work, and an edited
    code no longer verifies anyway. Cheap enough to read with the batch's facts,
    in one snapshot, so a recall landing midway is no false alarm."""
    with one_snapshot(db):
        problems = []
        for row in db.execute(
                "SELECT idx FROM ledger_leaves WHERE gtin = ? AND (lot = ? OR lot IS NULL) "
                "AND (serial IS NULL OR kind = 'selection') AND kind != 'codes_issued' "
                "ORDER BY idx", [gtin, lot]):
            problems += _leaf_against_row(db, log.leaf(db, row[0]))
        return problems + _owner_problems(db, gtin) + _batches_now(db, gtin, lot) \
            + _statuses(db, gtin, lot)


def _owner_problems(db: sqlite_utils.Database, gtin: str) -> list[Problem]:
    """``supplier_problems`` of the supplier whose product ``gtin`` is."""
    owner = db.execute("SELECT supplier_id FROM products WHERE gtin = ?", [gtin]).fetchone()
    return supplier_problems(db, owner[0]) if owner else []


def supplier_problems(db: sqlite_utils.Database, supplier_id: int) -> list[Problem]:
    """What ``audit`` would say about one supplier, in one snapshot: its leaves against
    their rows, its suspension, and how buyers reach it against the last logged."""
    with one_snapshot(db):
        return (_supplier_leaves(db, supplier_id) + supplier_standings(db, supplier_id)
                + _suppliers_now(db, supplier_id))


def logged_suspension(db: sqlite_utils.Database, supplier_id: int) -> tuple[str, str] | None:
    """(reason, at) of the suspension the ledger leaves standing for the supplier, or
    None: what decides whether it may issue codes, whatever its row says now."""
    state, reason, at = _logged_standings(db, supplier_id).get(supplier_id, ("active", None, ""))
    return (reason or "", at) if state == "suspended" else None


def _logged_standings(db: sqlite_utils.Database, supplier_id: int | None = None
                      ) -> dict[int, tuple[str, str | None, str]]:
    """Each supplier's (or one's) standing as its last logged suspension or
    reinstatement leaves it: (state, reason, since)."""
    logged: dict[int, tuple[str, str | None, str]] = {}
    for (data,) in db.execute(
            f"SELECT data FROM ledger_leaves WHERE kind IN "
            f"({','.join('?' * len(SUPPLIER_KINDS))}) AND (? IS NULL OR "
            "json_extract(CAST(data AS TEXT), '$.supplier') = ?) ORDER BY idx",
            [*SUPPLIER_KINDS, supplier_id, str(supplier_id)]):
        event = json.loads(data)
        logged[int(event["supplier"])] = (("suspended", event["reason"], event["at"])
                                          if event["kind"] == "supplier_suspend"
                                          else ("active", None, ""))
    return logged


def _supplier_leaves(db: sqlite_utils.Database, supplier_id: int) -> list[Problem]:
    """The supplier's own leaves (as approved, its contact changes, its suspensions)
    against their rows: how buyers reach it, and whether the platform vouches for it."""
    problems = []
    for (index,) in db.execute(
            "SELECT idx FROM ledger_leaves WHERE source = 'suppliers:' || ? OR source IN "
            "(SELECT 'supplier_changes:' || id FROM supplier_changes WHERE supplier_id = ?) "
            "OR source IN (SELECT 'supplier_standing:' || id FROM supplier_standing "
            "WHERE supplier_id = ?) ORDER BY idx", [supplier_id] * 3):
        problems += _leaf_against_row(db, log.leaf(db, index))
    return problems


# What a page shows now must be what the ledger last logged. A leaf re-derived from
# its row catches an edit of a created batch or an approved supplier, or of a logged
# change; but a value edited after a logged change left both intact (the created
# state is re-derived through the change), so the row's value now is checked
# against the last one logged too.
BATCH_NOW = ("produced_on", "expires_on")


def _batches_now(db: sqlite_utils.Database, gtin: str | None = None,
                 lot: str | None = None) -> list[Problem]:
    """Each batch's dates (or one's) against the last the ledger logged of them."""
    logged = _last_logged(db.execute(
        "SELECT kind, data FROM ledger_leaves WHERE kind IN ('batch_created', 'batch_changed') "
        "AND (? IS NULL OR (gtin = ? AND lot = ?)) ORDER BY idx", [gtin, gtin, lot]),
        lambda event: (event["gtin"], event["lot"]), BATCH_NOW)
    problems = []
    for row_gtin, row_lot, *now in db.execute(
            f"SELECT gtin, lot, {', '.join(BATCH_NOW)} FROM batches WHERE "
            "(? IS NULL OR (gtin = ? AND lot = ?)) ORDER BY id", [gtin, gtin, lot]):
        if (row_gtin, row_lot) in logged:
            problems += _now_problem(f"batch {row_gtin}/{row_lot}", logged[row_gtin, row_lot],
                                     dict(zip(BATCH_NOW, now)), gtin=row_gtin, lot=row_lot)
    return problems


def _suppliers_now(db: sqlite_utils.Database, supplier_id: int | None = None) -> list[Problem]:
    """How buyers reach each approved supplier (or one) against the last the ledger
    logged: a phone swapped after a logged change of it."""
    shown = leaves.SUPPLIER_SHOWN
    logged = _last_logged(db.execute(
        "SELECT kind, data FROM ledger_leaves WHERE kind IN ('supplier_registered', "
        "'supplier_changed') ORDER BY idx"), lambda event: int(event["supplier"]), shown)
    problems = []
    for sid, *now in db.execute(
            f"SELECT id, {', '.join(shown)} FROM suppliers WHERE approved_at IS NOT NULL "
            "AND (? IS NULL OR id = ?) ORDER BY id", [supplier_id, supplier_id]):
        if sid in logged:
            problems += _now_problem(f"supplier {sid}", logged[sid], dict(zip(shown, now)),
                                     supplier=str(sid), name=logged[sid]["name"])
    return problems


def _last_logged(rows: Iterable[tuple[str, bytes]], subject: Callable[[dict], Any],
                 fields: Sequence[str]) -> dict[Any, dict[str, str]]:
    """Each subject's ``fields`` as the ledger last logged them: from its first leaf
    (created, registered), then each logged change's value after."""
    logged: dict[Any, dict[str, str]] = {}
    for kind, data in rows:
        event = json.loads(data)
        values = logged.setdefault(subject(event), {})
        if kind.endswith("_changed"):
            values.update({name: after for name, (_before, after)
                           in json.loads(event["changes"]).items()})
        else:
            values.update({name: event[name] for name in fields})
    return logged


def _now_problem(subject: str, logged: dict[str, str], now: dict[str, str | None],
                 **where: str) -> list[Problem]:
    """One problem naming each field whose value now is not the last one logged."""
    # In full: short fields, and the page shows the logged value instead (snapshots)
    values = {name: [logged[name] or "", now[name] or ""]
              for name in now if name in logged and (logged[name] or "") != (now[name] or "")}
    if not values:
        return []
    fields = ", ".join(values)
    return [Problem(f"{subject}: {fields} now differ from the last the ledger logged "
                    f"({'; '.join(f'{n} {v[0]!r} -> {v[1]!r}' for n, v in values.items())})",
                    "now_changed", fields=fields, values=values, **where)]


SUPPLIER_KINDS = ("supplier_suspend", "supplier_reinstate")


def supplier_standings(db: sqlite_utils.Database,
                       supplier_id: int | None = None) -> list[Problem]:
    """Each approved supplier's suspension (or one's) against what the ledger's
    suspensions and reinstatements leave standing: lifted with one UPDATE, buyers
    would read an ordinary genuine page of a supplier the platform suspended."""
    logged = _logged_standings(db, supplier_id)
    problems = []
    for sid, name, suspended_at, reason in db.execute(
            "SELECT id, name, suspended_at, suspended_reason FROM suppliers WHERE "
            "approved_at IS NOT NULL AND (? IS NULL OR id = ?) ORDER BY id",
            [supplier_id, supplier_id]):
        actual = ("suspended", reason) if suspended_at else ("active", None)
        *expected, since = logged.get(sid, ("active", None, ""))
        if actual != tuple(expected):
            problems.append(_status_problem(f"supplier {sid} ({name})", "supplier_status",
                                            actual, tuple(expected), supplier=str(sid),
                                            name=name, since=since))
    return problems


def logged_item_states(db: sqlite_utils.Database, gtin: str, lot: str
                       ) -> dict[str, tuple[str, str | None]]:
    """The batch's items the ledger's events leave voided or recalled, by serial, as
    (status, reason): every other item of it the ledger leaves active. A verify
    page compares its item's row with this in memory (``item_problems`` says why)."""
    items = _logged_states(db, gtin, lot)[1]
    return {serial: state for (_gtin, serial), state in items.items()}


def item_problems(db: sqlite_utils.Database, gtin: str, lot: str,
                  serial: str) -> list[Problem]:
    """The item's status against the ledger's events, read in one snapshot: a void
    landing between a page's two reads is no false alarm."""
    with one_snapshot(db):
        return [problem for problem in _statuses(db, gtin, lot, serial)
                if problem.code == "item_status"]


def _items_outside_their_issuance(db: sqlite_utils.Database, gtin: str | None = None,
                                  lot: str | None = None) -> list[Problem]:
    """Items moved to another batch than the top-up that issued them: the logged
    items_root still holds (it covers serials and signatures), but the code
    printed on the label now names a batch its item is not in."""
    rows = db.execute(
        "SELECT i.serial, b.gtin, b.lot, o.lot FROM items i JOIN issuances s ON "
        "s.id = i.issuance_id JOIN batches o ON o.id = s.batch_id JOIN batches b ON "
        "b.id = i.batch_id WHERE i.batch_id != s.batch_id AND (? IS NULL OR "
        "(b.gtin = ? AND b.lot = ?) OR (o.gtin = ? AND o.lot = ?)) LIMIT 20",
        [gtin, gtin, lot, gtin, lot]).fetchall()
    return [Problem(f"item {serial} was issued in batch {issued_lot} but now sits in "
                    f"{gtin_now}/{lot_now}: its row was edited", "item_moved", serial=serial,
                    issued_lot=issued_lot, gtin=gtin_now, lot=lot_now)
            for serial, gtin_now, lot_now, issued_lot in rows]


# The triggers that make event tables and the log append-only (from the migrations).
APPEND_ONLY = sorted({word.split()[2] for _version, statements in MIGRATIONS
                      for word in statements
                      if word.lstrip().startswith("CREATE TRIGGER") and "RAISE(ABORT" in word})


def _missing_triggers(db: sqlite_utils.Database) -> list[Problem]:
    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master "
                                            "WHERE type = 'trigger'")}
    return [Problem(f"the append-only trigger {name} is missing: someone dropped it to "
                    "edit history", "trigger_missing", name=name)
            for name in APPEND_ONLY if name not in present]


def _describe(row: dict) -> str:
    subject = "/".join(part for part in (row["gtin"], row["lot"], row["serial"]) if part)
    return f"leaf {row['index']} ({row['kind']}{' of ' + subject if subject else ''})"


def _leaf_problem(row: dict, text: str, code: str, **params: Any) -> Problem:
    """A problem with one leaf, numbered from 1 as the public proof pages number it."""
    return Problem(f"{_describe(row)}: {text}", code, n=row["index"] + 1, kind=row["kind"],
                   gtin=row["gtin"], lot=row["lot"], serial=row["serial"], **params)


PROGRESS_STEP = 200  # leaves between two reports of progress


def _leaves_against_rows(db: sqlite_utils.Database, progress: Progress | None = None
                         ) -> tuple[list[Problem], list[bytes]]:
    """Each stored leaf against its own hash and against what its event row makes
    now; returns the stored leaf hashes, in log order, for the tree checks."""
    problems, stored = [], []
    size = log.tree_size(db)
    for index in range(size):
        row = log.leaf(db, index)
        stored.append(row["hash"])
        problems += _leaf_against_row(db, row)
        if progress and ((index + 1) % PROGRESS_STEP == 0 or index + 1 == size):
            progress((index % PROGRESS_STEP) + 1)
    return problems, stored


def _leaf_against_row(db: sqlite_utils.Database, row: dict) -> list[Problem]:
    try:
        remade = leaves.build(db, row["source"]).data
    except LookupError as error:
        return [_leaf_problem(row, f"event row {row['source']}: {error}", "row_gone")]
    problems = []
    if ledger.leaf_hash(row["data"]) != row["hash"]:
        problems.append(_leaf_problem(row, "its stored data was edited (it no longer hashes "
                                      "to the leaf hash the tree holds)", "leaf_edited"))
    if ledger.leaf_hash(remade) != row["hash"]:
        fields, values = _changed_fields(row["data"], remade)
        problems.append(_leaf_problem(row, f"event row {row['source']} has changed since it "
                                      f"was logged (changed: {fields})", "row_changed",
                                      fields=fields, values=values))
    return problems


SHOWN_VALUE = 60  # characters of a changed value shown before and after


def _changed_fields(logged: bytes, now: bytes) -> tuple[str, dict[str, list[str]]]:
    """The fields that differ, and each one's value as logged and as it is now (cut
    short): what an operator compares, as 2026-11-20 → 2026-10-01."""
    try:
        before, after = json.loads(logged), json.loads(now)
    except ValueError:
        return "the leaf is not JSON", {}
    names = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return ", ".join(names), {name: [_shown(before.get(name)), _shown(after.get(name))]
                              for name in names if name != "row_sha256"}


def _shown(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE - 1] + "…"


def _events_without_leaves(db: sqlite_utils.Database) -> list[Problem]:
    logged = {row[0] for row in db.execute("SELECT source FROM ledger_leaves")}
    return [Problem(f"event row {source} (at {at}) has no leaf in the ledger", "unlogged",
                    source=source, at=at)
            for at, source in leaves.event_sources(db) if source not in logged]


def _subtrees(db: sqlite_utils.Database, level_hashes: list[bytes]) -> list[Problem]:
    """Every stored node against the tree the leaf hashes make, level by level; a
    wrong node is named at the lowest level it shows (its ancestors follow)."""
    level = 0
    while level_hashes:
        stored = dict(db.execute("SELECT idx, hash FROM ledger_nodes WHERE level = ?",
                                 [level]).fetchall())
        wrong = [i for i, digest in enumerate(level_hashes) if stored.get(i) != digest]
        extra = set(stored) - set(range(len(level_hashes)))
        if wrong or extra:
            shown = ", ".join(str(i) for i in (wrong + sorted(extra))[:5])
            return [Problem(f"{len(wrong) + len(extra)} stored subtree hash(es) at level "
                            f"{level} differ from the leaves under them (first: node {shown})",
                            "subtree", level=level)]
        level_hashes = [ledger.node_hash(level_hashes[i], level_hashes[i + 1])
                        for i in range(0, len(level_hashes) - 1, 2)]
        level += 1
    return []


STATUS_KINDS = ("recall", "unrecall", "void", "recall_item")
KEY_KINDS = ("key_created", "key_retired", "key_revoked")


def _statuses(db: sqlite_utils.Database, gtin: str | None = None, lot: str | None = None,
              serial: str | None = None) -> list[Problem]:
    """Batch, item and key statuses against what the ledger's events say: all of
    them, or one batch (and item) when ``gtin`` and ``lot`` are given."""
    batches, items, key_states = _logged_states(db, gtin, lot)
    problems = []
    scope = " WHERE gtin = ? AND lot = ?" if gtin else ""
    for row_gtin, row_lot, status, reason in db.execute(
            f"SELECT gtin, lot, status, status_reason FROM batches{scope}",
            [gtin, lot] if gtin else []):
        expected = batches.get((row_gtin, row_lot), ("open", None))
        if (status, reason) != expected:
            problems.append(_status_problem(f"batch {row_gtin}/{row_lot}", "batch_status",
                                            (status, reason), expected, gtin=row_gtin,
                                            lot=row_lot))
    if gtin and not serial:
        return problems
    scope = " AND gtin = ? AND serial = ?" if gtin else ""
    if gtin:  # one item: the batch's other items are not this page's business
        items = {key: state for key, state in items.items() if key[1] == serial}
    changed = {(row[0], row[1]): (row[2], row[3]) for row in db.execute(
        f"SELECT gtin, serial, status, status_reason FROM items WHERE status != 'active'{scope}",
        [gtin, serial] if gtin else [])}
    for item in sorted(set(changed) | set(items)):
        actual, expected = changed.get(item, ("active", None)), items.get(item, ("active", None))
        if actual != expected:
            problems.append(_status_problem(f"item {item[0]}/{item[1]}", "item_status",
                                            actual, expected, gtin=item[0], serial=item[1]))
    if gtin:
        return problems
    for kid, status in db.execute("SELECT kid, status FROM keys ORDER BY created_at"):
        expected_status = key_states.get(kid, "unlogged")
        if status != expected_status:
            problems.append(Problem(f"key {kid}: status {status!r} but the ledger's events "
                                    f"say {expected_status!r}", "key_status", kid=kid,
                                    actual=status, expected=expected_status))
    return problems


def _logged_states(db: sqlite_utils.Database, gtin: str | None,
                   lot: str | None) -> tuple[dict, dict, dict]:
    """What the logged events leave standing: batch and item statuses with their
    reasons, and key states (all, or one batch's)."""
    kinds = STATUS_KINDS if gtin else STATUS_KINDS + KEY_KINDS
    scope = " AND gtin = ? AND lot = ?" if gtin else ""
    batches: dict[tuple, tuple] = {}
    items: dict[tuple, tuple] = {}
    key_states: dict[str, str] = {}
    for kind, data in db.execute(
            f"SELECT kind, data FROM ledger_leaves WHERE kind IN ({','.join('?' * len(kinds))})"
            f"{scope} ORDER BY idx", [*kinds, *([gtin, lot] if gtin else [])]):
        event = json.loads(data)
        if kind in ("recall", "unrecall"):
            batches[event["gtin"], event["lot"]] = (
                ("recalled", event["reason"]) if kind == "recall" else ("open", None))
        elif kind in ("void", "recall_item"):
            items[event["gtin"], event["serial"]] = (
                "void" if kind == "void" else "recalled", event["reason"])
        elif key_states.get(event["kid"]) != "revoked":
            key_states[event["kid"]] = kind.removeprefix("key_").replace("created", "active")
    return batches, items, key_states


def _status(status: str, reason: str | None) -> str:
    return f"{status!r} " + (f"(reason {reason!r})" if reason is not None else "(no reason)")


def _status_problem(subject: str, code: str, actual: tuple, expected: tuple,
                    **where: str) -> Problem:
    """A status the database holds that the ledger's events do not leave standing:
    buyers read the database's."""
    return Problem(f"{subject}: status {_status(*actual)} but the ledger's events say "
                   f"{_status(*expected)}", code, actual=actual[0], actual_reason=actual[1],
                   expected=expected[0], expected_reason=expected[1], **where)


def _ledger_keys(db: sqlite_utils.Database) -> dict[str, bytes]:
    return {kid: base64.urlsafe_b64decode(public_key + "==") for kid, public_key in
            db.execute("SELECT kid, public_key FROM keys WHERE role = 'ledger'")}


def _checkpoints(db: sqlite_utils.Database, stored: list[bytes], *,
                 trust_nodes: bool) -> list[Problem]:
    problems, keys, previous = [], _ledger_keys(db), None
    for size, root, kid, note in db.execute(
            "SELECT size, root, kid, note FROM ledger_checkpoints ORDER BY size").fetchall():
        try:
            checkpoint = checkpoints.verify_note(note, [keys[kid]] if kid in keys else [])
        except checkpoints.BadCheckpoint as error:
            problems.append(Problem(f"checkpoint {size}: {error.message}",
                                    "checkpoint_signature", size=size))
            continue
        if root != checkpoint.root:
            problems.append(Problem(f"checkpoint {size}: its root column differs from its "
                                    "signed note", "checkpoint_column", size=size))
        if checkpoint.size != size or size > len(stored):
            problems.append(Problem(f"checkpoint {size}: claims a tree of {checkpoint.size} "
                                    f"leaves, the log has {len(stored)}", "checkpoint_longer",
                                    size=size, claims=checkpoint.size, log_size=len(stored)))
            continue
        made = log.root_at(db, size) if trust_nodes else ledger.root_of_hashes(stored[:size])
        if checkpoint.root != made:
            problems.append(Problem(f"checkpoint {size}: its root differs from the log's "
                                    "tree at that size", "checkpoint_root", size=size))
        if previous is not None and trust_nodes:
            proof = log.consistency_proof(db, previous.size, size)
            if not ledger.verify_consistency(previous.size, size, previous.root,
                                             checkpoint.root, proof):
                problems.append(Problem(f"checkpoints {previous.size} → {size}: the later "
                                        "one does not extend the earlier one",
                                        "checkpoint_fork", old=previous.size, size=size))
        previous = checkpoint
    return problems


def _kept(db: sqlite_utils.Database, stored: list[bytes],
          kept: Sequence[checkpoints.Checkpoint]) -> list[Problem]:
    """Checkpoints kept outside the database against the log as it stands."""
    problems = []
    for checkpoint in kept:
        if checkpoint.size > len(stored):
            problems.append(Problem(f"the checkpoint you kept of size {checkpoint.size} is "
                                    f"longer than the log ({len(stored)} leaves): events were "
                                    "deleted", "kept_longer", size=checkpoint.size,
                                    log_size=len(stored)))
        elif ledger.root_of_hashes(stored[:checkpoint.size]) != checkpoint.root:
            problems.append(Problem(f"the log's tree at size {checkpoint.size} differs from "
                                    "the checkpoint you kept: history was rewritten",
                                    "kept_rewritten", size=checkpoint.size))
    return problems
