"""Withdrawing a report signed in error::

    GET|POST  /agency/reports/withdraw   the report, a reason and a box to confirm
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request

from ... import catalog
from ...errors import InvalidInput, TraceError, all_problems
from ...inspections import report as reports
from ...inspections import signing, store
from .. import each_told, get_db, link
from ..auth import signed_in_user
from ..i18n import t
from . import bp


@bp.route("/reports/withdraw", methods=["GET", "POST"])
def withdraw():
    """Withdraw a report signed in error (the wrong batch, a sample mix-up): a new
    signed version with the reason and no findings; the earlier ones stay readable."""
    db = get_db()
    report_no = request.values.get("report_no") or ""
    record = store.current_version(db, g.agency.id, report_no)  # or a 404 saying so
    if request.method == "GET":
        return _withdraw_form(record)
    made: dict = {}
    try:  # the reason and the box, said together
        all_problems(lambda: _withdrawal_confirmed(),
                     lambda: made.update(unsigned=store.withdrawal(
                         db, g.agency.id, report_no, request.form.get("reason", ""))))
        unsigned = made["unsigned"]
        config = current_app.config
        kid, sig = signing.sign_with_agency_key(db, config["KEYS_DIR"], g.agency.id, unsigned,
                                                config["KEY_PASSPHRASE"])
        store.store_report(db, unsigned, kid, sig, by=signed_in_user().email)
    except TraceError as error:
        return _withdraw_form(record, each_told(error), error.status)
    flash(t("agency.withdrawn").format(report_no=record["report_no"]), "ok")
    return redirect(link("agency.home"), 303)


def _withdrawal_confirmed() -> None:
    if request.form.get("confirm") != "1":
        raise InvalidInput("tick the box to confirm: a withdrawal cannot be undone",
                           message_zh="请勾选确认：撤回后不能恢复")


def _withdraw_form(record: dict, errors: list[str] | None = None, status: int = 200):
    db = get_db()
    product = catalog.get_product(db, record["batch"]["gtin"])
    return render_template("agency/withdraw.html", record=record, errors=errors, product=product,
                           reason=request.form.get("reason", ""),
                           withdrawn=reports.is_withdrawn(record)), status
