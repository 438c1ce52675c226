"""A supplier's corrections of a product: free until its first batch, then kept,
logged and shown beside the product; removal only of a product with no batch."""

from __future__ import annotations

import json

import pytest

from trace import catalog, corrections, recalls
from trace.errors import Conflict, InvalidInput, NotFound
from trace.transparency import audit, bundle, leaves
from trace.verification import batch_view, verify_url
from trace.inspections import commissions

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT

OTHER_GTIN = "09521234000020"


@pytest.fixture
def supplier(db, make_batch):
    make_batch()
    return catalog.find_supplier(db, CREDIT_CODE)


def unbatched(db, supplier) -> catalog.Product:
    return catalog.add_product(db, supplier, OTHER_GTIN, "龙井茶", specification="250 g")


def test_a_product_without_a_batch_is_rewritten_with_no_record(db, supplier):
    unbatched(db, supplier)
    product, changed = corrections.edit_product(db, supplier, OTHER_GTIN, actor="qc",
                                                name="西湖龙井茶", specification="")
    assert changed == 2 and (product.name, product.specification) == ("西湖龙井茶", None)
    assert catalog.get_product(db, OTHER_GTIN) == product
    assert db.execute("SELECT count(*) FROM product_changes").fetchone()[0] == 0
    corrections.delete_product(db, supplier, OTHER_GTIN)
    with pytest.raises(NotFound):
        catalog.get_product(db, OTHER_GTIN)


def test_a_product_with_a_batch_needs_a_reason_and_the_change_is_logged(db, supplier):
    with pytest.raises(InvalidInput, match="say why"):
        corrections.edit_product(db, supplier, GTIN, actor="qc", specification="珠径 7–8 mm")
    assert catalog.get_product(db, GTIN).specification == "珠径 8–9 mm"  # nothing changed
    size = db.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0]
    product, changed = corrections.edit_product(
        db, supplier, GTIN, actor="qc@pearl", reason="规格录入错误", specification="珠径 7–8 mm",
        shelf_life_days=3650)
    assert changed == 2 and product.name == "诸暨淡水珍珠项链"  # fields not given are kept
    [change] = corrections.changes_of(db, GTIN)
    assert change.reason == "规格录入错误" and change.changes == (
        ("specification", "珠径 8–9 mm", "珠径 7–8 mm"), ("shelf_life_days", "", "3650"))
    leaf = db.execute("SELECT kind, gtin, lot, data FROM ledger_leaves ORDER BY idx DESC "
                      "LIMIT 1").fetchone()
    assert db.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0] == size + 1
    assert leaf[:3] == ("product_changed", GTIN, None)
    assert json.loads(leaf[3])["reason"] == "规格录入错误"
    assert leaves.build(db, "product_changes:1").data == leaf[3]


def test_no_change_records_nothing(db, supplier):
    product, changed = corrections.edit_product(db, supplier, GTIN, actor="qc",
                                                name="诸暨淡水珍珠项链")
    assert changed == 0 and db.execute("SELECT count(*) FROM product_changes").fetchone()[0] == 0


def test_the_gtin_and_another_suppliers_product_cannot_be_edited(db, supplier):
    with pytest.raises(InvalidInput, match="cannot be changed"):
        corrections.edit_product(db, supplier, GTIN, actor="qc", reason="x", supplier_id=2)
    other = catalog.add_supplier(db, "另一家公司", "91330100MA27XL0Y34")
    with pytest.raises(NotFound):
        corrections.edit_product(db, other, GTIN, actor="qc", reason="x", name="冒名")
    assert catalog.get_product(db, GTIN).name == "诸暨淡水珍珠项链"


def test_a_bad_value_is_refused_like_on_registration(db, supplier):
    with pytest.raises(InvalidInput):
        corrections.edit_product(db, supplier, GTIN, actor="qc", reason="x", name="")
    with pytest.raises(InvalidInput, match="shelf life"):
        corrections.edit_product(db, supplier, GTIN, actor="qc", reason="x",
                                 shelf_life_days=0)
    assert db.execute("SELECT count(*) FROM product_changes").fetchone()[0] == 0


def test_a_product_with_a_batch_is_never_deleted(db, supplier):
    with pytest.raises(Conflict, match="has batches"):
        corrections.delete_product(db, supplier, GTIN)
    assert catalog.get_product(db, GTIN)


def test_changes_are_never_edited_or_deleted(db, supplier):
    corrections.edit_product(db, supplier, GTIN, actor="qc", reason="更正", origin="浙江诸暨")
    for statement in ("UPDATE product_changes SET reason = 'x'", "DELETE FROM product_changes"):
        with pytest.raises(Exception, match="never"):
            db.execute(statement)


