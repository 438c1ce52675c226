"""A result as the lab printed it, read into a qualifier and value for tables and
checks; the printed text always stays what is shown and signed::

    read_result("<0.01")     # Reading('<', '0.01')
    read_result("未检出")     # Reading('ND', None)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NUMBER = r"\d+(?:\.\d+)?"
_BOUND = re.compile(rf"([<>≤≥])\s*({_NUMBER})")
_SPAN = re.compile(rf"({_NUMBER})\s*[-–—~～至]\s*({_NUMBER})")
_NOT_DETECTED = {"未检出", "ND", "N.D.", "NOT DETECTED", "未检出ND"}


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
    text = unicodedata.normalize("NFKC", printed or "").strip()
    if text.upper() in _NOT_DETECTED or text.startswith("未检出"):
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


def within_limit(result: str, limit: str | None) -> bool | None:
    """Whether the printed result meets the printed limit, when that can be told
    from the text alone (a number against a bound or a range); None otherwise
    (grades, words, a limit given as a bare number or a standard's name).

    >>> within_limit("9.9", "≤0.5"), within_limit("0.3", "≤0.5"), within_limit("未检出", "≤0.5")
    (False, True, True)
    >>> within_limit("<0.01", "≤0.05"), within_limit("0.2", "≥0.3"), within_limit("8.2", "8.0–8.5")
    (True, False, True)
    >>> within_limit("3-4", "≥3"), within_limit("0.5", "0.5") is None
    (None, True)
    """
    bound, reading = read_result(limit or ""), read_result(result)
    if bound.qualifier not in ("≤", "<", "≥", ">", "range") or bound.value is None:
        return None
    top = float(bound.value)
    if reading.qualifier == "ND":
        return True if bound.qualifier in ("≤", "<") else None
    if reading.qualifier in ("<", "≤") and bound.qualifier in ("≤", "<"):
        return float(reading.value or 0) <= top or None  # below a figure under the limit
    if reading.qualifier != "=":
        return None
    value = float(reading.value or 0)
    if bound.qualifier == "range":
        return top <= value <= float(bound.upper or 0)
    return {"≤": value <= top, "<": value < top, "≥": value >= top, ">": value > top}[
        bound.qualifier]


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
