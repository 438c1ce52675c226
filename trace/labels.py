"""Label sheets as PDF: one vector QR code and its text per item, on any stock.

reportlab keeps every page in memory until ``save()``, so large batches are cut
into several PDF files of at most ``per_file`` labels, rendered by worker
processes (both cores) and written as each finishes::

    source = BatchSource(db, "09521234000013", "ZJ-2611-A", "https://trace.example.cn")
    stock = load_stock("a4-3x8", "labels/")
    paths = print_labels(source, stock, "out/labels.pdf", domain="trace.example.cn")
"""

from __future__ import annotations

import glob
import math
import multiprocessing
import os
import signal
from collections import deque
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from reportlab import rl_config
from reportlab.pdfgen import canvas as pdf_canvas

from .codes import group_serial
from .errors import InvalidInput
from .label_sources import ItemSource, LabelItem
from .qr import QUIET_ZONE, PathBody, make_symbol, path_body, place
from .stocks import LINE_HEIGHT, PT_PER_MM, Stock, TextBox, list_stocks, load_stock
from .textfit import FONT, check_printable, fit_box_text, label_form, register_font, text_width

# Binary (Flate only) page streams: ASCII85 on top made the files 25 % larger and,
# without reportlab's C accelerator, cost more time than everything else together.
rl_config.useA85 = 0
DEFAULT_PER_FILE = 5_000
PARALLEL_MIN = 1_000
Progress = Callable[[int], None]


# --- QR size ---------------------------------------------------------------------

def module_mm(stock: Stock, width: int) -> float:
    """The module size (mm) this stock gives a symbol ``width`` modules across (quiet
    zone included), in whole printer dots when the stock names its dpi."""
    module = stock.qr_size_mm / width
    if stock.dpi:
        dot = 25.4 / stock.dpi
        module = math.floor(module / dot + 1e-9) * dot
    return module


def smallest_box_mm(stock: Stock, width: int) -> float:
    module = stock.min_module_mm
    if stock.dpi:
        dot = 25.4 / stock.dpi
        module = math.ceil(module / dot - 1e-9) * dot
    return width * module


def check_fits(stock: Stock, width: int, folder: str | Path | None = None) -> float:
    """Module size for a symbol ``width`` modules across; refuse one under the
    stock's minimum, saying what size would do and which stocks have it."""
    module = module_mm(stock, width)
    if module + 1e-9 >= stock.min_module_mm:
        return module
    version = (width - 2 * QUIET_ZONE - 17) // 4
    message = (f"stock {stock.name} is too small for this code: QR version {version} "
               f"needs {width} modules with its quiet zone, so at least "
               f"{smallest_box_mm(stock, width):.1f} mm square at {stock.min_module_mm} mm a "
               f"module; {stock.name} has room for {stock.qr_size_mm:.1f} mm "
               f"({module:.3f} mm a module).")
    if folder is not None:
        fitting = [name for name in list_stocks(folder)
                   if module_mm(load_stock(name, folder), width) >= stock.min_module_mm]
        if fitting:
            message += f" Stocks that fit: {', '.join(fitting)}."
    raise InvalidInput(message, message_zh=f"标签纸 {stock.name} 太小，印不下这个网址的二维码；"
                       "请换用更大的标签纸")


def label_texts(item: LabelItem, domain: str) -> dict[str, str]:
    typed = {"product": item.product, "spec": item.spec, "standard": item.standard,
             "fibre": item.fibre, "care": item.care, "maker": item.maker}
    return {"lot": item.lot, "serial": group_serial(item.serial), "gtin": item.gtin,
            "domain": domain, "pin": item.pin, "produced": item.produced,
            **{name: label_form(text) for name, text in typed.items()}}


WHOLE_FIELDS = ("lot", "serial", "gtin", "domain", "pin")  # never shortened with '…'


def _breaks_a_word(lines: tuple[str, ...], text: str) -> bool:
    """A line ends between two letters or digits: inside a serial's group of four;
    breaks after '-', '.', ':' and at spaces are fine."""
    position = 0
    for line in lines[:-1]:
        end = text.index(line, position) + len(line)
        before, after = text[end - 1], text[end:end + 1]
        if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
            return True
        position = end
    return False