def test_buyers_see_the_change_beside_the_product_at_once(db, supplier, issued_urls):
    verify_url(db, issued_urls[0], BASE_URL)  # the batch's facts now cached
    corrections.edit_product(db, supplier, GTIN, actor="qc", reason="名称更正",
                             name="诸暨淡水珍珠项链（白色）")
    verdict = verify_url(db, issued_urls[0], BASE_URL)
    assert verdict.product.name == "诸暨淡水珍珠项链（白色）"
    [event] = [e for e in verdict.to_json()["events"] if e["action"] == "product_changed"]
    assert event["changes"] == [{"field": "name", "before": "诸暨淡水珍珠项链",
                                 "after": "诸暨淡水珍珠项链（白色）"}]
    assert [e.action for e in batch_view(db, GTIN, LOT)["events"]] == ["product_changed"]


def test_the_batch_proof_holds_the_change_and_the_audit_re_derives_it(
        db, supplier, issued_urls):
    corrections.edit_product(db, supplier, GTIN, actor="qc", reason="更正", origin="浙江诸暨")
    kinds = [row["kind"] for row in bundle.subject_leaves(db, GTIN, LOT)]
    assert kinds[-1] == "product_changed"
    assert audit.audit(db) == []
    db.execute("DROP TRIGGER product_changes_no_update")
    db.execute("UPDATE product_changes SET reason = '从未改过'")
    assert any("product_changes:1" in problem or "product_changed" in problem
               for problem in audit.audit(db))


def test_a_batch_is_corrected_with_a_reason_kept_logged_and_shown(db, supplier, issued_urls):
    batch = catalog.get_batch(db, GTIN, LOT)
    with pytest.raises(InvalidInput, match="say why"):
        corrections.edit_batch(db, supplier, batch, actor="qc", produced_on="2026-11-09")
    fixed, changed = corrections.edit_batch(
        db, supplier, batch, actor="qc", reason="生产日期录错", produced_on="2026/11/9",
        quantity_planned=500, notes="明前特级")
    assert changed == 3 and (fixed.produced_on, fixed.quantity_planned, fixed.notes) == (
        "2026-11-09", 500, "明前特级")
    leaf = json.loads(db.execute("SELECT data FROM ledger_leaves WHERE kind = 'batch_changed'")
                      .fetchone()[0])
    assert json.loads(leaf["changes"]) == {"produced_on": ["2026-11-10", "2026-11-09"]}
    assert "明前特级" not in json.dumps(leaf, ensure_ascii=False)  # the notes stay private
    [shown] = [e for e in verify_url(db, issued_urls[0], BASE_URL).to_json()["events"]
               if e["action"] == "batch_changed"]
    assert shown["changes"] == [{"field": "produced_on", "before": "2026-11-10",
                                 "after": "2026-11-09"}] and shown["reason"] == "生产日期录错"
    assert audit.audit(db) == []  # the batch's creation leaf still re-derives


def test_a_batch_correction_checks_like_registration_and_never_the_lot(db, supplier):
    batch = catalog.get_batch(db, GTIN, LOT)
    for given, said in ((dict(produced_on="2999-01-01"), "future"),
                        (dict(expires_on="2026-01-01"), "before the production date"),
                        (dict(quantity_planned=0), "planned quantity"),
                        (dict(lot="OTHER"), "cannot be changed")):
        with pytest.raises(InvalidInput, match=said):
            corrections.edit_batch(db, supplier, batch, actor="qc", reason="x", **given)
    assert db.execute("SELECT count(*) FROM batch_changes").fetchone()[0] == 0
    assert corrections.edit_batch(db, supplier, batch, actor="qc", reason="x",
                                  notes=None)[1] == 0  # nothing to change, nothing kept


def test_a_changed_batch_row_without_its_record_is_caught(db, supplier):
    batch = catalog.get_batch(db, GTIN, LOT)
    corrections.edit_batch(db, supplier, batch, actor="qc", reason="更正", quantity_planned=300)
    assert audit.audit(db) == []
    db.execute("UPDATE batches SET produced_on = '2026-01-01' WHERE id = ?", [batch.id])
    assert any("batches:" in problem for problem in audit.audit(db))


def test_a_shelf_life_retyped_in_months_replaces_the_days(db, supplier):
    corrections.edit_product(db, supplier, GTIN, actor="qc", reason="补录", shelf_life_days=540)
    product, changed = corrections.edit_product(db, supplier, GTIN, actor="qc",
                                                reason="按包装写的 18个月", shelf_life_days="18个月")
    assert (product.shelf_life_days, product.shelf_life_months, changed) == (None, 18, 2)
    assert corrections.changes_of(db, GTIN)[-1].changes == (
        ("shelf_life_days", "540", ""), ("shelf_life_months", "", "18"))
    assert corrections.edit_product(db, supplier, GTIN, actor="qc", shelf_life_days="18 个月")[1] == 0


