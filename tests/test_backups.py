"""Online backups while the server takes writes, and restores that refuse what
would not work."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import urllib.request

import pytest

from trace import accounts, backups, keys
from trace.db import open_db
from trace.errors import Conflict, InvalidInput, NotFound
from trace.transparency import audit

from conftest import CREDIT_CODE, GTIN, LOT, STAFF_PASSWORD


@pytest.fixture
def serving(app, db, issuer, make_batch, live_server):
    """The app on a live server, a supplier's API token, a batch and a ledger key."""
    make_batch()
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    accounts.add_user(db, "supplier", "api@pearl.example.cn", org=CREDIT_CODE,
                      password=STAFF_PASSWORD)
    _id, token = accounts.new_token(db, "api@pearl.example.cn")
    return live_server, token


def issue_over_http(base: str, token: str, count: int = 40) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/batches/{GTIN}/{LOT}/issue", method="POST",
        data=json.dumps({"count": count, "over_plan": True}).encode(),  # planned at 100
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Host": "trace.example.cn"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_a_backup_taken_while_the_server_writes_is_whole_and_consistent(
        app, db, serving, tmp_path):
    base, token = serving
    issued, stop = [], threading.Event()

    def keep_writing():
        while not stop.is_set():
            try:
                issued.append(issue_over_http(base, token))
            except OSError as refused:  # an HTTP error too: recorded, never a silent hang
                issued.append(refused)

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 120
        while len(issued) < count:
            assert writer.is_alive() and time.monotonic() < deadline, issued
            time.sleep(0.05)
    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        wait_for(3)  # the server is busy writing
        before = len(issued)
        info = backups.backup(app.config["DATABASE"], tmp_path / "b.db")
        wait_for(before + 3)  # and kept writing after
    finally:
        stop.set()
        writer.join()
    assert set(issued) == {201}
    copy = open_db(tmp_path / "b.db")
    items, topups = copy.execute("SELECT count(*), count(DISTINCT issuance_id) FROM items") \
        .fetchone()
    assert items == 40 * topups == info.items and 3 <= topups < len(issued)  # one moment
    assert [p for p in audit.audit(copy) if "trigger" not in p] == []
    assert backups.check_backup(tmp_path / "b.db", app.config["KEYS_DIR"]).items == items


def test_a_backup_never_overwrites(app, db, serving, tmp_path):
    (tmp_path / "taken.db").write_bytes(b"precious")
    with pytest.raises(Conflict, match="never overwrites"):
        backups.backup(app.config["DATABASE"], tmp_path / "taken.db")
    assert (tmp_path / "taken.db").read_bytes() == b"precious"


def test_restore_puts_a_backup_back_and_keeps_what_it_replaced(
        run_cli, app, db, serving, tmp_path):
    base, token = serving
    issue_over_http(base, token)
    taken = run_cli("backup", str(tmp_path / "b.db"))
    assert taken.exit_code == 0 and "The signing keys are not in it" in taken.output
    issue_over_http(base, token)  # after the backup: the restore takes it away
    assert run_cli("ledger", "checkpoint").exit_code == 0  # published past the backup
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 80
    refused = run_cli("restore", str(tmp_path / "b.db"), "--rewind-ledger", input="n\n")
    assert refused.exit_code == 1 and "nothing restored: answer y" in refused.output
    unasked = run_cli("restore", str(tmp_path / "b.db"), "--rewind-ledger", input="")
    assert unasked.exit_code == 1 and "[y/N]: \nError: nothing restored" in unasked.output
    rewinding = run_cli("restore", str(tmp_path / "b.db"), "--yes")
    assert rewinding.exit_code == 1 and "--rewind-ledger" in rewinding.output
    assert "checks out" not in rewinding.output  # said only once every check passed
    assert "published a signed checkpoint" in rewinding.output and not kept_copies(tmp_path)
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 80
    done = run_cli("restore", str(tmp_path / "b.db"), "--yes", "--rewind-ledger")
    assert done.exit_code == 0 and "checks out" in done.output and "is kept as" in done.output
    assert "tell the auditors" in done.output
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 40
    [kept] = kept_copies(tmp_path)
    assert sqlite3.connect(kept).execute("SELECT count(*) FROM items").fetchone()[0] == 80
    assert issue_over_http(base, token) == 201  # the server goes on with the restored data


