"""Issuing signed item codes for a batch, all or nothing, on every core.

Serials are random Crockford base32 (12 characters, 60 bits). Signing runs in
worker processes for large top-ups (Ed25519 costs ~45 µs a code, so 100,000
codes need both cores to stay in budget) and before any write: the rows then
go in with one short transaction, so other writers (a small top-up, scans)
wait a fraction of a second, not the whole signing time::

    signer = load_signer(db, "keys/")
    issuance = issue_codes(db, signer, "09521234000013", "ZJ2405", 20)
    for row in export_rows(db, "09521234000013", "ZJ2405", "https://trace.example.cn"):
        print(row["url"])
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import sqlite3
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import catalog, claims
from .codes import TO_CROCKFORD, ItemCode, sign_item
from .db import utc_now
from .transparency import leaves
from .errors import Conflict, InvalidInput, KeyProblem
from .keys import Signer, get_key

SERIAL_LENGTH = 12
MAX_PER_TOPUP = 1_000_000
PARALLEL_MIN = 4_000   # below this, starting processes costs more than it saves
SIGN_CHUNK = 2_000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Issuance:
    """One top-up of codes for a batch."""

    id: int
    gtin: str
    lot: str
    kid: str
    count: int
    issued_at: str

    def to_json(self) -> dict:
        return self.__dict__.copy()


def new_serials(count: int) -> list[str]:
    """``count`` distinct random serials (5 random bytes make 8 base32 characters)."""
    serials: set[str] = set()
    while len(serials) < count:
        missing = count - len(serials)
        text = base64.b32encode(os.urandom(missing * SERIAL_LENGTH * 5 // 8 + 5)).decode()
        text = text.translate(TO_CROCKFORD)
        serials.update(text[i:i + SERIAL_LENGTH]
                       for i in range(0, missing * SERIAL_LENGTH, SERIAL_LENGTH))
    return list(serials)[:count]


_worker_key: tuple[Ed25519PrivateKey, str] | None = None
PARENT_CHECK_SECONDS = 0.5


def _init_worker(raw_private: bytes, kid: str) -> None:
    global _worker_key
    _worker_key = (Ed25519PrivateKey.from_private_bytes(raw_private), kid)
    watchdog = threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),),
                                name="parent-watchdog", daemon=True)
    watchdog.start()


def _exit_when_orphaned(parent_pid: int) -> None:
    """End this worker soon after its parent dies (``kill -9`` included): an
    orphan would hold the database open and the raw private key in memory."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _sign_chunk(job: tuple[str, str, list[str]]) -> list[str]:
    assert _worker_key is not None
    key, kid = _worker_key
    gtin, lot, serials = job
    return [sign_item(key, kid, gtin, lot, serial) for serial in serials]


