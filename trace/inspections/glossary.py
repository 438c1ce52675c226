"""What a tested item is, in words a buyer knows: 联苯菊酯 means nothing to most,
联苯菊酯（农药残留） does, and an English reader needs "bifenthrin" at all.

Only a page's words: the signed report keeps the lab's own names::

    explained("联苯菊酯", "zh")        # '联苯菊酯（农药残留）'
    explained("铅(以Pb计)", "en")      # 'lead (a heavy metal)'
    english_name("珠层厚度")           # 'nacre thickness'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

# (Chinese kind, English kind) of each group, then its items' Chinese and English
# names. Pesticides as domain reference §3.2-3.3 lists them (GB 2763, tea and citrus).
_PESTICIDE = ("农药残留", "a pesticide residue")
_METAL = ("重金属", "a heavy metal")
_GROUPS: tuple[tuple[tuple[str, str] | None, dict[str, str]], ...] = (
    (_PESTICIDE, {
        "联苯菊酯": "bifenthrin", "吡虫啉": "imidacloprid", "啶虫脒": "acetamiprid",
        "草甘膦": "glyphosate", "茚虫威": "indoxacarb", "氯氰菊酯": "cypermethrin",
        "溴氰菊酯": "deltamethrin", "氯氟氰菊酯": "cyhalothrin", "甲氰菊酯": "fenpropathrin",
        "氰戊菊酯": "fenvalerate", "三氯杀螨醇": "dicofol", "水胺硫磷": "isocarbophos",
        "甲胺磷": "methamidophos", "乙酰甲胺磷": "acephate", "灭多威": "methomyl",
        "克百威": "carbofuran", "氧乐果": "omethoate", "多菌灵": "carbendazim",
        "六六六": "HCH", "滴滴涕": "DDT", "虫螨腈": "chlorfenapyr", "哒螨灵": "pyridaben",
        "噻虫嗪": "thiamethoxam", "甲拌磷": "phorate", "丙溴磷": "profenofos",
        "三唑磷": "triazophos", "咪鲜胺": "prochloraz", "抑霉唑": "imazalil",
        "毒死蜱": "chlorpyrifos", "阿维菌素": "abamectin"}),
    (_METAL, {"铅": "lead", "镉": "cadmium", "总汞": "mercury", "汞": "mercury",
              "总砷": "arsenic", "无机砷": "inorganic arsenic", "砷": "arsenic",
              "铬": "chromium"}),
    (("纺织品安全项目", "a textile safety test"), {
        "甲醛含量": "formaldehyde", "甲醛": "formaldehyde", "pH值": "pH", "pH": "pH",
        "可分解致癌芳香胺染料": "carcinogenic aromatic amine dyes",
        "芳香胺": "carcinogenic aromatic amine dyes", "异味": "odour"}),
    (("色牢度，即是否掉色", "colour fastness: whether the colour runs"), {
        "耐水色牢度": "colour fastness to water", "耐水": "colour fastness to water",
        "耐酸汗渍色牢度": "colour fastness to acid sweat", "耐酸汗渍": "colour fastness to acid sweat",
        "耐碱汗渍色牢度": "colour fastness to alkaline sweat",
        "耐碱汗渍": "colour fastness to alkaline sweat",
        "耐汗渍色牢度": "colour fastness to sweat", "耐汗渍": "colour fastness to sweat",
        "耐干摩擦色牢度": "colour fastness to dry rubbing",
        "耐干摩擦": "colour fastness to dry rubbing",
        "耐湿摩擦色牢度": "colour fastness to wet rubbing",
        "耐湿摩擦": "colour fastness to wet rubbing",
        "耐皂洗色牢度": "colour fastness to washing", "耐洗色牢度": "colour fastness to washing",
        "耐光色牢度": "colour fastness to light",
        "耐唾液色牢度": "colour fastness to saliva"}),
    (None, {  # needs no gloss in Chinese: the name says what it is
        "纤维含量": "fibre content", "水分": "moisture", "总灰分": "total ash",
        "粉末": "powder", "碎茶": "broken leaves", "茶多酚": "tea polyphenols",
        "游离氨基酸总量": "free amino acids", "水浸出物": "water extract",
        "感官品质": "appearance, aroma and taste", "单果重": "fruit weight",
        "横径": "fruit diameter", "可溶性固形物": "soluble solids", "总酸": "total acidity",
        "固酸比": "sugar to acid ratio", "可食率": "edible portion",
        "珠层厚度": "nacre thickness", "光泽": "lustre", "光洁度": "surface",
        "形状": "shape", "颜色": "colour", "大小": "size", "大小(范围)": "size (range)",
        "匹配性": "matching", "钻孔质量": "drilling", "珍珠质量等级": "pearl grade",
        "珍珠等级": "pearl grade", "鉴定结论": "identification", "处理情况": "treatment",
        "链长": "necklace length"}),
)
_KNOWN = {name: (group, english) for group, names in _GROUPS for name, english in names.items()}
# What labs add to a name: 铅(以Pb计), 甲醛含量/(mg/kg), trailing spaces.
_QUALIFIER = re.compile(r"\s*[（(]([^）)]*)[）)]\s*$|\s*/.*$")
# The qualifiers that tell two rows apart: a fastness test reads the fabric's own
# colour change and the staining of a white cloth beside it.
_QUALIFIERS_EN = {"变色": "colour change", "沾色": "staining", "酸性": "acid",
                  "碱性": "alkaline", "干": "dry", "湿": "wet"}


def _known(name: str) -> tuple[tuple[str, str] | None, str] | None:
    plain = unicodedata.normalize("NFKC", name).strip()
    return _KNOWN.get(plain) or _KNOWN.get(_QUALIFIER.sub("", plain))


def english_name(name: str) -> str | None:
    """The item's English name, or None for one we do not know.

    >>> english_name("耐汗渍色牢度（沾色）"), english_name("铅(以Pb计)")
    ('colour fastness to sweat (staining)', 'lead')
    >>> english_name("耐汗渍色牢度（酸性，沾色）")
    'colour fastness to sweat (acid, staining)'

    """
    known = _known(name)
    if known is None:
        return None
    qualifier = _QUALIFIER.search(unicodedata.normalize("NFKC", name).strip())
    parts = re.split(r"[,，、;；]\s*", qualifier.group(1).strip()) \
        if qualifier and qualifier.group(1) else []
    told = [_QUALIFIERS_EN[part] for part in parts if part in _QUALIFIERS_EN]
    return f"{known[1]} ({', '.join(told)})" if told else known[1]


def kind_of(name: str) -> str | None:
    """What kind of test the item is, in Chinese (农药残留, 重金属), when we know it:
    a buyer knows what a pesticide residue is, not what 克百威 is."""
    known = _known(name)
    return known[0][0] if known and known[0] else None


# How to read a kind of result, said once under a table that has one (Chinese,
# English): which way is better, and what a grade or a banned dye's 未检出 means.
_READING = {
    "农药残留": ("农药残留、重金属：越少越好，“未检出”表示少到仪器测不出；不超过标准要求即合格。",
             "Pesticide residues and heavy metals: the less the better; \"not detected\" "
             "means too little to measure. Within the limit is a pass."),
    "色牢度": ("色牢度（是否掉色）：分 1–5 级，级数越高越不容易掉色、染色；“3-4 级”介于 3 级和 4 级之间。",
            "Colour fastness (whether the colour runs): rated 1 to 5, the higher the less "
            "it runs or stains; \"3-4\" is between 3 and 4."),
    "甲醛": ("甲醛：越少越好。", "Formaldehyde: the less the better."),
    "pH": ("pH 值：表示酸碱度，7 为中性，太酸太碱都不好；在标准范围内即合格。",
           "pH: how acid or alkaline it is, 7 being neutral; too far either way is bad. "
           "Within the limit is a pass."),  # a food's pH too: not only a fabric's
    "芳香胺": ("可分解致癌芳香胺染料：国家禁止使用的染料，“未检出”就是没有用。",
            "Carcinogenic aromatic amine dyes are banned; \"not detected\" means none "
            "was used."),
}


def _reading_of(name: str) -> str | None:
    known = _known(name)
    if known is None:
        return None
    group, english = known
    if group in (_PESTICIDE, _METAL):
        return "农药残留"
    if group and group[0].startswith("色牢度"):
        return "色牢度"
    return {"formaldehyde": "甲醛", "pH": "pH",
            "carcinogenic aromatic amine dyes": "芳香胺"}.get(english)


def how_to_read(names: Iterable[str]) -> list[tuple[str, str]]:
    """(Chinese, English) notes on reading the results of these items, each kind
    once, in the order the items come: a buyer saw 3-4 级 against ≥3 级 and 致癌
    beside 禁用 with nothing saying which way is good.

    >>> [zh[:4] for zh, _en in how_to_read(["耐水色牢度（变色）", "铅", "耐干摩擦", "甲醛含量"])]
    ['色牢度（', '农药残留', '甲醛：越']
    """
    kinds = dict.fromkeys(kind for kind in map(_reading_of, names) if kind)
    return [_READING[kind] for kind in kinds]


def explained(name: str, lang: str) -> str:
    """The item as a buyer reads it in ``lang``: its kind beside the lab's name in
    Chinese, its English name (and kind) in English; as written when unknown."""
    known = _known(name)
    if known is None:
        return name
    group, _english = known
    if lang == "en":
        english = english_name(name)
        return f"{english} ({group[1]})" if group else str(english)
    return f"{name}（{group[0]}）" if group else name
