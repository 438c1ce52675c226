"""Demo data: valid identifiers, idempotent seeding, URLs that verify as labelled."""

from trace import catalog, demo
from trace.gs1 import validate_gtin14
from trace.verification import verify_url

from conftest import BASE_URL


def test_demo_identifiers_are_valid():
    for entry in demo.DEMO:
        assert catalog.validate_credit_code(entry["supplier"][1])
        assert validate_gtin14(entry["product"]["gtin"]).startswith("0952")


def test_seed_is_idempotent_and_try_urls_verify(db, issuer):
    assert demo.seed_demo(db, issuer) == 4
    assert demo.seed_demo(db, issuer) == 0
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 80
    verdicts = [verify_url(db, url, BASE_URL).verdict for url in demo.try_urls(db, BASE_URL)]
    assert verdicts == ["genuine", "genuine", "forged"]
    names = {verify_url(db, url, BASE_URL).product.name for url in demo.try_urls(db, BASE_URL)[:2]}
    assert len(names) == 2


def test_try_urls_on_empty_database(db):
    assert demo.try_urls(db, BASE_URL) == []
