"""The public ledger: signed checkpoints for anyone to keep and compare, and the
proof of what the log holds about a batch or an item::

    GET /ledger/checkpoint                  the latest checkpoint (C2SP signed note, text)
    GET /ledger/checkpoint/<size>           an earlier one
    GET /ledger/consistency?from=M&to=N     the RFC 6962 proof that N extends M (JSON)
    GET /ledger/entries?start=M&end=N       leaves M..N, like RFC 6962 get-entries (JSON)
    GET /ledger/proof?gtin=&lot=[&serial=]  the proof page (linked from item and batch pages)
    GET /ledger/proof.json?...              the proof bundle (ledger check-proof reads it)
    GET /ledger/how-to-check                how anyone checks a proof, in plain words
    GET /ledger/check_proof.py              a checker needing neither Trace nor us
    GET /ledger/guide.md                    the auditors' guide (docs/ledger.md)
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request

from .. import catalog, keys, throttle
from ..codes import normalise_typed_serial
from ..db import unless_storage_fails
from ..digits import is_number
from ..errors import InvalidInput, NotFound, TraceError
from ..scans import network_hash
from ..streamers import ledger as selection_ledger
from ..transparency import audit, bundle, checkpoints, log
from ..verification import public_batch
from . import any_origin, attachment, get_db, link, same_origin_path

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


def _text(body: str, status: int = 200) -> Response:
    response = Response(body, status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-cache"
    return any_origin(response)  # witnesses and monitors fetch it


def _fresh_checkpoint() -> checkpoints.Checkpoint | None:
    """The latest checkpoint, signing one first if the log grew and a second passed."""
    config, db = current_app.config, get_db()
    signer = keys.cached_signer(db, config["KEYS_DIR"], config["KEY_PASSPHRASE"], "ledger")
    if signer is not None:
        checkpoints.issue_if_due(db, signer, checkpoints.origin_for(config["OFFICIAL_DOMAIN"]))
    return checkpoints.latest(db)


@bp.get("/checkpoint")
def checkpoint():
    latest = _fresh_checkpoint()
    if latest is None:
        return _text("The ledger has no checkpoint yet.\n", 404)
    return _text(latest.note)


@bp.get("/checkpoints")
def checkpoint_list():
    """The sizes that have a checkpoint, newest first (the latest 1,000)."""
    rows = get_db().execute("SELECT size, at FROM ledger_checkpoints ORDER BY size DESC "
                            "LIMIT 1000").fetchall()
    return any_origin(current_app.json.response([{"size": size, "at": at} for size, at in rows]))


@bp.get("/checkpoint/<int:size>")
def checkpoint_at(size: int):
    found = checkpoints.at_size(get_db(), size) if size < 2 ** 62 else None
    if found is None:
        return _text(f"No checkpoint of size {size}; see /ledger/checkpoint.\n", 404)
    response = _text(found.note)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _size(name: str) -> int:
    text = request.args.get(name, "")
    if not is_number(text) or len(text) > 18:
        raise InvalidInput(f"{name} must be a tree size (a whole number)",
                           message_zh=f"{name} 应为账本大小（整数）")
    return int(text)


@bp.get("/consistency")
def consistency():
    old, new = _size("from"), _size("to")
    try:
        proof = log.consistency_proof(get_db(), old, new)
    except ValueError as error:
        raise InvalidInput(str(error), message_zh="账本没有这两个大小之间的证明") from None
    return any_origin(current_app.json.response(
        {"from": old, "to": new, "proof": [base64.b64encode(h).decode() for h in proof]}))


ENTRIES_AT_ONCE = 256


@bp.get("/entries")
def entries():
    """Leaves ``start`` to ``end`` (both included, at most 256 at once, fewer past the
    log's end), so an auditor can read the whole log, key events and all, and
    check that a bundle left nothing out."""
    start, end = _size("start"), _size("end")
    if end < start:
        raise InvalidInput("end must not be before start", message_zh="end 不能小于 start")
    found = log.leaves_between(get_db(), start, min(end, start + ENTRIES_AT_ONCE - 1))
    return any_origin(current_app.json.response({"entries": [
        {"index": leaf["index"], "kind": leaf["kind"],
         "data": base64.b64encode(leaf["data"]).decode()} for leaf in found]}))


def _subject() -> tuple[catalog.Batch, str | None]:
    """The public batch (and item) the proof is asked for."""
    db = get_db()
    gtin = catalog.normalise_gtin(request.args.get("gtin", ""))  # the first field named wrong
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(request.args.get("lot", "")))
    public_batch(db, batch)
    serial = request.args.get("serial", "").strip()
    subject = batch, normalise_typed_serial(serial) if serial else None
    _count_proof(db)
    return subject


def _count_proof(db) -> None:
    """One proof against this network's PROOFS_PER_NETWORK; storage that cannot
    take the count (read-only, full) does not cost the reader the proof."""
    network = network_hash(current_app.config["HASH_SECRET"], request.remote_addr)
    throttle.check(db, bundle.PROOFS_PER_NETWORK, network)
    with unless_storage_fails(db, "proof view"):
        throttle.note(db, bundle.PROOFS_PER_NETWORK, network)


@bp.get("/proof")
def proof_page():
    batch, serial = _subject()
    latest = _fresh_checkpoint()
    db = get_db()
    made = bundle.build_bundle(db, batch.gtin, batch.lot, serial)
    try:  # the page checks the bundle exactly as an auditor's check-proof would
        problems = bundle.check_bundle(made, keys.trust_list(db))
    except TraceError as error:
        problems = [error.message]
    # ...and, unlike a bundle, what the pages show now against what was logged.
    problems += audit.subject_problems(db, batch.gtin, batch.lot, serial)
    entries = bundle.entries(made)
    return render_template("ledger.html", batch=batch, serial=serial, checkpoint=latest,
                           item_page=_item_page_came_from(batch, serial),
                           entries=entries, standing=bundle.standing(entries),
                           item=made.get("item"),
                           samples=selection_ledger.sample_records(db, batch.gtin, batch.lot),
                           item_runs=[] if serial else
                           bundle.item_status_runs(db, batch.gtin, batch.lot),
                           problems=problems, product=catalog.get_product(db, batch.gtin),
                           verifier_key=checkpoints.verifier_key_of(db, latest.size)
                           if latest else None)


def _item_page_came_from(batch: catalog.Batch, serial: str | None) -> str | None:
    """The item's own page this record was opened from (the buyer's scan, with its
    signature), to go back to; None otherwise. Only our own /01/ address of this item
    is taken from the Referer, so no other site's link is ever offered."""
    came = urlsplit(request.referrer or "")
    item_path = f"/01/{batch.gtin}/10/{batch.lot}/21/{serial}"
    if not serial or came.netloc != request.host or came.path != item_path or not came.query:
        return None
    return same_origin_path(f"{came.path}?{came.query}")


