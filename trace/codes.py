"""The signed item code (DESIGN §4): canonical message, signing, strict parsing.

A code is ``{BASE}/01/{GTIN14}/10/{LOT}/21/{SERIAL}?k={KID}&s={SIG}`` where SIG
is Ed25519 over ``trace-v1|{KID}|/01/{GTIN14}/10/{LOT}/21/{SERIAL}``, encoded as
unpadded base64url (86 characters)::

    code = ItemCode("09521234000013", "LOT1", "ABC", "K1", sign_item(key, "K1", ...))
    parsed = parse_code(code.url("https://trace.example.cn"), "https://trace.example.cn")
    verify_signature(public_raw, parsed)  # True or False
"""

from __future__ import annotations

import base64
import functools
import re
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import CutLink, InvalidCode, NotOurSite
from .gs1 import DigitalLink, parse_path_and_query

MESSAGE_PREFIX = "trace-v1"
# RFC 4648 base32 letters to Crockford's (no I, L, O, U): serials and key ids.
TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                             "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
SIG_RE = re.compile(r"[A-Za-z0-9_-]{86}")
KID_RE = re.compile(r"[0-9A-Za-z]{1,8}")
_ORIGIN_RE = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)


def group_serial(serial: str) -> str:
    """A serial as people read it aloud: groups of four, ``RZJ4-WDFF-XA07``."""
    return "-".join(serial[i:i + 4] for i in range(0, len(serial), 4))


# Crockford's reading rules for a typed code: O is 0, I and L are 1.
_TYPED_FOLD = str.maketrans("OIL", "011")
_TYPED_SERIAL_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{12,20}")
# Separators, and the invisible characters a chat app's copy brings along
# (zero-width spaces and joiners, the BOM, soft hyphens, bidi marks).
_TYPED_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－_.·\u200b-\u200f\u2060\ufeff\u00ad]+")
# What a buyer copies along with the code from a label or a chat: "追溯码：RZJ4-...".
_TYPED_LABEL = re.compile(r"^(?:追溯码|防伪码|查询码|trace\s*code)\s*[:：]?\s*", re.IGNORECASE)


def normalise_typed_serial(text: str) -> str:
    """The serial a buyer typed from the label, as issued: any case, with or without
    dashes or spaces, Crockford look-alikes folded.

    >>> normalise_typed_serial(" rzj4-wdff-xao7 ")
    'RZJ4WDFFXA07'
    >>> normalise_typed_serial("ＲＺＪ４－ＷＤＦＦ－ＸＡ０７")
    'RZJ4WDFFXA07'
    >>> normalise_typed_serial("追溯码：RZJ4-WDFF-XA07")
    'RZJ4WDFFXA07'
    >>> normalise_typed_serial("RZJ4-WDFF-XA07\u200b")   # copied out of a chat
    'RZJ4WDFFXA07'
    """
    text = unicodedata.normalize("NFKC", text or "")  # full-width Ｇ２１８ from a CJK keyboard
    text = _TYPED_LABEL.sub("", text.strip())
    serial = _TYPED_SEPARATORS.sub("", text).upper().translate(_TYPED_FOLD)
    if not _TYPED_SERIAL_RE.fullmatch(serial):
        raise InvalidCode(f"{text.strip()[:40]!r} is not a trace code as printed on our labels",
                          message_zh="这不是标签上印的追溯码格式，请核对后重新输入")
    return serial


def canonical_path(gtin: str, lot: str, serial: str) -> str:
    return f"/01/{gtin}/10/{lot}/21/{serial}"


def signed_message(kid: str, gtin: str, lot: str, serial: str) -> bytes:
    """The exact bytes an issuer key signs for one item."""
    return f"{MESSAGE_PREFIX}|{kid}|{canonical_path(gtin, lot, serial)}".encode()


