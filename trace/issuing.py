"""Issuing signed item codes for a batch, all or nothing, on every core.

Serials are random Crockford base32 (12 characters, 60 bits). Signing runs in
worker processes for large top-ups (Ed25519 costs ~45 µs a code, so 100,000
codes need both cores to stay in budget); the rows go in with one transaction::

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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import catalog
from .codes import TO_CROCKFORD, ItemCode, sign_item
from .db import utc_now
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


def _init_worker(raw_private: bytes, kid: str) -> None:
    global _worker_key
    _worker_key = (Ed25519PrivateKey.from_private_bytes(raw_private), kid)


def _sign_chunk(job: tuple[str, str, list[str]]) -> list[str]:
    assert _worker_key is not None
    key, kid = _worker_key
    gtin, lot, serials = job
    return [sign_item(key, kid, gtin, lot, serial) for serial in serials]


def signed_chunks(signer: Signer, gtin: str, lot: str, serials: list[str],
                  workers: int | None = None) -> Iterator[tuple[list[str], list[str]]]:
    """Yield ``(serials, signatures)`` chunk by chunk, in order, as they are signed.

    Large jobs sign in worker processes while the caller stores earlier chunks,
    so signing (~45 µs a code) and inserting overlap on both cores.
    """
    signer.require_role("issuer")
    workers = workers or os.cpu_count() or 1
    parallel = workers > 1 and len(serials) >= PARALLEL_MIN and \
        "fork" in multiprocessing.get_all_start_methods()
    size = SIGN_CHUNK if parallel else len(serials) or 1
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


def issue_codes(db: sqlite_utils.Database, signer: Signer, gtin: str, lot: str, count: int, *,
                workers: int | None = None, progress: Progress | None = None) -> Issuance:
    """Issue ``count`` new signed codes for a batch: all of them or none."""
    if not isinstance(count, int) or not 1 <= count <= MAX_PER_TOPUP:
        raise InvalidInput(f"count must be 1-{MAX_PER_TOPUP:,} codes per top-up")
    _check_signer(db, signer)
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    if batch.status != "open":
        raise Conflict(f"batch {batch.lot} is {batch.status}; no new codes can be issued")
    for _attempt in range(3):
        chunks = signed_chunks(signer, batch.gtin, batch.lot, new_serials(count), workers)
        try:
            return _store(db, signer.kid, batch, count, chunks, progress)
        except sqlite3.IntegrityError as error:
            if "items.gtin, items.serial" not in str(error):
                raise
    raise Conflict("could not draw unique serials three times running; try again")


def _store(db: sqlite_utils.Database, kid: str, batch: catalog.Batch, count: int,
           chunks: Iterator[tuple[list[str], list[str]]],
           progress: Progress | None) -> Issuance:
    issued_at = utc_now()
    with db.atomic():
        cursor = db.execute("INSERT INTO issuances (batch_id, kid, count, issued_at) "
                            "VALUES (?, ?, ?, ?)", [batch.id, kid, count, issued_at])
        issuance_id = cursor.lastrowid
        for serials, sigs in chunks:
            db.conn.executemany(
                "INSERT INTO items (gtin, serial, batch_id, issuance_id, kid, sig, issued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(batch.gtin, serial, batch.id, issuance_id, kid, sig, issued_at)
                 for serial, sig in zip(serials, sigs)])
            if progress:
                progress(len(serials))
    assert issuance_id is not None
    return Issuance(issuance_id, batch.gtin, batch.lot, kid, count, issued_at)


EXPORT_COLUMNS = ("seq", "gtin", "lot", "serial", "kid", "status", "issued_at", "url")


def export_rows(db: sqlite_utils.Database, gtin: str, lot: str,
                base_url: str) -> Iterator[dict]:
    """Every code of a batch in issue order (``seq`` from 1), with its full URL.

    The batch is looked up at once, so an unknown batch fails before any output.
    """
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    return _export(db, batch, base_url)


def _export(db: sqlite_utils.Database, batch: catalog.Batch, base_url: str) -> Iterator[dict]:
    cursor = db.execute("SELECT serial, kid, sig, status, issued_at FROM items "
                        "WHERE batch_id = ? ORDER BY id", [batch.id])
    for seq, (serial, kid, sig, status, issued_at) in enumerate(cursor, 1):
        code = ItemCode(batch.gtin, batch.lot, serial, kid, sig)
        yield {"seq": seq, "gtin": batch.gtin, "lot": batch.lot, "serial": serial, "kid": kid,
               "status": status, "issued_at": issued_at, "url": code.url(base_url)}
