"""The operator audits the whole ledger from the page, as ``python -m trace ledger
verify`` does on the server: the audit runs beside the request, its page shows how
far it has come and then what it found, and the result is kept::

    POST /admin/ledger/audit                   start one (or open the one running)
    GET  /admin/ledger/audits/{job_id}         its progress, then its outcome
"""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template

from ... import jobs
from ...errors import NotFound
from ...transparency import findings, log
from ...transparency.findings import Problem
from .. import get_db, link
from ..auth import signed_in_user
from ..cards import state_words
from ..i18n import t, word
from . import bp

# Problems in a state buyers read: a batch's pages show the cautious side with a
# warning (snapshots); an item's show its row as it is, with none.
BATCHES_SEEN = {"batch_status"}
ITEMS_SEEN = {"item_status", "item_moved"}


@bp.post("/ledger/audit")
def start_audit():
    """One audit at a time, whoever pressed: a second would only read the same log
    slower; pressing again opens the one at work."""
    db = get_db()
    job = jobs.running(db, "audit")
    if job is None:
        job = jobs.start(db, "audit", owner_id=signed_in_user().id, subject="ledger",
                         total=log.tree_size(db))
        jobs.audit_in_background(current_app.config["DATABASE"], job.id,
                                 actor=signed_in_user().email)
    return redirect(link("admin.audit_page", job_id=job.id), 303)


@bp.get("/ledger/audits/<int:job_id>")
def audit_page(job_id: int):
    db = get_db()
    try:
        job = jobs.get_job(db, job_id, kind="audit")
    except NotFound:
        raise NotFound(f"no audit {job_id}: the ledger card on /admin/ links the latest",
                       message_zh="没有这次核对：运营后台的“防篡改账本”一栏有最近一次核对的链接") from None
    kept = findings.kept(db, job_id) if job.state == "finished" else []
    result = kept[0] if kept else None
    codes = {problem.code for problem in result.problems} if result else set()
    response = Response(render_template(
        "admin/audit.html", job=job, result=result, said=said, look_up=look_up,
        batches_changed=bool(codes & BATCHES_SEEN), items_changed=bool(codes & ITEMS_SEEN)))
    if job.state == "running" and not job.stale():
        response.headers["Refresh"] = "1"  # progress without any script
    return response


def said(problem: Problem) -> str:
    """The problem in the reader's language: what changed, and what buyers read now."""
    params = dict(problem.params)
    if problem.code == "batch_status":  # pages show a recall either side holds (snapshots)
        side = "expected" if params["expected"] == "recalled" else "actual"
        params["seen"] = state_words(params[side], params.get(side + "_reason"))
    for side in ("actual", "expected"):
        if side in params:
            params[side] = state_words(params[side], params.get(side + "_reason"))
    if "kind" in params:
        parts = (params.get("gtin"), params.get("lot"), params.get("serial"))
        subject = " / ".join(part for part in parts if part)
        params["kind"] = word("ledger.kind." + params["kind"], params["kind"])
        params["subject"] = f" · {subject}" if subject else ""
    if problem.code == "now_changed":  # whose: a batch's dates, or a supplier's contact
        params["subject"] = t("audit.subject_supplier").format(name=params["name"]) \
            if "supplier" in params else t("audit.subject_batch").format(**params)
    if "fields" in params:  # the leaf's field names in words, with what each was and is
        values = params.get("values", {})
        params["fields"] = t("audit.list_separator").join(
            word("audit.field." + name, name) + (
                t("audit.was_now").format(was=values[name][0], now=values[name][1])
                if name in values else "")
            for name in params["fields"].split(", "))
    return t("audit.problem." + problem.code).format(**params)


def look_up(problem: Problem) -> str | None:
    """The look-up page of the batch or item a problem is about, if any."""
    serial, gtin, lot = (problem.params.get(key) for key in ("serial", "gtin", "lot"))
    asked = serial or (f"{gtin} {lot}" if gtin and lot else None)
    return link("admin.find", q=asked) if asked else None
