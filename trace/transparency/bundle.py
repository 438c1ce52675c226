"""Proof bundles: the leaves about a batch (or one item of it), each with its
inclusion proof against a signed checkpoint, checkable with no database at all::

    bundle = build_bundle(db, "09521234000013", "ZJ-2611-A", serial="5N7FYR27Q64D")
    problems = check_bundle(bundle, keyset)       # keyset: /.well-known/trace-keys.json

An item is proved in two steps: its entry (``serial|sig``) under the ``items_root``
of its top-up's ``codes_issued`` leaf, and that leaf under the checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby
from typing import Any

import sqlite_utils

from .. import ledger, throttle
from ..errors import InvalidInput, NotFound
from . import checkpoints, leaves, log

VERSION = "trace-proof-v1"
# A bundle rebuilds its top-up's tree of item entries: about a third of a second of
# a worker for 100,000 codes, where a verify page takes a millisecond. Proofs are
# for buyers who look and auditors who check, not for asking in a loop.
PROOFS_PER_NETWORK = throttle.Limit(
    "proof_network", 30, timedelta(minutes=1),
    "too many ledger proofs asked from your network; try again in a minute",
    "您所在网络查看防篡改记录过于频繁，请一分钟后再试")
BATCH_KINDS = ("batch_created", "codes_issued", "report", "correction", "withdrawal", "recall",
               "unrecall", "selection", "batch_changed")
PRODUCT_KINDS = ("product_changed",)  # about every batch of the GTIN: their lot is empty
ITEM_STATUS_KINDS = ("void", "recall_item")  # what an item's own page shows its buyer


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def subject_leaves(db: sqlite_utils.Database, gtin: str, lot: str,
                   serial: str | None = None) -> list[dict]:
    """The leaves about the batch, and about the item when ``serial`` is given."""
    marks = ", ".join("?" * len(BATCH_KINDS))
    product = ", ".join("?" * len(PRODUCT_KINDS))
    rows = db.execute(
        f"SELECT idx FROM ledger_leaves WHERE gtin = ? AND ((lot = ? AND "
        f"(kind IN ({marks}) OR serial = ?)) OR (lot IS NULL AND kind IN ({product}))) "
        "ORDER BY idx", [gtin, lot, *BATCH_KINDS, serial, *PRODUCT_KINDS])
    return [log.leaf(db, index) for (index,) in rows]


@dataclass(frozen=True)
class ItemRun:
    """Item records of one kind and reason logged one after another (a range voided
    at once): the batch's record page lists them as one line."""
    kind: str
    reason: str
    at: str
    first_serial: str
    count: int


def item_status_runs(db: sqlite_utils.Database, gtin: str, lot: str) -> list[ItemRun]:
    """The voids and item recalls logged for a batch's items, oldest first, runs
    folded. A batch's bundle leaves them out (each item's bundle proves its own),
    so its record page would not say that any code of it was voided."""
    logged = ((kind, serial, json.loads(data)) for kind, serial, data in db.execute(
        "SELECT kind, serial, data FROM ledger_leaves WHERE gtin = ? AND lot = ? AND kind IN "
        f"({', '.join('?' * len(ITEM_STATUS_KINDS))}) ORDER BY idx",
        [gtin, lot, *ITEM_STATUS_KINDS]))
    runs = []
    for (kind, reason), run in groupby(logged, key=lambda leaf: (leaf[0], leaf[2]["reason"])):
        leaves_of_run = list(run)
        _kind, first_serial, first = leaves_of_run[0]
        runs.append(ItemRun(kind, reason, first["at"], first_serial, len(leaves_of_run)))
    return runs


