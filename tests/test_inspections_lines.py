"""Tested items typed one a line in the agency's form, and written back for a
correction."""

from __future__ import annotations

import pytest

from trace.errors import InvalidInput, Problems
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
    # with a bar in the line the bars separate, and an ASCII comma is a decimal mark,
    # signed and shown as a point (buyers read 0,12 as typed)
    [bar] = items_from_lines("铅 | 0,02 | mg/kg | ≤0.1 | 合格 | GB 5009.12，第一法")
    assert (bar["result"], bar["method"]) == ("0.02", "GB 5009.12，第一法")
    with pytest.raises(InvalidInput) as refused:
        items_from_lines("铅，0.02，mg/kg，≤0.1，合格，GB 5009.12，第一法")
    assert "第 1 行有 7 栏" in refused.value.message_zh and "不能有“，”" in refused.value.message_zh


def test_a_reports_items_are_written_back_as_the_form_reads_them():
    typed = "珠层厚度 | 0.42 | mm | ≥0.3 | 合格 | GB/T 18781\n光泽 | 强 B |  |  | —"
    assert item_lines(items_from_lines(typed)) == typed


def test_figures_typed_full_width_are_signed_plainly_and_a_dash_is_no_unit():
    """A clerk's ０.１２ mg/kg was signed and shown in wide type; pH read 6.2 —."""
    [residue, ph] = items_from_lines("联苯菊酯｜０.１２｜ｍｇ／ｋｇ｜≤５｜合格\n"
                                     "pH值 | 6.2 | — | 4.0～8.5 | 合格")
    assert (residue["result"], residue["unit"], residue["limit"]) == ("0.12", "mg/kg", "≤5")
    assert "unit" not in ph and ph["limit"] == "4.0~8.5" and ph["value"] == "6.2"


def test_every_bad_line_is_named_at_once_by_its_line():
    """A clerk reads lines: a blank one skipped still counts, and a verdict against
    its limit is named by its line, beside the lines that could not be read."""
    with pytest.raises(Problems) as raised:
        items_from_lines("珠层厚度 | 0.42\n光泽 | 强 B | | | —\n\n瑕疵 | | | | 合格\n"
                         "铅 | 0.12 | mg/kg | ≤0.05 | 合格")
    said = [problem.message_zh for problem in raised.value.each]
    assert [text[:5] for text in said] == ["第 1 行", "第 4 行", "第 5 行"]
    assert said[0].startswith("第 1 行：缺少判定") and said[1].startswith("第 4 行：缺少结果")
    assert said[2].startswith("第 5 行的单项判定：写的是“合格”，但铅的结果 0.12 mg/kg 不在标准要求")
