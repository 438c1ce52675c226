"""Label PDFs, proven by rendering them (pypdfium2) and decoding them (zxing-cpp)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageFilter

from trace import label_sources, labels
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
ALL_STOCKS = A4_AND_THERMAL + ["tag-30x20", "tag-50x90", "thermal-100x100"]
REQUIRED_TOOLS = bool(os.environ.get("TRACE_REQUIRE_BROWSER") or os.environ.get("CI"))


@pytest.fixture
def codes(db, issuer, make_batch):
    """30 issued codes (URLs in issue order)."""
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 30)
    return [row["url"] for row in export_rows(db, GTIN, LOT, LOCAL)]


def print_batch(db, stock_name, out, **kwargs):
    stock = load_stock(stock_name, LABELS)
    positions = kwargs.pop("positions", None)
    source = label_sources.BatchSource(db, GTIN, LOT, LOCAL, positions)
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
    words = ("批次号", "追溯码") if stock != "tag-30x20" else ()  # the tag prints them bare
    for expected in (*words, LOT, "扫码验真", DOMAIN, group_serial(serial)):
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
    for beyond in ((31, 40), (28, 31)):  # past the end: refused, never clipped
        with pytest.raises(InvalidInput, match=r"batch ZJ-2611-A has 30 code\(s\)"):
            print_batch(db, "thermal-50x30", tmp_path / "n.pdf", positions=beyond)


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
    source = label_sources.BatchSource(db, GTIN, LOT, "https://trace.example.cn")  # version 9
    stock = load_stock("tag-30x20", LABELS)
    with pytest.raises(InvalidInput, match=r"needs 61 modules .* at least 20\.7 mm square"
                                           r".* Stocks that fit: a4-3x8, a4-4x10, "
                                           r"tag-50x90, thermal"):
        labels.print_labels(source, stock, tmp_path / "out" / "t.pdf",
                            domain="trace.example.cn", folder=LABELS)
    assert not (tmp_path / "out").exists()


def test_a_failure_part_way_leaves_no_file(tmp_path):
    fits = label_sources.LabelItem(LOCAL + "/01/09521234000013/10/L/21/S?k=K&s=" + "a" * 86,
                                   GTIN, "L", "S", "珍珠")
    too_long = label_sources.LabelItem(fits.url + "&x=" + "y" * 60, GTIN, "L", "S2", "珍珠")
    assert make_symbol(fits.url).version <= 8 < make_symbol(too_long.url).version
    source = label_sources.ListSource([fits] * 3 + [too_long])
    with pytest.raises(InvalidInput, match="too small"):
        labels.print_labels(source, load_stock("tag-30x20", LABELS), tmp_path / "t.pdf",
                            domain=DOMAIN)
    assert list(tmp_path.iterdir()) == []


def label_crops(path: Path, stock, dpi: int = 300):
    """(image of one label, text PDFium finds inside that label) for every label."""
    scale = dpi / 72
    pt = 72 / 25.4
    for page in pdfium.PdfDocument(str(path)):
        image = page.render(scale=scale).to_pil().convert("L")
        text_page = page.get_textpage()
        for position in range(stock.labels_per_page):
            left, top = stock.label_origin_mm(position)
            box_pt = (left * pt, (stock.page_h_mm - top - stock.label_h_mm) * pt,
                      (left + stock.label_w_mm) * pt, (stock.page_h_mm - top) * pt)
            text = text_page.get_text_bounded(*box_pt)
            crop = image.crop((round(box_pt[0] * scale), round(image.height - box_pt[3] * scale),
                               round(box_pt[2] * scale), round(image.height - box_pt[1] * scale)))
            # PDFium marks a hyphen that ends a line as U+FFFE or U+0002
            yield crop, re.sub(r"\s", "", re.sub("[\ufffe\x02]", "-", text))


@pytest.mark.parametrize("stock_name", ALL_STOCKS)
def test_each_label_prints_its_own_serial_beside_its_own_code(db, codes, tmp_path, stock_name):
    """Per label: the decoded QR and the 追溯码 printed beside it are the same item."""
    stock = load_stock(stock_name, LABELS)
    start_at = 1 if stock.labels_per_page > 1 else 0  # a skipped position stays blank
    paths = print_batch(db, stock_name, tmp_path / "labels.pdf", start_at=start_at)
    serials = {url: url.split("/21/")[1].split("?")[0] for url in codes}
    seen = []
    for crop, text in label_crops(paths[0], stock):
        found = decode(crop)
        if not found:  # the skipped first position, or the unused rest of the last page
            assert text == ""
            continue
        (url,) = found
        own = group_serial(serials[url])
        assert own in text, (url, text)
        others = [group_serial(s) for u, s in serials.items() if u != url]
        assert not any(other in text for other in others), (url, text)
        assert LOT in text
        seen.append(url)
    assert seen == codes  # every code once, in issue order, position after position


def test_labels_split_over_files_pair_code_and_serial_in_every_file(db, codes, tmp_path):
    """Several files rendered by worker processes: the same pairing, file after file."""
    stock = load_stock("thermal-50x30", LABELS)  # one label a page: files of 7 labels
    paths = print_batch(db, "thermal-50x30", tmp_path / "labels.pdf", per_file=7, workers=2)
    assert len(paths) == 5
    seen = []
    for path in paths:
        for crop, text in label_crops(path, stock):
            for url in decode(crop):
                serial = url.split("/21/")[1].split("?")[0]
                assert group_serial(serial) in text, (path.name, url, text)
                seen.append(url)
    assert seen == codes


POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not POPPLER and not REQUIRED_TOOLS,
    reason="poppler-utils is not installed (apt-get install -y poppler-utils)")


@needs_poppler
@pytest.mark.parametrize("stock", ["a4-3x8", "tag-30x20"])
def test_poppler_renders_every_code(db, codes, tmp_path, stock):
    """PDFium is not the only renderer: CUPS on Linux prints through poppler."""
    assert POPPLER, "poppler-utils is required under .ci/run"
    (path,) = print_batch(db, stock, tmp_path / "labels.pdf")
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(path), str(tmp_path / "p")],
                   check=True, timeout=120, capture_output=True)
    found = Counter(text for png in sorted(tmp_path.glob("p-*.png"))
                    for text in decode(Image.open(png)))
    assert found == Counter(codes)


@needs_poppler
def test_poppler_prints_the_text_of_every_label(db, codes, tmp_path):
    assert POPPLER, "poppler-utils is required under .ci/run"
    (path,) = print_batch(db, "a4-3x8", tmp_path / "labels.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    flat = re.sub(r"\s", "", text).replace("-", "")
    for url in codes:
        assert url.split("/21/")[1].split("?")[0] in flat, url
    assert flat.count("追溯码") == len(codes) and flat.count("扫码验真") == len(codes)


def text_boxes_px(stock, position: int, dpi: int):
    """Each text box of the label at ``position``, in pixels of a page render."""
    px = dpi / 25.4
    left, top = stock.label_origin_mm(position)
    for box in stock.texts:
        yield tuple(round(v * px) for v in (left + box.x_mm, top + box.y_mm,
                                            left + box.x_mm + box.width_mm,
                                            top + box.y_mm + box.height_mm))


@needs_poppler
@pytest.mark.parametrize("stock_name", ALL_STOCKS)
def test_every_font_is_embedded_and_subset(db, codes, tmp_path, stock_name):
    (path,) = print_batch(db, stock_name, tmp_path / "labels.pdf", positions=(1, 2))
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                             text=True, timeout=60).stdout.splitlines()[2:]
    assert listing, "no fonts listed"
    for row in listing:
        name, *_, emb, sub, _uni, _obj, _gen = row.split()
        assert (emb, sub) == ("yes", "yes"), row
        assert re.fullmatch(r"[A-Z]{6}\+\S+", name), row  # a subset's tag


@needs_poppler
def test_a_sheet_asks_to_print_at_its_own_size_and_names_its_maker(db, codes, tmp_path):
    """'Fit to page' shifts labels off the stickers; reportlab's Author read (anonymous)."""
    (path,) = print_batch(db, "a4-3x8", tmp_path / "labels.pdf", positions=(1, 2))
    assert b"/PrintScaling /None" in path.read_bytes()
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    assert re.search(r"^Author:\s+Trace$", info, re.M), info


