"""Benchmark: TSPL and ZPL label files, ours against the naive way, and 100,000 labels.

Naive: for each label the ``qrcode`` package makes the code, PIL draws the whole
label (code and text, font loaded and text laid out every time) and it is sent
as one full-label BITMAP. Ours: zxing-cpp matrix scaled to whole dots, text
bitmaps made once per distinct text, only the marks sent.
Budgets: 100,000 labels (thermal-40x30) in each language under 150 s with peak
memory under 300 MB, as DESIGN §12 asks of the PDF; 2,000 labels at least 3x
faster than naive. The first and last labels written are read back and decoded.

    PYTHONPATH=.:tests/benchmarks python tests/benchmarks/bench_printers.py [--count 100000]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import qrcode
import zxingcpp
from bench_labels import BASE, GTIN, LOT, ROOT, make_batch, process_tree_memory
from budget import Budgets
from PIL import Image, ImageDraw, ImageFont

from trace import printers, textfit
from trace.db import open_db
from trace.label_sources import BatchSource
from trace.labels import label_texts
from trace.stocks import LINE_HEIGHT, load_stock

STOCK = "thermal-40x30"
TIME_BUDGET_S, MEMORY_BUDGET_MB, MIN_RATIO = 150, 300, 3


def naive_label(item, stock, domain: str) -> bytes:
    dpi, dot = stock.dpi, 25.4 / stock.dpi
    canvas = Image.new("L", (round(stock.label_w_mm / dot), round(stock.label_h_mm / dot)), 255)
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=3)
    qr.add_data(item.url)
    qr.make(fit=True)
    canvas.paste(qr.make_image().convert("L"), (round(stock.qr_x_mm / dot),
                                                round(stock.qr_y_mm / dot)))
    draw = ImageDraw.Draw(canvas)
    for box in stock.texts:
        size, lines = textfit.fit_text(box.template.format(**label_texts(item, domain)), box)
        font = ImageFont.truetype(str(textfit.font_file()), round(size * dpi / 72))
        y = box.y_mm / dot + size * 0.9 * dpi / 72
        for line in lines:
            draw.text((box.x_mm / dot, y), line, font=font, fill=0, anchor="ls")
            y += size * LINE_HEIGHT * dpi / 72
    bits = canvas.convert("1")
    return (f"CLS\r\nBITMAP 0,0,{(bits.width + 7) // 8},{bits.height},0,".encode()
            + bits.tobytes() + b"\r\nPRINT 1,1\r\n")


def compare(db_path: Path, count: int) -> tuple[float, float]:
    stock = load_stock(STOCK, ROOT / "labels")
    items = BatchSource(open_db(db_path), GTIN, LOT, BASE).slice(0, count)
    start = time.perf_counter()
    printers.write_labels(items, stock, io.BytesIO(), "tspl", domain="trace.example.cn")
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    out = io.BytesIO()
    for item in items:
        out.write(naive_label(item, stock, "trace.example.cn"))
    return t_ours, time.perf_counter() - start


def big_run(db_path: Path, folder: Path, fmt: str) -> tuple[float, int, list[Path]]:
    env = {**os.environ, "TRACE_DATABASE": str(db_path), "TRACE_KEYS_DIR": str(folder / "keys"),
           "TRACE_BASE_URL": BASE}
    out = folder / fmt / f"labels.{fmt}"
    out.parent.mkdir()
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "trace", "labels", "print", "--gtin", GTIN, "--lot", LOT,
         "--stock", STOCK, "--format", fmt, "--out", str(out)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=open(folder / "stderr.txt", "wb"))  # a file: a full pipe would block the job
    peak = 0
    while process.poll() is None:
        peak = max(peak, process_tree_memory(process.pid)[0])
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"labels print --format {fmt} failed: "
                         f"{(folder / 'stderr.txt').read_text()}")
    return elapsed, peak, sorted(out.parent.glob(f"*.{fmt}"))


def first_and_last_codes(path: Path, fmt: str, stock) -> list[str]:
    """Decode the first and the last label of a file, drawn as the printer would."""
    data = path.read_bytes()
    found = []
    if fmt == "tspl":  # read as the printer does: each BITMAP's data skipped by its size
        qr_bitmaps, position, new_label = [], 0, False
        pattern = re.compile(rb"BITMAP (\d+),(\d+),(\d+),(\d+),0,")
        while position < len(data):
            m = pattern.match(data, position)
            if m is None:
                end = data.index(b"\r\n", position)
                new_label = new_label or data[position:end] == b"CLS"
                position = end + 2
                continue
            width, height = int(m[3]) * 8, int(m[4])
            raw = data[m.end():m.end() + width // 8 * height]
            if new_label:  # the first mark of a label is its QR code
                qr_bitmaps.append((width, height, raw))
                new_label = False
            position = m.end() + len(raw) + 2
        for width, height, raw in (qr_bitmaps[0], qr_bitmaps[-1]):
            found += [r.text for r in zxingcpp.read_barcodes(
                Image.frombytes("1", (width, height), raw).convert("L"), try_invert=False)]
    else:
        labels = data.decode("ascii").split("^XZ")[:-1]
        for label in (labels[0], labels[-1]):
            m = re.search(r"\^GFA,(\d+),\d+,(\d+),([^^]*)\^FS", label)
            total, row_bytes = int(m[1]), int(m[2])
            rows: list[str] = []
            for token in re.findall(r"[0-9A-F]*,|:|[0-9A-F]{%d}" % (2 * row_bytes), m[3]):
                row = rows[-1] if token == ":" else token.rstrip(",")
                rows.append(row.ljust(2 * row_bytes, "0"))
            ink = Image.frombytes("1", (row_bytes * 8, total // row_bytes),
                                  bytes.fromhex("".join(rows)))
            page = Image.new("L", ink.size, 255)
            page.paste(0, (0, 0), ink)
            found += [r.text for r in zxingcpp.read_barcodes(page, try_invert=False)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=2_000)
    args = parser.parse_args()
    budgets = Budgets()
    scale = args.count / 100_000
    stock = load_stock(STOCK, ROOT / "labels")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = make_batch(folder, max(args.count, args.compare))
        t_ours, t_naive = compare(db_path, args.compare)
        print(f"TSPL labels, {STOCK}, {args.compare:,} codes")
        print(f"  ours : {t_ours:7.2f} s   (zxing-cpp modules as whole dots, text bitmaps cached)")
        print(f"  naive: {t_naive:7.2f} s   (qrcode -> PIL draws each whole label)")
        print(f"  ratio: {t_naive / t_ours:.1f}x faster than naive")
        budgets.check(t_naive / t_ours >= MIN_RATIO,
                      f"{t_naive / t_ours:.1f}x naive (at least {MIN_RATIO}x)")
        urls = [i.url for i in BatchSource(open_db(db_path), GTIN, LOT, BASE).slice(0, args.count)]
        for fmt in ("tspl", "zpl"):
            elapsed, peak, files = big_run(db_path, folder, fmt)
            size = sum(f.stat().st_size for f in files)
            print(f"{fmt.upper()}, {STOCK}, {args.count:,} codes through 'labels print'")
            print(f"  wall : {elapsed:7.1f} s   in {len(files)} files, {size / 2**20:.0f} MB")
            print(f"  peak memory, all processes: {peak / 2**20:.0f} MB PSS")
            budgets.check(elapsed < TIME_BUDGET_S * scale,
                          f"{fmt}: {elapsed:.1f} s (budget {TIME_BUDGET_S * scale:.0f} s)")
            budgets.check(peak / 2**20 < MEMORY_BUDGET_MB,
                          f"{fmt}: peak {peak / 2**20:.0f} MB PSS (budget {MEMORY_BUDGET_MB} MB)")
            first = first_and_last_codes(files[0], fmt, stock)[:1]
            last = first_and_last_codes(files[-1], fmt, stock)[-1:]
            budgets.check(first == urls[:1] and last == urls[-1:],
                          f"{fmt}: the first and last labels decode to the first and last codes")
    budgets.finish()


if __name__ == "__main__":
    main()
