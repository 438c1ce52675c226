"""Long work started from a page (issuing codes, auditing the ledger), with progress
a page can show.

The work runs beside the request that started it; its progress lives in the
database, so any server worker can answer "how far along?"::

    job = start(db, "issue", owner_id=supplier.id, subject="09521234000013/ZJ-2611-A",
                total=5000)
    advance(db, job.id, 2000)
    finish(db, job.id)
    get_job(db, job.id, owner_id=supplier.id).percent     # 100
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

import sqlite_utils

from . import issuing
from .db import close_thread_connections, connection, open_db, utc_now
from .errors import Conflict, NotFound, TraceError
from .keys import Signer
from .transparency import audit, findings

log = logging.getLogger(__name__)

# A running job that has not moved for this long died with its server worker; the
# work it did was all-or-nothing, so nothing of it was stored.
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    owner_id: int
    subject: str
    total: int
    done: int
    state: str
    message: str | None
    message_zh: str | None
    created_at: str
    updated_at: str

    @property
    def percent(self) -> int:
        return 100 if self.state == "finished" else min(99, self.done * 100 // (self.total or 1))

    def stale(self, now: datetime | None = None) -> bool:
        moved = datetime.fromisoformat(self.updated_at)
        return self.state == "running" and (now or datetime.now(timezone.utc)) - moved > \
            STALE_AFTER


def start(db: sqlite_utils.Database, kind: str, *, owner_id: int, subject: str,
          total: int) -> Job:
    job, _started = start_once(db, kind, owner_id=owner_id, subject=subject, total=total)
    return job


def start_once(db: sqlite_utils.Database, kind: str, *, owner_id: int, subject: str,
               total: int, request_key: str | None = None) -> tuple[Job, bool]:
    """A new job, and True; or, for a ``request_key`` the owner has sent before (a
    form submitted twice), that request's job and False. Two racing submits
    cannot both start one: the key is unique per owner."""
    earlier = started_by(db, owner_id, request_key)
    if earlier:
        return earlier, False
    now = utc_now()
    try:
        cursor = db.execute("INSERT INTO jobs (kind, owner_id, subject, total, created_at, "
                            "updated_at, request_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [kind, owner_id, subject, total, now, now, request_key])
    except sqlite3.IntegrityError:
        won = started_by(db, owner_id, request_key)
        if won is None:
            raise
        return won, False
    return get_job(db, cursor.lastrowid or 0), True


def started_by(db: sqlite_utils.Database, owner_id: int, request_key: str | None) -> Job | None:
    """The job an earlier request with ``request_key`` started, if any."""
    if not request_key:
        return None
    row = db.execute("SELECT id FROM jobs WHERE owner_id = ? AND request_key = ?",
                     [owner_id, request_key]).fetchone()
    return get_job(db, row[0]) if row else None


def running(db: sqlite_utils.Database, kind: str, owner_id: int | None = None) -> Job | None:
    """A job of ``kind`` still at work (anyone's, or ``owner_id``'s), if any."""
    rows = db.execute("SELECT id FROM jobs WHERE kind = ? AND (? IS NULL OR owner_id = ?) "
                      "AND state = 'running' ORDER BY id", [kind, owner_id, owner_id]).fetchall()
    alive = [job for job in (get_job(db, job_id) for (job_id,) in rows) if not job.stale()]
    return alive[0] if alive else None


def refuse_if_running(db: sqlite_utils.Database, kind: str, owner_id: int) -> None:
    """One job of a kind at a time per owner: a second would only compete for the
    same cores and could not finish sooner."""
    if running(db, kind, owner_id):
        raise Conflict("another issue is still running; wait for it to finish",
                       message_zh="另一批码正在发放中，请等它完成后再发")


def advance(db: sqlite_utils.Database, job_id: int, step: int) -> None:
    db.execute("UPDATE jobs SET done = done + ?, updated_at = ? WHERE id = ?",
               [step, utc_now(), job_id])


def finish(db: sqlite_utils.Database, job_id: int) -> None:
    db.execute("UPDATE jobs SET state = 'finished', done = total, updated_at = ? WHERE id = ?",
               [utc_now(), job_id])


def fail(db: sqlite_utils.Database, job_id: int, message: str, message_zh: str) -> None:
    """The job stopped; ``message`` says why in words its owner can act on."""
    db.execute("UPDATE jobs SET state = 'failed', message = ?, message_zh = ?, updated_at = ? "
               "WHERE id = ?", [message, message_zh, utc_now(), job_id])


def get_job(db: sqlite_utils.Database, job_id: int, *, owner_id: int | None = None,
            kind: str | None = None) -> Job:
    """The job; with ``owner_id`` or ``kind``, only that owner's or kind (another is
    'not found': a supplier's id may equal an operator's)."""
    row = db.execute("SELECT id, kind, owner_id, subject, total, done, state, message, "
                     "message_zh, created_at, updated_at FROM jobs WHERE id = ?",
                     [job_id]).fetchone()
    if row is None or (owner_id is not None and row[2] != owner_id) or \
            (kind is not None and row[1] != kind):
        raise NotFound(f"no job {job_id}", message_zh="未找到该任务")
    return Job(*row)


def issue_in_background(db_path: str, job_id: int, signer: Signer, gtin: str, lot: str,
                        count: int, pin_secret: str | None,
                        when_done: Callable[[], None] | None = None) -> threading.Thread:
    """Issue codes in a thread of this process, telling the job of each signed chunk;
    ``when_done`` runs in that thread at the end (the web signs the ledger's
    checkpoint there: no request ends the job).

    One process signs (no fork from a threaded server); issuing stores all the codes
    or none, so a failure leaves nothing half-done, and the job says why.
    """
    def work(db: sqlite_utils.Database) -> None:
        issuing.issue_codes(db, signer, gtin, lot, count, workers=1, pin_secret=pin_secret,
                            progress=lambda step: advance(db, job_id, step))
    return _in_background(db_path, job_id, work, when_done, failed=(
        "issuing stopped because of an error on our side; nothing was issued, try again",
        "发码因服务器错误中断，未发出任何码，请重试"))


def audit_in_background(db_path: str, job_id: int, actor: str) -> threading.Thread:
    """Audit the whole ledger in a thread of this process, telling the job of each
    step of leaves, and keep what it found (``findings.keep``).

    The audit reads on a connection of its own, in one snapshot for its whole run,
    while the job's progress is written on this thread's.
    """
    def work(db: sqlite_utils.Database) -> None:
        reader = open_db(db_path)
        try:
            result = audit.run(reader, progress=lambda step: advance(db, job_id, step))
        finally:
            reader.close()
        findings.keep(db, job_id, result.size, result.checkpoints, result.problems, actor)
    return _in_background(db_path, job_id, work, failed=(
        "the audit stopped because of an error on our side; run it again, or run "
        "python -m trace ledger verify on the server",
        "核对因服务器错误中断，请重试，或在服务器上运行 python -m trace ledger verify"))


def _in_background(db_path: str, job_id: int, work: Callable[[sqlite_utils.Database], None],
                   when_done: Callable[[], None] | None = None, *,
                   failed: tuple[str, str]) -> threading.Thread:
    """Run ``work`` in a thread with its own connection and end the job: finished,
    or failed with the error's words (``failed`` for an error of ours)."""
    def run() -> None:
        db = connection(db_path)
        try:
            work(db)
        except TraceError as error:
            fail(db, job_id, error.message, error.message_zh)
        except Exception:  # noqa: BLE001 - whatever the cause, the page must say it stopped
            log.exception("job %s failed", job_id)
            fail(db, job_id, *failed)
        else:
            finish(db, job_id)
        finally:
            if when_done is not None:
                when_done()
            close_thread_connections()
    thread = threading.Thread(target=run, name=f"job-{job_id}", daemon=True)
    thread.start()
    return thread