def test_an_expiry_from_the_shelf_life_moves_with_a_corrected_production_date(db, supplier):
    product = catalog.add_product(db, supplier, OTHER_GTIN, "龙井茶", shelf_life_days=540)
    batch = catalog.new_batch(db, product.gtin, "LJ-1", produced_on="2026-04-01")
    assert batch.expires_on == "2027-09-23"
    fixed, _ = corrections.edit_batch(db, supplier, batch, actor="qc", reason="日期录错",
                                      produced_on="2026-04-02", expires_on="2027-09-23")
    assert fixed.expires_on == "2027-09-24"
    own = catalog.new_batch(db, product.gtin, "LJ-2", produced_on="2026-04-01",
                            expires_on="2027-01-01")  # its own date, not the shelf life's
    kept, _ = corrections.edit_batch(db, supplier, own, actor="qc", reason="日期录错",
                                     produced_on="2026-04-02")
    assert kept.expires_on == "2027-01-01"


def test_a_sign_ups_batches_are_logged_on_approval_and_a_turned_down_one_leaves_no_trace(db):
    """Turning down a sign-up that had opened a batch deleted a logged batch, and the
    ledger audit reported its row gone for good."""
    waiting = catalog.add_supplier(db, "待审公司", "91330100MA27XL0Y34", approved=False)
    catalog.add_product(db, waiting, OTHER_GTIN, "龙井茶")
    batch = catalog.new_batch(db, OTHER_GTIN, "LJ-1", produced_on="2026-11-01")
    corrections.edit_batch(db, waiting, batch, actor="qc", notes="试一下")  # no reason needed yet
    corrections.edit_product(db, waiting, OTHER_GTIN, actor="qc", name="西湖龙井茶")
    assert db.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0] == 0
    assert audit.audit(db) == []
    catalog.reject_supplier(db, waiting.id, "营业执照照片不清楚")
    assert audit.audit(db) == []
    other = catalog.add_supplier(db, "另一家待审", "91330681MA2D7XKQ0T", approved=False)
    catalog.add_product(db, other, GTIN, "珍珠")
    catalog.new_batch(db, GTIN, LOT, produced_on="2026-11-01")
    catalog.approve_supplier(db, other.id)
    assert [row[0] for row in db.execute("SELECT kind FROM ledger_leaves ORDER BY idx")] == [
        "supplier_registered", "batch_created"]  # the supplier as approved, then its batch
    assert audit.audit(db) == []


def test_a_batch_opened_by_mistake_is_cancelled_logged_and_closed(app, db, supplier, issuer):
    """A wrong lot cannot be changed (it is in every code): before any code, the batch
    is cancelled. Its lot stays taken, and nothing can be issued, tested or recalled."""
    from trace import issuing, recalls
    wrong = catalog.new_batch(db, GTIN, "ZJ-2611-AA", produced_on="2026-11-10")
    with pytest.raises(InvalidInput, match="say why"):
        corrections.cancel_batch(db, supplier, wrong, reason=" ", actor="qc")
    corrections.cancel_batch(db, supplier, wrong, reason="批次号录错", actor="qc")
    assert catalog.cancellation(db, wrong.id)["reason"] == "批次号录错"
    leaf = json.loads(db.execute("SELECT data FROM ledger_leaves WHERE kind = "
                                 "'batch_cancelled'").fetchone()[0])
    assert (leaf["lot"], leaf["reason"]) == ("ZJ-2611-AA", "批次号录错")
    assert audit.audit(db) == []
    for act in (lambda: issuing.issue_codes(db, issuer, GTIN, "ZJ-2611-AA", 5),
                lambda: commissions.commission(db, GTIN, "ZJ-2611-AA", 1, actor="qc"),
                lambda: recalls.recall_batch(db, GTIN, "ZJ-2611-AA", "x", actor="qc"),
                lambda: corrections.edit_batch(db, supplier, wrong, actor="qc", reason="x",
                                               notes="n"),
                lambda: corrections.cancel_batch(db, supplier, wrong, reason="x", actor="qc")):
        with pytest.raises(Conflict, match="was cancelled"):
            act()
    with pytest.raises(Conflict, match="cancelled; a cancelled lot stays taken"):
        catalog.new_batch(db, GTIN, "ZJ-2611-AA")
    issuing.issue_codes(db, issuer, GTIN, LOT, 3)
    with pytest.raises(Conflict, match="cannot be cancelled"):  # 3 codes, maybe on goods
        corrections.cancel_batch(db, supplier, catalog.get_batch(db, GTIN, LOT), reason="x",
                                 actor="qc")
    assert catalog.cancellation(db, catalog.get_batch(db, GTIN, LOT).id) is None
    with pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM batch_cancellations")


