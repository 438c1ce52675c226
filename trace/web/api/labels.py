"""A supplier's label files, for an ERP that prints without opening the workspace::

    GET  /api/v1/label-stocks                           the stocks labels print on
    GET  /api/v1/batches/{gtin}/{lot}/labels?stock=     a PDF, or TSPL/ZPL for a roll

A range downloaded before is refused unless ``reprint`` says so, as the workspace
asks first: one code printed twice and both used reads 可疑 to buyers.
"""

from __future__ import annotations

from flask import Response, current_app, g
from spectree import Response as Responses

from ... import catalog, downloads, label_sources, printers, stocks
from ...clock import beijing_time
from ...errors import Conflict, InvalidInput, NotFound
from .. import attachment, get_db
from . import PATH_DOCS, bp, errors, spec
from . import models as m
from .supply import token_supplier

MIMETYPES = {"pdf": "application/pdf", "tspl": "application/octet-stream",
             "zpl": "application/octet-stream"}


@bp.get("/label-stocks")
@spec.validate(resp=Responses(HTTP_200=m.LabelStocks, **errors(401, 403)),
               operation_id="listLabelStocks", tags=["labels"])
def label_stocks():
    """The label stocks this platform prints on, by name."""
    token_supplier()
    folder = current_app.config["LABELS_DIR"]
    listed = [stocks.load_stock(name, folder) for name in stocks.list_stocks(folder)]
    return m.LabelStocks(stocks=[m.LabelStock(
        name=stock.name, description=stock.description, description_zh=stock.description_zh,
        label_w_mm=stock.label_w_mm, label_h_mm=stock.label_h_mm,
        per_page=stock.labels_per_page, roll=printers.is_roll(stock),
        prints_pin=stock.prints_pin) for stock in listed])


@bp.get("/batches/<gtin>/<lot>/labels")
@spec.validate(query=m.LabelsQuery, resp=Responses("HTTP_200", **errors(400, 401, 403, 404,
                                                                        409, 422)),
               operation_id="downloadLabels", tags=["labels"],
               path_parameter_descriptions=PATH_DOCS)
def labels(gtin: str, lot: str, query: m.LabelsQuery):
    """The batch's labels `first`..`last` (places in issue order; voided codes are
    skipped) on a stock, as one PDF or a roll printer's commands. Each download is
    kept; labels downloaded before answer 409 unless `reprint` is true."""
    db, config = get_db(), current_app.config
    supplier = token_supplier()
    batch = catalog.owned_batch(db, supplier.id, gtin, lot)
    catalog.require_not_suspended(supplier)  # as the codes' list: labels are printed codes
    stock = _stock(query.stock, query.format)
    issued = catalog.issued_count(db, batch.id)
    if not issued:
        raise InvalidInput(f"batch {batch.lot} has no codes yet: issue them first",
                           message_zh=f"批次 {batch.lot} 还没有发码，请先发码")
    first, last = downloads.label_range(batch, issued, query.first or 1, query.last or issued)
    _pins_kept(db, batch, stock, first, last)
    if not query.reprint:
        _not_downloaded_before(db, batch, first, last)
    start = downloads.sheet_slot(stock, str(query.slot) if query.slot else None)
    file = downloads.label_range_file(
        db, batch, stock, first, last, base_url=config["BASE_URL"],
        domain=config["OFFICIAL_DOMAIN"], folder=config["LABELS_DIR"],
        pin_secret=config["HASH_SECRET"], fmt=query.format, start_at=start)
    downloads.note_download(db, batch, first, last, stock, query.format,
                            f"api:{g.api_user.email}")
    name = f"labels-{batch.gtin}-{batch.lot}-{stock.name}-{first}-{last}.{query.format}"
    return Response(file, mimetype=MIMETYPES[query.format], headers=attachment(name, "no-store"))


def _stock(name: str, fmt: str) -> stocks.Stock:
    """The stock by name (the refusal lists the others, not the server's folder), and
    printer commands only for a thermal roll."""
    folder = current_app.config["LABELS_DIR"]
    try:
        stock = stocks.load_stock(name, folder)
    except NotFound:
        known = ", ".join(stocks.list_stocks(folder))
        raise NotFound(f"no label stock {name!r}; there are: {known}",
                       message_zh=f"没有名为 {name} 的标签纸规格，可选：{known}",
                       field="stock") from None
    if fmt != "pdf" and not printers.is_roll(stock):
        raise InvalidInput(f"{stock.name} is a sheet stock; {fmt.upper()} is for thermal "
                           "rolls: ask for the PDF",
                           message_zh=f"{stock.name} 是整张的不干胶纸，只能下载 PDF，"
                                      "热敏打印机指令只用于卷装标签", field="format")
    return stock


def _pins_kept(db, batch: catalog.Batch, stock: stocks.Stock, first: int, last: int) -> None:
    """Codes issued with scratch-off PINs go only on a stock that prints them: a trial's
    ERP got a batch's PIN labels on the docs' example stock, without their PINs, and
    that download then counted as printed."""
    if stock.prints_pin:
        return  # labels.check_pins refuses codes without one
    source = label_sources.BatchSource(db, batch.gtin, batch.lot, current_app.config["BASE_URL"],
                                       (first, last))
    if source.with_pins:
        folder = current_app.config["LABELS_DIR"]
        pin_stocks = ", ".join(name for name in stocks.list_stocks(folder)
                               if stocks.load_stock(name, folder).prints_pin)
        raise InvalidInput(
            f"{source.with_pins:,} of these codes have scratch-off PINs, which {stock.name} "
            f"does not print: use a stock that does ({pin_stocks})",
            message_zh=f"其中 {source.with_pins:,} 个码有刮开式防伪密码，{stock.name} 不印密码："
                       f"请用印密码的标签纸（{pin_stocks}）", field="stock")


def _not_downloaded_before(db, batch: catalog.Batch, first: int, last: int) -> None:
    count, latest = downloads.downloaded_before(db, batch.id, first, last)
    if not count or latest is None:
        return
    fresh = downloads.never_downloaded(downloads.downloaded_runs(db, batch.id), first, last)
    offer = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in fresh)
    when = beijing_time(latest.at)
    raise Conflict(
        f"{count:,} of labels {first}-{last} were downloaded before (last by {latest.actor} "
        f"at {latest.at}): printed twice, one code goes on two items and buyers read it as "
        "suspicious. " + (f"Never downloaded: {offer}. " if offer else "")
        + "To print them again all the same, send reprint=true.",
        message_zh=f"第 {first}–{last} 个标签中有 {count:,} 个之前下载过（最近一次：{latest.actor}，"
                   f"北京时间 {when}）：同一个码印两次、贴到两件商品上，买家扫码会看到“可疑”。"
                   + (f"没下载过的是第 {offer} 个。" if offer else "")
                   + "确要重印，请加 reprint=true。", field="reprint")
