"""How pages word what they show (trace/web/wording.py)."""

import pytest

from trace.web.wording import dial_numbers, keep_codes


@pytest.mark.parametrize("text, kept", [
    ("所检项目符合 GB/T 18781-2023 要求", "所检项目符合 GB/T\u00a018781\u20112023 要求"),
    ("GB 2763-2021 <b>", "GB\u00a02763\u20112021 <b>"),
    ("批次 CS-2611-01", "批次 CS\u20112611\u201101"),
    ("不含编号的文字", "不含编号的文字"), (None, "")])
def test_standard_and_lot_numbers_are_kept_on_one_line(text, kept):
    assert keep_codes(text) == kept


def test_numbers_in_free_text_are_tappable_and_the_rest_escaped():
    linked = str(dial_numbers("微信 <pearl88>，电话 139 5717 2468"))
    assert linked == ('微信 &lt;pearl88&gt;，电话 '
                      '<a href="tel:+8613957172468" class="phone nowrap">139 5717 2468</a>')
    assert str(dial_numbers("只有微信 abc & co")) == "只有微信 abc &amp; co"


def test_a_date_and_time_may_break_between_them_but_never_inside_either():
    from trace.web.wording import nowrap
    assert str(nowrap("2026-11-29 05:12:09")) == (
        '<span class="nowrap">2026-11-29</span> <span class="nowrap">05:12:09</span>')
    assert str(nowrap("ZJ-2611-A <b>")) == '<span class="nowrap">ZJ-2611-A &lt;b&gt;</span>'
