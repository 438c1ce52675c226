"""SQLite through sqlite-utils: opening, migrations, one connection per worker.

The connection runs in autocommit mode (``isolation_level=None``), so a write
outside ``with db.atomic():`` commits by itself and a write inside one commits or
rolls back with the block::

    create_db("instance/trace.db")         # only init-db creates a database
    db = open_db("instance/trace.db")      # refuses a missing file, migrates
    with db.atomic():
        db.execute("INSERT INTO ...", [...])
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import NoReturn
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from .errors import DatabaseUnavailable
from .migrations import MIGRATIONS

_local = threading.local()
# Work a migration needs beyond SQL, done in its transaction once the schema is
# current, by the module that owns it (the ledger's leaves for events from before
# it): this module imports nothing above it, so such modules register here.
UpgradeStep = Callable[[sqlite_utils.Database, list[int]], None]
_UPGRADE_STEPS: list[UpgradeStep] = []


def on_upgrade(step: UpgradeStep) -> UpgradeStep:
    """Register ``step(db, versions_applied)``, run by every migration that applied
    something, inside its transaction."""
    _UPGRADE_STEPS.append(step)
    return step


def utc_now() -> str:
    """The one timestamp format stored everywhere: ISO 8601 UTC, microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def create_db(path: str | Path) -> sqlite_utils.Database:
    """Create (folders included) and migrate the database at ``path``: init-db only.

    An existing Trace database is migrated; an SQLite file of something else is
    left alone, so init-db never spreads our tables into another program's data.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(f"cannot create the folder for the database {path}: "
                                  f"{error.strerror}") from None
    if not path.exists():  # it holds every PIN hash and scan: as private as a backup
        path.touch(mode=0o600)
    return _connect(path, new_ok=True)


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose transactions take the write lock as they begin
    (BEGIN IMMEDIATE, waiting up to busy_timeout). A deferred transaction that read
    first cannot write once another connection has committed since: SQLite answers
    SQLITE_BUSY at once, without waiting. Two taps on one form each got a record
    check and an insert, and one tap was told 数据库正忙 though the other had saved."""

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:  # nested: sqlite-utils' savepoint
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()  # a no-op if the error already ended the transaction
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open the existing Trace database at ``path`` (migrating it); never create one.

    A mistyped TRACE_DATABASE, an empty file or another program's SQLite file
    must not become an empty Trace database in which every genuine code looks
    forged: each is refused with the path named.
    """
    path = Path(path)
    if not path.is_file():
        raise DatabaseUnavailable(
            f"no database at {path}: check TRACE_DATABASE, or create it with "
            "'python -m trace init-db'")
    return _connect(path, new_ok=False)


def _connect(path: Path, new_ok: bool) -> sqlite_utils.Database:
    if _read_only_file(path):
        return _connect_read_only(path)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        db = Database(conn)
        db.path = str(path)  # type: ignore[attr-defined]  # whose failures /healthz says
        _require_trace_schema(db, path, new_ok)
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except sqlite3.DatabaseError as error:
        raise DatabaseUnavailable(f"cannot open the database {path}: {error}") from None
    return db


def _read_only_file(path: Path) -> bool:
    """A file this process may not write (a backup on read-only media, say), not in
    WAL mode (whose readers need to write its -shm)."""
    if not path.is_file() or os.access(path, os.W_OK):
        return False
    with path.open("rb") as handle:
        header = handle.read(20)
    return len(header) == 20 and header[18:20] != b"\x02\x02"  # bytes 18-19: 2 is WAL


def _connect_read_only(path: Path) -> sqlite_utils.Database:
    """Read-only commands (verify, keys list, ledger verify) on a file we may not
    write: opened as it is, never migrated; writes fail as on a read-only disk."""
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True,
                               isolation_level=None, timeout=10)
        db = Database(conn)
        _require_trace_schema(db, path, new_ok=False)
        have, newest = schema_version(db), MIGRATIONS[-1][0]
    except sqlite3.DatabaseError as error:
        raise DatabaseUnavailable(f"cannot open the database {path}: {error}") from None
    if have != newest:
        db.close()
        raise DatabaseUnavailable(
            f"{path} is read-only and has schema version {have}, not {newest}: copy it "
            "somewhere writable, so it can be migrated, and open the copy")
    return db


def _require_trace_schema(db: sqlite_utils.Database, path: Path, new_ok: bool) -> None:
    tables = db.table_names()
    if "schema_migrations" in tables:
        return
    if tables:
        db.close()
        raise DatabaseUnavailable(
            f"{path} is an SQLite database of something else (tables: "
            f"{', '.join(sorted(tables)[:5])}), not a Trace database: check TRACE_DATABASE")
    if not new_ok:
        db.close()
        raise DatabaseUnavailable(
            f"{path} is empty, not a Trace database: check TRACE_DATABASE, or create "
            "the database with 'python -m trace init-db'")


def check_writable(db: sqlite_utils.Database, path: str | Path) -> None:
    """Take and release the write lock, so a read-only database is found at start."""
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE IF NOT EXISTS write_check (x)")
        db.execute("ROLLBACK")
    except sqlite3.DatabaseError as error:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise DatabaseUnavailable(f"cannot write to the database {path}: {error}") from None


# Words of SQLite's error, and what they say of the storage.
_STORAGE_WORDS = (("readonly", "the database is read-only"), ("disk is full", "the disk is full"),
                  ("i/o error", "the disk failed to read or write"),
                  ("locked", "the database stayed locked by another writer"))
# Failures of the storage itself, not of a busy moment: /healthz says them.
STORAGE_PROBLEMS = frozenset(problem for words, problem in _STORAGE_WORDS if words != "locked")


def storage_failure(error: BaseException) -> str | None:
    """What is wrong with the storage if ``error`` says the database cannot take a
    write now (read-only, disk full, I/O error, locked past the timeout)."""
    if not isinstance(error, sqlite3.OperationalError):
        return None
    text = str(error).lower()
    return next((problem for words, problem in _STORAGE_WORDS if words in text), None)


@contextmanager
def unless_storage_fails(db: sqlite_utils.Database, what: str) -> Iterator[None]:
    """Run a write on ``db`` that is worth less than the answer it goes with (a scan,
    a throttle count): storage that cannot take it logs what was lost, one line, and
    the answer goes on. Any other error is raised."""
    try:
        yield
    except sqlite3.OperationalError as error:
        problem = storage_failure(error)
        if problem is None:
            raise
        logging.getLogger("trace").error("%s not recorded: %s", what, problem)
        if problem in STORAGE_PROBLEMS:
            note_storage_failure(getattr(db, "path", ""), problem)
    else:
        _failing.pop(getattr(db, "path", ""), None)


# The last write the storage refused, by database, until one goes through again. A
# lock taken and released (check_writable) passes while a WAL the disk refuses fails
# every real write, so /healthz also says what the writes themselves met.
_failing: dict[str, tuple[str, float]] = {}
FAILURE_REMEMBERED_S = 60.0


def note_storage_failure(path: str | Path, problem: str) -> None:
    """A write to the database at ``path`` refused: said by /healthz for a while, and
    this thread's connections reopened once its request ends."""
    _failing[str(Path(path))] = (problem, time.monotonic())
    reopen_later()