@needs_poppler
@pytest.mark.parametrize("stock_name", ALL_STOCKS)
def test_poppler_and_pdfium_both_show_every_text_box(db, codes, tmp_path, stock_name):
    """Rendered without any CJK data (poppler-data is not installed), the text is there."""
    stock = load_stock(stock_name, LABELS)
    # every detail a stock may print given (a pearl has no fibre; a box left blank is not ink)
    db.execute("UPDATE products SET fibre_content = '面料 100%棉', care = '30℃以下手洗'")
    (path,) = print_batch(db, stock_name, tmp_path / "labels.pdf", positions=(1, 1))
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "p")], check=True, timeout=120, capture_output=True)
    (png,) = tmp_path.glob("p-*.png")
    renders = {"poppler": Image.open(png).convert("L"), "pdfium": next(pages([path], 300))}
    for renderer, image in renders.items():
        for box in text_boxes_px(stock, 0, 300):
            assert not white(image, box), (renderer, box)  # ink in every text box
    from_poppler = subprocess.run(["pdftotext", str(path), "-"], check=True, timeout=60,
                                  capture_output=True, text=True).stdout
    from_pdfium = pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range()
    for text in (from_poppler, from_pdfium):
        assert "诸暨淡水珍珠项链" in re.sub(r"\s", "", text), text


