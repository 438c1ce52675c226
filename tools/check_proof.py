#!/usr/bin/env python3
"""Check a Trace proof bundle on your own computer, without Trace and without
trusting the server that gave it to you.

    pip install cryptography
    python3 check_proof.py trace-proof-....json trace-keys.json
    python3 check_proof.py trace-proof-....json trace-keys.json 'https://…/01/…?k=…&s=…'

The bundle is what a proof page's 下载证明文件 gives (/ledger/proof.json); the keys
are /.well-known/trace-keys.json, downloaded once and kept: a key set fetched
afresh every time could be swapped by whoever runs the server. Either may be a
file or an https:// address. Exit status 0 only when everything holds.

What it checks, with nothing but SHA-256 and Ed25519:
1. the checkpoint (the signed head of the whole ledger) is signed by the ledger
   key in your key set (C2SP signed note);
2. every record in the bundle is in the tree that checkpoint signs (RFC 9162
   inclusion proof), and is about the batch the bundle names;
3. for an item, that its code is among the codes its batch's top-up logged;
4. given the address the label's QR code opens (scan it with any reader and copy
   the text), that its signature is the platform's, over
   ``trace-v1|{k}|/01/{GTIN}/10/{LOT}/21/{SERIAL}``, and is the very code the
   ledger logged for that item: a forged label copying the serial fails here.

This file is deliberately self-contained (the guide to the formats is served at
/ledger/guide.md): read it before you trust it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # said in words, not a traceback
    sys.exit("This check needs the 'cryptography' package: pip install cryptography\n"
             "需要先安装 cryptography：pip install cryptography")

PRODUCT_KINDS = {"product_changed"}  # about every batch of a GTIN: its lot is ""
KINDS_ZH = {"batch_created": "批次登记", "codes_issued": "发码", "report": "检测报告",
            "correction": "检测报告更正", "withdrawal": "检测报告撤回", "recall": "召回",
            "unrecall": "撤销召回", "void": "作废", "recall_item": "单件召回",
            "claim": "买家认领", "selection": "直播间选品", "product_changed": "商品信息更正",
            "batch_changed": "批次信息更正", "batch_cancelled": "批次作废"}


BEIJING = timezone(timedelta(hours=8))


def beijing(at: str) -> str:
    """A leaf's UTC moment as the pages show it."""
    try:
        return datetime.fromisoformat(at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(at)


def read(where: str) -> bytes:
    if re.match(r"https?://", where):
        with urllib.request.urlopen(where, timeout=30) as answer:  # noqa: S310 (asked for)
            return answer.read()
    with open(where, "rb") as handle:
        return handle.read()


# RFC 6962 §2.1 hashing, and RFC 9162 §2.1.3.2 inclusion verification.
def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def included(data: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash(data)
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


# c2sp.org/signed-note and c2sp.org/tlog-checkpoint, Ed25519 keys.
def checkpoint_of(note: str, ledger_keys: list[bytes]) -> tuple[int, bytes]:
    """(size, root) of a checkpoint one of ``ledger_keys`` signed; SystemExit if none did."""
    text, _, signatures = note.rpartition("\n\n")
    lines = text.split("\n")
    if len(lines) < 3 or not lines[1].isdigit():
        sys.exit("✗ The bundle's checkpoint is not a checkpoint. 证明文件里的账本快照格式不对。")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    signed = (text + "\n").encode()
    for line in signatures.splitlines():
        found = re.fullmatch("\u2014 (\\S+) ([A-Za-z0-9+/=]+)", line)
        if not found or found[1] != origin:
            continue
        stamp = base64.b64decode(found[2])
        for public in ledger_keys:
            key_id = hashlib.sha256(origin.encode() + b"\n\x01" + public).digest()[:4]
            if len(stamp) != 68 or stamp[:4] != key_id:
                continue
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(stamp[4:], signed)
                return size, root
            except InvalidSignature:
                pass
    sys.exit("✗ The checkpoint is NOT signed by the ledger key in your key set: do not trust "
             "this bundle.\n✗ 账本快照的签名与您的公钥对不上：不要相信这份证明。")


def ledger_keys_of(keyset: dict) -> list[bytes]:
    return [base64.urlsafe_b64decode(key["x"] + "==") for key in keyset.get("keys", [])
            if key.get("role") == "ledger" and key.get("status") != "revoked"]


def check(bundle: dict, keyset: dict) -> list[str]:
    """What does not hold, in words; prints what does."""
    if bundle.get("v") != "trace-proof-v1":
        sys.exit("✗ Not a Trace proof bundle. 这不是本平台的证明文件。")
    size, root = checkpoint_of(bundle["checkpoint"], ledger_keys_of(keyset))
    print(f"✓ Checkpoint of {size} records, signed by the ledger key. "
          f"账本快照（共 {size} 条记录）签名核对无误。")
    subject, problems, logged = bundle["subject"], [], {}
    for entry in bundle["leaves"]:
        data = base64.b64decode(entry["data"])
        logged[entry["index"]] = data
        fields = json.loads(data)
        # Numbered as the proof page numbers them (账本第 N 条), from 1; index from 0.
        said = f"第 {entry['index'] + 1} 条 (index {entry['index']}) {fields.get('kind')} " \
               f"({KINDS_ZH.get(fields.get('kind'), '')}) {beijing(fields.get('at'))} 北京时间"
        lot = "" if fields.get("kind") in PRODUCT_KINDS else subject.get("lot")
        if entry.get("proof") is None:
            problems.append(f"{said}: newer than the checkpoint; download the bundle again")
        elif not included(data, entry["index"], size,
                          [base64.b64decode(h) for h in entry["proof"]], root):
            problems.append(f"{said}: NOT in the signed ledger 不在签名的账本里")
        elif (fields.get("gtin"), fields.get("lot")) != (subject.get("gtin"), lot) \
                or fields.get("kind") != entry.get("kind"):
            problems.append(f"{said}: about something else than the bundle says")
        else:
            print(f"✓ {said} is in the signed ledger. 在账本里。")
    if not logged:
        problems.append("the bundle holds no records: it proves nothing")
    if subject.get("serial"):
        problems += check_item(bundle.get("item"), logged, subject["serial"])
    return problems


def check_item(item: dict | None, logged: dict[int, bytes], serial: str) -> list[str]:
    if item is None or int(item["leaf"]) not in logged:
        return [f"item {serial}: the bundle holds no proof of it"]
    top_up = json.loads(logged[int(item["leaf"])])
    entry = base64.b64decode(item["entry"])
    proof = [base64.b64decode(h) for h in item["proof"]]
    if entry.split(b"|", 1)[0].decode() != serial or str(item["count"]) != top_up.get("count") \
            or not included(entry, item["index"], item["count"], proof,
                            bytes.fromhex(top_up["items_root"])):
        return [f"item {serial}: NOT among the codes its top-up logged 不在发码记录里"]
    print(f"✓ Item {serial} is code {item['index'] + 1} of the {item['count']} its top-up "
          f"logged. 这件商品的码在发码记录里（第 {item['index'] + 1} 个，共 {item['count']} 个）。")
    return []


CODE_PATH = re.compile(r"/01/(\d{14})/10/([^/?#]+)/21/([^/?#]+)")


def check_code(link: str, bundle: dict, keyset: dict) -> list[str]:
    """The label's own code: signed by an issuer key of the set, and the one logged."""
    path = CODE_PATH.search(link)
    query = dict(part.split("=", 1) for part in link.partition("?")[2].split("#")[0].split("&")
                 if "=" in part)
    if not path or not {"k", "s"} <= set(query):
        return ["the code: not a Trace item code's address (…/01/…/10/…/21/…?k=…&s=…)"]
    gtin, lot, serial = (urllib.parse.unquote(part) for part in path.groups())
    message = f"trace-v1|{query['k']}|/01/{gtin}/10/{lot}/21/{serial}".encode()
    subject = bundle["subject"]
    if (gtin, lot, serial) != (subject.get("gtin"), subject.get("lot"), subject.get("serial")):
        return [f"the code is item {serial} of batch {lot}, the bundle another: "
                "download the proof from this code's own page"]
    keys = [key for key in keyset.get("keys", []) if key.get("kid") == query["k"]
            and key.get("role") == "issuer"]
    try:
        signature = base64.urlsafe_b64decode(query["s"] + "==")
        Ed25519PublicKey.from_public_bytes(
            base64.urlsafe_b64decode(keys[0]["x"] + "==")).verify(signature, message)
    except (IndexError, ValueError, InvalidSignature):
        return [f"the code's signature is NOT the platform's (key {query['k']}): "
                "a forged label 标签上的码签名核对不上，是伪造的"]
    if keys[0].get("status") == "revoked":
        return [f"the code is signed with key {query['k']}, since revoked: ask the platform"]
    entry = base64.b64decode((bundle.get("item") or {}).get("entry", ""))
    if entry != f"{serial}|{query['s']}".encode():
        return ["the code is signed, but is NOT the code the ledger logged for this item"]
    print(f"✓ The label's code is signed by the platform's key {query['k']} and is the one "
          f"logged for item {serial}. 标签上的码签名核对无误，就是账本记录的那个码。")
    return []


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        bundle, keyset = (json.loads(read(where)) for where in argv[:2])
        problems = check(bundle, keyset)
        if len(argv) == 3:
            problems += check_code(argv[2], bundle, keyset)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        print(f"✗ Cannot read the files as a bundle and a key set ({error!r}).\n"
              "✗ 读不了这两个文件：第一个应是证明文件，第二个应是公钥列表。", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"✗ {problem}")
    if problems:
        print("Something does not hold: keep these files, and tell the platform and the "
              "market regulator (12315).\n有记录核对不上：请保存这两个文件，告知平台并向 12315 反映。")
        return 1
    print("Everything in this bundle holds. 证明文件里的记录全部核对无误。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