def encode_signature(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_signature(text: str) -> bytes:
    """Strict base64url: 86 characters of the alphabet, canonical last character."""
    if not SIG_RE.fullmatch(text):
        raise InvalidCode("the signature is not 86 characters of base64url",
                          message_zh="签名不是 86 位 base64url 字符")
    raw = base64.urlsafe_b64decode(text + "==")
    if encode_signature(raw) != text:
        raise InvalidCode("the signature is not canonically encoded",
                          message_zh="签名编码不规范")
    return raw


def sign_item(private_key: Ed25519PrivateKey, kid: str, gtin: str, lot: str,
              serial: str) -> str:
    return encode_signature(private_key.sign(signed_message(kid, gtin, lot, serial)))


@dataclass(frozen=True)
class ItemCode:
    """A parsed (or freshly issued) item code; ``sig`` is the base64url text."""

    gtin: str
    lot: str
    serial: str
    kid: str
    sig: str

    @property
    def path(self) -> str:
        return DigitalLink(self.gtin, lot=self.lot, serial=self.serial).path

    @property
    def message(self) -> bytes:
        return signed_message(self.kid, self.gtin, self.lot, self.serial)

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{self.path}?k={self.kid}&s={self.sig}"


@dataclass(frozen=True)
class BatchRef:
    """The batch URL ``/01/{GTIN}/10/{LOT}``: the batch page, never an item."""

    gtin: str
    lot: str

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{DigitalLink(self.gtin, lot=self.lot).path}"


# Loading a public key is a pure function of its bytes, and every scan loads one
# of a handful of issuer keys.
_public_key = functools.lru_cache(maxsize=256)(Ed25519PublicKey.from_public_bytes)


def verify_signature(public_raw: bytes, code: ItemCode) -> bool:
    """True if ``code.sig`` is a valid Ed25519 signature by ``public_raw``."""
    return _signature_holds(public_raw, code.sig, code.message)


# The answer is a pure function of the key, the signature and the message, and a
# code is read many times (its buyer reloads, a livestream shows one code to a
# whole room), while checking costs about a tenth of a verify page. Bounded, so
# a flood of made-up codes only pushes older answers out.
@functools.lru_cache(maxsize=16384)
def _signature_holds(public_raw: bytes, sig: str, message: bytes) -> bool:
    try:
        _public_key(public_raw).verify(decode_signature(sig), message)
    except (InvalidSignature, InvalidCode, ValueError):
        return False
    return True


def _host(origin: str) -> str:
    return origin.split("://", 1)[1].rsplit(":", 1)[0].lower()


def _netloc(origin: str) -> str:
    """Host and port, as the origin writes them, in lower case; no scheme."""
    return origin.split("://", 1)[1].lower()


def strip_base(url: str, base_url: str | None) -> str:
    """Return the path and query of ``url`` after our base URL (or any origin).

    Scheme and host compare without regard to case (RFC 3986 §6.2.2.1: a
    camera app may well upper-case them); the path never does. http and https
    name the same code on our host: a scan reaches us by either (the proxy moves
    http to https), so a pasted copy with the other one is ours too.
    """
    if not isinstance(url, str) or not url:
        raise InvalidCode("no URL given", message_zh="未提供网址")
    url = url.split("#", 1)[0]
    match = _ORIGIN_RE.match(url)
    if base_url is None:
        if not match:
            raise InvalidCode("not an http(s) URL", message_zh="不是 http(s) 网址")
        return url[match.end():]
    base = base_url.rstrip("/")
    base_origin = _ORIGIN_RE.match(base)
    prefix = base[base_origin.end():] if base_origin else base
    rest = url[match.end():] if match else ""
    if not (match and base_origin and _netloc(match.group()) == _netloc(base_origin.group())
            and rest.startswith(prefix + "/")):
        # Another host is a look-alike site; our host with another port is only a
        # bad copy of our address.
        ours = match is not None and base_origin is not None and \
            _host(match.group()) == _host(base_origin.group())
        problem = InvalidCode if ours else NotOurSite
        raise problem(f"not a code of this site: it must start with {base}/",
                      message_zh=f"不是本平台的追溯码：网址应以 {base}/ 开头")
    return rest[len(prefix):]


def parse_link(url: str, base_url: str | None = None) -> ItemCode | BatchRef:
    """Parse an item code or a batch URL strictly; raise ``InvalidCode`` otherwise."""
    link = parse_path_and_query(strip_base(url, base_url))
    if link.cpv is not None:
        raise InvalidCode("Trace codes carry no CPV (AI 22)",
                          message_zh="本平台的追溯码不含 AI 22")
    if link.lot is None:
        raise InvalidCode("the code has no lot (AI 10)", message_zh="追溯码缺少批号（AI 10）")
    if link.serial is None:
        return BatchRef(link.gtin, link.lot)
    return _item_from_link(link)


def parse_code(url: str, base_url: str | None = None) -> ItemCode:
    """Like :func:`parse_link` but only an item code is accepted."""
    parsed = parse_link(url, base_url)
    if isinstance(parsed, BatchRef):
        raise InvalidCode("this is a batch URL, not an item code (no serial, AI 21)",
                          message_zh="这是批次网址，不是单品追溯码（缺少序列号 AI 21）")
    return parsed


def _item_from_link(link: DigitalLink) -> ItemCode:
    kid, sig = link.query.get("k"), link.query.get("s")
    assert link.serial is not None
    if sig is None:
        raise CutLink("the address is incomplete: its anti-forgery signature (s=…) is "
                      "missing; it may have been cut off when copied", serial=link.serial,
                      message_zh="网址不完整：缺少末尾的防伪签名（s=…），可能复制时被截断了")
    if kid is None or not KID_RE.fullmatch(kid):
        raise CutLink("the address is incomplete: its key id (k=…) is missing or damaged; "
                      "it may have been cut off when copied", serial=link.serial,
                      message_zh="网址不完整：缺少或损坏了密钥编号（k=…），可能复制时被截断了")
    if len(sig) < 86 and re.fullmatch(r"[A-Za-z0-9_-]*", sig):  # its end lost in a chat
        raise CutLink("the address is incomplete: its anti-forgery signature (s=…) is cut "
                      "short; it may have been cut off when copied", serial=link.serial,
                      message_zh="网址不完整：防伪签名（s=…）不全，可能复制时被截断了")
    decode_signature(sig)
    assert link.lot is not None and link.serial is not None
    return ItemCode(link.gtin, link.lot, link.serial, kid, sig)
