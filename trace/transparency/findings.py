"""What an audit of the ledger found, in a form every reader can be told, and the
audits an operator ran from the web, as kept::

    problem = Problem("batch 0952…/ZJ-2611-A: status 'open' …", "batch_status",
                      gtin="09521234000013", lot="ZJ-2611-A", actual="open", ...)
    problem == "batch 0952…"           # the line the CLI prints: a str
    problem.code, problem.params         # what a page says in the reader's language
    keep(db, job_id, size, checkpoints, problems, actor)
    kept(db)                             # [AuditRecord(size=, problems=[Problem], ...)]
    sighted(db, batch_id, problems)      # a buyer's page found the batch changed
    sightings(db)                        # [Sighting(gtin=, lot=, first_seen=, ...)]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from ..db import unless_storage_fails, utc_now


class Problem(str):
    """One thing that does not hold. Its text is the technical line the command line
    prints; ``code`` and ``params`` let a page say it in words (trace/web)."""
    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str, **params: Any) -> Problem:
        made = super().__new__(cls, text)
        made.code, made.params = code, params
        return made

    def to_json(self) -> dict:
        return {"text": str(self), "code": self.code, "params": self.params}

    @classmethod
    def from_json(cls, stored: dict) -> Problem:
        return cls(stored["text"], stored["code"], **stored["params"])


@dataclass(frozen=True)
class AuditRecord:
    """An audit the operator ran from the web, as kept."""
    job_id: int
    size: int          # leaves re-derived
    checkpoints: int   # signed checkpoints verified
    problems: list[Problem]
    actor: str
    at: str


def keep(db: sqlite_utils.Database, job_id: int, size: int, checkpoints: int,
         problems: list[Problem], actor: str) -> None:
    """Keep what an audit found, for its page and for the next operator."""
    found = json.dumps([problem.to_json() for problem in problems], ensure_ascii=False)
    db.execute("INSERT INTO ledger_audits (job_id, size, checkpoints, problems, actor, at) "
               "VALUES (?, ?, ?, ?, ?, ?)", [job_id, size, checkpoints, found, actor, utc_now()])


def kept(db: sqlite_utils.Database, job_id: int | None = None,
         limit: int = 1) -> list[AuditRecord]:
    """The latest audits kept (newest first), or the one of ``job_id``."""
    rows = db.execute("SELECT job_id, size, checkpoints, problems, actor, at FROM "
                      "ledger_audits WHERE ? IS NULL OR job_id = ? ORDER BY job_id DESC "
                      "LIMIT ?", [job_id, job_id, limit]).fetchall()
    return [AuditRecord(job, size, signed, [Problem.from_json(p) for p in json.loads(found)],
                        actor, at) for job, size, signed, found, actor, at in rows]


@dataclass(frozen=True)
class Sighting:
    """A batch whose records a buyer's page found changed around the ledger."""
    batch_id: int
    gtin: str
    lot: str
    product: str
    first_seen: str
    last_seen: str
    problems: list[Problem]


def sighted(db: sqlite_utils.Database, batch_id: int, problems: tuple[Problem, ...]) -> None:
    """Note that buyers of the batch are being told its records were changed: once a
    facts read (a minute), never in the way of the page that found it."""
    found = json.dumps([problem.to_json() for problem in problems], ensure_ascii=False)
    now = utc_now()
    with unless_storage_fails(db, "a sighting of changed records"):
        db.execute("INSERT INTO altered_sightings (batch_id, first_seen, last_seen, problems) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT(batch_id) DO UPDATE SET "
                   "last_seen = excluded.last_seen, problems = excluded.problems",
                   [batch_id, now, now, found])


def sightings(db: sqlite_utils.Database) -> list[Sighting]:
    """Every batch a buyer's page found changed, latest first."""
    rows = db.execute("SELECT s.batch_id, b.gtin, b.lot, p.name, s.first_seen, s.last_seen, "
                      "s.problems FROM altered_sightings s JOIN batches b ON b.id = s.batch_id "
                      "JOIN products p ON p.gtin = b.gtin ORDER BY s.last_seen DESC").fetchall()
    return [Sighting(batch_id, gtin, lot, product, first_seen, last_seen,
                     [Problem.from_json(p) for p in json.loads(found)])
            for batch_id, gtin, lot, product, first_seen, last_seen, found in rows]
