"""The operator's pages: approve organisations, list and disable accounts, list keys
and rotate the issuer key. Every route is for a signed-in admin account::

    GET  /admin/                               pending organisations, buyers' reports,
                                               assignments, accounts, keys, the ledger
    GET  /admin/find, /admin/reports ...       look-ups and buyers' reports (lookups.py)
    POST /admin/suppliers/{id}/approve|reject|suspend, /admin/agencies/{id}/approve|reject
    POST /admin/users/{id}/disable|enable
    POST /admin/users/{id}/reset-password      a new password, shown once
    POST /admin/assignments/{id}/withdraw      an assignment made by mistake, before a report
    POST /admin/rooms, /admin/users            a room with its account, another account
    POST /admin/keys/rotate
    POST /admin/ledger/audit, GET /admin/ledger/audits/{id}    (audits.py)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request,
                   url_for)

from ... import accounts, agencies, catalog, jobs, keys, reports, rooms, snapshots
from ...transparency import audit, checkpoints, findings
from ...digits import is_number
from ...errors import Conflict, InvalidInput, NotFound, TraceError
from ...inspections import commissions, lists
from .. import get_db, in_reader_language, link
from ..auth import role_required, signed_in_user
from ..i18n import t

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required("admin")
def _signed_in_admin():
    pass


@bp.get("/")
def home(status: int = 200, **problem):
    """The operator's page; after a refused agency form, with its error beside the
    form and what was typed still in it (``problem``: ``agency_error``)."""
    db = get_db()
    if request.method == "POST":  # the language switch and reloads go to the page itself
        g.page_path = url_for("admin.home")
    suppliers, labs, channels = (catalog.list_suppliers(db), agencies.list_agencies(db),
                                 rooms.list_rooms(db))
    turned_down = {("supplier", row["id"]) for row in suppliers if row["rejected_at"]} | \
        {("agency", lab.id) for lab in labs if lab.rejected_at}  # their accounts stay off
    org_names = {("supplier", row["id"]): row["name"] for row in suppliers} | \
        {("agency", lab.id): lab.name for lab in labs} | \
        {("streamer", room.id): room.name for room in channels}
    pending = [row for row in suppliers if not row["approved_at"] and not row["rejected_at"]]
    users = accounts.list_users(db)
    reported = reports.list_reports(db, limit=REPORTS_SHOWN, still_open=True)
    handled = reports.list_reports(db, limit=HANDLED_SHOWN, still_open=False)
    reports_open, reports_total = reports.count_reports(db)
    return render_template("admin/home.html", suppliers=suppliers, agencies=labs,
                           standing=defaultdict(list, catalog.standing_history(db)),
                           rooms=channels, reported=reported, handled=handled,
                           reports_open=reports_open, reports_total=reports_total,
                           outcomes=reports.OUTCOMES,
                           product_names=_product_names(
                               db, {r.gtin for r in reported + handled if r.gtin}),
                           pending=pending,
                           look_alikes={row["id"]: catalog.look_alikes(
                               row["name"], [other["name"] for other in suppliers
                                             if other["id"] != row["id"] and
                                             not other["rejected_at"]]) for row in pending},
                           pending_agencies=[lab for lab in labs
                                             if not lab.approved and not lab.rejected_at],
                           users=users, org_names=org_names,
                           user_emails={user.id: user.email for user in users},
                           turned_down=turned_down,
                           keys=keys.list_keys(db), me=signed_in_user(),
                           lost_keys=keys.lost_keys(db, current_app.config["KEYS_DIR"]),
                           ledger=checkpoints.status(db), audited=findings.kept(db),
                           altered=_altered_batches(db),
                           auditing=jobs.running(db, "audit"),
                           stamps=accounts.password_stamps(db),
                           batches=catalog.approved_batches(db),
                           assigned=lists.assignments(db, limit=ASSIGNMENTS_SHOWN),
                           platforms=rooms.PLATFORMS, platforms_en=rooms.PLATFORMS_EN,
                           form=request.form if problem else {}, problem=problem), status


def _altered_batches(db) -> tuple[list[findings.Sighting], list[findings.Sighting]]:
    """The batches buyers' pages found changed around the ledger: (those whose buyers
    are warned now, those that agree with it again, changed back by someone)."""
    now: list[findings.Sighting] = []
    since: list[findings.Sighting] = []
    for seen in findings.sightings(db):
        still = snapshots.batch_facts(db, seen.batch_id).records_altered or any(
            audit.item_problems(db, seen.gtin, seen.lot, problem.params["serial"])
            for problem in seen.problems if problem.code == "item_status")
        (now if still else since).append(seen)
    return now, since


REPORTS_SHOWN = 20  # the latest open; the rest a page at a time at /admin/reports
HANDLED_SHOWN = 10  # the latest followed up, with what was done
ASSIGNMENTS_SHOWN = 20  # the latest, with what each lab has sent so far


def _product_names(db, gtins: set[str]) -> dict[str, tuple[str, str]]:
    """Each reported barcode's product and its supplier, whom a follow-up calls."""
    if not gtins:
        return {}
    marks = ", ".join("?" * len(gtins))
    return {gtin: (product, supplier) for gtin, product, supplier in db.execute(
        f"SELECT p.gtin, p.name, s.name FROM products p JOIN suppliers s "
        f"ON s.id = p.supplier_id WHERE p.gtin IN ({marks})", sorted(gtins))}