def signed_chunks(signer: Signer, gtin: str, lot: str, serials: list[str],
                  workers: int | None = None) -> Iterator[tuple[list[str], list[str]]]:
    """Yield ``(serials, signatures)`` chunk by chunk, in order, as they are signed.

    Large jobs sign in worker processes, one a core, a chunk at a time.
    """
    signer.require_role("issuer")
    workers = workers or os.cpu_count() or 1
    parallel = workers > 1 and len(serials) >= PARALLEL_MIN and \
        "fork" in multiprocessing.get_all_start_methods()
    size = SIGN_CHUNK  # chunks in one process too, so progress moves as signing does
    chunks = [serials[i:i + size] for i in range(0, len(serials), size)]
    if not parallel:
        for chunk in chunks:
            yield chunk, [signer.sign_item(gtin, lot, serial) for serial in chunk]
        return
    # fork: the key reaches the workers through inherited memory, never a pipe.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_worker,
                               initargs=(signer.raw_private_bytes(), signer.kid))
    try:
        jobs = [(gtin, lot, chunk) for chunk in chunks]
        yield from zip(chunks, pool.map(_sign_chunk, jobs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _check_signer(db: sqlite_utils.Database, signer: Signer) -> None:
    signer.require_role("issuer")
    record = get_key(db, signer.kid)
    if record is None or record.status != "active":
        state = record.status if record else "not registered"
        raise KeyProblem(f"key {signer.kid} is {state} and may not issue codes")


def _check_batch_open(batch: catalog.Batch) -> None:
    if batch.status != "open":
        raise Conflict(f"batch {batch.lot} is {batch.status}; no new codes can be issued")


def check_plan(db: sqlite_utils.Database, batch: catalog.Batch, count: int, *,
               over_plan: bool = False) -> None:
    """Refuse a top-up that takes the batch past its planned quantity, unless the
    caller says so (``over_plan``): codes can be voided but never taken back, and a
    typo in the count (100000 for 1000) would otherwise be final. Void codes label
    nothing and do not count (a run issued twice by mistake, then voided)."""
    if not batch.quantity_planned or over_plan:
        return
    before = live_count(db, batch.id)
    if before + count <= batch.quantity_planned:
        return
    planned, after = batch.quantity_planned, before + count
    raise InvalidInput(
        f"batch {batch.lot} is planned at {planned:,} and has {before:,} codes not void; "
        f"{count:,} more would make {after:,}. Nothing was issued: check the count, or allow "
        "going past the plan (--over-plan; over_plan in the API)",
        message_zh=f"本批次计划 {planned:,} 个，有效的码已有 {before:,} 个，再发 {count:,} 个将达 "
                   f"{after:,} 个。没有发码：请核对数量；确需超出计划，请勾选“超出计划数量也发码”"
                   "（命令行加 --over-plan，接口传 over_plan）。", field="count")


def active_kinds(db: sqlite_utils.Database, batch_id: int) -> tuple[int, int]:
    """The batch's active codes with a scratch-off PIN, and without."""
    return db.execute("SELECT count(pin_hash), count(*) - count(pin_hash) FROM items "
                      "WHERE batch_id = ? AND status = 'active'", [batch_id]).fetchone()


def positions(db: sqlite_utils.Database, batch_id: int, done: Issuance) -> tuple[int, int]:
    """The first and last position of an issuance's codes in the batch, in issue
    order: a top-up is one transaction, so its codes follow the earlier ones'."""
    before = db.execute("SELECT count(*) FROM items WHERE batch_id = ? AND issuance_id < ?",
                        [batch_id, done.id]).fetchone()[0]
    return before + 1, before + done.count


def live_count(db: sqlite_utils.Database, batch_id: int) -> int:
    """The batch's codes that are not void: what its planned quantity is held to."""
    return db.execute("SELECT count(*) FROM items WHERE batch_id = ? AND status != 'void'",
                      [batch_id]).fetchone()[0]


def check_same_kind(db: sqlite_utils.Database, batch: catalog.Batch, with_pin: bool) -> None:
    """Refuse (web form and API) a top-up of the other kind than the batch's active
    codes: a batch of codes with and without PINs fits no label stock whole, and its
    PIN codes could then only be printed by hand from the spreadsheet. The command
    line may still mix, and print each kind with --serials."""
    pinned, plain = active_kinds(db, batch.id)
    other = plain if with_pin else pinned
    if not other:
        return
    have_en, have_zh = ("without", "不带") if with_pin else ("with", "带")
    raise InvalidInput(
        f"batch {batch.lot} has {other:,} codes {have_en} scratch-off PINs; mixing both kinds "
        "in one batch leaves no label stock that prints them all. Nothing was issued: issue "
        "the same kind as before, or open a new batch for the other kind",
        message_zh=f"本批次已有 {other:,} 个{have_zh}刮开式防伪密码的码。同一批次混发两种码后，"
                   "没有一种标签纸能把它们一起打印。没有发码：请发和之前同一种的码，"
                   "或为另一种码新建一个批次。")


def replayed(db: sqlite_utils.Database, batch: catalog.Batch, request_key: str | None,
             count: int, with_pin: bool) -> Issuance | None:
    """The issuance an earlier request with ``request_key`` made in this batch, or
    None. The same key for a different top-up is refused: it is a client's bug, and
    guessing which one was meant could issue codes nobody asked for."""
    if request_key is None:
        return None
    row = db.execute(
        "SELECT id, kid, count, issued_at, EXISTS (SELECT 1 FROM items WHERE issuance_id = "
        "issuances.id AND pin_hash IS NOT NULL) FROM issuances "
        "WHERE batch_id = ? AND request_key = ?", [batch.id, request_key]).fetchone()
    if row is None:
        return None
    issuance_id, kid, issued, issued_at, pins = row
    if (issued, bool(pins)) != (count, with_pin):
        raise Conflict(
            f"this Idempotency-Key was used for a top-up of {issued:,} codes "
            f"{'with' if pins else 'without'} PINs; send a new key for a different top-up",
            message_zh="这个 Idempotency-Key 已用于另一次不同的发码请求；不同的请求请使用新的 key")
    return Issuance(issuance_id, batch.gtin, batch.lot, kid, issued, issued_at)


def issue_codes(db: sqlite_utils.Database, signer: Signer, gtin: str, lot: str, count: int, *,
                workers: int | None = None, progress: Progress | None = None,
                pin_secret: str | None = None, request_key: str | None = None) -> Issuance:
    """Issue ``count`` new signed codes for a batch: all of them or none.

    Every code is signed before the write transaction opens; ``progress`` is
    told of each signed chunk. With ``pin_secret`` each item gets a scratch-off
    PIN, stored only as a keyed hash. With ``request_key`` (an API client's
    Idempotency-Key) a second request with the same key, even one racing the
    first, gets the first one's issuance instead of new codes.
    """
    if not isinstance(count, int) or not 1 <= count <= MAX_PER_TOPUP:
        raise InvalidInput(f"count must be 1-{MAX_PER_TOPUP:,} codes per top-up")
    _check_signer(db, signer)
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    _check_batch_open(batch)
    catalog.require_not_cancelled(db, batch)
    catalog.require_approved(catalog.supplier_of(db, catalog.get_product(db, batch.gtin)))
    with_pin = pin_secret is not None
    earlier = replayed(db, batch, request_key, count, with_pin)
    if earlier:
        return earlier
    for _attempt in range(3):
        # Sorted serials go into the (gtin, serial) index in order: a much
        # shorter write transaction than random order into a large index.
        rows = _sign_all(signer, batch, sorted(new_serials(count)), workers, progress)
        try:
            # PIN hashes are made here too, not while the write lock is held.
            pins = [_pin_hash(pin_secret, batch.gtin, serial) for serial, _sig in rows]
            return _store(db, signer, batch, rows, pins, request_key)
        except sqlite3.IntegrityError as error:
            won = "issuances.batch_id, issuances.request_key" in str(error) and \
                replayed(db, batch, request_key, count, with_pin)
            if won:  # a request with the same key got there first: its codes are these
                return won
            if "items.gtin, items.serial" not in str(error):
                raise
    raise Conflict("could not draw unique serials three times running; try again")


def _sign_all(signer: Signer, batch: catalog.Batch, serials: list[str],
              workers: int | None, progress: Progress | None) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for chunk, sigs in signed_chunks(signer, batch.gtin, batch.lot, serials, workers):
        rows.extend(zip(chunk, sigs))
        if progress:
            progress(len(chunk))
    return rows


def _store(db: sqlite_utils.Database, signer: Signer, batch: catalog.Batch,
           rows: list[tuple[str, str]], pins: list[str | None],
           request_key: str | None = None) -> Issuance:
    """Write an issuance, its signed rows and its ledger leaf in one short transaction
    (the head of the items is hashed before it, outside the write lock)."""
    root = leaves.items_root(rows)
    issued_at = utc_now()
    with db.atomic():
        # The INSERT takes the write lock first; what follows reads a settled state.
        cursor = db.execute("INSERT INTO issuances (batch_id, kid, count, issued_at, "
                            "request_key) VALUES (?, ?, ?, ?, ?)",
                            [batch.id, signer.kid, len(rows), issued_at, request_key])
        issuance_id = cursor.lastrowid
        # Recalled, or the key retired or revoked, while we were signing: nothing.
        _check_batch_open(catalog.get_batch_by_id(db, batch.id))
        _check_signer(db, signer)
        db.conn.executemany(
            "INSERT INTO items (gtin, serial, batch_id, issuance_id, kid, sig, issued_at, "
            "pin_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((batch.gtin, serial, batch.id, issuance_id, signer.kid, sig, issued_at, pin)
             for (serial, sig), pin in zip(rows, pins)))
        leaves.record(db, f"issuances:{issuance_id}", root=root)
    assert issuance_id is not None
    return Issuance(issuance_id, batch.gtin, batch.lot, signer.kid, len(rows), issued_at)


def _pin_hash(secret: str | None, gtin: str, serial: str) -> str | None:
    if secret is None:
        return None
    return claims.pin_hash(secret, gtin, serial, claims.item_pin(secret, gtin, serial))


EXPORT_COLUMNS = ("seq", "gtin", "lot", "serial", "kid", "status", "issued_at", "url", "pin")


def export_rows(db: sqlite_utils.Database, gtin: str, lot: str, base_url: str,
                pin_secret: str | None = None, *, offset: int = 0,
                limit: int = -1) -> Iterator[dict]:
    """Every code of a batch in issue order (``seq`` from 1), with its full URL and,
    for items issued with one, its PIN (needs ``pin_secret``; '' otherwise); or
    ``limit`` of them after the first ``offset``.

    The batch is looked up at once, so an unknown batch fails before any output.
    """
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    return _export(db, batch, base_url, pin_secret, offset, limit)


def _export(db: sqlite_utils.Database, batch: catalog.Batch, base_url: str,
            pin_secret: str | None, offset: int, limit: int) -> Iterator[dict]:
    cursor = db.execute("SELECT serial, kid, sig, status, issued_at, pin_hash FROM items "
                        "WHERE batch_id = ? ORDER BY id LIMIT ? OFFSET ?",
                        [batch.id, limit, offset])
    for seq, (serial, kid, sig, status, issued_at, stored) in enumerate(cursor, offset + 1):
        code = ItemCode(batch.gtin, batch.lot, serial, kid, sig)
        pin = claims.stored_pin(pin_secret, batch.gtin, serial, stored) if pin_secret else ""
        yield {"seq": seq, "gtin": batch.gtin, "lot": batch.lot, "serial": serial, "kid": kid,
               "status": status, "issued_at": issued_at, "url": code.url(base_url),
               "pin": pin}
