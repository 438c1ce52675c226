"""A result as the lab printed it, read into a qualifier and value for tables and
checks; the printed text always stays what is shown and signed::

    read_result("<0.01")     # Reading('<', '0.01')
    read_result("未检出")     # Reading('ND', None)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_BOUND = re.compile(rf"([<>≤≥])\s*({_NUMBER})")
_SPAN = re.compile(rf"({_NUMBER})\s*[-–—~～至]\s*({_NUMBER})")
_NOT_DETECTED = {"未检出", "未檢出", "ND", "N.D.", "NOT DETECTED", "未检出ND", "<LOD", "<LOQ"}
# Read before NFKC, which would make 10⁵ the number 105.
_SUPERSCRIPT_POWER = re.compile(r"10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_SUPERSCRIPTS = str.maketrans("⁻⁺⁰¹²³⁴⁵⁶⁷⁸⁹", "-+0123456789")
_POWER = re.compile(r"(?:(\d+(?:\.\d+)?)\s*[×xX*·]\s*)?10\^\(?([-+]?\d+)\)?")
# 5×10-2 as typed without a caret or superscripts: the power is the signed figure.
_POWER_SIGNED = re.compile(r"(\d+(?:\.\d+)?)\s*[×xX*·]\s*10([-+]\d+)(?![\d.])")
# Units in words, as a Chinese report may print them: read as their symbols (a result
# of 1.5 毫克/千克 against ≤1 mg/kg went unread, and was signed 合格). Longest first.
_UNIT_WORDS = (("毫克每千克", "mg/kg"), ("毫克/千克", "mg/kg"), ("毫克/公斤", "mg/kg"),
               ("微克每千克", "μg/kg"), ("微克/千克", "μg/kg"), ("微克/公斤", "μg/kg"),
               ("克/千克", "g/kg"), ("克/公斤", "g/kg"), ("毫克/升", "mg/L"), ("微克/升", "μg/L"),
               ("毫米", "mm"), ("厘米", "cm"), ("微米", "μm"))
# A note after the figure, "（以Pb计）" or "(未检出)": it names no number of its own.
_NOTE = re.compile(r"\s*\([^()\d]*\)$")
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d,])")


@dataclass(frozen=True)
class Reading:
    """``qualifier``: '=', '<', '>', '≤', '≥', 'ND', 'range', 'grade' or 'text'."""

    qualifier: str
    value: str | None = None
    upper: str | None = None     # the top of a range


def read_result(printed: str) -> Reading:
    """
    >>> read_result("0.012")
    Reading(qualifier='=', value='0.012', upper=None)
    >>> read_result("＜0.01")
    Reading(qualifier='<', value='0.01', upper=None)
    >>> read_result("未检出")
    Reading(qualifier='ND', value=None, upper=None)
    >>> read_result("8.0–8.5")
    Reading(qualifier='range', value='8.0', upper='8.5')
    >>> read_result("3-4")         # a colour-fastness half grade, not a range
    Reading(qualifier='grade', value='3-4', upper=None)
    >>> read_result("强 B")
    Reading(qualifier='grade', value='强 B', upper=None)
    >>> read_result("无")
    Reading(qualifier='text', value='无', upper=None)
    """
    text = plain(printed)
    if text.upper().replace(" ", "") in _NOT_DETECTED or text.startswith(("未检出", "未檢出")) \
            or re.match(r"N\.?D\.?\s*\(", text.upper()):  # ND(LOD 0.005)
        return Reading("ND")
    if re.fullmatch(_NUMBER, text):
        return Reading("=", text)
    bound = _BOUND.fullmatch(text)
    if bound:
        return Reading(bound.group(1), bound.group(2))
    span = _SPAN.fullmatch(text)
    if span:
        low, high = span.groups()
        if low.isdigit() and high.isdigit() and 1 <= int(low) < int(high) <= 5 and \
                int(high) - int(low) == 1:
            return Reading("grade", text)
        return Reading("range", low, high)
    if re.fullmatch(r"[强中弱]?\s*[A-E][1-4]?|[1-5]级?", text):
        return Reading("grade", printed.strip())
    return Reading("text", printed.strip())


def plain(printed: str | None) -> str:
    """A result or limit as labs write it, in one spelling to read: full-width
    forms folded, 5×10⁵ and 1.2×10^-3 as plain numbers, 0,8 as 0.8 but 1,200 as
    1200, a minus sign as '-', and a closing note such as （以Pb计） dropped.

    >>> plain("5×10⁵"), plain("≤1×10^4"), plain("0,05"), plain("12,500"), plain("0.8（以Pb计）")
    ('500000', '≤10000', '0.05', '12500', '0.8')
    >>> plain("5×10-2"), plain("1.5 毫克/千克")
    ('0.05', '1.5 mg/kg')
    """
    text = _SUPERSCRIPT_POWER.sub(lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS),
                                  printed or "")
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()
    text = _NOTE.sub("", text)
    text = _POWER_SIGNED.sub(_power, _POWER.sub(_power, text))
    for word, symbol in _UNIT_WORDS:
        text = text.replace(word, symbol)
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    return _DECIMAL_COMMA.sub(r"\1.\2", text)


def _power(found: re.Match) -> str:
    try:
        number = Decimal(found.group(1) or "1").scaleb(int(found.group(2)))
    except (InvalidOperation, ValueError):
        return found.group(0)
    return format(number.normalize(), "f")


# How a limit's bound is written besides ≤ and ≥: ASCII, Japanese-style and words.
_BOUND_WORDS = (("<=", "≤"), ("=<", "≤"), ("≦", "≤"), ("≯", "≤"), ("不大于", "≤"), ("不超过", "≤"),
                ("不高于", "≤"), ("不得超过", "≤"), ("不得大于", "≤"), ("不得高于", "≤"),
                ("最大", "≤"), ("MAX", "≤"), (">=", "≥"), ("=>", "≥"), ("≧", "≥"), ("≮", "≥"),
                ("不小于", "≥"), ("不低于", "≥"), ("不得小于", "≥"), ("不得低于", "≥"), ("最小", "≥"),
                ("MIN", "≥"), ("小于", "<"), ("低于", "<"), ("大于", ">"), ("高于", ">"))
# The same written after the figure: "0.5以下" (以下 includes the figure), "0.5 max".
_BOUND_AFTER = re.compile(r"(.*?\d)\s*(以下|以内|以上|MAX|MIN)", re.IGNORECASE)
_AFTER_SIGN = {"以下": "≤", "以内": "≤", "MAX": "≤", "以上": "≥", "MIN": "≥"}
_LIMIT = re.compile(rf"([<>≤≥])\s*({_NUMBER})\s*(.*)")
_NONE_ALLOWED = {"不得检出", "不得检出ND", "ND", "不得检出(ND)", "禁用"}  # a banned dye too
# Limits in words and the results that meet or miss them: 沙门氏菌 阴性, 异味 无.
_QUALITATIVE = {"阴性": ({"阴性", "NEGATIVE", "未检出"}, {"阳性", "POSITIVE", "检出"}),
                "NEGATIVE": ({"阴性", "NEGATIVE", "未检出"}, {"阳性", "POSITIVE", "检出"}),
                "无": ({"无", "未发现", "未检出", "没有"}, {"有", "检出", "发现"})}
# Colour-fastness grades: 3-4 is the half grade between 3 and 4.
_GRADE = re.compile(r"([1-5])(?:\s*[-–/]\s*([1-5]))?\s*级?")
_DETECTED = {"检出", "有检出", "阳性", "DETECTED", "POSITIVE"}
_FOUND_PREFIXES = ("有", "阳性", "POSITIVE", "发现")
# A number with a unit typed after it: the unit starts with a letter, µ, %, or °.
_WITH_UNIT = re.compile(rf"([<>≤≥]?)\s*({_NUMBER})\s*([A-Za-zµμ%‰°][A-Za-z0-9µμ%‰/·^.]*)")
# Units of one kind, each as a multiple of the first: a limit in μg/kg against a
# result in mg/kg is compared in one unit, never read as the same number.
_UNIT_SCALES = (
    {"mg/kg": 1.0, "ppm": 1.0, "μg/g": 1.0, "ug/g": 1.0, "μg/kg": 1e-3, "ug/kg": 1e-3,
     "ppb": 1e-3, "ng/g": 1e-3, "g/kg": 1e3, "mg/g": 1e3, "%": 1e4, "g/100g": 1e4},
    {"mg/l": 1.0, "μg/l": 1e-3, "ug/l": 1e-3, "ng/ml": 1e-3, "g/l": 1e3, "μg/ml": 1.0,
     "ug/ml": 1.0},
    {"mm": 1.0, "cm": 10.0, "μm": 1e-3, "um": 1e-3})


def _unit_key(unit: str) -> str:
    text = unicodedata.normalize("NFKC", unit)
    for word, symbol in _UNIT_WORDS:
        text = text.replace(word, symbol)
    return text.replace("µ", "μ").replace(" ", "").lower()


def _known_unit(unit: str | None) -> bool:
    return any(_unit_key(unit or "") in kind for kind in _UNIT_SCALES)


def _scale(limit_unit: str, result_unit: str | None) -> float | None:
    """How many of the result's unit one of the limit's unit is; None when unknown.
    A result given without a unit is in the limit's, when that is a unit we know."""
    have, want = _unit_key(limit_unit), _unit_key(result_unit or "")
    if not have or have == want or (not want and _known_unit(have)):
        return 1.0
    for kind in _UNIT_SCALES:
        if have in kind and want in kind:
            return kind[have] / kind[want]
    return None


