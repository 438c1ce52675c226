"""Benchmark: the ledger's inclusion proofs, and what the ledger adds to issuing.

1. Inclusion proofs at 10^3, 10^4, 10^5 and 10^6 leaves. Ours: read O(log² n)
   stored subtree hashes (trace.transparency.log). Naive: read every leaf and
   recompute the tree (trace.ledger on the raw leaves). Budget (DESIGN §12): under
   5 ms at 10^6. Every proof timed is checked against the tree head.
2. The ledger's cost in a 100,000-code top-up. Ours: one leaf for the top-up
   holding the RFC 6962 head of its items, hashed before the write transaction.
   The alternative: one leaf per item, appended inside it (the leaf must commit
   with the codes). Reported: the whole top-up with the ledger against the
   issuing budget of 6 s, the ledger's share, and what each design holds the
   write lock for.

Exits 1 when a budget or a check is missed.

    PYTHONPATH=.:tests/benchmarks python tests/benchmarks/bench_ledger.py [--max 1000000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from budget import Budgets

from trace import catalog, ledger
from trace.db import create_db
from trace.issuing import issue_codes
from trace.keys import create_key, load_signer
from trace.transparency import leaves, log

PROOF_BUDGET_MS = 5.0
ISSUE_BUDGET_S = 6.0
GTIN, LOT, CREDIT = "09521234000013", "BENCH-1", "91330681MA2D7XKQ0T"


def filled_log(folder: Path, size: int):
    db = create_db(folder / f"log-{size}.db")
    step = 100_000
    for start in range(0, size, step):
        log.append_many(db, [("bench", f"bench:{i}", f"leaf {i}".encode(), None, None, None)
                             for i in range(start, min(size, start + step))])
    return db


def time_ours(db, size: int, rounds: int) -> float:
    """Median milliseconds for one inclusion proof against the head at ``size``."""
    head = log.root_at(db, size)
    times = []
    for index in random.Random(size).sample(range(size), rounds):
        start = time.perf_counter()
        proof = log.inclusion_proof(db, index, size)
        times.append((time.perf_counter() - start) * 1000)
        assert ledger.verify_inclusion(f"leaf {index}".encode(), index, size, proof, head)
    return statistics.median(times)


def time_naive(db, size: int, rounds: int) -> float:
    head = log.root_at(db, size)
    times = []
    for index in random.Random(-size).sample(range(size), rounds):
        start = time.perf_counter()
        data = [row[0] for row in db.execute("SELECT data FROM ledger_leaves ORDER BY idx")]
        proof = ledger.inclusion_proof(data, index)
        times.append((time.perf_counter() - start) * 1000)
        assert ledger.verify_inclusion(data[index], index, size, proof, head)
    return statistics.median(times)


def proofs(folder: Path, largest: int, budgets: Budgets) -> None:
    print("inclusion proof, median of random leaves (ms)")
    size = 1000
    while size <= largest:
        started = time.perf_counter()
        db = filled_log(folder, size)
        built = time.perf_counter() - started
        ours = time_ours(db, size, 200)
        naive = time_naive(db, size, 3 if size >= 10**5 else 10)
        print(f"  {size:>9,} leaves: ours {ours:7.3f}   naive {naive:10.1f}   "
              f"{naive / ours:9,.0f}x   (log built in {built:.1f} s)", flush=True)
        if size == largest:
            budgets.check(ours < PROOF_BUDGET_MS,
                          f"proof at {size:,} leaves in {ours:.3f} ms (budget 5 ms)")
            budgets.check(naive / ours > 10, f"{naive / ours:,.0f}x the full recomputation")
        db.close()
        size *= 10


def issuing(folder: Path, count: int, budgets: Budgets) -> None:
    db = create_db(folder / "issue.db")
    create_key(db, folder / "keys")
    signer = load_signer(db, folder / "keys")
    catalog.add_product(db, catalog.add_supplier(db, "Bench", CREDIT), GTIN, "基准测试商品")
    catalog.new_batch(db, GTIN, LOT)
    start = time.perf_counter()
    issued = issue_codes(db, signer, GTIN, LOT, count)
    total = time.perf_counter() - start
    rows = db.execute("SELECT serial, sig FROM items WHERE issuance_id = ? ORDER BY id",
                      [issued.id]).fetchall()

    start = time.perf_counter()
    root = leaves.items_root(rows)  # outside the write lock
    hashing = time.perf_counter() - start
    start = time.perf_counter()
    with db.atomic():  # what the top-up's transaction adds: build and append one leaf
        leaf = leaves.build(db, f"issuances:{issued.id}", root=root)
        db.execute("SAVEPOINT bench")
        log.append(db, leaf.kind, "bench:one", leaf.data)
        db.execute("ROLLBACK TO bench")
    one_leaf = time.perf_counter() - start

    per_item = [("item", f"bench-item:{serial}", f"{serial}|{sig}".encode(), GTIN, LOT, serial)
                for serial, sig in rows]
    start = time.perf_counter()
    log.append_many(db, per_item)  # the alternative, all inside the transaction
    many = time.perf_counter() - start

    print(f"the ledger in a {count:,}-code top-up")
    print(f"  the whole top-up, ledger included: {total:.2f} s")
    print(f"  ours, one leaf for the top-up: {hashing * 1000:.0f} ms hashing the items' head "
          f"before the transaction + {one_leaf * 1000:.1f} ms inside it "
          f"({(hashing + one_leaf) / total:.0%} of the top-up)")
    print(f"  one leaf per item instead: {many * 1000:.0f} ms inside the transaction, "
          f"{count:,} leaves and {2 * count:,} stored nodes more a top-up; "
          f"{many / one_leaf:,.0f}x the write-lock time of ours")
    budgets.check(total < ISSUE_BUDGET_S,
                  f"{count:,} codes issued with the ledger in {total:.2f} s (budget 6 s)")
    budgets.check(one_leaf < many, "one leaf a top-up holds the lock for less than a leaf an item")
    budgets.check(json_count(leaf.data) == count, "the top-up's leaf counts every code")


def json_count(data: bytes) -> int:
    import json
    return int(json.loads(data)["count"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=1_000_000, help="largest log (a power of 10)")
    parser.add_argument("--count", type=int, default=100_000, help="codes in the top-up")
    args = parser.parse_args()
    budgets = Budgets()
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as folder:
        proofs(Path(folder), args.max, budgets)
        issuing(Path(folder), args.count, budgets)
    budgets.finish()


if __name__ == "__main__":
    main()
