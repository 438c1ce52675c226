"""Issuing codes: random serials, signatures, top-ups, all-or-nothing writes."""

import re
import sqlite3

import pytest

from trace.codes import parse_code, verify_signature
from trace.errors import Conflict, InvalidInput, KeyProblem, NotFound
from trace.issuing import PARALLEL_MIN, export_rows, issue_codes, new_serials
from trace.keys import get_key, retire_key

from conftest import BASE_URL, GTIN, LOT

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
    with pytest.raises(NotFound, match="batch new"):
        issue_codes(db, issuer, GTIN, "NOPE", 1)


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
