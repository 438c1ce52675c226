"""Benchmark: label PDFs, ours against the naive way, and the 100,000-label budget.

Naive: the ``qrcode`` package makes each code, PIL draws it, reportlab embeds the
image with drawImage, one process. Ours: zxing-cpp matrix as one vector path,
files of --per-file labels rendered on every core.
Budgets (DESIGN §12): 100,000 labels of a4-3x8 under 150 s with peak memory under
300 MB; 2,000 labels at least 10x faster than naive. What was timed is checked:
pages of both runs are rendered with PDFium and every code on them decoded with
zxing-cpp, in order. Exits 1 when a budget, the ratio or a check is missed.

    PYTHONPATH=. python tests/benchmarks/bench_labels.py [--count 100000] [--compare 2000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
import qrcode
import zxingcpp
from budget import Budgets
from reportlab.lib.utils import ImageReader

from trace import catalog
from trace.db import create_db, open_db
from trace.issuing import issue_codes
from trace.keys import create_key, load_signer
from trace.label_sources import BatchSource
from trace.labels import SheetWriter, print_labels
from trace.stocks import PT_PER_MM, load_stock

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://trace.example.cn"
GTIN, LOT, CREDIT = "09521234000013", "ZJ-2611-A", "91330681MA2D7XKQ0T"
TIME_BUDGET_S, MEMORY_BUDGET_MB, MIN_RATIO = 150, 300, 10


def make_batch(folder: Path, count: int) -> Path:
    db = create_db(folder / "bench.db")
    create_key(db, folder / "keys")
    supplier = catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT)
    catalog.add_product(db, supplier, GTIN, "诸暨淡水珍珠项链")
    catalog.new_batch(db, GTIN, LOT)
    issue_codes(db, load_signer(db, folder / "keys"), GTIN, LOT, count)
    db.close()
    return folder / "bench.db"


class NaiveSheetWriter(SheetWriter):
    """The same sheet and text, but each code as a qrcode-made PIL image."""

    def _draw_qr(self, symbol, module, left, top):
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        qr.add_data(symbol.text)
        qr.make(fit=True)
        image = qr.make_image().get_image()
        size = self.stock.qr_size_mm * PT_PER_MM
        x = (left + self.stock.qr_x_mm) * PT_PER_MM
        y = (self.stock.page_h_mm - top - self.stock.qr_y_mm) * PT_PER_MM - size
        self.canvas.drawImage(ImageReader(image), x, y, size, size)


class _Text:
    """Carries the URL to NaiveSheetWriter._draw_qr in place of our Symbol."""

    def __init__(self, text: str):
        self.text = text


def naive(db_path: Path, count: int, out: Path) -> float:
    stock = load_stock("a4-3x8", ROOT / "labels")
    items = BatchSource(open_db(db_path), GTIN, LOT, BASE).slice(0, count)
    start = time.perf_counter()
    writer = NaiveSheetWriter(out, stock)
    for item in items:
        writer.add(item, _Text(item.url), 0, "trace.example.cn")  # type: ignore[arg-type]
    writer.close()
    return time.perf_counter() - start


def ours(db_path: Path, count: int, out: Path) -> float:
    stock = load_stock("a4-3x8", ROOT / "labels")
    source = BatchSource(open_db(db_path), GTIN, LOT, BASE, (1, count))
    start = time.perf_counter()
    print_labels(source, stock, out, domain="trace.example.cn")
    return time.perf_counter() - start


def process_tree_memory(root: int) -> tuple[int, int]:
    """(sum of PSS, sum of RSS) in bytes over ``root`` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    pss = rss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return pss, rss


