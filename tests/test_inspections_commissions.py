"""Who may sign for a batch: a supplier's commission or an operator's assignment."""

import pytest

from trace.errors import Conflict, Forbidden, NotFound
from trace.inspections import commissions, store

from conftest import GTIN, LOT
from test_inspections_store import PDF, pearl_report, signed


def test_an_agency_not_commissioned_may_not_sign(app, db, lab):
    record = pearl_report(lab)
    with pytest.raises(Forbidden, match="commissioned"):
        store.store_report(db, record, *signed(app, db, lab, record), pdf=PDF)
    assert not store.served_reports(db, 1)


def test_supervision_sampling_needs_an_operators_assignment(app, db, commissioned):
    record = pearl_report(commissioned, type="监督抽检")
    with pytest.raises(Forbidden, match="assigned"):
        store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    commissions.commission(db, GTIN, LOT, commissioned.id, actor="ops", kind="assignment")
    store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)


def test_a_commission_is_taken_back_until_its_lab_reports(app, db, commissioned):
    """The wrong lab, commissioned by mistake, could sign for the batch for good."""
    [commission_id] = commissions.unused(db, 1)
    with pytest.raises(NotFound):  # another supplier's, or an assignment's, is none of its
        commissions.withdraw(db, commission_id, kind="commission", supplier_id=99)
    with pytest.raises(NotFound):
        commissions.withdraw(db, commission_id, kind="assignment")
    assert commissions.withdraw(db, commission_id, kind="commission", supplier_id=1) == (
        commissioned.name, LOT)
    record = pearl_report(commissioned)
    with pytest.raises(Forbidden, match="commissioned"):
        store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)


def test_a_commission_a_report_stands_on_is_not_taken_back(app, db, commissioned):
    record = pearl_report(commissioned)
    store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    [commission_id] = db.execute("SELECT id FROM commissions").fetchone()
    assert commissions.unused(db, 1) == set()
    with pytest.raises(Conflict, match="stored a report"):
        commissions.withdraw(db, commission_id, kind="commission", supplier_id=1)
    # An assignment of the same lab stays free to take back: no spot check stored.
    commissions.commission(db, GTIN, LOT, commissioned.id, actor="ops", kind="assignment")
    [assignment] = commissions.unused(db, 1)
    assert commissions.withdraw(db, assignment, kind="assignment")[1] == LOT
    assert db.execute("SELECT count(*) FROM commissions").fetchone()[0] == 1
