"""The operator's look-ups and buyers' reports: a code, 追溯码 or batch as it is
needed when a buyer calls, every report a page at a time, and what the operator
does about one (follow it up, correct its outcome, recall the batch)::

    GET  /admin/find?q=                        a code, 追溯码 or batch, and its reports
    GET  /admin/reports?state=&page=           every buyer's report, a page at a time
    GET  /admin/reports/{id}/photo             a buyer's photo, as a download
    POST /admin/reports/{id}/handled           a buyer's report followed up, with a note
    POST /admin/reports/{id}/outcome           a followed-up report's outcome corrected
    POST /admin/batches/{gtin}/{lot}/status    recall a batch for its supplier, or lift it
    POST /admin/batches/{gtin}/{lot}/items     void or recall one item for its supplier
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, flash, g, redirect, render_template, request

from ... import catalog, recalls, reports, snapshots, verification
from ...clock import beijing_today
from ...codes import group_serial
from ...streamers.selection import AFTER_SALES_WINDOW
from ...errors import InvalidInput, NotFound, TraceError
from ...inspections import report as inspection_reports, store as inspection_store
from .. import attachment, get_db, in_reader_language, link, require_recall_confirmed
from ..auth import signed_in_user
from ..i18n import t
from . import REPORTS_SHOWN, _product_names, bp, home

REPORTS_A_PAGE = 50
REPORT_STATES = {"open": True, "handled": False, "all": None}  # still_open, as listed


@bp.get("/reports")
def report_list():
    """Every buyer's report a page at a time, newest first: the open ones, the handled
    ones or all, of one product, batch or item if asked; each opens on the look-up
    page, where it is handled or corrected."""
    db = get_db()
    state = request.args.get("state", "all")
    state = state if state in REPORT_STATES else "all"
    about = {key: (request.args.get(key) or "").strip()[:64] or None
             for key in ("gtin", "lot", "serial")}
    try:
        counts = {key: reports.count_listed(db, about["gtin"], lot=about["lot"],
                                            serial=about["serial"], still_open=still_open)
                  for key, still_open in REPORT_STATES.items()}
    except TraceError:  # a made-up barcode in the address: every report instead
        about = dict.fromkeys(about)
        counts = {key: reports.count_listed(db, still_open=still_open)
                  for key, still_open in REPORT_STATES.items()}
    pages = max(1, -(-counts[state] // REPORTS_A_PAGE))
    page = max(1, min(request.args.get("page", 1, type=int) or 1, pages))
    listed = reports.list_reports(db, about["gtin"], lot=about["lot"], serial=about["serial"],
                                  still_open=REPORT_STATES[state], limit=REPORTS_A_PAGE,
                                  offset=(page - 1) * REPORTS_A_PAGE)
    return render_template("admin/reports.html", listed=listed, state=state, page=page,
                           pages=pages, counts=counts,
                           about={key: value for key, value in about.items() if value},
                           product_names=_product_names(db, {r.gtin for r in listed if r.gtin}))


@bp.get("/find")
def find():
    """A code, 追溯码 or batch as the operator needs it when a buyer calls: the verdict
    (never counted as a scan), whom to ask, the look-ups, recalls and lab results,
    and the buyers' reports about it."""
    db, asked = get_db(), (request.args.get("q") or "").strip()[:2048]
    found, problem, reported = None, None, None
    number = reports.report_number(asked)
    if number is not None:  # a buyer on the phone reads out their report's number
        try:
            reported = reports.get_report(db, number)
        except NotFound as error:
            problem = in_reader_language(error)
    if asked and not problem:
        try:
            found = _what_was_asked(db, asked, reported)
        except NotFound:
            problem = t("admin.find_no_batch") + _lots_of(db, asked)
        except TraceError as error:  # a barcode that does not add up, a lot with a space
            problem = in_reader_language(error)
    named: list[dict] = []
    if getattr(found, "reason_code", None) in ("typed_barcode", "typed_format"):
        found, problem, named = _not_a_code(db, asked, found, problem)
    batch = found["batch"] if isinstance(found, dict) else getattr(found, "batch", None)
    companies = [] if batch or reported or not asked else [
        _company(db, supplier) for supplier in catalog.suppliers_named(db, asked)]
    if companies:  # a company's name or credit code: not a code that was not found
        found, problem = None, None
    serial = getattr(found, "serial", None) if batch else None
    about = reports.list_reports(db, batch.gtin, lot=batch.lot, serial=serial,
                                 limit=REPORTS_SHOWN) if batch else []
    about_total = reports.count_listed(db, batch.gtin, lot=batch.lot, serial=serial) \
        if batch else 0
    served = found["inspections"] if isinstance(found, dict) else \
        getattr(found, "inspections", ())
    standing = inspection_store.signed_standing(list(served))
    return render_template("admin/find.html", asked=asked, found=found, problem=problem,
                           reported=reported, batch=batch, about=about, named=named,
                           companies=companies,
                           about_total=about_total, about_serial=serial,
                           outcomes=reports.OUTCOMES,
                           outcome_history=reports.outcome_corrections(db, reported.id)
                           if reported else [],
                           lab_reports=standing, failed=inspection_reports.failed_names(standing),
                           supplier=catalog.supplier_of(db, catalog.get_product(db, batch.gtin))
                           if batch else None,
                           taken_back=recalls.items_taken_back(db, batch.id) if batch else {},
                           batch_events=recalls.events_for(db, batch.id)[-5:] if batch else [],
                           altered=snapshots.batch_facts(db, batch.id).records_altered
                           if batch else False)


