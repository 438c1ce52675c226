"""Label sheets as PDF: one vector QR code and its text per item, on any stock.

reportlab keeps every page in memory until ``save()``, so large batches are cut
into several PDF files of at most ``per_file`` labels, rendered by worker
processes (both cores) and written as each finishes::

    source = BatchSource(db, "09521234000013", "ZJ-2611-A", "https://trace.example.cn")
    stock = load_stock("a4-3x8", "labels/")
    paths = print_labels(source, stock, "out/labels.pdf", domain="trace.example.cn")
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as pdf_canvas

from . import catalog
from .codes import ItemCode
from .errors import InvalidInput
from .qr import Symbol, make_symbol, pdf_operators
from .stocks import LINE_HEIGHT, PT_PER_MM, Stock, TextBox, list_stocks, load_stock

FONT = "STSong-Light"  # reportlab's built-in CID font: no font file to ship
DEFAULT_PER_FILE = 5_000
PARALLEL_MIN = 1_000
ELLIPSIS = "…"
_CJK = "\u2e80-\u9fff\uff00-\uffef"
_TOKENS = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+|\s+")   # CJK characters, words, spaces
_WORD_PARTS = re.compile(r"[^\-.:/]*[\-.:/]?")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class LabelItem:
    """What one label shows."""

    url: str
    gtin: str
    lot: str
    serial: str
    product: str


def group_serial(serial: str) -> str:
    return "-".join(serial[i:i + 4] for i in range(0, len(serial), 4))


def parse_range(text: str) -> tuple[int, int]:
    """``FROM-TO``: 1-based positions in issue order, inclusive (``5`` means 5-5)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text or "")
    if not match:
        raise InvalidInput(f"--serials must look like 1-500, got {text!r}")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first < 1 or last < first:
        raise InvalidInput(f"--serials {text}: positions start at 1 and FROM <= TO")
    return first, last


class BatchSource:
    """A batch's active codes in issue order, optionally only positions FROM-TO
    (1-based, as numbered by ``codes export``), read part by part so a large job
    never holds every code in memory."""

    _SELECT = ("SELECT serial, kid, sig FROM items WHERE batch_id = ? AND status = 'active' "
               "AND id BETWEEN ? AND ? ORDER BY id")

    def __init__(self, db: sqlite_utils.Database, gtin: str, lot: str, base_url: str,
                 positions: tuple[int, int] | None = None):
        self.db, self.base_url = db, base_url
        self.batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
        self.product = catalog.get_product(db, self.batch.gtin)
        total = catalog.issued_count(db, self.batch.id)
        first, last = positions or (1, total)
        ids = [row[0] for row in db.execute(
            "SELECT id FROM items WHERE batch_id = ? ORDER BY id LIMIT 1 OFFSET ?",
            [self.batch.id, first - 1]).fetchall() + db.execute(
            "SELECT id FROM items WHERE batch_id = ? ORDER BY id LIMIT 1 OFFSET ?",
            [self.batch.id, min(last, total) - 1]).fetchall()]
        self.id_range = (ids[0], ids[-1]) if len(ids) == 2 else (0, -1)
        self.count = db.execute(self._SELECT.replace("serial, kid, sig", "count(*)")
                                .replace(" ORDER BY id", ""),
                                [self.batch.id, *self.id_range]).fetchone()[0]
        if self.count == 0:
            asked = f" at positions {first}-{last}" if positions else ""
            raise InvalidInput(f"no active codes to print{asked}: batch {self.batch.lot} "
                               f"has {total} code(s)")

    def slice(self, offset: int, size: int) -> list[LabelItem]:
        rows = self.db.execute(self._SELECT + " LIMIT ? OFFSET ?",
                               [self.batch.id, *self.id_range, size, offset])
        gtin, lot = self.batch.gtin, self.batch.lot
        return [LabelItem(ItemCode(gtin, lot, serial, kid, sig).url(self.base_url), gtin, lot,
                          serial, self.product.name) for serial, kid, sig in rows]


class ListSource:
    """Items already in memory (tests, previews)."""

    def __init__(self, items: list[LabelItem]):
        if not items:
            raise InvalidInput("no codes to print")
        self.items, self.count = items, len(items)

    def slice(self, offset: int, size: int) -> list[LabelItem]:
        return self.items[offset:offset + size]


ItemSource = BatchSource | ListSource


# --- QR size ---------------------------------------------------------------------

def module_mm(stock: Stock, symbol: Symbol) -> float:
    """The module size this stock gives the symbol, in whole printer dots if known."""
    module = stock.qr_size_mm / symbol.width
    if stock.dpi:
        dot = 25.4 / stock.dpi
        module = math.floor(module / dot + 1e-9) * dot
    return module


def smallest_box_mm(stock: Stock, symbol: Symbol) -> float:
    module = stock.min_module_mm
    if stock.dpi:
        dot = 25.4 / stock.dpi
        module = math.ceil(module / dot - 1e-9) * dot
    return symbol.width * module


