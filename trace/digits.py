"""Digits as people type them: a Chinese keyboard's full-width ０–９ are digits; other
characters Python calls digits (², ①, Arabic-Indic ٣) are not. NFKC would read
"1²" as 12, and str.isdigit() passes ² to an int() that then fails::

    ascii_digits("５０")        # '50'
    is_number("1²")             # False
"""

from __future__ import annotations

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def ascii_digits(text: str) -> str:
    """``text`` with full-width digits written as ASCII ones, nothing else changed.

    >>> ascii_digits(" ６９０１２３４５６７８９２ ")
    ' 6901234567892 '
    """
    return text.translate(_FULL_WIDTH)


def is_number(text: str) -> bool:
    """Whether ``text`` is ASCII digits only (and at least one).

    >>> is_number("12"), is_number("1²"), is_number("٣"), is_number("")
    (True, False, False, False)
    """
    return text.isascii() and text.isdigit()
