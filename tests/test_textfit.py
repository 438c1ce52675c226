"""Fitting label text: shrink, wrap at sensible places, shorten with '…'."""

import pytest

from trace.stocks import PT_PER_MM, TextBox
from trace.textfit import fit_text, register_font, text_width, wrap


def test_long_names_are_shortened_sensibly():
    box = TextBox("{product}", 0, 0, width_mm=20, size_pt=8, min_size_pt=6, max_lines=2)
    size, lines = fit_text("浙江诸暨山下湖淡水珍珠正圆强光项链套装礼盒限量版", box)
    assert size == 6 and len(lines) == 2 and lines[-1].endswith("…")
    width = 20 * PT_PER_MM
    assert all(text_width(line, size) <= width for line in lines)
    assert fit_text("珍珠项链", box) == (8, ("珍珠项链",))


def test_wrap_prefers_spaces_then_hyphens():
    register_font()
    width = 9.6 * PT_PER_MM
    assert wrap("批次号 ZJ-2611-A", width, 4.5) == ["批次号", "ZJ-2611-A"]
    # a word too wide for any line starts on the current one: fewer lines
    assert wrap("追溯码 RZJ4-WDFF-XA07", width, 4.5) == ["追溯码 RZJ4-", "WDFF-XA07"]


def test_a_name_breaks_at_its_space_when_that_costs_no_line():
    """A trial tea label read '西湖龙井 明' / '前特级' on the 40 x 30 mm roll."""
    box = TextBox("{product}", 0, 0, width_mm=13.5, size_pt=6.5, min_size_pt=5, max_lines=2)
    assert fit_text("西湖龙井 明前特级", box) == (6.5, ("西湖龙井", "明前特级"))
    register_font()  # a word wider than a line still fills the line before it
    assert wrap("龙井 明前特级西湖狮峰", 13.5 * PT_PER_MM, 6.5)[0].startswith("龙井 明")


def test_wrap_keeps_brackets_with_their_words():
    register_font()
    width = 13.8 * PT_PER_MM
    assert wrap("狮峰龙井茶（特级）", width, 6.5) == ["狮峰龙井茶", "（特级）"]
    assert all(not line.endswith("（") and not line.startswith("）")
               for size in (4, 5, 6, 7, 8) for line in wrap("龙井（特级）茶叶", width, size))


def test_a_font_whose_licence_forbids_embedding_is_refused(tmp_path):
    from trace import textfit
    from trace.errors import LabelFontProblem
    data = bytearray(textfit.SHIPPED_FONT.read_bytes())
    tables = int.from_bytes(data[4:6], "big")
    for entry in range(tables):
        record = 12 + 16 * entry
        if data[record:record + 4] == b"OS/2":
            offset = int.from_bytes(data[record + 8:record + 12], "big")
            data[offset + 8:offset + 10] = (0x0002).to_bytes(2, "big")  # restricted licence
    restricted = tmp_path / "restricted.ttf"
    restricted.write_bytes(bytes(data))
    with pytest.raises(LabelFontProblem, match="does not allow embedding"):
        textfit.use_font(restricted)
    (tmp_path / "folder.ttf").mkdir()
    with pytest.raises(LabelFontProblem, match="is a folder"):
        textfit.use_font(tmp_path / "folder.ttf")
    textfit.use_font()


def test_missing_glyphs_are_named_in_the_order_they_appear():
    from trace import textfit
    from trace.errors import InvalidInput
    textfit.use_font()
    assert textfit.missing_glyphs("珍𠀀珠𠀁𠀀") == "𠀀𠀁"
    with pytest.raises(InvalidInput, match="'𠀀𠀁' in the labels.*TRACE_LABEL_FONT"):
        textfit.check_printable(["珍𠀀", "珠𠀁"], "labels")


def test_a_glyph_without_an_outline_is_missing_and_degrees_print_in_letters():
    """WenQuanYi maps ℃ and ǚ to empty glyphs: a tag printed '30  以下机洗'."""
    from trace import textfit
    textfit.use_font()
    assert textfit.label_form("30℃以下") == "30°C以下" and textfit.missing_glyphs("30℃") == ""
    assert textfit.missing_glyphs("吕ǚ\u200b珠") == "ǚ"  # a zero-width space is no mark to print


@pytest.mark.parametrize("stock_name", ["a4-3x8", "a4-4x10", "tag-30x20", "thermal-40x30",
                                        "thermal-50x30", "thermal-50x30-pin"])
def test_every_serial_of_a_stock_gets_the_same_size_and_breaks(stock_name):
    """On one roll, serials printed at 6 and 5.5 pt, and wrapped 'caption / whole
    serial' on some labels and 'caption ABCD- / …' on others, by their letters."""
    import random
    from pathlib import Path
    from trace.codes import group_serial
    from trace.stocks import load_stock
    from trace.textfit import fit_box_text
    stock = load_stock(stock_name, Path(__file__).resolve().parents[1] / "labels")
    [box] = [box for box in stock.texts if "{serial}" in box.template]
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    serials = ["".join(rng.choice(alphabet) for _ in range(12)) for _ in range(300)]
    shapes = set()
    for serial in serials + ["W" * 12, "1" * 12]:
        size, lines = fit_box_text(box.template.format(serial=group_serial(serial)), box)
        shapes.add((size, tuple(len(line) for line in lines)))
        assert "".join(lines).replace(" ", "").endswith(group_serial(serial))
        assert all(line.endswith("-") or line == lines[-1] or "-" not in line for line in lines)
        assert all(text_width(line, size) <= box.width_mm * PT_PER_MM for line in lines)
    assert len(shapes) == 1, shapes


@pytest.mark.parametrize("name, lines", [
    ("诸暨淡水珍珠项链", ("诸暨淡水", "珍珠项链")),  # was 诸暨淡水珍 / 珠项链
    ("常山胡柚礼盒 5kg", ("常山胡柚", "礼盒 5kg")),  # was 常山胡柚礼 / 盒 5kg
    ("西湖龙井 明前特级", ("西湖龙井", "明前特级")),
])
def test_a_name_on_two_lines_is_split_evenly_not_one_character_over(name, lines):
    """On the 40 x 30 mm roll the greedy break left a word's last character alone."""
    from trace.stocks import load_stock
    [box] = [b for b in load_stock("thermal-40x30", "labels").texts if b.template == "{product}"]
    size, fitted = fit_text(name, box)
    assert fitted == lines, (size, fitted)
    assert all(text_width(line, size) <= box.width_mm * PT_PER_MM for line in fitted)


@pytest.mark.parametrize("box_index, text, lines", [
    (1, "1.8 m 床：被套 200×230 cm，床单 245×250 cm，枕套 48×74 cm×2",
     ("1.8 m 床：被套 200×230 cm，床单", "245×250 cm，枕套 48×74 cm×2")),  # was 床 / 单
    (5, "制造商 海宁市许村家纺织造有限公司 浙江省海宁市许村镇工业园 4 号",
     ("制造商 海宁市许村家纺织造有限公司", "浙江省海宁市许村镇工业园 4 号")),  # was 有限公 / 司
])
def test_a_hang_tags_details_break_between_phrases_not_inside_a_word(box_index, text, lines):
    """Evened out, a trial's tag broke 床单 and 有限公司 across lines."""
    from trace.stocks import load_stock
    box = load_stock("tag-50x90", "labels").texts[box_index]
    assert fit_text(text, box)[1] == lines