def check_fits(stock: Stock, symbol: Symbol, folder: str | Path | None = None) -> float:
    """Module size for ``symbol`` on ``stock``; refuse one under the stock's minimum."""
    module = module_mm(stock, symbol)
    if module + 1e-9 >= stock.min_module_mm:
        return module
    need = smallest_box_mm(stock, symbol)
    message = (f"stock {stock.name} is too small for this code: QR version {symbol.version} "
               f"needs {symbol.width} modules with its quiet zone, so at least {need:.1f} mm "
               f"square at {stock.min_module_mm} mm a module; {stock.name} has room for "
               f"{stock.qr_size_mm:.1f} mm ({module:.3f} mm a module).")
    if folder is not None:
        fitting = [name for name in list_stocks(folder)
                   if module_mm(load_stock(name, folder), symbol) >= stock.min_module_mm]
        if fitting:
            message += f" Stocks that fit: {', '.join(fitting)}."
    raise InvalidInput(message)


# --- text ------------------------------------------------------------------------

def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def _split_long(word: str, width_pt: float, size: float) -> list[str]:
    """A word wider than the line: break after '-', '.', ':' or '/', else anywhere."""
    pieces, line = [], ""
    for part in (p for p in _WORD_PARTS.findall(word) if p):
        if line and _width(line + part, size) > width_pt:
            pieces.append(line)
            line = ""
        line += part
        while _width(line, size) > width_pt and len(line) > 1:
            cut = max(i for i in range(1, len(line)) if _width(line[:i], size) <= width_pt
                      or i == 1)
            pieces.append(line[:cut])
            line = line[cut:]
    return pieces + [line] if line else pieces


