"""Reports a lab's engineer prepared, waiting for an authorised signatory (授权签字人)
to check and sign them, as ISO/IEC 17025 7.8.1 has a lab release its reports::

    draft_id = submit(db, agency_id, fields, prepared_by="eng@lab.cn")
    for draft in waiting(db, agency_id): draft.report_no, draft.prepared_by
    close(db, agency_id, draft_id, "signed", by="qm@lab.cn")      # or "returned", note

``fields`` are the report form's, as the engineer left them (the PDF by the SHA-256
of the one held for the lab): a signatory opens the draft as the same check page.
Nothing here is signed or public.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from ..db import utc_now
from ..errors import Conflict, InvalidInput, NotFound
from ..catalog import clean_text

OUTCOMES = ("signed", "returned", "replaced", "withdrawn")


@dataclass(frozen=True)
class Draft:
    id: int
    report_no: str
    fields: dict = field(repr=False)
    prepared_by: str = ""
    at: str = ""
    closed_at: str | None = None
    closed_by: str | None = None
    outcome: str | None = None
    note: str | None = None


_COLUMNS = "id, report_no, fields, prepared_by, at, closed_at, closed_by, outcome, note"


def _read(row) -> Draft:
    return Draft(row[0], row[1], json.loads(row[2]), *row[3:])


def submit(db: sqlite_utils.Database, agency_id: int, fields: dict, *,
           prepared_by: str) -> int:
    """Hand the report over for signing; one waiting for the same number gives way."""
    report_no = (fields.get("report_no") or "").strip()
    with db.atomic():
        db.execute("UPDATE report_drafts SET closed_at = ?, closed_by = ?, outcome = 'replaced' "
                   "WHERE agency_id = ? AND report_no = ? AND closed_at IS NULL",
                   [utc_now(), prepared_by, agency_id, report_no])
        cursor = db.execute(
            "INSERT INTO report_drafts (agency_id, report_no, fields, prepared_by, at) "
            "VALUES (?, ?, ?, ?, ?)",
            [agency_id, report_no, json.dumps(fields, ensure_ascii=False), prepared_by,
             utc_now()])
    return cursor.lastrowid or 0


def waiting(db: sqlite_utils.Database, agency_id: int) -> list[Draft]:
    """The lab's drafts waiting to be signed, oldest first."""
    return [_read(row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM report_drafts WHERE agency_id = ? AND closed_at IS NULL "
        "ORDER BY id", [agency_id])]


def sent_back(db: sqlite_utils.Database, agency_id: int, prepared_by: str,
              limit: int = 10) -> list[Draft]:
    """The preparer's drafts a signatory returned, newest first, with why; not once
    the report was handed over again (whatever became of it since)."""
    return [_read(row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM report_drafts d WHERE agency_id = ? AND prepared_by = ? AND "
        "outcome = 'returned' AND NOT EXISTS (SELECT 1 FROM report_drafts later WHERE "
        "later.agency_id = d.agency_id AND later.report_no = d.report_no AND later.id > d.id) "
        "ORDER BY id DESC LIMIT ?", [agency_id, prepared_by, limit])]


def find(db: sqlite_utils.Database, agency_id: int, draft_id: int) -> Draft:
    """One of the lab's drafts, waiting or closed; another lab's is not found."""
    row = db.execute(f"SELECT {_COLUMNS} FROM report_drafts WHERE id = ? AND agency_id = ?",
                     [draft_id, agency_id]).fetchone()
    if row is None:
        raise NotFound(f"no draft {draft_id}", message_zh="未找到这份待签发的报告")
    return _read(row)


def get(db: sqlite_utils.Database, agency_id: int, draft_id: int) -> Draft:
    """One of the lab's drafts waiting to be signed; one closed says how it ended."""
    draft = find(db, agency_id, draft_id)
    if draft.closed_at:
        said = {"signed": "已经签发", "returned": "已被退回", "replaced": "已被新提交的一份替代",
                "withdrawn": "已被编制人撤回"}
        raise Conflict(f"draft {draft_id} was {draft.outcome} at {draft.closed_at}",
                       message_zh=f"这份报告{said.get(draft.outcome or '', '已处理')}"
                                  f"（{draft.closed_by}）")
    return draft


def close(db: sqlite_utils.Database, agency_id: int, draft_id: int, outcome: str, *,
          by: str, note: str | None = None) -> Draft:
    """Signed, or returned to its preparer with what to change (a note is needed)."""
    assert outcome in OUTCOMES
    get(db, agency_id, draft_id)
    said = clean_text(note, "note", what_zh="退回原因", limit=500, multiline=True)
    if outcome == "returned" and not said:
        raise InvalidInput("say what to change: the engineer reads it",
                           message_zh="请写明退回原因：编制人会看到", field="note")
    db.execute("UPDATE report_drafts SET closed_at = ?, closed_by = ?, outcome = ?, note = ? "
               "WHERE id = ? AND closed_at IS NULL", [utc_now(), by, outcome, said, draft_id])
    return find(db, agency_id, draft_id)


# The PDFs drafts still wait on, as SQL: kept past the day a PDF is held.
WAITING_PDFS = ("SELECT json_extract(fields, '$.pending_pdf') FROM report_drafts "
                "WHERE closed_at IS NULL AND json_extract(fields, '$.pending_pdf') IS NOT NULL")
