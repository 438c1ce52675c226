"""TSPL and ZPL files, read back as the printer would draw them and decoded with zxing-cpp."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from trace import printers
from trace.errors import InvalidInput
from trace.issuing import export_rows, issue_codes
from trace.label_sources import BatchSource
from trace.stocks import load_stock

from conftest import GTIN, LOT

LABELS = Path(__file__).resolve().parent.parent / "labels"
LOCAL = "http://127.0.0.1:5000"
PRINTER_STOCKS = ["thermal-40x30", "thermal-50x30", "tag-30x20", "tag-50x90"]


@pytest.fixture
def codes(db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 12)
    return [row["url"] for row in export_rows(db, GTIN, LOT, LOCAL)]


def dots(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


_BITMAP = re.compile(rb"BITMAP (\d+),(\d+),(\d+),(\d+),0,")


def tspl_commands(data: bytes):
    """(command, arguments) in order, read as a printer reads them: a BITMAP's binary
    data is skipped by its declared size, never searched for text."""
    position = 0
    while position < len(data):
        bitmap = _BITMAP.match(data, position)
        if bitmap:
            x, y, row_bytes, height = map(int, bitmap.groups())
            end = bitmap.end() + row_bytes * height
            assert data[end:end + 2] == b"\r\n", "BITMAP data is not the declared size"
            yield "BITMAP", (x, y, row_bytes, height, data[bitmap.end():end])
            position = end + 2
            continue
        end = data.index(b"\r\n", position)
        line = data[position:end].decode("ascii")
        yield line.split(" ", 1)[0], line
        position = end + 2


def tspl_labels(data: bytes, stock) -> list[Image.Image]:
    """Each label as a TSPL printer draws it: BITMAP bits 0 print, 1 stay white."""
    images: list[Image.Image] = []
    canvas = None
    for command, argument in tspl_commands(data):
        if command == "SIZE":
            assert argument == f"SIZE {stock.label_w_mm:g} mm,{stock.label_h_mm:g} mm"
        elif command == "GAP":
            assert argument == f"GAP {stock.gap_mm:g} mm,0 mm"
        elif command == "CLS":
            canvas = Image.new("1", (dots(stock.label_w_mm, stock.dpi),
                                     dots(stock.label_h_mm, stock.dpi)), 1)
        elif command == "BITMAP":
            x, y, row_bytes, height, raw = argument
            canvas.paste(Image.frombytes("1", (row_bytes * 8, height), raw), (x, y))
        elif command == "PRINT":
            assert argument == "PRINT 1,1"
            images.append(canvas)
            canvas = None
    assert canvas is None, "a label was never printed"
    return images


def zpl_rows(data: str, row_bytes: int, total: int) -> bytes:
    """Undo ZPL's ASCII compression as far as we use it (':' and ',')."""
    rows: list[str] = []
    for token in re.findall(r"[0-9A-F]*,|:|[0-9A-F]{%d}" % (2 * row_bytes), data):
        if token == ":":
            rows.append(rows[-1])
        elif token.endswith(","):
            rows.append(token[:-1].ljust(2 * row_bytes, "0"))
        else:
            rows.append(token)
    raw = bytes.fromhex("".join(rows))
    assert len(raw) == total
    return raw


