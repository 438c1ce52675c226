"""Tested items as the agency's form types them, one a line::

    items_from_lines("联苯菊酯 | 5.8 | mg/kg | ≤5 | 不合格 | GB 23200.113")
    item_lines(record["items"])          # the other way, to correct a report
"""

from __future__ import annotations

import re

from ..errors import InvalidInput, all_problems
from .report import check_item
from .results import as_typed


def item_lines(items: list[dict]) -> str:
    """Items as the form's lines (the reverse of ``items_from_lines``), without the
    separators of an empty method at the end.

    >>> item_lines([{"name": "光泽", "result": "强", "verdict": "合格"}])
    '光泽 | 强 |  |  | 合格'
    """
    return "\n".join(" | ".join(item.get(key, "") for key in
                                ("name", "result", "unit", "limit", "verdict", "method"))
                     .removesuffix(" | ") for item in items)


# Tabs from a spreadsheet and the full-width ｜ of a Chinese keyboard separate cells.
# A line with none of them may be typed with Chinese commas (铅，0.02，mg/kg，…): never
# a decimal or thousands mark, unlike the ASCII comma of 0,8 or 1,200.
_SEPARATORS = r"[|｜\t]"


def _separator_of(line: str) -> str:
    """The pattern that splits ``line`` into cells."""
    return _SEPARATORS if re.search(_SEPARATORS, line) else "，"


def items_from_lines(text: str) -> list[dict]:
    """Tested items typed one a line: name | result | unit | limit | verdict | method
    (tabs work too, so rows pasted from a spreadsheet do, and so do Chinese commas
    in a line without any; unit, limit and method may be left empty).

    >>> items_from_lines("联苯菊酯 | 5.8 | mg/kg | ≤5 | 不合格 | GB 23200.113")[0]["verdict"]
    '不合格'
    """
    items: list[dict] = []
    all_problems(*(lambda number=number, line=line: items.append(_item_line(number, line))
                   for number, line in enumerate((text or "").splitlines(), 1)
                   if line.strip()))  # every bad line said at once
    return items


def _item_line(number: int, line: str) -> dict:
    separator = _separator_of(line)
    cells = [cell.strip() for cell in re.split(separator, line)]
    while len(cells) > 6 and not cells[-1]:  # a spreadsheet's trailing empty cells
        cells.pop()
    if len(cells) > 6:  # never sign a line cut short without a word
        raise InvalidInput(f"item line {number} has {len(cells)} fields; at most 6 "
                           "(name | result | unit | limit | verdict | method)",
                           message_zh=f"第 {number} 行有 {len(cells)} 栏，最多 6 栏"
                           "（名称 | 结果 | 单位 | 标准要求 | 判定 | 方法）；"
                           f"内容里不能有“{separator if separator == '，' else '|'}”", field="items")
    cells += [""] * (6 - len(cells))
    name, result, unit, limit, verdict, method = cells[:6]
    missing = [(en, zh) for en, zh, value in (("name", "项目名称", name), ("result", "结果", result),
                                              ("verdict", "判定", verdict)) if not value]
    if missing:
        raise InvalidInput(f"item line {number}: no {' or '.join(en for en, _ in missing)} "
                           "(name | result | unit | limit | verdict | method); an item "
                           "graded, not judged, takes '—' as its verdict",
                           message_zh=f"第 {number} 行：缺少{'、'.join(zh for _, zh in missing)}"
                           "（名称 | 结果 | 单位 | 标准要求 | 判定 | 方法）；"
                           "只分级、不判合格的项目（如光洁度），判定写“—”", field="items")
    item = {"name": name, "result": result, "verdict": verdict}
    item.update({key: value for key, value in
                 (("unit", unit), ("limit", limit), ("method", method)) if value})
    typed = as_typed(item)
    check_item(typed, line=number)  # its verdict, named by this line and with the rest
    return typed
