"""Every event the ledger covers writes its canonical leaf in its own transaction."""

from __future__ import annotations

import json

import pytest

from trace import catalog, claims, keys, ledger, recalls, rooms
from trace.codes import parse_code
from trace.scans import Observer
from trace.streamers import selection
from trace.transparency import leaves, log

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT


def kinds(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT kind FROM ledger_leaves ORDER BY idx")]


def test_each_event_appends_its_leaf(app, db, issued_urls):
    assert kinds(db) == ["key_created", "supplier_registered", "batch_created", "codes_issued"]
    from test_web_public import _stored_report
    _stored_report(app, db)
    code = parse_code(issued_urls[1], BASE_URL)
    recalls.void_item(db, code, "标签印错", actor="qc")
    recalls.recall_item(db, parse_code(issued_urls[2], BASE_URL), "包装破损", actor="qc")
    item = db.execute("SELECT * FROM items WHERE serial = ?",
                      [parse_code(issued_urls[3], BASE_URL).serial]).fetchone()
    claims.claim_item(db, {"id": item[0]}, Observer("net", "dev", True, "visitor"), None, "s")
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc")
    room = rooms.add_room(db, "直播间", "douyin", "77")
    selection.record_selection(db, room, selection.check_sample(db, issued_urls[0], BASE_URL),
                               "待复检", actor="live")
    issuer = keys.active_key(db, "issuer").kid
    keys.rotate_key(db, app.config["KEYS_DIR"])
    keys.revoke_key(db, issuer)
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    catalog.set_contact(db, supplier, catalog.Contact("0575-87000000", "浙江省诸暨市"))
    catalog.set_contact(db, supplier, catalog.Contact("0575-87000000", "浙江省诸暨市"))  # same
    catalog.suspend_supplier(db, supplier.id, "标签造假", actor="ops")
    catalog.reinstate_supplier(db, supplier.id, "已整改", actor="ops")
    assert kinds(db)[4:] == ["key_created", "report", "void", "recall_item", "claim", "recall",
                             "unrecall", "selection", "key_created", "key_retired",
                             "key_revoked", "supplier_changed", "supplier_suspend",
                             "supplier_reinstate"]
    assert leaves.event_sources(db) and len(leaves.event_sources(db)) == log.tree_size(db)


def test_a_leaf_is_canonical_versioned_json_of_strings(db, issued_urls):
    recalls.recall_batch(db, GTIN, LOT, "抽检<不合格>", actor="qc@example.cn")
    row = log.leaf(db, log.tree_size(db) - 1)
    fields = json.loads(row["data"])
    assert row["data"] == json.dumps(fields, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()
    assert all(isinstance(value, str) for value in fields.values())
    assert (fields["v"], fields["kind"], fields["gtin"], fields["lot"], fields["reason"]) == (
        "trace-leaf-v1", "recall", GTIN, LOT, "抽检<不合格>")
    assert "qc@example.cn" not in row["data"].decode()  # the actor only inside row_sha256
    assert row["hash"] == ledger.leaf_hash(row["data"])


def test_a_top_up_commits_to_every_code_it_issued(db, issued_urls):
    issued = json.loads(log.leaf(db, 3)["data"])
    entries = db.execute("SELECT serial, sig FROM items ORDER BY id").fetchall()
    assert issued["count"] == "5"
    assert issued["items_root"] == ledger.root([f"{s}|{g}".encode() for s, g in entries]).hex()
    assert issued["items_root"] == leaves.items_root(entries)


def test_an_event_and_its_leaf_commit_or_roll_back_together(db, issued_urls):
    size = log.tree_size(db)
    with pytest.raises(RuntimeError):
        with db.atomic():  # as a request that fails after recalling would
            recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
            assert log.tree_size(db) == size + 1
            raise RuntimeError("fails before commit")
    assert log.tree_size(db) == size
    assert db.execute("SELECT count(*) FROM status_events").fetchone()[0] == 0
