"""What the workspaces list: the batches a lab may sign for, who may sign for a
batch, and a lab's reports a page at a time with a search. Read in SQL, a page
at a time, so a lab with thousands of reports is not parsed row by row::

    lists.reports_by(db, agency_id, search="ZJSP", offset=0, limit=50)
    lists.count_reports(db, agency_id, search="ZJSP")

These are lists to act on, not proofs: pages that show a report to buyers re-check
it (``store.served_reports``).
"""

from __future__ import annotations

import sqlite_utils

from .report import ASSIGNED_TYPES, FAILED
from .store import written_report_no


def batches_for(db: sqlite_utils.Database, agency_id: int) -> list[dict]:
    """The batches an agency may sign for, with why (commission or assignment); not
    those cancelled since (opened by mistake)."""
    return list(db.query(
        "SELECT b.id, b.gtin, b.lot, p.name AS product, p.category, s.name AS supplier, "
        "c.kind, c.at FROM commissions c JOIN batches b ON b.id = c.batch_id "
        "JOIN products p ON p.gtin = b.gtin JOIN suppliers s ON s.id = p.supplier_id "
        "WHERE c.agency_id = ? AND NOT EXISTS (SELECT 1 FROM batch_cancellations x "
        "WHERE x.batch_id = b.id) ORDER BY c.id DESC", [agency_id]))


def batches_commissioned(db: sqlite_utils.Database, batch_id: int, *,
                         kinds: tuple[str, ...] = ("commission", "assignment")) -> list[dict]:
    """Who may sign for a batch: each agency with how (commission or assignment),
    of ``kinds`` only: a supplier is shown its own commissions, never the operator's
    assignments (a 神秘抽检 announced to the supplier is no mystery)."""
    return list(db.query("SELECT a.id, a.name, a.cma_no, a.address, a.phone, c.kind, c.at, "
                         "c.id AS commission_id "
                         "FROM commissions c "
                         "JOIN agencies a ON a.id = c.agency_id WHERE c.batch_id = ? AND "
                         f"c.kind IN ({', '.join('?' * len(kinds))}) ORDER BY c.id",
                         [batch_id, *kinds]))


# Read in SQL, so a list of thousands of reports is not parsed row by row; each
# takes the alias of the inspection_reports row it is about ({0}).
# Whether a stored record is a withdrawal (a damaged record, not JSON, reads as not).
_WITHDRAWAL = ("CASE WHEN json_valid({0}.record) THEN json_extract({0}.record, '$.status') "
               "END = 'withdrawn'")
# Whether a newer version of the agency's report names this one as superseded.
_SUPERSEDED = ("EXISTS (SELECT 1 FROM inspection_reports n WHERE n.agency_id = {0}.agency_id "
               "AND n.report_no = {0}.report_no AND n.supersedes = {0}.version{1})")
# The record, or '{}' for a damaged one, so the JSON functions never see it.
_RECORD_OR_EMPTY = "CASE WHEN json_valid({0}.record) THEN {0}.record ELSE '{{}}' END"
# Whether a record (read as above) fails an item; takes the FAILED verdicts.
_FAILS_AN_ITEM = ("EXISTS (SELECT 1 FROM json_each({0}, '$.items') WHERE "
                  f"json_extract(value, '$.verdict') IN ({', '.join('?' * len(FAILED))}))")


