"""Tested items typed one a line in the agency's form, and written back for a
correction."""

from __future__ import annotations

import pytest

from trace.errors import InvalidInput
from trace.inspections.lines import item_lines, items_from_lines


def test_an_item_line_with_more_fields_than_the_form_has_is_refused():
    with pytest.raises(InvalidInput) as refused:
        items_from_lines("铅 | 0.02 | mg/kg | ≤0.1 | 合格 | GB 5009.12 | 备注")
    assert "第 1 行有 7 栏" in refused.value.message_zh
    [item] = items_from_lines("铅｜0.02｜mg/kg｜≤0.1｜合格｜GB 5009.12\t\t")  # full-width, tabs
    assert (item["method"], item["verdict"]) == ("GB 5009.12", "合格")


def test_an_item_line_typed_with_chinese_commas_reads_as_cells():
    [item] = items_from_lines("铅，0.02，mg/kg，≤0.1，合格，GB 5009.12")
    assert (item["name"], item["result"], item["limit"], item["method"]) == \
        ("铅", "0.02", "≤0.1", "GB 5009.12")
    # with a bar in the line the bars separate, and an ASCII comma is a decimal mark
    [bar] = items_from_lines("铅 | 0,02 | mg/kg | ≤0.1 | 合格 | GB 5009.12，第一法")
    assert (bar["result"], bar["method"]) == ("0,02", "GB 5009.12，第一法")
    with pytest.raises(InvalidInput) as refused:
        items_from_lines("铅，0.02，mg/kg，≤0.1，合格，GB 5009.12，第一法")
    assert "第 1 行有 7 栏" in refused.value.message_zh and "不能有“，”" in refused.value.message_zh


def test_a_reports_items_are_written_back_as_the_form_reads_them():
    typed = "珠层厚度 | 0.42 | mm | ≥0.3 | 合格 | GB/T 18781\n光泽 | 强 B |  |  | —"
    assert item_lines(items_from_lines(typed)) == typed
