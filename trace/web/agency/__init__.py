"""The testing agency's workspace: the batches it was commissioned or assigned for,
its reports, and a form that signs a new report (or a correction) with the
agency's server-held key, PDF attached::

    GET       /agency/                 batches it may sign for, reports it signed
    GET|POST  /agency/reports/new      write a report, check it as buyers will read it,
                                       then sign and store it
    GET       /agency/reports/held/<sha256>.pdf   the PDF chosen, before signing
    GET|POST  /agency/profile          what suppliers choose the lab by, and who
                                       holds its signing key

and, in their own modules, the drafts an engineer hands over (``review``), the form
filled in from a sheet (``sheets``) and withdrawing a report (``withdrawals``).
"""

from __future__ import annotations

import hashlib

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request,
                   Response)

from ... import agencies, catalog, keys
from ...clock import beijing_today
from ...errors import (Conflict, Forbidden, InvalidInput, TraceError, all_problems,
                       each_problem, raise_together)
from ...inspections import report as reports
from ...inspections import display, drafts, examples, lines, lists, pending, signing, store
from .. import attachment, each_told, fields_at_fault, get_db, in_reader_language, link
from ..auth import role_required, signed_in_user
from ..i18n import t

bp = Blueprint("agency", __name__, url_prefix="/agency")


@bp.before_request
@role_required("agency")
def _signed_in_agency():
    g.agency = agencies.get_agency(get_db(), signed_in_user().org_id or 0)
    g.key_notice, g.key_lost = _key_notice(get_db())  # on every page, before any form


REPORTS_A_PAGE = 50
BATCHES_SHOWN = 50


