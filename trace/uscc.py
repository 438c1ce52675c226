"""The 统一社会信用代码 (unified social credit code, GB 32100-2015) every Chinese
company's licence carries: 18 characters of a 31-letter alphabet, the last a
check character. Pure functions, like ``gs1`` for GTINs::

    validate_credit_code("91330681ma2d7xkq0t")     # '91330681MA2D7XKQ0T'
    credit_code_check_char("91330681MA2D7XKQ0")    # 'T'
"""

from __future__ import annotations

import re

from .digits import ascii_alnum
from .errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
NAME = "unified social credit code (统一社会信用代码)"


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters.

    >>> credit_code_check_char("91330681MA2D7XKQ0")
    'T'
    """
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return the normalised code or raise with what is wrong."""
    # As a Chinese keyboard types it (ＡＢ１２), or copied with spaces between groups.
    code = re.sub(r"\s", "", ascii_alnum(code or "")).upper()
    if len(code) != 18:
        raise InvalidInput(f"the {NAME} must be 18 characters, got {len(code)}",
                           message_zh=f"统一社会信用代码应为 18 位，这里有 {len(code)} 位")
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise InvalidInput(f"the {NAME} contains characters it never uses: {''.join(bad)} "
                           "(I, O, S, V and Z are not used)",
                           message_zh="统一社会信用代码含有不使用的字符（不含 I、O、S、V、Z）")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        # Not "it should end in X": a typo is rarely in the last character, and that
        # advice makes a wrong code that passes.
        raise InvalidInput(f"the {NAME} {code} does not add up (its last character is a "
                           "check on the others): compare each character with the business "
                           "licence; a typo is usually in the middle, not at the end",
                           message_zh=f"统一社会信用代码 {code} 核对不上（最后一位是校验位）："
                           "请对照营业执照逐位核对，输错的多半是中间某一位")
    return code