def check_pins(stock: Stock, source: "ItemSource") -> None:
    """A PIN stock prints only codes that all have PINs (an empty frame helps nobody)."""
    if stock.prints_pin and source.with_pins < source.count:
        missing = source.count - source.with_pins
        raise InvalidInput(f"stock {stock.name} prints a scratch-off PIN, but {missing} of the "
                           f"{source.count} code(s) were issued without one (batch issue "
                           "--with-pin); choose a stock without a PIN field, or --serials "
                           "of the codes that have PINs",
                           message_zh=f"这种标签纸印刮开式防伪密码，但其中 {missing} 个码发码时"
                           "没有附带密码；请换用不印密码的标签纸")


def check_texts(stock: Stock, item: LabelItem, domain: str) -> None:
    """Before any output: every character has a glyph, and the lot, serial and
    domain fit whole at the stock's sizes, the serial breaking only between
    groups of four (checked with the widest letter, so every serial fits)."""
    values = label_texts(item, domain)
    widest = dict(values, serial=group_serial("W" * len(item.serial)))
    check_printable([box.filled(values) or "" for box in stock.texts],
                    f"labels of {stock.name}")
    for index, box in enumerate(stock.texts):
        if not any(f"{{{name}}}" in box.template for name in WHOLE_FIELDS):
            continue
        worst = box.template.format(**widest)
        _, lines = fit_box_text(worst, box)
        if "".join(lines).replace(" ", "") != worst.replace(" ", "") or \
                "{serial}" in box.template and _breaks_a_word(lines, worst):
            raise InvalidInput(f"stock {stock.name}: {box.template.format(**values)!r} does not "
                               f"fit whole in text[{index}] at {box.min_size_pt:g} pt "
                               f"({box.max_lines} line(s) of {box.width_mm:g} mm); use a "
                               "larger stock or a shorter lot or domain",
                               message_zh=f"“{box.template.format(**values)}”在这种标签纸"
                               f"（{stock.description_zh or stock.name}）上放不下，"
                               "请换用更大的标签纸")


class SheetWriter:
    """Places labels on pages of one PDF, position by position."""

    def __init__(self, path: str | Path, stock: Stock, start_at: int = 0, title: str = ""):
        register_font()
        self.stock, self.position, self.pages = stock, start_at, 1
        self._text_code: dict[tuple[int, int, str], str] = {}
        size = (stock.page_w_mm * PT_PER_MM, stock.page_h_mm * PT_PER_MM)
        # initialFontName: otherwise the page resources name Helvetica, never embedded.
        self.canvas = pdf_canvas.Canvas(str(path), pagesize=size, pageCompression=1,
                                        initialFontName=FONT, initialFontSize=6)
        self.canvas.setTitle(title)
        self.canvas.setCreator("Trace labels")
        self.canvas.setAuthor("Trace")  # not reportlab's "(anonymous)"
        # Printed at its own size: "fit to page" shifts labels off the stickers and
        # shrinks the codes (viewers that honour it preselect 100% / 实际大小).
        self.canvas.setViewerPreference("PrintScaling", "None")

    def add(self, item: LabelItem, body: PathBody, module: float, domain: str) -> None:
        if self.position == self.stock.labels_per_page:
            self.canvas.showPage()
            self.position = 0
            self.pages += 1
        left, top = self.stock.label_origin_mm(self.position)
        self._draw_qr(body, module, left, top)
        self._draw_texts(label_texts(item, domain), left, top)
        self.position += 1

    def _draw_qr(self, body: PathBody, module: float, left: float, top: float) -> None:
        stock = self.stock
        slack = (stock.qr_size_mm - module * body.width) / 2  # centre in the box
        x, y = left + stock.qr_x_mm + slack, top + stock.qr_y_mm + slack
        if stock.dpi:  # start on a printer dot so every module is whole dots
            dot = 25.4 / stock.dpi
            x, y = round(x / dot) * dot, round(y / dot) * dot
        page_h = stock.page_h_mm
        self.canvas.addLiteral(place(body, x * PT_PER_MM, (page_h - y) * PT_PER_MM,
                                     module * PT_PER_MM))

    def _draw_texts(self, values: dict[str, str], left: float, top: float) -> None:
        # Most lines (product, lot, domain) repeat on every label of a batch: their
        # operators are made once per position and document, then reused.
        for index, box in enumerate(self.stock.texts):
            text = box.filled(values)
            if text is None:
                continue
            key = (self.position, index, text)
            code = self._text_code.get(key)
            if code is None:
                code = self._text_operators(box, text, left, top)
                if len(self._text_code) < 10_000:
                    self._text_code[key] = code
            self.canvas.addLiteral(code)

    def _text_operators(self, box: TextBox, text: str, left: float, top: float) -> str:
        size, lines = fit_box_text(text, box)
        x = (left + box.x_mm) * PT_PER_MM
        baseline = (self.stock.page_h_mm - top - box.y_mm) * PT_PER_MM - size * 0.9
        codes = [_frame(box, x, (self.stock.page_h_mm - top - box.y_mm) * PT_PER_MM)] \
            if box.scratch_off else []
        for line in lines:
            shift = (box.width_mm * PT_PER_MM - text_width(line, size)) / 2 \
                if box.align == "center" else 0
            block = self.canvas.beginText(x + shift, baseline)
            block.setFont(FONT, size)
            block.textOut(line)
            codes.append(block.getCode())
            baseline -= size * LINE_HEIGHT
        return "\n".join(codes)

    def close(self) -> int:
        self.canvas.showPage()
        self.canvas.save()
        return self.pages


