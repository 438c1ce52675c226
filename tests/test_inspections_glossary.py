"""A tested item in words a buyer knows, in Chinese and English."""

from __future__ import annotations

import pytest

from trace.inspections.glossary import english_name, explained, how_to_read


@pytest.mark.parametrize("name, zh, en", [
    ("联苯菊酯", "联苯菊酯（农药残留）", "bifenthrin (a pesticide residue)"),
    ("铅(以Pb计)", "铅(以Pb计)（重金属）", "lead (a heavy metal)"),
    ("铅（以Pb计）", "铅（以Pb计）（重金属）", "lead (a heavy metal)"),  # full-width brackets
    ("甲醛含量", "甲醛含量（纺织品安全项目）", "formaldehyde (a textile safety test)"),
    ("耐干摩擦色牢度", "耐干摩擦色牢度（色牢度，即是否掉色）",
     "colour fastness to dry rubbing (colour fastness: whether the colour runs)"),
    # A trial's 耐汗渍 had no gloss; 变色 and 沾色 tell two English rows apart.
    ("耐汗渍色牢度（沾色）", "耐汗渍色牢度（沾色）（色牢度，即是否掉色）",
     "colour fastness to sweat (staining) (colour fastness: whether the colour runs)"),
    ("耐汗渍色牢度（酸性，沾色）", "耐汗渍色牢度（酸性，沾色）（色牢度，即是否掉色）",
     "colour fastness to sweat (acid, staining) (colour fastness: whether the colour runs)"),
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


def test_each_kind_of_result_is_told_how_to_read_once_in_the_order_met():
    """A trial's buyer read 3-4 级 against ≥3 级, and 致癌 beside 禁用, with nothing
    saying which way is good."""
    notes = how_to_read(["甲醛含量", "pH值", "耐水色牢度（变色）", "耐水色牢度（沾色）",
                         "可分解致癌芳香胺染料", "异味", "铅", "联苯菊酯"])
    assert [zh.split("：")[0] for zh, _en in notes] == [
        "甲醛", "pH 值", "色牢度（是否掉色）", "可分解致癌芳香胺染料", "农药残留、重金属"]
    assert "级数越高越不容易掉色" in notes[2][0] and "the higher the less" in notes[2][1]
    assert how_to_read(["珠层厚度", "某未知项目"]) == []  # nothing to say of these
