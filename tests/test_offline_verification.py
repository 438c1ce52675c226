"""A third party verifies exported codes with only the published key set and DESIGN §4.

Deliberately imports nothing of the project's code-handling modules: what is
checked here is that the format on paper is enough.
"""

import base64
import csv
import re
from urllib.parse import unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conftest import GTIN, LOT


def third_party_verify(url: str, key_set: dict) -> bool:
    parts = urlsplit(url)
    segments = parts.path.split("/")[1:]
    if len(segments) != 6 or segments[0::2] != ["01", "10", "21"]:
        return False
    gtin, lot, serial = (unquote(s) for s in segments[1::2])
    query = [p.split("=", 1) for p in parts.query.split("&") if p]
    params = {k: [v for key, v in query if key == k] for k in ("k", "s")}
    if len(params["k"]) != 1 or len(params["s"]) != 1:
        return False
    kid, sig = params["k"][0], params["s"][0]
    if not re.fullmatch(r"[A-Za-z0-9_-]{86}", sig):
        return False
    raw_sig = base64.urlsafe_b64decode(sig + "==")
    if base64.urlsafe_b64encode(raw_sig).rstrip(b"=").decode() != sig:
        return False
    keys = [k for k in key_set["keys"] if k["kid"] == kid and k["role"] == "issuer"
            and k["status"] != "revoked"]
    if not keys:
        return False
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(keys[0]["x"] + "="))
    message = f"trace-v1|{kid}|/01/{gtin}/10/{lot}/21/{serial}".encode()
    try:
        public.verify(raw_sig, message)
    except InvalidSignature:
        return False
    return True


def test_exported_codes_verify_with_the_key_set_alone(client, run_cli, issued_urls, tmp_path):
    out = tmp_path / "codes.csv"
    result = run_cli("codes", "export", "--gtin", GTIN, "--lot", LOT, "--out", str(out))
    assert result.exit_code == 0
    urls = [row["url"] for row in csv.DictReader(open(out, encoding="utf-8"))]
    key_set = client.get("/.well-known/trace-keys.json").get_json()
    assert len(urls) == 5
    assert all(third_party_verify(url, key_set) for url in urls)

    first, second = urls[0], urls[1]
    moved = first.split("&s=")[0] + "&s=" + second.split("&s=")[1]
    assert not third_party_verify(moved, key_set)
    assert not third_party_verify(first.replace(f"/10/{LOT}/", "/10/ZJ-2611-B/"), key_set)
    assert not third_party_verify(first, {"keys": []})


def third_party_check_report(served: dict, key_set: dict, agency_id: str) -> bool:
    """DESIGN §7 on paper: canonical JSON (sorted keys, no spaces, UTF-8), the message
    'trace-report-v1|kid|' + canonical, Ed25519 by a key of role agency:<id>."""
    import json
    kid, sig, report = served["kid"], served["sig"], served["report"]
    keys = [k for k in key_set["keys"] if k["kid"] == kid and k["role"] == f"agency:{agency_id}"
            and k["status"] != "revoked"]
    if not keys or report.get("v") != "trace-report-v1":
        return False
    canonical = json.dumps(report, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":")).encode("utf-8")
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(keys[0]["x"] + "="))
    try:
        public.verify(base64.urlsafe_b64decode(sig + "=="),
                      b"trace-report-v1|" + kid.encode() + b"|" + canonical)
    except InvalidSignature:
        return False
    return True


def test_served_reports_verify_with_the_key_set_alone(app, client, db, issued_urls):
    from test_web_public import _stored_report
    record = _stored_report(app, db)
    data = client.get(issued_urls[0][len("https://trace.example.cn"):],
                      headers={"Accept": "application/json"}).get_json()
    key_set = client.get("/.well-known/trace-keys.json").get_json()
    [served] = data["inspections"]
    agency_id = record["agency"]["id"]
    assert third_party_check_report(served, key_set, agency_id)
    changed = dict(served, report=dict(served["report"], conclusion="全部合格"))
    assert not third_party_check_report(changed, key_set, agency_id)
    assert not third_party_check_report(served, key_set, "99")  # another agency's role
    issuer_only = {"keys": [k for k in key_set["keys"] if k["role"] == "issuer"]}
    assert not third_party_check_report(served, issuer_only, agency_id)