def _frame(box: TextBox, x: float, y_top: float) -> str:
    """A thin outline around a scratch-off area (PDF operators)."""
    width, height = box.width_mm * PT_PER_MM, box.height_mm * PT_PER_MM
    return f"q 0.6 w {x:.2f} {y_top - height:.2f} {width:.2f} {height:.2f} re S Q"


QR_CHUNK = 200  # codes a worker turns into path bodies at a time
Labelled = tuple[LabelItem, PathBody]


def qr_bodies(urls: list[str]) -> list[PathBody]:
    """Matrix and path operators for each URL (the CPU-heavy part; runs in workers)."""
    return [path_body(make_symbol(url)) for url in urls]


def render_file(path: str | Path, stock: Stock, labelled: Iterable[Labelled], domain: str,
                start_at: int = 0, progress: Progress | None = None) -> int:
    """Write one PDF of labels from position ``start_at``; return its page count."""
    writer: SheetWriter | None = None
    done = 0
    for item, body in labelled:
        if writer is None:
            writer = SheetWriter(path, stock, start_at, title=f"{item.product} {item.lot}")
        writer.add(item, body, check_fits(stock, body.width), domain)
        done += 1
        if progress and done % QR_CHUNK == 0:
            progress(QR_CHUNK)
    if writer is None:
        raise InvalidInput("no codes to print")
    if progress and done % QR_CHUNK:
        progress(done % QR_CHUNK)
    return writer.close()


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


def _chunks(source: ItemSource, sizes: list[int]) -> Iterator[list[LabelItem]]:
    offset = 0
    for size in sizes:
        items = source.slice(offset, size)
        offset += size
        for start in range(0, len(items), QR_CHUNK):
            yield items[start:start + QR_CHUNK]


def _labelled(chunks: Iterator[list[LabelItem]], pool: ProcessPoolExecutor | None,
              lookahead: int) -> Iterator[Labelled]:
    """Items with their QR bodies, in order; workers stay ``lookahead`` chunks ahead."""
    if pool is None:
        for chunk in chunks:
            yield from zip(chunk, qr_bodies([item.url for item in chunk]))
        return
    pending: deque = deque()
    for chunk in chunks:
        pending.append((chunk, pool.submit(qr_bodies, [item.url for item in chunk])))
        if len(pending) > lookahead:
            done, future = pending.popleft()
            yield from zip(done, future.result())
    while pending:
        done, future = pending.popleft()
        yield from zip(done, future.result())


