"""Batch facts cached per content version: fresh after every write that matters."""

import pytest

from trace import recalls, snapshots
from trace.backups import backup, restore
from trace.codes import parse_link
from trace.issuing import issue_codes
from trace.scans import Observer, record_scan
from trace.verification import verify_code

from conftest import BASE_URL, GTIN, LOT

SEEN = Observer(network="n" * 16, device="d" * 16, returning=True, visitor="v" * 16)


def _batch_id(db):
    return db.execute("SELECT id FROM batches WHERE lot = ?", [LOT]).fetchone()[0]


def test_every_table_but_the_unwatched_bumps_the_version_on_every_write(db):
    tables = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    triggers = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE "
        "'%UPDATE content_version SET n = n + 1%'")}
    assert snapshots.UNWATCHED_TABLES <= tables  # no stale names in the list
    for table in tables - snapshots.UNWATCHED_TABLES:
        for verb in ("insert", "update", "delete"):
            assert f"{table}_{verb}_bumps_version" in triggers, (table, verb)


def test_the_same_facts_while_nothing_changes(db, issued_urls):
    batch_id = _batch_id(db)
    first = snapshots.batch_facts(db, batch_id)
    assert first.product.gtin == GTIN and first.batch.lot == LOT
    record_scan(db, db.execute("SELECT id FROM items LIMIT 1").fetchone()[0], SEEN)
    assert snapshots.batch_facts(db, batch_id) is first  # a scan is per item: not a change


def test_a_top_up_of_items_does_not_change_the_facts(db, issuer, issued_urls):
    before = snapshots.stamp(db)[:2]
    issue_codes(db, issuer, GTIN, LOT, 3)
    # Its issuance record is watched (one row a top-up), the items themselves are not.
    assert snapshots.stamp(db)[1] == before[1] + 1


def test_a_recall_is_seen_at_once(db, issued_urls):
    batch_id = _batch_id(db)
    assert snapshots.batch_facts(db, batch_id).batch.status != "recalled"
    recalls.recall_batch(db, GTIN, LOT, "珠层厚度不达标", actor="qc")
    assert snapshots.batch_facts(db, batch_id).batch.status == "recalled"


@pytest.mark.parametrize("statement", [
    "UPDATE products SET name = '改过的名字'",
    "UPDATE suppliers SET name = '改过的名字'",
])
def test_a_change_by_any_code_path_is_seen_at_once(db, issued_urls, statement):
    batch_id = _batch_id(db)
    snapshots.batch_facts(db, batch_id)
    db.execute(statement)
    facts = snapshots.batch_facts(db, batch_id)
    assert "改过的名字" in (facts.product.name, facts.supplier.name)


def test_a_stored_report_is_seen_at_once(app, db, issued_urls):
    from test_web_public import _stored_report
    batch_id = _batch_id(db)
    assert snapshots.batch_facts(db, batch_id).inspections == ()
    record = _stored_report(app, db)
    [served] = snapshots.batch_facts(db, batch_id).inspections
    assert served["report"] == record and served["signature_ok"]


def test_facts_are_read_again_each_minute(db, issued_urls, monkeypatch):
    batch_id = _batch_id(db)
    first = snapshots.batch_facts(db, batch_id)
    monkeypatch.setattr(snapshots, "utc_now", lambda: "2099-01-01T00:01:00+00:00")
    later = snapshots.batch_facts(db, batch_id)
    assert later is not first and later.stamp[2] == "2099-01-01T00:01"


def test_restore_gives_the_database_a_new_epoch(app, db, issued_urls, tmp_path):
    backup(app.config["DATABASE"], tmp_path / "copy.db")
    before = snapshots.stamp(db)
    restore(tmp_path / "copy.db", app.config["DATABASE"], app.config["KEYS_DIR"])
    after = snapshots.stamp(db)
    assert after[0] != before[0] and after[1] == before[1]
    code = parse_link(issued_urls[0], BASE_URL)
    assert snapshots.batch_facts(db, _batch_id(db)).batch.lot == code.lot


def test_two_databases_never_share_facts(db, tmp_path):
    from trace.db import create_db
    other = create_db(tmp_path / "other.db")
    assert snapshots.stamp(other)[0] != snapshots.stamp(db)[0]


def test_a_revoked_key_is_seen_at_once(db, issuer, issued_urls):
    from trace import keys
    assert snapshots.key(db, issuer.kid).status == "active"
    assert snapshots.key(db, issuer.kid) is snapshots.key(db, issuer.kid)
    keys.revoke_key(db, issuer.kid)
    assert snapshots.key(db, issuer.kid).status == "revoked"
    assert snapshots.key(db, "NOSUCHKEY") is None


def test_an_item_recalled_on_its_own_shows_its_event_and_no_other_item_does(db, issued_urls):
    """The facts hold the batch's own events and which items have events of their
    own; those items' events are read afresh, the others' pages show none."""
    first, second = (parse_link(url, BASE_URL) for url in issued_urls[:2])
    recalls.recall_batch(db, GTIN, LOT, "抽检复核", actor="qc")
    recalls.unrecall_batch(db, GTIN, LOT, "复核合格", actor="qc")
    recalls.recall_item(db, first, "包装破损", actor="qc")
    first_events = verify_code(db, first).events
    second_events = verify_code(db, second).events
    assert [e.action for e in first_events] == ["recall", "unrecall", "recall_item"]
    assert first_events[-1].item_serial == first.serial
    assert [e.action for e in second_events] == ["recall", "unrecall"]
    recalls.void_item(db, second, "标签印错", actor="qc")  # seen at once, not a minute on
    assert [e.action for e in verify_code(db, second).events] == ["recall", "unrecall", "void"]


def test_facts_read_before_a_void_take_the_voided_item_for_no_tampering(db, issued_urls):
    """A scan holding facts read just before a void reads the item's new row: the
    two disagree, so it asks the ledger in one snapshot, which logged the void."""
    code = parse_link(issued_urls[0], BASE_URL)
    before = snapshots.batch_facts(db, _batch_id(db))
    recalls.void_item(db, code, "标签印错", actor="qc")
    row = db.execute("SELECT * FROM items WHERE serial = ?", [code.serial]).fetchone()
    item = dict(zip([column[0] for column in db.execute(
        "SELECT * FROM items LIMIT 0").description], row))
    assert before.logged_items == {} and item["status"] == "void"
    assert before.item_differences(db, item) == ()
    after = snapshots.batch_facts(db, _batch_id(db))
    assert after.logged_items == {code.serial: ("void", "标签印错")}
    assert after.item_differences(db, item) == ()
