"""What a page shows of a batch's served reports: failed items named, a stale
report's age, results and limits with their units where a figure needs one."""

from __future__ import annotations

import re
from datetime import date

from ..clock import beijing_today
from . import report as reports
from .glossary import how_to_read
from .grades import scale_hint
from .results import plain, read_limit, read_result

_DETECTION_LIMIT = re.compile(r"([<≤]?)\s*(\d+(?:\.\d+)?)")  # the figure in 未检出(<0.01)
_PLUS_MINUS = re.compile(r"-?\d+(?:\.\d+)?\s*±\s*\d+(?:\.\d+)?")
# A certificate's stated value: 标称 8–9 (mm), 标称 45 (cm).
_NOMINAL = re.compile(r"标称\s*\d+(?:\.\d+)?(?:\s*[–~～-]\s*\d+(?:\.\d+)?)?")


def for_display(served: list[dict], valid_days: int, today: date | None = None) -> list[dict]:
    """The served reports with what a page adds: the names of failed items, how many
    days old a report is once it is older than ``valid_days``, each graded item's
    scale, how to read its kinds of result (``reading``), what the version that
    corrected it changed (``changed``: ``version_changes``), whether it is a
    correction that kept the corrected version's PDF (``pdf_kept``) and whether its
    lab withdrew it (those go last: what the batch stands on comes first)."""
    today = today or beijing_today()
    successors = _successors(served)
    versions = {(entry["report"]["report_no"], entry["report"]["version"]): entry["report"]
                for entry in served if entry["signature_ok"]}
    shown = []
    for entry in served:
        if not entry["signature_ok"]:  # nothing of it is read: only that it fails
            shown.append(dict(entry, failed=[], stale=0, results=[], limits=[], scales=[],
                              reading=[], changed=[], pdf_kept=False))
            continue
        report = entry["report"]
        age = (today - date.fromisoformat(report["issued_on"])).days
        later = successors.get((report["report_no"], report["version"]))
        earlier = versions.get((report["report_no"], report["supersedes"]))
        failed = reports.failed_items(report)
        shown.append(dict(entry, failed=[item["name"] for item in failed],
                          failed_results=[shown_result(item) for item in failed],
                          stale=age if age > valid_days else 0,
                          results=[shown_result(item) for item in report["items"]],
                          limits=[shown_limit(item) for item in report["items"]],
                          scales=[scale_hint(item) for item in report["items"]],
                          reading=how_to_read(item["name"] for item in report["items"]),
                          changed=version_changes(report, later) if later else [],
                          # a correction of what was typed, the lab's document unchanged
                          pdf_kept=bool(earlier and report["pdf_sha256"]
                                        and earlier["pdf_sha256"] == report["pdf_sha256"])))
    return sorted(shown, key=lambda entry: entry["withdrawn"])


def failed_findings(shown: list[dict]) -> list[tuple[str, str]]:
    """(item, result as the lab gave it) of each failed item of the current signed
    reports (``for_display``'s), once each: the warning names what was found, not
    only what was tested (处理情况 alone told a trial's buyer nothing of the dye)."""
    found: dict[tuple[str, str], None] = {}
    for entry in shown:
        if entry.get("current") and entry["signature_ok"]:
            found.update(dict.fromkeys(zip(entry["failed"], entry["failed_results"])))
    return list(found)


def _successors(served: list[dict]) -> dict[tuple[str, str], dict]:
    """Each signed version's correction, by (report number, the version it corrects);
    a withdrawal corrects nothing item by item, so it is left out."""
    return {(entry["report"]["report_no"], entry["report"]["supersedes"]): entry["report"]
            for entry in served if entry["signature_ok"] and entry["report"]["supersedes"]
            and not reports.is_withdrawn(entry["report"])}


def version_changes(before: dict, after: dict) -> list[dict]:
    """What a correction changed, item by item: ``name``, and ``before`` and ``after``
    as a page shows an item (``result``, ``limit``, ``verdict``; None where the item
    was not there). An older version listed with its conclusion alone hid that 镉
    went from 0.05 to 0.06."""
    def shown(item: dict | None) -> dict | None:
        if item is None:
            return None
        limit = shown_limit(item)
        return {"result": shown_result(item), "limit": "" if limit == "—" else limit,
                "verdict": item["verdict"]}
    old = {item["name"]: shown(item) for item in before["items"]}
    new = {item["name"]: shown(item) for item in after["items"]}
    names = list(old) + [name for name in new if name not in old]
    return [{"name": name, "before": old.get(name), "after": new.get(name)}
            for name in names if old.get(name) != new.get(name)]


def shown_result(item: dict) -> str:
    """The result as printed, with its unit where the unit belongs to a number
    ('0.62 mg/kg', but '强 B' alone); not detected in the one word buyers know,
    with the figure it was under when the lab gave one ('ND' and '<LOD' as
    '未检出', '未检出(<0.01)' as '未检出（<0.01 mg/kg）'). The signed report keeps
    the lab's own spelling.

    >>> shown_result({"result": "ND(LOD 0.005)", "unit": "mg/kg"})
    '未检出（<0.005 mg/kg）'
    """
    result, unit = item["result"], item.get("unit", "")
    if read_result(result).qualifier == "ND":
        below = _DETECTION_LIMIT.search(plain(result))
        if below is None:
            return "未检出"
        figure = "<" + below.group(2) if below.group(1) in ("", "<") else "".join(below.groups())
        return f"未检出（{figure} {unit}）".replace(" ）", "）")
    if unit and unit not in result and re.search(r"\d", plain(result)):
        return f"{result} {unit}"  # a figure, a range, a grade such as 4-5 级
    return result


# A bound typed in ASCII or its full-width look-alike, as a sheet from Excel has it:
# shown as the sign a printed report uses, so ≤5 and <=5 never stand side by side.
_TYPED_BOUNDS = (("<=", "≤"), ("=<", "≤"), ("≦", "≤"), (">=", "≥"), ("=>", "≥"), ("≧", "≥"))


def shown_limit(item: dict) -> str:
    """The limit as printed, with the item's unit when it is a figure without one
    ('≤0.1 mg/kg'): beside 未检出 the unit is written nowhere else.

    >>> shown_limit({"limit": "<=5", "unit": "mg/kg"}), shown_limit({"limit": "≧ 3-4"})
    ('≤5 mg/kg', '≥3-4')
    >>> shown_limit({"limit": "≥3-4/3-4", "unit": "级"})  # 变色/沾色, a textile's pair
    '≥3-4/3-4 级'
    """
    limit, unit = (item.get("limit") or "").strip(), item.get("unit", "")
    if not limit:
        return "—"
    typed = next((pair for pair in _TYPED_BOUNDS if limit.startswith(pair[0])), None)
    if typed:
        limit = typed[1] + limit[len(typed[0]):].lstrip()
    figure = read_limit(limit).qualifier in ("=", "<", ">", "≤", "≥", "range") or \
        _PLUS_MINUS.fullmatch(plain(limit)) or _NOMINAL.fullmatch(plain(limit)) or \
        limit[:1] in "≤≥<>"  # a bound over figures read in pairs: ≥3/3 for 变色/沾色
    if unit and figure and re.search(r"\d\s*$", plain(limit)):
        return f"{limit} {unit}"
    return limit