def wrap(text: str, width_pt: float, size: float) -> list[str]:
    """Greedy lines: break at spaces and between CJK characters first, inside a
    word (after '-', '.', ':', '/') only when the word alone is too wide."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            line = line + token if line else line
            continue
        if _width(line + token, size) <= width_pt:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        pieces = _split_long(token, width_pt, size)
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _ellipsize(line: str, width_pt: float, size: float) -> str:
    while line and _width(line + ELLIPSIS, size) > width_pt:
        line = line[:-1]
    return line + ELLIPSIS


@lru_cache(maxsize=4096)
def fit_text(text: str, box: TextBox) -> tuple[float, tuple[str, ...]]:
    """Fewest lines first, then the largest size (0.5 pt steps) that fits the box;
    failing that, the smallest size with the last line shortened by '…'."""
    width = box.width_mm * PT_PER_MM
    sizes = []
    size = box.size_pt
    while size >= box.min_size_pt - 1e-9:
        sizes.append(size)
        size -= 0.5
    for allowed in range(1, box.max_lines + 1):
        for size in sizes:
            lines = wrap(text, width, size)
            if len(lines) <= allowed:
                return size, tuple(lines)
    kept = lines[:box.max_lines]
    kept[-1] = _ellipsize(kept[-1], width, size)
    return size, tuple(kept)


def label_texts(item: LabelItem, domain: str) -> dict[str, str]:
    return {"product": item.product, "lot": item.lot, "serial": group_serial(item.serial),
            "gtin": item.gtin, "domain": domain}


# --- PDF -------------------------------------------------------------------------

_font_ready = False


def _register_font() -> None:
    global _font_ready
    if not _font_ready:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_ready = True


class SheetWriter:
    """Places labels on pages of one PDF, position by position."""

    def __init__(self, path: str | Path, stock: Stock, start_at: int = 0, title: str = ""):
        _register_font()
        self.stock, self.position, self.pages = stock, start_at, 1
        size = (stock.page_w_mm * PT_PER_MM, stock.page_h_mm * PT_PER_MM)
        self.canvas = pdf_canvas.Canvas(str(path), pagesize=size, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("Trace labels")

    def add(self, item: LabelItem, symbol: Symbol, module: float, domain: str) -> None:
        if self.position == self.stock.labels_per_page:
            self.canvas.showPage()
            self.position = 0
            self.pages += 1
        left, top = self.stock.label_origin_mm(self.position)
        self._draw_qr(symbol, module, left, top)
        self._draw_texts(label_texts(item, domain), left, top)
        self.position += 1

    def _draw_qr(self, symbol: Symbol, module: float, left: float, top: float) -> None:
        stock = self.stock
        slack = (stock.qr_size_mm - module * symbol.width) / 2  # centre in the box
        x, y = left + stock.qr_x_mm + slack, top + stock.qr_y_mm + slack
        if stock.dpi:  # start on a printer dot so every module is whole dots
            dot = 25.4 / stock.dpi
            x, y = round(x / dot) * dot, round(y / dot) * dot
        page_h = stock.page_h_mm
        self.canvas.addLiteral(pdf_operators(symbol, x * PT_PER_MM, (page_h - y) * PT_PER_MM,
                                             module * PT_PER_MM))

    def _draw_texts(self, values: dict[str, str], left: float, top: float) -> None:
        page_h = self.stock.page_h_mm
        for box in self.stock.texts:
            size, lines = fit_text(box.template.format(**values), box)
            self.canvas.setFont(FONT, size)
            x = (left + box.x_mm) * PT_PER_MM
            baseline = (page_h - top - box.y_mm) * PT_PER_MM - size * 0.9
            for line in lines:
                if box.align == "center":
                    self.canvas.drawCentredString(x + box.width_mm * PT_PER_MM / 2, baseline, line)
                else:
                    self.canvas.drawString(x, baseline, line)
                baseline -= size * LINE_HEIGHT

    def close(self) -> int:
        self.canvas.showPage()
        self.canvas.save()
        return self.pages


def render_file(path: str | Path, stock: Stock, items: list[LabelItem], domain: str,
                start_at: int = 0, progress: Progress | None = None) -> int:
    """Write one PDF with ``items`` from position ``start_at``; return its page count."""
    writer = SheetWriter(path, stock, start_at, title=f"{items[0].product} {items[0].lot}")
    for index, item in enumerate(items, 1):
        symbol = make_symbol(item.url)
        writer.add(item, symbol, check_fits(stock, symbol), domain)
        if progress and index % 250 == 0:
            progress(250)
    if progress and len(items) % 250:
        progress(len(items) % 250)
    return writer.close()


def _render_part(job: tuple[str, Stock, list[LabelItem], str, int]) -> tuple[str, int, int]:
    partial, stock, items, domain, start_at = job
    return partial, render_file(partial, stock, items, domain, start_at), len(items)


def split_parts(count: int, stock: Stock, per_file: int, start_at: int) -> list[int]:
    """Label counts per file: whole pages each, the first one short by ``start_at``."""
    per_page = stock.labels_per_page
    size = max(per_page, per_file // per_page * per_page)
    sizes: list[int] = []
    left = count
    first = size - start_at
    while left > 0:
        take = min(left, first if not sizes else size)
        sizes.append(take)
        left -= take
    return sizes


def part_paths(out: str | Path, parts: int) -> list[Path]:
    out = Path(out)
    if parts == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i:03d}{out.suffix}") for i in range(1, parts + 1)]


def print_labels(source: ItemSource, stock: Stock, out: str | Path, *, domain: str,
                 start_at: int = 0, per_file: int = DEFAULT_PER_FILE,
                 workers: int | None = None, folder: str | Path | None = None,
                 progress: Progress | None = None) -> list[Path]:
    """Render every item of ``source`` into one PDF, or several of ``per_file`` labels
    (``out-001.pdf``, ...); all files or none."""
    if not 0 <= start_at < stock.labels_per_page:
        raise InvalidInput(f"--start-at must be 0-{stock.labels_per_page - 1} on {stock.name} "
                           f"({stock.labels_per_page} labels a page)")
    if per_file < 1:
        raise InvalidInput("per_file must be at least 1")
    check_fits(stock, make_symbol(source.slice(0, 1)[0].url), folder)  # before any output
    sizes = split_parts(source.count, stock, per_file, start_at)
    paths = part_paths(out, len(sizes))
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    partials = [Path(str(path) + ".partial") for path in paths]
    offsets = [sum(sizes[:i]) for i in range(len(sizes))]
    jobs = ((str(partial), stock, offset, size, domain, start_at if i == 0 else 0)
            for i, (partial, offset, size) in enumerate(zip(partials, offsets, sizes)))
    try:
        _run_jobs(source, jobs, len(sizes), workers, progress)
    except BaseException:
        for partial in partials:
            partial.unlink(missing_ok=True)
        raise
    for partial, path in zip(partials, paths):
        os.replace(partial, path)
    return paths


def _run_jobs(source: ItemSource, jobs: Iterator[tuple], parts: int, workers: int | None,
              progress: Progress | None) -> None:
    workers = min(workers or os.cpu_count() or 1, parts)
    if workers <= 1 or source.count < PARALLEL_MIN or \
            "fork" not in multiprocessing.get_all_start_methods():
        for partial, stock, offset, size, domain, start_at in jobs:
            render_file(partial, stock, source.slice(offset, size), domain, start_at, progress)
        return
    # At most two parts in flight per worker: memory stays bounded however large the job.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending: deque = deque()
        for partial, stock, offset, size, domain, start_at in jobs:
            items = source.slice(offset, size)
            pending.append(pool.submit(_render_part, (partial, stock, items, domain, start_at)))
            if len(pending) >= 2 * workers:
                _finish(pending.popleft(), progress)
        while pending:
            _finish(pending.popleft(), progress)


def _finish(future, progress: Progress | None) -> None:
    _partial, _pages, count = future.result()
    if progress:
        progress(count)
