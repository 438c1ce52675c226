"""Signed lab reports: who may sign for which batch, what is stored, corrections,
and tampering found on reading."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace import agencies, keys
from trace.errors import Conflict, Forbidden, InvalidInput, Problems
from trace.inspections import display
from trace.inspections import report as reports
from trace.inspections import store
from trace.inspections import commissions, signing

from conftest import GTIN, LOT

PDF = b"%PDF-1.4\n% a lab report\n%%EOF\n"


def pdf_of(report_no: str) -> bytes:
    """Another report's own document: two reports never share one PDF."""
    return b"%PDF-1.4\n% report " + report_no.encode() + b"\n%%EOF\n"


def another_report(agency, report_no: str, **changes) -> tuple[dict, bytes]:
    """A report under its own number, with its own PDF: (record, pdf)."""
    pdf = pdf_of(report_no)
    return pearl_report(agency, report_no=report_no, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                        **changes), pdf


def pearl_report(agency, **changes) -> dict:
    record = {
        "v": "trace-report-v1",
        "agency": {"id": str(agency.id), "name": agency.name, "cma": agency.cma_no,
                   "cnas": agency.cnas_no or ""},
        "report_no": "ZJPQ-2026-0815", "version": "1", "type": "委托检验",
        "batch": {"gtin": GTIN, "lot": LOT}, "issued_on": "2026-11-12",
        "conclusion": "所检项目符合 GB/T 18781-2023 要求",
        "items": [{"name": "珠层厚度", "result": "0.42", "unit": "mm", "limit": "≥0.3",
                   "verdict": "合格"},
                  {"name": "光泽", "result": "A", "limit": "A–D", "verdict": "合格"}],
        "pdf_sha256": hashlib.sha256(PDF).hexdigest(), "supersedes": ""}
    record.update(changes)
    if "conclusion" not in changes and any(item["verdict"] == "不合格"
                                           for item in record["items"]):
        record["conclusion"] = "所检项目不符合 GB/T 18781-2023 要求"  # as a lab words a failure
    return record


def signed(app, db, agency, record):
    return signing.sign_with_agency_key(db, app.config["KEYS_DIR"], agency.id, record)


def test_a_commissioned_agency_stores_a_signed_report_and_it_is_served(app, db, commissioned):
    record = pearl_report(commissioned)
    kid, sig = signed(app, db, commissioned, record)
    store.store_report(db, record, kid, sig, pdf=PDF)
    [shown] = store.served_reports(db, 1)
    assert shown["report"] == record and shown["kid"] == kid
    assert shown["signature_ok"] and shown["current"]
    assert store.load_pdf(db, record["pdf_sha256"]) == PDF


def test_an_issuer_key_never_signs_a_report(app, db, commissioned, issuer):
    record = pearl_report(commissioned)
    sig = reports.sign_record(issuer.private_key, issuer.kid, record)
    with pytest.raises(Forbidden, match="only .* own key"):
        store.store_report(db, record, issuer.kid, sig, pdf=PDF)


def test_a_wrong_or_unknown_key_is_refused(app, db, commissioned):
    record = pearl_report(commissioned)
    stranger = Ed25519PrivateKey.generate()
    kid = keys.kid_of(stranger)
    with pytest.raises(InvalidInput, match="not in the key set"):
        store.store_report(db, record, kid, reports.sign_record(stranger, kid, record), pdf=PDF)
    real_kid, _sig = signed(app, db, commissioned, record)
    with pytest.raises(InvalidInput, match="does not verify"):
        store.store_report(db, record, real_kid, reports.sign_record(stranger, real_kid, record),
                           pdf=PDF)