def _decided(decide: Callable[[], Any], done: str, named: Callable[[Any], dict] | None = None):
    """Do what the operator pressed and say at the top of the page how it went: done,
    by name (``named`` gives the words' fields, default the thing's name), or why
    not (one already decided, a box left unticked)."""
    try:
        thing = decide()
    except TraceError as error:
        flash(in_reader_language(error), "bad")
    else:
        flash(t(done).format(**(named(thing) if named else {"name": thing.name})), "ok")
    return redirect(link("admin.home"), 303)


@bp.post("/suppliers/<int:supplier_id>/approve")
def approve(supplier_id: int):
    checked = request.form.get("checked") == "1"
    return _decided(lambda: catalog.approve_supplier(get_db(), supplier_id,
                                                     licence_checked=checked), "admin.approved")


@bp.post("/suppliers/<int:supplier_id>/reject")
def reject(supplier_id: int):
    """Turn a supplier's sign-up down (its unissued products and batches go)."""
    return _decided(lambda: catalog.reject_supplier(get_db(), supplier_id,
                                                    request.form.get("reason", "")),
                    "admin.rejected")


@bp.post("/suppliers/<int:supplier_id>/suspend")
def suspend(supplier_id: int):
    """Suspend an approved supplier, or reinstate a suspended one (``reinstate=1``),
    with the reason its buyers, rooms and staff read."""
    lifting = request.form.get("reinstate") == "1"
    act = catalog.reinstate_supplier if lifting else catalog.suspend_supplier
    try:
        supplier = act(get_db(), supplier_id, request.form.get("reason", ""),
                       actor=signed_in_user().email)
    except (Conflict, InvalidInput) as error:
        flash(in_reader_language(error), "standing-bad")
    else:
        flash(t("admin.reinstated" if lifting else "admin.suspended").format(
            name=supplier.name), "standing-ok")
    return redirect(link("admin.home") + "#suppliers", 303)


@bp.post("/agencies/<int:agency_id>/approve")
def approve_agency(agency_id: int):
    """Approve a testing agency; it gets its signing key now if it has none."""
    config = current_app.config
    try:
        agency, key = agencies.approve_agency(get_db(), agency_id, config["KEYS_DIR"],
                                              config["KEY_PASSPHRASE"])
    except Conflict as error:
        flash(in_reader_language(error), "bad")
    else:
        flash(t("admin.approved").format(name=agency.name), "ok")
        if key is not None:  # a new private key on this server: lost, the lab cannot sign
            flash(t("admin.agency_key_made").format(kid=key.kid), "ok")
    return redirect(link("admin.home"), 303)


@bp.post("/agencies")
def add_agency():
    """Register an agency as the operator (approved, with its signing key)."""
    form, config = request.form, current_app.config
    try:
        agency, _key = agencies.add_agency(
            get_db(), form.get("name", ""), form.get("cma", ""), form.get("cnas"),
            address=form.get("address"), scope=form.get("scope"), keys_dir=config["KEYS_DIR"],
            passphrase=config["KEY_PASSPHRASE"])
    except TraceError as error:  # beside the form, with what was typed kept
        return home(error.status, agency_error=in_reader_language(error))
    flash(t("admin.agency_added").format(id=agency.id, name=agency.name), "ok")
    flash(t("admin.agency_needs_account"), "ok")  # a lab with no sign-in signs nothing
    return redirect(link("admin.home", account_for=f"agency:{agency.id}") + "#add-account", 303)


@bp.post("/agencies/<int:agency_id>/reject")
def reject_agency(agency_id: int):
    return _decided(lambda: agencies.reject_agency(get_db(), agency_id,
                                                   request.form.get("reason", "")),
                    "admin.rejected")


