"""Benchmark: issue + sign + store N codes, against the naive way, in one run.

Ours: serials drawn in bulk, signing on every core, one transaction with
executemany. Naive: one process, sign a code, INSERT it, commit, repeat.
Budget (DESIGN §12): 100,000 codes in under 6 s on the 2-core machine.

    PYTHONPATH=. python tests/benchmarks/bench_issuing.py [--count 100000]
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from pathlib import Path

from trace import catalog
from trace.db import open_db, utc_now
from trace.issuing import issue_codes
from trace.keys import create_key, load_signer

GTIN, LOT, CREDIT = "09521234000013", "BENCH-1", "91330681MA2D7XKQ0T"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def fresh(folder: Path, name: str):
    db = open_db(folder / f"{name}.db")
    create_key(db, folder / f"{name}-keys")
    signer = load_signer(db, folder / f"{name}-keys")
    supplier = catalog.add_supplier(db, "Bench", CREDIT)
    catalog.add_product(db, supplier, GTIN, "基准测试商品")
    batch = catalog.new_batch(db, GTIN, LOT)
    return db, signer, batch


def ours(folder: Path, count: int) -> float:
    db, signer, _ = fresh(folder, "ours")
    start = time.perf_counter()
    issue_codes(db, signer, GTIN, LOT, count)
    elapsed = time.perf_counter() - start
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == count
    return elapsed


def naive(folder: Path, count: int) -> float:
    db, signer, batch = fresh(folder, "naive")
    start = time.perf_counter()
    issuance = db.execute("INSERT INTO issuances (batch_id, kid, count, issued_at) VALUES "
                          "(?, ?, ?, ?)", [batch.id, signer.kid, count, utc_now()]).lastrowid
    for _ in range(count):
        serial = "".join(secrets.choice(CROCKFORD) for _ in range(12))
        sig = signer.sign_item(GTIN, LOT, serial)
        db.execute("INSERT INTO items (gtin, serial, batch_id, issuance_id, kid, sig, issued_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [GTIN, serial, batch.id, issuance, signer.kid, sig, utc_now()])  # autocommit
    elapsed = time.perf_counter() - start
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == count
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t_ours = ours(folder, args.count)
        t_naive = naive(folder, args.count)
    print(f"issue+sign+store {args.count:,} codes")
    print(f"  ours : {t_ours:7.2f} s  ({args.count / t_ours:,.0f} codes/s)  budget 6 s for 100,000")
    print(f"  naive: {t_naive:7.2f} s  ({args.count / t_naive:,.0f} codes/s)  INSERT+commit each")
    print(f"  ratio: {t_naive / t_ours:.1f}x faster than naive")


if __name__ == "__main__":
    main()