@needs_poppler
def test_name_characters_beyond_gb2312_print_and_read_back(tmp_path):
    """玥, 珺, 堃, 垚 and traditional characters, common in jewellery and company
    names, were refused by the GB 2312 cut of the label font."""
    name = "玥珑珺堃垚臺灣珍珠項鍊"
    item = label_sources.LabelItem(LOCAL + "/01/09521234000013/10/L/21/S?k=K&s=" + "a" * 86,
                                   GTIN, "L", "S", name)
    [path] = labels.print_labels(label_sources.ListSource([item]), load_stock("a4-3x8", LABELS),
                                 tmp_path / "t.pdf", domain=DOMAIN)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    assert name in re.sub(r"\s", "", text)


def test_a_character_the_font_lacks_is_refused_before_any_output(tmp_path):
    item = label_sources.LabelItem(LOCAL + "/01/09521234000013/10/L/21/S?k=K&s=" + "a" * 86,
                                   GTIN, "L", "S", "𠀀珍珠")  # U+20000: beyond the shipped cut
    with pytest.raises(InvalidInput, match=r"no glyph for '𠀀'.*TRACE_LABEL_FONT"):
        labels.print_labels(label_sources.ListSource([item]), load_stock("a4-3x8", LABELS),
                            tmp_path / "t.pdf", domain=DOMAIN)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_or_unusable_font_stops_printing(tmp_path, run_cli, app, codes):
    from trace import textfit
    from trace.errors import LabelFontProblem
    with pytest.raises(LabelFontProblem, match="not found; restore labels/fonts/"):
        textfit.use_font(tmp_path / "nope.ttf")
    (tmp_path / "bad.ttf").write_bytes(b"OTTO" + b"\0" * 100)  # what a CFF font starts with
    with pytest.raises(LabelFontProblem, match="cannot be used.*must be TrueType"):
        textfit.use_font(tmp_path / "bad.ttf")
    app.config["LABEL_FONT"] = str(tmp_path / "nope.ttf")
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock", "a4-3x8",
                     "--out", str(tmp_path / "l.pdf"))
    assert result.exit_code == 1 and "apt-get install fonts-wqy-microhei" in result.output
    assert not (tmp_path / "l.pdf").exists()
    textfit.use_font()  # the shipped font again, for the tests after this one


def test_a_pin_stock_prints_each_items_pin_in_its_frame(db, issuer, make_batch, tmp_path, app,
                                                        run_cli):
    secret = app.config["HASH_SECRET"]
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 3, pin_secret=secret)
    rows = list(export_rows(db, GTIN, LOT, LOCAL, secret))
    stock = load_stock("thermal-50x30-pin", LABELS)
    source = label_sources.BatchSource(db, GTIN, LOT, LOCAL, pin_secret=secret)
    (path,) = labels.print_labels(source, stock, tmp_path / "pin.pdf", domain=DOMAIN)
    for page, row in zip(pdfium.PdfDocument(str(path)), rows):
        text = re.sub(r"\s", "", page.get_textpage().get_text_range())
        assert row["pin"] in text and group_serial(row["serial"]) in text.replace("\ufffe", "-")
    image = next(pages([path], 300))
    box = stock.texts[4]
    edge = (box.x_mm, box.y_mm, box.x_mm + box.width_mm, box.y_mm + 0.15)
    frame = tuple(round(v * 300 / 25.4) for v in edge)
    assert not white(image, frame)  # the outline where the scratch-off sticker goes


def test_a_pin_stock_refuses_a_batch_without_pins(db, codes, tmp_path, run_cli):
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock",
                     "thermal-50x30-pin", "--out", str(tmp_path / "l.pdf"))
    assert result.exit_code == 1 and "were issued without one" in result.output
    assert not list(tmp_path.glob("l*.pdf*"))