def reports_by(db: sqlite_utils.Database, agency_id: int, *, search: str = "",
               offset: int = 0, limit: int = -1) -> list[dict]:
    """An agency's stored reports, each report's versions together (newest first, the
    report with the newest version first), each with whether it is current,
    whether it withdraws its report, the version that superseded it if one did
    (``superseded_by``; ``withdrawn_by`` too when that version is a withdrawal),
    the ``reason`` a correction or withdrawal gave, the date it was ``issued_on`` and
    who ``uploaded_by`` (None before schema 36);
    ``search`` keeps those whose report number or lot holds it."""
    where, args = _report_search(search)
    return [dict(row, current=not row.pop("superseded"), withdrawn=bool(row["withdrawn"]))
            for row in db.query(
        "SELECT r.report_no, r.version, r.supersedes, r.created_at, r.uploaded_by, "
        "r.prepared_by, b.gtin, "
        "b.lot, p.name AS product, "
        f"{_WITHDRAWAL.format('r')} AS withdrawn, {_SUPERSEDED.format('r', '')} AS superseded, "
        # the version of the withdrawal that superseded this one, if one did
        "(SELECT n.version FROM inspection_reports n WHERE n.agency_id = r.agency_id "
        "AND n.report_no = r.report_no AND n.supersedes = r.version AND "
        f"{_WITHDRAWAL.format('n')}) AS withdrawn_by, "
        "(SELECT n.version FROM inspection_reports n WHERE n.agency_id = r.agency_id "
        "AND n.report_no = r.report_no AND n.supersedes = r.version) AS superseded_by, "
        f"json_extract({_RECORD_OR_EMPTY.format('r')}, '$.reason') AS reason, "
        f"json_extract({_RECORD_OR_EMPTY.format('r')}, '$.issued_on') AS issued_on "
        f"FROM {_REPORTS_OF_BATCHES} WHERE r.agency_id = ?{where} "
        # A report's versions together, under the report last signed for.
        "ORDER BY (SELECT max(m.id) FROM inspection_reports m WHERE m.agency_id = r.agency_id "
        "AND m.report_no = r.report_no) DESC, r.id DESC LIMIT ? OFFSET ?",
        [agency_id, *args, limit, offset])]


def count_reports(db: sqlite_utils.Database, agency_id: int, *, search: str = "") -> int:
    where, args = _report_search(search)
    return db.execute(f"SELECT count(*) FROM {_REPORTS_OF_BATCHES} WHERE r.agency_id = ?"
                      f"{where}", [agency_id, *args]).fetchone()[0]


_REPORTS_OF_BATCHES = ("inspection_reports r JOIN batches b ON b.id = r.batch_id "
                       "JOIN products p ON p.gtin = b.gtin")


def _report_search(search: str) -> tuple[str, list[str]]:
    """The SQL condition for a typed search: part of a report number, a lot or a
    product's name, in any case, full-width as a Chinese keyboard types it or not."""
    typed = written_report_no(search)
    if not typed:
        return "", []
    pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return (" AND (r.report_no LIKE ? ESCAPE '\\' OR b.lot LIKE ? ESCAPE '\\' OR p.name LIKE ? "
            "ESCAPE '\\')", [pattern] * 3)


