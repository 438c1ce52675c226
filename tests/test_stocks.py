"""Label stock files: the shipped ones load; a broken one names its field."""

import shutil
from pathlib import Path

import pytest

from trace.errors import InvalidInput, NotFound
from trace.stocks import list_stocks, load_stock

LABELS = Path(__file__).resolve().parent.parent / "labels"
SHIPPED = ["a4-3x8", "a4-4x10", "tag-30x20", "tag-50x90", "thermal-40x30", "thermal-50x30"]


def test_shipped_stocks_load():
    assert set(SHIPPED) <= set(list_stocks(LABELS))
    for name in SHIPPED:
        stock = load_stock(name, LABELS)
        assert stock.min_module_mm >= 0.33
        bare = name == "tag-30x20"  # too small for the words 批次号 and 追溯码
        words = {"{lot}", "{serial}"} if bare else {"批次号 {lot}", "追溯码 {serial}"}
        assert {t.template for t in stock.texts} >= {"{product}", "扫码验真", "{domain}",
                                                     *words}
    assert load_stock("a4-3x8", LABELS).labels_per_page == 24
    assert load_stock("a4-4x10", LABELS).labels_per_page == 40


def test_label_positions_on_the_sheet():
    stock = load_stock("a4-3x8", LABELS)
    assert stock.label_origin_mm(0) == (7.2, 12.9)
    assert stock.label_origin_mm(4) == pytest.approx((7.2 + 63.5 + 2.5, 12.9 + 33.9))


@pytest.fixture
def folder(tmp_path):
    shutil.copy(LABELS / "thermal-50x30.toml", tmp_path / "mine.toml")
    return tmp_path


def write(folder, text):
    (folder / "mine.toml").write_text(text, encoding="utf-8")


def edited(folder, old, new):
    text = (folder / "mine.toml").read_text(encoding="utf-8")
    assert old in text
    write(folder, text.replace(old, new, 1))


def test_a_dropped_in_stock_is_listed(folder):
    assert list_stocks(folder) == ["mine"]
    assert load_stock("mine", folder).page_w_mm == 50


@pytest.mark.parametrize("old, new, message", [
    ("width_mm = 50", "width_mm = \"wide\"", r"mine.toml: page.width_mm must be a float"),
    ("height_mm = 30\n\n[label]", "\n[label]", r"page.height_mm is missing"),
    ("size_mm = 24.0", "size_mm = 40", r"\[qr\] does not fit inside the label"),
    ("x_mm = 25.5\ny_mm = 2.5", "x_mm = 20\ny_mm = 2.5", r"text\[0\] box overlaps the QR"),
    ("y_mm = 23.3", "y_mm = 28", r"text\[4\] box comes within 1 mm of the label edge"),
    ("y_mm = 9.4", "y_mm = 9.0", r"text\[1\] box overlaps another text box"),
    ("template = \"{product}\"", "template = \"{price}\"", r"text\[0\].template uses an unknown"),
    ("size_pt = 8\nmin_size_pt = 6", "size_pt = 8\nmin_size_pt = 9", r"min_size_pt must not"),
    ("dpi = 203", "dpi = 10", r"dpi must be at least 72"),
    ("size_pt = 8\nmin_size_pt = 6", "size_pt = 8\nmin_size_pt = 4.5",
     r"text\[0\].min_size_pt is 4.5 pt, below the 5 pt minimum for Chinese"),
    ("description", "min_latin_pt = 4\ndescription", r"min_latin_pt must be at least 4.5"),
    ("[page]", "[page]\n[page]", r"not valid TOML"),
    ("description", "goods = \"珍珠\"\ndescription", r"goods must be a list, got '珍珠'"),
    ("description", "goods = [\"珍珠\", 3]\ndescription", r"goods must be a list of words"),
])
def test_broken_stock_names_the_field(folder, old, new, message):
    edited(folder, old, new)
    with pytest.raises(InvalidInput, match=message):
        load_stock("mine", folder)


def test_a_tag_made_for_some_goods_suits_only_them():
    """A pearl hang tag was offered for boxes of huyou, a bedding tag for pearls."""
    pearl, bedding, sheet = (load_stock(name, "labels") for name in
                             ("tag-30x20", "tag-50x90", "a4-3x8"))
    assert pearl.suits("淡水珍珠项链", None) and not pearl.suits("常山胡柚礼盒", "鲜果")
    assert bedding.suits("海宁纯棉四件套", "家纺") and not bedding.suits("淡水珍珠项链", "饰品")
    assert bedding.suits("纯棉套件", "床上用品")  # by its category when its name says less
    assert sheet.suits("常山胡柚礼盒", "鲜果") and sheet.goods == ()


def test_grid_larger_than_page(folder):
    edited(folder, "[label]", "[grid]\ncolumns = 2\n\n[label]")
    with pytest.raises(InvalidInput, match=r"\[grid\] needs 100.0 x 30.0 mm"):
        load_stock("mine", folder)


def test_unknown_stock_lists_the_known_ones(folder):
    with pytest.raises(NotFound, match="available: mine"):
        load_stock("nope", folder)
    with pytest.raises(InvalidInput, match="lowercase"):
        load_stock("../etc/passwd", folder)
