"""Online backups with SQLite's backup API, and restores that check a backup first::

    info = backup("instance/trace.db", "/backups/trace-2026-11-27.db")   # while serving
    check_backup("/backups/trace-2026-11-27.db", "keys/")                  # raises if unusable
    restore("/backups/trace-2026-11-27.db", "instance/trace.db", "keys/")

The backup copies the whole file in one step inside one read transaction: in WAL
mode a reader never blocks writers, so the server keeps serving, and the copy is
one consistent moment (a backup taken in small steps restarts whenever another
connection writes, and under steady scans might never finish). A restore goes
through the same API into the live file (a running server sees the restored data
at its next read) after keeping the current database beside it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from . import keys, snapshots
from .db import open_db
from .errors import Conflict, InvalidInput, KeyProblem, NotFound
from .migrations import MIGRATIONS
from .transparency import audit, log


@dataclass(frozen=True)
class BackupInfo:
    path: str
    bytes: int
    schema: int
    items: int
    leaves: int


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # all pages in one step: one consistent read
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        target.close()


def backup(database: str | Path, target: str | Path) -> BackupInfo:
    """Copy the live ``database`` to ``target`` (a new file)."""
    target = Path(target)
    if target.exists():
        raise Conflict(f"{target} exists already; give a new file name, a backup never "
                       "overwrites one", message_zh=f"{target} 已存在；备份不会覆盖已有文件")
    if target.parent.exists() and not target.parent.is_dir():
        raise InvalidInput(f"{target.parent} is a file, not a folder: check the path",
                           message_zh=f"{target.parent} 是文件，不是文件夹：请检查路径")
    if not target.parent.is_dir():  # a mistyped folder is not made: it would hide the typo
        raise NotFound(f"there is no folder {target.parent}; create it first, or check the "
                       "path", message_zh=f"没有文件夹 {target.parent}：请先创建，或检查路径")
    # A mistyped path, an empty file or another program's database is refused
    # before anything is written, with the path named (not "no such table").
    open_db(database).conn.close()
    partial = target.with_name(f".{target.name}.partial")
    partial.touch(mode=0o600)  # it holds everything: as private as the database
    source = _read_only(Path(database))
    try:
        _copy(source, partial)
        os.replace(partial, target)  # never a half-written backup under the real name
    finally:
        source.close()
        partial.unlink(missing_ok=True)  # a failed copy (disk full) leaves nothing
    return describe(target)


def describe(path: str | Path) -> BackupInfo:
    connection = _read_only(Path(path))
    try:
        count = lambda table: connection.execute(  # noqa: E731
            f"SELECT count(*) FROM {table}").fetchone()[0]
        version = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        # The database's own size, not its file's: a restore into a bigger file
        # leaves the file long until SQLite gives the pages back.
        pages, page_size = (connection.execute(f"PRAGMA {name}").fetchone()[0]
                            for name in ("page_count", "page_size"))
        return BackupInfo(str(path), pages * page_size, version or 0, count("items"),
                          count("ledger_leaves") if version and version >= 11 else 0)
    finally:
        connection.close()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=10)


def check_backup(path: str | Path, keys_dir: str | Path,
                 passphrase: str | None = None) -> BackupInfo:
    """Everything a restore needs of the backup at ``path``, or ``InvalidInput``
    naming what is wrong: a whole SQLite file, a Trace schema this code knows, the
    private keys it signs with present in ``keys_dir``, and a ledger that verifies.
    The backup itself is only read."""
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"no backup at {path}", message_zh=f"找不到备份文件 {path}")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise InvalidInput(f"{path} is not an SQLite database", message_zh="不是数据库备份文件")
    connection = _read_only(path)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        problems = [str(error)]
    finally:
        connection.close()
    if problems != ["ok"]:
        raise InvalidInput(f"{path} is damaged: {'; '.join(problems[:3])}",
                           message_zh="备份文件已损坏")
    try:
        info = describe(path)
    except sqlite3.DatabaseError:
        raise InvalidInput(f"{path} is an SQLite database, but not a Trace one",
                           message_zh="不是本平台的数据库备份") from None
    newest = MIGRATIONS[-1][0]
    if not info.schema or info.schema > newest:
        raise InvalidInput(f"{path} has schema version {info.schema}; this Trace knows 1 to "
                           f"{newest}", message_zh="备份的数据库版本与本程序不符")
    source = _read_only(path)
    # Opening migrates: check a copy, so the backup stays as it was taken (and may
    # sit on read-only media).
    with tempfile.TemporaryDirectory(prefix="trace-restore-check-") as folder:
        scratch = Path(folder) / "check.db"
        try:
            _copy(source, scratch)
        finally:
            source.close()
        _check_keys(scratch, keys_dir, passphrase)
    return info


def _check_keys(path: Path, keys_dir: str | Path, passphrase: str | None) -> None:
    """The backup's active signing keys must open from ``keys_dir`` and match, and
    its ledger must verify."""
    db = open_db(path)
    try:
        for record in keys.list_keys(db):
            if record.status != "active":
                continue
            if record.role.startswith("agency:") and keys.kept_by_owner(keys_dir, record):
                continue  # an agency that signs on its own machine
            try:
                keys.load_signer_by_kid(db, keys_dir, record.kid, passphrase)
            except KeyProblem as error:
                raise InvalidInput(f"the backup's {record.role} key {record.kid} does not open "
                                   f"from {keys_dir}: {error.message}",
                                   message_zh="备份中的签名密钥与密钥目录不符") from None
        problems = [p for p in audit.audit(db) if "trigger" not in p]
        if problems:
            raise InvalidInput(f"the backup's ledger does not verify: {problems[0]}",
                               message_zh="备份中的账本核对不通过")
    finally:
        db.close()


@dataclass(frozen=True)
class Contradiction:
    """How a backup's ledger contradicts a checkpoint this server signed: it is
    shorter (``leaves`` < ``signed``), or ``forked``: its tree at that size has
    another root (a backup of another instance, or of a history since rewritten)."""
    leaves: int
    signed: int
    forked: bool = False


def published_past(backup_path: str | Path, database: str | Path) -> Contradiction | None:
    """Whether restoring the backup would contradict a checkpoint ``database`` has
    signed, which auditors may hold: the next entries would give that size a
    second, different root (a split view, docs/ledger.md)."""
    if not Path(database).exists():
        return None
    current = _read_only(Path(database))
    try:
        # The largest is enough: each checkpoint extends the ones before it.
        latest = current.execute("SELECT size, root FROM ledger_checkpoints WHERE size > 0 "
                                 "ORDER BY size DESC LIMIT 1").fetchone()
    except sqlite3.DatabaseError:  # not a Trace database (yet): nothing was published
        return None
    finally:
        current.close()
    if latest is None:
        return None
    size, root = latest
    leaves = describe(backup_path).leaves
    if size > leaves:
        return Contradiction(leaves, size)
    backup_db = sqlite_utils.Database(_read_only(Path(backup_path)))
    try:
        ours = log.root_at(backup_db, size)
    finally:
        backup_db.close()
    return Contradiction(leaves, size, forked=True) if ours != root else None


def check_rewind(backup_path: str | Path, database: str | Path,
                 rewind_ledger: bool = False) -> Contradiction | None:
    """``published_past``, refused (``Conflict``) unless ``rewind_ledger``."""
    found = published_past(backup_path, database)
    if found is None or rewind_ledger:
        return found
    if found.forked:
        raise Conflict(
            f"the backup's ledger contradicts the signed checkpoint of {found.signed} entries "
            "this server published: its history is not the one auditors hold (a backup of "
            "another instance, or of a history since rewritten); restore with "
            "--rewind-ledger only if this is the history to keep, and tell the auditors "
            "(docs/ledger.md, 'After a restore')",
            message_zh=f"备份中的账本与本服务器已公布的第 {found.signed} 条签名检查点不一致：它记录的"
                       "历史不是审计方保存的那一份（可能是别的实例的备份）。确认要以它为准时，才用 "
                       "--rewind-ledger 恢复，并通知审计方")
    raise Conflict(
        f"the backup's ledger has {found.leaves} entries, but this server has published a "
        f"signed checkpoint of {found.signed}: restoring takes back entries auditors may "
        "hold, and the next entries would contradict their checkpoints; restore with "
        "--rewind-ledger only if nothing newer can be saved, and tell the auditors "
        "(docs/ledger.md, 'After a restore')",
        message_zh=f"备份的账本只有 {found.leaves} 条，而本服务器已公布到第 {found.signed} 条的签名"
                   "检查点：恢复会收回审计方可能已保存的记录。确实无法保留更新的数据时，才用 "
                   "--rewind-ledger 恢复，并通知审计方")


def restore(backup_path: str | Path, database: str | Path, keys_dir: str | Path,
            passphrase: str | None = None, *,
            rewind_ledger: bool = False) -> tuple[BackupInfo, Path | None]:
    """Put the backup at ``backup_path`` back as ``database``, after checking it; the
    database it replaces is kept beside it. Returns what was restored and where the
    replaced database went. A backup older than the last published checkpoint is
    refused unless ``rewind_ledger`` says the operator means it."""
    check_backup(backup_path, keys_dir, passphrase)
    check_rewind(backup_path, database, rewind_ledger)
    kept = None
    if Path(database).exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        kept = Path(database).with_name(f"{Path(database).name}.before-restore-{stamp}")
        backup(database, kept)
    if not Path(database).exists():  # a first restore into a new place: as private as init-db
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        Path(database).touch(mode=0o600)
    source, target = _read_only(Path(backup_path)), sqlite3.connect(database, timeout=30)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    restored = open_db(database)  # migrates a backup from an older version
    try:
        snapshots.renew_epoch(restored)  # running servers must not serve cached facts
    finally:
        restored.close()
    return describe(database), kept