BATCHES_SHOWN = 10


def _company(db, supplier: catalog.Supplier) -> dict:
    """A supplier as the operator asked about it by name weighs it: its standing, whom
    to call, its latest batches and the past year's buyers' reports."""
    batches = catalog.list_batches(db, supplier_id=supplier.id)
    since = (datetime.now(timezone.utc) - AFTER_SALES_WINDOW).isoformat()  # as rooms weigh it
    today = beijing_today().isoformat()
    shown = [dict(b, expired=bool(b["expires_on"]) and b["expires_on"] < today)
             for b in batches[:BATCHES_SHOWN]]
    return {"supplier": supplier, "batches": shown, "batch_total": len(batches),
            "history": catalog.standing_history(db, supplier.id).get(supplier.id, []),
            "told": reports.against_supplier(db, supplier.id, since)}


def _not_a_code(db, asked: str, found, problem):
    """(found, problem, named) for words that read as no code: a barcode alone gives
    its product and lots to ask which; names of goods or a seller, said on the phone,
    give the products they match, and a lot its batches. Otherwise the verdict stands
    as it was."""
    if found.reason_code == "typed_barcode":
        lots = _lots_of(db, asked)
        return (None, t("admin.find_barcode_only") + lots, []) if lots else (found, problem, [])
    batches = catalog.find_lot(db, asked)  # a lot read out alone: its batches
    if batches:
        return None, None, batches
    named = catalog.find_products(db, asked)
    return (None, problem, named) if named else (found, problem, [])


def _lots_of(db, asked: str) -> str:
    """The lots of the product a missing batch's barcode names, for the operator to
    read back to the buyer; "" when the barcode names no product either."""
    gtin = asked.split()[0] if asked.split() else ""
    try:
        product = catalog.get_product(db, gtin)
    except TraceError:
        return ""
    lots = [row["lot"] for row in catalog.list_batches(db, product.gtin)[:8]]
    return t("admin.find_lots").format(product=product.name,
                                       lots=("、" if g.lang != "en" else ", ").join(lots) or "—")


def _what_was_asked(db, asked: str, reported: reports.Report | None):
    """The item or batch asked for, or the one a report names: by its serial (a
    forged code's too: which genuine item it copied), else its batch."""
    if reported is None:
        return verification.look_up(db, asked, current_app.config["BASE_URL"])
    if reported.serial:
        found = verification.verify_typed(db, reported.serial)
        if found.verdict != "invalid":
            return found
    if reported.gtin and reported.lot:
        return verification.batch_view(db, reported.gtin, reported.lot)
    return None


@bp.get("/reports/<int:report_id>/photo")
def report_photo(report_id: int):
    """A buyer's photo with their report of a fake, as a download (it is an upload:
    never rendered in our origin)."""
    found = reports.report_photo(get_db(), report_id)
    if found is None:
        raise NotFound("no photo with that report", message_zh="这条举报没有照片")
    data, content_type = found
    extension = "png" if content_type == "image/png" else "jpg"
    return current_app.response_class(data, mimetype=content_type,
                                      headers=attachment(f"report-{report_id}.{extension}"))


