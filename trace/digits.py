"""Digits as people type them: a Chinese keyboard's full-width ０–９ are digits; other
characters Python calls digits (², ①, Arabic-Indic ٣) are not. NFKC would read
"1²" as 12, and str.isdigit() passes ² to an int() that then fails::

    ascii_digits("５０")        # '50'
    is_number("1²")             # False
"""

from __future__ import annotations

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FULL_WIDTH_ALNUM = str.maketrans({chr(code): chr(code - 0xFEE0) for code in (
    *range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))})


def ascii_digits(text: str) -> str:
    """``text`` with full-width digits written as ASCII ones, nothing else changed.

    >>> ascii_digits(" ６９０１２３４５６７８９２ ")
    ' 6901234567892 '
    """
    return text.translate(_FULL_WIDTH)


def ascii_alnum(text: str) -> str:
    """``text`` with full-width digits and Latin letters written as ASCII ones; its
    Chinese punctuation (（），) stays as typed.

    >>> ascii_alnum("科技城路１８号Ａ座（东门）")
    '科技城路18号A座（东门）'
    """
    return text.translate(_FULL_WIDTH_ALNUM)


def is_number(text: str) -> bool:
    """Whether ``text`` is ASCII digits only (and at least one).

    >>> is_number("12"), is_number("1²"), is_number("٣"), is_number("")
    (True, False, False, False)
    """
    return text.isascii() and text.isdigit()