def test_a_backup_of_another_history_is_refused_though_it_is_longer(
        run_cli, app, db, issuer, make_batch, tmp_path):
    """A restored backup, written to on its own, then restored over the server that
    published past it: two validly signed checkpoints of one size would differ."""
    import shutil
    from trace import recalls
    make_batch()
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    assert run_cli("backup", str(tmp_path / "b.db")).exit_code == 0
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    assert run_cli("ledger", "checkpoint").exit_code == 0
    published = db.execute("SELECT max(size) FROM ledger_checkpoints").fetchone()[0]
    shutil.copy(tmp_path / "b.db", tmp_path / "fork.db")
    fork = open_db(tmp_path / "fork.db")
    for round_ in range(2):  # another history, longer than what was published
        recalls.recall_batch(fork, GTIN, LOT, f"另一份历史 {round_}", actor="other")
        recalls.unrecall_batch(fork, GTIN, LOT, "复检合格", actor="other")
    assert fork.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0] > published
    fork.close()
    refused = run_cli("restore", str(tmp_path / "fork.db"), "--yes")
    assert refused.exit_code == 1 and "contradicts the signed checkpoint" in refused.output
    assert not kept_copies(tmp_path)
    assert db.execute("SELECT status FROM batches").fetchone()[0] == "recalled"
    forced = run_cli("restore", str(tmp_path / "fork.db"), "--yes", "--rewind-ledger")
    assert forced.exit_code == 0 and "contradicts signed checkpoint" in forced.output


def kept_copies(folder) -> list:
    return [p for p in folder.glob("trace.db.before-restore-*") if not p.name.endswith(
        ("-wal", "-shm"))]


def spoil(path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:8192])
    elif how == "newer":
        sqlite3.connect(path).execute("INSERT INTO schema_migrations VALUES (99, 'x')") \
            .connection.commit()
    elif how == "ledger":
        connection = sqlite3.connect(path)
        connection.execute("DROP TRIGGER status_events_no_update")
        connection.execute("UPDATE status_events SET reason = '改过'")
        connection.commit()


@pytest.mark.parametrize("how, named", [
    ("garbage", "not an SQLite database"), ("truncated", "damaged"),
    ("newer", "schema version 99"), ("ledger", "ledger does not verify")])
def test_a_backup_that_would_not_work_is_refused_and_nothing_changes(
        app, db, serving, tmp_path, how, named):
    from trace import recalls
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    backups.backup(app.config["DATABASE"], tmp_path / "b.db")
    spoil(tmp_path / "b.db", how)
    with pytest.raises(InvalidInput, match=named):
        backups.restore(tmp_path / "b.db", app.config["DATABASE"], app.config["KEYS_DIR"])
    assert db.execute("SELECT status FROM batches").fetchone()[0] == "recalled"
    assert kept_copies(tmp_path) == []


def test_a_backup_whose_keys_are_not_here_is_refused(app, db, serving, tmp_path):
    backups.backup(app.config["DATABASE"], tmp_path / "b.db")
    with pytest.raises(InvalidInput, match="issuer key .* does not open"):
        backups.check_backup(tmp_path / "b.db", tmp_path / "empty-keys")
    with pytest.raises(NotFound, match="no backup"):
        backups.check_backup(tmp_path / "missing.db", app.config["KEYS_DIR"])


def test_a_labs_key_is_checked_unless_the_lab_keeps_it_itself(app, db, serving, tmp_path):
    from pathlib import Path
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    held = keys.create_key(db, app.config["KEYS_DIR"], role="agency:1")
    keys.register_public_key(db, "agency:2", Ed25519PrivateKey.generate().public_key()
                             .public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo))
    backups.backup(app.config["DATABASE"], tmp_path / "b.db")
    backups.check_backup(tmp_path / "b.db", app.config["KEYS_DIR"])  # agency:2's is its own
    Path(app.config["KEYS_DIR"], f"{held.kid}.pem").unlink()
    with pytest.raises(InvalidInput, match=f"agency:1 key {held.kid} does not open"):
        backups.check_backup(tmp_path / "b.db", app.config["KEYS_DIR"])


