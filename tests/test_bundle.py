"""Proof bundles: what prove writes, check-proof accepts with no database at all,
and every bent bundle (wrong key, changed root, changed leaf, another item) fails."""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace import keys, recalls
from trace.codes import parse_code
from trace.errors import InvalidInput
from trace.transparency import bundle, checkpoints

from conftest import BASE_URL, GTIN, LOT

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def proved(app, db, issued_urls):
    """A proof bundle of one item (with a void and a recall logged) and the key set."""
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    recalls.void_item(db, parse_code(issued_urls[2], BASE_URL), "标签印错", actor="qc")
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    signer = keys.cached_signer(db, app.config["KEYS_DIR"], None, "ledger")
    checkpoints.issue_if_due(db, signer, "trace.example.cn/ledger")
    serial = parse_code(issued_urls[2], BASE_URL).serial
    return bundle.build_bundle(db, GTIN, LOT, serial), keys.trust_list(db), serial


def test_a_bundle_holds_the_batch_and_item_leaves_with_their_proofs(proved):
    made, keyset, serial = proved
    assert [leaf["kind"] for leaf in made["leaves"]] == ["batch_created", "codes_issued",
                                                         "void", "recall"]
    assert made["item"]["count"] == 5 and made["subject"]["serial"] == serial
    assert bundle.check_bundle(made, keyset) == []


def bent(made: dict, how) -> dict:
    copied = copy.deepcopy(made)
    how(copied)
    return copied


def _leaf_data(made, edit) -> None:
    data = json.loads(base64.b64decode(made["leaves"][3]["data"]))
    edit(data)
    made["leaves"][3]["data"] = base64.b64encode(json.dumps(data).encode()).decode()


BENDS = {
    "a changed recall reason": (lambda m: _leaf_data(m, lambda d: d.update(reason="已撤销")),
                                "leaf 6 (recall): not in the tree"),
    "another item's entry": (lambda m: m["item"].update(
        entry=base64.b64encode(b"AAAAAAAAAAAA|sig").decode()),
        "the item entry is for another serial"),
    "a moved item": (lambda m: m["item"].update(index=m["item"]["index"] ^ 1),
                     "not among the codes its top-up"),
    "a leaf of another batch": (lambda m: _leaf_data(m, lambda d: d.update(lot="X")),
                                "is about another batch"),
}


@pytest.mark.parametrize("bend", sorted(BENDS))
def test_a_bent_bundle_fails(proved, bend):
    made, keyset, _serial = proved
    how, named = BENDS[bend]
    problems = bundle.check_bundle(bent(made, how), keyset)
    assert any(named in problem for problem in problems), problems


def test_a_checkpoint_with_a_changed_root_or_by_another_key_fails(proved):
    made, keyset, _serial = proved
    note = made["checkpoint"]
    changed = bent(made, lambda m: m.update(checkpoint=note.replace(
        note.split("\n")[2], base64.b64encode(b"\x05" * 32).decode())))
    with pytest.raises(checkpoints.BadCheckpoint, match="no valid signature"):
        bundle.check_bundle(changed, keyset)
    stranger = keys.Signer("X", "ledger", Ed25519PrivateKey.generate())
    checkpoint = checkpoints.parse_note(note)
    resigned = bent(made, lambda m: m.update(checkpoint=checkpoints.sign_note(
        checkpoint.origin, checkpoint.size, checkpoint.root, stranger)))
    with pytest.raises(checkpoints.BadCheckpoint, match="no valid signature"):
        bundle.check_bundle(resigned, keyset)
    no_ledger_key = {"keys": [k for k in keyset["keys"] if k["role"] != "ledger"]}
    with pytest.raises(checkpoints.BadCheckpoint):
        bundle.check_bundle(made, no_ledger_key)


@pytest.mark.parametrize("junk", [{}, {"checkpoint": 5}, {"leaves": "x"}, []])
def test_what_is_not_a_bundle_is_refused_plainly(proved, junk):
    _made, keyset, _serial = proved
    with pytest.raises((InvalidInput, checkpoints.BadCheckpoint)):
        bundle.check_bundle(junk, keyset)


