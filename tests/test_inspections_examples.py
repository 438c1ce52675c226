"""The lab form's example lines follow the goods: a food lab typing huyou residues
was shown a pearl's and a bedsheet's rows as its pattern."""

from __future__ import annotations

import pytest

from trace.inspections.examples import example_lines
from trace.inspections.lines import items_from_lines


@pytest.mark.parametrize("words, first_item", [
    (("常山胡柚", "新鲜水果"), "克百威"),
    (("西湖龙井", "绿茶"), "水分"),          # the tea, though 龙井 is also a food word
    (("礼盒", "绿茶"), "水分"),              # the category says it when the name does not
    (("蚕丝被", None), "甲醛含量"),
    (("纯棉t恤", None), "甲醛含量"),         # as a keyboard types it
    (("淡水珍珠项链", "淡水珍珠饰品"), "鉴定结论"),
    (("桂花糕", "糕点"), "铅(以Pb计)"),      # other food: contaminants and microbes
    ((None, None, "纺织品、服装"), "甲醛含量"),  # no batch chosen: the lab's scope
])
def test_the_examples_are_the_goods_own(words, first_item):
    assert example_lines(*words).splitlines()[0].split(" | ")[0] == first_item


def test_goods_of_no_known_kind_get_one_row_of_each_kind():
    rows = [line.split(" | ")[0] for line in example_lines("木雕摆件", None).splitlines()]
    assert rows == ["联苯菊酯", "甲醛含量", "光洁度"]


@pytest.mark.parametrize("words", [("常山胡柚",), ("西湖龙井",), ("蚕丝被",), ("珍珠",),
                                   ("糕点",), ("木雕",)])
def test_every_example_is_a_line_the_form_accepts(words):
    """Copied as shown, the pattern signs: it is never a row the lab would be refused."""
    items = items_from_lines(example_lines(*words))
    assert len(items) == len(example_lines(*words).splitlines())


def test_a_lab_scope_of_several_kinds_gets_a_row_of_each():
    """A food and textile lab, no batch chosen yet: not its textiles alone."""
    rows = [line.split(" | ")[0] for line in example_lines(None, None, "食品、纺织品、珍珠饰品")
            .splitlines()]
    assert rows == ["鉴定结论", "甲醛含量", "铅(以Pb计)"]