def print_labels(source: ItemSource, stock: Stock, out: str | Path, *, domain: str,
                 start_at: int = 0, per_file: int = DEFAULT_PER_FILE,
                 workers: int | None = None, folder: str | Path | None = None,
                 progress: Progress | None = None) -> list[Path]:
    """Render every item of ``source`` into one PDF, or several of ``per_file`` labels
    (``out-001.pdf``, ...); all files or none.

    With several files, each worker process renders whole files (no hand-offs,
    both cores busy); a single file gets its QR codes (the costly part) made by
    workers ahead of this process, which lays it out. Either way at most a few
    files' worth of labels are in memory, however large the job.
    """
    if not 0 <= start_at < stock.labels_per_page:
        raise InvalidInput(f"--start-at must be 0-{stock.labels_per_page - 1} on {stock.name} "
                           f"({stock.labels_per_page} labels a page)")
    if per_file < 1:
        raise InvalidInput("per_file must be at least 1")
    first = source.slice(0, 1)[0]
    check_fits(stock, make_symbol(first.url).width, folder)  # all before any output
    check_pins(stock, source)
    check_texts(stock, first, domain)
    sizes = split_parts(source.count, stock, per_file, start_at)
    paths = part_paths(out, len(sizes))
    partials = partial_paths(paths)
    workers = workers or os.cpu_count() or 1
    pool = worker_pool(workers) if source.count >= PARALLEL_MIN else None
    with all_or_none(pool, partials, paths):
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        starts = [start_at] + [0] * (len(sizes) - 1)
        if pool is not None and len(sizes) >= workers:
            _files_in_workers(pool, 2 * workers, source, stock, sizes, partials, starts,
                              domain, progress)
        else:
            stream = _labelled(_chunks(source, sizes), pool, lookahead=2 * workers)
            for size, partial, start in zip(sizes, partials, starts):
                render_file(partial, stock, islice(stream, size), domain, start, progress)
    return paths


def partial_paths(paths: list[Path]) -> list[Path]:
    """Where each part is written until the whole job has succeeded."""
    return [path.with_name(path.name + ".partial") for path in paths]


def worker_pool(workers: int) -> ProcessPoolExecutor | None:
    """Forked worker processes that leave signals to the parent; None for one worker
    (or where fork is not available)."""
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=quiet_worker)


def run_in_order(pool: ProcessPoolExecutor, work: Callable[[tuple], int], jobs: Iterable[tuple],
                 queued: int, progress: Progress | None) -> None:
    """``work(job)`` for each job in the pool, at most ``queued`` waiting so memory
    stays bounded; each job's count goes to ``progress`` as it finishes, in order."""
    pending: deque = deque()
    for job in jobs:
        pending.append(pool.submit(work, job))
        if len(pending) >= queued:
            report(pending.popleft().result(), progress)
    while pending:
        report(pending.popleft().result(), progress)


def quiet_worker() -> None:
    """Workers leave Ctrl-C to the parent, which stops them and removes the parts;
    a kill ends them at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def all_or_none(pool: ProcessPoolExecutor | None, partials: list[Path],
                paths: list[Path]) -> Iterator[None]:
    """Around writing the parts: on success every part is published under its name;
    on any failure or interrupt the workers stop and no part is left."""
    try:
        yield
        if pool is not None:
            pool.shutdown(wait=True)
    except BaseException:
        discard_partials(pool, partials)
        raise
    publish(partials, paths)


def publish(partials: list[Path], paths: list[Path]) -> None:
    """Rename every part into place, and remove parts an earlier, larger job left
    under the same name, with Ctrl-C and kill held back: all files or none."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        for partial, path in zip(partials, paths):
            os.replace(partial, path)
        out = paths[0]
        stem = out.stem.rsplit("-", 1)[0] if len(paths) > 1 else out.stem
        for old in out.parent.glob(f"{glob.escape(stem)}-[0-9][0-9][0-9]{out.suffix}"):
            if old not in paths:
                old.unlink()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def discard_partials(pool: ProcessPoolExecutor | None, partials: list[Path]) -> None:
    """After a failure or an interrupt: stop the workers first (one may still be
    writing its part), then remove every part, so no file is left behind."""
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    for partial in partials:
        partial.unlink(missing_ok=True)


def _render_whole_file(job: tuple[Path, Stock, list[LabelItem], str, int]) -> int:
    partial, stock, items, domain, start_at = job
    labelled = ((item, path_body(make_symbol(item.url))) for item in items)  # one at a time
    render_file(partial, stock, labelled, domain, start_at)
    return len(items)


def _files_in_workers(pool: ProcessPoolExecutor, queued: int, source: ItemSource, stock: Stock,
                      sizes: list[int], partials: list[Path], starts: list[int], domain: str,
                      progress: Progress | None) -> None:
    """One file a job; at most ``queued`` jobs waiting, so memory stays bounded."""
    offsets = [sum(sizes[:index]) for index in range(len(sizes))]
    jobs = ((partial, stock, source.slice(offset, size), domain, start)
            for offset, size, partial, start in zip(offsets, sizes, partials, starts))
    run_in_order(pool, _render_whole_file, jobs, queued, progress)


def report(count: int, progress: Progress | None) -> None:
    if progress and count:
        progress(count)
