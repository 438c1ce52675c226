"""The operator audits the whole ledger from the page, as ``python -m trace ledger
verify`` does on the server: the audit runs beside the request, its page shows how
far it has come and then what it found, and the result is kept::

    POST /admin/ledger/audit                   start one (or open the one running)
    GET  /admin/ledger/audits/{job_id}         its progress, then its outcome
"""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template

from ... import jobs
from ...transparency import audit, log
from .. import get_db, link
from ..auth import signed_in_user
from . import bp


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
    job = jobs.get_job(db, job_id, kind="audit")
    kept = audit.records(db, job_id) if job.state == "finished" else []
    response = Response(render_template("admin/audit.html", job=job,
                                        result=kept[0] if kept else None))
    if job.state == "running" and not job.stale():
        response.headers["Refresh"] = "1"  # progress without any script
    return response