def test_a_batch_a_lab_reported_on_is_not_cancelled_one_only_asked_is(app, db, supplier):
    from trace import agencies
    from trace.inspections import lists, store
    from test_inspections_store import PDF, pearl_report, signed
    lab, _ = agencies.add_agency(db, "检测中心", "231012341234", keys_dir=app.config["KEYS_DIR"])
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    record = pearl_report(lab)
    store.store_report(db, record, *signed(app, db, lab, record), pdf=PDF)
    with pytest.raises(Conflict, match="a lab has reported"):
        corrections.cancel_batch(db, supplier, catalog.get_batch(db, GTIN, LOT), reason="x",
                                 actor="qc")
    wrong = catalog.new_batch(db, GTIN, "ZJ-2611-AA", produced_on="2026-11-10")
    commissions.commission(db, GTIN, "ZJ-2611-AA", lab.id, actor="qc")  # asked, nothing sent yet
    corrections.cancel_batch(db, supplier, wrong, reason="批次号录错", actor="qc")
    assert [b["lot"] for b in lists.batches_for(db, lab.id)] == [LOT]  # no longer offered
    late = pearl_report(lab, report_no="ZJPQ-2026-0999", batch={"gtin": GTIN, "lot": "ZJ-2611-AA"})
    with pytest.raises(Conflict, match="was cancelled"):
        store.store_report(db, late, *signed(app, db, lab, late), pdf=PDF)


def test_a_sign_ups_cancelled_batch_simply_goes(db, supplier):
    waiting = catalog.add_supplier(db, "待审公司", "91330100MA27XL0Y34", approved=False)
    catalog.add_product(db, waiting, OTHER_GTIN, "龙井茶")
    batch = catalog.new_batch(db, OTHER_GTIN, "LJ-1", produced_on="2026-11-01")
    with pytest.raises(Conflict, match="nothing to recall"):  # nobody could see a recall yet
        recalls.recall_batch(db, OTHER_GTIN, "LJ-1", "测试召回", actor="qc")
    corrections.cancel_batch(db, waiting, batch, reason="", actor="qc")  # no reason needed
    with pytest.raises(NotFound):  # never logged nor shown: simply gone
        catalog.get_batch(db, OTHER_GTIN, "LJ-1")
    assert audit.audit(db) == []
    assert catalog.new_batch(db, OTHER_GTIN, "LJ-1").lot == "LJ-1"  # its lot used again


def test_a_sign_ups_batch_recalled_before_recalls_waited_is_cancelled_not_a_500(db, supplier):
    """A trial recalled a sign-up's empty batch (allowed then) and cancelling it
    failed on the recall's reference to it: a 500, and the lot stuck."""
    waiting = catalog.add_supplier(db, "待审公司", "91330100MA27XL0Y34", approved=False)
    catalog.add_product(db, waiting, OTHER_GTIN, "龙井茶")
    batch = catalog.new_batch(db, OTHER_GTIN, "LJ-2", produced_on="2026-11-01")
    db.execute("INSERT INTO status_events (batch_id, action, reason, actor, at) "
               "VALUES (?, 'recall', '测试召回', 'qc', '2026-11-20T00:00:00+00:00')", [batch.id])
    with pytest.raises(InvalidInput, match="say why"):  # kept now, so the reason is asked
        corrections.cancel_batch(db, waiting, batch, reason="", actor="qc")
    corrections.cancel_batch(db, waiting, batch, reason="测试批次", actor="qc")
    assert catalog.cancellation(db, batch.id)["reason"] == "测试批次"


def test_a_new_photo_alone_does_not_warn_buyers_that_labels_may_differ(
        app, client, db, supplier, issued_urls):
    from trace import product_photos
    from test_product_photos import camera_photo
    path = issued_urls[0].replace(BASE_URL, "")
    photo = product_photos.store_photo(db, camera_photo(800, 600))
    corrections.edit_product(db, supplier, GTIN, actor="qc", reason="添加直播用的照片",
                             photo=photo)
    page = client.get(path).get_data(as_text=True)
    assert "添加直播用的照片" in page and "之前印的标签可能还是原来的信息" not in page
    corrections.edit_product(db, supplier, GTIN, actor="qc", reason="名称更正",
                             name="诸暨淡水珍珠项链（白色）")
    assert "之前印的标签可能还是原来的信息" in client.get(path).get_data(as_text=True)