def _item_proof(db: sqlite_utils.Database, gtin: str, lot: str, serial: str) -> dict:
    row = db.execute("SELECT i.issuance_id FROM items i JOIN batches b ON b.id = i.batch_id "
                     "WHERE b.gtin = ? AND b.lot = ? AND i.serial = ?",
                     [gtin, lot, serial]).fetchone()
    if row is None:
        raise NotFound(f"no item {serial} in batch {lot}", message_zh="本批次没有这个追溯码")
    entries = [leaves.item_entry(s, sig) for s, sig in leaves.issuance_items(db, row[0])]
    position = next(i for i, entry in enumerate(entries)
                    if entry.split(b"|", 1)[0] == serial.encode())
    leaf_index = db.execute("SELECT idx FROM ledger_leaves WHERE source = ?",
                            [f"issuances:{row[0]}"]).fetchone()
    return {"leaf": leaf_index[0] if leaf_index else None, "entry": _b64(entries[position]),
            "index": position, "count": len(entries),
            "proof": [_b64(h) for h in ledger.inclusion_proof(entries, position)]}


def build_bundle(db: sqlite_utils.Database, gtin: str, lot: str,
                 serial: str | None = None) -> dict[str, Any]:
    """The bundle against the latest checkpoint; leaves logged after it carry no
    proof yet (``"proof": null``)."""
    latest = checkpoints.latest(db)
    size = latest.size if latest else 0
    bundle: dict[str, Any] = {
        "v": VERSION, "subject": {"gtin": gtin, "lot": lot, "serial": serial or ""},
        "checkpoint": latest.note if latest else "", "leaves": []}
    for row in subject_leaves(db, gtin, lot, serial):
        proof = log.inclusion_proof(db, row["index"], size) if row["index"] < size else None
        bundle["leaves"].append({"index": row["index"], "kind": row["kind"],
                                 "data": _b64(row["data"]),
                                 "proof": None if proof is None else [_b64(h) for h in proof]})
    if serial:
        bundle["item"] = _item_proof(db, gtin, lot, serial)
    return bundle


def entries(made: dict) -> list[dict]:
    """The bundle's leaves as a page lists them: index, kind, the leaf's fields, its
    hash and its inclusion proof (hex; None when not yet in a checkpoint)."""
    return [{"index": entry["index"], "kind": entry["kind"],
             "fields": json.loads(base64.b64decode(entry["data"])),
             "hash": ledger.leaf_hash(base64.b64decode(entry["data"])).hex(),
             "proof": None if entry["proof"] is None
             else [base64.b64decode(h).hex() for h in entry["proof"]],
             "proved": entry["proof"] is not None} for entry in made["leaves"]]


def standing(shown: list[dict]) -> dict:
    """What the logged events leave standing: the batch's recall (its reason, or
    None) and the item's void or recall, as ``entries`` lists them."""
    state: dict = {"recall": None, "item": None}
    for entry in shown:
        kind, fields = entry["kind"], entry["fields"]
        if kind in ("recall", "unrecall"):
            state["recall"] = fields["reason"] if kind == "recall" else None
        elif kind in ("void", "recall_item"):
            state["item"] = (kind, fields["reason"])
    return state


def ledger_public_keys(keyset: dict) -> list[bytes]:
    return [base64.urlsafe_b64decode(key["x"] + "==") for key in keyset.get("keys", [])
            if key.get("role") == "ledger" and key.get("status") != "revoked"]


def revoked_ledger_keys(keyset: dict) -> dict[str, tuple[str, bytes]]:
    """The key set's revoked ledger keys: kid -> (revoked at, public key)."""
    return {key["kid"]: (key.get("revoked_at") or "?", base64.urlsafe_b64decode(key["x"] + "=="))
            for key in keyset.get("keys", [])
            if key.get("role") == "ledger" and key.get("status") == "revoked"}


def revoked_signer(note: str, keyset: dict) -> tuple[str, str] | None:
    """(kid, revoked at) of the revoked ledger key that signed ``note``, if one did."""
    revoked = revoked_ledger_keys(keyset)
    kid = checkpoints.signed_by_one_of(note, [(kid, raw) for kid, (_at, raw) in revoked.items()])
    return (kid, revoked[kid][0]) if kid else None


