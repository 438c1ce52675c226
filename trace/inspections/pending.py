"""A report's PDF held between the lab's form and its signing: the form shows the
report as buyers will read it, to be checked before it is signed for good, and
the PDF chosen once stays chosen through the check and any edit::

    sha256 = keep(db, agency_id, pdf, "ZJSP-0417.pdf")
    pdf, name = held(db, agency_id, sha256)   # the lab's own, or InvalidInput
    let_go(db, agency_id, sha256)             # once signed

Nothing here is public or signed; a PDF left unsigned goes after a day, unless a
draft waiting for a signatory names it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import sqlite_utils

from ..db import utc_now
from ..errors import InvalidInput
from . import drafts

KEPT_FOR = timedelta(days=1)


def keep(db: sqlite_utils.Database, agency_id: int, pdf: bytes, name: str) -> str:
    """Hold the lab's PDF (and let go of those left a day); its SHA-256."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    since = (datetime.now(timezone.utc) - KEPT_FOR).isoformat(timespec="microseconds")
    with db.atomic():
        db.execute("DELETE FROM pending_report_pdfs WHERE at < ? AND sha256 NOT IN "
                   f"({drafts.WAITING_PDFS})", [since])  # a draft waits on its own
        db.execute("INSERT OR REPLACE INTO pending_report_pdfs (agency_id, sha256, name, data, "
                   "at) VALUES (?, ?, ?, ?, ?)",
                   [agency_id, sha256, name[:200] or "report.pdf", pdf, utc_now()])
    return sha256


def held(db: sqlite_utils.Database, agency_id: int, sha256: str) -> tuple[bytes, str]:
    """The lab's held PDF and its file name; another lab's reads as a gone one."""
    row = db.execute("SELECT data, name FROM pending_report_pdfs WHERE agency_id = ? AND "
                     "sha256 = ?", [agency_id, sha256]).fetchone()
    if row is None:
        raise InvalidInput(
            f"the PDF chosen earlier ({sha256[:12]}…) is no longer held; choose the report's "
            "PDF again", message_zh="之前选择的 PDF 已经失效（超过一天未签发），请重新选择报告原件",
            field="pdf")
    return row[0], row[1]


def let_go(db: sqlite_utils.Database, agency_id: int, sha256: str) -> None:
    db.execute("DELETE FROM pending_report_pdfs WHERE agency_id = ? AND sha256 = ?",
               [agency_id, sha256])
