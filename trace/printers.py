"""Printer-native label files: TSPL (TSC, Gprinter, Xprinter) and ZPL II (Zebra).

Every mark is a bitmap of whole printer dots that we make ourselves: the QR code
from our own encoder (each module exactly N dots), the text rendered with the
same embedded font, sizes and line breaks as the PDF. Printers differ in their
Chinese fonts; a bitmap prints the same on all of them::

    with open("labels.tspl", "wb") as out:
        write_labels(items, stock, out, "tspl", domain="trace.example.cn")

Polarity, as the printers draw it: in TSPL ``BITMAP`` a 0 bit prints a dot
(black) and a 1 bit leaves the paper white; in ZPL ``^GFA`` a 1 bit prints.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from PIL import Image, ImageDraw, ImageFont

from . import textfit
from .errors import InvalidInput
from .label_sources import ItemSource
from .labels import (all_or_none, check_fits, check_pins, check_texts, label_texts, part_paths,
                     partial_paths, report, run_in_order, worker_pool)
from .qr import Symbol, make_symbol
from .stocks import LINE_HEIGHT, Stock, TextBox, list_stocks, load_stock

FORMATS = ("tspl", "zpl")
_INVERT = bytes(255 - b for b in range(256))


@dataclass(frozen=True)
class Bitmap:
    """``width`` x ``height`` dots, rows packed MSB first, 1 = white (PIL's mode '1')."""

    width: int
    height: int
    data: bytes

    @property
    def row_bytes(self) -> int:
        return (self.width + 7) // 8


def _packed(image: Image.Image) -> Bitmap:
    """Packed rows, widened with white to whole bytes: PIL pads a row with 0 bits,
    which a TSPL printer would print as a black stripe."""
    image = image.convert("1")
    width = (image.width + 7) // 8 * 8
    if width != image.width:
        padded = Image.new("1", (width, image.height), 1)
        padded.paste(image, (0, 0))
        image = padded
    return Bitmap(width, image.height, image.tobytes())


def qr_bitmap(symbol: Symbol, dots_per_module: int) -> Bitmap:
    """The symbol (quiet zone included) with every module ``dots_per_module`` dots."""
    modules = Image.frombytes("L", (symbol.width, symbol.width), symbol.pixels)
    size = symbol.width * dots_per_module
    return _packed(modules.resize((size, size), Image.Resampling.NEAREST))


@lru_cache(maxsize=32)
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(textfit.font_file()), size_px)


@lru_cache(maxsize=4096)
def text_bitmap(text: str, box: TextBox, dpi: int) -> Bitmap:
    """The box's text as the PDF sets it (same lines, size and alignment), in dots."""
    size, lines = textfit.fit_box_text(text, box)
    dots_per_pt = dpi / 72
    width = math.ceil(box.width_mm / 25.4 * dpi)
    height = math.ceil(box.height_mm / 25.4 * dpi)
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    font = _font(max(1, round(size * dots_per_pt)))
    baseline = size * 0.9 * dots_per_pt
    for line in lines:
        shift = (width - draw.textlength(line, font=font)) / 2 if box.align == "center" else 0
        draw.text((shift, baseline), line, font=font, fill=0, anchor="ls")
        baseline += size * LINE_HEIGHT * dots_per_pt
    if box.scratch_off:  # where the scratch-off sticker goes
        draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=max(1, round(dpi / 200)))
    return _packed(image)


textfit._FONT_CACHES += [_font, text_bitmap]


@dataclass(frozen=True)
class Placed:
    x: int
    y: int
    bitmap: Bitmap


def _dot_mm(stock: Stock) -> float:
    return 25.4 / (stock.dpi or 203)


def qr_placement(stock: Stock, symbol: Symbol) -> Placed:
    """The QR at the PDF's place, each module a whole number of dots (refused below
    the stock's minimum module, as the PDF is)."""
    module = check_fits(stock, symbol.width)
    dot = _dot_mm(stock)
    per_module = max(1, round(module / dot))
    slack = (stock.qr_size_mm - per_module * dot * symbol.width) / 2
    return Placed(round((stock.qr_x_mm + slack) / dot), round((stock.qr_y_mm + slack) / dot),
                  qr_bitmap(symbol, per_module))


def label_marks(stock: Stock, url: str, values: dict[str, str]) -> list[Placed]:
    """Everything printed on one label, as bitmaps at dot positions."""
    dot = _dot_mm(stock)
    marks = [qr_placement(stock, make_symbol(url))]
    for box in stock.texts:
        text = box.filled(values)
        if text is not None:
            marks.append(Placed(round(box.x_mm / dot), round(box.y_mm / dot),
                                text_bitmap(text, box, stock.dpi or 203)))
    return marks


class TsplWriter:
    """TSPL: SIZE and GAP once, then CLS, BITMAP ... and PRINT for each label."""

    def __init__(self, out: BinaryIO, stock: Stock):
        self.out = out
        out.write(f"SIZE {stock.label_w_mm:g} mm,{stock.label_h_mm:g} mm\r\n"
                  f"GAP {stock.gap_mm:g} mm,0 mm\r\nDIRECTION 1,0\r\nREFERENCE 0,0\r\n"
                  .encode("ascii"))

    def label(self, marks: list[Placed]) -> None:
        parts = [b"CLS\r\n"]
        for mark in marks:
            bitmap = mark.bitmap
            parts.append(f"BITMAP {mark.x},{mark.y},{bitmap.row_bytes},{bitmap.height},0,"
                         .encode("ascii"))
            parts.append(bitmap.data)  # 1 = white, 0 = a printed dot, as TSPL reads it
            parts.append(b"\r\n")
        parts.append(b"PRINT 1,1\r\n")
        self.out.write(b"".join(parts))


