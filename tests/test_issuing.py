"""Issuing codes: random serials, signatures, top-ups, all-or-nothing writes."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trace.codes import parse_code, verify_signature
from trace.errors import Conflict, InvalidInput, KeyProblem, NotFound
from trace.issuing import PARALLEL_MIN, export_rows, issue_codes, new_serials
from trace.db import open_db
from trace.keys import get_key, retire_key, revoke_key

from conftest import BASE_URL, GTIN, LOT, run_at_once

ROOT = Path(__file__).resolve().parent.parent
SERIAL_RE = re.compile(r"^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{12}$")


def items_count(db) -> int:
    return db.execute("SELECT count(*) FROM items").fetchone()[0]


def test_new_serials_are_distinct_crockford_base32():
    serials = new_serials(5000)
    assert len(set(serials)) == 5000
    assert all(SERIAL_RE.match(s) for s in serials)


def test_issue_then_top_up(db, issuer, make_batch):
    make_batch()
    first = issue_codes(db, issuer, GTIN, LOT, 3)
    second = issue_codes(db, issuer, GTIN, LOT.lower(), 4)
    assert (first.count, second.count, first.kid) == (3, 4, issuer.kid)
    rows = list(export_rows(db, GTIN, LOT, BASE_URL))
    assert len(rows) == 7 == len({r["serial"] for r in rows})
    public = get_key(db, issuer.kid).public_bytes
    for row in rows:
        code = parse_code(row["url"], BASE_URL)
        assert verify_signature(public, code)
        assert len(row["url"]) < 180  # fits QR version 9-M with room to spare


def test_parallel_signing_gives_valid_signatures(db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, PARALLEL_MIN, workers=2)
    public = get_key(db, issuer.kid).public_bytes
    codes = [parse_code(r["url"], BASE_URL) for r in export_rows(db, GTIN, LOT, BASE_URL)]
    assert len(codes) == PARALLEL_MIN
    assert all(verify_signature(public, c) for c in codes)


def test_failure_half_way_leaves_nothing_of_the_top_up(db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 2)
    # A real failure inside the real database after 7,000 of 12,000 rows.
    db.execute("CREATE TRIGGER fail_half_way AFTER INSERT ON items "
               "WHEN (SELECT count(*) FROM items) > 7000 "
               "BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END")
    with pytest.raises(sqlite3.IntegrityError, match="simulated"):
        issue_codes(db, issuer, GTIN, LOT, 12_000)
    assert items_count(db) == 2
    assert db.execute("SELECT count(*) FROM issuances").fetchone()[0] == 1
    db.execute("DROP TRIGGER fail_half_way")
    issue_codes(db, issuer, GTIN, LOT, 3)
    assert items_count(db) == 5


@pytest.mark.parametrize("count", [0, -1, 1_000_001, "5"])
def test_count_out_of_range(db, issuer, make_batch, count):
    make_batch()
    with pytest.raises(InvalidInput, match="count"):
        issue_codes(db, issuer, GTIN, LOT, count)
    assert items_count(db) == 0


def test_unknown_batch(db, issuer, make_batch):
    make_batch()
    with pytest.raises(NotFound, match="no batch NOPE") as caught:
        issue_codes(db, issuer, GTIN, "NOPE", 1)
    assert "lots of this product: ZJ-2611-A" in caught.value.hint


def test_recalled_batch_gets_no_new_codes(db, issuer, make_batch):
    batch = make_batch()
    db.execute("UPDATE batches SET status = 'recalled' WHERE id = ?", [batch.id])
    with pytest.raises(Conflict, match="recalled"):
        issue_codes(db, issuer, GTIN, LOT, 1)


def test_retired_key_may_not_issue(db, issuer, make_batch):
    make_batch()
    retire_key(db, issuer.kid)
    with pytest.raises(KeyProblem, match="retired"):
        issue_codes(db, issuer, GTIN, LOT, 1)
    assert items_count(db) == 0


def test_no_write_lock_is_held_while_signing(app, db, issuer, make_batch):
    """Another connection takes the write lock at once, with no waiting allowed,
    at every chunk of a parallel top-up: signing happens outside the transaction."""
    make_batch()
    other = sqlite3.connect(app.config["DATABASE"], timeout=0, isolation_level=None)
    locked = []

    def try_to_write(_signed: int) -> None:
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            locked.append(str(error))

    issue_codes(db, issuer, GTIN, LOT, 3 * PARALLEL_MIN, workers=2, progress=try_to_write)
    assert locked == []
    assert items_count(db) == 3 * PARALLEL_MIN


def test_a_small_top_up_runs_while_a_large_one_signs(app, db, issuer, make_batch, tmp_path):
    """A real second process issues a few codes for another batch mid-signing."""
    make_batch()
    make_batch(lot="SMALL")
    env = {**os.environ, "TRACE_DATABASE": app.config["DATABASE"],
           "TRACE_KEYS_DIR": app.config["KEYS_DIR"], "TRACE_BASE_URL": BASE_URL}
    env.pop("TRACE_KEY_PASSPHRASE", None)
    results = []

    def issue_small(_signed: int) -> None:
        if not results:
            results.append(subprocess.run(
                [sys.executable, "-m", "trace", "batch", "issue", "--gtin", GTIN,
                 "--lot", "SMALL", "--count", "3"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120))

    issue_codes(db, issuer, GTIN, LOT, PARALLEL_MIN, workers=2, progress=issue_small)
    assert results[0].returncode == 0, results[0].stderr
    assert "Issued 3 codes for batch SMALL" in results[0].stdout
    assert items_count(db) == PARALLEL_MIN + 3


def test_a_batch_recalled_while_signing_gets_nothing(app, db, issuer, make_batch):
    batch = make_batch()
    other = sqlite3.connect(app.config["DATABASE"], isolation_level=None)

    def recall(_signed: int) -> None:
        other.execute("UPDATE batches SET status = 'recalled' WHERE id = ?", [batch.id])

    with pytest.raises(Conflict, match="recalled"):
        issue_codes(db, issuer, GTIN, LOT, 50, progress=recall)
    assert items_count(db) == 0
    assert db.execute("SELECT count(*) FROM issuances").fetchone()[0] == 0


def test_a_key_revoked_while_signing_issues_nothing(app, db, issuer, make_batch):
    make_batch()

    def revoke(_signed: int) -> None:
        revoke_key(open_db(app.config["DATABASE"]), issuer.kid)

    with pytest.raises(KeyProblem, match="revoked"):
        issue_codes(db, issuer, GTIN, LOT, 50, progress=revoke)
    assert items_count(db) == 0


def children_of(pid: int) -> list[int]:
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_signing_workers_end_when_their_parent_is_killed(app, db, issuer, make_batch):
    make_batch()
    env = {**os.environ, "TRACE_DATABASE": app.config["DATABASE"],
           "TRACE_KEYS_DIR": app.config["KEYS_DIR"], "TRACE_BASE_URL": BASE_URL}
    env.pop("TRACE_KEY_PASSPHRASE", None)
    parent = subprocess.Popen(
        [sys.executable, "-m", "trace", "batch", "issue", "--gtin", GTIN, "--lot", LOT,
         "--count", "1000000", "--workers", "2", "--over-plan"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(workers := children_of(parent.pid)) < 2 and time.monotonic() < deadline:
            assert parent.poll() is None, "the top-up ended before its workers started"
            time.sleep(0.05)
        assert len(workers) == 2, workers
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10  # a bound on the wait, not a timing claim
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "orphaned signing workers live on"
    finally:
        parent.kill()
        for pid in children_of(parent.pid):
            os.kill(pid, signal.SIGKILL)
    assert items_count(db) == 0


def test_two_requests_racing_with_one_key_issue_once(app, db, make_batch, issuer):
    """Both sign, one stores; the other finds the unique key taken and answers the
    winner's issuance: one top-up, whichever thread got there first."""
    import threading
    make_batch()
    results, barrier = [], threading.Barrier(2)

    def request():
        own = open_db(app.config["DATABASE"])
        barrier.wait()
        results.append(issue_codes(own, issuer, GTIN, LOT, 3000, workers=1,
                                   request_key="same-key").id)
        own.close()

    run_at_once(request, 2, timeout=120)
    assert len(results) == 2 and results[0] == results[1]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 3000
    assert db.execute("SELECT count(*) FROM issuances").fetchone()[0] == 1


def test_the_plan_counts_codes_not_void(db, issuer, make_batch):
    """A run issued twice and then voided must not hold the batch over its plan."""
    from trace import catalog, recalls
    from trace.issuing import check_plan
    make_batch()  # planned at 100
    issue_codes(db, issuer, GTIN, LOT, 100)
    batch = catalog.get_batch(db, GTIN, LOT)
    with pytest.raises(InvalidInput, match="has 100 codes not void"):
        check_plan(db, batch, 1)
    recalls.void_range(db, batch, 51, 100, "重复发码", actor="qc")
    check_plan(db, batch, 50)
    with pytest.raises(InvalidInput, match="51 more would make 101"):
        check_plan(db, batch, 51)
