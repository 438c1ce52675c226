"""Key creation, storage, status changes and the published trust list."""

import logging
import os
import stat
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace.codes import ItemCode, verify_signature
from trace.db import utc_now
from trace.errors import InvalidInput, KeyProblem, KeyRoleError, NotFound
from trace.issuing import issue_codes
from trace.keys import (KeyRecord, active_key, codes_signed_since, create_key, derive_kid,
                        get_key, list_keys, load_private_key, load_signer, load_signer_by_kid,
                        parse_time, retire_key, revoke_key, start_warnings, trust_list)


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
    with pytest.raises(KeyProblem, match="is encrypted: set TRACE_KEY_PASSPHRASE"):
        load_private_key(app.config["KEYS_DIR"], record.kid)
    with pytest.raises(KeyProblem) as caught:
        load_private_key(app.config["KEYS_DIR"], record.kid, "珍珠 secreT")
    path = Path(app.config["KEYS_DIR"], f"{record.kid}.pem")
    assert caught.value.message == (f"cannot open the private key {path}: TRACE_KEY_PASSPHRASE "
                                    "is wrong, or the file is damaged")
    assert load_signer(db, app.config["KEYS_DIR"], "珍珠 secret").kid == record.kid


def test_keys_made_without_a_passphrase_are_encrypted_in_place(app, db, run_cli, caplog):
    """An operator who sets TRACE_KEY_PASSPHRASE later is told the keys on disk are
    still bare, and can encrypt them without making new ones."""
    from trace import create_app, keys
    record = create_key(db, app.config["KEYS_DIR"])
    app.config["KEY_PASSPHRASE"] = "珍珠 secret"
    create_app({"DATABASE": app.config["DATABASE"], "KEYS_DIR": app.config["KEYS_DIR"],
                "BASE_URL": app.config["BASE_URL"], "SECRET_KEY": "x",
                "KEY_PASSPHRASE": "珍珠 secret"})
    assert f"private keys {record.kid}" in caplog.text and "keys encrypt" in caplog.text
    said = _first_words_of_the_development_server(app, {"TRACE_KEY_PASSPHRASE": "珍珠 secret"})
    assert f"Warning: TRACE_KEY_PASSPHRASE is set, but the private keys {record.kid}" in said
    done = run_cli("keys", "encrypt")
    assert done.exit_code == 0 and f"Encrypted {record.kid}" in done.output
    assert keys.unencrypted_keys(app.config["KEYS_DIR"]) == []
    assert load_signer(db, app.config["KEYS_DIR"], "珍珠 secret").kid == record.kid
    assert "encrypted already" in run_cli("keys", "encrypt").output


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
    moment = datetime.fromisoformat(record.not_before)  # the earliest it may be
    beijing = moment.astimezone(timezone(timedelta(hours=8))).isoformat()
    revoked = revoke_key(db, record.kid, at=beijing)
    utc = moment.isoformat(timespec="microseconds")
    assert revoked.status == "revoked"
    assert revoked.revoked_at == utc
    jwk = trust_list(db)["keys"][0]
    assert (jwk["kid"], jwk["status"], jwk["revoked_at"]) == (record.kid, "revoked", utc)
    with pytest.raises(InvalidInput, match="already revoked"):
        revoke_key(db, record.kid)


@pytest.mark.parametrize("shift, message", [
    (timedelta(microseconds=-1), "is before key .* existed"),
    (timedelta(days=-3000), "is before key .* existed"),
    (timedelta(days=1), "is in the future"),
])
def test_a_revocation_time_that_cannot_be_right_is_refused(app, db, shift, message):
    record = create_key(db, app.config["KEYS_DIR"])
    at = (datetime.fromisoformat(record.not_before) + shift).isoformat()
    with pytest.raises(InvalidInput, match=message + ".*[Nn]othing was revoked"):
        revoke_key(db, record.kid, at=at)
    assert get_key(db, record.kid).status == "active"