def _scaled(number: str, scale: float) -> str:
    """``number`` in the other unit, written as printed when the unit is the same."""
    return number if scale == 1.0 else f"{float(number) * scale:g}"


def read_limit(limit: str | None, unit: str | None = None) -> Reading:
    """A limit as printed, read like a result; a bound (``≤``, ``<=``, 不大于, "max")
    with a unit of its own is scaled into ``unit``, the result's, or left as
    'text' when the two cannot be compared.

    >>> read_limit("<=0.1mg/kg", "mg/kg"), read_limit("≤100 μg/kg", "mg/kg").value
    (Reading(qualifier='≤', value='0.1', upper=None), '0.1')
    >>> read_limit("不大于 5", "mg/kg").qualifier, read_limit("≤5 mg/L", "mg/kg").qualifier
    ('≤', 'text')
    >>> read_limit("max 0.1", "mg/kg").qualifier, read_limit("≥30 min", "min").value
    ('≤', '30')
    """
    text = plain(limit)
    for word, sign in _BOUND_WORDS:  # at the start only: "≥30 min" keeps its unit
        if text.upper().startswith(word):
            text = sign + text[len(word):]
            break
    after = _BOUND_AFTER.fullmatch(text)
    if after and not text.startswith(("<", ">", "≤", "≥")):
        text = _AFTER_SIGN[after.group(2).upper()] + after.group(1)
    bound = _LIMIT.fullmatch(text)
    if not bound:
        return read_result(limit or "")
    sign, number, limit_unit = bound.groups()
    scale = _scale(limit_unit, unit)
    if scale is None:
        return Reading("text", (limit or "").strip())
    return Reading(sign, _scaled(number, scale))


