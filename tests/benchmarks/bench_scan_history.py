"""Benchmark: the scan history of a copied code, read on every scan of it.

A counterfeiter who copies one genuine label onto thousands of fakes sends every
buyer of them to the same item page, and each scan reads that item's history
(DESIGN §6). Ours: the running counts the database keeps per item (migration 13,
one row a distinct network or browser), read by trace.scans.read_history. Naive:
the same figures counted from the scans themselves in one pass, as the page did
before (count DISTINCT over every scan of the item). Items of 10^2 to 10^5 scans
from buyers on many networks; both must give the same figures. Also reported:
what keeping the counts adds to a scan's write, against a bare INSERT.

Exits 1 when the two disagree.

    PYTHONPATH=.:tests/benchmarks python tests/benchmarks/bench_scan_history.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from budget import Budgets

from trace import catalog
from trace.db import create_db
from trace.issuing import issue_codes
from trace.keys import create_key, load_signer
from trace.scans import Observer, ScanPolicy, read_history, record_scan

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
GTIN, CREDIT = "09521234000013", "91330681MA2D7XKQ0T"
NAIVE = (
    "SELECT count(*), count(DISTINCT network), count(DISTINCT who), "
    "count(DISTINCT CASE WHEN at >= :since THEN network END), "
    "count(DISTINCT CASE WHEN at >= :since THEN who END) FROM ("
    "SELECT at, network, CASE WHEN device IN (SELECT device FROM scans WHERE "
    "item_id = :item AND cookie_back = 1) THEN 'd' || device ELSE 'n' || visitor END AS who "
    "FROM scans WHERE item_id = :item)")


def copied_item(db, item: int, scans: int, rng: random.Random) -> None:
    """``scans`` scans of one item by buyers of fakes: most scan once or twice (the
    second time with our cookie back), from a few thousand networks, over 60 days."""
    with db.atomic():
        done = 0
        while done < scans:
            buyer = rng.randrange(10**9)
            network, visitor = f"net{buyer % 3000}", f"vis{buyer % 7000}"
            for visit in range(min(rng.choice((1, 1, 2, 3)), scans - done)):
                at = (NOW - timedelta(days=rng.uniform(0, 60))).isoformat()
                record_scan(db, item, Observer(network, f"dev{buyer}", returning=visit > 0,
                                               visitor=visitor), at=at)
                done += 1


def median_ms(action, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def write_cost(db, item: int, count: int = 3000) -> tuple[float, float]:
    """Microseconds a scan write: ours (the row and its counts) against a bare
    INSERT into a table of the same shape without the triggers."""
    db.execute("CREATE TABLE bare_scans AS SELECT * FROM scans WHERE 0")
    db.execute("CREATE INDEX bare_item ON bare_scans(item_id, at)")
    seen = Observer("net-w", "dev-w", returning=True, visitor="vis-w")
    start = time.perf_counter()
    for _ in range(count):
        record_scan(db, item, seen)
    ours = (time.perf_counter() - start) / count
    start = time.perf_counter()
    for _ in range(count):
        db.execute("INSERT INTO bare_scans (item_id, at, network, device, kind, cookie_back, "
                   "visitor) VALUES (?, ?, ?, ?, 'scan', 1, ?)",
                   [item, NOW.isoformat(), seen.network, seen.device, seen.visitor])
    bare = (time.perf_counter() - start) / count
    return ours * 1e6, bare * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=100_000)
    sizes = [size for size in (100, 1_000, 10_000, 100_000) if size <= parser.parse_args().max]
    budgets, policy, rng = Budgets(), ScanPolicy(), random.Random(7)
    since = (NOW - timedelta(days=policy.window_days)).isoformat()
    with tempfile.TemporaryDirectory() as folder:
        db = create_db(Path(folder) / "history.db")
        create_key(db, Path(folder) / "keys")
        catalog.add_product(db, catalog.add_supplier(db, "Bench", CREDIT), GTIN, "淡水珍珠项链")
        catalog.new_batch(db, GTIN, "COPY-1")
        issue_codes(db, load_signer(db, Path(folder) / "keys"), GTIN, "COPY-1", len(sizes) + 1)
        items = [row[0] for row in db.execute("SELECT id FROM items ORDER BY id")]
        print("scans of the item | ours (running counts) | naive (count the scans) | ratio")
        for item, size in zip(items, sizes):
            copied_item(db, item, size, rng)
            history = read_history(db, item, None, policy, now=NOW)
            naive = db.execute(NAIVE, {"item": item, "since": since}).fetchone()
            budgets.check(
                (history.count, history.networks, history.devices, history.window_networks,
                 history.window_devices) == tuple(naive),
                f"{size:,} scans: both count {naive[0]:,} scans, {naive[1]:,} networks, "
                f"{naive[2]:,} browsers")
            rounds = 50 if size <= 10_000 else 10
            ours_ms = median_ms(lambda: read_history(db, item, None, policy, now=NOW), rounds)
            naive_ms = median_ms(lambda: db.execute(NAIVE, {"item": item,
                                                            "since": since}).fetchone(), rounds)
            print(f"{size:>17,} | {ours_ms:>18.3f} ms | {naive_ms:>20.3f} ms | "
                  f"{naive_ms / ours_ms:5.1f}x")
        ours_us, bare_us = write_cost(db, items[-1])
        print(f"a scan's write: {ours_us:.0f} µs with its counts, {bare_us:.0f} µs bare "
              f"({ours_us / bare_us:.2f}x)")
        db.close()
    budgets.finish()


if __name__ == "__main__":
    main()