@bp.get("/proof.json")
def proof_bundle():
    batch, serial = _subject()
    _fresh_checkpoint()
    made = bundle.build_bundle(get_db(), batch.gtin, batch.lot, serial)
    name = f"trace-proof-{batch.gtin}-{_safe(batch.lot)}{'-' + serial if serial else ''}.json"
    return any_origin(Response(json.dumps(made, ensure_ascii=False, indent=2),
                               mimetype="application/json",
                               headers=attachment(name, "no-cache")))


def _safe(lot: str) -> str:
    """A lot as it may stand in a download's file name."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in lot)


# Served from the checkout, as `make serve` runs: what an auditor reads is what we keep.
CHECKOUT = Path(__file__).resolve().parents[2]


@bp.get("/", strict_slashes=False)
def index():
    """/ledger, typed by someone who heard of it: the page that explains it."""
    return redirect(link("ledger.how_to_check"), 302)


@bp.get("/how-to-check")
def how_to_check():
    return render_template("ledger_check.html")


@bp.get("/check_proof.py")
def checker():
    """The self-contained checker (tools/check_proof.py), as a file to read and run."""
    return any_origin(Response(_shipped("tools/check_proof.py"), mimetype="text/x-python",
                               headers=attachment("check_proof.py", "no-cache")))


@bp.get("/guide.md")
def guide():
    """The auditors' guide to the formats (docs/ledger.md), as text a browser shows."""
    return any_origin(Response(_shipped("docs/ledger.md"), mimetype="text/plain",
                               headers={"Cache-Control": "no-cache"}))


def _shipped(path: str) -> bytes:
    """A file of the checkout (or of ``SHIPPED_DIR``, where an operator keeps them
    apart); a clear 404 where a deployment left it out."""
    try:
        return (Path(current_app.config.get("SHIPPED_DIR") or CHECKOUT) / path).read_bytes()
    except OSError:
        raise NotFound(f"{path} is not installed on this server",
                       message_zh="本服务器没有安装这个文件，请联系平台运营方") from None
