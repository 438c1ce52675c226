"""GS1 identifiers: GTIN check digits and GS1 Digital Link URI paths.

Pure functions, no database. Parsing follows the GS1 Digital Link rules that
matter for a traceability code: primary key AI 01 first, then the key
qualifiers 22, 10, 21 in that order, each at most once; values percent-decoded
and checked against the 82-character set; a numeric query key must be a known
data attribute AI::

    >>> gtin_check_digit("0952123400001")
    3
    >>> link = parse_path_and_query("/01/09521234000013/10/LOT1/21/ABC?k=K1&s=x")
    >>> link.lot, link.serial, link.query["k"]
    ('LOT1', 'ABC', 'K1')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from .errors import InvalidCode
from .digits import is_number

# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    "abcdefghijklmnopqrstuvwxyz"
)
# Characters that may stand raw in a URI path segment or query (RFC 3986).
_URI_RAW = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "-._~!$&'()*+,;=:@%/?"
)
_URI_RAW_TEXT = re.compile("[" + re.escape("".join(sorted(_URI_RAW))) + "]*")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_GTIN14 = re.compile(r"[0-9]{14}")

QUALIFIER_ORDER = ("22", "10", "21")  # CPV, batch/lot, serial, for AI 01
MAX_QUALIFIER_LEN = 20

# Data attribute AIs allowed in the query string, with the value each takes.
_DATE = re.compile(r"[0-9]{6}")
QUERY_ATTRIBUTE_AIS: dict[str, re.Pattern] = {
    **{ai: _DATE for ai in ("11", "12", "13", "15", "16", "17")},
    "30": re.compile(r"[0-9]{1,8}"),
    "37": re.compile(r"[0-9]{1,8}"),
    "7003": re.compile(r"[0-9]{10}"),
}
_MEASURE_AI = re.compile(r"3[1-6][0-9]{2}")  # net weight, length, ... (6 digits)
_INTERNAL_AI = re.compile(r"9[0-9]")  # company internal information
_INTERNAL_VALUE = re.compile(r".{1,90}")
_SIX_DIGITS = re.compile(r"[0-9]{6}")


def gtin_check_digit(data_digits: str) -> int:
    """Check digit for the data digits of a GTIN (weights 3,1,3,... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1)
                for i, d in enumerate(reversed(data_digits)))
    return (10 - total % 10) % 10


def validate_gtin14(gtin: str) -> str:
    """Return ``gtin`` if it is 14 digits with a valid check digit, else raise."""
    if not isinstance(gtin, str) or not _GTIN14.fullmatch(gtin):
        raise InvalidCode(f"GTIN must be exactly 14 digits, got {gtin!r}",
                          message_zh=f"GTIN 必须是 14 位数字：{gtin!r}")
    expected = gtin_check_digit(gtin[:13])
    if int(gtin[13]) != expected:
        raise InvalidCode(
            f"GTIN {gtin} has a wrong check digit; re-check the number",
            message_zh=f"GTIN {gtin} 校验位错误，请核对")
    return gtin


# What each part of a code is called, in English and for a buyer in Chinese.
PART_NAMES = {"10": ("lot (AI 10)", "批号"), "21": ("serial (AI 21)", "序列号"),
              "22": ("CPV (AI 22)", "CPV"), "key": ("a query key", "网址参数名")}


def _names(what: str) -> tuple[str, str]:
    return PART_NAMES.get(what) or (f"query value of {what!r}", f"网址参数 {what} 的值")


def percent_decode(raw: str, what: str) -> str:
    """Strict percent-decoding: bad escapes or non-ASCII results are rejected.

    ``what`` names the part for the error: an AI, ``"key"``, or a query key."""
    if "%" not in raw and _URI_RAW_TEXT.fullmatch(raw):
        return raw  # the common case (our own codes): nothing to decode
    en, zh = _names(what)
    if not _URI_RAW_TEXT.fullmatch(raw):
        raise InvalidCode(f"{en} contains a character not allowed in a URL",
                          message_zh=f"{zh}含有网址中不允许的字符")
    if raw.count("%") != len(_PCT.findall(raw)):
        raise InvalidCode(f"{en} has a malformed %-escape", message_zh=f"{zh}的百分号编码有误")
    data = _PCT.sub(lambda m: chr(int(m.group(1), 16)), raw)
    if any(ord(ch) > 127 for ch in data):
        raise InvalidCode(f"{en} is not ASCII", message_zh=f"{zh}含有非 ASCII 字符")
    return data


