"""Demo data: valid identifiers, idempotent seeding, URLs that verify as labelled."""

from trace import catalog, demo, product_photos
from trace.gs1 import validate_gtin14
from trace.uscc import validate_credit_code
from trace.verification import verify_url

from conftest import BASE_URL


def test_demo_identifiers_are_valid():
    for entry in demo.DEMO:
        assert validate_credit_code(entry["supplier"][1])
        assert validate_gtin14(entry["product"]["gtin"]).startswith("0952")


def test_seed_is_idempotent_and_try_urls_verify(db, issuer):
    assert demo.seed_demo(db, issuer, "s") == 5
    first = catalog.find_supplier(db, 1)  # seeded by an older demo, before phones
    catalog.set_contact(db, first, catalog.Contact(None, first.address, first.contact_name))
    assert demo.seed_demo(db, issuer, "s") == 0
    assert [s["phone"] for s in catalog.list_suppliers(db)] == [
        "0575 8700 0000", "0571 8700 0000", "0570 502 0000", "0573 8700 0000"]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 100
    tries = dict(demo.try_urls(db, BASE_URL)[2:])
    assert verify_url(db, tries["forged"], BASE_URL).verdict == "forged"
    assert verify_url(db, tries["suspicious"], BASE_URL).verdict == "suspicious"
    assert verify_url(db, tries["recalled"], BASE_URL).verdict == "recalled"
    assert db.execute("SELECT count(*) FROM claims").fetchone()[0] == 1
    genuine = [verify_url(db, url, BASE_URL) for _, url in demo.try_urls(db, BASE_URL)[:2]]
    assert [v.verdict for v in genuine] == ["genuine", "genuine"]
    assert len({v.product.name for v in genuine}) == 2
    pearls = catalog.get_product(db, demo.DEMO[0]["product"]["gtin"])  # the photo feature shows
    assert product_photos.picture(db, pearls.photo, "thumb")


def test_no_demo_item_was_scanned_or_claimed_before_it_was_issued(db, issuer):
    """The copied code's page said 首次查询 three days before its 发码时间 (a trial)."""
    demo.seed_demo(db, issuer, "s")
    scanned = db.execute("SELECT count(*) FROM scans").fetchone()[0]
    early = db.execute("SELECT count(*) FROM scans s JOIN items i ON i.id = s.item_id "
                       "WHERE s.at < i.issued_at").fetchone()[0]
    claimed = db.execute("SELECT count(*) FROM claims c JOIN items i ON i.id = c.item_id "
                         "WHERE c.claimed_at < i.issued_at").fetchone()[0]
    assert scanned >= demo.COPIED_NETWORKS and early == 0 and claimed == 0


def test_try_urls_on_empty_database(db):
    assert demo.try_urls(db, BASE_URL) == []
