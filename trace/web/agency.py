"""The testing agency's workspace: the batches it was commissioned or assigned for,
its reports, and a form that signs a new report (or a correction) with the
agency's server-held key, PDF attached::

    GET       /agency/                 batches it may sign for, reports it signed
    GET|POST  /agency/reports/new      write, sign and store a report
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, flash, g, redirect, render_template, request

from .. import agencies, catalog
from ..digits import is_number
from ..errors import Forbidden, InvalidInput, TraceError
from ..inspections import report as reports
from ..inspections import store
from . import get_db, in_reader_language, link
from .auth import role_required, signed_in_user
from .i18n import t

bp = Blueprint("agency", __name__, url_prefix="/agency")


@bp.before_request
@role_required("agency")
def _signed_in_agency():
    g.agency = agencies.get_agency(get_db(), signed_in_user().org_id or 0)


@bp.get("/")
def home():
    db = get_db()
    return render_template("agency/home.html", batches=store.batches_for(db, g.agency.id),
                           reports=store.reports_by(db, g.agency.id))


@bp.route("/reports/new", methods=["GET", "POST"])
def new_report():
    db = get_db()
    batches = store.batches_for(db, g.agency.id)
    if request.method == "GET":
        return _form(batches, _start(db))
    try:
        if not g.agency.approved:
            raise Forbidden("your agency is waiting for approval",
                            message_zh="贵机构尚未通过平台审核，不能签发报告")
        record, pdf = _record(db, batches)
        config = current_app.config
        kid, sig = store.sign_with_agency_key(db, config["KEYS_DIR"], g.agency.id, record,
                                              config["KEY_PASSPHRASE"])
        stored = store.store_report(db, record, kid, sig, pdf=pdf)
    except TraceError as error:
        return _form(batches, request.form, in_reader_language(error), error.status)
    flash(t("agency.stored").format(report_no=stored.report_no, version=stored.version), "ok")
    return redirect(link("agency.home"), 303)


def _start(db) -> dict:
    """A new report's form: empty, or for a correction the version it corrects, so
    the agency changes only what was wrong."""
    args = request.args
    if not (args.get("report_no") and args.get("supersedes")):
        return {"batch": args.get("batch", "")}
    record, batch_id = store.find_report(db, g.agency.id, args["report_no"], args["supersedes"])
    return {"batch": str(batch_id), "report_no": record["report_no"],
            "supersedes": record["version"], "type": record["type"],
            "issued_on": record["issued_on"], "conclusion": record["conclusion"],
            "items": store.item_lines(record["items"])}


def _form(batches: list[dict], form, error: str | None = None, status: int = 200):
    own = store.own_key(get_db(), current_app.config["KEYS_DIR"], g.agency)
    return render_template("agency/report_form.html", batches=batches, form=form,
                           types=reports.TYPES, error=error, own_key=own), status


def _record(db, batches: list[dict]) -> tuple[dict, bytes | None]:
    """The report the form describes, as DESIGN §7 has it, and its PDF."""
    form = request.form
    chosen = next((b for b in batches if str(b["id"]) == form.get("batch")), None)
    if chosen is None:
        raise InvalidInput("choose one of the batches you were commissioned for",
                           message_zh="请选择贵机构受委托或受指派检测的批次")
    batch = catalog.get_batch_by_id(db, chosen["id"])
    upload = request.files.get("pdf")
    pdf = upload.read() if upload and upload.filename else None
    supersedes = (form.get("supersedes") or "").strip()
    kept_pdf = store.previous_pdf(db, g.agency.id, form.get("report_no"), supersedes) \
        if pdf is None else ""
    record = {
        "v": reports.VERSION,
        "agency": {"id": str(g.agency.id), "name": g.agency.name, "cma": g.agency.cma_no,
                   "cnas": g.agency.cnas_no or ""},
        "report_no": (form.get("report_no") or "").strip(),
        "version": str(int(supersedes) + 1)
        if is_number(supersedes) else
        (supersedes + ".1" if supersedes else "1"),
        "type": form.get("type", ""), "batch": {"gtin": batch.gtin, "lot": batch.lot},
        "issued_on": form.get("issued_on", ""),
        "conclusion": (form.get("conclusion") or "").strip(),
        "items": store.items_from_lines(form.get("items", "")),
        "pdf_sha256": hashlib.sha256(pdf).hexdigest() if pdf else kept_pdf,
        "supersedes": supersedes}
    checked = reports.check_record(record)
    if pdf is None and not supersedes:  # a correction may keep the PDF it corrects
        raise InvalidInput("attach the report's PDF: buyers and streamers download it to "
                           "compare", message_zh="请选择检测报告原件（PDF）：消费者和主播要下载它来核对")
    return checked, pdf