def check_bundle(bundle: dict, keyset: dict) -> list[str]:
    """What in ``bundle`` does not hold against the key set; [] when all of it does.
    Raises ``BadCheckpoint`` for a checkpoint no ledger key signed, and
    ``InvalidInput`` for a file that is not a bundle."""
    if not isinstance(bundle, dict) or bundle.get("v") != VERSION:
        raise InvalidInput(f"not a {VERSION} proof bundle (its \"v\" is "
                           f"{bundle.get('v') if isinstance(bundle, dict) else None!r})",
                           message_zh="不是本平台的证明文件")
    try:
        return _check(bundle, keyset)
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as error:
        field = f" (field {error})" if isinstance(error, KeyError) else ""
        raise InvalidInput(f"not a well-formed {VERSION} proof bundle: a field is missing or "
                           f"has the wrong type{field}", message_zh="证明文件格式不对") from None


def _check(bundle: dict, keyset: dict) -> list[str]:
    note = bundle.get("checkpoint", "")
    try:
        checkpoint = checkpoints.verify_note(note, ledger_public_keys(keyset))
    except checkpoints.BadCheckpoint:
        revoked = revoked_signer(note, keyset) if isinstance(note, str) else None
        if revoked is None:
            raise
        raise checkpoints.BadCheckpoint(
            f"the proof's checkpoint is signed by ledger key {revoked[0]}, revoked at "
            f"{revoked[1]}: whatever it signs no longer counts as evidence; download the "
            "proof again, and it will be signed by the current ledger key") from None
    subject, problems = bundle.get("subject", {}), []
    logged = {}
    for entry in bundle.get("leaves", []):
        data = base64.b64decode(entry["data"])
        logged[entry["index"]] = data
        name = f"leaf {entry['index']} ({entry.get('kind')})"
        if entry.get("proof") is None:
            problems.append(f"{name}: not yet in the checkpoint (fetch a newer bundle)")
            continue
        proof = [base64.b64decode(h) for h in entry["proof"]]
        if not ledger.verify_inclusion(data, entry["index"], checkpoint.size, proof,
                                       checkpoint.root):
            problems.append(f"{name}: not in the tree the checkpoint of size "
                            f"{checkpoint.size} signs")
        fields = json.loads(data)
        lot = "" if fields.get("kind") in PRODUCT_KINDS else subject.get("lot")
        if (fields.get("gtin"), fields.get("lot")) != (subject.get("gtin"), lot):
            problems.append(f"{name}: is about another batch")
        if fields.get("kind") != entry.get("kind"):
            problems.append(f"{name}: the leaf itself says it is a {fields.get('kind')}")
    if not logged:
        problems.append("the bundle holds no leaves: nothing is proved")
    if subject.get("serial") and "item" not in bundle:
        problems.append(f"the bundle names item {subject['serial']} but holds no proof of it")
    if "item" in bundle:
        problems += _check_item(bundle["item"], logged, subject)
    return problems


def _check_item(item: dict, logged: dict[int, bytes], subject: dict) -> list[str]:
    issued = logged.get(int(item["leaf"]))
    if issued is None:
        return ["the item's top-up leaf is not in the bundle"]
    fields = json.loads(issued)
    entry = base64.b64decode(item["entry"])
    proof = [base64.b64decode(h) for h in item["proof"]]
    problems = []
    if entry.split(b"|", 1)[0].decode() != subject.get("serial"):
        problems.append("the item entry is for another serial")
    if str(item["count"]) != fields.get("count") or not ledger.verify_inclusion(
            entry, item["index"], item["count"], proof, bytes.fromhex(fields["items_root"])):
        problems.append(f"item {subject.get('serial')}: not among the codes its top-up "
                        f"(leaf {item.get('leaf')}) logged")
    return problems
