"""Checkpoints as C2SP signed notes: the Go sumdb/note reference vector, signing and
verifying our own, and what must fail (wrong key, changed root, bent text)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace import keys
from trace.transparency import checkpoints, log

# golang.org/x/mod/sumdb/note's documented example (note.go, note_test.go).
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SIGNER_SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_SIGNATURE = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
                "XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def test_the_go_reference_note_signs_and_verifies_byte_for_byte():
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(GO_SIGNER_SEED)[1:])
    public = base64.b64decode(GO_VERIFIER.split("+")[2])[1:]
    assert checkpoints.key_hash("PeterNeumann", public).hex() == "c74f20a3"
    assert checkpoints.verifier_key("PeterNeumann", public) == GO_VERIFIER
    assert checkpoints.sign_text("PeterNeumann", GO_TEXT, private) == GO_SIGNATURE
    note = GO_TEXT + "\n" + GO_SIGNATURE
    assert checkpoints.open_note(note, "PeterNeumann", [public]) == GO_TEXT
    with pytest.raises(checkpoints.BadCheckpoint):
        checkpoints.open_note(note.replace("problem,", "problem;"), "PeterNeumann", [public])


@pytest.fixture
def ledger_signer(app, db, issuer):
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    return keys.cached_signer(db, app.config["KEYS_DIR"], None, "ledger")


def public_of(signer) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return signer.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                        serialization.PublicFormat.Raw)


ORIGIN = "trace.example.cn/ledger"


def test_a_checkpoint_is_a_signed_note_of_the_tree(db, ledger_signer):
    made = checkpoints.issue_if_due(db, ledger_signer, ORIGIN)
    lines = made.note.split("\n")
    assert lines[0] == ORIGIN and lines[1] == str(log.tree_size(db)) == "2"
    assert base64.b64decode(lines[2]) == log.root_at(db, 2) and lines[3] == ""
    assert lines[4].startswith(f"\u2014 {ORIGIN} ")
    assert checkpoints.verify_note(made.note, [public_of(ledger_signer)]) == made


def test_a_wrong_key_or_a_changed_root_fails(db, ledger_signer):
    made = checkpoints.issue_if_due(db, ledger_signer, ORIGIN)
    stranger = Ed25519PrivateKey.generate()
    forged = checkpoints.sign_note(ORIGIN, made.size, made.root,
                                   keys.Signer("X", "ledger", stranger))
    with pytest.raises(checkpoints.BadCheckpoint, match="no valid signature"):
        checkpoints.verify_note(forged, [public_of(ledger_signer)])
    other_root = base64.b64encode(b"\x01" * 32).decode()
    changed = made.note.replace(made.note.split("\n")[2], other_root)
    with pytest.raises(checkpoints.BadCheckpoint, match="no valid signature"):
        checkpoints.verify_note(changed, [public_of(ledger_signer)])


@pytest.mark.parametrize("note", ["", "just text\n", "a\nb\nc\n\n\u2014 a AAAA\n",
                                  "o\n12\nnot-base64!\n\n\u2014 o AAAA\n"])
def test_what_is_not_a_checkpoint_is_refused(note):
    with pytest.raises(checkpoints.BadCheckpoint, match="not a"):
        checkpoints.verify_note(note, [])


def test_at_most_one_checkpoint_a_second(db, ledger_signer, make_batch):
    first = checkpoints.issue_if_due(db, ledger_signer, ORIGIN)
    make_batch()
    assert checkpoints.issue_if_due(db, ledger_signer, ORIGIN) is None  # within the second
    assert checkpoints.seconds_until_due(db) > 0
    later = checkpoints.issue_if_due(db, ledger_signer, ORIGIN, min_interval=0)
    assert later.size == first.size + 2  # the supplier as approved, and its batch
    assert checkpoints.issue_if_due(db, ledger_signer, ORIGIN, min_interval=0) is None  # no growth
    assert checkpoints.at_size(db, first.size) == first and checkpoints.latest(db) == later


def test_the_status_says_how_much_of_the_log_a_signed_checkpoint_covers(
        db, ledger_signer, make_batch):
    before = checkpoints.status(db)
    assert before.signed == 0 and before.signed_at is None and before.unsigned == before.size
    made = checkpoints.issue_if_due(db, ledger_signer, ORIGIN)
    make_batch()  # appended after the checkpoint: not yet covered
    now = checkpoints.status(db)
    assert (now.signed, now.unsigned) == (made.size, now.size - made.size) and now.unsigned > 0
    assert now.signed_at


def test_a_request_that_wrote_signs_a_checkpoint_as_it_ends(app, client, db, ledger_signer,
                                                            issued_urls):
    from conftest import post_form
    assert checkpoints.latest(db) is None  # no request has ended with a write yet
    log.settled()  # the fixtures' writes were made outside any request
    client.get("/")
    assert checkpoints.latest(db) is None  # one that wrote nothing signs nothing
    path = issued_urls[0][len("https://trace.example.cn"):]
    assert post_form(client, path, {"received": "1"}, page=path).status_code == 200
    assert checkpoints.latest(db).size == log.tree_size(db)
    assert db.execute("SELECT kind FROM ledger_leaves ORDER BY idx DESC LIMIT 1").fetchone() \
        == ("claim",)


def test_a_background_issuing_job_signs_a_checkpoint_when_it_ends(app, db, ledger_signer,
                                                                  make_batch):
    from trace import jobs
    from trace.checkpointing import sign_pending
    make_batch()
    signer = keys.load_signer(db, app.config["KEYS_DIR"])
    job = jobs.start(db, "issue", owner_id=1, subject="g/l", total=30)
    settings = dict(app.config)
    thread = jobs.issue_in_background(app.config["DATABASE"], job.id, signer,
                                      "09521234000013", "ZJ-2611-A", 30, None,
                                      when_done=lambda: sign_pending(settings, wait=True))
    thread.join(timeout=30)
    assert jobs.get_job(db, job.id).state == "finished"
    assert checkpoints.latest(db).size == log.tree_size(db)  # no request had to come


def test_a_ledger_key_change_is_handed_over_and_a_revoked_keys_past_stays_checkable(
        app, client, db, ledger_signer, make_batch, run_cli, tmp_path):
    """An auditor pinned the first ledger key. After a rotation the next checkpoint
    is signed by the old key too; after the old key's revocation, a checkpoint the
    auditor kept from before still checks (with a warning), and a proof it signed
    is refused naming the revocation."""
    import json
    make_batch()
    assert run_cli("ledger", "checkpoint").exit_code == 0
    (tmp_path / "kept.txt").write_text(checkpoints.latest(db).note)
    assert run_cli("ledger", "prove", "--gtin", "09521234000013", "--lot", "ZJ-2611-A",
                   "--out", str(tmp_path / "proof.json")).exit_code == 0
    pinned = client.get("/.well-known/trace-keys.json").get_json()
    old = ledger_signer.kid

    rotated = run_cli("keys", "rotate", "--role", "ledger")
    assert rotated.exit_code == 0 and f"and the retired {old}" in rotated.output
    assert "the private key is stored unencrypted" in rotated.output  # no passphrase
    handover = checkpoints.latest(db)
    new = keys.active_key(db, "ledger")
    assert checkpoints.verify_note(handover.note, [public_of(ledger_signer)]) == handover
    assert checkpoints.verify_note(handover.note, [new.public_bytes]) == handover
    assert handover.size == log.tree_size(db)  # the change itself is in it
    (tmp_path / "pinned.json").write_text(json.dumps(pinned))
    (tmp_path / "handover.txt").write_text(handover.note)
    assert run_cli("ledger", "verify", "--checkpoint", str(tmp_path / "handover.txt"),
                   "--keys", str(tmp_path / "pinned.json")).exit_code == 0

    assert run_cli("keys", "revoke", old).exit_code == 0
    (tmp_path / "now.json").write_text(json.dumps(
        client.get("/.well-known/trace-keys.json").get_json()))
    kept = run_cli("ledger", "verify", "--checkpoint", str(tmp_path / "kept.txt"),
                   "--keys", str(tmp_path / "now.json"))
    assert kept.exit_code == 0, kept.output
    assert f"signed by ledger key {old}, revoked at" in kept.output
    own = run_cli("ledger", "verify", "--checkpoint", str(tmp_path / "kept.txt"))  # our key set
    assert own.exit_code == 0 and f"signed by ledger key {old}, revoked at" in own.output
    proof = run_cli("ledger", "check-proof", str(tmp_path / "proof.json"),
                    "--keys", str(tmp_path / "now.json"))
    assert proof.exit_code == 1 and f"ledger key {old}, revoked at" in proof.output
    assert "download the proof again" in proof.output