@pytest.mark.parametrize("pdf, message", [
    (b"GIF89a not a pdf", "not a PDF"),
    (b"", "is empty"),
    (PDF + b"x", "SHA-256"),
    (None, "none was given"),
    (b"%PDF-" + b"0" * store.MAX_PDF_BYTES, "larger than"),
])
def test_a_bad_pdf_is_refused_and_nothing_is_stored(app, db, commissioned, pdf, message):
    record = pearl_report(commissioned)
    if pdf is not None and pdf.startswith(b"%PDF-0"):
        record["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
    with pytest.raises(InvalidInput, match=message):
        store.store_report(db, record, *signed(app, db, commissioned, record), pdf=pdf)
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM report_pdfs").fetchone()[0] == 0


def test_a_correction_supersedes_and_both_stay(app, db, commissioned):
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    again = pearl_report(commissioned, version="2", supersedes="1",
                         conclusion="所检项目符合要求（更正：珠层厚度单位）")
    with pytest.raises(Conflict, match="is signed already"):
        bare = dict(again, supersedes="")
        store.store_report(db, bare, *signed(app, db, commissioned, bare))
    store.store_report(db, again, *signed(app, db, commissioned, again))
    shown = store.served_reports(db, 1)
    assert [(s["report"]["version"], s["current"]) for s in shown] == [("2", True), ("1", False)]
    with pytest.raises(Conflict, match="corrected since: version 2 is current"):
        third = pearl_report(commissioned, version="3", supersedes="1")
        store.store_report(db, third, *signed(app, db, commissioned, third))


def test_an_unsigned_record_is_checked_as_storing_would_and_shown_as_it_will_be(
        app, db, commissioned):
    """The lab's form checks before it signs: the refusals storing would give, and the
    record among its report's versions as the batch's pages will serve it."""
    first = pearl_report(commissioned)
    store.check_storable(db, first, PDF)  # nothing to refuse, and nothing written
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    with pytest.raises(InvalidInput, match="not a PDF"):
        store.check_storable(db, first, b"GIF89a")
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    with pytest.raises(Conflict, match="is signed already"):
        store.check_storable(db, pearl_report(commissioned, version="2"))
    again = pearl_report(commissioned, version="2", supersedes="1", reason="光泽录入有误",
                         items=[dict(first["items"][0]), dict(first["items"][1], result="B")])
    store.check_storable(db, again)
    shown = store.as_it_will_be_served(db, again, 1)
    assert [(s["report"]["version"], s["current"]) for s in shown] == [("2", True), ("1", False)]
    [changed] = display.for_display(shown, 365)[1]["changed"]  # what buyers see corrected
    assert changed["name"] == "光泽" and changed["after"]["result"] == "B"
    assert len(store.served_reports(db, 1)) == 1


def test_a_correction_clearing_a_failure_brings_the_corrected_pdf(app, db, commissioned):
    """6.2 corrected to 0.62 (合格) kept the PDF that says 6.2 不合格: a buyer opening
    it read the opposite of the page."""
    lead = [{"name": "铅", "result": "6.2", "unit": "mg/kg", "limit": "≤5", "verdict": "不合格"}]
    first = pearl_report(commissioned, items=lead)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    cleared = pearl_report(commissioned, version="2", supersedes="1", reason="小数点错位",
                           items=[dict(lead[0], result="0.62", verdict="合格")])
    with pytest.raises(InvalidInput) as refused:
        store.store_report(db, cleared, *signed(app, db, commissioned, cleared))
    assert "原 PDF 上写的仍是不合格" in refused.value.message_zh and "铅" in refused.value.message_zh
    assert len(store.served_reports(db, 1)) == 1  # nothing stored
    # Still failing (another item corrected), the old PDF may stay; a new one clears it.
    kept = pearl_report(commissioned, version="2", supersedes="1", reason="单位漏写",
                        items=[dict(lead[0], result="6.20")])
    store.store_report(db, kept, *signed(app, db, commissioned, kept))
    corrected_pdf = b"%PDF-1.4\n% the corrected report\n%%EOF\n"
    new = pearl_report(commissioned, version="3", supersedes="2", reason="小数点错位",
                       items=[dict(lead[0], result="0.62", verdict="合格")],
                       pdf_sha256=hashlib.sha256(corrected_pdf).hexdigest())
    store.store_report(db, new, *signed(app, db, commissioned, new), pdf=corrected_pdf)
    assert store.served_reports(db, 1)[0]["report"]["version"] == "3"


def test_a_report_number_differing_only_in_case_or_width_is_the_same_report(
        app, db, commissioned):
    """zjsp-2026-j0417 and ＺＪＳＰ－２０２６－Ｊ０４１７ were stored as two more reports
    beside ZJSP-2026-J0417, and buyers read three reports of one number."""
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    for look_alike in (first["report_no"].lower(), "ZJPQ–2026–0815", "ZJPQ 2026 0815"):
        offline = pearl_report(commissioned, report_no=look_alike)
        with pytest.raises(Conflict, match=f"write it {first['report_no']}"):
            store.store_report(db, offline, *signed(app, db, commissioned, offline), pdf=PDF)
    typed = dict(pearl_report(commissioned), report_no="ＺＪＰＱ－２０２６－０８１５")
    wide = signing.complete_unsigned(typed, commissioned, PDF)
    assert wide["report_no"] == first["report_no"]  # what the platform signs, it writes plainly
    with pytest.raises(Conflict, match="is signed already"):
        store.store_report(db, wide, *signed(app, db, commissioned, wide), pdf=PDF)
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 1


def test_stored_reports_cannot_be_edited_or_deleted(app, db, commissioned):
    record = pearl_report(commissioned)
    store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    for statement in ("UPDATE inspection_reports SET kid = 'X'", "DELETE FROM inspection_reports"):
        with pytest.raises(Exception, match="never"):
            db.execute(statement)


@pytest.mark.parametrize("tamper", ["result", "date", "pdf"])
def test_a_changed_field_or_pdf_byte_fails_its_signature(app, db, commissioned, tamper):
    record = pearl_report(commissioned)
    store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    db.execute("DROP TRIGGER inspection_reports_no_update")  # as an intruder would
    if tamper == "pdf":
        db.execute("UPDATE report_pdfs SET data = ?", [PDF.replace(b"lab", b"LAB")])
    else:
        changed = copy.deepcopy(record)
        if tamper == "result":
            changed["items"][0]["result"] = "0.52"
        else:
            changed["issued_on"] = "2026-11-30"
        db.execute("UPDATE inspection_reports SET record = ?",
                   [reports.canonical_bytes(changed).decode()])
    [shown] = store.served_reports(db, 1)
    assert shown["signature_ok"] is False


@pytest.mark.parametrize("change, message", [
    ({"items": []}, "items"),
    ({"issued_on": "12/11/2026"}, "YYYY-MM-DD"),
    ({"type": "随便检"}, "type"),
    ({"v": "trace-report-v0"}, "v"),
    ({"pdf_sha256": "abc"}, "pdf_sha256"),
    ({"report_no": 815}, "must be a string"),
])
def test_a_malformed_report_names_its_field(db, lab, change, message):
    with pytest.raises(InvalidInput, match=message):
        reports.check_record(pearl_report(lab, **change))


def test_a_report_naming_another_agency_is_refused(app, db, commissioned):
    record = pearl_report(commissioned)
    record["agency"]["name"] = "别的检测所"
    with pytest.raises(InvalidInput, match="agency block"):
        store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)


