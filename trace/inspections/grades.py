"""The grade scales of GB/T 18781-2023 《珍珠分级》, which pearl labs print as a
word and a letter ('微瑕 B'): a buyer is shown where a grade sits on its scale,
not a bare 微瑕 that reads like a defect, and that the item is graded, not
passed or failed::

    scale_hint({"name": "光洁度", "result": "微瑕 B"})
    # ('等级由好到差：无瑕 A、微瑕 B、小瑕 C、瑕疵 D、重瑕 E（分级项目，不判合格与否）', 'Grades, ...')
"""

from __future__ import annotations

import re

# item name -> its levels, best first: (Chinese word, letter, English word)
SCALES = {
    "光泽": (("极强", "A", "very strong"), ("强", "B", "strong"), ("中", "C", "medium"),
           ("弱", "D", "weak")),
    "光洁度": (("无瑕", "A", "flawless"), ("微瑕", "B", "very slightly blemished"),
            ("小瑕", "C", "slightly blemished"), ("瑕疵", "D", "blemished"),
            ("重瑕", "E", "heavily blemished")),
    "形状": (("正圆", "A1", "perfectly round"), ("圆", "A2", "round"),
           ("近圆", "A3", "near-round"), ("椭圆", "B", "oval"), ("扁圆", "C", "button"),
           ("异形", "D", "baroque")),
    "匹配性": (("很好", "A", "very good"), ("好", "B", "good"), ("一般", "C", "fair")),
    "珠层厚度": (("特厚", "A", "very thick"), ("厚", "B", "thick"), ("中", "C", "medium"),
             ("薄", "D", "thin"), ("极薄", "E", "very thin")),
}


def scale_hint(item: dict) -> tuple[str, str] | None:
    """(Chinese, English) naming the item's grade scale, best first, when its result
    is a grade of that scale as certificates print it; else None."""
    levels = SCALES.get(str(item.get("name", "")).strip())
    result = str(item.get("result", ""))
    if levels is None or not any(re.search(rf"{word}\s*{letter}(?![0-9A-Za-z])", result)
                                 for word, letter, _english in levels):
        return None
    zh = "、".join(f"{word} {letter}" for word, letter, _english in levels)
    en = ", ".join(f"{letter} {english}" for _word, letter, english in levels)
    return (f"等级由好到差：{zh}（分级项目，不判合格与否）",
            f"Grades, best first: {en} (graded, not passed or failed)")
