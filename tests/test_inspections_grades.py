"""Pearl grade scales shown beside a graded result."""

import pytest

from trace.inspections.grades import scale_hint


def test_a_graded_result_names_its_scale_best_first():
    zh, en = scale_hint({"name": "光洁度", "result": "微瑕 B"})
    assert zh == "等级由好到差：无瑕 A、微瑕 B、小瑕 C、瑕疵 D、重瑕 E（分级项目，不判合格与否）"
    assert en.startswith("Grades, best first: A flawless, B very slightly blemished")
    assert "正圆 A1、圆 A2" in scale_hint({"name": "形状", "result": "圆 A2 (直径差 4.1%)"})[0]


@pytest.mark.parametrize("item", [
    {"name": "珠层厚度", "result": "不适用(无核)"},  # not a grade: no scale to place it on
    {"name": "光泽", "result": "油润"},  # a tea's 感官 word, not a pearl grade
    {"name": "颜色", "result": "白色"},
    {"name": "铅", "result": "<0.01"},
    {"name": "光泽", "result": "强 B2"},  # no such level
])
def test_anything_else_gets_no_scale(item):
    assert scale_hint(item) is None
