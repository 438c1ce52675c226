"""A tested item in words a buyer knows, in Chinese and English."""

from __future__ import annotations

import pytest

from trace.inspections.glossary import english_name, explained


@pytest.mark.parametrize("name, zh, en", [
    ("联苯菊酯", "联苯菊酯（农药残留）", "bifenthrin (a pesticide residue)"),
    ("铅(以Pb计)", "铅(以Pb计)（重金属）", "lead (a heavy metal)"),
    ("铅（以Pb计）", "铅（以Pb计）（重金属）", "lead (a heavy metal)"),  # full-width brackets
    ("甲醛含量", "甲醛含量（纺织品安全项目）", "formaldehyde (a textile safety test)"),
    ("耐干摩擦色牢度", "耐干摩擦色牢度（色牢度，即是否掉色）",
     "colour fastness to dry rubbing (colour fastness: whether the colour runs)"),
    ("水分", "水分", "moisture"),                     # says what it is
    ("珠层厚度", "珠层厚度", "nacre thickness"),
    ("鉴定结论", "鉴定结论", "identification"),  # a pearl certificate's rows, all in English
    ("链长", "链长", "necklace length"),
    ("某未知项目", "某未知项目", "某未知项目"),          # as the lab wrote it
])
def test_an_item_is_explained_in_each_language(name, zh, en):
    assert (explained(name, "zh"), explained(name, "en")) == (zh, en)


def test_a_name_with_its_unit_or_spaces_is_still_known():
    assert english_name("甲醛含量/(mg/kg)") == "formaldehyde"
    assert english_name(" 联苯菊酯 ") == "bifenthrin" and english_name("x") is None
