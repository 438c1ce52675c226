"""Reports the platform signs with a lab's server-held key."""

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace import keys
from trace.errors import Conflict
from trace.inspections import report as reports
from trace.inspections import signing, store

from conftest import GTIN, LOT
from test_inspections_store import PDF, pearl_report, signed


def test_an_unsigned_report_is_completed_by_the_platform(db, lab):
    bare = {"report_no": "R-1", "type": "委托检验", "batch": {"gtin": GTIN, "lot": LOT},
            "issued_on": "2026-11-20", "conclusion": "合格",
            "items": [{"name": "铅", "result": "<0.01", "verdict": "合格"}]}
    filled = signing.complete_unsigned(bare, lab, PDF)
    assert reports.check_record(filled)["agency"]["cma"] == lab.cma_no
    assert filled["pdf_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert filled["items"][0]["qualifier"] == "<" and filled["version"] == "1"


def test_an_agency_keeping_its_own_key_is_told_to_sign_itself(app, db, commissioned):
    own = Ed25519PrivateKey.generate()
    keys.register_public_key(db, commissioned.key_role, own.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(Conflict) as told:
        signed(app, db, commissioned, pearl_report(commissioned))
    assert "自行保管" in told.value.message_zh and "inspection sign" in told.value.message_zh
    kid = keys.kid_of(own)
    record = pearl_report(commissioned)
    store.store_report(db, record, kid, reports.sign_record(own, kid, record), pdf=PDF)
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 1
    assert [shown["held_by"] for shown in store.served_reports(db, 1)] == ["owner"]


def test_a_batch_the_platform_signs_is_written_as_registered(app, db, commissioned):
    bare = {"report_no": "R-1", "type": "委托检验",
            "batch": {"gtin": GTIN.lstrip("0"), "lot": f" {LOT.lower()} "},
            "issued_on": "2026-11-20", "conclusion": "合格",
            "items": [{"name": "铅", "result": "<0.01", "verdict": "合格"}]}
    record = signing.complete_unsigned(bare, commissioned, PDF)
    assert record["batch"] == {"gtin": GTIN, "lot": LOT}
    store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    [shown] = store.served_reports(db, 1)
    assert shown["signature_ok"] and shown["current"] and shown["held_by"] == "platform"
