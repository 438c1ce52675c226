"""Telephone numbers as suppliers type them, checked and written one way.

A buyer with a recalled or failed item is told to call the producer, so the number
on the page must be one a phone can dial. libphonenumber (``phonenumbers``) knows
China's numbering plan (mobile, landlines with area codes, 400/800 lines) and every
other country's, which a pattern of our own would get wrong at the edges::

    >>> written_phone("0575-87123456", what="customer service phone", what_zh="客服电话")
    '0575 8712 3456'
    >>> written_phone("１３８０５７５１２３４ ", what="phone", what_zh="电话")
    '138 0575 1234'
    >>> written_phone("400-820-8820 转 21", what="phone", what_zh="电话")
    '400 820 8820 转 21'
    >>> tel_href("0575 8712 3456 转 8021")
    'tel:+8657587123456,8021'
    >>> [(found, tel) for found, tel in numbers_in("微信 pearl88，电话 139 5717 2468")]
    [('139 5717 2468', 'tel:+8613957172468')]
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

from .errors import InvalidInput

_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x)\s*(\d{1,6})\s*$", re.IGNORECASE)
_DASHED_EXTENSION = re.compile(r"(.*\d)\s*-\s*(\d{1,6})")
_EXAMPLES_ZH = ("座机请写区号，如 0575-8712 3456；手机 11 位，如 138 0575 1234；"
                "分机写在后面，如 0575-8712 3456 转 8021")
_EXAMPLES = ("a landline with its area code, like 0575-8712 3456, or an 11-digit mobile; "
             "an extension after it, like 0575-8712 3456 ext. 8021")


def written_phone(text: str | None, *, what: str, what_zh: str) -> str | None:
    """``text`` as a dialable number written the usual way (None when empty); a
    number no phone could dial is refused, naming the field."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    extension = _EXTENSION.search(text)
    number_part, ext = (text[:extension.start()], extension.group(1)) if extension else (text, "")
    number = _valid(number_part)
    if number is None and not ext and (dashed := _DASHED_EXTENSION.fullmatch(text)):
        # 0573-87012345-8021, as business cards write an extension
        number, ext = _valid(dashed.group(1)), dashed.group(2)
    if number is None:
        raise InvalidInput(f"{what} {text} is not a telephone number: write {_EXAMPLES}",
                           message_zh=f"{what_zh} {text} 不是有效的电话号码：{_EXAMPLES_ZH}")
    written = _written(number)
    return f"{written} 转 {ext}" if ext else written


# A run of digits in free text that reads as a phone number someone meant to leave:
# not part of a WeChat id (pearl88, wxid_1234), nor a QQ or WeChat number so named.
_DIGIT_RUN = re.compile(r"(?<![\w+])\+?\d[\d \-]{5,}\d(?![\w])")
_NAMED_ID = re.compile(r"(?:qq|QQ|微信号?|wx|vx|WX|VX)[\s:：号]*$")


def checked_contact(text: str | None) -> str:
    """A buyer's "how to reach me" as free text (a WeChat id, a mobile, both), with
    full-width digits written plainly; a number cut short ('1381234', a slip of the
    thumb) is refused with how to write one, as the operator could not ring it."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    for run in _DIGIT_RUN.finditer(text):
        if _NAMED_ID.search(text[:run.start()]) or _valid(run.group()):
            continue
        raise InvalidInput(f"the number {run.group()!r} is not a whole phone number: "
                           f"{_EXAMPLES}", message_zh=f"号码“{run.group()}”不是完整的电话号码："
                           f"{_EXAMPLES_ZH}", field="contact")
    return text


def _valid(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


# What a phone abroad can dial with +86 too (a relative in Vancouver tapped a 0575
# number that went nowhere); 400 and 800 numbers and 12315 are China's alone.
_DIALLED_FROM_ABROAD = {phonenumbers.PhoneNumberType.FIXED_LINE,
                        phonenumbers.PhoneNumberType.MOBILE,
                        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def china_only(written: str) -> bool:
    """A number that cannot be dialled from abroad (400, 800, 12315): a reader abroad
    is pointed elsewhere.

    >>> china_only("400 820 8820 转 21"), china_only("0575 8712 3456"), china_only("+852 2345 6789")
    (True, False, False)
    """
    return not tel_href(written).startswith("tel:+")


@lru_cache(maxsize=4096)  # on every verify page (the operator's, the supplier's): parsing ~60 µs
def tel_href(written: str) -> str:
    """A ``tel:`` link for a number as :func:`written_phone` writes it: a landline or
    mobile of China with +86, which phones at home dial as well as abroad; the pause
    (a comma) before an extension is what phones dial."""
    number, _, extension = written.partition(" 转 ")
    digits = re.sub(r"[^\d+]", "", number)
    if not digits.startswith("+"):
        try:
            parsed = phonenumbers.parse(digits, "CN")
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed and phonenumbers.number_type(parsed) in _DIALLED_FROM_ABROAD:
            digits = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return f"tel:{digits},{extension}" if extension else f"tel:{digits}"


def numbers_in(text: str) -> list[tuple[str, str]]:
    """Each dialable number written in free text (a buyer's "how to reach me": a
    WeChat id and a mobile, say), as written there, with its ``tel:`` link."""
    return [(match.raw_string, tel_href(_written(match.number)))
            for match in phonenumbers.PhoneNumberMatcher(text, "CN")]


def _written(number: phonenumbers.PhoneNumber) -> str:
    """China's numbers as dialled at home, others with their country code."""
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
