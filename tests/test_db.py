"""Opening, migrating and transactions on a real SQLite file."""

import os
import sqlite3
from pathlib import Path

import pytest

from trace.db import connection, create_db, migrate, open_db, schema_version
from trace.errors import DatabaseUnavailable
from trace.migrations import MIGRATIONS


def test_create_makes_folders_migrates_and_uses_wal(tmp_path):
    db = create_db(tmp_path / "sub" / "t.db")
    assert schema_version(db) == MIGRATIONS[-1][0]
    assert db.journal_mode == "wal"
    tables = {"keys", "suppliers", "products", "batches", "items", "issuances"}
    assert tables <= set(db.table_names())
    assert migrate(db) == []  # idempotent


def test_open_never_creates_a_database(tmp_path):
    message = r"no database at .*typo\.db: check TRACE_DATABASE"
    with pytest.raises(DatabaseUnavailable, match=message):
        open_db(tmp_path / "typo.db")
    assert list(tmp_path.iterdir()) == []


def test_open_names_a_file_that_is_not_a_database(tmp_path):
    (tmp_path / "t.db").write_text("hello" * 1000)
    with pytest.raises(DatabaseUnavailable, match=r"cannot open the database .*t\.db: file is"):
        open_db(tmp_path / "t.db")


def test_atomic_rolls_back_everything(tmp_path):
    db = create_db(tmp_path / "t.db")
    with pytest.raises(sqlite3.IntegrityError):
        with db.atomic():
            for name in ("a", "b"):
                db.execute("INSERT INTO suppliers (name, credit_code, created_at) "
                           "VALUES (?, 'X', 't')", [name])
    assert db.execute("SELECT count(*) FROM suppliers").fetchone()[0] == 0


def test_writes_outside_atomic_commit_at_once(tmp_path):
    db = create_db(tmp_path / "t.db")
    db.execute("INSERT INTO suppliers (name, credit_code, created_at) VALUES ('a', 'X', 't')")
    other = open_db(tmp_path / "t.db")
    assert other.execute("SELECT count(*) FROM suppliers").fetchone()[0] == 1


def test_connection_is_reused_per_thread(tmp_path):
    create_db(tmp_path / "t.db").close()
    assert connection(tmp_path / "t.db") is connection(tmp_path / "t.db")


def test_foreign_keys_are_enforced(tmp_path):
    db = create_db(tmp_path / "t.db")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO products (gtin, supplier_id, name, created_at) "
                   "VALUES ('1', 99, 'p', 't')")


def test_an_empty_file_is_refused_and_left_empty(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(DatabaseUnavailable, match=r"empty\.db is empty, not a Trace database"):
        open_db(tmp_path / "empty.db")
    assert (tmp_path / "empty.db").read_bytes() == b""


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    for opener in (open_db, create_db):
        with pytest.raises(DatabaseUnavailable, match=r"other\.db is an SQLite database of "
                                                      r"something else \(tables: t\)"):
            opener(path)
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["t"]


def test_init_db_may_start_from_an_empty_file(tmp_path):
    (tmp_path / "new.db").write_bytes(b"")
    db = create_db(tmp_path / "new.db")
    assert schema_version(db) == MIGRATIONS[-1][0]
    db.close()
    open_db(tmp_path / "new.db").close()


@pytest.mark.parametrize("message, named", [
    ("attempt to write a readonly database", "read-only"),
    ("database or disk is full", "the disk is full"),
    ("disk I/O error", "failed to read or write"),
    ("database is locked", "stayed locked"),
    ("no such table: x", None)])
def test_a_storage_failure_is_named(message, named):
    import sqlite3
    from trace.db import storage_failure
    problem = storage_failure(sqlite3.OperationalError(message))
    assert (problem is None) if named is None else (named in problem)
    assert storage_failure(ValueError(message)) is None


def test_a_new_database_is_its_owners_alone(tmp_path):
    """Like its backups (0600): SQLite gives the WAL and shared-memory files the
    database file's own mode."""
    db = create_db(tmp_path / "private.db")
    db.execute("CREATE TABLE probe (x)")
    db.execute("INSERT INTO probe VALUES (1)")
    for name in ("private.db", "private.db-wal", "private.db-shm"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    db.close()


def test_a_backup_on_read_only_media_opens_for_reading(app, db, issuer, make_batch, tmp_path):
    """An auditor's `ledger verify` on a backup on read-only media failed with
    'attempt to write a readonly database': opening tried to switch it to WAL and
    migrate it. Mounted read-only in a private mount namespace (root, as in CI)."""
    import shutil
    import subprocess
    import sys
    from trace import backups
    make_batch()
    backups.backup(app.config["DATABASE"], tmp_path / "b.db")
    media = tmp_path / "media"
    media.mkdir()
    script = (f"mount -t tmpfs -o size=16m tmpfs {media} && cp {tmp_path / 'b.db'} {media} && "
              f"mount -o remount,ro {media} && {sys.executable} -m trace ledger verify && "
              f"{sys.executable} -m trace keys list")
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1) to mount read-only media")
    env = dict(os.environ, TRACE_DATABASE=str(media / "b.db"),
               TRACE_KEYS_DIR=app.config["KEYS_DIR"], TRACE_BASE_URL=app.config["BASE_URL"])
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    if "Operation not permitted" in done.stderr and "mount" in done.stderr:
        pytest.skip("mounting needs root in a private namespace")
    assert done.returncode == 0, done.stderr
    assert "Ledger consistent" in done.stdout and "issuer" in done.stdout


def test_a_transaction_that_read_first_still_writes_beside_another_writer(tmp_path):
    """Deferred, the transaction's write failed at once with 'database is locked' when
    another connection had written since its read (two taps on a room's form: one
    was told 数据库正忙 though the other had saved). It takes the lock as it begins."""
    import threading
    import time
    path = tmp_path / "trace.db"
    create_db(path).close()
    first = open_db(path)
    first.execute("CREATE TABLE scratch (x INTEGER)")
    problems: list[Exception] = []

    def other_writer() -> None:
        second = open_db(path)
        try:
            second.execute("INSERT INTO scratch VALUES (2)")
        except Exception as error:  # noqa: BLE001 - any failure is what is tested
            problems.append(error)
        finally:
            second.close()
    with first.atomic():
        first.execute("SELECT count(*) FROM scratch").fetchone()
        writer = threading.Thread(target=other_writer)
        writer.start()
        time.sleep(0.3)  # the other connection writes now, or waits for this one
        first.execute("INSERT INTO scratch VALUES (1)")
    writer.join()
    assert problems == []
    assert sorted(row[0] for row in first.execute("SELECT x FROM scratch")) == [1, 2]
    first.close()
