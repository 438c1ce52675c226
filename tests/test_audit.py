"""ledger verify: a clean log passes; changing any row the ledger covers, a leaf, a
subtree or a checkpoint is found and named (each change made as an attacker with
the database file would: past the append-only triggers)."""

from __future__ import annotations

import base64

import pytest

from trace import keys, recalls
from trace.db import open_db
from trace.codes import parse_code
from trace.transparency import audit, checkpoints, log

from conftest import BASE_URL, GTIN, LEDGER_ORIGIN, LOT

ORIGIN = LEDGER_ORIGIN


def tamper(db, table: str, statement: str, *args) -> None:
    """What someone holding the database file can do: drop the trigger, then write."""
    for verb in ("update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    db.execute(statement, list(args))


CHANGES = {
    "a report value": ("inspection_reports", "UPDATE inspection_reports SET record = "
                       "replace(record, '\"0.42\"', '\"0.52\"')",
                       "event row inspection_reports:1 has changed since it was logged"),
    "an item status": ("items", "UPDATE items SET status = 'active', status_reason = NULL "
                       "WHERE status = 'void'", "status 'active' (no reason) but the ledger's "
                       "events say 'void' (reason '标签印错')"),
    "a recall reason": ("status_events", "UPDATE status_events SET reason = '主动召回' "
                        "WHERE action = 'recall'", "(recall of 09521234000013/ZJ-2611-A): "
                        "event row status_events:1 has changed since it was logged "
                        "(changed: reason, row_sha256)"),
    "a leaf": ("ledger_leaves", "UPDATE ledger_leaves SET data = CAST(replace(CAST(data AS TEXT),"
               " '抽检不合格', '已撤销') AS BLOB) WHERE kind = 'recall'",
               "its stored data was edited"),
    "a deleted void": ("status_events", "DELETE FROM status_events WHERE action = 'void'",
                       "event row status_events:2: its row is gone"),
    # A first character other than the one it has: 'A' alone left 1 signature in 64 as it was.
    "a code's signature": ("items", "UPDATE items SET sig = CASE substr(sig, 1, 1) WHEN 'A' "
                           "THEN 'B' ELSE 'A' END || substr(sig, 2) WHERE id = 1",
                           "(codes_issued of 09521234000013/ZJ-2611-A): event row issuances:1"
                           " has changed since it was logged (changed: items_root)"),
    "a subtree": ("ledger_nodes", "UPDATE ledger_nodes SET hash = zeroblob(32) WHERE level = 1 "
                  "AND idx = 0", "stored subtree hash(es) at level 1 differ"),
    "a batch status": ("batches", "UPDATE batches SET status = 'open', status_reason = NULL",
                       "batch 09521234000013/ZJ-2611-A: status 'open' (no reason) but the "
                       "ledger's events say 'recalled' (reason '抽检不合格')"),
    "an empty reason": ("batches", "UPDATE batches SET status_reason = ''", "status 'recalled' "
                        "(reason '') but the ledger's events say 'recalled' (reason '抽检不合格')"),
    "a checkpoint's root column": ("ledger_checkpoints", "UPDATE ledger_checkpoints SET root = "
                                   "zeroblob(32)", "its root column differs from its signed note"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_ledger_verify_finds_and_names_each_change(logged, change):
    table, statement, named = CHANGES[change]
    tamper(logged, table, statement)
    problems = audit.audit(logged)
    assert any(named in problem for problem in problems), problems


def test_an_event_written_around_the_ledger_is_found(logged):
    item = logged.execute("SELECT id, batch_id FROM items LIMIT 1").fetchone()
    logged.execute("INSERT INTO status_events (batch_id, item_id, action, reason, actor, at) "
                   "VALUES (?, ?, 'void', '偷偷作废', 'x', '2026-11-20T00:00:00+00:00')",
                   [item[1], item[0]])
    assert any("event row status_events:3 (at 2026-11-20T00:00:00+00:00) has no leaf" in p
               for p in audit.audit(logged))


def test_events_appended_while_an_audit_runs_raise_no_alarm(app, logged, issued_urls):
    """The server goes on working while the operator audits: what it appends midway
    is not half-read as a tampered tree, and the next audit covers it."""
    server = open_db(app.config["DATABASE"])
    size = log.tree_size(logged)
    appended = []

    def meanwhile(_step: int) -> None:
        if not appended:
            recalls.void_item(server, parse_code(issued_urls[2], BASE_URL), "标签破损",
                              actor="qc")
            appended.append(log.tree_size(server))

    result = audit.run(logged, progress=meanwhile)
    assert appended == [size + 1] and result.problems == [] and result.size == size
    assert audit.run(logged).size == size + 1 and audit.audit(logged) == []
    server.close()


def test_a_checkpoint_with_a_changed_root_or_a_wrong_key_is_found(app, logged):
    latest = checkpoints.latest(logged)
    rewritten = latest.note.replace(latest.note.split("\n")[2],
                                    base64.b64encode(b"\x07" * 32).decode())
    tamper(logged, "ledger_checkpoints", "UPDATE ledger_checkpoints SET note = ? WHERE size = ?",
           rewritten, latest.size)
    assert f"checkpoint {latest.size}: no valid signature by a ledger key on the checkpoint " \
        f"of size {latest.size}" in audit.audit(logged)


def test_a_checkpoint_signed_over_a_rewritten_tree_is_found(app, logged):
    """Even with the ledger key, a rewritten history does not extend the old one."""
    signer = keys.cached_signer(logged, app.config["KEYS_DIR"], None, "ledger")
    size = log.tree_size(logged)
    forged = checkpoints.sign_note(ORIGIN, size + 1, b"\x09" * 32, signer)
    logged.execute("INSERT INTO ledger_checkpoints (size, root, kid, note, at) VALUES "
                   "(?, ?, ?, ?, ?)", [size + 1, b"\x09" * 32, signer.kid, forged, "2026"])
    assert any(f"checkpoint {size + 1}: claims a tree of {size + 1} leaves, the log has {size}"
               in p for p in audit.audit(logged))


def test_a_supplier_phone_swapped_around_the_platform_is_found(logged):
    """How buyers reach a supplier was not in the ledger: a trial operator swapped its
    phone in the database and the audit said 账本一致."""
    from trace import catalog
    from conftest import CREDIT_CODE
    supplier = catalog.find_supplier(logged, CREDIT_CODE)
    catalog.set_contact(logged, supplier, catalog.Contact("0575-87000000", "浙江省诸暨市山下湖镇"),
                        actor="ops")  # a change through the platform: logged, no alarm
    assert audit.audit(logged) == []
    # Edited after a logged change, the created state re-derives through it: only
    # the value now against the last logged one tells.
    logged.execute("UPDATE suppliers SET phone = '13912345678'")
    [found] = audit.audit(logged)
    assert found.code == "now_changed"
    assert found.params["values"] == {"phone": ["0575-87000000", "13912345678"]}
    assert audit.batch_problems(logged, GTIN, LOT) == [found]


def test_a_suspension_lifted_around_the_platform_is_found(logged):
    from trace import catalog
    from conftest import CREDIT_CODE
    supplier = catalog.find_supplier(logged, CREDIT_CODE)
    catalog.suspend_supplier(logged, supplier.id, "标签造假", actor="ops")
    assert audit.audit(logged) == []
    logged.execute("UPDATE suppliers SET suspended_at = NULL, suspended_reason = NULL")
    [found] = audit.audit(logged)
    assert found.code == "supplier_status" and found.params["expected_reason"] == "标签造假"
    tamper(logged, "supplier_standing", "DELETE FROM supplier_standing")
    assert any(problem.code == "row_gone" for problem in audit.audit(logged))


def test_a_supplier_whose_suspension_was_lifted_around_the_platform_stays_suspended(logged):
    """A trial lifted a suspension with one UPDATE and the supplier issued ten codes:
    whether it may is the ledger's last word, not its row's."""
    from trace import catalog
    from trace.errors import Conflict, Forbidden
    from conftest import CREDIT_CODE
    supplier = catalog.find_supplier(logged, CREDIT_CODE)
    catalog.suspend_supplier(logged, supplier.id, "标签造假", actor="ops")
    logged.execute("UPDATE suppliers SET suspended_at = NULL, suspended_reason = NULL")
    seen = catalog.find_supplier(logged, CREDIT_CODE)
    assert seen.suspended and seen.suspended_reason == "标签造假"
    with pytest.raises(Forbidden, match="suspended"):
        catalog.require_approved(seen)
    # Nor may the supplier save its contact over records that differ from the ledger.
    with pytest.raises(Conflict, match="differ from the ledger"):
        catalog.set_contact(logged, seen, catalog.Contact("0575-87000000", "诸暨"))
    catalog.reinstate_supplier(logged, supplier.id, "已整改", actor="ops")  # the operator's call
    assert not catalog.find_supplier(logged, CREDIT_CODE).suspended
    assert audit.audit(logged) == []


def test_a_batch_date_edited_after_a_logged_correction_is_found(logged):
    """The batch's created leaf is re-derived through its corrections, so an edit made
    after one left every leaf intact."""
    from test_live import set_expiry
    set_expiry(logged, "2027-06-30")
    assert audit.audit(logged) == []
    logged.execute("UPDATE batches SET expires_on = '2029-01-01'")
    [found] = audit.audit(logged)
    assert found.code == "now_changed"
    assert found.params["values"] == {"expires_on": ["2027-06-30", "2029-01-01"]}


def test_the_cli_exits_1_naming_the_problem_and_0_when_clean(run_cli, logged):
    clean = run_cli("ledger", "verify")
    assert clean.exit_code == 0 and "Ledger consistent" in clean.output
    tamper(logged, "status_events", "UPDATE status_events SET reason = '主动召回' "
           "WHERE action = 'recall'")
    broken = run_cli("ledger", "verify")
    assert broken.exit_code == 1 and "status_events:1 has changed" in broken.output
    assert "the ledger is inconsistent" in broken.output


def test_events_from_before_the_ledger_are_backfilled_oldest_first(db, issued_urls):
    tamper(db, "ledger_leaves", "DELETE FROM ledger_leaves")
    tamper(db, "ledger_nodes", "DELETE FROM ledger_nodes")
    assert any("has no leaf" in p for p in audit.audit(db))
    assert audit.backfill(db) == 4 and audit.backfill(db) == 0
    assert [p for p in audit.audit(db) if "trigger" not in p] == []
    assert [log.leaf(db, i)["kind"] for i in range(4)] == [
        "key_created", "supplier_registered", "batch_created", "codes_issued"]


def test_a_dropped_trigger_is_named(logged):
    logged.execute("DROP TRIGGER claims_no_delete")
    assert audit.audit(logged) == ["the append-only trigger claims_no_delete is missing: "
                                   "someone dropped it to edit history"]


def rewind(db, size: int) -> None:
    """Delete the newest leaves, their subtrees and checkpoints: a rewritten tail."""
    tamper(db, "ledger_leaves", "DELETE FROM ledger_leaves WHERE idx >= ?", size)
    tamper(db, "ledger_nodes", "DELETE FROM ledger_nodes WHERE (idx + 1) << level > ?", size)
    tamper(db, "ledger_checkpoints", "DELETE FROM ledger_checkpoints WHERE size > ?", size)


def test_only_a_kept_checkpoint_catches_a_rewritten_tail(app, run_cli, logged, tmp_path):
    kept = checkpoints.latest(logged)
    (tmp_path / "kept.txt").write_text(kept.note)
    tamper(logged, "status_events", "DELETE FROM status_events WHERE action = 'void'")
    tamper(logged, "items", "UPDATE items SET status = 'active', status_reason = NULL")
    rewind(logged, kept.size - 1)
    alone = [p for p in audit.audit(logged) if "trigger" not in p]
    assert alone == []  # the database agrees with itself: only an outside copy can tell
    with_kept = run_cli("ledger", "verify", "--checkpoint", str(tmp_path / "kept.txt"))
    assert with_kept.exit_code == 1
    assert f"the checkpoint you kept of size {kept.size} is longer than the log" in \
        with_kept.output


def test_init_db_backfills_only_a_database_from_before_the_ledger(run_cli, logged):
    tamper(logged, "ledger_leaves", "DELETE FROM ledger_leaves")
    tamper(logged, "ledger_nodes", "DELETE FROM ledger_nodes")
    assert "added to the ledger" not in run_cli("init-db").output
    assert any("has no leaf" in p for p in audit.audit(logged))


def test_one_items_proof_names_only_that_items_problems(logged, issued_urls):
    voided = parse_code(issued_urls[1], BASE_URL).serial
    other = parse_code(issued_urls[0], BASE_URL).serial
    assert audit.subject_problems(logged, GTIN, LOT, other) == []
    assert audit.subject_problems(logged, GTIN, LOT, voided) == []
    tamper(logged, "items", "UPDATE items SET status = 'active', status_reason = NULL")
    assert audit.subject_problems(logged, GTIN, LOT, other) == []
    assert any(voided in p for p in audit.subject_problems(logged, GTIN, LOT, voided))


def test_an_item_moved_to_another_batch_is_found(logged, make_batch, issued_urls):
    make_batch(lot="OTHER-1")
    serial = parse_code(issued_urls[0], BASE_URL).serial
    logged.execute("UPDATE items SET batch_id = (SELECT id FROM batches WHERE lot = 'OTHER-1') "
                   "WHERE serial = ?", [serial])
    named = f"item {serial} was issued in batch {LOT} but now sits in {GTIN}/OTHER-1"
    assert any(named in problem for problem in audit.audit(logged))
    assert any(named in problem for problem in audit.subject_problems(logged, GTIN, LOT))


def pre_ledger_database(path, *, then_migrate_without_the_ledger: bool = False):
    """A database as a version before the ledger (schema 10) left it, with two keys
    made and one retired; optionally migrated on by raw SQL, as versions before
    the upgrade step did, so its events have no leaves."""
    import sqlite3
    from trace.migrations import MIGRATIONS
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                 "applied_at TEXT NOT NULL)")
    for version, statements in MIGRATIONS:
        if version >= audit.LEDGER_SCHEMA and not then_migrate_without_the_ledger:
            break
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, '2026-01-01')", [version])
    for kid, public_key, at in (("OLDKEY01", "b2xk", "2026-01-02T00:00:00+00:00"),
                                ("NEWKEY02", "bmV3", "2026-03-01T00:00:00+00:00")):
        conn.execute("INSERT INTO keys (kid, role, public_key, created_at, not_before) "
                     "VALUES (?, 'issuer', ?, ?, ?)", [kid, public_key, at, at])
    conn.execute("UPDATE keys SET status = 'retired', retired_at = '2026-03-01T00:00:00+00:00', "
                 "not_after = '2026-03-01T00:00:00+00:00' WHERE kid = 'OLDKEY01'")
    conn.close()


def test_any_command_upgrading_a_database_from_before_the_ledger_logs_its_past(tmp_path):
    """Not only init-db: a server or `keys list` opening it first migrates it, and
    the past events must be in the ledger before any new one."""
    from trace.db import open_db
    pre_ledger_database(tmp_path / "old.db")
    db = open_db(tmp_path / "old.db")
    assert [log.leaf(db, i)["kind"] for i in range(log.tree_size(db))] == [
        "key_created", "key_created", "key_retired"]
    assert audit.audit(db) == []
    db.close()


def test_init_db_mends_a_database_upgraded_without_its_past_logged(tmp_path):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo
    from trace import create_app
    from trace.cli import cli
    from trace.db import open_db
    pre_ledger_database(tmp_path / "old.db", then_migrate_without_the_ledger=True)
    db = open_db(tmp_path / "old.db")
    assert log.tree_size(db) == 0 and any("has no leaf" in p for p in audit.audit(db))
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "old.db"),
                      "KEYS_DIR": str(tmp_path / "keys"), "BASE_URL": BASE_URL,
                      "SECRET_KEY": "test-secret"})
    result = CliRunner().invoke(cli, ["init-db"], obj=ScriptInfo(create_app=lambda: app))
    assert "3 earlier event(s) added to the ledger" in result.output
    assert audit.audit(db) == []
    db.close()