def converted_limit(limit: str | None, unit: str | None) -> str | None:
    """The limit written in the result's ``unit`` when it is printed in another unit
    of the same kind, for a message: a technician who typed % for mg/kg is shown
    why 18 is over ≤75 mg/kg.

    >>> converted_limit("≤75 mg/kg", "%"), converted_limit("≤75 mg/kg", "mg/kg")
    ('≤0.0075 %', None)
    """
    bound = _LIMIT.fullmatch(plain(limit))
    if not bound or not unit or not bound.group(3):
        return None
    scale = _scale(bound.group(3), unit)
    if scale in (None, 1.0):
        return None
    return f"{bound.group(1)}{_scaled(bound.group(2), scale)} {unit}"


def within_limit(result: str, limit: str | None, unit: str | None = None) -> bool | None:
    """Whether the printed result meets the printed limit, when that can be told
    from the text alone (a number against a bound or a range, a limit's own unit
    scaled into the result's ``unit``, 不得检出 or 禁用, 阴性 or 无, a colour-fastness
    grade against its minimum); None otherwise (other words, a limit given as a bare
    number or a standard's name).

    >>> within_limit("9.9", "≤0.5"), within_limit("0.3", "≤0.5"), within_limit("未检出", "≤0.5")
    (False, True, True)
    >>> within_limit("<0.01", "≤0.05"), within_limit("0.2", "≥0.3"), within_limit("8.2", "8.0–8.5")
    (True, False, True)
    >>> within_limit("3-4", "≥3"), within_limit("0.5", "0.5") is None
    (None, True)
    >>> within_limit("0.35", "<=0.1mg/kg", "mg/kg"), within_limit("0.5", "≤100 μg/kg", "mg/kg")
    (False, False)
    >>> within_limit("0.02", "不得检出"), within_limit("未检出", "不得检出"), within_limit("检出", "不得检出")
    (False, True, False)
    >>> within_limit("0.5mg/kg", "≤0.1"), within_limit("0.5", "≯0.1", "mg/kg")
    (False, False)
    >>> within_limit("3-4级", "≥4"), within_limit("0.5 mg/L", "≤0.1", "mg/kg") is None
    (False, True)
    >>> within_limit("阳性", "阴性"), within_limit("有", "无"), within_limit("检出", "禁用")
    (False, False, False)
    >>> within_limit("有霉味", "无"), within_limit("阳性(+)", "阴性"), within_limit("无异味", "无")
    (False, False, None)
    """
    reading, unit = _with_its_unit(result, unit)
    if reading is None:  # a unit of its own that cannot be compared
        return None
    words = plain(limit).replace(" ", "").upper()
    if words in _NONE_ALLOWED:
        return _none_allowed(reading)
    if words in _QUALITATIVE:
        passing, failing = _QUALITATIVE[words]
        said = plain(result).replace(" ", "").upper()
        if said in passing:
            return True
        # 有霉味 against 无, 阳性(+) against 阴性: what was found, said in more words.
        # (检出限… is no finding: the prefix is read only for these.)
        return False if said in failing or said.startswith(_FOUND_PREFIXES) else None
    if unit == "级" or "级" in (result or "") + (limit or ""):
        return _grade_within(result, limit)
    bound = read_limit(limit, unit)
    if bound.qualifier not in ("≤", "<", "≥", ">", "range") or bound.value is None:
        return None
    top = float(bound.value)
    if reading.qualifier == "ND":
        return True if bound.qualifier in ("≤", "<") else None
    if reading.qualifier in ("<", "≤") and bound.qualifier in ("≤", "<"):
        return float(reading.value or 0) <= top or None  # below a figure under the limit
    if reading.qualifier in (">", "≥") and bound.qualifier in ("≤", "<"):
        return False if float(reading.value or 0) >= top else None  # above it already
    if reading.qualifier in ("<", "≤") and bound.qualifier in ("≥", ">"):
        return False if float(reading.value or 0) <= top else None  # under a minimum
    if reading.qualifier != "=":
        return None
    value = float(reading.value or 0)
    if bound.qualifier == "range":
        return top <= value <= float(bound.upper or 0)
    return {"≤": value <= top, "<": value < top, "≥": value >= top, ">": value > top}[
        bound.qualifier]