def check_qualifier(ai: str, value: str) -> str:
    """A key qualifier value: 1-20 characters of the GS1 82-character set."""
    label, zh = PART_NAMES[ai]
    if not 1 <= len(value) <= MAX_QUALIFIER_LEN:
        raise InvalidCode(f"{label} must be 1-{MAX_QUALIFIER_LEN} characters",
                          message_zh=f"{zh}长度应为 1–{MAX_QUALIFIER_LEN} 个字符")
    bad = sorted({ch for ch in value if ch not in CHARSET_82})
    if bad:
        raise InvalidCode(f"{label} contains characters GS1 does not allow: {''.join(bad)!r}",
                          message_zh=f"{zh}含有 GS1 不允许的字符")
    return value


def encode_value(value: str) -> str:
    """Percent-encode a qualifier for a URI path (our own values need none)."""
    return quote(value, safe="-._~!$&'()*+,;=:@")


@dataclass(frozen=True)
class DigitalLink:
    """A parsed GS1 Digital Link path for AI 01, with its decoded query."""

    gtin: str
    lot: str | None = None
    serial: str | None = None
    cpv: str | None = None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        parts = [f"/01/{self.gtin}"]
        for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial)):
            if value is not None:
                parts.append(f"/{ai}/{encode_value(value)}")
        return "".join(parts)


def parse_path_and_query(path_and_query: str) -> DigitalLink:
    """Parse ``/01/{gtin}[/22/..][/10/..][/21/..][?query]`` strictly."""
    path, _, query = path_and_query.partition("?")
    segments = path.split("/")
    if segments[0] != "" or len(segments) < 3 or len(segments) % 2 == 0:
        raise InvalidCode("the path is not of the form /01/{GTIN}/10/{LOT}/21/{SERIAL}",
                          message_zh="路径格式不符合 /01/{GTIN}/10/{批号}/21/{序列号}")
    pairs = list(zip(segments[1::2], segments[2::2]))
    if pairs[0][0] != "01":
        raise InvalidCode("the path must start with AI 01 (GTIN)",
                          message_zh="路径必须以 AI 01（GTIN）开头")
    gtin = validate_gtin14(pairs[0][1])
    qualifiers = _parse_qualifiers(pairs[1:])
    parsed_query = parse_query(query, set(qualifiers) | {"01"})
    return DigitalLink(gtin=gtin, lot=qualifiers.get("10"), serial=qualifiers.get("21"),
                       cpv=qualifiers.get("22"), query=parsed_query)


def _parse_qualifiers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    position = -1
    for ai, raw in pairs:
        if ai not in QUALIFIER_ORDER:
            raise InvalidCode(f"AI {ai!r} is not a key qualifier of GTIN",
                              message_zh=f"AI {ai!r} 不是 GTIN 的限定符")
        index = QUALIFIER_ORDER.index(ai)
        if index <= position:
            raise InvalidCode("key qualifiers must appear once each, in the order 22, 10, 21",
                              message_zh="限定符须按 22、10、21 顺序且各出现一次")
        position = index
        found[ai] = check_qualifier(ai, percent_decode(raw, ai))
    return found


def parse_query(query: str, path_ais: set[str]) -> dict[str, str]:
    """Decode the query; unknown or misplaced numeric keys make the URL invalid."""
    result: dict[str, str] = {}
    for piece in query.split("&"):
        if not piece:
            continue
        raw_key, _, raw_value = piece.partition("=")
        key = percent_decode(raw_key, "key")
        value = percent_decode(raw_value, key)
        if is_number(key):
            _check_query_ai(key, value, path_ais)
        if key in result and (key.isdigit() or key in ("k", "s")):
            raise InvalidCode(f"query key {key!r} appears more than once",
                              message_zh=f"参数 {key!r} 重复出现")
        result[key] = value
    return result


def _check_query_ai(ai: str, value: str, path_ais: set[str]) -> None:
    if ai in path_ais or ai in QUALIFIER_ORDER:
        raise InvalidCode(f"AI {ai} belongs in the path, not the query",
                          message_zh=f"AI {ai} 只能出现在路径中")
    pattern = QUERY_ATTRIBUTE_AIS.get(ai)
    if pattern is None and _MEASURE_AI.fullmatch(ai):
        pattern = _SIX_DIGITS
    elif pattern is None and _INTERNAL_AI.fullmatch(ai):
        pattern = _INTERNAL_VALUE
    if pattern is None:
        raise InvalidCode(f"query key {ai!r} is not a GS1 data attribute AI",
                          message_zh=f"参数 {ai!r} 不是 GS1 数据属性 AI")
    if not pattern.fullmatch(value):
        raise InvalidCode(f"value of AI {ai} is malformed", message_zh=f"AI {ai} 的值格式错误")