def test_a_mixed_batch_is_refused_on_the_pin_stock(db, issuer, make_batch, tmp_path, app):
    secret = app.config["HASH_SECRET"]
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 2, pin_secret=secret)
    issue_codes(db, issuer, GTIN, LOT, 2)
    source = label_sources.BatchSource(db, GTIN, LOT, LOCAL, pin_secret=secret)
    with pytest.raises(InvalidInput, match="2 of the 4 code"):
        labels.print_labels(source, load_stock("thermal-50x30-pin", LABELS), tmp_path / "m.pdf",
                            domain=DOMAIN)
    pinned = label_sources.BatchSource(db, GTIN, LOT, LOCAL, (1, 2), pin_secret=secret)
    assert labels.print_labels(pinned, load_stock("thermal-50x30-pin", LABELS),
                               tmp_path / "p.pdf", domain=DOMAIN)


def test_a_recalled_batch_prints_no_labels(db, codes, tmp_path):
    db.execute("UPDATE batches SET status = 'recalled', status_reason = '抽检不合格'")
    with pytest.raises(InvalidInput, match="is recalled"):
        print_batch(db, "a4-3x8", tmp_path / "r.pdf")


@pytest.mark.parametrize("out, fmt, message", [
    ("{tmp}/no/such/l.pdf", "pdf", "there is no folder"),
    ("{tmp}/l.tspl", "pdf", "must end in .pdf"),
    ("{tmp}/l.pdf", "tspl", "should not be named .pdf"),
    ("-", "pdf", "a PDF goes to a file"),
    ("/dev/null", "pdf", "is a device"),
    ("{tmp}", "tspl", "is a directory"),  # click says so itself
])
def test_where_labels_may_go(run_cli, codes, tmp_path, out, fmt, message):
    stock = "a4-3x8" if fmt == "pdf" else "thermal-40x30"
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock", stock,
                     "--format", fmt, "--out", out.format(tmp=tmp_path))
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "no").exists() and not list(tmp_path.glob("l*"))


