"""Example result lines for the lab's form, in the goods' own kind: a food lab typing
胡柚 residues was shown a pearl's 光洁度 and a bedsheet's 甲醛 as its pattern.

The rows follow domain reference §3 (GB 2763 limits, GB 18401 class B, GB/T 18781
grades); they are a pattern to copy, never stored::

    example_lines("常山胡柚", "新鲜水果").splitlines()[0]
    # '克百威 | 未检出 | mg/kg | ≤0.02 | 合格 | GB 23200.113'
"""

from __future__ import annotations

from ..catalog import names_food, names_textile

_TEA = ("水分 | 5.8 | % | ≤6.5 | 合格 | GB 5009.3",
        "联苯菊酯 | 0.08 | mg/kg | ≤5 | 合格 | GB 23200.113",
        "吡虫啉 | <0.01 (未检出) | mg/kg | ≤0.5 | 合格 | GB/T 20769")
_FRUIT = ("克百威 | 未检出 | mg/kg | ≤0.02 | 合格 | GB 23200.113",
          "咪鲜胺 | 0.42 | mg/kg | ≤5 | 合格 | GB/T 20769",
          "铅(以Pb计) | 0.02 | mg/kg | ≤0.1 | 合格 | GB 5009.12")
_FOOD = ("铅(以Pb计) | 0.02 | mg/kg | ≤0.1 | 合格 | GB 5009.12",
         "菌落总数 | 120 | CFU/g | ≤10000 | 合格 | GB 4789.2")
_TEXTILE = ("甲醛含量 | 18 | mg/kg | ≤75 | 合格 | GB/T 2912.1-2009",
            "pH值 | 6.3 | | 4.0-8.5 | 合格 | GB/T 7573-2009",
            "耐干摩擦色牢度 | 4 | 级 | ≥3 | 合格 | GB/T 3920-2008")
_PEARL = ("鉴定结论 | 淡水养殖珍珠 | | | 符合 | GB/T 16553",
          "光泽 | 强 B | | | — | GB/T 18781-2023",
          "光洁度 | 微瑕 B | | | — | GB/T 18781-2023")
# Nothing says the kind: one row of each, as the form always showed.
_MIXED = (_TEA[1], _TEXTILE[0], _PEARL[2])

_FRUIT_WORDS = ("水果", "鲜果", "果品", "胡柚", "柑", "橘", "桔", "橙", "柚", "杨梅", "猕猴桃")


def example_lines(*words: str | None) -> str:
    """Example lines for goods named by ``words`` (a product's name and category, then
    a lab's scope of testing); the first of them that names a kind decides. A scope
    naming several kinds (食品、纺织品) gets a row of each."""
    for word in words:
        kinds = _kinds_in(word or "")
        if len(kinds) == 1:
            return "\n".join(kinds[0])
        if kinds:
            return "\n".join(rows[0] for rows in kinds)
    return "\n".join(_MIXED)


def _kinds_in(word: str) -> list[tuple[str, ...]]:
    """The kinds of goods ``word`` names, most particular first: a 龙井 is tea before
    it is food, a 蚕丝被 a textile though 蚕丝 is no food."""
    kinds: list[tuple[str, ...]] = [rows for rows, named in (
        (_PEARL, "珍珠" in word), (_TEXTILE, names_textile(word)),
        (_TEA, "茶" in word or "龙井" in word),
        (_FRUIT, any(fruit in word for fruit in _FRUIT_WORDS))) if named]
    if names_food(word) and not ({id(_TEA), id(_FRUIT)} & {id(rows) for rows in kinds}):
        kinds.append(_FOOD)
    return kinds