def _grade(text: str) -> float | None:
    found = _GRADE.fullmatch(plain(text).strip())
    if found is None:
        return None
    low, high = found.group(1), found.group(2)
    if high is None:
        return float(low)
    return (int(low) + int(high)) / 2 if int(high) == int(low) + 1 else None


def _grade_within(result: str, limit: str | None) -> bool | None:
    """A grade against a minimum grade (≥3, ≥3-4); None when either is no grade.

    >>> _grade_within("2-3 级", "≥3"), _grade_within("3-4", "≥3"), _grade_within("3", "≥3-4")
    (False, True, False)
    """
    found = re.fullmatch(r"\s*([≥>≤<])?\s*(.+)", plain(limit or ""))
    floor = _grade(found.group(2)) if found else None
    got = _grade(result)
    if floor is None or got is None or found is None:
        return None
    sign = found.group(1) or "≥"
    return {"≥": got >= floor, ">": got > floor, "≤": got <= floor, "<": got < floor}[sign]


# A change, a stretch or a difference may fall below 0 or pass 100 %; an amount may not.
# A figure with a typing slip, which no check could hold to its limit: 8O for 80
# (read as 8 in a unit "O"), 7.9. for 7.9: text that only looks like a number.
_MISTYPED_NUMBER = re.compile(r"[<>≤≥]?\s*(?=[\dOo.]*\d)[\dOo.]+")
_MAY_BE_NEGATIVE = re.compile(r"变化|伸长|增长|收缩|差|偏|change|elongation|difference", re.I)
_AMOUNT_UNITS = frozenset(unit for kind in _UNIT_SCALES for unit in kind)
_SHARE_UNITS = frozenset({"%", "g/100g"})


