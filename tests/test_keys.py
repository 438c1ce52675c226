"""Key creation, storage, status changes and the published trust list."""

import stat

import pytest

from trace.errors import InvalidInput, KeyProblem, NotFound
from trace.keys import (create_key, derive_kid, get_key, list_keys, load_private_key,
                        load_signer, parse_time, retire_key, revoke_key, trust_list)


def test_create_key_writes_private_pem_0600_and_registers_public_half(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    pem = (app.config["KEYS_DIR"] + f"/{record.kid}.pem")
    assert stat.S_IMODE(__import__("os").stat(pem).st_mode) == 0o600
    assert open(pem).read().startswith("-----BEGIN PRIVATE KEY-----")
    assert record.kid == derive_kid(record.public_bytes)
    assert len(record.kid) == 8 and record.kid.isalnum()
    assert get_key(db, record.kid) == record


def test_passphrase_encrypts_the_private_key(app, db):
    record = create_key(db, app.config["KEYS_DIR"], passphrase="珍珠 secret")
    pem = open(app.config["KEYS_DIR"] + f"/{record.kid}.pem").read()
    assert "ENCRYPTED PRIVATE KEY" in pem
    with pytest.raises(KeyProblem, match="PASSPHRASE"):
        load_private_key(app.config["KEYS_DIR"], record.kid)
    assert load_signer(db, app.config["KEYS_DIR"], "珍珠 secret").kid == record.kid


@pytest.mark.parametrize("role", ["admin", "agency:", "agency:a b", ""])
def test_bad_role_is_refused(app, db, role):
    with pytest.raises(InvalidInput, match="role"):
        create_key(db, app.config["KEYS_DIR"], role=role)
    assert list_keys(db) == []


def test_load_signer_picks_newest_active_key_of_the_role(app, db):
    first = create_key(db, app.config["KEYS_DIR"])
    create_key(db, app.config["KEYS_DIR"], role="agency:zjqi")
    second = create_key(db, app.config["KEYS_DIR"])
    assert load_signer(db, app.config["KEYS_DIR"]).kid == second.kid
    retire_key(db, second.kid)
    assert load_signer(db, app.config["KEYS_DIR"]).kid == first.kid
    revoke_key(db, first.kid)
    with pytest.raises(KeyProblem, match="keys new"):
        load_signer(db, app.config["KEYS_DIR"])


def test_revoke_records_the_given_time_in_utc(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    revoked = revoke_key(db, record.kid, at="2026-11-26T08:00:00+08:00")
    assert revoked.status == "revoked"
    assert revoked.revoked_at == "2026-11-26T00:00:00.000000+00:00"
    jwk = trust_list(db)["keys"][0]
    assert (jwk["kid"], jwk["status"], jwk["revoked_at"]) == (
        record.kid, "revoked", "2026-11-26T00:00:00.000000+00:00")
    with pytest.raises(InvalidInput, match="already revoked"):
        revoke_key(db, record.kid)


@pytest.mark.parametrize("text, message", [
    ("2026-11-26T08:00:00", "time zone"), ("yesterday", "ISO 8601"), ("", "ISO 8601"),
])
def test_parse_time_rejects(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_time(text)


def test_unknown_kid(app, db):
    with pytest.raises(NotFound, match="no key"):
        retire_key(db, "NOPE")


def test_trust_list_never_contains_private_material(app, db):
    create_key(db, app.config["KEYS_DIR"])
    text = repr(trust_list(db))
    assert "PRIVATE" not in text and "\"d\"" not in text
    fields = {"kid", "alg", "x", "role", "status", "not_before", "not_after"}
    assert set(trust_list(db)["keys"][0]) >= fields
