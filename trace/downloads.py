"""What a supplier downloads for a batch: its codes as CSV for Excel, and its labels
as PDF parts of at most 5,000 (a part renders in a few seconds, so a browser
download never waits long, and a print shop gets files it can open)::

    for chunk in codes_csv(db, "09521234000013", "ZJ-2611-A", base_url, secret):
        out.write(chunk)
    label_parts(12_000)                         # [(1, 1, 5000), (2, 5001, 10000), ...]
    pdf = label_part_pdf(db, "09521234000013", "ZJ-2611-A", stock, 2, base_url=...,
                         domain="trace.example.cn")
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Iterator

import sqlite_utils

from . import catalog, issuing, label_sources, labels
from .errors import NotFound
from .stocks import Stock

PART_SIZE = labels.DEFAULT_PER_FILE
CSV_ROWS_A_CHUNK = 1_000
BOM = "\ufeff"  # Excel opens UTF-8 as Chinese text only with it


def codes_csv(db: sqlite_utils.Database, gtin: str, lot: str, base_url: str,
              pin_secret: str | None, *, for_excel: bool = True) -> Iterator[str]:
    """The batch's codes as CSV text with CRLF line ends, a chunk at a time; BOM
    first ``for_excel`` (a program reading it through the API gets none).

    The batch is looked up at once, so an unknown batch fails before any output.
    """
    rows = issuing.export_rows(db, gtin, lot, base_url, pin_secret)
    return _csv_chunks(rows, BOM if for_excel else "")


def _csv_chunks(rows: Iterator[dict], start: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=issuing.EXPORT_COLUMNS)  # CRLF by default
    buffer.write(start)
    writer.writeheader()
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % CSV_ROWS_A_CHUNK == 0:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def label_parts(issued: int, size: int = PART_SIZE) -> list[tuple[int, int, int]]:
    """(part, first position, last position) for a batch of ``issued`` codes.

    >>> label_parts(12_000)
    [(1, 1, 5000), (2, 5001, 10000), (3, 10001, 12000)]
    >>> label_parts(0)
    []
    """
    return [(number, first, min(first + size - 1, issued))
            for number, first in enumerate(range(1, issued + 1, size), 1)]


def label_part_pdf(db: sqlite_utils.Database, gtin: str, lot: str, stock: Stock, part: int, *,
                   base_url: str, domain: str, folder: str | Path | None = None,
                   pin_secret: str | None = None) -> bytes:
    """Part ``part`` of the batch's label sheets as one PDF (voided codes skipped)."""
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    parts = label_parts(catalog.issued_count(db, batch.id))
    if not 1 <= part <= len(parts):
        raise NotFound(f"batch {batch.lot} has {len(parts)} label part(s), not part {part}",
                       message_zh=f"该批次只有 {len(parts)} 份标签文件")
    _number, first, last = parts[part - 1]
    source = label_sources.BatchSource(db, batch.gtin, batch.lot, base_url, (first, last),
                                       pin_secret=pin_secret if stock.prints_pin else None)
    with tempfile.TemporaryDirectory(prefix="trace-labels-") as scratch:
        out = Path(scratch) / "labels.pdf"
        paths = labels.print_labels(source, stock, out, domain=domain, per_file=PART_SIZE,
                                    workers=1, folder=folder)
        return paths[0].read_bytes()