def implausible(item: dict) -> tuple[str, str] | None:
    """Why a typed result cannot be a figure the lab measured, in English and
    Chinese; None when it can be. Only the plainly impossible: a result without a
    figure against a limit in figures ("abc" against ≤0.5), an amount below zero,
    a share over 100 %.

    >>> implausible({"name": "吡虫啉", "result": "abc", "limit": "≤0.5"})[1][:10]
    '“abc”不是数值，'
    >>> implausible({"name": "水分", "result": "-6.2", "unit": "%"})[1][:12]
    '-6.2 % 小于 0：'
    >>> implausible({"name": "水洗尺寸变化率", "result": "-2.5", "unit": "%"}) is None
    True
    >>> implausible({"name": "异味", "result": "无", "limit": "无"}) is None
    True
    >>> implausible({"name": "甲醛含量", "result": "8O", "limit": "≤75"})[1][:14]
    '“8O”像是打错的数值（把 '
    """
    result, name = item["result"], item.get("name", "")
    if read_result(result).qualifier == "text" and _MISTYPED_NUMBER.fullmatch(plain(result)):
        letter = any(char in "Oo" for char in result)
        return (f"{result!r} looks like a mistyped figure ("
                + ("a letter O for a zero" if letter else "a stray decimal point")
                + "): write it as the report prints it (80, 7.9, 0.012)",
                f"“{result}”像是打错的数值（" + ("把 0 打成了字母 O" if letter else "多了小数点")
                + "）：请照报告写数值，如 80、7.9、0.012")
    reading, unit = _with_its_unit(result, item.get("unit"))
    if reading is None:
        return None
    bound = read_limit(item.get("limit"), unit)
    if reading.qualifier == "text" and not re.search(r"\d", result) and \
            bound.qualifier in ("≤", "<", "≥", ">", "range"):
        return (f"{result!r} is not a figure, so it cannot be held to the limit "
                f"{item['limit']}: write the figure as the report prints it (0.012, <0.01) "
                "or 未检出",
                f"“{result}”不是数值，无法和标准要求 {item['limit']} 比较："
                "请照报告写数值（如 0.012、<0.01），没有检出写“未检出”")
    if reading.value is None or _MAY_BE_NEGATIVE.search(name):
        return None
    try:
        value, unit_key = float(reading.value), _unit_key(unit or "")
    except ValueError:
        return None
    shown = f"{result} {unit or ''}".strip()
    if value < 0 and unit_key in _AMOUNT_UNITS:
        return (f"{shown} is below zero: an amount cannot be; check for a stray minus sign",
                f"{shown} 小于 0：含量和浓度不会是负数，请核对是否多打了负号")
    if value > 100 and unit_key in _SHARE_UNITS:
        return (f"{shown} is over 100 %: a share cannot be; check the decimal point",
                f"{shown} 超过 100%：含量不会超过 100%，请核对小数点")
    return None


def _with_its_unit(result: str, unit: str | None) -> tuple[Reading | None, str | None]:
    """The result read, with the unit to compare in: a unit typed into the result
    ("0.5mg/kg") is the item's when it has none, else scaled into the item's."""
    reading = read_result(result)
    text = plain(result)
    found = _WITH_UNIT.fullmatch(text) if reading.qualifier == "text" else None
    if found is None:
        return reading, unit
    sign, number, own_unit = found.groups()
    scale = _scale(own_unit, unit) if unit else 1.0
    if scale is None:
        return None, unit
    return Reading(sign or "=", _scaled(number, scale)), unit or own_unit