def zpl_labels(data: bytes, stock) -> list[Image.Image]:
    """Each label as a Zebra draws it: ^GFA bits 1 print."""
    images = []
    for label in data.decode("ascii").split("^XZ")[:-1]:
        width = int(re.search(r"\^PW(\d+)", label)[1])
        height = int(re.search(r"\^LL(\d+)", label)[1])
        assert (width, height) == (dots(stock.label_w_mm, stock.dpi),
                                   dots(stock.label_h_mm, stock.dpi))
        assert f"gap {stock.gap_mm:g} mm" in label
        canvas = Image.new("L", (width, height), 255)
        for x, y, total, _, row_bytes, body in re.findall(
                r"\^FO(\d+),(\d+)\^GFA,(\d+),(\d+),(\d+),([^^]*)\^FS", label):
            raw = zpl_rows(body, int(row_bytes), int(total))
            ink = Image.frombytes("1", (int(row_bytes) * 8, int(total) // int(row_bytes)), raw)
            canvas.paste(0, (int(x), int(y)), ink)
        images.append(canvas)
    return images


def decode(image: Image.Image) -> list[str]:
    """Dark modules on light paper only: a bitmap of the wrong polarity must not pass."""
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"), try_invert=False,
                                                   formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize("fmt, reader", [("tspl", tspl_labels), ("zpl", zpl_labels)])
@pytest.mark.parametrize("stock_name", PRINTER_STOCKS)
def test_every_label_decodes_to_its_exact_code(db, codes, tmp_path, stock_name, fmt, reader):
    stock = load_stock(stock_name, LABELS)
    out = tmp_path / f"labels.{fmt}"
    printers.print_commands(BatchSource(db, GTIN, LOT, LOCAL), stock, str(out), fmt,
                            domain="127.0.0.1:5000", per_file=5000)
    images = reader(out.read_bytes(), stock)
    assert [decode(image) for image in images] == [[url] for url in codes]
    text_area = images[0].convert("L").crop(
        tuple(dots(v, stock.dpi) for v in (stock.texts[0].x_mm, stock.texts[0].y_mm,
                                           stock.texts[0].x_mm + stock.texts[0].width_mm,
                                           stock.texts[0].y_mm + stock.texts[0].height_mm)))
    assert text_area.getextrema()[0] == 0  # the product name is printed, in dots


def test_modules_are_whole_dots(codes):
    from trace.qr import make_symbol
    stock = load_stock("thermal-40x30", LABELS)
    placed = printers.qr_placement(stock, make_symbol(codes[0]))
    symbol = make_symbol(codes[0])
    assert placed.bitmap.height % symbol.width == 0  # 3 dots a module at 203 dpi
    assert placed.bitmap.height // symbol.width * 25.4 / 203 >= stock.min_module_mm


def test_parts_and_stdout(db, codes, tmp_path, run_cli, app):
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock",
                     "thermal-40x30", "--format", "zpl", "--per-file", "5",
                     "--out", str(tmp_path / "l.zpl"))
    assert result.exit_code == 0, result.output
    parts = sorted(tmp_path.glob("l-*.zpl"))
    assert [p.name for p in parts] == ["l-001.zpl", "l-002.zpl", "l-003.zpl"]
    assert sum(p.read_text().count("^XZ") for p in parts) == 12
    streamed = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock",
                       "thermal-50x30",
                       "--format", "tspl", "--serials", "1-2", "--out", "-")
    assert streamed.exit_code == 0
    assert streamed.stdout_bytes.startswith(b"SIZE 50 mm,30 mm\r\nGAP 2 mm,0 mm\r\n")
    assert streamed.stdout_bytes.count(b"PRINT 1,1") == 2
    assert "Wrote 2 labels (thermal-50x30, TSPL)" in streamed.stderr


def test_a_sheet_stock_is_refused_for_printer_languages(db, codes, tmp_path, run_cli):
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock", "a4-3x8",
                     "--format", "tspl", "--out", str(tmp_path / "l.tspl"))
    assert result.exit_code == 1 and "is a sheet, not a roll" in result.output
    assert "thermal-50x30-pin" in result.output  # the rolls there are, listed
    assert not list(tmp_path.glob("l*"))
    with pytest.raises(InvalidInput, match="--format must be"):
        printers.check_printer_stock(load_stock("thermal-40x30", LABELS), "epl")


def test_the_pin_stock_in_tspl(db, issuer, make_batch, tmp_path, app, run_cli):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 2, pin_secret=app.config["HASH_SECRET"])
    out = tmp_path / "pin.tspl"
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock",
                     "thermal-50x30-pin", "--format", "tspl", "--out", str(out))
    assert result.exit_code == 0, result.output
    stock = load_stock("thermal-50x30-pin", LABELS)
    images = tspl_labels(out.read_bytes(), stock)
    urls = [row["url"] for row in export_rows(db, GTIN, LOT, app.config["BASE_URL"])]
    assert [decode(image) for image in images] == [[url] for url in urls]
    box = stock.texts[4]
    inside = images[0].convert("L").crop(tuple(dots(v, stock.dpi) for v in (
        box.x_mm + 1, box.y_mm + 0.5, box.x_mm + box.width_mm - 1, box.y_mm + box.height_mm - 0.5)))
    assert inside.getextrema()[0] == 0  # the PIN's digits inside the frame
