"""A report's PDF held between the lab's form and its signing."""

import hashlib

import pytest

from trace import agencies
from trace.errors import InvalidInput
from trace.inspections import pending

from test_inspections_store import PDF


@pytest.fixture
def two_labs(db):
    return [agencies.add_agency(db, name, cma)[0] for name, cma in
            (("浙江省珍珠检测中心", "231012341234"), ("宁波检测院", "231012345678"))]


def test_a_held_pdf_is_its_labs_alone_until_let_go(db, two_labs):
    mine, theirs = two_labs
    sha = pending.keep(db, mine.id, PDF, "ZJPQ-0815.pdf")
    assert sha == hashlib.sha256(PDF).hexdigest()
    assert pending.held(db, mine.id, sha) == (PDF, "ZJPQ-0815.pdf")
    with pytest.raises(InvalidInput, match="no longer held") as refused:
        pending.held(db, theirs.id, sha)  # another lab's reads as gone, not as someone's
    assert refused.value.field == "pdf" and "请重新选择报告原件" in refused.value.message_zh
    pending.let_go(db, mine.id, sha)
    with pytest.raises(InvalidInput):
        pending.held(db, mine.id, sha)


def test_a_pdf_left_unsigned_for_a_day_goes(db, two_labs):
    mine, _ = two_labs
    old = pending.keep(db, mine.id, PDF, "old.pdf")
    db.execute("UPDATE pending_report_pdfs SET at = '2026-01-01T00:00:00+00:00'")
    fresh = pending.keep(db, mine.id, PDF + b"\n", "new.pdf")  # keeping one sweeps the old
    assert [row[0] for row in db.execute("SELECT sha256 FROM pending_report_pdfs")] == [fresh]
    with pytest.raises(InvalidInput):
        pending.held(db, mine.id, old)
