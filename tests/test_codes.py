"""Canonical message, strict signature encoding, parsing of item and batch URLs."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from trace.codes import (BatchRef, ItemCode, decode_signature, encode_signature, group_serial,
                         parse_code,
                         parse_link, sign_item, signed_message, verify_signature)
from trace.errors import InvalidCode

BASE = "https://trace.example.cn"


def test_signed_message_is_the_documented_string():
    assert signed_message("K1", "09521234000013", "L-1", "ABC") == \
        b"trace-v1|K1|/01/09521234000013/10/L-1/21/ABC"


def test_sign_and_verify_round_trip():
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    sig = sign_item(key, "K1", "09521234000013", "L-1", "ABCDEFGHJKMN")
    assert len(sig) == 86 and "=" not in sig
    code = ItemCode("09521234000013", "L-1", "ABCDEFGHJKMN", "K1", sig)
    assert verify_signature(public, code)
    assert not verify_signature(public, ItemCode(code.gtin, code.lot, "ABCDEFGHJKMP", "K1", sig))
    assert not verify_signature(public, ItemCode(code.gtin, code.lot, code.serial, "K2", sig))
    parsed = parse_code(code.url(BASE), BASE)
    assert parsed == code


def test_a_remembered_answer_holds_only_for_the_same_key_signature_and_message():
    """Checks are remembered; a good answer must never carry over to another key,
    an altered signature or another serial, nor a bad answer make a good code bad."""
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    public, other_public = (k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
                            for k in (key, other))
    sig = sign_item(key, "K1", "09521234000013", "L-1", "ABCDEFGHJKMN")
    code = ItemCode("09521234000013", "L-1", "ABCDEFGHJKMN", "K1", sig)
    altered = ("B" if sig[0] == "A" else "A") + sig[1:]
    for _ in range(2):  # the second round reads remembered answers
        assert verify_signature(public, code)
        assert not verify_signature(other_public, code)
        assert not verify_signature(public, ItemCode(code.gtin, code.lot, code.serial, "K1",
                                                     altered))
        assert not verify_signature(public, ItemCode(code.gtin, code.lot, "ABCDEFGHJKMP",
                                                     "K1", sig))


def test_decode_signature_rejects_non_canonical_encodings():
    raw = bytes(range(64))
    text = encode_signature(raw)
    assert decode_signature(text) == raw
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sloppy = text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]  # an unused bit set
    assert base64.urlsafe_b64decode(sloppy + "==") == raw  # lenient decoders agree...
    with pytest.raises(InvalidCode, match="canonical"):
        decode_signature(sloppy)                           # ...we do not
    for bad in (text + "==", text[:-1], text[:40] + "+" + text[41:], text[:40] + "." + text[41:]):
        with pytest.raises(InvalidCode):
            decode_signature(bad)


def test_parse_link_tells_batch_from_item():
    assert parse_link(f"{BASE}/01/09521234000013/10/L-1", BASE) == BatchRef("09521234000013", "L-1")
    with pytest.raises(InvalidCode, match="batch URL"):
        parse_code(f"{BASE}/01/09521234000013/10/L-1", BASE)


SIG = "A" * 86


def test_parse_without_base_accepts_any_http_origin_in_any_case():
    code = parse_code(f"http://example.org:8080/01/09521234000013/10/L/21/S?k=K&s={SIG}")
    assert code.serial == "S"
    code = parse_code(f"HTTP://Example.ORG/01/09521234000013/10/L/21/S?k=K&s={SIG}")
    assert code.serial == "S"
    with pytest.raises(InvalidCode, match="not an http"):
        parse_code(f"ftp://example.org/01/09521234000013/10/L/21/S?k=K&s={SIG}")


@pytest.mark.parametrize("origin", ["HTTPS://TRACE.EXAMPLE.CN", "Https://Trace.Example.cn",
                                    "http://trace.example.cn"])  # a streamer typed http
def test_scheme_and_host_of_our_base_compare_without_case(origin):
    code = parse_code(f"{origin}/01/09521234000013/10/L/21/S?k=K&s={SIG}", BASE)
    assert (code.gtin, code.lot, code.serial, code.kid) == ("09521234000013", "L", "S", "K")


@pytest.mark.parametrize("url", [
    "https://trace.example.cn.evil.example/01/09521234000013/10/L/21/S",
    "https://trace.example.cn@evil.example/01/09521234000013/10/L/21/S",
    "https://trace.example.cn:8443/01/09521234000013/10/L/21/S",
    "http://trace.example.cn:8443/01/09521234000013/10/L/21/S",
    "trace.example.cn/01/09521234000013/10/L/21/S",
])
def test_only_our_own_origin_is_accepted_with_a_base(url):
    with pytest.raises(InvalidCode, match="not a code of this site"):
        parse_code(f"{url}?k=K&s={SIG}", BASE)


def test_a_base_with_a_path_prefix_keeps_the_prefix_case_sensitive():
    base = "https://example.cn/Trace"
    assert parse_code(f"HTTPS://EXAMPLE.CN/Trace/01/09521234000013/10/L/21/S?k=K&s={SIG}",
                      base).serial == "S"
    with pytest.raises(InvalidCode, match="not a code of this site"):
        parse_code(f"https://example.cn/trace/01/09521234000013/10/L/21/S?k=K&s={SIG}", base)


@pytest.mark.parametrize("kid", ["K%0A", "K%0D", "K%20", "%0AK", "K%00"])
def test_key_id_with_a_control_character_is_invalid(kid):
    with pytest.raises(InvalidCode, match="key id"):
        parse_code(f"{BASE}/01/09521234000013/10/L/21/S?k={kid}&s={SIG}", BASE)


def test_signature_with_a_trailing_newline_is_invalid():
    with pytest.raises(InvalidCode, match="86 characters"):
        parse_code(f"{BASE}/01/09521234000013/10/L/21/S?k=K&s={SIG}%0A", BASE)


def test_url_percent_encodes_only_what_needs_it():
    code = ItemCode("09521234000013", "A/B", "S", "K", "x")
    assert code.url(BASE + "/") == f"{BASE}/01/09521234000013/10/A%2FB/21/S?k=K&s=x"


ITEM = "/01/09521234000013/10/L/21/S"


NO_KID = ("the address is incomplete: its key id (k=…) is missing or damaged; it may have been "
          "cut off when copied", "网址不完整：缺少或损坏了密钥编号（k=…），可能复制时被截断了")


@pytest.mark.parametrize("url, message, message_zh", [
    (None, "no URL given", "未提供网址"),
    ("", "no URL given", "未提供网址"),
    (f"https://other.example{ITEM}?k=K&s={SIG}",
     "not a code of this site: it must start with https://trace.example.cn/",
     "不是本平台的追溯码：网址应以 https://trace.example.cn/ 开头"),
    (f"{BASE}{ITEM}?k=K", "the address is incomplete: its anti-forgery signature (s=…) is "
     "missing; it may have been cut off when copied",
     "网址不完整：缺少末尾的防伪签名（s=…），可能复制时被截断了"),
    (f"{BASE}{ITEM}?s={SIG}", *NO_KID),
    (f"{BASE}{ITEM}?k=&s={SIG}", *NO_KID),
    (f"{BASE}{ITEM}?k=K-1&s={SIG}", *NO_KID),
    (f"{BASE}{ITEM}?k=K&s={SIG[:-1]}", "the address is incomplete: its anti-forgery signature "
     "(s=…) is cut short; it may have been cut off when copied",
     "网址不完整：防伪签名（s=…）不全，可能复制时被截断了"),
    (f"{BASE}{ITEM}?k=K&s={SIG[:-1]}!", "the signature is not 86 characters of base64url",
     "签名不是 86 位 base64url 字符"),
    (f"{BASE}/01/09521234000013/22/V/10/L/21/S?k=K&s={SIG}", "Trace codes carry no CPV (AI 22)",
     "本平台的追溯码不含 AI 22"),
    (f"{BASE}/01/09521234000013/21/S?k=K&s={SIG}", "the code has no lot (AI 10)",
     "追溯码缺少批号（AI 10）"),
    (f"{BASE}/01/09521234000013/10/L", "this is a batch URL, not an item code (no serial, AI 21)",
     "这是批次网址，不是单品追溯码（缺少序列号 AI 21）"),
])
def test_parse_code_says_what_is_wrong_in_both_languages(url, message, message_zh):
    with pytest.raises(InvalidCode) as caught:
        parse_code(url, BASE)
    assert (caught.value.message, caught.value.message_zh) == (message, message_zh)


def test_a_url_without_http_is_named_when_any_origin_is_allowed():
    with pytest.raises(InvalidCode) as caught:
        parse_link("ftp://example.org/01/09521234000013/10/L")
    assert (caught.value.message, caught.value.message_zh) == (
        "not an http(s) URL", "不是 http(s) 网址")


def test_non_canonical_signature_message():
    text = encode_signature(bytes(range(64)))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sloppy = text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]
    with pytest.raises(InvalidCode) as caught:
        decode_signature(sloppy)
    assert (caught.value.message, caught.value.message_zh) == (
        "the signature is not canonically encoded", "签名编码不规范")


@pytest.mark.parametrize("suffix", ["#top", "#a#b", "#?k=X&s=Y", "#/21/OTHER"])
def test_the_fragment_is_dropped_whatever_it_holds(suffix):
    code = parse_code(f"{BASE}{ITEM}?k=K&s={SIG}{suffix}", BASE)
    assert (code.serial, code.kid, code.sig) == ("S", "K", SIG)


def test_a_base_with_a_trailing_slash_is_the_same_base():
    code = parse_code(f"{BASE}{ITEM}?k=K&s={SIG}", BASE + "/")
    assert code.serial == "S"
    assert code.url(BASE + "/") == f"{BASE}{ITEM}?k=K&s={SIG}"
    assert BatchRef("09521234000013", "L").url(BASE + "/") == f"{BASE}/01/09521234000013/10/L"


def test_without_a_base_any_origin_is_stripped():
    link = parse_link(f"https://example.org{ITEM}?k=K&s={SIG}")
    assert isinstance(link, ItemCode) and link.kid == "K"
    assert parse_link("http://example.org/01/09521234000013/10/L-2") == \
        BatchRef("09521234000013", "L-2")


@pytest.mark.parametrize("serial, grouped", [
    ("RZJ4WDFFXA07", "RZJ4-WDFF-XA07"), ("ABCDE", "ABCD-E"), ("ABCD", "ABCD"), ("", ""),
])
def test_group_serial_reads_in_fours(serial, grouped):
    assert group_serial(serial) == grouped