def test_codes_signed_since_counts_what_a_revocation_takes(app, db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, "09521234000013", "ZJ-2611-A", 3)
    assert codes_signed_since(db, issuer.kid, get_key(db, issuer.kid).not_before) == 3
    assert codes_signed_since(db, issuer.kid, utc_now()) == 0


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


def other_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def test_a_private_key_that_is_not_the_registered_one_is_refused(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    Path(app.config["KEYS_DIR"], f"{record.kid}.pem").write_bytes(other_key_pem())
    with pytest.raises(KeyProblem) as caught:
        load_signer(db, app.config["KEYS_DIR"])
    assert caught.value.message == (
        f"{Path(app.config['KEYS_DIR'], record.kid + '.pem')} does not hold the private half of "
        f"key {record.kid}: its public key is not the one registered, so everything it signed "
        "would verify as forged. Restore the right file, or retire the key (python -m trace "
        "keys retire) and create a new one.")
    with pytest.raises(KeyProblem, match="does not hold the private half"):
        load_signer_by_kid(db, app.config["KEYS_DIR"], record.kid)


@pytest.mark.parametrize("damage, message", [
    (lambda pem: b"", "is empty"),
    (lambda pem: b"\n  \n", "is empty"),
    (lambda pem: os.urandom(120), "is corrupt: it is not a PEM file"),
    (lambda pem: pem[:len(pem) // 2], "is truncated"),
    (lambda pem: pem.replace(pem.splitlines()[1], b"A" * 40), "is corrupt: its PEM does not"),
])
def test_damaged_key_files_say_what_is_wrong(app, db, damage, message):
    record = create_key(db, app.config["KEYS_DIR"])
    path = Path(app.config["KEYS_DIR"], f"{record.kid}.pem")
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(KeyProblem, match=message):
        load_signer(db, app.config["KEYS_DIR"])


def test_a_missing_key_file_is_named(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    Path(app.config["KEYS_DIR"], f"{record.kid}.pem").unlink()
    with pytest.raises(KeyProblem, match=f"{record.kid}.pem for key {record.kid} not found"):
        load_signer(db, app.config["KEYS_DIR"])


def test_keys_folder_is_made_private_and_loose_files_are_warned_about(app, db, caplog):
    old_umask = os.umask(0o022)
    try:
        record = create_key(db, app.config["KEYS_DIR"])
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(app.config["KEYS_DIR"]).st_mode) == 0o700
    path = Path(app.config["KEYS_DIR"], f"{record.kid}.pem")
    with caplog.at_level(logging.WARNING, logger="trace"):
        load_signer(db, app.config["KEYS_DIR"])
    assert caplog.records == []
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="trace"):
        signer = load_signer(db, app.config["KEYS_DIR"])
    assert signer.kid == record.kid  # a warning, not a refusal
    assert [r.getMessage() for r in caplog.records] == [
        f"the private key file {path} can be read by other users; "
        f"make it private: chmod 600 {path}"]


def test_active_key_is_the_newest_active_of_its_role(app, db):
    assert active_key(db) is None
    first = create_key(db, app.config["KEYS_DIR"])
    agency = create_key(db, app.config["KEYS_DIR"], role="agency:zjqi")
    assert active_key(db) == first and active_key(db, "agency:zjqi") == agency
    retire_key(db, first.kid)
    assert active_key(db) is None


def test_load_signer_gives_a_working_issuer_signer(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    signer = load_signer(db, app.config["KEYS_DIR"])
    assert (signer.kid, signer.role) == (record.kid, "issuer")
    sig = signer.sign_item("09521234000013", "L", "S")
    code = ItemCode("09521234000013", "L", "S", record.kid, sig)
    assert verify_signature(record.public_bytes, code)
    raw = signer.raw_private_bytes()
    assert len(raw) == 32
    assert Ed25519PrivateKey.from_private_bytes(raw).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw) == record.public_bytes


def test_a_nested_keys_folder_is_created(app, db, tmp_path):
    folder = tmp_path / "deep" / "er" / "keys"
    record = create_key(db, folder)
    assert (folder / f"{record.kid}.pem").is_file()
    assert load_signer_by_kid(db, folder, record.kid).kid == record.kid


def test_retire_sets_the_end_of_validity_to_now(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    retired = retire_key(db, record.kid)
    assert retired.status == "retired"
    assert retired.retired_at == retired.not_after
    assert record.not_before <= retired.not_after <= utc_now()
    with pytest.raises(InvalidInput, match="already retired"):
        retire_key(db, record.kid)
    with pytest.raises(KeyProblem, match="is retired and may not sign"):
        load_signer_by_kid(db, app.config["KEYS_DIR"], record.kid)


@pytest.mark.parametrize("text, utc", [
    ("2026-11-26T08:00:00Z", "2026-11-26T08:00:00.000000+00:00"),
    ("2026-11-26T08:00:00+08:00", "2026-11-26T00:00:00.000000+00:00"),
    ("2026-11-26T08:00:00.5-05:00", "2026-11-26T13:00:00.500000+00:00"),
])
def test_parse_time_normalises_to_utc(text, utc):
    assert parse_time(text) == utc


def test_valid_at_bounds_are_inclusive_then_exclusive():
    record = KeyRecord(kid="K", role="issuer", status="revoked", public_key="x",
                       created_at="2026-01-01T00:00:00.000000+00:00",
                       not_before="2026-01-01T00:00:00.000000+00:00",
                       not_after="2026-06-01T00:00:00.000000+00:00",
                       revoked_at="2026-03-01T00:00:00.000000+00:00")
    assert not record.valid_at("2025-12-31T23:59:59.999999+00:00")
    assert record.valid_at("2026-01-01T00:00:00.000000+00:00")       # from not_before on
    assert record.valid_at("2026-02-28T23:59:59.999999+00:00")
    assert not record.valid_at("2026-03-01T00:00:00.000000+00:00")   # revoked from that instant
    retired = KeyRecord(**{**record.to_json(), "status": "retired", "revoked_at": None})
    assert retired.valid_at("2026-06-01T00:00:00.000000+00:00")      # up to not_after itself
    assert not retired.valid_at("2026-06-01T00:00:00.000001+00:00")
    open_ended = KeyRecord(**{**retired.to_json(), "not_after": None})
    assert open_ended.valid_at("2099-01-01T00:00:00.000000+00:00")


def test_the_published_key_is_a_jwk_for_ed25519(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    (jwk,) = trust_list(db)["keys"]
    assert jwk == {"kid": record.kid, "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
                   "use": "sig", "x": record.public_key, "role": "issuer", "status": "active",
                   "not_before": record.not_before, "not_after": None, "revoked_at": None,
                   "held_by": "platform"}
    assert len(jwk["x"]) == 43 and "=" not in jwk["x"]
    assert record.to_json()["kid"] == record.kid


def test_a_loose_folder_without_keys_is_made_private_silently(app, db, tmp_path, caplog):
    folder = tmp_path / "keys"  # as a git checkout has it: 0755, a README inside
    folder.mkdir()
    folder.chmod(0o755)
    (folder / "README.md").write_text("private keys live here")
    with caplog.at_level(logging.WARNING, logger="trace"):
        create_key(db, folder)
    assert caplog.records == []
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_loose_folder_holding_keys_is_warned_about_not_changed(app, db, tmp_path, caplog):
    folder = tmp_path / "keys"
    create_key(db, folder)
    with caplog.at_level(logging.WARNING, logger="trace"):
        create_key(db, folder)  # a second key into a private folder: nothing to say
    assert caplog.records == []
    folder.chmod(0o750)
    with caplog.at_level(logging.WARNING, logger="trace"):
        create_key(db, folder)
    assert [r.getMessage() for r in caplog.records] == [
        f"the keys folder {folder} can be read by other users; chmod 700 {folder}"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750


def test_an_unencrypted_key_still_opens_when_a_passphrase_is_set(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    assert load_signer(db, app.config["KEYS_DIR"], "a passphrase").kid == record.kid
    assert load_signer_by_kid(db, app.config["KEYS_DIR"], record.kid, "x").kid == record.kid


def test_an_encrypted_key_opens_by_kid_with_its_passphrase(app, db):
    record = create_key(db, app.config["KEYS_DIR"], passphrase="口令")
    assert load_signer_by_kid(db, app.config["KEYS_DIR"], record.kid, "口令").kid == record.kid
    with pytest.raises(KeyProblem, match="is encrypted: set TRACE_KEY_PASSPHRASE"):
        load_signer_by_kid(db, app.config["KEYS_DIR"], record.kid)


def test_load_signer_of_another_role(app, db):
    create_key(db, app.config["KEYS_DIR"])
    agency = create_key(db, app.config["KEYS_DIR"], role="agency:zjqi")
    signer = load_signer(db, app.config["KEYS_DIR"], role="agency:zjqi")
    assert (signer.kid, signer.role) == (agency.kid, "agency:zjqi")
    with pytest.raises(KeyProblem, match="no active ledger key; create one: "
                                         "python -m trace keys new --role ledger"):
        load_signer(db, app.config["KEYS_DIR"], role="ledger")


def test_a_key_of_another_algorithm_is_named(app, db):
    from cryptography.hazmat.primitives.asymmetric import ec
    record = create_key(db, app.config["KEYS_DIR"])
    path = Path(app.config["KEYS_DIR"], f"{record.kid}.pem")
    path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with pytest.raises(KeyProblem) as caught:
        load_signer(db, app.config["KEYS_DIR"])
    assert caught.value.message == f"{path} is not an Ed25519 key"


def test_a_signer_names_its_role_when_refusing(app, db):
    record = create_key(db, app.config["KEYS_DIR"], role="agency:zjqi")
    signer = load_signer_by_kid(db, app.config["KEYS_DIR"], record.kid)
    with pytest.raises(KeyRoleError) as caught:
        signer.sign_item("09521234000013", "L", "S")
    assert caught.value.message == (f"key {record.kid} has role 'agency:zjqi' and may not sign "
                                    "for role 'issuer'")
    assert caught.value.status == 403


def test_a_key_path_that_cannot_be_read_is_named(app, db):
    record = create_key(db, app.config["KEYS_DIR"])
    path = Path(app.config["KEYS_DIR"], f"{record.kid}.pem")
    path.unlink()
    path.mkdir()
    with pytest.raises(KeyProblem) as caught:
        load_signer(db, app.config["KEYS_DIR"])
    assert caught.value.message == f"cannot read the private key file {path}: Is a directory"


def test_parse_time_says_how_a_time_looks():
    with pytest.raises(InvalidInput) as caught:
        parse_time("next Tuesday")
    assert caught.value.message == ("not an ISO 8601 time: 'next Tuesday' "
                                    "(example: 2026-11-26T08:00:00+08:00)")


def test_parse_time_gives_utc_whatever_the_machine_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert parse_time("2026-11-26T08:00:00+08:00") == "2026-11-26T00:00:00.000000+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_revoking_the_last_ledger_key_says_checkpoints_stop(app, db, run_cli):
    ledger = create_key(db, app.config["KEYS_DIR"], role="ledger")
    out = run_cli("keys", "revoke", ledger.kid, "--at", ledger.not_before)
    assert out.exit_code == 0 and "No ledger key is active now" in out.output
    second = create_key(db, app.config["KEYS_DIR"], role="ledger")
    third = create_key(db, app.config["KEYS_DIR"], role="ledger")
    quiet = run_cli("keys", "revoke", second.kid, "--at", second.not_before)
    assert quiet.exit_code == 0 and "No ledger key" not in quiet.output and third.kid


def test_revoking_an_issuer_key_says_how_many_codes_it_costs_even_none(db, issuer, run_cli,
                                                                       issued_urls):
    out = run_cli("keys", "revoke", issuer.kid)  # from now: every code was issued before
    assert out.exit_code == 0
    assert "No code it signed was issued from then on: every code it signed before " \
        "still verifies here." in out.output


def _first_words_of_the_development_server(app, env: dict) -> str:
    """What `python -m trace run` (make run) says on stderr before it serves."""
    import subprocess
    import sys
    server = subprocess.Popen(
        [sys.executable, "-m", "trace", "run", "--host", "127.0.0.1", "--port", "0"],
        cwd=Path(__file__).resolve().parents[1], stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, TRACE_DATABASE=app.config["DATABASE"],
                 TRACE_KEYS_DIR=app.config["KEYS_DIR"], TRACE_BASE_URL=app.config["BASE_URL"],
                 **env))
    said, until = "", time.monotonic() + 60
    try:
        while time.monotonic() < until and "Running on" not in said:
            line = server.stderr.readline()
            if not line:
                break
            said += line
    finally:
        server.terminate()
        server.wait(timeout=10)
    return said


def test_who_holds_a_keys_private_half_is_recorded_not_guessed_from_the_folder(app, db):
    from trace.keys import kept_by_owner, lost_here, register_public_key
    folder = app.config["KEYS_DIR"]
    made = create_key(db, folder, role="agency:1")
    assert made.held_by == get_key(db, made.kid).held_by == "platform"
    Path(folder, f"{made.kid}.pem").unlink()  # the operator lost the keys folder
    assert not kept_by_owner(folder, made) and lost_here(folder, made)
    public = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    owned = register_public_key(db, "agency:2", public)
    assert owned.held_by == "owner" and kept_by_owner(folder, owned)
    assert not lost_here(folder, owned)
    # Keys registered before it was recorded are read, as then, from the folder;
    # at start, those whose file is here are recorded as the platform's.
    legacy = KeyRecord(**{**made.to_json(), "held_by": None})
    assert kept_by_owner(folder, legacy) and not lost_here(folder, legacy)
    from trace.keys import record_holders
    kept = create_key(db, folder, role="agency:3")
    db.execute("UPDATE keys SET held_by = NULL")
    record_holders(db, folder)
    assert [(r.kid, r.held_by) for r in list_keys(db)] == [
        (made.kid, None), (owned.kid, None), (kept.kid, "platform")]


def test_keys_list_says_which_platform_key_has_lost_its_file(app, db, run_cli):
    made = create_key(db, app.config["KEYS_DIR"], role="agency:1")
    assert "MISSING" not in run_cli("keys", "list").output
    Path(app.config["KEYS_DIR"], f"{made.kid}.pem").unlink()
    line = next(line for line in run_cli("keys", "list").output.splitlines() if made.kid in line)
    assert "PRIVATE KEY MISSING HERE" in line
    assert "agency:<id>" in run_cli("keys", "rotate", "--help").output


def test_a_ledger_key_whose_file_is_elsewhere_is_not_replaced_by_keys_new(
        app, db, run_cli, tmp_path):
    """A mistyped TRACE_KEYS_DIR: the start-up warning once said to make a new ledger
    key, which then signed in the wrong folder and left the right one unable to."""
    from trace import keys
    made = keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    elsewhere = tmp_path / "nokeys"
    [warning] = [w for w in keys.at_start(db, elsewhere, None) if "ledger key" in w]
    assert warning.startswith(f"the private file of ledger key {made.kid} is not in {elsewhere}")
    assert "keys new" not in warning and "check TRACE_KEYS_DIR" in warning
    app.config["KEYS_DIR"] = str(elsewhere)
    refused = run_cli("keys", "new", "--role", "ledger")
    assert refused.exit_code != 0 and f"the active ledger key {made.kid} has no private file" \
        in refused.output and "keys rotate --role ledger" in refused.output
    assert [k.kid for k in keys.list_keys(db) if k.role == "ledger"] == [made.kid]
    assert not elsewhere.exists()


def test_a_keys_folder_that_does_not_exist_is_named_at_start(app, db, tmp_path):
    """A trial's mistyped TRACE_KEYS_DIR started a server that could not issue, looking
    for all the world like a verify-only node."""
    keys_dir = app.config["KEYS_DIR"]
    create_key(db, keys_dir)
    assert not any("does not exist" in w for w in start_warnings(db, keys_dir, None))
    missing = tmp_path / "keyz"
    said = start_warnings(db, missing, None)
    assert said[0].startswith(f"the keys folder {missing} does not exist")
    assert not missing.exists()  # named, never made
