"""Free text typed into a form: trimmed, bounded, and free of control characters."""

from __future__ import annotations

import unicodedata

from ..errors import InvalidInput


def unprintable(value: str, multiline: bool) -> list[str]:
    """Control and format characters (C0/C1, escape, bidi overrides, zero-width ...):
    they turn a terminal's colours or reorder a name on screen, and no name needs them."""
    allowed = {"\n", "\t"} if multiline else set()
    return sorted({f"U+{ord(ch):04X}" for ch in value
                   if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")})


def clean_text(value: str | None, what: str, *, what_zh: str, limit: int = 200,
               multiline: bool = False) -> str | None:
    """``value`` trimmed, or None when empty; too long or holding control characters
    is refused, naming the field (``what_zh`` on Chinese pages: required, so no
    Chinese page names a field in English)."""
    value = (value or "").strip()
    name_zh = what_zh
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters",
                           message_zh=f"{name_zh}不能超过 {limit} 个字")
    bad = unprintable(value, multiline)
    if bad:
        raise InvalidInput(f"{what} contains control characters ({', '.join(bad)}); "
                           "type it again without them",
                           message_zh=f"{name_zh}含有控制字符（{'、'.join(bad)}），请重新输入")
    return value or None


def required_text(value: str | None, what: str, *, what_zh: str, limit: int = 100) -> str:
    text = clean_text(value, what, what_zh=what_zh, limit=limit)
    if text is None:
        raise InvalidInput(f"{what} must not be empty", message_zh=f"请填写{what_zh}")
    return text