@bp.post("/reports/<int:report_id>/handled")
def report_handled(report_id: int):
    """Mark a buyer's report followed up, with what was done; it leaves the open list."""
    from_find = request.form.get("back") == "find"  # a report found by its number
    try:
        handled = reports.mark_handled(get_db(), report_id, actor=signed_in_user().email,
                                       note=request.form.get("note", ""),
                                       outcome=request.form.get("outcome") or None,
                                       to_supplier=request.form.get("to_supplier"))
    except InvalidInput as error:  # beside that report's form, with the note kept
        if from_find:
            flash(in_reader_language(error), "report-bad")
        else:
            return home(error.status, report_error=in_reader_language(error),
                        report_id=report_id)
    except TraceError as error:  # handled already (by another operator), or no such report
        flash(in_reader_language(error), "report-bad")
    else:
        flash(t("admin.report_handled").format(  # what it found: 属实 read as 已处理
            id=report_id, outcome=t(f"report.outcome.{handled.handled_outcome}")), "report-ok")
    if from_find:
        return redirect(link("admin.find", q=str(report_id)) + "#the-report", 303)
    return redirect(link("admin.home") + "#buyer-reports", 303)


@bp.post("/reports/<int:report_id>/outcome")
def correct_outcome(report_id: int):
    """Correct what a handled report's follow-up found, with why (kept beside it)."""
    try:
        reports.correct_outcome(get_db(), report_id, outcome=request.form.get("outcome") or None,
                                reason=request.form.get("reason"),
                                actor=signed_in_user().email)
    except TraceError as error:
        flash(in_reader_language(error), "outcome-bad")
    else:
        flash(t("admin.outcome_corrected_done").format(id=report_id), "outcome-ok")
    return redirect(link("admin.find", q=str(report_id)) + "#the-report", 303)


@bp.post("/batches/<gtin>/<lot>/status")
def batch_status(gtin: str, lot: str):
    """Recall a batch for its supplier (a fake or defect confirmed, a regulator's
    order) or lift that recall: buyers read it at once, and the event names who."""
    db = get_db()
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    lifting = request.form.get("action") == "unrecall"
    try:
        require_recall_confirmed(lifting)
        reason, actor = request.form.get("reason", ""), signed_in_user().email
        if lifting:
            recalls.unrecall_batch(db, batch.gtin, batch.lot, reason, actor, by_platform=True)
        else:
            recalls.recall_batch(db, batch.gtin, batch.lot, reason, actor)
    except TraceError as error:
        flash(in_reader_language(error), "batch-bad")
    else:
        flash(t("admin.batch_unrecalled" if lifting else "admin.batch_recalled").format(
            lot=batch.lot), "batch-ok")
    return redirect(link("admin.find", q=f"{batch.gtin} {batch.lot}") + "#batch-status", 303)


@bp.post("/batches/<gtin>/<lot>/items")
def item_status(gtin: str, lot: str):
    """Void or recall one item for its supplier, who phoned and cannot do it in the
    workspace: final, as the supplier's own, and the event names the operator."""
    db = get_db()
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    serial, action = request.form.get("serial", ""), request.form.get("action")
    try:
        if action not in ("void", "recall"):
            raise InvalidInput("choose void or recall", message_zh="请选择作废或召回")
        if request.form.get("confirm") != "1":
            raise InvalidInput("voiding or recalling one item cannot be undone: check the 追溯码, "
                               "tick the box and press the button again",
                               message_zh="作废或召回单件后不能撤销：请核对追溯码，勾选确认后再点一次")
        code = recalls.issued_code(db, batch, serial, current_app.config["BASE_URL"])
        change = recalls.void_item if action == "void" else recalls.recall_item
        change(db, code, request.form.get("reason", ""), signed_in_user().email)
    except TraceError as error:
        flash(in_reader_language(error), "item-bad")
    else:
        flash(t(f"ws.done_{action}").format(code=group_serial(code.serial)), "item-ok")
    return redirect(link("admin.find", q=serial.strip()[:40]) + "#item-status", 303)