def test_a_backup_into_a_folder_that_is_not_there_is_refused(app, db, tmp_path):
    """A mistyped folder is named, not quietly made."""
    with pytest.raises(NotFound, match="no folder"):
        backups.backup(app.config["DATABASE"], tmp_path / "bakups" / "b.db")
    assert not (tmp_path / "bakups").exists()
    (tmp_path / "codes.csv").write_text("x")
    with pytest.raises(InvalidInput, match="codes.csv is a file, not a folder"):
        backups.backup(app.config["DATABASE"], tmp_path / "codes.csv" / "b.db")


@pytest.mark.parametrize("source", ["missing.db", "empty.db", "other.db"])
def test_a_backup_of_what_is_not_the_database_names_it_and_leaves_nothing(
        run_cli, app, tmp_path, source):
    """A mistyped TRACE_DATABASE, an empty file, another program's SQLite file."""
    (tmp_path / "empty.db").write_bytes(b"")
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)")
    app.config["DATABASE"] = str(tmp_path / source)
    (tmp_path / "out").mkdir()
    refused = run_cli("backup", str(tmp_path / "out" / "b.db"))
    assert refused.exit_code != 0 and str(tmp_path / source) in refused.output
    assert "no such table" not in refused.output and list((tmp_path / "out").iterdir()) == []


def test_a_backup_says_what_else_to_keep(app, db, issuer, tmp_path):
    """Keys and instance secrets are not in the database; a keys folder that is not
    there is a mistyped TRACE_KEYS_DIR, not a folder to back up."""
    from trace.cli.ops import _also_back_up
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "hash_secret").write_text("s3cret\n")
    config = {"KEYS_DIR": app.config["KEYS_DIR"], "HASH_SECRET": "s3cret", "SECRET_KEY": "env"}
    told = _also_back_up(config, instance)
    assert told[0].startswith(f"The signing keys are not in it: back up {app.config['KEYS_DIR']}")
    assert told[1] == f"Its secrets are not in it either: back up {instance / 'hash_secret'}."
    told = _also_back_up(dict(config, KEYS_DIR=str(tmp_path / "nokeys"), HASH_SECRET="env"),
                         instance)
    assert told == [f"Warning: the keys folder {tmp_path / 'nokeys'} does not exist: check "
                    "TRACE_KEYS_DIR, and back up the folder that holds the signing keys, kept "
                    "apart from the database."]


def test_a_restore_into_a_new_place_is_as_private_as_init_db(app, db, issuer, tmp_path):
    backups.backup(app.config["DATABASE"], tmp_path / "b.db")
    fresh = tmp_path / "fresh" / "trace.db"
    backups.restore(tmp_path / "b.db", fresh, app.config["KEYS_DIR"])
    assert fresh.stat().st_mode & 0o777 == 0o600


def test_restore_reports_the_size_of_what_it_restored(run_cli, app, db, issuer, make_batch,
                                                      tmp_path):
    """Not the size of the bigger file it replaced, which SQLite shrinks later."""
    assert run_cli("backup", str(tmp_path / "small.db")).exit_code == 0
    make_batch()
    assert run_cli("batch", "issue", "--gtin", GTIN, "--lot", LOT, "--count", "30000",
                   "--over-plan").exit_code == 0
    done = run_cli("restore", str(tmp_path / "small.db"), "--yes")
    assert done.exit_code == 0
    said = float(re.search(r"Restored \S+: ([0-9.]+) MB", done.output).group(1))
    assert said == round(backups.describe(tmp_path / "small.db").bytes / 1e6, 1)
    assert said < round(backups.describe(kept_copies(tmp_path)[0]).bytes / 1e6, 1)
