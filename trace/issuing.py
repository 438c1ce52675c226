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
from .codes import ItemCode, sign_item
from .db import utc_now
from .errors import Conflict, InvalidInput, KeyProblem
from .keys import Signer, get_key

SERIAL_LENGTH = 12
MAX_PER_TOPUP = 1_000_000
PARALLEL_MIN = 4_000   # below this, starting processes costs more than it saves
INSERT_CHUNK = 5_000
_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                           "0123456789ABCDEFGHJKMNPQRSTVWXYZ")

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
        text = text.translate(_CROCKFORD)
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


def sign_serials(signer: Signer, gtin: str, lot: str, serials: list[str],
                 workers: int | None = None, progress: Progress | None = None) -> list[str]:
    """Signatures for ``serials``, in order, using up to ``workers`` processes."""
    signer.require_role("issuer")
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(serials) < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        sigs = [signer.sign_item(gtin, lot, serial) for serial in serials]
        if progress:
            progress(len(serials))
        return sigs
    size = max(1_000, len(serials) // (workers * 8))
    jobs = [(gtin, lot, serials[i:i + size]) for i in range(0, len(serials), size)]
    sigs: list[str] = []
    # fork: the key reaches the workers through inherited memory, never a pipe.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(signer.raw_private_bytes(), signer.kid)) as pool:
        for chunk in pool.map(_sign_chunk, jobs):
            sigs.extend(chunk)
            if progress:
                progress(len(chunk))
    return sigs


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
        serials = new_serials(count)
        sigs = sign_serials(signer, batch.gtin, batch.lot, serials, workers, progress)
        try:
            return _store(db, signer.kid, batch, serials, sigs)
        except sqlite3.IntegrityError as error:
            if "items.gtin, items.serial" not in str(error):
                raise
    raise Conflict("could not draw unique serials three times running; try again")


def _store(db: sqlite_utils.Database, kid: str, batch: catalog.Batch, serials: list[str],
           sigs: list[str]) -> Issuance:
    issued_at = utc_now()
    with db.atomic():
        cursor = db.execute("INSERT INTO issuances (batch_id, kid, count, issued_at) "
                            "VALUES (?, ?, ?, ?)", [batch.id, kid, len(serials), issued_at])
        issuance_id = cursor.lastrowid
        rows = [(batch.gtin, serial, batch.id, issuance_id, kid, sig, issued_at)
                for serial, sig in zip(serials, sigs)]
        for start in range(0, len(rows), INSERT_CHUNK):
            db.conn.executemany(
                "INSERT INTO items (gtin, serial, batch_id, issuance_id, kid, sig, issued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows[start:start + INSERT_CHUNK])
    return Issuance(issuance_id, batch.gtin, batch.lot, kid, len(serials), issued_at)  # type: ignore[arg-type]


EXPORT_COLUMNS = ("gtin", "lot", "serial", "kid", "status", "issued_at", "url")


def export_rows(db: sqlite_utils.Database, gtin: str, lot: str,
                base_url: str) -> Iterator[dict]:
    """Every code of a batch, oldest first, with its full URL."""
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    cursor = db.execute("SELECT serial, kid, sig, status, issued_at FROM items "
                        "WHERE batch_id = ? ORDER BY id", [batch.id])
    for serial, kid, sig, status, issued_at in cursor:
        code = ItemCode(batch.gtin, batch.lot, serial, kid, sig)
        yield {"gtin": batch.gtin, "lot": batch.lot, "serial": serial, "kid": kid,
               "status": status, "issued_at": issued_at, "url": code.url(base_url)}
