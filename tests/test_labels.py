"""Label PDFs, proven by rendering them (pypdfium2) and decoding them (zxing-cpp)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import ImageFilter

from trace import labels
from trace.codes import group_serial
from trace.errors import InvalidInput
from trace.issuing import export_rows, issue_codes
from trace.qr import QUIET_ZONE, make_symbol
from trace.stocks import load_stock

from conftest import GTIN, LOT

LABELS = Path(__file__).resolve().parent.parent / "labels"
LOCAL = "http://127.0.0.1:5000"   # the base URL `make run` issues with
DOMAIN = "127.0.0.1:5000"
A4_AND_THERMAL = ["a4-3x8", "a4-4x10", "thermal-40x30", "thermal-50x30"]
ALL_STOCKS = A4_AND_THERMAL + ["tag-30x20"]


@pytest.fixture
def codes(db, issuer, make_batch):
    """30 issued codes (URLs in issue order)."""
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 30)
    return [row["url"] for row in export_rows(db, GTIN, LOT, LOCAL)]


def print_batch(db, stock_name, out, **kwargs):
    stock = load_stock(stock_name, LABELS)
    positions = kwargs.pop("positions", None)
    source = labels.BatchSource(db, GTIN, LOT, LOCAL, positions)
    return labels.print_labels(source, stock, out, domain=DOMAIN, folder=LABELS, **kwargs)


def pages(paths, dpi):
    for path in paths:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            yield page.render(scale=dpi / 72).to_pil().convert("L")


def decode(image):
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize("stock", ALL_STOCKS)
def test_every_code_comes_back_exactly_once_at_300_dpi(db, codes, tmp_path, stock):
    paths = print_batch(db, stock, tmp_path / "labels.pdf")
    assert paths == [tmp_path / "labels.pdf"]
    found = Counter(text for image in pages(paths, 300) for text in decode(image))
    assert found == Counter(codes)


@pytest.mark.parametrize("stock", A4_AND_THERMAL)
def test_blurred_150_dpi_still_decodes_every_label(db, codes, tmp_path, stock):
    paths = print_batch(db, stock, tmp_path / "labels.pdf")
    found = Counter(text for image in pages(paths, 150)
                    for text in decode(image.filter(ImageFilter.GaussianBlur(0.8))))
    assert found == Counter(codes)


@pytest.mark.parametrize("stock", ALL_STOCKS)
def test_label_text_is_there_in_chinese(db, codes, tmp_path, stock):
    paths = print_batch(db, stock, tmp_path / "labels.pdf", positions=(1, 1))
    text = pdfium.PdfDocument(str(paths[0]))[0].get_textpage().get_text_range()
    flat = re.sub(r"\s", "", text.replace("\ufffe", "-"))  # pdfium marks a line-end hyphen
    serial = codes[0].split("/21/")[1].split("?")[0]
    for expected in ("批次号", LOT, "追溯码", "扫码验真", DOMAIN, group_serial(serial)):
        assert expected in flat, (expected, text)
    assert "诸暨淡水珍珠项链" in flat


def white(image, box) -> bool:
    return image.crop(box).getextrema()[0] >= 200


@pytest.mark.parametrize("stock_name", ALL_STOCKS)
def test_quiet_zone_and_label_edges_stay_clear(db, codes, tmp_path, stock_name):
    """Nothing drawn in the QR's quiet zone or within 0.3 mm of a label's edge."""
    stock = load_stock(stock_name, LABELS)
    paths = print_batch(db, stock_name, tmp_path / "labels.pdf")
    image = next(pages(paths, 300))
    px = 300 / 25.4
    symbol = make_symbol(codes[0])
    module = labels.module_mm(stock, symbol.width)
    used = min(stock.labels_per_page, len(codes))
    for position in range(used):
        left, top = stock.label_origin_mm(position)
        qr_left, qr_top = left + stock.qr_x_mm, top + stock.qr_y_mm
        inner = QUIET_ZONE * module + (stock.qr_size_mm - module * symbol.width) / 2
        band = inner - 0.15  # a little less than the quiet zone, for anti-aliasing
        for box in [(qr_left, qr_top, qr_left + stock.qr_size_mm, qr_top + band),
                    (qr_left, qr_top + stock.qr_size_mm - band, qr_left + stock.qr_size_mm,
                     qr_top + stock.qr_size_mm),
                    (qr_left, qr_top, qr_left + band, qr_top + stock.qr_size_mm),
                    (qr_left + stock.qr_size_mm - band, qr_top, qr_left + stock.qr_size_mm,
                     qr_top + stock.qr_size_mm)]:
            assert white(image, tuple(round(v * px) for v in box)), (position, box)
        right, bottom = left + stock.label_w_mm, top + stock.label_h_mm
        for box in [(left, top, right, top + 0.3), (left, bottom - 0.3, right, bottom),
                    (left, top, left + 0.3, bottom), (right - 0.3, top, right, bottom)]:
            assert white(image, tuple(round(v * px) for v in box)), (position, "edge", box)
        assert not white(image, tuple(round(v * px) for v in (qr_left + inner, qr_top + inner,
                         qr_left + stock.qr_size_mm - inner, qr_top + stock.qr_size_mm - inner)))


def test_start_at_skips_positions_on_the_first_sheet(db, codes, tmp_path):
    stock = load_stock("a4-3x8", LABELS)
    paths = print_batch(db, "a4-3x8", tmp_path / "l.pdf", start_at=5)
    first, second = list(pages(paths, 300))
    px = 300 / 25.4
    for position in range(5):
        left, top = stock.label_origin_mm(position)
        box = (left, top, left + stock.label_w_mm, top + stock.label_h_mm)
        assert white(first, tuple(round(v * px) for v in box))
    assert len(decode(first)) == 19 and len(decode(second)) == 11
    with pytest.raises(InvalidInput, match="0-23"):
        print_batch(db, "a4-3x8", tmp_path / "x.pdf", start_at=24)


def test_serial_positions_print_that_range(db, codes, tmp_path):
    paths = print_batch(db, "thermal-50x30", tmp_path / "l.pdf", positions=(3, 7))
    assert Counter(t for image in pages(paths, 300) for t in decode(image)) == Counter(codes[2:7])
    with pytest.raises(InvalidInput, match="no active codes"):
        print_batch(db, "thermal-50x30", tmp_path / "n.pdf", positions=(31, 40))


@pytest.mark.parametrize("text, expected", [
    ("1-500", (1, 500)), ("7", (7, 7)), (" 2 - 3 ", (2, 3)),
])
def test_parse_range(text, expected):
    assert labels.parse_range(text) == expected


@pytest.mark.parametrize("text", ["", "a-b", "0-5", "5-2", "1-2-3"])
def test_parse_range_rejects(text):
    with pytest.raises(InvalidInput, match="serials"):
        labels.parse_range(text)


def test_large_jobs_split_into_files_in_parallel(db, issuer, make_batch, tmp_path):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 1_100)
    urls = [row["url"] for row in export_rows(db, GTIN, LOT, LOCAL)]
    paths = print_batch(db, "a4-4x10", tmp_path / "big.pdf", per_file=400, workers=2)
    assert [p.name for p in paths] == ["big-001.pdf", "big-002.pdf", "big-003.pdf"]
    assert [len(pdfium.PdfDocument(str(p))) for p in paths] == [10, 10, 8]
    assert not list(tmp_path.glob("*.partial"))
    found = Counter(t for image in pages(paths, 300) for t in decode(image))
    assert found == Counter(urls)


def test_split_parts_fill_whole_pages():
    stock = load_stock("a4-3x8", LABELS)
    assert labels.split_parts(100, stock, 50, 0) == [48, 48, 4]
    assert labels.split_parts(100, stock, 50, 5) == [43, 48, 9]
    assert labels.split_parts(10, stock, 1, 0) == [10]


def test_too_small_stock_is_refused_with_the_size_that_fits(db, issuer, make_batch, tmp_path):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 2)
    source = labels.BatchSource(db, GTIN, LOT, "https://trace.example.cn")  # version 9
    stock = load_stock("tag-30x20", LABELS)
    with pytest.raises(InvalidInput, match=r"needs 61 modules .* at least 20\.7 mm square"
                                           r".* Stocks that fit: a4-3x8, a4-4x10, thermal"):
        labels.print_labels(source, stock, tmp_path / "out" / "t.pdf",
                            domain="trace.example.cn", folder=LABELS)
    assert not (tmp_path / "out").exists()


def test_a_failure_part_way_leaves_no_file(tmp_path):
    fits = labels.LabelItem(LOCAL + "/01/09521234000013/10/L/21/S?k=K&s=" + "a" * 86,
                            GTIN, "L", "S", "珍珠")
    too_long = labels.LabelItem(fits.url + "&x=" + "y" * 60, GTIN, "L", "S2", "珍珠")
    assert make_symbol(fits.url).version <= 8 < make_symbol(too_long.url).version
    source = labels.ListSource([fits] * 3 + [too_long])
    with pytest.raises(InvalidInput, match="too small"):
        labels.print_labels(source, load_stock("tag-30x20", LABELS), tmp_path / "t.pdf",
                            domain=DOMAIN)
    assert list(tmp_path.iterdir()) == []
