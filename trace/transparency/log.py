"""The append-only Merkle log in SQLite (DESIGN §10): leaves, and the hash of every
complete subtree, so a head or a proof at any size reads O(log² n) stored nodes
instead of rehashing every leaf::

    with db.atomic():                        # in the same transaction as the event
        db.execute("INSERT INTO status_events ...")
        index = append(db, "recall", "status_events:7", leaf_bytes, gtin=g, lot=l)
    head = root_at(db, tree_size(db))
    proof = inclusion_proof(db, index, tree_size(db))

A node (level, i) covers leaves [i·2^level, (i+1)·2^level); it is written once,
when its last leaf arrives, and never changes (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import sqlite3
import threading

import sqlite_utils

from .. import ledger
from ..db import utc_now
from ..errors import Conflict

# Whether this thread appended since its last checkpoint: the app signs one when a
# request or command that wrote ends, and reads that wrote nothing cost nothing.
_grown = threading.local()


def grew() -> bool:
    return getattr(_grown, "flag", False)


def settled() -> None:
    _grown.flag = False


def tree_size(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT coalesce(max(idx) + 1, 0) FROM ledger_leaves").fetchone()[0]


def append(db: sqlite_utils.Database, kind: str, source: str, data: bytes, *,
           gtin: str | None = None, lot: str | None = None,
           serial: str | None = None) -> int:
    """Append one leaf and the subtrees it completes; return its index."""
    digest = ledger.leaf_hash(data)
    with db.atomic():
        # The index is taken inside the INSERT, under the write lock, so two writers
        # can never claim the same position.
        try:
            cursor = db.execute(
                "INSERT INTO ledger_leaves (idx, kind, source, gtin, lot, serial, data, hash, "
                "at) VALUES ((SELECT coalesce(max(idx) + 1, 0) FROM ledger_leaves), "
                "?, ?, ?, ?, ?, ?, ?, ?)",
                [kind, source, gtin, lot, serial, data, digest, utc_now()])
        except sqlite3.IntegrityError as error:
            if "ledger_leaves.source" not in str(error):
                raise
            raise _source_reused(source) from None
        index = cursor.lastrowid
        assert index is not None
        _store_subtrees(db, index, digest)
    _grown.flag = True
    return index


def _source_reused(source: str) -> Conflict:
    """An event row took the id of one the ledger already logged: SQLite hands out a
    deleted last row's id again, so someone deleted logged history around the
    platform. Writing it would mix the two in the log; the write is refused."""
    return Conflict(f"cannot log {source}: the ledger already holds an event with that id, "
                    "so rows were deleted from the database around the platform; audit the "
                    "ledger, and have an engineer restore the deleted rows from a backup",
                    message_zh="无法记入防篡改账本：数据库里有这类记录被人直接删除过，新记录的编号与"
                    "账本里已有的一条重复。请技术人员从备份恢复被删除的记录后再操作；在此之前，"
                    "买家页面仍按账本显示这批商品的召回状态。")


Entry = tuple[str, str, bytes, str | None, str | None, str | None]


def append_many(db: sqlite_utils.Database, entries: list[Entry]) -> int:
    """Append (kind, source, data, gtin, lot, serial) leaves in one go, the subtrees
    they complete built in memory from the log's right edge; returns the index of
    the first. For bulk loads (a backfill, the benchmark) where per-leaf reads
    would dominate."""
    with db.atomic():
        first = tree_size(db)
        # The right edge: for each set bit of the size, the complete subtree ending there.
        edge = {}
        for level in range(first.bit_length()):
            if first >> level & 1:
                edge[level] = _node(db, level, (first >> level) - 1)
        now, leaf_rows, node_rows = utc_now(), [], []
        for offset, (kind, source, data, gtin, lot, serial) in enumerate(entries):
            index = first + offset
            digest = ledger.leaf_hash(data)
            leaf_rows.append((index, kind, source, gtin, lot, serial, data, digest, now))
            level, position = 0, index
            node_rows.append((0, index, digest))
            while position & 1:
                digest = ledger.node_hash(edge.pop(level), digest)
                level, position = level + 1, position >> 1
                node_rows.append((level, position, digest))
            edge[level] = digest
        db.conn.executemany("INSERT INTO ledger_leaves (idx, kind, source, gtin, lot, serial, "
                            "data, hash, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", leaf_rows)
        db.conn.executemany("INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)",
                            node_rows)
    _grown.flag = True
    return first


def _store_subtrees(db: sqlite_utils.Database, index: int, digest: bytes) -> None:
    rows, level, position = [(0, index, digest)], 0, index
    while position & 1:  # a right child: its parent is now complete
        left = _node(db, level, position - 1)
        digest = ledger.node_hash(left, digest)
        level, position = level + 1, position >> 1
        rows.append((level, position, digest))
    db.conn.executemany("INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)", rows)


def _node(db: sqlite_utils.Database, level: int, position: int) -> bytes:
    row = db.execute("SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?",
                     [level, position]).fetchone()
    if row is None:
        raise LookupError(f"the ledger has no node {level}/{position}")
    return row[0]


def subtree_hasher(db: sqlite_utils.Database) -> ledger.SubtreeHash:
    """MTH of leaves [start, end) from stored nodes: a complete, aligned subtree is
    one read; any other range splits as RFC 6962 does (memoised for one proof)."""
    memo: dict[tuple[int, int], bytes] = {}

    def mth(start: int, end: int) -> bytes:
        if (start, end) not in memo:
            width = end - start
            if width & (width - 1) == 0 and start % width == 0:
                memo[start, end] = _node(db, width.bit_length() - 1, start // width)
            else:
                k = ledger.split_point(width)
                memo[start, end] = ledger.node_hash(mth(start, start + k), mth(start + k, end))
        return memo[start, end]
    return mth


def _check_size(db: sqlite_utils.Database, size: int) -> None:
    if not 0 <= size <= tree_size(db):
        raise ValueError(f"the ledger has no tree of size {size}")


def root_at(db: sqlite_utils.Database, size: int) -> bytes:
    """The tree head when the log held ``size`` leaves."""
    _check_size(db, size)
    return subtree_hasher(db)(0, size) if size else ledger.EMPTY_ROOT


def inclusion_proof(db: sqlite_utils.Database, index: int, size: int) -> list[bytes]:
    _check_size(db, size)
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    return ledger.path(index, 0, size, subtree_hasher(db))


def consistency_proof(db: sqlite_utils.Database, old_size: int, new_size: int) -> list[bytes]:
    _check_size(db, new_size)
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    return ledger.subproof(old_size, 0, new_size, subtree_hasher(db))


_LEAF_COLUMNS = "idx, kind, source, gtin, lot, serial, data, hash, at"
_LEAF_KEYS = ("index", "kind", "source", "gtin", "lot", "serial", "data", "hash", "at")


def leaf(db: sqlite_utils.Database, index: int) -> dict:
    row = db.execute(f"SELECT {_LEAF_COLUMNS} FROM ledger_leaves WHERE idx = ?",
                     [index]).fetchone()
    if row is None:
        raise LookupError(f"the ledger has no leaf {index}")
    return dict(zip(_LEAF_KEYS, row))


def leaves_between(db: sqlite_utils.Database, first: int, last: int) -> list[dict]:
    """Leaves ``first`` to ``last`` (both included; fewer past the log's end), read
    in one query, as ``leaf`` gives each."""
    rows = db.execute(f"SELECT {_LEAF_COLUMNS} FROM ledger_leaves WHERE idx BETWEEN ? AND ? "
                      "ORDER BY idx", [first, last])
    return [dict(zip(_LEAF_KEYS, row)) for row in rows]
