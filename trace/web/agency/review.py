"""A report an engineer handed over, as its lab's signatories and its engineer
handle it (ISO/IEC 17025 7.8.1: only an authorised signatory signs)::

    GET   /agency/reports/drafts/<id>            the draft, for a signatory to open
    POST  /agency/reports/drafts/<id>/return     sent back to its engineer, with why
    POST  /agency/reports/drafts/<id>/withdraw   taken back by its engineer
    GET   /agency/reports/drafts/<id>/edit       a draft sent back, in the form again
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request

from ...clock import beijing_time
from ...errors import Forbidden, TraceError
from ...inspections import drafts, lists
from .. import get_db, in_reader_language, link
from ..auth import signed_in_user
from ..i18n import t
from . import _form, bp


@bp.get("/reports/drafts/<int:draft_id>")
def draft_page(draft_id: int):
    """An engineer's report waiting to be signed: what it is, who prepared it, and
    the way to the check page with everything it holds."""
    draft = drafts.get(get_db(), g.agency.id, draft_id)
    user = signed_in_user()
    return render_template("agency/draft.html", draft=draft, may_sign=user.signs_reports,
                           own=draft.prepared_by == user.email)


@bp.post("/reports/drafts/<int:draft_id>/return")
def return_draft(draft_id: int):
    """Sent back to its engineer with what to change; nothing is signed."""
    db = get_db()
    try:
        if not signed_in_user().signs_reports:
            raise Forbidden("only a signatory returns a draft",
                            message_zh="只有授权签字人可以退回待签发的报告")
        draft = drafts.close(db, g.agency.id, draft_id, "returned", by=signed_in_user().email,
                             note=request.form.get("note"))
    except TraceError as error:
        flash(in_reader_language(error), "bad")
        return redirect(link("agency.home"), 303)
    flash(t("agency.returned").format(report_no=draft.report_no, who=draft.prepared_by), "ok")
    return redirect(link("agency.home"), 303)


@bp.post("/reports/drafts/<int:draft_id>/withdraw")
def withdraw_draft(draft_id: int):
    """Taken back by the engineer who handed it over (sent twice, or not to be signed)."""
    db = get_db()
    try:
        draft = drafts.get(db, g.agency.id, draft_id)
        if draft.prepared_by != signed_in_user().email:
            raise Forbidden("only its engineer takes a draft back; a signatory sends it back",
                            message_zh="只有编制人可以撤回提交；授权签字人可以退回")
        drafts.close(db, g.agency.id, draft_id, "withdrawn", by=signed_in_user().email)
    except TraceError as error:
        flash(in_reader_language(error), "bad")
    else:
        flash(t("agency.draft_withdrawn").format(report_no=draft.report_no), "ok")
    return redirect(link("agency.home"), 303)


@bp.get("/reports/drafts/<int:draft_id>/edit")
def edit_draft(draft_id: int):
    """A draft sent back, in the form again with why, to change and hand over anew."""
    db = get_db()
    draft = drafts.find(db, g.agency.id, draft_id)
    why = t("agency.sent_back_by").format(who=draft.closed_by, when=beijing_time(
        draft.closed_at), note=draft.note) if draft.outcome == "returned" else None
    return _form(lists.batches_for(db, g.agency.id), draft.fields, notice=why)