@bp.post("/assign")
def assign():
    """Assign an agency to test a batch for 监督抽检 or 神秘抽检."""
    form = request.form
    try:
        if not is_number(form.get("agency") or ""):
            raise InvalidInput("choose an agency", message_zh="请选择检测机构")
        db = get_db()
        commissions.commission(db, form.get("gtin", ""), form.get("lot", ""),
                               int(form["agency"]), actor=signed_in_user().email,
                               kind="assignment")
        lab = agencies.get_agency(db, int(form["agency"]))
        batch = catalog.get_batch(db, form.get("gtin", ""), catalog.normalise_lot(
            form.get("lot", "")))
    except TraceError as error:  # beside the form, with what was typed kept
        return home(error.status, assign_error=in_reader_language(error))
    flash(t("admin.assigned").format(agency=lab.name, lot=batch.lot,
                                     product=catalog.get_product(db, batch.gtin).name),
          "assign-ok")  # said in the section it is about, where the page opens
    return redirect(link("admin.home") + "#assign", 303)


@bp.post("/assignments/<int:commission_id>/withdraw")
def withdraw_assignment(commission_id: int):
    """Take back an assignment made by mistake (the wrong lab or batch), before any
    spot-check report."""
    try:
        name, lot = commissions.withdraw(get_db(), commission_id, kind="assignment")
    except TraceError as error:
        flash(in_reader_language(error), "assign-bad")
    else:
        flash(t("admin.assignment_withdrawn").format(agency=name, lot=lot), "assign-ok")
    return redirect(link("admin.home") + "#assign", 303)


def _account(user_id: int) -> accounts.User:
    user = accounts.get_user(get_db(), user_id)
    if user is None:
        raise NotFound(f"no account {user_id}", message_zh="未找到该账号")
    return user


def _change_account(user: accounts.User, change, done_key: str):
    """Apply ``change`` to the account and say how it went at the top of the page."""
    return _decided(lambda: change(get_db(), user.email), done_key,
                    named=lambda _changed: {"email": user.email})


@bp.post("/users/<int:user_id>/disable")
def disable(user_id: int):
    user = _account(user_id)
    if user.id == signed_in_user().id:
        flash(t("admin.not_yourself"), "bad")
        return redirect(link("admin.home"), 303)
    return _change_account(user, accounts.disable_user, "admin.disabled")


@bp.post("/users/<int:user_id>/enable")
def enable(user_id: int):
    return _change_account(_account(user_id), accounts.enable_user, "admin.enabled")


@bp.post("/users/<int:user_id>/reset-password")
def reset_password(user_id: int):
    """A new password for an account that forgot its own, shown on this page once
    (never in a cookie's flash): the operator tells it to the person."""
    user = _account(user_id)
    if user.id == signed_in_user().id:
        flash(t("admin.reset_yourself"), "bad")
        return redirect(link("admin.home"), 303)
    try:
        user, password = accounts.reset_password(get_db(), user.email,
                                                 stamp=request.form.get("stamp", ""))
    except TraceError as error:  # a disabled account, or the form sent again
        flash(in_reader_language(error), "bad")
        return redirect(link("admin.home"), 303)
    return _password_page(t("admin.reset_done_title"),
                          t("admin.reset_done").format(email=user.email), password)


def _password_page(title: str, lead: str, password: str):
    """A generated password, shown on this one page, once (never in a flash cookie)."""
    return render_template("admin/password.html", title=title, lead=lead, password=password)


@bp.post("/rooms")
def open_room():
    """Open a livestream room with its first account (rooms do not sign up)."""
    form = request.form
    try:
        room, user, password = accounts.open_room(
            get_db(), name=form.get("name", ""), platform=form.get("platform", ""),
            room_id=form.get("room_id", ""), green_cert=form.get("green_cert"),
            email=form.get("email", ""))
    except TraceError as error:  # beside the form, with what was typed kept
        return home(error.status, room_error=in_reader_language(error))
    return _password_page(t("admin.room_opened_title"), t("admin.room_opened").format(
        room=room.name, email=user.email), password)


@bp.post("/users")
def add_account():
    """Another account for an organisation (a second clerk), or another operator."""
    form = request.form
    role, _, org = (form.get("org") or "").partition(":")
    try:
        user, password = accounts.add_user(get_db(), role, form.get("email", ""),
                                           org=org or None, by_operator=True)
    except TraceError as error:
        return home(error.status, account_error=in_reader_language(error))
    return _password_page(t("admin.account_added_title"),
                          t("admin.account_added").format(email=user.email), password)


@bp.post("/keys/rotate")
def rotate():
    if request.form.get("confirm") != "1":
        flash(t("admin.rotate_unconfirmed"), "bad")
        return redirect(link("admin.home"), 303)
    config = current_app.config
    new, _retired = keys.rotate_key(get_db(), config["KEYS_DIR"], "issuer",
                                    config["KEY_PASSPHRASE"])
    flash(t("admin.rotated").format(kid=new.kid), "ok")
    return redirect(link("admin.home"), 303)


from . import audits, lookups  # noqa: E402,F401 - their routes are the blueprint's too
