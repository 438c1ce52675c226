"""Verdicts for genuine, tampered and malformed codes (DESIGN §4, §6)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from trace.codes import ItemCode, encode_signature, parse_code, sign_item
from trace.issuing import export_rows, issue_codes
from trace.keys import (create_key, get_key, load_private_key, load_signer_by_kid, retire_key,
                        revoke_key)
from trace.verification import batch_view, public_batch_json, verify_text, verify_url
from trace.errors import KeyRoleError

from conftest import BASE_URL, GTIN, LOT

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def parts(url: str) -> ItemCode:
    return parse_code(url, BASE_URL)


def with_sig(url: str, sig: str) -> str:
    return url.split("&s=")[0] + "&s=" + sig


def flip_bit(sig: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
    raw[10] ^= 0x01
    return encode_signature(bytes(raw))


def non_canonical_last(sig: str) -> str:
    # 86 characters carry 516 bits for 512: the last character's low 4 bits are unused.
    index = ALPHABET.index(sig[-1])
    return sig[:-1] + ALPHABET[index ^ 0b0001]


def tamper_cases(first: str, second: str) -> dict[str, str]:
    a = parts(first)
    path = f"{BASE_URL}/01/{a.gtin}/10/{a.lot}/21/{a.serial}"
    query = f"?k={a.kid}&s={a.sig}"
    wrong_check = GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)
    return {
        "signature bit-flipped": with_sig(first, flip_bit(a.sig)),
        "signature moved to another serial": with_sig(second, a.sig),
        "signature truncated": with_sig(first, a.sig[:-1]),
        "signature lengthened": with_sig(first, a.sig + "A"),
        "foreign character inserted": with_sig(first, a.sig[:20] + "!" + a.sig[20:]),
        "foreign character encoded": with_sig(first, a.sig[:20] + "%2E" + a.sig[21:]),
        "standard base64 alphabet": with_sig(first, a.sig[:30] + "+" + a.sig[31:]),
        "non-canonical last character": with_sig(first, non_canonical_last(a.sig)),
        "padding added": with_sig(first, a.sig + "=="),
        "padding added, encoded": with_sig(first, a.sig + "%3D%3D"),
        "signature missing": path + f"?k={a.kid}",
        "signature empty": path + f"?k={a.kid}&s=",
        "key id missing": path + f"?s={a.sig}",
        "unknown key id": path + f"?k=ZZZZZZZZ&s={a.sig}",
        "key id too long": path + f"?k=ABCDEFGHI&s={a.sig}",
        "duplicate s": first + f"&s={a.sig}",
        "duplicate k": first + f"&k={a.kid}",
        "GTIN check digit wrong": first.replace(f"/01/{GTIN}/", f"/01/{wrong_check}/"),
        "GTIN of 13 digits": first.replace(f"/01/{GTIN}/", f"/01/{GTIN[1:]}/"),
        "qualifiers out of order": f"{BASE_URL}/01/{a.gtin}/21/{a.serial}/10/{a.lot}{query}",
        "trailing slash": path + "/" + query,
        "double slash": path.replace("/10/", "//10/") + query,
        "lot over 20 characters": first.replace(f"/10/{LOT}/", "/10/" + "A" * 21 + "/"),
        "space in lot": first.replace(f"/10/{LOT}/", "/10/ZJ 2611/"),
        "encoded space in lot": first.replace(f"/10/{LOT}/", "/10/ZJ%202611/"),
        "non-ASCII lot": first.replace(f"/10/{LOT}/", "/10/珍珠/"),
        "encoded non-ASCII lot": first.replace(f"/10/{LOT}/", "/10/%E7%8F%8D/"),
        "malformed escape in lot": first.replace(f"/10/{LOT}/", "/10/ZJ%2/"),
        "lot repeated as query AI": first + f"&10={a.lot}",
        "serial repeated as query AI": first + f"&21={a.serial}",
        "numeric query key not a GS1 AI": first + "&123=1",
        "known AI with bad value": first + "&17=2612",
        "other host": first.replace("trace.example.cn", "trace-example.cn"),
        "empty lot": f"{BASE_URL}/01/{a.gtin}/10//21/{a.serial}{query}",
        "no lot": f"{BASE_URL}/01/{a.gtin}/21/{a.serial}{query}",
        "CPV added": f"{BASE_URL}/01/{a.gtin}/22/X/10/{a.lot}/21/{a.serial}{query}",
        "unknown path AI": f"{BASE_URL}/01/{a.gtin}/10/{a.lot}/99/{a.serial}{query}",
        "not a URL": "hello pearls",
        "empty": "",
        "javascript URL": "javascript:alert(1)",
        "batch URL": f"{BASE_URL}/01/{a.gtin}/10/{a.lot}",
    }


# Each case and the one check that must catch it: the verdict and, for a forgery,
# the reason's name, for an unreadable code the words of the parse error. A
# check removed from verify_code or the parser fails its own case here.
EXPECTED = {
    "signature bit-flipped": ("forged", "bad_signature"),
    "signature moved to another serial": ("forged", "bad_signature"),
    "signature truncated": ("invalid", "signature (s=…) is cut short"),
    "signature lengthened": ("invalid", "not 86 characters of base64url"),
    "foreign character inserted": ("invalid", "not 86 characters of base64url"),
    "foreign character encoded": ("invalid", "not 86 characters of base64url"),
    "standard base64 alphabet": ("invalid", "not 86 characters of base64url"),
    "non-canonical last character": ("invalid", "not canonically encoded"),
    "padding added": ("invalid", "not 86 characters of base64url"),
    "padding added, encoded": ("invalid", "not 86 characters of base64url"),
    "signature missing": ("invalid", "signature (s=…) is missing"),
    "signature empty": ("invalid", "signature (s=…) is cut short"),
    "key id missing": ("invalid", "key id (k=…) is missing"),
    "unknown key id": ("forged", "unknown_key"),
    "key id too long": ("invalid", "key id (k=…) is missing"),
    "duplicate s": ("invalid", "query key 's' appears more than once"),
    "duplicate k": ("invalid", "query key 'k' appears more than once"),
    "GTIN check digit wrong": ("invalid", "wrong check digit; re-check"),
    "GTIN of 13 digits": ("invalid", "GTIN must be exactly 14 digits"),
    "qualifiers out of order": ("invalid", "in the order 22, 10, 21"),
    "trailing slash": ("invalid", "the path is not of the form"),
    "double slash": ("invalid", "the path is not of the form"),
    "lot over 20 characters": ("invalid", "lot (AI 10) must be 1-20 characters"),
    "space in lot": ("invalid", "lot (AI 10) contains a character not allowed in a URL"),
    "encoded space in lot": ("invalid", "lot (AI 10) contains characters GS1 does not allow"),
    "non-ASCII lot": ("invalid", "lot (AI 10) contains a character not allowed in a URL"),
    "encoded non-ASCII lot": ("invalid", "lot (AI 10) is not ASCII"),
    "malformed escape in lot": ("invalid", "lot (AI 10) has a malformed %-escape"),
    "lot repeated as query AI": ("invalid", "AI 10 belongs in the path"),
    "serial repeated as query AI": ("invalid", "AI 21 belongs in the path"),
    "numeric query key not a GS1 AI": ("invalid", "'123' is not a GS1 data attribute AI"),
    "known AI with bad value": ("invalid", "value of AI 17 is malformed"),
    "other host": ("invalid", "not a code of this site"),
    "empty lot": ("invalid", "lot (AI 10) must be 1-20 characters"),
    "no lot": ("invalid", "the code has no lot (AI 10)"),
    "CPV added": ("invalid", "carry no CPV (AI 22)"),
    "unknown path AI": ("invalid", "AI '99' is not a key qualifier of GTIN"),
    "not a URL": ("invalid", "not a code of this site"),
    "empty": ("invalid", "no URL given"),
    "javascript URL": ("invalid", "not a code of this site"),
    "batch URL": ("invalid", "batch_url"),
}

# The end of a link lost (a chat cut it): told as such, and found by its serial when
# pasted or tapped (tests/test_web_public.py), never as 正品.
CUT_CASES = ("signature missing", "signature empty", "signature truncated", "key id missing",
             "key id too long")

CASE_NAMES = list(tamper_cases(
    f"{BASE_URL}/01/{GTIN}/10/{LOT}/21/AAAAAAAAAAAA?k=K&s={'A' * 86}",
    f"{BASE_URL}/01/{GTIN}/10/{LOT}/21/BBBBBBBBBBBB?k=K&s={'A' * 86}"))


def test_genuine_code_verifies(db, issued_urls):
    verdict = verify_url(db, issued_urls[0], BASE_URL)
    assert verdict.verdict == "genuine", verdict.reason_en
    assert verdict.product.name == "诸暨淡水珍珠项链"
    assert verdict.supplier.credit_code == "91330681MA2D7XKQ0T"
    assert (verdict.gtin, verdict.lot) == (GTIN, LOT)


def test_every_case_has_its_expectation():
    assert sorted(EXPECTED) == sorted(CASE_NAMES)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_each_tampered_or_malformed_code_is_caught_by_its_own_check(db, issued_urls, case):
    url = tamper_cases(issued_urls[0], issued_urls[1])[case]
    verdict = verify_url(db, url, BASE_URL)
    expected_verdict, expected_reason = EXPECTED[case]
    assert verdict.verdict == expected_verdict, (case, verdict.reason_en)
    if "_" in expected_reason:  # a reason's name
        assert verdict.reason_code == expected_reason
    else:  # another site's address is told apart: look-alike sites are the attack
        foreign = "not a code of this site" in expected_reason
        assert verdict.reason_code == ("other_site" if foreign else "cut_opened"
                                       if case in CUT_CASES else "unreadable")
        assert expected_reason in verdict.detail_en
    assert verdict.reason and verdict.reason_en
    assert verdict.product is None and verdict.item is None  # nothing of the real item shown
    if expected_verdict == "forged":  # what was scanned is named, to report it
        scanned = parts(url)
        assert (verdict.gtin, verdict.lot, verdict.serial, verdict.kid) == (
            scanned.gtin, scanned.lot, scanned.serial, scanned.kid)


@pytest.mark.parametrize("origin", ["HTTPS://TRACE.EXAMPLE.CN", "HtTpS://Trace.Example.CN"])
def test_upper_case_scheme_and_host_are_the_same_code(db, issued_urls, origin):
    url = origin + issued_urls[0][len(BASE_URL):]
    verdict = verify_url(db, url, BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("genuine", "genuine")
    assert verdict.serial == parts(issued_urls[0]).serial


def test_percent_escapes_are_decoded_once_only(db, issuer, make_batch):
    make_batch(lot="A")
    issue_codes(db, issuer, GTIN, "A", 1)
    genuine = next(iter(export_rows(db, GTIN, "A", BASE_URL)))["url"]
    assert verify_url(db, genuine.replace("/10/A/", "/10/%41/"), BASE_URL).verdict == "genuine"
    twice = verify_url(db, genuine.replace("/10/A/", "/10/%2541/"), BASE_URL)
    assert twice.lot == "%41"  # '%25' is '%', and the '41' after it stays text
    assert (twice.verdict, twice.reason_code) == ("forged", "bad_signature")


def test_percent_encoded_spelling_is_the_same_item(db, issued_urls):
    code = parts(issued_urls[0])
    spelled = issued_urls[0].replace(f"/10/{LOT}/", "/10/%5A%4a-2611-A/").replace(
        f"/21/{code.serial}", f"/21/%{ord(code.serial[0]):02X}{code.serial[1:]}")
    assert spelled != issued_urls[0]
    verdict = verify_url(db, spelled, BASE_URL)
    assert verdict.verdict == "genuine"
    assert verdict.serial == code.serial


def test_extra_query_keys_and_data_attributes_are_ignored(db, issued_urls):
    url = issued_urls[0] + "&lang=en&utm_source=douyin&17=271231&3103=000250"
    assert verify_url(db, url, BASE_URL).verdict == "genuine"


def test_fragment_is_ignored(db, issued_urls):
    assert verify_url(db, issued_urls[0] + "#top", BASE_URL).verdict == "genuine"


def test_signed_but_never_issued_is_forged(app, db, issuer, issued_urls):
    code = parts(issued_urls[0])
    serial = "ZZZZZZZZZZZZ"
    sig = sign_item(issuer.private_key, issuer.kid, GTIN, LOT, serial)
    url = ItemCode(GTIN, LOT, serial, issuer.kid, sig).url(BASE_URL)
    verdict = verify_url(db, url, BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("forged", "unknown_item")
    assert (verdict.serial, verdict.kid, verdict.lot) == (serial, issuer.kid, LOT)
    assert "没有发放过" in verdict.reason
    assert code.serial != serial


def test_item_of_another_lot_is_forged(db, issuer, make_batch, issued_urls):
    make_batch(lot="OTHER-LOT")
    code = parts(issued_urls[0])
    sig = sign_item(issuer.private_key, issuer.kid, GTIN, "OTHER-LOT", code.serial)
    url = ItemCode(GTIN, "OTHER-LOT", code.serial, issuer.kid, sig).url(BASE_URL)
    verdict = verify_url(db, url, BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("forged", "mismatch")
    assert verdict.product is None


def test_another_issuer_key_signing_an_issued_serial_is_forged(app, db, issuer, issued_urls):
    other = create_key(db, app.config["KEYS_DIR"], role="issuer")
    code = parts(issued_urls[0])
    private = load_private_key(app.config["KEYS_DIR"], other.kid)
    sig = sign_item(private, other.kid, GTIN, LOT, code.serial)
    verdict = verify_url(db, ItemCode(GTIN, LOT, code.serial, other.kid, sig).url(BASE_URL),
                         BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("forged", "mismatch")


def test_a_code_whose_record_holds_another_signature_is_forged(db, issued_urls):
    code = parts(issued_urls[0])
    db.execute("UPDATE items SET sig = ? WHERE serial = ?", [flip_bit(code.sig), code.serial])
    verdict = verify_url(db, issued_urls[0], BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("forged", "mismatch")
    assert (verdict.serial, verdict.lot) == (code.serial, LOT)


def _set_issued_at(db, url: str, moment: str) -> None:
    db.execute("UPDATE items SET issued_at = ? WHERE serial = ?", [moment, parts(url).serial])


def test_issued_at_the_instant_of_revocation_is_forged(db, issuer, issued_urls):
    # A key made two hours ago, whose leak is dated one hour ago.
    born = datetime.now(timezone.utc) - timedelta(hours=2)
    db.execute("UPDATE keys SET not_before = ? WHERE kid = ?",
               [born.isoformat(timespec="microseconds"), issuer.kid])
    moment = born + timedelta(hours=1)
    beijing = moment.astimezone(timezone(timedelta(hours=8)))
    record = revoke_key(db, issuer.kid, at=beijing.isoformat())
    assert record.revoked_at == moment.isoformat(timespec="microseconds")
    just_before = moment - timedelta(microseconds=1)
    _set_issued_at(db, issued_urls[0], just_before.isoformat(timespec="microseconds"))
    _set_issued_at(db, issued_urls[1], record.revoked_at)
    before = verify_url(db, issued_urls[0], BASE_URL)
    at = verify_url(db, issued_urls[1], BASE_URL)
    assert (before.verdict, at.verdict, at.reason_code) == ("genuine", "forged", "key_not_valid")
    # Not "we never issued this code": the record says we did, with a leaked key.
    assert "无法确认" in at.reason and "没有发放过" not in at.reason
    assert at.serial == parts(issued_urls[1]).serial and at.product is None


def test_retired_key_verifies_up_to_and_including_not_after(db, issuer, issued_urls):
    record = retire_key(db, issuer.kid)
    _set_issued_at(db, issued_urls[0], record.not_after)
    after = datetime.fromisoformat(record.not_after) + timedelta(microseconds=1)
    _set_issued_at(db, issued_urls[1], after.isoformat(timespec="microseconds"))
    assert verify_url(db, issued_urls[0], BASE_URL).verdict == "genuine"
    late = verify_url(db, issued_urls[1], BASE_URL)
    assert late.serial == parts(issued_urls[1]).serial
    assert (late.verdict, late.reason_code) == ("forged", "key_not_valid")


def test_issued_before_the_key_was_valid_is_forged(db, issuer, issued_urls):
    record = get_key(db, issuer.kid)
    early = datetime.fromisoformat(record.not_before) - timedelta(microseconds=1)
    _set_issued_at(db, issued_urls[0], early.isoformat(timespec="microseconds"))
    _set_issued_at(db, issued_urls[1], record.not_before)
    first, second = (verify_url(db, u, BASE_URL) for u in issued_urls[:2])
    assert (first.verdict, first.reason_code) == ("forged", "key_not_valid")
    assert second.verdict == "genuine"


def test_retired_key_still_verifies_what_it_signed(app, db, issuer, issued_urls):
    retire_key(db, issuer.kid)
    assert all(verify_url(db, url, BASE_URL).verdict == "genuine" for url in issued_urls)


def test_revoked_key_keeps_only_what_was_issued_before_revocation(app, db, issuer, make_batch):
    make_batch()
    make_batch(lot="LATER")
    issue_codes(db, issuer, GTIN, LOT, 3)
    before = [r["url"] for r in export_rows(db, GTIN, LOT, BASE_URL)]
    revoked_at = datetime.now(timezone.utc)
    issue_codes(db, issuer, GTIN, "LATER", 3)
    after = [r["url"] for r in export_rows(db, GTIN, "LATER", BASE_URL)]
    beijing = revoked_at.astimezone(timezone(timedelta(hours=8))).isoformat()
    revoke_key(db, issuer.kid, at=beijing)
    assert [verify_url(db, u, BASE_URL).verdict for u in before] == ["genuine"] * 3
    assert [verify_url(db, u, BASE_URL).verdict for u in after] == ["forged"] * 3
    leaked = sign_item(issuer.private_key, issuer.kid, GTIN, LOT, "LEAKED000001")
    assert verify_url(db, ItemCode(GTIN, LOT, "LEAKED000001", issuer.kid, leaked).url(BASE_URL),
                      BASE_URL).verdict == "forged"


def test_agency_key_cannot_sign_item_codes(app, db, issued_urls):
    record = create_key(db, app.config["KEYS_DIR"], role="agency:zjqi")
    signer = load_signer_by_kid(db, app.config["KEYS_DIR"], record.kid)
    with pytest.raises(KeyRoleError, match="may not sign"):
        signer.sign_item(GTIN, LOT, "AAAAAAAAAAAA")
    with pytest.raises(KeyRoleError, match="may not sign"):
        issue_codes(db, signer, GTIN, LOT, 1)
    # Signed outside our code with the agency's private key: still not an item code.
    code = parts(issued_urls[0])
    private = load_private_key(app.config["KEYS_DIR"], record.kid)
    sig = sign_item(private, record.kid, GTIN, LOT, code.serial)
    url = ItemCode(GTIN, LOT, code.serial, record.kid, sig).url(BASE_URL)
    verdict = verify_url(db, url, BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("forged", "wrong_role")
    assert (verdict.serial, verdict.kid) == (code.serial, record.kid)
    assert "无权" in verdict.detail and "伪造" in verdict.reason


def test_verdict_json_has_the_documented_fields(db, issued_urls):
    data = verify_url(db, issued_urls[0], BASE_URL).to_json()
    assert data["verdict"] == "genuine"
    assert data["product"] == "诸暨淡水珍珠项链"
    assert data["supplier"] == "诸暨市山下湖明珠珍珠有限公司"
    assert {"reason", "gtin", "lot", "serial", "batch", "item"} <= set(data)


def test_recalled_batch_item_and_void_say_why(db, issued_urls):
    first, second, third = (parts(u) for u in issued_urls[:3])
    db.execute("UPDATE items SET status = 'void', status_reason = '标签印坏' WHERE serial = ?",
               [first.serial])
    db.execute("UPDATE items SET status = 'recalled', status_reason = '包装破损' WHERE serial = ?",
               [second.serial])
    void = verify_url(db, issued_urls[0], BASE_URL)
    recalled = verify_url(db, issued_urls[1], BASE_URL)
    for verdict in (void, recalled):  # the buyer still sees what the item is
        assert verdict.product.name == "诸暨淡水珍珠项链" and verdict.batch.lot == LOT
    assert (void.verdict, void.reason_code, void.status_reason) == ("void", "void", "标签印坏")
    assert "作废" in void.reason and "cancelled" in void.reason_en
    assert (recalled.verdict, recalled.status_reason) == ("recalled", "包装破损")
    assert "召回" in recalled.reason and "recalled" in recalled.reason_en
    db.execute("UPDATE batches SET status = 'recalled', status_reason = NULL")
    batch_recall = verify_url(db, issued_urls[2], BASE_URL)
    assert (batch_recall.verdict, batch_recall.status_reason) == ("recalled", None)
    db.execute("UPDATE batches SET status_reason = '重金属超标'")
    for url in issued_urls[:3]:  # a batch recall outranks an item's own state
        verdict = verify_url(db, url, BASE_URL)
        assert (verdict.verdict, verdict.status_reason) == ("recalled", "重金属超标")
        assert verdict.product.name == "诸暨淡水珍珠项链" and verdict.serial in (
            first.serial, second.serial, third.serial)


def test_a_forged_verdict_names_what_was_scanned_and_nothing_more(db, issued_urls):
    code = parts(issued_urls[0])
    verdict = verify_url(db, with_sig(issued_urls[0], flip_bit(code.sig)), BASE_URL)
    assert (verdict.gtin, verdict.lot, verdict.serial, verdict.kid) == (
        GTIN, LOT, code.serial, code.kid)
    data = verdict.to_json()
    assert set(data) == {"verdict", "reason", "reason_en", "reason_code", "detail", "detail_en",
                         "gtin", "lot", "serial", "kid", "product", "supplier", "verified_at"}
    assert (data["product"], data["supplier"]) == (None, None)


def test_a_batch_url_is_not_an_item_but_names_its_batch(db, issued_urls):
    verdict = verify_url(db, f"{BASE_URL}/01/{GTIN}/10/{LOT}", BASE_URL)
    assert (verdict.verdict, verdict.reason_code, verdict.gtin, verdict.lot) == (
        "invalid", "batch_url", GTIN, LOT)
    assert verdict.reason == "这是批次页面的网址，不是单件商品的追溯码。请扫描商品标签上的二维码。"
    assert verdict.reason_en.startswith("This is a batch page address, not an item's code.")


def test_genuine_json_is_complete_and_public(db, issued_urls):
    code = parts(issued_urls[0])
    verdict = verify_url(db, issued_urls[0], BASE_URL)
    data = verdict.to_json()
    named = ("verdict", "reason", "reason_en", "reason_code", "gtin", "lot", "serial", "kid",
             "product", "supplier")
    assert {k: data[k] for k in named} == {
        "verdict": "genuine", "reason": "这是本平台为这件商品发放的追溯码，防伪签名核对无误。",
        "reason_en": "This is the code we issued for this item, and its anti-forgery "
                     "signature checks out.", "reason_code": "genuine",
        "gtin": GTIN, "lot": LOT, "serial": code.serial, "kid": code.kid,
        "product": "诸暨淡水珍珠项链", "supplier": "诸暨市山下湖明珠珍珠有限公司"}
    assert data["verified_at"] == verdict.verified_at
    assert data["product_info"]["name"] == "诸暨淡水珍珠项链"
    assert data["product_info"]["standard"] == "GB/T 18781-2023"
    assert data["supplier_info"] == {"name": "诸暨市山下湖明珠珍珠有限公司",
                                     "credit_code": "91330681MA2D7XKQ0T",
                                     "phone": "0575 8700 0000", "address": "浙江省诸暨市山下湖镇",
                                     "suspended_at": None, "suspended_reason": None}
    assert data["batch"] == {"gtin": GTIN, "lot": LOT, "produced_on": "2026-11-10",
                             "expires_on": None, "status": "open", "status_reason": None}
    assert data["item"]["serial"] == code.serial and data["item"]["status"] == "active"
    assert data["item"]["kid"] == code.kid and data["item"]["issued_at"]
    assert set(data["item"]) == {"serial", "status", "status_reason", "issued_at", "kid",
                                 "has_pin"}


def test_batch_view_counts_what_was_issued(db, issued_urls):
    view = batch_view(db, GTIN, LOT)
    assert (view["batch"].lot, view["product"].gtin, view["issued"]) == (LOT, GTIN, 5)
    assert view["supplier"].credit_code == "91330681MA2D7XKQ0T"
    data = public_batch_json(view)
    assert set(data) == {"batch", "product", "supplier", "issued", "events", "inspections",
                         "items_recalled", "items_void", "cancelled", "records_altered",
                         "caution"}
    assert data["cancelled"] is None and data["records_altered"] is False
    assert data["caution"] is None
    assert data["items_recalled"] == data["items_void"] == 0
    assert (data["batch"]["lot"], data["product"]["gtin"], data["issued"]) == (LOT, GTIN, 5)
    assert data["supplier"]["credit_code"] == "91330681MA2D7XKQ0T"


def test_no_reason_given_leaves_no_empty_reason_behind(db, issued_urls):
    db.execute("UPDATE items SET status = 'recalled', status_reason = NULL WHERE serial = ?",
               [parts(issued_urls[0]).serial])
    recalled = verify_url(db, issued_urls[0], BASE_URL)
    assert recalled.status_reason is None
    assert "{" not in recalled.reason and "None" not in recalled.reason_en


def test_a_record_moved_to_another_lot_is_forged(db, make_batch, issued_urls):
    """Defence in depth: the stored item must belong to the lot the code names."""
    other = make_batch(lot="OTHER-LOT")
    db.execute("UPDATE items SET batch_id = ? WHERE serial = ?",
               [other.id, parts(issued_urls[0]).serial])
    verdict = verify_url(db, issued_urls[0], BASE_URL)
    assert (verdict.verdict, verdict.reason_code, verdict.lot) == ("forged", "mismatch", LOT)
    assert verdict.product is None


def test_a_pasted_address_cut_short_finds_its_item_by_serial_but_never_says_genuine(
        db, issued_urls):
    cut = issued_urls[0].split("&s=")[0]  # a chat app cut the signature off
    verdict = verify_text(db, f"宝贝链接 {cut}", BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("registered", "cut_link")
    assert verdict.product.name == "诸暨淡水珍珠项链" and "网址不完整" in verdict.detail
    unknown = verify_text(db, cut.split("/21/")[0] + "/21/ZZZZZZZZZZZZ?k=K", BASE_URL)
    assert (unknown.verdict, unknown.reason_code) == ("invalid", "cut_opened")
    # Given to the command line as an address, it is not read: whoever typed it has
    # the whole code to hand.
    opened = verify_url(db, cut, BASE_URL)
    assert (opened.verdict, opened.reason_code) == ("invalid", "cut_opened")
    assert opened.product is None and "后半截（防伪签名）缺了" in opened.reason


def test_a_pasted_address_whose_signature_was_cut_part_way_finds_its_item(db, issued_urls):
    """Only an address cut before s= was read: one cut inside its signature said
    签名不是 86 位 base64url 字符, developer's words for a chat app's doing."""
    verdict = verify_text(db, issued_urls[0][:-20], BASE_URL)
    assert (verdict.verdict, verdict.reason_code) == ("registered", "cut_link")
    assert "防伪签名（s=…）不全" in verdict.detail
