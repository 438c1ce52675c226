"""The supplier's workspace: products, batches, issuing with progress, downloads,
and voids and recalls. Every route is for a signed-in supplier account and only
ever reaches its own organisation's data (another's is 'not found')::

    GET  /supplier/                                 products and batches
    GET|POST /supplier/profile                      phone and address buyers see
    GET|POST /supplier/products/new, /supplier/batches/new
    GET|POST /supplier/products/{gtin}/edit         correct it (kept and shown once batched)
    POST /supplier/products/{gtin}/delete           only a product with no batch
    POST /supplier/batches/{gtin}/{lot}/edit        correct dates, plan, notes (kept, logged)
    GET  /supplier/batches/{gtin}/{lot}             items, status, scans, downloads
    POST /supplier/batches/{gtin}/{lot}/issue       -> /supplier/jobs/{id} (progress)
    GET  /supplier/batches/{gtin}/{lot}/codes.xlsx|csv, .../labels/...   (printing.py)
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict

from flask import (Blueprint, Response, current_app, flash, g, redirect, render_template,
                   request, url_for)

from ... import (agencies, catalog, corrections, downloads, images, issuing, jobs, keys,
                 label_sources, printers, product_photos, recalls, reports, scans, snapshots,
                 stocks)
from ...checkpointing import sign_pending
from ...clock import beijing, beijing_today
from ...transparency import audit, findings
from ...codes import group_serial
from ...digits import ascii_digits, is_number
from ...inspections import commissions
from ...inspections import lists as inspection_lists
from ...inspections import store as inspection_store
from ...streamers import selection
from ...errors import InvalidInput, TraceError
from .. import each_told, get_db, in_reader_language, link, require_recall_confirmed
from ..i18n import t
from ..auth import role_required, signed_in_user

bp = Blueprint("supplier", __name__, url_prefix="/supplier")
MAX_WEB_TOPUP = 100_000   # one process signs ~20,000 a second: a few seconds of progress
ITEMS_A_PAGE = 100
PRODUCT_FIELDS = ("name", "name_en", "specification", "category", "origin", "standard",
                  "storage", "licence_no", "fibre_content", "care",
                  *catalog.Product.ENGLISH_FIELDS)


# What a suspended supplier may not do: put our codes on goods (issue, code lists,
# labels, new products or batches) or change what its buyers read (product and
# batch details, its contact). Recalls, voids, cancelling and labs stay open.
SUSPENDED_MAY_NOT = frozenset({
    "supplier.new_product", "supplier.new_batch", "supplier.issue", "supplier.codes_csv",
    "supplier.codes_xlsx", "supplier.label_part", "supplier.label_range"})
SUSPENDED_MAY_ONLY_READ = frozenset({
    "supplier.profile", "supplier.edit_product", "supplier.edit_batch"})


@bp.before_request
@role_required("supplier")
def _signed_in_supplier():
    g.supplier = catalog.find_supplier(get_db(), signed_in_user().org_id or 0)
    if g.supplier.suspended and (request.endpoint in SUSPENDED_MAY_NOT or (
            request.endpoint in SUSPENDED_MAY_ONLY_READ and request.method == "POST")):
        catalog.require_not_suspended(g.supplier)


@bp.get("/")
def home():
    db = get_db()
    products = catalog.list_products(db, g.supplier)
    batches = catalog.list_batches(db, supplier_id=g.supplier.id)
    reported, reports_total = reports.about_supplier(db, g.supplier.id, limit=5)
    return render_template("supplier/home.html", products=products, batches=batches,
                           reported=reported, reports_total=reports_total,
                           altered=_altered(db, {row["gtin"] for row in products}),
                           lab_news=inspection_lists.needing_attention(db, g.supplier.id),
                           names={row["gtin"]: row["name"] for row in products},
                           batch_keys={(b["gtin"], b["lot"]) for b in batches},
                           today=beijing_today().isoformat(),  # as Batch.expired reads it
                           just_approved=_approved_this_week(g.supplier.approved_at))


def _approved_this_week(approved_at: str | None) -> bool:
    """Approved in the past week: said on the home page, which otherwise only loses its
    waiting banner (a trial's co-op was never told it could issue codes now)."""
    return approved_at is not None and (beijing_today() - beijing(approved_at).date()).days < 7


def _altered(db, gtins: set[str]) -> dict:
    """What of the supplier's own records buyers are told was changed around the
    platform: its details, and which of its batches. It would otherwise hear last."""
    own = audit.supplier_problems(db, g.supplier.id) if g.supplier.approved else []
    batches = [seen for seen in findings.sightings(db) if seen.gtin in gtins
               and snapshots.batch_facts(db, seen.batch_id).records_altered]
    return {"own": own, "batches": batches} if own or batches else {}


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """The phone and address buyers see, and the person the operator asks."""
    db = get_db()
    altered = _altered(db, set())
    if request.method == "GET":
        return render_template("supplier/profile.html", form=g.supplier, altered=altered)
    form = request.form
    try:
        contact = catalog.Contact.typed(form.get("phone"), form.get("address"),
                                        form.get("contact_name"), required=True)
        catalog.set_contact(db, g.supplier, contact, actor=signed_in_user().email)
    except TraceError as error:
        return render_template("supplier/profile.html", form=form, altered=altered,
                               error=in_reader_language(error)), error.status
    flash(t("ws.profile_saved"), "ok")
    return redirect(link("supplier.profile"), 303)


@bp.route("/products/new", methods=["GET", "POST"])
def new_product():
    if request.method == "GET":
        return render_template("supplier/product_form.html", form={})
    form = request.form
    try:
        with get_db().atomic():  # the photo goes with the product, or not at all
            product = catalog.add_product(
                get_db(), g.supplier, form.get("gtin", ""), form.get("name", ""),
                shelf_life_days=form.get("shelf_life_days"),  # 540, or 18个月 as labels say
                **_photo_given(), **{name: form.get(name) for name in PRODUCT_FIELDS
                                     if name != "name"})
    except TraceError as error:  # every problem of the form at once
        return render_template("supplier/product_form.html", form=form,
                               errors=each_told(error)), error.status
    return redirect(link("supplier.new_batch", gtin=product.gtin, created=1), 303)


@bp.route("/products/<gtin>/edit", methods=["GET", "POST"])
def edit_product(gtin: str):
    db = get_db()
    product = catalog.owned_product(db, g.supplier.id, gtin)
    form = request.form if request.method == "POST" else _as_typed(product)
    if request.method == "POST":
        try:
            with db.atomic():  # a refused change keeps no photo either
                product, changed = corrections.edit_product(
                    db, g.supplier, product.gtin, actor=signed_in_user().email,
                    reason=form.get("reason"),
                    shelf_life_days=form.get("shelf_life_days"),
                    **_photo_given(), **{name: form.get(name, "") for name in PRODUCT_FIELDS})
        except TraceError as error:
            return _product_page(product, form, each_told(error)), error.status
        flash(t("ws.product_corrected") if changed else t("ws.product_unchanged"), "ok")
        return redirect(link("supplier.edit_product", gtin=product.gtin), 303)
    return _product_page(product, form)


def _photo_given() -> dict:
    """``photo``: a new picture's name, "" to take the photo off, or nothing (the
    photo stays as it is)."""
    upload = request.files.get("photo")
    if upload and upload.filename:
        return {"photo": product_photos.store_photo(
            get_db(), upload.read(images.MAX_BYTES + 1))}
    return {"photo": ""} if request.form.get("photo_remove") == "1" else {}


def _as_typed(product: catalog.Product) -> dict:
    """The product as its form shows it (a shelf life in months as its label says it)."""
    typed = {name: "" if value is None else value for name, value in asdict(product).items()}
    if months := product.shelf_life_months:
        typed["shelf_life_days"] = f"{months // 12}年" if months % 12 == 0 else f"{months}个月"
    return typed


def _product_page(product: catalog.Product, form, errors: list[str] | None = None) -> str:
    db = get_db()
    return render_template("supplier/product_form.html", product=product, form=form,
                           errors=errors, batched=corrections.has_batches(db, product.gtin),
                           changes=list(reversed(corrections.changes_of(db, product.gtin))))


@bp.post("/products/<gtin>/delete")
def delete_product(gtin: str):
    db = get_db()
    product = catalog.owned_product(db, g.supplier.id, gtin)
    try:
        if request.form.get("confirm") != "1":
            raise InvalidInput("tick the box to delete the product",
                               message_zh="请勾选确认后再删除")
        corrections.delete_product(db, g.supplier, product.gtin)
    except TraceError as error:
        return _product_page(product, _as_typed(product), each_told(error)), error.status
    flash(t("ws.product_deleted").format(name=product.name), "ok")
    return redirect(link("supplier.home"), 303)


@bp.route("/batches/new", methods=["GET", "POST"])
def new_batch():
    db = get_db()
    products = catalog.list_products(db, g.supplier)
    if request.method == "GET":
        return render_template("supplier/batch_form.html", products=products,
                               form={"gtin": request.args.get("gtin", "")})
    form = request.form
    try:
        catalog.owned_product(db, g.supplier.id, form.get("gtin", ""))
        if not (form.get("produced_on") or "").strip():  # buyers read it on every scan
            raise InvalidInput("give the production date", message_zh="请填写生产日期")
        batch = catalog.new_batch(
            db, form.get("gtin", ""), form.get("lot", ""),
            produced_on=form.get("produced_on") or None,
            expires_on=form.get("expires_on") or None,
            quantity=_whole_number(form.get("quantity"), "planned quantity", "计划数量"),
            notes=form.get("notes"))
    except TraceError as error:
        return render_template("supplier/batch_form.html", products=products, form=form,
                               error=in_reader_language(error),
                               existing=_existing_batch(form)), error.status
    typed = (form.get("lot") or "").strip()
    if typed != batch.lot:  # jx2611-01 kept as JX2611-01: said, so the label matches
        flash(t("ws.lot_written_as").format(typed=typed, lot=batch.lot), "ok")
    return redirect(link("supplier.batch", gtin=batch.gtin, lot=batch.lot), 303)


def _existing_batch(form) -> catalog.Batch | None:
    """The supplier's batch the refused form names, if it exists: a form sent again
    after it went through is answered with a link to the batch it made."""
    try:
        return catalog.owned_batch(get_db(), g.supplier.id, form.get("gtin", ""),
                                   form.get("lot", ""))
    except TraceError:
        return None


# Thousands written as this page writes them (6,000), with a Chinese comma or a space.
_GROUPED = re.compile(r"[0-9]{1,3}(?:[,， ][0-9]{3})+")
# A count written as people say it, 200箱 or 500 件: the word names what one label goes on.
_COUNTED = re.compile(r"(.*?[0-9])\s*[件个箱盒袋瓶只条套份包罐支串颗张]")


def _whole_number(text: str | None, what: str, what_zh: str) -> int | None:
    text = ascii_digits(text or "").strip()  # a Chinese keyboard's ５ is 5; ² is no digit
    if not text:
        return None
    counted = _COUNTED.fullmatch(text)
    text = counted.group(1) if counted else text
    if _GROUPED.fullmatch(text):
        text = re.sub("[,， ]", "", text)
    if is_number(text) and len(text) > 18:
        raise InvalidInput(f"{what} is far too large: check the digits",
                           message_zh=f"{what_zh}太大了，请核对位数")
    if not is_number(text):
        raise InvalidInput(f"{what} must be a whole number above 0, such as 500 or 1,000",
                           message_zh=f"{what_zh}须为大于 0 的整数，例如 500 或 1,000")
    return int(text)


@bp.get("/batches/<gtin>/<lot>")
def batch(gtin: str, lot: str):
    return _batch_page(catalog.owned_batch(get_db(), g.supplier.id, gtin, lot))


def _format_asked() -> str | None:
    """The print format chosen beside the stock, unless the stock was just changed:
    another stock is most often another printer, and TSPL kept from a thermal roll
    downloaded printer commands where a trial wanted the hang tags' PDF."""
    changed = request.args.get("format_for") not in (None, request.args.get("stock"))
    return None if changed else request.args.get("format")


def _batch_page(found: catalog.Batch, status: int = 200, *, labels: tuple[str, str] | None = None,
                **problem):
    """The batch page; after a refused form, with its error beside the form and what
    was typed still in it (``problem``: ``issue_error``, ``item_error`` ...), and
    ``labels``' (stock, format) chosen when it was a form of the labels'."""
    db = get_db()
    if request.method == "POST":  # the language switch and reloads go to the page itself
        g.page_path = url_for("supplier.batch", gtin=found.gtin, lot=found.lot)
    issued = catalog.issued_count(db, found.id)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 1 + issued // ITEMS_A_PAGE))
    served = inspection_store.served_reports(db, found.id)
    # Labels print active codes only: a voided plain code no longer mixes the batch.
    printable, with_pins = db.execute(
        "SELECT count(*), count(pin_hash) FROM items WHERE batch_id = ? AND status = 'active'",
        [found.id]).fetchone()
    folder = current_app.config["LABELS_DIR"]
    # A stock that prints scratch-off PINs only for a batch whose codes have them,
    # and only stocks the batch's lot and serials fit on whole.
    product = catalog.get_product(db, found.gtin)
    first = downloads.first_code(db, found, current_app.config["BASE_URL"])
    choices, unfit, pin_stocks, printing_pins = [], [], [], []
    for stock in map(lambda name: stocks.load_stock(name, folder), stocks.list_stocks(folder)):
        if not stock.suits(product.name, product.category):  # a pearl tag for huyou
            continue
        if stock.prints_pin:  # said beside the PIN box: a PIN batch prints on these only
            printing_pins.append(stock)
        misfit = first and downloads.stock_problem(
            stock, found, product.name, *first, current_app.config["OFFICIAL_DOMAIN"])
        if misfit:
            unfit.append((stock, misfit))
            continue
        if stock.prints_pin:  # for a top-up whose codes all have PINs, in a mixed batch too
            pin_stocks.append(stock)
        if with_pins == printable or not stock.prints_pin:  # a PIN stock needs every PIN
            choices.append(stock)
    # By default a stock made for these goods (a duvet's hang tag, not A4 stickers),
    # and, with PINs on every code, one that prints them before all.
    all_pins = bool(with_pins) and with_pins == printable
    choices.sort(key=lambda stock: (all_pins and not stock.prints_pin, not stock.goods))
    # Asked for, else the one this product's labels were last printed on, unless it
    # would leave this batch's PINs unprinted.
    last_used = downloads.last_stock_used(db, found.gtin)
    remembered = next((s for s in choices if last_used and s.name == last_used[0]
                       and (s.prints_pin or not all_pins)), None)
    asked_stock, asked_fmt = labels or (request.args.get("stock"), _format_asked())
    asked = asked_stock or (remembered.name if remembered else None)
    chosen = next((s for s in choices if s.name == asked), choices[0] if choices else None)
    # A thermal roll prints as PDF through the driver, or as the printer's own commands.
    rolls = {stock.name for stock in choices + pin_stocks if printers.is_roll(stock)}
    fmt = asked_fmt or (last_used[1] if last_used and remembered and not asked_stock else "pdf")
    fmt = fmt if chosen and chosen.name in rolls and fmt in printers.FORMATS else "pdf"
    items, found_serial = _listed_items(db, found, page, problem)
    cancelled = catalog.cancellation(db, found.id)
    cancellable = not (issued or cancelled or served)
    commissioned = inspection_lists.batches_commissioned(db, found.id, kinds=("commission",))
    commissioned_ids = {row["id"] for row in commissioned}
    return render_template(
        "supplier/batch.html", batch=found, product=product, with_pins=with_pins,
        printable=printable, unfit=unfit, issued=issued, items=items, found_serial=found_serial,
        page=page, pages=max(1, -(-issued // ITEMS_A_PAGE)),
        parts=downloads.printable_parts(db, found.id, issued),
        stocks=choices, stock=chosen, fmt=fmt, rolls=rolls, form=request.form, problem=problem,
        events=recalls.folded(recalls.events_for(db, found.id, every_item=True)),
        # the rooms buyers are told checked it: whom to ask where a copied label sold
        selections=selection.public_selections(db, found.id),
        taken_back=recalls.items_taken_back(db, found.id),
        printed=(printed := downloads.label_downloads(db, found.id)),
        # after a top-up: its labels, never downloaded, offered before the files of all
        new_labels=downloads.new_since_download(
            tops := downloads.top_ups(db, found.id), printed[1],
            printed[0][0].at if printed[0] else None),
        from_report=bool(found_serial and request.args.get("reported")),
        forged_only=_reported_from_forged_labels_only(db, found, found_serial),
        labs=agencies.fit_for([lab for lab in agencies.list_agencies(db)  # none commissioned
                               if lab.approved and lab.id not in commissioned_ids], product),
        commissioned=commissioned,
        withdrawable=commissions.unused(db, found.id),
        reports=served, failed=inspection_store.failed_tests(served),
        max_topup=MAX_WEB_TOPUP, one_time_key=secrets.token_urlsafe(16),
        cancelled=cancelled, cancellable=cancellable, printing_pins=printing_pins,
        platform_recall=found.status == "recalled" and recalls.recalled_by_platform(db, found.id),
        shortened=downloads.shortened_name(chosen, product.name) if chosen else None,
        details_cut=downloads.shortened_details(chosen, label_sources.details_of(
            product, g.supplier)) if chosen else [],
        top_ups=tops, pin_stock=pin_stocks[0] if pin_stocks else None
    ), status


def _listed_items(db, found: catalog.Batch, page: int, problem: dict) -> tuple[list, str | None]:
    """The page of the codes table, or the one item ``?find=`` names (typed, pasted
    or scanned; its error goes beside the search box)."""
    wanted = (request.args.get("find") or "").strip()
    if wanted:
        try:
            code = recalls.issued_code(db, found, wanted, current_app.config["BASE_URL"])
            return scans.batch_items(db, found.id, serial=code.serial,
                                     policy=_scan_policy()), code.serial
        except TraceError as error:
            problem.setdefault("find_error", in_reader_language(error))
    return scans.batch_items(db, found.id, offset=(page - 1) * ITEMS_A_PAGE,
                             limit=ITEMS_A_PAGE, policy=_scan_policy()), None


def _reported_from_forged_labels_only(db, found: catalog.Batch, serial: str | None) -> bool:
    """Whether buyers reported this serial only from forged labels that copy it: the
    genuine item is not theirs to void (the home page says so beside such a report)."""
    if not serial:
        return False
    verdicts = {report.verdict for report in reports.list_reports(
        db, found.gtin, lot=found.lot, serial=serial)}
    return verdicts == {"forged"}


def _scan_policy() -> scans.ScanPolicy:
    return scans.ScanPolicy.from_config(current_app.config)


@bp.post("/batches/<gtin>/<lot>/issue")
def issue(gtin: str, lot: str):
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    config = current_app.config
    request_key = request.form.get("request_key", "")[:64] or None
    earlier = jobs.started_by(db, g.supplier.id, request_key)
    if earlier:  # the same form sent again (a double click): its first job, no second
        return redirect(link("supplier.job", job_id=earlier.id), 303)
    try:
        count = _whole_number(request.form.get("count"), "the count", "数量") or 0
        if not 1 <= count <= MAX_WEB_TOPUP:
            raise InvalidInput(f"issue 1-{MAX_WEB_TOPUP:,} codes at a time",
                               message_zh=f"每次可发 1–{MAX_WEB_TOPUP:,} 个码")
        catalog.require_approved(g.supplier)
        issuing.check_plan(db, found, count, over_plan=request.form.get("over_plan") == "1")
        issuing.check_same_kind(db, found, with_pin=request.form.get("with_pin") == "1")
        jobs.refuse_if_running(db, "issue", g.supplier.id)
        signer = keys.load_signer(db, config["KEYS_DIR"], config["KEY_PASSPHRASE"])
    except TraceError as error:
        return _batch_page(found, error.status, issue_error=in_reader_language(error))
    job, started = jobs.start_once(db, "issue", owner_id=g.supplier.id,
                                   subject=f"{found.gtin}/{found.lot}", total=count,
                                   request_key=request_key)
    if not started:
        return redirect(link("supplier.job", job_id=job.id), 303)
    pin_secret = config["HASH_SECRET"] if request.form.get("with_pin") == "1" else None
    settings = dict(config)  # the job outlives the request and its app context
    jobs.issue_in_background(config["DATABASE"], job.id, signer, found.gtin, found.lot, count,
                             pin_secret, when_done=lambda: sign_pending(settings, wait=True))
    return redirect(link("supplier.job", job_id=job.id), 303)


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    db = get_db()
    found = jobs.get_job(db, job_id, owner_id=g.supplier.id, kind="issue")
    gtin, _, lot = found.subject.partition("/")
    # After a top-up, the whole batch's count too: pressing back and issuing again
    # must not pass unnoticed.
    total = catalog.issued_count(db, catalog.owned_batch(db, g.supplier.id, gtin, lot).id) \
        if found.state == "finished" else None
    response = Response(render_template("supplier/job.html", job=found, gtin=gtin, lot=lot,
                                        batch_total=total))
    if found.state == "running" and not found.stale():
        response.headers["Refresh"] = "1"  # progress without any script
    return response


@bp.post("/batches/<gtin>/<lot>/items")
def item_status(gtin: str, lot: str):
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    action = request.form.get("action")
    try:
        if action not in ("void", "recall"):
            raise InvalidInput("choose void or recall", message_zh="请选择作废或召回")
        if request.form.get("confirm") != "1":  # an item's void or recall is final
            raise InvalidInput("voiding or recalling one item cannot be undone: check the 追溯码, "
                               "tick the box and press the button again",
                               message_zh="作废或召回单件后不能撤销：请核对追溯码，勾选确认后再点一次")
        code = recalls.issued_code(db, found, request.form.get("serial", ""),
                                   current_app.config["BASE_URL"])
        change = recalls.void_item if action == "void" else recalls.recall_item
        change(db, code, request.form.get("reason", ""), signed_in_user().email)
    except TraceError as error:
        return _batch_page(found, error.status, item_error=in_reader_language(error))
    return _done(found, t(f"ws.done_{action}").format(code=group_serial(code.serial)))


@bp.post("/batches/<gtin>/<lot>/items/void-range")
def void_range(gtin: str, lot: str):
    """Void a run of codes (positions in issue order), all at once: issued by mistake,
    or on a box of goods lost in transit."""
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    form = request.form
    try:
        first, last = downloads.label_range(found, catalog.issued_count(db, found.id),
                                            form.get("first"), form.get("last"))
        if form.get("confirm") != "1":  # as final as one item's void
            raise InvalidInput("voiding codes cannot be undone: check the numbers, tick the box "
                               "and press the button again",
                               message_zh="作废后不能撤销：请核对从第几个到第几个，勾选确认后再点一次")
        voided = recalls.void_range(db, found, first, last, form.get("reason", ""),
                                    signed_in_user().email)
    except TraceError as error:
        return _batch_page(found, error.status, void_range_error=in_reader_language(error))
    return _done(found, t("ws.done_void_range").format(
        count=f"{voided:,}", first=f"{first:,}", last=f"{last:,}"))


@bp.post("/batches/<gtin>/<lot>/commission")
def commission(gtin: str, lot: str):
    """Commission a testing agency (委托): it may then sign reports for this batch."""
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    try:
        agency_id = request.form.get("agency", "")
        if not is_number(agency_id):
            raise InvalidInput("choose an agency", message_zh="请选择检测机构")
        commissions.commission(db, found.gtin, found.lot, int(agency_id),
                               actor=signed_in_user().email)
    except TraceError as error:
        return _batch_page(found, error.status, lab_error=in_reader_language(error))
    flash(t("ws.commissioned").format(name=agencies.get_agency(db, int(agency_id)).name),
          "lab-ok")
    return redirect(link("supplier.batch", gtin=found.gtin, lot=found.lot) + "#lab", 303)


@bp.post("/batches/<gtin>/<lot>/commissions/<int:commission_id>/withdraw")
def withdraw_commission(gtin: str, lot: str, commission_id: int):
    """Take back a commission made by mistake (the wrong lab), before any report."""
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    try:
        name, _lot = commissions.withdraw(db, commission_id, kind="commission",
                                          supplier_id=g.supplier.id)
    except TraceError as error:
        return _batch_page(found, error.status, lab_error=in_reader_language(error))
    flash(t("ws.commission_withdrawn").format(name=name), "lab-ok")
    return redirect(link("supplier.batch", gtin=found.gtin, lot=found.lot) + "#lab", 303)


@bp.post("/batches/<gtin>/<lot>/status")
def batch_status(gtin: str, lot: str):
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    lifting = request.form.get("action") == "unrecall"
    change = recalls.unrecall_batch if lifting else recalls.recall_batch
    try:
        require_recall_confirmed(lifting)  # either way buyers read it at once
        change(db, found.gtin, found.lot, request.form.get("reason", ""),
               signed_in_user().email)
    except TraceError as error:
        return _batch_page(found, error.status, batch_error=in_reader_language(error))
    return _done(found, t("ws.done_unrecall") if lifting else t("ws.done_recall_batch"))


@bp.post("/batches/<gtin>/<lot>/cancel")
def cancel_batch(gtin: str, lot: str):
    """Cancel a batch opened by mistake, before any code: its lot stays taken."""
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    try:
        if request.form.get("confirm") != "1":
            raise InvalidInput("tick the box to confirm the batch is cancelled for good",
                               message_zh="请勾选确认：取消后这个批次不能再用")
        corrections.cancel_batch(db, g.supplier, found, reason=request.form.get("reason", ""),
                                 actor=signed_in_user().email)
    except TraceError as error:
        return _batch_page(found, error.status, cancel_error=in_reader_language(error))
    flash(t("ws.cancelled").format(lot=found.lot), "ok")
    if not g.supplier.approved:  # a sign-up's batch is gone altogether
        return redirect(link("supplier.home"), 303)
    return redirect(link("supplier.batch", gtin=found.gtin, lot=found.lot), 303)


@bp.post("/batches/<gtin>/<lot>/edit")
def edit_batch(gtin: str, lot: str):
    db = get_db()
    found = catalog.owned_batch(db, g.supplier.id, gtin, lot)
    form = request.form
    try:
        _batch, changed = corrections.edit_batch(
            db, g.supplier, found, actor=signed_in_user().email, reason=form.get("reason"),
            produced_on=form.get("produced_on", ""), expires_on=form.get("expires_on", ""),
            notes=form.get("notes", ""),
            quantity_planned=_whole_number(form.get("quantity"), "planned quantity", "计划数量"))
    except TraceError as error:
        return _batch_page(found, error.status, edit_error=in_reader_language(error))
    flash(t("ws.batch_corrected") if changed else t("ws.product_unchanged"), "ok")
    return redirect(link("supplier.batch", gtin=found.gtin, lot=found.lot), 303)


def _done(found: catalog.Batch, message: str):
    """Back to the batch page at the form just used, which says what was done."""
    flash(message, "status-ok")
    return redirect(link("supplier.batch", gtin=found.gtin, lot=found.lot) + "#status", 303)


from . import printing  # noqa: E402,F401 - its routes are the blueprint's too
