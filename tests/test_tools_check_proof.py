"""The self-contained proof checker (tools/check_proof.py) a journalist downloads
from /ledger/check_proof.py: run as its own process, in isolated mode (no Trace on
its path), against bundles the real app serves, and against tampered ones."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace import keys, recalls
from trace.codes import parse_code
from trace.transparency import bundle

from conftest import BASE_URL, GTIN, LOT, forged

CHECKER = Path(__file__).resolve().parents[1] / "tools" / "check_proof.py"


@pytest.fixture
def files(app, client, db, issued_urls, tmp_path):
    """An item's proof bundle and the key set, as the public pages serve them, after
    a recall, with the checker as served beside them."""
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    serial = parse_code(issued_urls[0], BASE_URL).serial
    made = client.get(f"/ledger/proof.json?gtin={GTIN}&lot={LOT}&serial={serial}").get_json()
    (tmp_path / "proof.json").write_text(json.dumps(made), encoding="utf-8")
    (tmp_path / "keys.json").write_bytes(client.get("/.well-known/trace-keys.json").data)
    (tmp_path / "check_proof.py").write_bytes(client.get("/ledger/check_proof.py").data)
    return tmp_path


def run(folder: Path, proof: str = "proof.json", keyset: str = "keys.json", *code: str):
    """The checker as a reader runs it: python3 check_proof.py PROOF KEYS [CODE], isolated."""
    return subprocess.run([sys.executable, "-I", "check_proof.py", proof, keyset, *code],
                          cwd=folder, capture_output=True, text=True, timeout=60)


def tampered(folder: Path, change) -> dict:
    made = json.loads((folder / "proof.json").read_text(encoding="utf-8"))
    change(made)
    (folder / "proof.json").write_text(json.dumps(made), encoding="utf-8")
    return made


def test_the_served_checker_is_the_kept_one_and_passes_a_true_bundle(client, files):
    assert (files / "check_proof.py").read_bytes() == CHECKER.read_bytes()
    done = run(files)
    assert done.returncode == 0, done.stdout + done.stderr
    said = done.stdout
    assert "✓ Checkpoint of" in said and "签名核对无误" in said
    assert "recall (召回)" in said and "codes_issued (发码)" in said
    # Numbered and timed as the proof page shows them: 账本第 N 条, Beijing time.
    numbered = re.search(r"第 (\d+) 条 \(index (\d+)\) recall", said)
    assert numbered and int(numbered[1]) == int(numbered[2]) + 1 and "北京时间" in said
    assert "这件商品的码在发码记录里（第 1 个，共 5 个）" in said
    assert said.rstrip().endswith("证明文件里的记录全部核对无误。")


def test_a_changed_record_is_caught_as_trace_itself_catches_it(db, files):
    def rewrite_the_recall(made):
        leaf = next(entry for entry in made["leaves"] if entry["kind"] == "recall")
        fields = json.loads(base64.b64decode(leaf["data"]))
        fields["reason"] = "供货商主动召回"  # a softer reason, written in afterwards
        leaf["data"] = base64.b64encode(json.dumps(
            fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).decode()
    made = tampered(files, rewrite_the_recall)
    done = run(files)
    assert done.returncode == 1 and "recall (召回)" in done.stdout
    assert "NOT in the signed ledger" in done.stdout and "请保存这两个文件" in done.stdout
    assert bundle.check_bundle(made, keys.trust_list(db))  # and Trace's own check agrees


def test_another_item_or_another_signer_is_refused(files):
    kept = (files / "proof.json").read_text(encoding="utf-8")
    tampered(files, lambda made: made["item"].update(
        entry=base64.b64encode(b"AAAABBBBCCCC|" + b"x" * 86).decode()))
    done = run(files)
    assert done.returncode == 1 and "NOT among the codes" in done.stdout
    (files / "proof.json").write_text(kept, encoding="utf-8")
    someone = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    forged_keys = {"keys": [{"kid": "X", "role": "ledger", "status": "active",
                             "x": base64.urlsafe_b64encode(someone).decode().rstrip("=")}]}
    (files / "other-keys.json").write_text(json.dumps(forged_keys))
    done = run(files, keyset="other-keys.json")
    assert done.returncode == 1 and "NOT signed by the ledger key in your key set" in done.stderr


@pytest.mark.parametrize("content", ["{}", "not json", '{"v": "trace-proof-v1"}'])
def test_a_file_that_is_no_bundle_is_said_so_without_a_traceback(files, content):
    (files / "proof.json").write_text(content)
    done = run(files)
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr
    assert "证明文件" in done.stdout + done.stderr


def test_the_checker_reads_the_bundle_from_its_address(files, live_server, issued_urls):
    serial = parse_code(issued_urls[0], BASE_URL).serial
    done = run(files, proof=f"{live_server}/ledger/proof.json?gtin={GTIN}&lot={LOT}"
                            f"&serial={serial}")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_how_to_page_is_linked_from_the_proof_page_and_the_keys(client, files):
    page = client.get("/ledger/how-to-check").get_data(as_text=True)
    assert "自己核对防篡改记录" in page and "它不能证明" in page
    assert 'href="/ledger/check_proof.py"' in page and 'href="/ledger/guide.md"' in page
    assert "python3 check_proof.py trace-proof-….json trace-keys.json" in page
    assert "trace-v1|{k}|/01/{GTIN}/10/{LOT}/21/{SERIAL}" in page[page.index('id="code"'):]
    assert 'href="/ledger/how-to-check#code"' in client.get("/keys").get_data(as_text=True)
    proof = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").get_data(as_text=True)
    assert 'href="/ledger/how-to-check"' in proof.split('<details class="card tech">')[0]
    assert 'href="/ledger/how-to-check"' in client.get("/keys").get_data(as_text=True)
    guide = client.get("/ledger/guide.md")
    assert guide.mimetype == "text/plain" and b"# The Trace ledger" in guide.data
    for typed in ("/ledger", "/ledger/", "/ledger?lang=en"):  # a trial's programmer got 404
        assert client.get(typed).headers["Location"].startswith("/ledger/how-to-check")
    english = client.get("/ledger/how-to-check?lang=en").get_data(as_text=True)
    assert "Check the tamper-evident records yourself" in english


def test_a_server_without_the_files_says_so_not_500(app, client, tmp_path):
    app.config["SHIPPED_DIR"] = str(tmp_path)  # a deployment that left them out
    for path in ("/ledger/check_proof.py", "/ledger/guide.md"):
        answer = client.get(path)
        assert answer.status_code == 404 and "本服务器没有安装这个文件" in answer.get_data(
            as_text=True)


def test_the_code_on_the_label_is_checked_against_the_key_and_the_ledger(files, issued_urls):
    """A trial's programmer could not find what a code's signature covers, and the
    proof held just the same for a forged label copying the serial."""
    done = run(files, "proof.json", "keys.json", issued_urls[0])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "标签上的码签名核对无误，就是账本记录的那个码" in done.stdout
    fake = run(files, "proof.json", "keys.json", forged(issued_urls[0]))
    assert fake.returncode == 1 and "NOT the platform's" in fake.stdout
    other = run(files, "proof.json", "keys.json", issued_urls[1])  # a genuine one, not it
    assert other.returncode == 1 and "download the proof from this code's own page" in \
        other.stdout
    junk = run(files, "proof.json", "keys.json", "https://example.cn/hello")
    assert junk.returncode == 1 and "not a Trace item code's address" in junk.stdout
