"""What the workspaces list: a lab's reports a page at a time with their states,
and the batches whose lab findings a supplier must act on."""

from __future__ import annotations

import hashlib

import pytest

from trace import catalog
from trace.inspections import lists, store
from trace.inspections import commissions

from conftest import GTIN, LOT
from test_inspections_store import PDF, pdf_of, pearl_report, signed


def stored(app, db, agency, pdf: bytes | None = None, **changes) -> dict:
    """A report stored with its PDF: the first's PDF, or one of its own under another
    number (``pdf`` for a correction's new document)."""
    number = changes.get("report_no", "ZJPQ-2026-0815")
    pdf = pdf or (PDF if number == "ZJPQ-2026-0815" else pdf_of(number))
    record = pearl_report(agency, pdf_sha256=hashlib.sha256(pdf).hexdigest(), **changes)
    store.store_report(db, record, *signed(app, db, agency, record), pdf=pdf)
    return record


def withdraw(app, db, agency, report_no: str) -> None:
    record = store.withdrawal(db, agency.id, report_no, "样品并非取自本批次")
    store.store_report(db, record, *signed(app, db, agency, record))


def test_a_labs_reports_say_which_stand_which_were_corrected_and_which_withdrawn(
        app, db, commissioned):  # noqa: F811
    stored(app, db, commissioned)
    stored(app, db, commissioned, version="2", supersedes="1", reason="更正单位",
           conclusion="所检项目符合 GB/T 18781-2023 要求（更正）")
    stored(app, db, commissioned, report_no="ZJPQ-2026-0900")
    withdraw(app, db, commissioned, "ZJPQ-2026-0900")
    states = [(r["report_no"], r["version"], r["current"], r["withdrawn"], r["withdrawn_by"],
               r["superseded_by"], r["reason"]) for r in lists.reports_by(db, commissioned.id)]
    assert states == [("ZJPQ-2026-0900", "2", True, True, None, None, "样品并非取自本批次"),
                      ("ZJPQ-2026-0900", "1", False, False, "2", "2", None),  # withdrawn
                      ("ZJPQ-2026-0815", "2", True, False, None, None, "更正单位"),
                      ("ZJPQ-2026-0815", "1", False, False, None, "2", None)]  # corrected
    assert [r["version"] for r in lists.reports_by(db, commissioned.id, offset=1, limit=2)] \
        == ["1", "2"]
    assert {r["product"] for r in lists.reports_by(db, commissioned.id)} == {"诸暨淡水珍珠项链"}
    assert lists.count_reports(db, commissioned.id, search="ｚｊｐｑ－２０２６－０９") == 2
    assert lists.count_reports(db, commissioned.id, search="珍珠项链") == 4
    assert lists.count_reports(db, commissioned.id, search="%") == 0  # a wildcard, typed


def test_a_reports_versions_stay_together_newest_report_first(app, db, commissioned):  # noqa: F811
    """A correction of an older report listed it between another report's versions."""
    stored(app, db, commissioned)
    stored(app, db, commissioned, report_no="ZJPQ-2026-0900")
    stored(app, db, commissioned, version="2", supersedes="1", reason="更正单位",
           conclusion="所检项目符合 GB/T 18781-2023 要求（更正）")
    listed = [(r["report_no"], r["version"]) for r in lists.reports_by(db, commissioned.id)]
    assert listed == [("ZJPQ-2026-0815", "2"), ("ZJPQ-2026-0815", "1"),
                      ("ZJPQ-2026-0900", "1")]
    assert [(r["report_no"], r["version"]) for r in lists.reports_by(
        db, commissioned.id, offset=2, limit=5)] == [("ZJPQ-2026-0900", "1")]


@pytest.fixture
def supplier(db):
    return catalog.supplier_of(db, catalog.get_product(db, GTIN))


def test_a_supplier_is_told_of_a_failed_item_and_of_a_withdrawal_left_alone(
        app, db, commissioned, supplier):  # noqa: F811
    stored(app, db, commissioned)
    assert lists.needing_attention(db, supplier.id) == []
    withdraw(app, db, commissioned, "ZJPQ-2026-0815")
    assert [(n["lot"], n["report_nos"], n["state"]) for n in
            lists.needing_attention(db, supplier.id)] == [(LOT, ["ZJPQ-2026-0815"], "withdrawn")]
    stored(app, db, commissioned, report_no="ZJPQ-2026-0816")
    withdraw(app, db, commissioned, "ZJPQ-2026-0816")  # the batch is named once, both reports
    assert [(n["report_nos"], n["state"]) for n in lists.needing_attention(db, supplier.id)] \
        == [(["ZJPQ-2026-0816", "ZJPQ-2026-0815"], "withdrawn")]
    failing = [{"name": "珠层厚度", "result": "0.1", "unit": "mm", "limit": "≥0.3",
                "verdict": "不合格"}]
    stored(app, db, commissioned, report_no="ZJPQ-2026-0901", items=failing)
    # A new report stands beside the withdrawn one, and it fails: that is the news now.
    assert [(n["report_nos"], n["state"]) for n in lists.needing_attention(db, supplier.id)] \
        == [(["ZJPQ-2026-0901"], "failed")]
    db.execute("DROP TRIGGER inspection_reports_no_update")  # a damaged row: read, no error
    db.execute("UPDATE inspection_reports SET record = 'not json' WHERE report_no = ?",
               ["ZJPQ-2026-0901"])
    assert lists.needing_attention(db, supplier.id) == []  # nothing failing can be read


def test_the_operator_sees_what_each_assigned_lab_has_sent_so_far(app, db, lab):  # noqa: F811
    assert lists.assignments(db) == []
    commissions.commission(db, GTIN, LOT, lab.id, actor="ops", kind="assignment")
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")  # the supplier's own: not listed
    states = lambda: [(a["lot"], a["agency"], a["report_no"], a["state"])  # noqa: E731
                      for a in lists.assignments(db)]
    assert states() == [(LOT, lab.name, None, "waiting")]
    stored(app, db, lab)  # the supplier's 委托检验 from the same lab is not the spot check
    assert states() == [(LOT, lab.name, None, "waiting")]
    stored(app, db, lab, report_no="ZJPQ-2026-0816", type="监督抽检")
    assert states() == [(LOT, lab.name, "ZJPQ-2026-0816", "reported")]
    withdraw(app, db, lab, "ZJPQ-2026-0816")
    assert states() == [(LOT, lab.name, "ZJPQ-2026-0816", "withdrawn")]
    failing = [{"name": "珠层厚度", "result": "0.1", "unit": "mm", "limit": "≥0.3",
                "verdict": "不合格"}]
    stored(app, db, lab, report_no="ZJPQ-2026-0901", items=failing, type="神秘抽检")
    assert states() == [(LOT, lab.name, "ZJPQ-2026-0901", "failed")]
    corrected = [dict(failing[0], result="0.35", verdict="合格")]
    stored(app, db, lab, report_no="ZJPQ-2026-0901", version="2", supersedes="1",
           reason="读数录错", items=corrected, type="神秘抽检",
           pdf=b"%PDF-1.4\n% the corrected report\n%%EOF\n")  # clearing a failure: a new PDF
    assert states() == [(LOT, lab.name, "ZJPQ-2026-0901", "reported")]  # the old fails no more
    assert lists.assignments(db)[0]["reported_at"]
