"""The Merkle log stored in SQLite: the same heads and proofs as the pure RFC 6962
functions at every size, append-only, and written with the event or not at all."""

from __future__ import annotations

import sqlite3

import pytest

from trace import ledger
from trace.errors import Conflict
from trace.transparency import log

DATA = [f"event {i}".encode() for i in range(70)]


@pytest.fixture
def filled(db):
    for i, data in enumerate(DATA):
        assert log.append(db, "test", f"test:{i}", data) == i
    return db


def test_heads_and_proofs_from_stored_subtrees_match_the_pure_functions(filled):
    db = filled
    assert log.tree_size(db) == len(DATA)
    for size in range(1, len(DATA) + 1):
        leaves = DATA[:size]
        assert log.root_at(db, size) == ledger.root(leaves)
        for index in range(0, size, 7):
            assert log.inclusion_proof(db, index, size) == ledger.inclusion_proof(leaves, index)
        for old in range(1, size + 1, 5):
            assert log.consistency_proof(db, old, size) == ledger.consistency_proof(leaves, old)
    assert log.root_at(db, 0) == ledger.EMPTY_ROOT


def test_sizes_and_indexes_outside_the_log_are_refused(filled):
    with pytest.raises(ValueError, match="no tree of size 71"):
        log.root_at(filled, 71)
    with pytest.raises(ValueError, match="not in a tree"):
        log.inclusion_proof(filled, 10, 10)
    with pytest.raises(ValueError, match="no consistency proof"):
        log.consistency_proof(filled, 9, 8)
    with pytest.raises(LookupError, match="no leaf 70"):
        log.leaf(filled, 70)


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_leaves SET data = x'00' WHERE idx = 3",
    "DELETE FROM ledger_leaves WHERE idx = 69",
    "UPDATE ledger_nodes SET hash = x'00' WHERE level = 1 AND idx = 0",
    "DELETE FROM ledger_nodes",
])
def test_the_log_is_append_only(filled, statement):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        filled.execute(statement)


def test_a_leaf_goes_with_its_event_or_not_at_all(db):
    with pytest.raises(RuntimeError):
        with db.atomic():
            log.append(db, "test", "test:1", b"one")
            raise RuntimeError("the event failed after its leaf was appended")
    assert log.tree_size(db) == 0
    assert db.execute("SELECT count(*) FROM ledger_nodes").fetchone()[0] == 0
    with pytest.raises(Conflict, match="rows were deleted"):  # one leaf per event row
        log.append(db, "test", "test:2", b"two")
        log.append(db, "test", "test:2", b"two again")
    assert log.tree_size(db) == 1


def test_a_bulk_append_builds_the_same_tree_as_one_by_one(db):
    for i, data in enumerate(DATA[:13]):
        log.append(db, "test", f"one:{i}", data)
    first = log.append_many(db, [("test", f"many:{i}", data, None, None, None)
                                 for i, data in enumerate(DATA[13:])])
    assert first == 13 and log.tree_size(db) == len(DATA)
    for size in (14, 32, 33, 64, len(DATA)):
        assert log.root_at(db, size) == ledger.root(DATA[:size])
        assert log.inclusion_proof(db, 13, size) == ledger.inclusion_proof(DATA[:size], 13)