def big_run(db_path: Path, folder: Path, count: int) -> tuple[float, int, int, int]:
    """Print ``count`` labels through the real CLI; wall time and peak memory."""
    env = {**os.environ, "TRACE_DATABASE": str(db_path), "TRACE_KEYS_DIR": str(folder / "keys"),
           "TRACE_BASE_URL": BASE}
    (folder / "big").mkdir()
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "trace", "labels", "print", "--gtin", GTIN, "--lot", LOT,
         "--stock", "a4-3x8", "--out", str(folder / "big" / "labels.pdf")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=open(folder / "stderr.txt", "wb"))  # a file: a full pipe would block the job
    peak_pss = peak_rss = 0
    while process.poll() is None:
        pss, rss = process_tree_memory(process.pid)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"labels print failed: {(folder / 'stderr.txt').read_text()}")
    files = len(list((folder / "big").glob("*.pdf")))
    return elapsed, peak_pss, peak_rss, files


def decoded_urls(path: Path, pages: list[int] | None = None) -> list[str]:
    """Every QR code on the given pages (all by default), in reading order."""
    pdf = pdfium.PdfDocument(str(path))
    found = []
    for index in pages if pages is not None else range(len(pdf)):
        image = pdf[index].render(scale=200 / 72).to_pil().convert("L")
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        found += [r.text for r in sorted(results, key=lambda r: (r.position.top_left.y // 50,
                                                                 r.position.top_left.x))]
    return found


def check_output(budgets: Budgets, db_path: Path, folder: Path, compare: int,
                 count: int) -> None:
    urls = [item.url for item in BatchSource(open_db(db_path), GTIN, LOT, BASE).slice(0, count)]
    for name in ("ours", "naive"):
        found = decoded_urls(folder / f"{name}.pdf", [0, 1])
        budgets.check(found == urls[:len(found)] and len(found) == 48,
                      f"{name}: the first two pages decode to the first 48 codes in order")
    files = sorted((folder / "big").glob("*.pdf"))
    last = pdfium.PdfDocument(str(files[-1]))
    tail = decoded_urls(files[-1], [len(last) - 1])
    budgets.check(bool(tail) and tail == urls[count - len(tail):],
                  f"100,000 run: the last page of {files[-1].name} decodes to the last "
                  f"{len(tail)} codes")
    first = decoded_urls(files[0], [0])
    budgets.check(first == urls[:len(first)] and len(first) == 24,
                  f"100,000 run: the first page of {files[0].name} decodes to the first 24 codes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=2_000)
    args = parser.parse_args()
    budgets = Budgets()
    scale = args.count / 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = make_batch(folder, max(args.count, args.compare))
        t_ours = ours(db_path, args.compare, folder / "ours.pdf")
        t_naive = naive(db_path, args.compare, folder / "naive.pdf")
        print(f"labels, a4-3x8, {args.compare:,} codes")
        print(f"  ours : {t_ours:7.2f} s   (zxing-cpp vector path, QR codes made by workers)")
        print(f"  naive: {t_naive:7.2f} s   (qrcode -> PIL -> drawImage, one process)")
        print(f"  ratio: {t_naive / t_ours:.1f}x faster than naive")
        budgets.check(t_naive / t_ours >= MIN_RATIO,
                      f"{t_naive / t_ours:.1f}x naive (at least {MIN_RATIO}x)")
        elapsed, pss, rss, files = big_run(db_path, folder, args.count)
        print(f"labels, a4-3x8, {args.count:,} codes through 'python -m trace labels print'")
        print(f"  wall : {elapsed:7.1f} s   in {files} PDF files")
        print(f"  peak memory, all processes: {pss / 2**20:.0f} MB PSS "
              f"({rss / 2**20:.0f} MB RSS counting shared pages twice)")
        budgets.check(elapsed < TIME_BUDGET_S * scale,
                      f"{elapsed:.1f} s (budget {TIME_BUDGET_S * scale:.0f} s)")
        budgets.check(pss / 2**20 < MEMORY_BUDGET_MB,
                      f"peak {pss / 2**20:.0f} MB PSS (budget {MEMORY_BUDGET_MB} MB)")
        check_output(budgets, db_path, folder, args.compare, args.count)
    budgets.finish()


if __name__ == "__main__":
    main()