def zpl_rows(bitmap: Bitmap) -> str:
    """^GFA data in ZPL's ASCII compression: ':' repeats the row above, ',' fills the
    rest of a row with zeros (white). 1 = a printed dot."""
    black = bitmap.data.translate(_INVERT)
    step = bitmap.row_bytes
    rows, previous = [], None
    for start in range(0, len(black), step):
        row = black[start:start + step].hex().upper()
        if row == previous:
            rows.append(":")
            continue
        previous = row
        trimmed = row.rstrip("0")
        rows.append(trimmed + "," if len(trimmed) < len(row) else row)
    return "".join(rows)


class ZplWriter:
    """ZPL II: one ^XA ... ^XZ format per label, each mark an ^FO ... ^GFA field."""

    def __init__(self, out: BinaryIO, stock: Stock):
        self.out = out
        dot = _dot_mm(stock)
        self.head = (f"^XA^CI28^MNY^PW{round(stock.label_w_mm / dot)}"
                     f"^LL{round(stock.label_h_mm / dot)}^LH0,0"
                     f"^FX label {stock.label_w_mm:g} x {stock.label_h_mm:g} mm, "
                     f"gap {stock.gap_mm:g} mm^FS\n")

    def label(self, marks: list[Placed]) -> None:
        parts = [self.head]
        for mark in marks:
            bitmap = mark.bitmap
            total = bitmap.row_bytes * bitmap.height
            parts.append(f"^FO{mark.x},{mark.y}^GFA,{total},{total},{bitmap.row_bytes},"
                         f"{zpl_rows(bitmap)}^FS\n")
        parts.append("^PQ1^XZ\n")
        self.out.write("".join(parts).encode("ascii"))


def is_roll(stock: Stock) -> bool:
    return stock.gap_mm is not None and stock.labels_per_page == 1 and bool(stock.dpi)


def check_printer_stock(stock: Stock, fmt: str, folder: str | Path | None = None) -> None:
    if fmt not in FORMATS:
        raise InvalidInput(f"--format must be pdf, tspl or zpl, not {fmt!r}")
    if not is_roll(stock):
        rolls = [name for name in list_stocks(folder) if is_roll(load_stock(name, folder))] \
            if folder else []
        raise InvalidInput(f"stock {stock.name} is a sheet, not a roll for a thermal printer: "
                           f"{fmt.upper()} needs a stock with one label a page, its dpi and "
                           f"[printer] gap_mm" + (f" ({', '.join(rolls)})" if rolls else ""))


Progress = Callable[[int], None]
CHUNK = 200  # labels read from the source at a time: memory stays flat


def write_labels(items: Iterable, stock: Stock, out: BinaryIO, fmt: str, *, domain: str,
                 progress: Progress | None = None) -> int:
    """Stream one label per item (``LabelItem``) to ``out``; return how many."""
    check_printer_stock(stock, fmt)
    writer = TsplWriter(out, stock) if fmt == "tspl" else ZplWriter(out, stock)
    count = 0
    for item in items:
        writer.label(label_marks(stock, item.url, label_texts(item, domain)))
        count += 1
        if progress and count % CHUNK == 0:
            progress(CHUNK)
    if progress and count % CHUNK:
        progress(count % CHUNK)
    return count


def _items(source: ItemSource, offset: int, count: int) -> Iterable:
    for start in range(offset, offset + count, CHUNK):
        yield from source.slice(start, min(CHUNK, offset + count - start))


def print_commands(source: ItemSource, stock: Stock, out: str | BinaryIO, fmt: str, *,
                   domain: str, per_file: int, progress: Progress | None = None,
                   workers: int | None = None) -> list:
    """Every item of ``source`` as a TSPL or ZPL file (``out-001.tspl``, ... of
    ``per_file`` labels each), or streamed to an open binary stream (stdout)."""
    check_printer_stock(stock, fmt)
    first = source.slice(0, 1)[0]
    check_fits(stock, make_symbol(first.url).width)  # everything checked before output
    check_pins(stock, source)
    check_texts(stock, first, domain)
    if not isinstance(out, str):
        write_labels(_items(source, 0, source.count), stock, out, fmt, domain=domain,
                     progress=progress)
        return []
    sizes = [min(per_file, source.count - start) for start in range(0, source.count, per_file)]
    paths = part_paths(out, len(sizes))
    partials = partial_paths(paths)
    workers = min(workers or os.cpu_count() or 1, len(sizes))
    pool = worker_pool(workers)
    with all_or_none(pool, partials, paths):
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        jobs = ((partial, stock, source.slice(index * per_file, size), fmt, domain)
                for index, (size, partial) in enumerate(zip(sizes, partials)))
        if pool is None:
            for job in jobs:
                report(_write_part(job, progress), progress)
        else:  # one part a process
            run_in_order(pool, _write_part, jobs, 2 * workers, progress)
    return paths


def _write_part(job: tuple, progress: Progress | None = None) -> int:
    """Write one part file; in a worker process the count is reported on return."""
    partial, stock, items, fmt, domain = job
    with open(partial, "wb") as handle:
        write_labels(items, stock, handle, fmt, domain=domain, progress=progress)
    return 0 if progress else len(items)
