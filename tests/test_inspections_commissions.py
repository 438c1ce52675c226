"""Who may sign for a batch: a supplier's commission or an operator's assignment."""

import pytest

from trace.errors import Forbidden
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