def recent_storage_failure(path: str | Path) -> str | None:
    """The storage failure a write to ``path`` met in the last minute, if none has gone
    through since."""
    problem, at = _failing.get(str(Path(path)), ("", 0.0))
    return problem if problem and time.monotonic() - at < FAILURE_REMEMBERED_S else None


def reopen_later() -> None:
    """This thread's connections are closed when its request ends. SQLite opens a
    file it may not write read-only, without a word, and such a connection refused
    writes long after the disk took them again (a trial's worker stayed read-only
    until it was restarted)."""
    _local.reopen = True


def reopen_if_failed() -> None:
    """Close this thread's connections if a write on them was refused, so the next
    request opens them afresh (read-write, if the storage takes writes again)."""
    if getattr(_local, "reopen", False):
        _local.reopen = False
        close_thread_connections()


@contextmanager
def one_snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """Every read inside as of the first one. The server goes on writing meanwhile,
    and reads that compare two tables (a ledger leaf and its event row) would take
    a write landing between them for tampering: a false alarm."""
    if db.conn.in_transaction:  # already inside one transaction: one snapshot
        yield
        return
    db.execute("BEGIN")  # deferred: WAL keeps the first read's snapshot, blocks no writer
    try:
        yield
    finally:
        db.execute("ROLLBACK")  # it only read


def schema_version(db: sqlite_utils.Database) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply every migration newer than the database; return the versions applied."""
    applied = []
    with db.atomic():
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                   "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        current = schema_version(db)
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?)", [version, utc_now()])
            applied.append(version)
        if applied:
            for step in _UPGRADE_STEPS:
                step(db, applied)
    return applied


def connection(path: str | Path) -> sqlite_utils.Database:
    """This thread's connection to ``path``, opened once and reused.

    Opening a connection per request costs 3-5x throughput (DESIGN §12).
    """
    cache = getattr(_local, "connections", None)
    if cache is None:
        cache = _local.connections = {}
    key = str(path)
    if key not in cache:
        cache[key] = open_db(path)
    return cache[key]


def close_thread_connections() -> None:
    for db in getattr(_local, "connections", {}).values():
        db.close()
    _local.connections = {}


def check_ready(path: str | Path) -> None:
    """Raise ``DatabaseUnavailable`` unless ``path`` opens, migrates and takes writes."""
    db = open_db(path)
    try:
        check_writable(db, path)
    finally:
        db.close()


# gunicorn respawns a worker that exits with any other status, forever; 3 is its
# "worker failed to boot", on which the master stops.
GUNICORN_BOOT_ERROR = 3


def init_app(app) -> None:
    """Refuse to start without a usable database."""
    try:
        check_ready(app.config["DATABASE"])
    except DatabaseUnavailable as error:
        refuse_to_start(error.message)


def refuse_to_start(why: str) -> NoReturn:
    """One log line, exit status 1 (3 inside gunicorn, so it stops instead of
    starting worker after worker)."""
    logging.getLogger("trace").critical("Trace cannot start: %s", why)
    raise SystemExit(GUNICORN_BOOT_ERROR if "gunicorn.arbiter" in sys.modules else 1)
