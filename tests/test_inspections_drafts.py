"""Reports an engineer prepared, waiting for a lab's authorised signatory."""

import pytest

from trace import agencies
from trace.errors import Conflict, InvalidInput, NotFound
from trace.inspections import drafts, pending

from test_inspections_store import PDF


@pytest.fixture
def lab(db):
    return agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234")[0]


def test_a_draft_waits_until_signed_or_sent_back_with_why(db, lab):
    first = drafts.submit(db, lab.id, {"report_no": "ZJPQ-1", "items": "光泽 | A"},
                          prepared_by="eng@lab.cn")
    again = drafts.submit(db, lab.id, {"report_no": "ZJPQ-1", "items": "光泽 | B"},
                          prepared_by="eng@lab.cn")  # handed over anew: the first gives way
    [waiting] = drafts.waiting(db, lab.id)
    assert waiting.id == again and waiting.fields["items"] == "光泽 | B"
    with pytest.raises(Conflict) as replaced:
        drafts.get(db, lab.id, first)
    assert "已被新提交的一份替代" in replaced.value.message_zh
    with pytest.raises(InvalidInput, match="say what to change"):
        drafts.close(db, lab.id, again, "returned", by="qm@lab.cn", note="  ")
    back = drafts.close(db, lab.id, again, "returned", by="qm@lab.cn", note="光泽等级请复核")
    assert (back.outcome, back.note, back.closed_by) == ("returned", "光泽等级请复核", "qm@lab.cn")
    assert drafts.waiting(db, lab.id) == []
    assert [d.id for d in drafts.sent_back(db, lab.id, "eng@lab.cn")] == [again]
    other = agencies.add_agency(db, "宁波检测院", "231012345678")[0]
    with pytest.raises(NotFound):
        drafts.find(db, other.id, again)  # another lab's is not found


def test_a_waiting_drafts_pdf_is_kept_past_the_day(db, lab):
    sha = pending.keep(db, lab.id, PDF, "r.pdf")
    drafts.submit(db, lab.id, {"report_no": "ZJPQ-2", "pending_pdf": sha}, prepared_by="e@l.cn")
    db.execute("UPDATE pending_report_pdfs SET at = '2026-01-01T00:00:00+00:00'")
    pending.keep(db, lab.id, PDF + b"\n", "other.pdf")  # sweeps what nothing waits on
    assert pending.held(db, lab.id, sha) == (PDF, "r.pdf")
