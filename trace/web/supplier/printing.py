"""What a supplier downloads for a batch: its codes for Excel, WPS or label
software, and its labels, as PDF or, on a thermal roll, as the printer's own
commands (TSPL for TSC, 佳博 and 芯烨 printers, ZPL for Zebra)::

    GET  /supplier/batches/{gtin}/{lot}/codes.xlsx          text cells, Chinese headings
    GET  /supplier/batches/{gtin}/{lot}/codes.csv           UTF-8 with BOM
    GET  /supplier/batches/{gtin}/{lot}/labels/{stock}/{part}.pdf|tspl|zpl   <= 5,000
    GET  /supplier/batches/{gtin}/{lot}/labels/{stock}/range.pdf|tspl|zpl?first=&last=&slot=
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

from flask import (Response, current_app, g, make_response, render_template, request,
                   stream_with_context)

from ... import catalog, downloads, printers, stocks
from ...errors import InvalidInput, TraceError
from ...stocks import Stock
from .. import attachment, get_db, in_reader_language
from ..auth import signed_in_user
from . import _batch_page, bp

T = TypeVar("T")
MIMETYPES = {"pdf": "application/pdf", "tspl": "application/octet-stream",
             "zpl": "application/octet-stream"}


@bp.get("/batches/<gtin>/<lot>/codes.csv")
def codes_csv(gtin: str, lot: str):
    """For label software, which prints every row: the codes that may be printed."""
    found, chunks = _codes(gtin, lot, functools.partial(downloads.codes_csv,
                                                        printable_only=True))
    return Response(stream_with_context(chunks), mimetype="text/csv",
                    headers=attachment(f"codes-{found.gtin}-{found.lot}.csv", "no-store"))


@bp.get("/batches/<gtin>/<lot>/codes.xlsx")
def codes_xlsx(gtin: str, lot: str):
    found, workbook = _codes(gtin, lot, downloads.codes_xlsx)
    name = f"codes-{found.gtin}-{found.lot}.xlsx"
    return Response(workbook, headers=attachment(name, "no-store"),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _codes(gtin: str, lot: str, listed: Callable[..., T]) -> tuple[catalog.Batch, T]:
    """The supplier's own batch, and its code list as ``listed`` writes it."""
    db, config = get_db(), current_app.config
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    return found, listed(db, found.gtin, found.lot, config["BASE_URL"], config["HASH_SECRET"])


@bp.get("/batches/<gtin>/<lot>/labels/<stock>/<int:part>.<any(pdf, tspl, zpl):fmt>")
def label_part(gtin: str, lot: str, stock: str, part: int, fmt: str):
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    config = current_app.config
    chosen = _stock_for(stock, fmt)
    first, last = downloads.part_positions(db, found, part)
    again = _printed_before(found, first, last, chosen.name, fmt)
    if again:  # asked before a file of thousands of labels is drawn
        return again
    labels = downloads.label_range_file(db, found, chosen, first, last,
                                        base_url=config["BASE_URL"],
                                        domain=config["OFFICIAL_DOMAIN"],
                                        folder=config["LABELS_DIR"],
                                        pin_secret=config["HASH_SECRET"], fmt=fmt)
    downloads.note_download(db, found, first, last, chosen, fmt, signed_in_user().email)
    name = f"labels-{found.gtin}-{found.lot}-{chosen.name}-part{part:03d}.{fmt}"
    return Response(labels, mimetype=MIMETYPES[fmt], headers=attachment(name, "no-store"))


@bp.get("/batches/<gtin>/<lot>/labels/<stock>/range.<any(pdf, tspl, zpl):fmt>")
def label_range(gtin: str, lot: str, stock: str, fmt: str):
    """Labels ``?first=``..``?last=`` (positions in issue order): one top-up's, or a
    few to reprint; a refused range is told beside its form."""
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    config = current_app.config
    chosen = _stock_for(stock, fmt)
    try:
        first, last = downloads.label_range(found, catalog.issued_count(db, found.id),
                                            request.args.get("first"), request.args.get("last"))
        labels = downloads.label_range_file(
            db, found, chosen, first, last, base_url=config["BASE_URL"],
            domain=config["OFFICIAL_DOMAIN"], folder=config["LABELS_DIR"],
            pin_secret=config["HASH_SECRET"], fmt=fmt,
            start_at=downloads.sheet_slot(chosen, request.args.get("slot")))
    except TraceError as error:  # a range with nothing to print (all voided) too
        return _batch_page(found, error.status, labels=(chosen.name, fmt),
                           range_error=in_reader_language(error))
    again = _printed_before(found, first, last, chosen.name, fmt)
    if again:
        return again
    downloads.note_download(db, found, first, last, chosen, fmt, signed_in_user().email)
    name = f"labels-{found.gtin}-{found.lot}-{chosen.name}-{first}-{last}.{fmt}"
    return Response(labels, mimetype=MIMETYPES[fmt], headers=attachment(name, "no-store"))


def _printed_before(found: catalog.Batch, first: int, last: int, stock: str, fmt: str):
    """A page asking first when some of these labels were downloaded before: one code
    printed twice and both used puts it on two items, which buyers then read as 可疑.
    It offers those never downloaded on their own (after a top-up, the new ones).
    None when none were, or the reader already said to go on (``again=1``)."""
    if request.args.get("again") == "1":
        return None
    count, latest = downloads.downloaded_before(get_db(), found.id, first, last)
    if not count:
        return None
    runs = downloads.downloaded_runs(get_db(), found.id)
    response = make_response(render_template(
        "supplier/print_again.html", batch=found, first=first, last=last, count=count,
        latest=latest, go_on=request.full_path.rstrip("?") + (
            "&" if request.query_string else "?") + "again=1",
        new_only=downloads.never_downloaded(runs, first, last), stock=stock, fmt=fmt))
    response.headers["Cache-Control"] = "no-store"
    return response


def _stock_for(name: str, fmt: str) -> Stock:
    """The stock, refused for printer commands unless it is a thermal roll."""
    stock = stocks.load_stock(name, current_app.config["LABELS_DIR"])
    if fmt != "pdf" and not printers.is_roll(stock):
        raise InvalidInput(f"{stock.name} is a sheet stock; {fmt.upper()} is for thermal "
                           "rolls: download the PDF",
                           message_zh="这种标签纸是整张的不干胶纸，不能用热敏打印机指令打印，请下载 PDF")
    return stock