def _none_allowed(reading: Reading) -> bool | None:
    """不得检出: met by 未检出 or a figure under the detection limit; a number is a
    finding."""
    if reading.qualifier in ("ND", "<", "≤"):
        return True
    if reading.qualifier == "text" and (reading.value or "").upper() in _DETECTED:
        return False
    if reading.qualifier == "=":
        return float(reading.value or 0) == 0
    return None


def with_reading(item: dict) -> dict:
    """The item with its result read into ``qualifier`` and ``value`` (and ``upper``
    for a range), as strings, so the agency signs what the table is sorted and
    checked by. An item that says so already is left as it is.

    >>> with_reading({"name": "吡虫啉", "result": "<0.01", "verdict": "合格"})["qualifier"]
    '<'
    """
    if "qualifier" in item:
        return item
    reading = read_result(item["result"])
    extra = {"qualifier": reading.qualifier}
    if reading.value is not None:
        extra["value"] = reading.value
    if reading.upper is not None:
        extra["upper"] = reading.upper
    return {**item, **extra}


_NO_UNIT = {"—", "-", "–", "/", "无"}  # pH and grades: a dash where a unit would be
# A figure, then a unit as typed after it: a symbol, or a unit in words.
_UNIT_TAIL = re.compile(r"(.*\d)\s*([A-Za-zµμ%‰°][A-Za-z0-9µμ%‰/·^.]*|"
                        + "|".join(re.escape(word) for word, _symbol in _UNIT_WORDS) + ")")
_COMMA_FIGURE = re.compile(r"([<>≤≥]?\s*)(\d+),(\d+)")


def as_typed(item: dict) -> dict:
    """A tested item from a lab's form or sheet, written plainly before it is signed
    and read: full-width figures and signs as ASCII (０.１２ is 0.12, ＜ is <, ～ is ~,
    as a Chinese keyboard types them), a unit written as a dash left out (a page
    showed pH 6.2 —), a decimal comma as a point (0,12 showed to buyers as typed),
    and a unit typed into the result or the limit moved to the unit's own place
    (buyers read "1.5 毫克/千克 mg/kg").

    >>> typed = as_typed({"name": "毒死蜱", "result": "1.5 毫克/千克", "unit": "mg/kg",
    ...                   "limit": "≤1", "verdict": "不合格"})
    >>> typed["result"], typed["unit"]
    ('1.5', 'mg/kg')
    >>> typed = as_typed({"name": "克百威", "result": "0,05", "limit": "≤0.02 mg/kg",
    ...                   "verdict": "不合格"})
    >>> typed["result"], typed["unit"], typed["limit"]
    ('0.05', 'mg/kg', '≤0.02 mg/kg')
    """
    typed = dict(item)
    for key in ("result", "unit", "limit"):
        if key in typed:
            typed[key] = unicodedata.normalize("NFKC", typed[key]).strip()
    if typed.get("unit") in _NO_UNIT:
        del typed["unit"]
    for key in ("result", "limit"):
        if key in typed:
            typed[key] = _point_for_comma(typed[key])
    _unit_in_its_place(typed)
    return with_reading(typed)


def _point_for_comma(text: str) -> str:
    """0,12 as 0.12; 1,200 (thousands) as typed."""
    found = _COMMA_FIGURE.fullmatch(text)
    if found is None or _THOUSANDS.fullmatch(f"{found.group(2)},{found.group(3)}"):
        return text
    return f"{found.group(1)}{found.group(2)}.{found.group(3)}"