def check_proof(tmp_path, made: dict, keyset: dict) -> subprocess.CompletedProcess:
    """``python -m trace ledger check-proof`` in a fresh process with no database."""
    (tmp_path / "proof.json").write_text(json.dumps(made))
    (tmp_path / "keys.json").write_text(json.dumps(keyset))
    env = dict(os.environ, TRACE_DATABASE=str(tmp_path / "no-such.db"))
    return subprocess.run([sys.executable, "-m", "trace", "ledger", "check-proof",
                           str(tmp_path / "proof.json"), "--keys", str(tmp_path / "keys.json")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_check_proof_needs_no_database(tmp_path, proved):
    made, keyset, _serial = proved
    good = check_proof(tmp_path, made, keyset)
    assert good.returncode == 0, good.stderr
    assert "Proof holds: 4 leaves" in good.stdout and "the item among" in good.stdout
    assert not (tmp_path / "no-such.db").exists()
    bad = check_proof(tmp_path, bent(made, BENDS["a changed recall reason"][0]), keyset)
    assert bad.returncode == 1 and "leaf 6 (recall): not in the tree" in bad.stdout


def test_prove_writes_a_bundle_that_checks(run_cli, app, db, proved, tmp_path):
    _made, keyset, serial = proved
    out = run_cli("ledger", "prove", "--gtin", GTIN, "--lot", LOT, "--serial", serial.lower(),
                  "--out", str(tmp_path / "p.json"))
    assert out.exit_code == 0 and "Wrote 4 leaves" in out.output
    written = json.loads((tmp_path / "p.json").read_text())
    assert bundle.check_bundle(written, keyset) == []
    missing = run_cli("ledger", "prove", "--gtin", GTIN, "--lot", "NOPE", "--out",
                      str(tmp_path / "q.json"))
    assert missing.exit_code == 1 and not (tmp_path / "q.json").exists()


@pytest.mark.parametrize("bend, named", [
    (lambda m: m.update(leaves=[]), "holds no leaves"),
    (lambda m: m.pop("item"), "names item"),
    (lambda m: m["leaves"][3].update(kind="unrecall"), "the leaf itself says it is a recall"),
])
def test_an_incomplete_or_relabelled_bundle_fails(proved, bend, named):
    made, keyset, _serial = proved
    problems = bundle.check_bundle(bent(made, bend), keyset)
    assert any(named in problem for problem in problems), problems


def test_another_version_is_refused(proved):
    made, keyset, _serial = proved
    with pytest.raises(InvalidInput, match="not a trace-proof-v1 proof bundle"):
        bundle.check_bundle(bent(made, lambda m: m.update(v="trace-proof-v9")), keyset)
    with pytest.raises(InvalidInput, match="a field is missing or has the wrong type"):
        bundle.check_bundle(bent(made, lambda m: m["leaves"][0].update(index="x")), keyset)


def test_a_products_correction_is_proved_with_each_of_its_batches(app, db, issued_urls,
                                                                  make_batch):
    from trace import catalog, corrections
    make_batch(lot="ZJ-2612-B")
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    corrections.edit_product(db, catalog.find_supplier(db, 1), GTIN, actor="qc",
                             reason="规格录入错误", specification="珠径 7–8 mm")
    signer = keys.cached_signer(db, app.config["KEYS_DIR"], None, "ledger")
    checkpoints.issue_if_due(db, signer, "trace.example.cn/ledger")
    for lot in (LOT, "ZJ-2612-B"):
        made = bundle.build_bundle(db, GTIN, lot)
        assert made["leaves"][-1]["kind"] == "product_changed"
        assert bundle.check_bundle(made, keys.trust_list(db)) == []
    data = json.loads(base64.b64decode(made["leaves"][-1]["data"]))
    data["lot"] = "ZJ-2612-B"  # a product's leaf never names a lot
    made["leaves"][-1]["data"] = base64.b64encode(json.dumps(data).encode()).decode()
    assert any("another batch" in p for p in bundle.check_bundle(made, keys.trust_list(db)))
