"""What a page shows of a batch's served reports: failed items named, a stale
report's age, results and limits with their units where a figure needs one."""

from __future__ import annotations

import re
from datetime import date

from . import report as reports
from .grades import scale_hint
from .results import plain, read_limit, read_result

_PLUS_MINUS = re.compile(r"-?\d+(?:\.\d+)?\s*±\s*\d+(?:\.\d+)?")
# A certificate's stated value: 标称 8–9 (mm), 标称 45 (cm).
_NOMINAL = re.compile(r"标称\s*\d+(?:\.\d+)?(?:\s*[–~～-]\s*\d+(?:\.\d+)?)?")


def for_display(served: list[dict], valid_days: int, today: date | None = None) -> list[dict]:
    """The served reports with what a page adds: the names of failed items, how many
    days old a report is once it is older than ``valid_days``, each graded item's
    scale, and whether its lab withdrew it (those go last: what the batch stands on comes first)."""
    today = today or date.today()
    shown = []
    for entry in served:
        if not entry["signature_ok"]:  # nothing of it is read: only that it fails
            shown.append(dict(entry, failed=[], stale=0, results=[], limits=[], scales=[]))
            continue
        report = entry["report"]
        age = (today - date.fromisoformat(report["issued_on"])).days
        shown.append(dict(entry, failed=[item["name"] for item in reports.failed_items(report)],
                          stale=age if age > valid_days else 0,
                          results=[shown_result(item) for item in report["items"]],
                          limits=[shown_limit(item) for item in report["items"]],
                          scales=[scale_hint(item) for item in report["items"]]))
    return sorted(shown, key=lambda entry: entry["withdrawn"])


def shown_result(item: dict) -> str:
    """The result as printed, with its unit where the unit belongs to a number
    ('0.62 mg/kg', but '未检出' and '强 B' alone)."""
    result, unit = item["result"], item.get("unit", "")
    if unit and unit not in result and read_result(result).qualifier != "ND" and \
            re.search(r"\d", plain(result)):
        return f"{result} {unit}"  # a figure, a range, a grade such as 4-5 级
    return result


def shown_limit(item: dict) -> str:
    """The limit as printed, with the item's unit when it is a figure without one
    ('≤0.1 mg/kg'): beside 未检出 the unit is written nowhere else."""
    limit, unit = item.get("limit") or "", item.get("unit", "")
    if not limit:
        return "—"
    figure = read_limit(limit).qualifier in ("=", "<", ">", "≤", "≥", "range") or \
        _PLUS_MINUS.fullmatch(plain(limit)) or _NOMINAL.fullmatch(plain(limit))
    if unit and figure and re.search(r"\d\s*$", plain(limit)):
        return f"{limit} {unit}"
    return limit
