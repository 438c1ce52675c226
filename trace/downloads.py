"""What a supplier downloads for a batch: its codes as a spreadsheet (.xlsx) or CSV
with Chinese headings, and its labels as PDF parts of at most 5,000 (a part
renders in a few seconds, so a browser download never waits long, and a print
shop gets files it can open), or as a thermal printer's TSPL or ZPL::

    for chunk in codes_csv(db, "09521234000013", "ZJ-2611-A", base_url, secret):
        out.write(chunk)
    workbook = codes_xlsx(db, "09521234000013", "ZJ-2611-A", base_url, secret)
    label_parts(12_000)                         # [(1, 1, 5000), (2, 5001, 10000), ...]
    pdf = label_part_file(db, "09521234000013", "ZJ-2611-A", stock, 2, base_url=...,
                          domain="trace.example.cn")
    tspl = label_part_file(..., fmt="tspl")     # a roll stock's labels as TSPL commands
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlite_utils
from openpyxl import Workbook

from . import catalog, issuing, label_sources, labels, printers
from .clock import beijing_time
from .db import utc_now
from .codes import ItemCode, encode_signature, group_serial
from .errors import InvalidInput, NotFound
from .stocks import Stock
from .textfit import as_printed, fit_box_text

PART_SIZE = labels.DEFAULT_PER_FILE
CSV_ROWS_A_CHUNK = 1_000
BOM = "\ufeff"  # Excel opens UTF-8 as Chinese text only with it
# What people read in the columns of codes export, in the same order.
HEADINGS_ZH = {"seq": "序号", "gtin": "商品条码", "lot": "批次号", "serial": "追溯码",
               "kid": "密钥编号（可公开）", "status": "状态", "issued_at": "发码时间（北京时间）",
               "url": "二维码网址", "pin": "防伪密码"}
STATUS_ZH = {"active": "有效", "void": "已作废", "recalled": "已召回"}


def for_people(row: dict) -> dict:
    """A code's row as a person reads it: the 追溯码 grouped as printed under the QR,
    the status in Chinese, Beijing time; the URL and PIN exactly as they are."""
    return dict(row, serial=group_serial(row["serial"]),
                status=STATUS_ZH.get(row["status"], row["status"]),
                issued_at=beijing_time(row["issued_at"]))


def codes_csv(db: sqlite_utils.Database, gtin: str, lot: str, base_url: str,
              pin_secret: str | None, *, for_excel: bool = True,
              printable_only: bool = False) -> Iterator[str]:
    """The batch's codes as CSV text with CRLF line ends, a chunk at a time:
    ``for_excel``, with a BOM, Chinese headings and rows ``for_people``; else the
    columns and values of ``codes export`` (for programs, through the API).
    ``printable_only``: the active codes alone, as label software would print every
    row (a trial's file held 400 void codes with their QR addresses); each keeps its
    序号, so positions still match the labels' numbering.

    The batch is looked up at once, so an unknown batch fails before any output.
    """
    rows = issuing.export_rows(db, gtin, lot, base_url, pin_secret)
    if printable_only:
        rows = (row for row in rows if row["status"] == "active")
    if for_excel:
        return _csv_chunks(map(for_people, rows), BOM, HEADINGS_ZH)
    return _csv_chunks(rows, "", {name: name for name in issuing.EXPORT_COLUMNS})


def codes_xlsx(db: sqlite_utils.Database, gtin: str, lot: str, base_url: str,
               pin_secret: str | None) -> bytes:
    """The batch's codes as an Excel workbook: every cell text, so a GTIN or a PIN
    keeps its leading zeros (a CSV opened in Excel loses them)."""
    rows = issuing.export_rows(db, gtin, lot, base_url, pin_secret)
    book = Workbook(write_only=True)  # streams rows: 100,000 codes in little memory
    sheet = book.create_sheet(f"{catalog.normalise_lot(lot)}")
    widths = {"seq": 8, "gtin": 17, "lot": 14, "serial": 17, "kid": 11, "status": 8,
              "issued_at": 21, "url": 60, "pin": 10}
    for letter, name in zip("ABCDEFGHI", issuing.EXPORT_COLUMNS):
        sheet.column_dimensions[letter].width = widths[name]
    sheet.append(list(HEADINGS_ZH.values()))
    for row in map(for_people, rows):
        sheet.append([str(row[name]) if name != "seq" else row[name]
                      for name in issuing.EXPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_chunks(rows: Iterator[dict], start: str, headings: dict[str, str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=issuing.EXPORT_COLUMNS)  # CRLF by default
    buffer.write(start)
    writer.writerow(headings)
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


def stock_problem(stock: Stock, batch: catalog.Batch, product: str, serial: str,
                  qr_width: int, domain: str) -> InvalidInput | None:
    """Why the batch's labels cannot be printed on ``stock`` (its lot, the serial or
    the domain does not fit whole, or a QR code ``qr_width`` modules across is too
    fine for it), or None: found before a supplier downloads."""
    sample = label_sources.LabelItem("", batch.gtin, batch.lot, serial, product,
                                     pin="0" * 6 if stock.prints_pin else "")
    try:
        labels.check_texts(stock, sample, domain)
        labels.check_fits(stock, qr_width)
    except InvalidInput as problem:
        return problem
    return None


def shortened_name(stock: Stock, product: str) -> str | None:
    """The product's name as ``stock`` prints it, when it must be cut short ("…"):
    said beside the stock, so a name that loses its size or grade is seen before
    printing. None when it prints whole."""
    for box in stock.texts:
        if box.template == "{product}":
            printed = as_printed(product, fit_box_text(product, box)[1])
            return printed if printed != product else None
    return None


# A product's details a stock may print, by the field the product form calls them.
_DETAIL_FIELDS = {"spec": "specification", "standard": "standard", "fibre": "fibre_content",
                  "care": "care", "maker": "maker"}


def shortened_details(stock: Stock, details: dict[str, str]) -> list[tuple[str, str]]:
    """(field, what prints) for each of the product's details (``details_of``) that
    ``stock`` must cut short with '…': a tag that lost its care text read whole, and
    5,000 could be printed before anyone saw it. The field as the product form names
    it (maker for the supplier's name and address)."""
    values = labels.label_texts(label_sources.LabelItem("", "", "", "", "", **details), "")
    cut = []
    for box in stock.texts:
        text = box.filled(values) if box.optional else None
        if text:
            printed = as_printed(text, fit_box_text(text, box)[1])
            if printed != text:
                cut.append((_DETAIL_FIELDS[box.optional[0]], printed))
    return cut


def first_code(db: sqlite_utils.Database, batch: catalog.Batch,
               base_url: str) -> tuple[str, int] | None:
    """The batch's first serial and the modules across its QR code (every code of a
    batch is as long), what stock_problem checks a stock with. Before any code, one
    as issuing will write it (a serial and a signature as long): a stock too small
    for the lot is said while the batch can still be cancelled for a shorter one."""
    first = next(issuing.export_rows(db, batch.gtin, batch.lot, base_url, limit=1), None)
    if first is None:
        sample = ItemCode(batch.gtin, batch.lot, issuing.new_serials(1)[0], "0" * 8,
                          encode_signature(bytes(64)))  # a kid and an Ed25519 signature
        first = {"serial": sample.serial, "url": sample.url(base_url)}
    return first["serial"], labels.make_symbol(first["url"]).width


def printable_parts(db: sqlite_utils.Database, batch_id: int,
                    issued: int) -> list[tuple[int, int, int, int]]:
    """(part, first, last, active codes in it) for each label file of the batch: a
    part whose codes were all voided prints nothing, and one voided in part holds
    fewer labels than its range says."""
    active = dict(db.execute(  # one pass over the batch's items, not one a part
        "SELECT part, sum(status = 'active') FROM (SELECT (row_number() OVER (ORDER BY id) "
        "- 1) / ? + 1 AS part, status FROM items WHERE batch_id = ?) GROUP BY part",
        [PART_SIZE, batch_id]).fetchall())
    return [(number, first, last, active.get(number, 0))
            for number, first, last in label_parts(issued)]


def part_positions(db: sqlite_utils.Database, batch: catalog.Batch, part: int) -> tuple[int, int]:
    """The first and last position of the batch's label file number ``part``."""
    parts = label_parts(catalog.issued_count(db, batch.id))
    if not 1 <= part <= len(parts):
        raise NotFound(f"batch {batch.lot} has {len(parts)} label part(s), not part {part}",
                       message_zh=f"该批次只有 {len(parts)} 份标签文件")
    return parts[part - 1][1:]


def note_download(db: sqlite_utils.Database, batch: catalog.Batch, first: int, last: int,
                  stock: Stock, fmt: str, actor: str) -> None:
    """Keep that labels ``first``..``last`` were downloaded to print."""
    db.execute("INSERT INTO label_downloads (batch_id, first, last, stock, format, actor, at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               [batch.id, first, last, stock.name, fmt, actor, utc_now()])


@dataclass(frozen=True)
class LabelDownload:
    first: int
    last: int
    stock: str
    format: str
    actor: str
    at: str
    again: bool  # some of its labels were downloaded before


def label_downloads(db: sqlite_utils.Database, batch_id: int,
                    limit: int = 10) -> tuple[list[LabelDownload], list[tuple[int, int]]]:
    """The batch's latest label downloads, newest first, and the positions ever
    downloaded as merged runs ((1, 300), (451, 460)), oldest first."""
    latest = [LabelDownload(first, last, stock, fmt, actor, at, bool(again))
              for first, last, stock, fmt, actor, at, again in db.execute(
        "SELECT d.first, d.last, d.stock, d.format, d.actor, d.at, EXISTS (SELECT 1 FROM "
        "label_downloads e WHERE e.batch_id = d.batch_id AND e.id < d.id AND e.first <= "
        "d.last AND e.last >= d.first) FROM label_downloads d WHERE d.batch_id = ? "
        "ORDER BY d.id DESC LIMIT ?", [batch_id, limit])]
    return latest, downloaded_runs(db, batch_id)


def last_stock_used(db: sqlite_utils.Database, gtin: str) -> tuple[str, str] | None:
    """(stock, format) of the product's latest label download, any batch: what the
    batch page offers first (a packer's top-up came back on the default pearl tag,
    not the roll she had just printed)."""
    row = db.execute("SELECT d.stock, d.format FROM label_downloads d JOIN batches b ON "
                     "b.id = d.batch_id WHERE b.gtin = ? ORDER BY d.id DESC LIMIT 1",
                     [gtin]).fetchone()
    return (row[0], row[1]) if row else None


def downloaded_runs(db: sqlite_utils.Database, batch_id: int) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for first, last in db.execute("SELECT first, last FROM label_downloads WHERE batch_id = ? "
                                  "ORDER BY first", [batch_id]):
        if runs and first <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def never_downloaded(runs: list[tuple[int, int]], first: int,
                     last: int) -> list[tuple[int, int]]:
    """The runs of positions ``first``..``last`` outside every downloaded run: what a
    top-up added since the last print (a trial reprinted 1–25 for 5 new labels).

    >>> never_downloaded([(1, 20)], 1, 25), never_downloaded([(3, 4), (8, 9)], 1, 10)
    ([(21, 25)], [(1, 2), (5, 7), (10, 10)])
    """
    gaps, at = [], first
    for a, b in runs:
        if b < at or a > last:
            continue
        if a > at:
            gaps.append((at, a - 1))
        at = max(at, b + 1)
    if at <= last:
        gaps.append((at, last))
    return gaps


def new_since_download(tops: list[TopUp], runs: list[tuple[int, int]],
                       since: str | None) -> list[tuple[int, int]]:
    """The top-ups issued after the latest label download (``since``) whose labels
    were never downloaded, as (first, last): what a packer prints the next day, not
    the whole batch again; none before any download, nor a run too big for one file."""
    if since is None:
        return []
    return [(top.first, top.last) for top in tops
            if top.issued_at > since and top.printable and top.count <= PART_SIZE
            and never_downloaded(runs, top.first, top.last) == [(top.first, top.last)]]


def downloaded_before(db: sqlite_utils.Database, batch_id: int, first: int,
                      last: int) -> tuple[int, LabelDownload | None]:
    """How many of labels ``first``..``last`` were downloaded before, and the latest
    download that held any of them (None if none did)."""
    runs = downloaded_runs(db, batch_id)
    count = sum(max(0, min(b, last) - max(a, first) + 1) for a, b in runs)
    row = db.execute("SELECT first, last, stock, format, actor, at FROM label_downloads "
                     "WHERE batch_id = ? AND first <= ? AND last >= ? ORDER BY id DESC LIMIT 1",
                     [batch_id, last, first]).fetchone()
    if row is None:
        return count, None
    first_, last_, stock, fmt, actor, at = row
    return count, LabelDownload(first_, last_, stock, fmt, actor, at, again=True)


def label_part_file(db: sqlite_utils.Database, gtin: str, lot: str, stock: Stock, part: int,
                    *, base_url: str, domain: str, folder: str | Path | None = None,
                    pin_secret: str | None = None, fmt: str = "pdf") -> bytes:
    """Part ``part`` of the batch's labels as one PDF (voided codes skipped), or as
    printer commands (``fmt``: see ``label_range_file``)."""
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    first, last = part_positions(db, batch, part)
    return label_range_file(db, batch, stock, first, last, base_url=base_url, domain=domain,
                            folder=folder, pin_secret=pin_secret, fmt=fmt)


@dataclass(frozen=True)
class TopUp:
    """One top-up's codes, as positions in issue order (its codes are written in one
    transaction, so they run on), and whether every one has a scratch-off PIN."""

    first: int
    last: int
    count: int
    issued_at: str
    with_pins: bool
    printable: int = 0  # its codes still active: what its labels file holds


def top_ups(db: sqlite_utils.Database, batch_id: int) -> list[TopUp]:
    ranges, first = [], 1
    for count, issued_at, pins, active in db.execute(
            "SELECT s.count, s.issued_at, (SELECT count(pin_hash) FROM items i "
            "WHERE i.issuance_id = s.id), (SELECT count(*) FROM items i WHERE i.issuance_id "
            "= s.id AND i.status = 'active') FROM issuances s WHERE s.batch_id = ? "
            "ORDER BY s.id", [batch_id]):
        ranges.append(TopUp(first, first + count - 1, count, issued_at, pins == count, active))
        first += count
    return ranges


def label_range(batch: catalog.Batch, issued: int, first: str | int | None,
                last: str | int | None) -> tuple[int, int]:
    """Positions ``first``..``last`` (1-based, in issue order) checked against the batch:
    a reprint of a few labels, or the labels of one top-up. One of the two alone is
    that one label (a reprint of label 17 fills in 17 and stops)."""
    given = [str(n).strip() for n in (first, last) if n is not None and str(n).strip()]
    if len(given) == 1:
        given *= 2
    try:
        low, high = int(given[0]), int(given[-1])
    except IndexError:
        raise InvalidInput("give the first and last label to print",
                           message_zh="请填写从第几个到第几个", field="first") from None
    except ValueError:
        raise InvalidInput("give the first and last label as whole numbers",
                           message_zh="请用整数填写从第几个到第几个", field="first") from None
    if low > high:
        raise InvalidInput(f"the first label ({low}) comes after the last ({high})",
                           message_zh=f"起始的第 {low} 个在结束的第 {high} 个之后，请对调",
                           field="first")
    if 1 <= low <= issued < high:  # the start is fine: say what the end may be
        raise InvalidInput(f"batch {batch.lot} has {issued:,} codes: the last label is at most "
                           f"{issued:,}", message_zh=f"本批次只有 {issued:,} 个码，"
                           f"“到第几个”最多填 {issued:,}", field="last")
    if not 1 <= low <= high <= issued:
        raise InvalidInput(f"batch {batch.lot} has labels 1 to {issued:,}; {low} to {high} is "
                           "not among them",
                           message_zh=f"本批次的标签是第 1 到第 {issued:,} 个，"
                           f"第 {low} 到第 {high} 个不在其中", field="first")
    if high - low + 1 > PART_SIZE:
        raise InvalidInput(f"at most {PART_SIZE:,} labels in one file",
                           message_zh=f"一个文件最多 {PART_SIZE:,} 个标签", field="last")
    return low, high


def sheet_slot(stock: Stock, text: str | None) -> int:
    """Where on a part-used sheet to start, as typed (1 = the top-left label, across
    then down), as ``start_at`` (0-based); blank is the first."""
    typed = (text or "").strip()
    if not typed:
        return 0
    places = stock.labels_per_page
    try:
        slot = int(typed)
    except ValueError:
        slot = 0
    if not 1 <= slot <= places:
        raise InvalidInput(f"start at a label 1 to {places} of the sheet, not {typed[:10]!r}",
                           message_zh=f"起始格请填 1 到 {places} 之间的整数（这种纸每张 {places} 格，"
                           "从左上角起，先横着数）", field="slot")
    return slot - 1


def label_range_file(db: sqlite_utils.Database, batch: catalog.Batch, stock: Stock,
                     first: int, last: int, *, base_url: str, domain: str,
                     folder: str | Path | None = None, pin_secret: str | None = None,
                     fmt: str = "pdf", start_at: int = 0) -> bytes:
    """The labels at positions ``first``..``last`` as one PDF (voided codes skipped),
    from label ``start_at`` of a part-used first sheet, or, for a roll stock and
    ``fmt`` tspl or zpl, as the thermal printer's own commands (trace/printers.py)."""
    source = label_sources.BatchSource(db, batch.gtin, batch.lot, base_url, (first, last),
                                       pin_secret=pin_secret if stock.prints_pin else None)
    if fmt != "pdf":
        printers.check_printer_stock(stock, fmt)
        commands = io.BytesIO()
        printers.print_commands(source, stock, commands, fmt, domain=domain, per_file=PART_SIZE)
        return commands.getvalue()
    with tempfile.TemporaryDirectory(prefix="trace-labels-") as scratch:
        out = Path(scratch) / "labels.pdf"
        paths = labels.print_labels(source, stock, out, domain=domain, per_file=PART_SIZE,
                                    workers=1, folder=folder, start_at=start_at)
        return paths[0].read_bytes()
