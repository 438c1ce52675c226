"""QR symbols: zxing-cpp matrix, PDF operators, SVG and PNG that decode exactly."""

import io
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from trace.qr import QUIET_ZONE, make_symbol, pdf_operators, svg_for, to_png

URL = ("http://127.0.0.1:5000/01/09521234000013/10/ZJ-2611-A/21/RZJ4WDFFXA07"
       "?k=9FA07N61&s=" + "Ab9_-" * 17 + "A")  # 168 characters, as `make run` issues


def decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_symbol_is_version_8_at_m_with_a_four_module_quiet_zone():
    assert len(URL) == 168
    symbol = make_symbol(URL)
    assert (symbol.size, symbol.version, symbol.width) == (49, 8, 57)
    rows = [symbol.pixels[y * 57:(y + 1) * 57] for y in range(57)]
    assert all(set(row) == {255} for row in rows[:QUIET_ZONE] + rows[-QUIET_ZONE:])
    assert all(set(row[:QUIET_ZONE] + row[-QUIET_ZONE:]) == {255} for row in rows)


def test_png_decodes_to_the_same_text():
    image = Image.open(io.BytesIO(to_png(make_symbol(URL), module_px=4)))
    assert image.size == (57 * 4, 57 * 4)
    assert decode(image) == [URL]


def test_svg_paths_draw_a_symbol_that_decodes():
    svg = svg_for(URL)
    assert svg.startswith("<svg") and "<script" not in svg and URL.replace("&", "&amp;") in svg
    total = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    scale = 6
    image = Image.new("L", (total * scale, total * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    for x, y, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+z", path):
        x, y, w, h = map(int, (x, y, w, h))
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1], fill=0)
    assert decode(image) == [URL]


def test_pdf_operators_fill_one_path_in_module_units():
    symbol = make_symbol(URL)
    ops = pdf_operators(symbol, 10, 200, 1.5).splitlines()
    assert ops[0].startswith("q 0 g 1.50000 0 0 -1.50000 10.0000 200.0000 cm")
    assert ops[-1] == "f Q"
    assert len(ops) - 2 == len(symbol.rects)
    dark = sum(1 for value in symbol.pixels if value == 0)
    assert sum(w for _, _, w, _ in symbol.rects) == dark


@pytest.mark.parametrize("text", ["http://127.0.0.1:5000/01/09521234000013/10/A", "x" * 300])
def test_other_lengths_encode_and_decode(text):
    image = Image.open(io.BytesIO(to_png(make_symbol(text), module_px=3)))
    assert decode(image) == [text]