def test_the_canonical_bytes_are_sorted_compact_utf8():
    assert reports.canonical_bytes({"b": "合格", "a": ["1"]}) == \
        json.dumps({"a": ["1"], "b": "合格"}, ensure_ascii=False,
                   separators=(",", ":")).encode()


def test_an_agency_not_approved_cannot_store_even_with_its_own_key(app, db, make_batch):
    make_batch()
    waiting, _ = agencies.add_agency(db, "待审核检测所", "231012341299")
    private = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization
    keys.register_public_key(db, waiting.key_role, private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    db.execute("INSERT INTO commissions (batch_id, agency_id, kind, actor, at) "
               "VALUES (1, ?, 'commission', 'x', 'now')", [waiting.id])
    record = pearl_report(waiting, pdf_sha256="")
    kid = keys.kid_of(private)
    with pytest.raises(Forbidden, match="not approved"):
        store.store_report(db, record, kid, reports.sign_record(private, kid, record))


@pytest.mark.parametrize("change, message", [
    ({"issued_on": "2026-13-45"}, "not a date"),
    ({"issued_on": "2026-02-30"}, "not a date"),
    ({"issued_on": "2099-01-01"}, "in the future"),
    ({"conclusion": "合" * 501}, "longer than 500"),
])
def test_impossible_dates_and_overlong_text_are_refused(db, lab, change, message):
    with pytest.raises(InvalidInput, match=message):
        reports.check_record(pearl_report(lab, **change))


def test_every_field_problem_is_named_at_once_with_its_field(db, lab):
    record = pearl_report(lab, issued_on="2026-02-30", type="随便检", conclusion=" ")
    record["items"][0].update(result="0.1")  # below ≥0.3 and judged 合格
    record["items"][1].update(verdict="优秀")
    with pytest.raises(Problems) as raised:
        reports.check_record(record)
    assert [problem.field for problem in raised.value.each] == [
        "type", "issued_on", "conclusion", "items[0].verdict", "items[1].verdict"]
    assert "第 1 个检测项目的单项判定" in raised.value.message_zh
    # The conclusion is judged against the items only once they hold.
    record = pearl_report(lab, conclusion="不合格")
    record["items"][1].update(verdict="优秀")
    with pytest.raises(InvalidInput) as raised:
        reports.check_record(record)
    assert raised.value.field == "items[1].verdict"


@pytest.mark.parametrize("verdict", ["超标", "判定不合格", "FAIL", "优秀"])
def test_a_verdict_outside_the_vocabulary_is_refused(db, lab, verdict):
    record = pearl_report(lab)
    record["items"][0]["verdict"] = verdict
    with pytest.raises(InvalidInput, match="a failed item is 不合格 or 不符合"):
        reports.check_record(record)


@pytest.mark.parametrize("item, message_zh", [
    ({"name": "铅", "result": "9.9", "unit": "mg/kg", "limit": "≤0.5", "verdict": "合格"},
     "第 1 个检测项目的单项判定：写的是“合格”，但铅的结果 9.9 mg/kg 不在标准要求 ≤0.5 之内"),
    ({"name": "珠层厚度", "result": "0.42", "unit": "mm", "limit": "≥0.3", "verdict": "不合格"},
     "第 1 个检测项目的单项判定：写的是“不合格”，但珠层厚度的结果 0.42 mm 在标准要求 ≥0.3 之内"),
])
def test_a_verdict_that_contradicts_its_result_and_limit_is_refused(
        db, lab, item, message_zh):
    record = pearl_report(lab, conclusion="所检项目符合要求" if item["verdict"] == "合格"
                          else "珠层厚度不符合要求")
    record["items"][0] = item
    with pytest.raises(InvalidInput) as refused:
        reports.check_record(record)
    assert refused.value.message_zh == message_zh


@pytest.mark.parametrize("result, unit, limit", [
    ("0.35", "mg/kg", "≤0.1mg/kg"), ("0.35", "mg/kg", "<=0.1"), ("0.35", "mg/kg", "≦0.1"),
    ("0.35", "mg/kg", "max 0.1"), ("0.35", "mg/kg", "不大于 0.1"), ("0.35", "mg/kg", "不得检出"),
    ("0.5", "mg/kg", "≤100 μg/kg"), ("3.5e-1", "mg/kg", "≤0.1"), ("0.35", "MG/KG", "≤0.1 mg/kg"),
    ("0.5", "mg/kg", "≯0.1"), ("检出", "", "不得检出"), ("0.5mg/kg", "", "≤0.1"),
    ("500 μg/kg", "mg/kg", "≤0.1"),
    # as labs and spreadsheets write figures: a decimal comma, powers of ten, a
    # note after the figure, a bound the result is already past, below zero
    ("0,8", "mg/kg", "≤0.5"), ("0.8", "mg/kg", "≤0,5"), ("5×10⁵", "CFU/g", "≤10⁴"),
    ("500000", "CFU/g", "≤1×10^4"), ("1,200", "CFU/g", "≤1000"), (">1", "mg/kg", "≤0.5"),
    ("0.8", "mg/kg", "≤0.5（以Pb计）"), ("0.8（以Pb计）", "mg/kg", "≤0.5"),
    ("-10 ℃", "℃", "≤-18"), ("−10", "℃", "≤−18"), ("<0.2", "mm", "≥0.3"),
    ("0.8", "mg/kg", "不得超过0.5"), ("0.2", "mm", "不得低于 0.3"), ("0.8", "mg/kg", "0.5以下"),
    ("0.8", "mg/kg", "小于0.5"), ("0.8", "mg/kg", "低于 0.5"), ("0.8", "mg/kg", "0.5 max"),
    ("0.2", "mm", "0.3以上"),
    # a unit in words, an empty unit the limit gives, a power typed without a caret
    ("1.5 毫克/千克", "mg/kg", "≤1"), ("0.05", "", "≤0.02 mg/kg"), ("5×10-2", "mg/kg", "≤0.02"),
    # words and grades: 沙门氏菌 阳性 against 阴性, 异味 有 against 无, a banned dye
    # found, colour fastness under its minimum grade
    ("阳性", "", "阴性"), ("有", "", "无"), ("检出", "", "禁用"), ("25", "mg/kg", "禁用"),
    ("2-3", "级", "≥3"), ("3", "级", "≥3-4"), ("2-3 级", "", "≥3"),
    # what was found, said in more words (a trial's 异味 有霉味 against 无)
    ("有霉味", "", "无"), ("阳性(+)", "", "阴性"),
])
def test_an_over_limit_result_passed_in_any_usual_spelling_is_refused(db, lab, result, unit,
                                                                      limit):
    assert "不在标准要求" in refused_item(lab, "铅", result, unit, limit)


def test_a_wrong_unit_is_shown_the_limit_in_that_unit(db, lab):
    """A trial's technician typed % for mg/kg and read only that 18 % is over ≤75 mg/kg."""
    said = refused_item(lab, "甲醛含量", "18", "%", "≤75 mg/kg")
    assert said.endswith("不在标准要求 ≤75 mg/kg 之内（≤75 mg/kg 换算成 % 是 ≤0.0075 %，请核对单位）")
    assert "换算" not in refused_item(lab, "甲醛含量", "180", "mg/kg", "≤75 mg/kg")


def refused_item(lab, name: str, result: str, unit: str, limit: str) -> str:
    """Why a report whose first item is this, judged 合格, is refused (in Chinese)."""
    record = pearl_report(lab)
    record["items"][0] = {"name": name, "result": result, "unit": unit, "limit": limit,
                          "verdict": "合格"}
    with pytest.raises(InvalidInput) as refused:
        reports.check_record(record)
    return refused.value.message_zh


@pytest.mark.parametrize("result, unit, limit", [
    ("0.05", "mg/kg", "≤100 μg/kg"), ("未检出", "mg/kg", "不得检出"), ("<0.01", "mg/kg", "不得检出"),
    ("0.35", "mg/kg", "≤5 mg/L"),  # another kind of unit: left to the lab
    ("5×10²", "CFU/g", "≤10⁴"), ("5000", "CFU/g", "≤10⁴"), ("12,5", "%", "≤13"),
    ("-20", "℃", "≤-18"), ("<LOD", "mg/kg", "≤0.1"), ("未檢出", "mg/kg", "不得检出"),
    ("<0.01 (未检出)", "mg/kg", "≤0.05"), (">0.5", "mm", "≥0.3"),
    ("阴性", "", "阴性"), ("无", "", "无"), ("未检出", "mg/kg", "禁用"), ("3-4", "级", "≥3"),
    ("4-5 级", "", "≥4"),
])
def test_a_result_within_a_limit_written_otherwise_passes(db, lab, result, unit, limit):
    record = pearl_report(lab)
    record["items"][0] = {"name": "铅", "result": result, "unit": unit, "limit": limit,
                          "verdict": "合格"}
    assert reports.check_record(record)


@pytest.mark.parametrize("result, limit", [("未检出", "≤0.5"), ("<0.01", "≤0.05"), ("A", "A–D"),
                                           ("3-4", "≥3"), ("0.5", ""), ("变色4/沾色3-4", "≥3"),
                                           ("4/3-4", "≥3/3")])
def test_a_verdict_the_text_cannot_judge_is_left_to_the_lab(db, lab, result, limit):
    record = pearl_report(lab)
    record["items"][0].update(result=result, limit=limit)
    assert reports.check_record(record)


@pytest.mark.parametrize("result, unit, limit", [
    ("0.05", "mg/kg", "0.02"), ("0.01", "", "0.02 mg/kg"), ("未检出", "mg/kg", "0.02"),
    ("41.2", "%", "36"),  # a minimum, as 水浸出物 has: the figure alone cannot say so
])
def test_a_limit_of_a_figure_alone_must_say_maximum_or_minimum(db, lab, result, unit, limit):
    """A 0.05 mg/kg residue against a 限量 typed as 0.02 was signed 合格 (a trial), and
    buyers could not tell whether 0.02 was the most or the least allowed."""
    said = refused_item(lab, "克百威", result, unit, limit)
    assert "没有写明是上限还是下限" in said
    assert f"标准要求：“{limit}”" in said and f"≤{limit}（不超过）" in said


@pytest.mark.parametrize("result, limit", [("1.5 毫升", "≤1"), ("0.05 左右", "≤0.02"),
                                           ("1.5 mg", "≤1")])
def test_a_figure_with_words_the_check_cannot_read_is_refused_against_a_limit(db, lab, result,
                                                                              limit):
    """Signed 合格 and shown, a figure nobody could hold to its limit passed unchecked."""
    assert "结果栏请只写数值" in refused_item(lab, "毒死蜱", result, "mg/kg", limit)


@pytest.mark.parametrize("conclusion, failing", [("所检项目符合 GB/T 18781-2023 要求", True),
                                                 ("珠层厚度不合格", False)])
def test_a_conclusion_that_contradicts_the_items_is_refused(db, lab, conclusion, failing):
    record = pearl_report(lab, conclusion=conclusion)
    if failing:
        record["items"][1]["verdict"] = "不合格"
    with pytest.raises(InvalidInput) as refused:
        reports.check_record(record)
    assert refused.value.message_zh.startswith("检验结论：")


def test_a_report_moved_onto_another_batch_proves_nothing_there(app, db, commissioned,
                                                                make_batch):
    other = make_batch(lot="ZJ-2612-B")
    record = pearl_report(commissioned)
    store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    db.execute("DROP TRIGGER inspection_reports_no_update")
    db.execute("UPDATE inspection_reports SET batch_id = ?", [other.id])
    [shown] = store.served_reports(db, other.id)
    assert shown["signature_ok"] is False


def test_a_correction_stays_on_its_batch(app, db, commissioned, make_batch):
    other = make_batch(lot="ZJ-2612-B")
    commissions.commission(db, GTIN, "ZJ-2612-B", commissioned.id, actor="qc")
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    moved = pearl_report(commissioned, version="2", supersedes="1",
                         batch={"gtin": GTIN, "lot": other.lot})
    with pytest.raises(Conflict, match="another batch"):
        store.store_report(db, moved, *signed(app, db, commissioned, moved))


def test_a_changed_pdf_is_never_served(app, db, commissioned):
    record = pearl_report(commissioned)
    store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    db.execute("UPDATE report_pdfs SET data = ?", [PDF + b" "])
    with pytest.raises(Conflict, match="changed since it was signed"):
        store.load_pdf(db, record["pdf_sha256"])


def test_revoking_a_labs_key_keeps_what_it_stored_before_and_names_the_rest(
        app, db, commissioned):
    """As with codes: reports stored before the revocation time keep counting; one
    stored after it fails, and says the key was the problem, not its content."""
    from datetime import datetime
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    second, pdf = another_report(commissioned, "ZJPQ-2026-0816")
    store.store_report(db, second, *signed(app, db, commissioned, second), pdf=pdf)
    first_at, second_at = (datetime.fromisoformat(row[0]) for row in db.execute(
        "SELECT created_at FROM inspection_reports ORDER BY id"))
    kid = db.execute("SELECT kid FROM inspection_reports LIMIT 1").fetchone()[0]
    keys.revoke_key(db, kid, at=(first_at + (second_at - first_at) / 2).isoformat())
    later, earlier = store.served_reports(db, 1)
    assert earlier["report"] == first and earlier["signature_ok"] and "problem" not in earlier
    assert not later["signature_ok"] and later["problem"] == "key" and later["current"]


def test_a_report_dated_before_its_batch_was_produced_is_refused(app, db, commissioned):
    produced = db.execute("SELECT produced_on FROM batches").fetchone()[0]
    record = pearl_report(commissioned, issued_on="2020-01-01")
    assert produced and produced > "2020-01-01"
    with pytest.raises(InvalidInput) as refused:
        store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    assert "早于批次" in refused.value.message_zh
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


@pytest.mark.parametrize("named", [{"lot": LOT.lower()}, {"lot": f" {LOT}"},
                                   {"gtin": GTIN.lstrip("0")}])
def test_a_batch_written_otherwise_is_refused_when_signed_elsewhere(
        app, db, commissioned, named):
    """Stored as written, 'zj-…' for ZJ-… would fail every later signature check and
    show buyers a tampered report: the agency is told how to write it instead."""
    record = pearl_report(commissioned, batch={"gtin": GTIN, "lot": LOT, **named})
    with pytest.raises(InvalidInput, match=f"lot {LOT}") as refused:
        store.store_report(db, record, *signed(app, db, commissioned, record), pdf=PDF)
    assert f"批次号请写成 {LOT}" in refused.value.message_zh
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


@pytest.mark.parametrize("conclusion, failed", [
    ("经抽样检验，所检项目未发现不合格项", False), ("所检项目符合标准要求。不合格项：无", False),
    ("无不合格项目", False), ("不合格项目数：0 项", False),
    ("联苯菊酯项目不符合 GB 2763-2021 要求，判定不合格", True),
    ("未发现异常，但铅不合格", True),
])
def test_a_conclusion_saying_nothing_failed_is_read_so(conclusion, failed):
    """Official wording for a pass (未发现不合格项) was refused as naming a failure."""
    from trace.inspections.report import says_something_failed
    assert says_something_failed(conclusion) is failed


@pytest.mark.parametrize("change, message", [
    ({"reason": "录入有误"}, "第一版报告不需要"),                       # nothing to explain
    ({"supersedes": "1", "version": "2", "reason": " "}, "1–500"),
    ({"supersedes": "1", "version": "2", "reason": "x" * 501}, "1–500"),
    ({"supersedes": "1", "version": "2", "status": "revoked", "reason": "r"}, "只能是"),
    ({"status": "Withdrawn", "type": None}, "报告状态：只能是"),  # named before what is missing
    ({"supersedes": "1", "version": "2", "status": "withdrawn"}, "撤回原因"),
    ({"status": "withdrawn", "reason": "r", "items": []}, "撤回的版本"),
    ({"supersedes": "1", "version": "2", "status": "withdrawn", "reason": "r"}, "不含检测项目"),
])
def test_a_reason_or_withdrawal_out_of_place_is_refused(db, lab, change, message):
    record = pearl_report(lab, **change)
    record = {key: value for key, value in record.items() if value is not None}
    with pytest.raises(InvalidInput) as refused:
        reports.check_record(record)
    assert message in refused.value.message_zh


def test_a_correction_may_say_why(lab):
    record = pearl_report(lab, supersedes="1", version="2", reason="漏填链长")
    assert reports.check_record(record)["reason"] == "漏填链长"


def test_the_next_version_follows_the_labs_numbering():
    assert [reports.next_version(v) for v in ("", "1", "9", "2a", "1²")] == \
        ["1", "2", "10", "2a.1", "1².1"]


def test_a_withdrawal_is_a_signed_version_and_the_batch_no_longer_stands_on_it(
        app, db, commissioned):
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    with pytest.raises(InvalidInput, match="say why"):
        store.withdrawal(db, commissioned.id, "ZJPQ-2026-0815", "")
    withdrawal = store.withdrawal(db, commissioned.id, "zjpq-2026-0815", "样品并非取自本批次",
                                  today=date(2026, 11, 20))
    assert (withdrawal["version"], withdrawal["supersedes"], withdrawal["issued_on"],
            withdrawal["items"], withdrawal["pdf_sha256"]) == ("2", "1", "2026-11-20", [], "")
    store.store_report(db, withdrawal, *signed(app, db, commissioned, withdrawal))
    served = store.served_reports(db, 1)
    assert [(s["report"]["version"], s["current"], s["signature_ok"]) for s in served] == \
        [("2", True, True), ("1", False, True)]
    assert store.standing(served) == [] and store.nothing_but_withdrawals(served)
    assert not store.nothing_but_withdrawals(served[1:])  # the report alone stands
    with pytest.raises(Conflict, match="withdrawn already"):
        store.withdrawal(db, commissioned.id, "ＺＪＰＱ－２０２６－０８１５", "again")
    # Final: neither a "correction" nor a second withdrawal signed elsewhere brings it back.
    for after in (pearl_report(commissioned, version="3", supersedes="2", reason="复检后重新签发"),
                  dict(withdrawal, version="3", supersedes="2", reason="再撤一次")):
        with pytest.raises(Conflict, match="withdrawn by your agency, for good"):
            store.store_report(db, after, *signed(app, db, commissioned, after))
    assert store.standing(store.served_reports(db, 1)) == []


def test_a_new_version_is_not_dated_before_the_one_it_replaces(app, db, commissioned):
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    backdated = pearl_report(commissioned, version="2", supersedes="1", reason="更正",
                             issued_on="2026-11-11")
    with pytest.raises(InvalidInput, match="before the version it replaces"):
        store.store_report(db, backdated, *signed(app, db, commissioned, backdated))
    with pytest.raises(Conflict, match="no report ZJPQ-2026-9999 to correct"):
        stray = pearl_report(commissioned, report_no="ZJPQ-2026-9999", version="2",
                             supersedes="1", reason="更正")
        store.store_report(db, stray, *signed(app, db, commissioned, stray))


def test_a_withdrawal_whose_signature_fails_still_counts_as_a_bad_current_report(
        app, db, commissioned):
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    withdrawal = store.withdrawal(db, commissioned.id, "ZJPQ-2026-0815", "样品错误")
    store.store_report(db, withdrawal, *signed(app, db, commissioned, withdrawal))
    db.execute("DROP TRIGGER inspection_reports_no_update")
    db.execute("UPDATE inspection_reports SET record = replace(record, '样品错误', '样品无误') "
               "WHERE version = '2'")
    served = store.served_reports(db, 1)
    bad, original = store.standing(served)
    assert not store.nothing_but_withdrawals(served)  # a failing report is not "withdrawn"
    assert not bad["signature_ok"]  # shown as a failing report, never silently dropped
    assert original["signature_ok"] and original["report"]["version"] == "1"  # not withdrawn


def test_one_pdf_is_the_document_of_one_report_only(app, db, commissioned):
    """The same file attached to two reports sent a buyer of one batch to the other
    batch's report."""
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    other = pearl_report(commissioned, report_no="ZJPQ-2026-0816")  # the same PDF
    with pytest.raises(Conflict) as refused:
        store.store_report(db, other, *signed(app, db, commissioned, other), pdf=PDF)
    assert "这个 PDF 已经是报告 ZJPQ-2026-0815（批次 ZJ-2611-A）的原件" in \
        refused.value.message_zh
    assert len(store.served_reports(db, 1)) == 1
    again = pearl_report(commissioned, version="2", supersedes="1", reason="更正单位",
                         conclusion="所检项目符合 GB/T 18781-2023 要求（更正）")
    store.store_report(db, again, *signed(app, db, commissioned, again))  # its own versions may


def test_a_report_signed_to_the_wrong_batch_is_signed_again_on_the_right_one(
        app, db, commissioned, make_batch):
    """A trial clerk withdrew a report signed to the wrong batch, then could not sign
    the same paper report on the right one: its number was refused (a correction stays
    on its batch) and so was its PDF (another report's document)."""
    right = make_batch(lot="ZJ-2611-B")
    commissions.commission(db, GTIN, "ZJ-2611-B", commissioned.id, actor="qc")
    wrong = pearl_report(commissioned)
    store.store_report(db, wrong, *signed(app, db, commissioned, wrong), pdf=PDF)
    withdrawn = reports.withdrawal_of(wrong, "报告签发到了错误的批次", date(2026, 11, 13))
    store.store_report(db, withdrawn, *signed(app, db, commissioned, withdrawn))
    same_number = pearl_report(commissioned, batch={"gtin": GTIN, "lot": right.lot})
    with pytest.raises(Conflict) as refused:
        store.store_report(db, same_number, *signed(app, db, commissioned, same_number), pdf=PDF)
    assert "请以新编号（例如 ZJPQ-2026-0815-R）签发" in refused.value.message_zh
    renumbered = pearl_report(commissioned, report_no="ZJPQ-2026-0815-R",
                              batch={"gtin": GTIN, "lot": right.lot},
                              conclusion="所检项目符合 GB/T 18781-2023 要求（原报告 ZJPQ-2026-0815）")
    store.store_report(db, renumbered, *signed(app, db, commissioned, renumbered), pdf=PDF)
    [shown] = store.served_reports(db, right.id)
    assert shown["report"]["report_no"] == "ZJPQ-2026-0815-R" and shown["signature_ok"]


@pytest.mark.parametrize("item, message_zh", [
    ({"name": "吡虫啉", "result": "abc", "unit": "mg/kg", "limit": "≤0.5", "verdict": "合格"},
     "第 1 个检测项目的检测结果：“abc”不是数值，无法和标准要求 ≤0.5 比较"),
    ({"name": "水分", "result": "-6.2", "unit": "%", "limit": "≤7.0", "verdict": "合格"},
     "第 1 个检测项目的检测结果：-6.2 % 小于 0：含量和浓度不会是负数"),
    ({"name": "水分", "result": "120", "unit": "%", "limit": "≤7.0", "verdict": "不合格"},
     "第 1 个检测项目的检测结果：120 % 超过 100%：含量不会超过 100%"),
    ({"name": "铅", "result": "-0.02", "unit": "mg/kg", "limit": "≤5", "verdict": "合格"},
     "第 1 个检测项目的检测结果：-0.02 mg/kg 小于 0"),
    # typing slips a textile lab made, read as 8 in a unit "O" and as no figure at all
    ({"name": "甲醛含量", "result": "8O", "unit": "mg/kg", "limit": "≤75", "verdict": "合格"},
     "第 1 个检测项目的检测结果：“8O”像是打错的数值（把 0 打成了字母 O）"),
    ({"name": "pH值", "result": "7.9.", "limit": "4.0~8.5", "verdict": "合格"},
     "第 1 个检测项目的检测结果：“7.9.”像是打错的数值（多了小数点）"),
])
def test_a_result_no_lab_could_have_measured_is_refused(db, lab, item, message_zh):
    """Signed and shown to buyers as a passed test, "abc" or a moisture of -6.2 % would
    read as a result; a typing slip is refused before it is signed."""
    record = pearl_report(lab, conclusion="所检项目符合要求" if item["verdict"] == "合格"
                          else "水分不符合要求")
    record["items"][0] = item
    with pytest.raises(InvalidInput) as refused:
        reports.check_record(record)
    assert refused.value.message_zh.startswith(message_zh), refused.value.message_zh


@pytest.mark.parametrize("field, value", [
    (("report_no",), "RLO-\u202e1"), (("conclusion",), "a\u0000b"),
    (("items", 0, "result"), "0.\u200b08")])
def test_a_report_with_control_characters_is_refused(db, lab, field, value):
    """A NUL or a right-to-left override was signed and shown on the buyer's page as
    the lab's own words (the report number read backwards)."""
    record = pearl_report(lab)
    place = record
    for step in field[:-1]:
        place = place[step]
    place[field[-1]] = value
    with pytest.raises(InvalidInput) as refused:
        reports.check_record(record)
    assert "含有控制字符" in refused.value.message_zh
    assert refused.value.field == ".".join(map(str, field)).replace(".0.", "[0].")
    # A line break stays, as a form's text box sends it.
    reports.check_record(pearl_report(lab, conclusion="所检项目\r\n符合要求"))


@pytest.mark.parametrize("name, result, unit", [
    ("水洗尺寸变化率", "-2.5", "%"), ("断裂伸长率", "320", "%"), ("中心温度", "-18", "℃"),
    ("色差", "-0.4", ""), ("耐水色牢度", "变色4/沾色3-4", "级")])
def test_a_change_a_stretch_or_a_temperature_may_be_below_zero_or_over_100(db, lab, name,
                                                                           result, unit):
    record = pearl_report(lab)
    record["items"][0] = {"name": name, "result": result, "unit": unit, "limit": "≥-30",
                          "verdict": "合格"}
    assert reports.check_record(record)


def test_a_stored_report_is_not_judged_again_by_rules_newer_than_it(db, lab):
    """Rules for typing slips apply to what comes in: a report signed before them
    still reads as a report, not as a broken one."""
    record = pearl_report(lab)
    record["items"][0].update(result="abc", limit="≤0.5")
    with pytest.raises(InvalidInput):
        reports.check_record(record)
    assert reports.check_record(record, stored=True) == record


def test_a_correction_that_changes_nothing_is_refused(app, db, commissioned):
    first = pearl_report(commissioned)
    store.store_report(db, first, *signed(app, db, commissioned, first), pdf=PDF)
    same = pearl_report(commissioned, version="2", supersedes="1", reason="无")
    with pytest.raises(InvalidInput, match="is the same as version 1") as refused:
        store.check_storable(db, same)
    assert "这次更正与第 1 版的内容完全相同" in refused.value.message_zh
    dated = pearl_report(commissioned, version="2", supersedes="1", reason="签发日期录错",
                         issued_on="2026-11-13")  # one field changed is a correction
    store.store_report(db, dated, *signed(app, db, commissioned, dated))
    assert len(store.served_reports(db, 1)) == 2
