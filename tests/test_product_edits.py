"""A supplier's corrections of a product: free until its first batch, then kept,
logged and shown beside the product; removal only of a product with no batch."""

from __future__ import annotations

import json

import pytest

from trace import catalog, product_edits
from trace.errors import Conflict, InvalidInput, NotFound
from trace.transparency import audit, bundle, leaves
from trace.verification import batch_view, verify_url

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
    product, changed = product_edits.edit_product(db, supplier, OTHER_GTIN, actor="qc",
                                                  name="西湖龙井茶", specification="")
    assert changed == 2 and (product.name, product.specification) == ("西湖龙井茶", None)
    assert catalog.get_product(db, OTHER_GTIN) == product
    assert db.execute("SELECT count(*) FROM product_changes").fetchone()[0] == 0
    product_edits.delete_product(db, supplier, OTHER_GTIN)
    with pytest.raises(NotFound):
        catalog.get_product(db, OTHER_GTIN)


def test_a_product_with_a_batch_needs_a_reason_and_the_change_is_logged(db, supplier):
    with pytest.raises(InvalidInput, match="say why"):
        product_edits.edit_product(db, supplier, GTIN, actor="qc", specification="珠径 7–8 mm")
    assert catalog.get_product(db, GTIN).specification == "珠径 8–9 mm"  # nothing changed
    size = db.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0]
    product, changed = product_edits.edit_product(
        db, supplier, GTIN, actor="qc@pearl", reason="规格录入错误", specification="珠径 7–8 mm",
        shelf_life_days=3650)
    assert changed == 2 and product.name == "诸暨淡水珍珠项链"  # fields not given are kept
    [change] = product_edits.changes_of(db, GTIN)
    assert change.reason == "规格录入错误" and change.changes == (
        ("specification", "珠径 8–9 mm", "珠径 7–8 mm"), ("shelf_life_days", "", "3650"))
    leaf = db.execute("SELECT kind, gtin, lot, data FROM ledger_leaves ORDER BY idx DESC "
                      "LIMIT 1").fetchone()
    assert db.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0] == size + 1
    assert leaf[:3] == ("product_changed", GTIN, None)
    assert json.loads(leaf[3])["reason"] == "规格录入错误"
    assert leaves.build(db, "product_changes:1").data == leaf[3]


def test_no_change_records_nothing(db, supplier):
    product, changed = product_edits.edit_product(db, supplier, GTIN, actor="qc",
                                                  name="诸暨淡水珍珠项链")
    assert changed == 0 and db.execute("SELECT count(*) FROM product_changes").fetchone()[0] == 0


def test_the_gtin_and_another_suppliers_product_cannot_be_edited(db, supplier):
    with pytest.raises(InvalidInput, match="cannot be changed"):
        product_edits.edit_product(db, supplier, GTIN, actor="qc", reason="x", supplier_id=2)
    other = catalog.add_supplier(db, "另一家公司", "91330100MA27XL0Y34")
    with pytest.raises(NotFound):
        product_edits.edit_product(db, other, GTIN, actor="qc", reason="x", name="冒名")
    assert catalog.get_product(db, GTIN).name == "诸暨淡水珍珠项链"


def test_a_bad_value_is_refused_like_on_registration(db, supplier):
    with pytest.raises(InvalidInput):
        product_edits.edit_product(db, supplier, GTIN, actor="qc", reason="x", name="")
    with pytest.raises(InvalidInput, match="shelf life"):
        product_edits.edit_product(db, supplier, GTIN, actor="qc", reason="x",
                                   shelf_life_days=0)
    assert db.execute("SELECT count(*) FROM product_changes").fetchone()[0] == 0


def test_a_product_with_a_batch_is_never_deleted(db, supplier):
    with pytest.raises(Conflict, match="has batches"):
        product_edits.delete_product(db, supplier, GTIN)
    assert catalog.get_product(db, GTIN)


def test_changes_are_never_edited_or_deleted(db, supplier):
    product_edits.edit_product(db, supplier, GTIN, actor="qc", reason="更正", origin="浙江诸暨")
    for statement in ("UPDATE product_changes SET reason = 'x'", "DELETE FROM product_changes"):
        with pytest.raises(Exception, match="never"):
            db.execute(statement)


def test_buyers_see_the_change_beside_the_product_at_once(db, supplier, issued_urls):
    verify_url(db, issued_urls[0], BASE_URL)  # the batch's facts now cached
    product_edits.edit_product(db, supplier, GTIN, actor="qc", reason="名称更正",
                               name="诸暨淡水珍珠项链（白色）")
    verdict = verify_url(db, issued_urls[0], BASE_URL)
    assert verdict.product.name == "诸暨淡水珍珠项链（白色）"
    [event] = [e for e in verdict.to_json()["events"] if e["action"] == "product_changed"]
    assert event["changes"] == [{"field": "name", "before": "诸暨淡水珍珠项链",
                                 "after": "诸暨淡水珍珠项链（白色）"}]
    assert [e.action for e in batch_view(db, GTIN, LOT)["events"]] == ["product_changed"]


def test_the_batch_proof_holds_the_change_and_the_audit_re_derives_it(
        db, supplier, issued_urls):
    product_edits.edit_product(db, supplier, GTIN, actor="qc", reason="更正", origin="浙江诸暨")
    kinds = [row["kind"] for row in bundle.subject_leaves(db, GTIN, LOT)]
    assert kinds[-1] == "product_changed"
    assert audit.audit(db) == []
    db.execute("DROP TRIGGER product_changes_no_update")
    db.execute("UPDATE product_changes SET reason = '从未改过'")
    assert any("product_changes:1" in problem or "product_changed" in problem
               for problem in audit.audit(db))