def assignments(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    """The operator's latest assignments (监督抽检, 神秘抽检), newest first, each with
    what its lab has sent for it so far, its reports of those types only (a report
    the supplier commissioned from the same lab is not the spot check):
    ``report_no`` and ``reported_at`` of the newest current one (None before any),
    ``state`` "waiting", "failed" (a current report fails an item), "withdrawn" (its
    reports withdrawn, none standing) or "reported"."""
    return list(db.query(
        "WITH a AS (SELECT id, batch_id, agency_id, at FROM commissions "
        "WHERE kind = 'assignment' ORDER BY id DESC LIMIT ?), "
        "cur AS (SELECT r.id, r.batch_id, r.agency_id, r.report_no, r.created_at, "
        f"{_RECORD_OR_EMPTY.format('r')} AS record, "
        f"coalesce({_WITHDRAWAL.format('r')}, 0) AS withdrawn "
        "FROM a JOIN inspection_reports r ON r.batch_id = a.batch_id AND "
        f"r.agency_id = a.agency_id WHERE NOT {_SUPERSEDED.format('r', '')} AND "
        f"json_extract({_RECORD_OR_EMPTY.format('r')}, '$.type') "
        f"IN ({', '.join('?' * len(ASSIGNED_TYPES))})), "
        "mine AS (SELECT a.id AS assignment, cur.* FROM a JOIN cur ON "
        "cur.batch_id = a.batch_id AND cur.agency_id = a.agency_id) "
        "SELECT a.id, a.at, b.gtin, b.lot, p.name AS product, s.name AS supplier, "
        "g.name AS agency, "
        "(SELECT report_no FROM mine WHERE assignment = a.id ORDER BY id DESC LIMIT 1) "
        "AS report_no, "
        "(SELECT created_at FROM mine WHERE assignment = a.id ORDER BY id DESC LIMIT 1) "
        "AS reported_at, "
        "CASE WHEN NOT EXISTS (SELECT 1 FROM mine WHERE assignment = a.id) THEN 'waiting' "
        "WHEN EXISTS (SELECT 1 FROM mine WHERE assignment = a.id AND "
        f"{_FAILS_AN_ITEM.format('mine.record')}) THEN 'failed' "
        "WHEN NOT EXISTS (SELECT 1 FROM mine WHERE assignment = a.id AND NOT withdrawn) "
        "THEN 'withdrawn' ELSE 'reported' END AS state "
        "FROM a JOIN batches b ON b.id = a.batch_id JOIN products p ON p.gtin = b.gtin "
        "JOIN suppliers s ON s.id = p.supplier_id JOIN agencies g ON g.id = a.agency_id "
        "ORDER BY a.id DESC", [limit, *ASSIGNED_TYPES, *FAILED]))


def needing_attention(db: sqlite_utils.Database, supplier_id: int) -> list[dict]:
    """A supplier's batches (not recalled) on which a lab's latest word calls for
    action, once each, newest first: ``failed`` when a current report fails an item,
    else ``withdrawn`` when its reports were withdrawn with none left beside them;
    ``report_nos`` the reports concerned, newest first."""
    batches: dict[tuple[str, str], dict] = {}
    for row in _attention_rows(db, supplier_id):
        batch = batches.setdefault((row["gtin"], row["lot"]), dict(
            gtin=row["gtin"], lot=row["lot"], product=row["product"], state=row["state"],
            report_nos=[]))
        if row["state"] == batch["state"]:
            batch["report_nos"].append(row["report_no"])
        elif row["state"] == "failed":  # a failed item outweighs a withdrawal
            batch.update(state="failed", report_nos=[row["report_no"]])
    return list(batches.values())


def _attention_rows(db: sqlite_utils.Database, supplier_id: int) -> list[dict]:
    return list(db.query(
        # The current versions of the supplier's own open batches' reports, a damaged
        # record read as '{}' so the JSON functions never see it. CROSS JOIN keeps
        # SQLite's order: the supplier's products, their batches, then each batch's
        # reports by its index, never a scan of every lab's reports.
        "WITH cur AS (SELECT r.id, r.batch_id, r.report_no, b.gtin, b.lot, p.name AS product, "
        f"{_RECORD_OR_EMPTY.format('r')} AS record "
        "FROM products p CROSS JOIN batches b ON b.gtin = p.gtin "
        "CROSS JOIN inspection_reports r ON r.batch_id = b.id "
        f"WHERE p.supplier_id = ? AND b.status != 'recalled' AND NOT "
        f"{_SUPERSEDED.format('r', '')}) "
        "SELECT gtin, lot, product, report_no, CASE WHEN json_extract(record, '$.status') = "
        "'withdrawn' THEN 'withdrawn' ELSE 'failed' END AS state FROM cur c "
        "WHERE (json_extract(record, '$.status') = 'withdrawn' AND NOT EXISTS (SELECT 1 FROM "
        "cur o WHERE o.batch_id = c.batch_id AND coalesce(json_extract(o.record, '$.status'), "
        f"'') != 'withdrawn')) OR {_FAILS_AN_ITEM.format('c.record')} "
        "ORDER BY id DESC", [supplier_id, *FAILED]))