def test_a_symlink_is_refused_and_a_device_or_pipe_is_written_through(run_cli, codes,
                                                                      tmp_path):
    (tmp_path / "real.tspl").write_bytes(b"")
    (tmp_path / "link.tspl").symlink_to(tmp_path / "real.tspl")
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock",
                     "thermal-40x30", "--format", "tspl", "--out", str(tmp_path / "link.tspl"))
    assert result.exit_code == 2 and "symbolic link" in result.output
    fifo = tmp_path / "printer.fifo"
    os.mkfifo(fifo)
    received = []
    import threading
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli("labels", "print", "--gtin", GTIN, "--lot", LOT, "--stock",
                     "thermal-40x30", "--format", "tspl", "--out", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert fifo.is_fifo() and received[0].count(b"PRINT 1,1") == len(codes)


def test_an_interrupted_job_leaves_no_part_behind(db, issuer, make_batch, tmp_path, app):
    """SIGTERM in the middle of a parallel job: every part removed, workers too."""
    import signal
    import sys
    import time
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 3000)
    env = {**os.environ, "TRACE_DATABASE": app.config["DATABASE"],
           "TRACE_KEYS_DIR": app.config["KEYS_DIR"], "TRACE_BASE_URL": LOCAL,
           "TRACE_HASH_SECRET": "x", "TRACE_SECRET_KEY": "x"}
    job = subprocess.Popen([sys.executable, "-m", "trace", "labels", "print", "--gtin", GTIN,
                            "--lot", LOT, "--stock", "a4-3x8", "--per-file", "480",
                            "--workers", "2", "--out", str(tmp_path / "x.pdf")],
                           cwd=LABELS.parent, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("x-*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    job.send_signal(signal.SIGTERM)
    job.wait(timeout=60)
    assert job.returncode != 0
    assert list(tmp_path.glob("x*")) == []


def test_a_long_lot_prints_whole_on_the_thermal_stocks(db, issuer, make_batch, tmp_path):
    lot = "ZJ-2611-A-0001-B2C3D"  # 20 characters, the most GS1 allows
    make_batch(lot=lot)
    issue_codes(db, issuer, GTIN, lot, 1)
    for stock in ("thermal-40x30", "thermal-50x30", "a4-4x10"):
        source = label_sources.BatchSource(db, GTIN, lot, LOCAL)
        (path,) = labels.print_labels(source, load_stock(stock, LABELS), tmp_path / f"{stock}.pdf",
                                      domain=DOMAIN)
        text = pdfium.PdfDocument(str(path))[0].get_textpage().get_text_range()
        assert lot in re.sub(r"\s", "", re.sub("[\ufffe\x02]", "-", text)), (stock, text)


def test_a_smaller_job_removes_the_parts_a_larger_one_left(db, codes, tmp_path):
    print_batch(db, "thermal-50x30", tmp_path / "x.pdf", per_file=10)
    assert sorted(p.name for p in tmp_path.glob("x*")) == ["x-001.pdf", "x-002.pdf",
                                                           "x-003.pdf"]
    print_batch(db, "thermal-50x30", tmp_path / "x.pdf", per_file=20)
    assert sorted(p.name for p in tmp_path.glob("x*")) == ["x-001.pdf", "x-002.pdf"]
    print_batch(db, "thermal-50x30", tmp_path / "x.pdf")
    assert sorted(p.name for p in tmp_path.glob("x*")) == ["x.pdf"]


@needs_poppler
def test_a_cartons_label_gives_the_batchs_production_date(db, codes, tmp_path):
    """A huyou co-op's 100×100 carton label had no date: GB 7718 has a food's package
    give its 生产日期 (a fruit's picking or packing date)."""
    (path,) = print_batch(db, "thermal-100x100", tmp_path / "carton.pdf", positions=(1, 1))
    printed = subprocess.run(["pdftotext", str(path), "-"], check=True, timeout=60,
                             capture_output=True, text=True).stdout
    assert "生产日期 2026-11-10" in re.sub(r"[ \t]+", " ", printed)


@needs_poppler
def test_a_hang_tag_gives_the_products_spec_and_standard_and_leaves_out_what_it_lacks(
        db, codes, issuer, tmp_path):
    """A textile clerk's 50×90 tag printed the name, lot and code over an empty third,
    though GB/T 5296.4 has a textile's tag give its 规格 and 执行标准."""
    from trace import catalog
    assert POPPLER, "poppler-utils is required under .ci/run"

    def tag_text(gtin: str, lot: str) -> str:
        stock = load_stock("tag-50x90", LABELS)
        source = label_sources.BatchSource(db, gtin, lot, LOCAL, (1, 1))
        (path,) = labels.print_labels(source, stock, tmp_path / f"{lot}.pdf", domain=DOMAIN,
                                      folder=LABELS)
        return re.sub(r"\s+", " ", subprocess.run(
            ["pdftotext", str(path), "-"], check=True, timeout=60, capture_output=True,
            text=True).stdout)

    printed = tag_text(GTIN, LOT)
    assert "珠径 8–9 mm" in printed and "执行标准 GB/T 18781-2023" in printed
    supplier = catalog.find_supplier(db, "91330681MA2D7XKQ0T")
    catalog.add_product(db, supplier, "09521234000044", "海宁纯棉四件套",
                        specification="1.8 m 床 🛏")  # no standard; a mark the font lacks
    catalog.new_batch(db, "09521234000044", "HN-1", produced_on="2026-11-10")
    issue_codes(db, issuer, "09521234000044", "HN-1", 1)
    bare = tag_text("09521234000044", "HN-1")
    assert "海宁纯棉四件套" in bare and "批次号 HN-1" in bare
    assert "执行标准" not in bare and "1.8 m" not in bare  # left out, not printed as boxes
    # Two standards, the safety class last: a trial's tag cut it off after the first.
    catalog.add_product(db, supplier, "09521234000051", "桑蚕长丝被",
                        standard="GB/T 24252-2019 蚕丝被；GB 18401-2010 B类（直接接触皮肤）",
                        fibre_content="100%桑蚕丝")
    catalog.new_batch(db, "09521234000051", "SY-1", produced_on="2026-11-10")
    issue_codes(db, issuer, "09521234000051", "SY-1", 1)
    both = tag_text("09521234000051", "SY-1")
    assert "GB/T 24252-2019" in both and "GB 18401-2010 B类（直接接触皮肤）" in both
    # What a textile's tag must also say (GB/T 5296.4), a trial's clerk had nowhere to put.
    catalog.add_product(db, supplier, "09521234000068", "蚕丝被",
                        fibre_content="面料 100%棉；填充物 100%桑蚕丝",
                        care="30℃以下手洗，不可漂白，阴干")
    catalog.new_batch(db, "09521234000068", "CS-1", produced_on="2026-11-10")
    issue_codes(db, issuer, "09521234000068", "CS-1", 1)
    silk = tag_text("09521234000068", "CS-1").replace(" ", "")
    assert "纤维含量面料100%棉；填充物100%桑蚕丝" in silk
    assert "洗涤和保养30°C以下手洗，不可漂白，阴干" in silk  # ℃ has no outline in the font
    assert "制造商诸暨市山下湖明珠珍珠有限公司浙江省诸暨市山下湖镇" in silk