@bp.get("/")
def home():
    """The batches to sign for and the reports signed, newest first: a page of
    reports at a time, and a search over report numbers, lots and products."""
    db = get_db()
    search = (request.args.get("q") or "").strip()[:60]
    total = lists.count_reports(db, g.agency.id, search=search)
    pages = max(1, -(-total // REPORTS_A_PAGE))
    page = max(1, min(request.args.get("page", 1, type=int) or 1, pages))
    batches = [batch for batch in lists.batches_for(db, g.agency.id)
               if _matches(search, batch["lot"], batch["product"])]
    user = signed_in_user()
    return render_template(
        "agency/home.html", waiting=drafts.waiting(db, g.agency.id),
        sent_back=drafts.sent_back(db, g.agency.id, user.email),
        may_sign=user.signs_reports, batches=batches[:BATCHES_SHOWN], more_batches=len(batches) >
        BATCHES_SHOWN, search=search, page=page, pages=pages, total=total,
        reports=lists.reports_by(db, g.agency.id, search=search,
                                 offset=(page - 1) * REPORTS_A_PAGE, limit=REPORTS_A_PAGE))


def _matches(search: str, *texts: str) -> bool:
    typed = store.written_report_no(search)
    return not typed or any(typed in store.written_report_no(text) for text in texts)


@bp.route("/reports/new", methods=["GET", "POST"])
def new_report():
    db = get_db()
    batches = lists.batches_for(db, g.agency.id)
    if request.method == "GET":
        form, notice = _start(db, batches)
        return _form(batches, form, notice=notice)
    if request.form.get("edit") == "1":  # back from the check to change something
        return _form(batches, request.form)
    held: dict = {}
    try:
        if not g.agency.approved:
            raise Forbidden("your agency is waiting for approval",
                            message_zh="贵机构尚未通过平台审核，不能签发报告")
        pdf, pdf_name = _chosen_pdf(db, held)
        record = _record(db, batches, pdf)
        if request.form.get("confirmed") != "1":  # checked as buyers will read it, first
            store.check_storable(db, record, pdf)
            if request.form.get("submit_draft") == "1":  # an engineer's, for a signatory
                return _handed_over(db, record, held)
            return _check_page(db, record, pdf, pdf_name, held)
        draft = _draft_signed(db)
        config = current_app.config
        kid, sig = signing.sign_with_agency_key(db, config["KEYS_DIR"], g.agency.id, record,
                                                config["KEY_PASSPHRASE"])
        with db.atomic():  # a draft is signed once: the report and its closing together
            stored = store.store_report(db, record, kid, sig, pdf=pdf,
                                        by=signed_in_user().email,
                                        prepared_by=draft.prepared_by if draft else None)
            if draft:
                drafts.close(db, g.agency.id, draft.id, "signed", by=signed_in_user().email)
        if held:
            pending.let_go(db, g.agency.id, held["pending_pdf"])
    except TraceError as error:  # the PDF chosen stays chosen, unless it is refused
        bad = fields_at_fault(error)
        if "pdf" in bad and held:  # another report's, say: not offered as kept
            pending.let_go(db, g.agency.id, held.pop("pending_pdf"))
            held.clear()
        return _form(batches, _typed() | held, each_told(error), error.status, bad=bad)
    flash(t("agency.stored").format(report_no=stored.report_no, version=stored.version), "ok")
    failed = reports.failed_names([record])
    if failed:  # what the lab's 不合格 does now, which it could not tell from "shows"
        flash(t("agency.stored_failed").format(
            items=("、" if g.get("lang") != "en" else ", ").join(failed)), "ok")
    return redirect(link("agency.home"), 303)


def _typed(*leaving: str) -> dict:
    """The report form's own fields as sent, without the buttons, the token and the
    held PDF's (which ``_chosen_pdf`` gives anew)."""
    return {key: value for key, value in request.form.items() if key not in (
        "csrf_token", "confirmed", "edit", "submit_draft", "pending_pdf", "pending_name",
        *leaving)}


def _draft_signed(db) -> drafts.Draft | None:
    """Only a signatory signs (ISO/IEC 17025 7.8.1); the draft it signs, if it is one."""
    if not signed_in_user().signs_reports:
        raise Forbidden("only the lab's authorised signatories sign reports: hand it over "
                        "for checking", message_zh="您不是本机构的授权签字人，不能签发：请提交授权"
                        "签字人审核")
    draft_id = request.form.get("draft") or ""
    return drafts.get(db, g.agency.id, int(draft_id)) if draft_id.isdigit() else None


def _handed_over(db, record: dict, held: dict):
    """An engineer's report, checked, handed to the lab's signatories."""
    drafts.submit(db, g.agency.id, _typed("draft") | held, prepared_by=signed_in_user().email)
    flash(t("agency.handed_over").format(report_no=record["report_no"]), "ok")
    return redirect(link("agency.home"), 303)


def _chosen_pdf(db, held: dict) -> tuple[bytes | None, str]:
    """The PDF just chosen (held from now on, if it is one), or the one held since an
    earlier round; ``held`` gets the fields that name it."""
    upload = request.files.get("pdf")
    if upload and upload.filename:
        pdf = upload.read()
        if pdf.startswith(b"%PDF-") and len(pdf) <= store.MAX_PDF_BYTES:
            held.update(pending_pdf=pending.keep(db, g.agency.id, pdf, upload.filename),
                        pending_name=upload.filename)
        return pdf, upload.filename
    sha256 = request.form.get("pending_pdf") or ""
    if not sha256:
        return None, ""
    try:
        pdf, name = pending.held(db, g.agency.id, sha256)
    except InvalidInput:
        signed = store.signed_with_pdf(db, g.agency.id, sha256)
        if signed:  # let go when it was signed: this is the same form sent again
            raise Conflict(f"report {signed[0]} version {signed[1]} was signed with this PDF "
                           "already; see it on the workspace",
                           message_zh=f"报告 {signed[0]}（第 {signed[1]} 版）已经用这份原件签发，"
                                      "不用再提交；可以在工作台查看") from None
        raise
    held.update(pending_pdf=sha256, pending_name=name)
    return pdf, name


def _check_page(db, record: dict, pdf: bytes | None, pdf_name: str, held: dict):
    """The report as the batch's pages will show it, with everything typed kept to
    sign it as it is, or to go back and change it."""
    batch = catalog.get_batch(db, record["batch"]["gtin"], record["batch"]["lot"])
    product = catalog.get_product(db, batch.gtin)
    draft_id = request.form.get("draft") or ""
    return render_template(
        "agency/check.html", record=record, kept=_typed() | held, pdf_name=pdf_name,
        may_sign=signed_in_user().signs_reports,
        draft=drafts.get(db, g.agency.id, int(draft_id)) if draft_id.isdigit() else None,
        pdf_size=len(pdf) if pdf else 0, held=held.get("pending_pdf"), product=product,
        supplier=catalog.supplier_of(db, product),
        inspections=display.for_display(store.as_it_will_be_served(db, record, batch.id),
                                        current_app.config["REPORT_VALID_DAYS"]))


@bp.get("/reports/held/<sha256>.pdf")
def held_pdf(sha256: str):
    """The PDF chosen for a report not signed yet, for the lab to open and compare
    (a download, never shown in our origin)."""
    pdf, name = pending.held(get_db(), g.agency.id, sha256)
    return Response(pdf, mimetype="application/pdf",
                    headers=attachment(_ascii_name(name), "no-store"))


def _ascii_name(name: str) -> str:
    """A file name a Content-Disposition header can carry as it is."""
    plain = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    return plain if plain.lower().endswith(".pdf") else "report.pdf"


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """What suppliers choose and reach the lab by: its scope of testing, CNAS number,
    address and phone."""
    db = get_db()
    custody = _key_custody(db)
    if request.method == "GET":
        return render_template("agency/profile.html", form=g.agency, custody=custody)
    form = request.form
    try:
        agencies.set_details(db, g.agency.id, address=form.get("address"),
                             scope=form.get("scope"), cnas=form.get("cnas"),
                             phone=form.get("phone"))
    except TraceError as error:  # beside the form, with what was typed kept
        return render_template("agency/profile.html", form=form, custody=custody,
                               error=in_reader_language(error)), error.status
    flash(t("agency.profile_saved"), "ok")
    return redirect(link("agency.profile"), 303)


def _start(db, batches: list[dict]) -> tuple[dict, str | None]:
    """A new report's form: empty, or for a correction the report as it now stands
    (from an older version's link too, saying so), so the agency changes only what
    was wrong; and the notice to show."""
    args = request.args
    if not (args.get("report_no") and args.get("supersedes")):
        batch = args.get("batch", "")
        kinds = {b["kind"] for b in batches if str(b["id"]) == batch}
        # A batch only the operator assigned is tested as 监督抽检 (or 神秘抽检), not 委托检验;
        # the assignment's own link says so too.
        typed = args.get("type") if args.get("type") in reports.TYPES else None
        kind = typed or ("监督抽检" if kinds == {"assignment"} else None)
        return {"batch": batch, **({"type": kind} if kind else {})}, None
    record = store.current_version(db, g.agency.id, args["report_no"])
    if reports.is_withdrawn(record):
        raise Conflict(f"report {record['report_no']} was withdrawn, for good; sign a new test "
                       "as a new report", message_zh=f"报告 {record['report_no']} 已经撤回，"
                       "不能再更正；如需重新检测，请签发新编号的报告")
    _old, batch_id = store.find_report(db, g.agency.id, record["report_no"], record["version"])
    stale = args["supersedes"].strip() != record["version"]
    # A correction is issued today (ISO/IEC 17025 7.8.8): with the first version's date,
    # buyers could not tell when the report changed.
    return {"batch": str(batch_id), "report_no": record["report_no"],
            "supersedes": record["version"], "type": record["type"],
            "issued_on": beijing_today().isoformat(), "conclusion": record["conclusion"],
            "items": lines.item_lines(record["items"])}, \
        t("agency.correcting_current").format(old=args["supersedes"].strip(),
                                              version=record["version"]) if stale else None


def _form(batches: list[dict], form, errors: list[str] | None = None, status: int = 200,
          notice: str | None = None, bad: set[str] | tuple = (), left: str | None = None):
    kept = form.get("type")  # a correction keeps its report's type, whatever it is
    types = reports.LAB_TYPES + ((kept,) if kept in reports.TYPES and
                                 kept not in reports.LAB_TYPES else ())
    return render_template("agency/report_form.html", batch_choices=_one_each(batches),
                           form=form, types=types, errors=errors, notice=notice,
                           bad=bad, left=left,
                           scope_example=examples.example_lines(g.agency.scope)), status


def _one_each(batches: list[dict]) -> list[dict]:
    """Each batch once, with every way the agency may sign for it (a batch both
    commissioned and assigned was offered twice), in the list's order."""
    chosen: dict[int, dict] = {}
    for batch in batches:
        chosen.setdefault(batch["id"], dict(batch, kinds=[], example=examples.example_lines(
            batch["product"], batch["category"], g.agency.scope)))["kinds"].append(batch["kind"])
    return list(chosen.values())


def _key_notice(db) -> tuple[str | None, bool]:
    """Why the platform cannot sign for this agency, said before the clerk fills in
    a form, and whether it is the platform's to fix: the agency keeps its own key,
    or the platform lost its key file (then the operator is to be called)."""
    keys_dir = current_app.config["KEYS_DIR"]
    own = signing.own_key(db, keys_dir, g.agency)
    if own is not None:
        return t("agency.own_key").format(kid=own), False
    lost = signing.lost_key(db, keys_dir, g.agency)
    return (t("agency.lost_key").format(kid=lost), True) if lost is not None else (None, False)


def _key_custody(db) -> str:
    """Who holds the agency's signing key, told to the lab itself: a key the platform
    holds signs whatever its signatories release here, which a lab must know."""
    notice, _ = _key_notice(db)
    if notice is not None:
        return notice
    record = keys.active_key(db, g.agency.key_role)
    return t("agency.key_platform").format(kid=record.kid) if record else t("agency.key_none")


def _record(db, batches: list[dict], pdf: bytes | None) -> dict:
    """The report the form describes, as DESIGN §7 has it. Every problem is said at
    once: a clerk should not go round the form once a problem."""
    form = request.form
    supersedes = (form.get("supersedes") or "").strip()
    got: dict = {}
    all_problems(
        lambda: got.update(batch=_chosen_batch(db, batches)),
        lambda: got.update(items=lines.items_from_lines(form.get("items", ""))),
        lambda: got.update(reason=_correction_reason(supersedes)),
        lambda: got.update(record=_checked(_unsigned(db, got, pdf, supersedes), got)),
        lambda: _pdf_attached(pdf, supersedes))
    return got["record"]


def _chosen_batch(db, batches: list[dict]) -> catalog.Batch:
    chosen = next((b for b in batches if str(b["id"]) == request.form.get("batch")), None)
    if chosen is None:
        raise InvalidInput("choose one of the batches you were commissioned for",
                           message_zh="请选择贵机构受委托或受指派检测的批次", field="batch")
    return catalog.get_batch_by_id(db, chosen["id"])


def _correction_reason(supersedes: str) -> str | None:
    """ISO/IEC 17025 7.8.8: a changed report says why."""
    reason = (request.form.get("reason") or "").strip()
    if supersedes and not reason:
        raise InvalidInput("say why the report is corrected: buyers and streamers read it "
                           "beside the new version",
                           message_zh="请写明更正原因：消费者和主播会在新版本旁看到",
                           field="reason")
    return reason if supersedes else None


def _pdf_attached(pdf: bytes | None, supersedes: str) -> None:
    if pdf is None and not supersedes:  # a correction may keep the PDF it corrects
        raise InvalidInput("attach the report's PDF: buyers and streamers download it to "
                           "compare", message_zh="请选择检测报告原件（PDF）：消费者和主播要下载它来核对",
                           field="pdf")


def _unsigned(db, got: dict, pdf: bytes | None, supersedes: str) -> dict:
    """The record as typed; what failed above goes in empty, and is not said twice."""
    form, batch = request.form, got.get("batch")
    kept_pdf = store.previous_pdf(db, g.agency.id, form.get("report_no"), supersedes) \
        if pdf is None else ""
    record = {
        "v": reports.VERSION,
        "agency": {"id": str(g.agency.id), "name": g.agency.name, "cma": g.agency.cma_no,
                   "cnas": g.agency.cnas_no or ""},
        "report_no": store.written_report_no(form.get("report_no") or ""),
        "version": reports.next_version(supersedes),
        "type": form.get("type", ""),
        "batch": {"gtin": batch.gtin, "lot": batch.lot} if batch else {"gtin": "", "lot": ""},
        "issued_on": form.get("issued_on", ""),
        "conclusion": (form.get("conclusion") or "").strip(),
        "items": got.get("items", []),
        "pdf_sha256": hashlib.sha256(pdf).hexdigest() if pdf else kept_pdf,
        "supersedes": supersedes}
    if supersedes:
        record["reason"] = got.get("reason") or ""
    return record


def _checked(record: dict, got: dict) -> dict:
    """``check_record``, leaving out what the form's own checks said already."""
    said = tuple(part for part in ("batch", "items", "reason") if part not in got)
    try:
        return reports.check_record(record)
    except InvalidInput as error:
        raise_together([problem for problem in each_problem(error)
                        if not (said and isinstance(problem, InvalidInput)
                                and problem.field.startswith(said))])
    return record  # nothing new: all_problems says the form's own


# Their routes are the blueprint's too.
from . import review, sheets, withdrawals  # noqa: E402,F401