def _unit_in_its_place(typed: dict) -> None:
    """The result's own unit where the unit goes: left out of the result when the
    item names the same unit, moved there when it names none and the unit is one we
    know; and a unit only the limit gives (≤0.02 mg/kg) is the result's too."""
    tail = _UNIT_TAIL.fullmatch(typed["result"]) if "result" in typed else None
    if tail and read_result(typed["result"]).qualifier == "text":
        figure, own = tail.group(1).strip(), tail.group(2)
        if typed.get("unit") and _unit_key(own) == _unit_key(typed["unit"]):
            typed["result"] = figure
        elif not typed.get("unit") and _known_unit(own):
            typed["result"], typed["unit"] = figure, dict(_UNIT_WORDS).get(own, own)
    bound = _LIMIT.fullmatch(plain(typed.get("limit")))
    if bound and not typed.get("unit") and _known_unit(bound.group(3)) and \
            read_result(typed.get("result", "")).qualifier != "text":
        typed["unit"] = bound.group(3).strip()


# A limit that is a figure alone, 0.02 or 0.02 mg/kg: a maximum or a minimum?
_BARE_LIMIT = re.compile(rf"{_NUMBER}\s*(?:[A-Za-zµμ%‰°][A-Za-z0-9µμ%‰/·^.]*)?")
# A figure and then words the check does not read: a unit it does not know, a note.
_FIGURE_THEN_WORDS = re.compile(rf"[<>≤≥]?\s*{_NUMBER}\s*\S.*")


def as_maximum(limit: str) -> str:
    """A limit of a figure alone, from a column headed as a maximum (限量值, 最大残留
    限量), written as one; any other limit as it is.

    >>> as_maximum("0.02"), as_maximum("0.02 mg/kg"), as_maximum("≥36"), as_maximum("不得检出")
    ('≤0.02', '≤0.02 mg/kg', '≥36', '不得检出')
    """
    said = read_limit(limit).qualifier
    if said == "=" or said == "text" and _BARE_LIMIT.fullmatch(plain(limit)):
        return "≤" + limit.strip()
    return limit


def undirected_limit(item: dict) -> tuple[str, str] | None:
    """Why a limit of a figure alone cannot stand beside a figure, in English and
    Chinese: 0.02 says neither maximum nor minimum (a 0.05 residue against 0.02 was
    signed 合格), nor can buyers tell. None for a limit that says (≤0.02, 0.5 max).

    >>> "没有写明是上限还是下限" in undirected_limit({"result": "0.05", "limit": "0.02"})[1]
    True
    >>> undirected_limit({"result": "0.05", "limit": "0.5 max"}) is None
    True
    """
    limit = item.get("limit") or ""
    reading, _unit = _with_its_unit(item["result"], item.get("unit"))
    figure = reading is None or reading.qualifier in ("=", "<", "≤", ">", "≥", "ND", "range")
    bare, said = plain(limit), read_limit(limit).qualifier
    if not (figure and bare and (said == "=" or said == "text" and _BARE_LIMIT.fullmatch(bare))):
        return None
    return (f"{limit!r} does not say whether it is a maximum or a minimum: write ≤{bare} "
            f"(at most) or ≥{bare} (at least)",
            f"“{limit}”没有写明是上限还是下限：请写成 ≤{bare}（不超过）或 ≥{bare}（不低于）")


def incomparable(item: dict) -> tuple[str, str] | None:
    """Why a figure with words after it cannot be held to a limit in figures, in
    English and Chinese; None when it can, or when it is words (变色4/沾色3-4).

    >>> "结果栏请只写数值" in incomparable({"result": "1.5 毫升", "limit": "≤1"})[1]
    True
    >>> incomparable({"result": "变色4/沾色3-4", "limit": "≥3"}) is None
    True
    """
    result, limit, unit = item["result"], item.get("limit") or "", item.get("unit")
    reading, _unit = _with_its_unit(result, unit)
    if "级" in result or reading is not None and reading.qualifier != "text" or \
            not _FIGURE_THEN_WORDS.fullmatch(plain(result)) or \
            read_limit(limit, unit).qualifier not in ("≤", "<", "≥", ">", "range") or \
            within_limit(result, limit, unit) is not None:
        return None
    return (f"{result!r} cannot be held to the limit {limit}: write the figure alone "
            "(1.5, <0.01) and its unit in the unit column",
            f"“{result}”无法和标准要求 {limit} 比较：结果栏请只写数值（如 1.5、<0.01），"
            "单位写在单位栏")
