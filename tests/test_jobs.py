"""Background jobs: progress any worker can read, failures that say why, stale jobs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from trace import jobs
from trace.transparency import findings
from trace.errors import Conflict, NotFound

from conftest import GTIN, LOT, run_at_once


def test_progress_then_finish(db):
    job = jobs.start(db, "issue", owner_id=7, subject=f"{GTIN}/{LOT}", total=5_000)
    assert (job.state, job.done, job.percent) == ("running", 0, 0)
    jobs.advance(db, job.id, 2_000)
    assert jobs.get_job(db, job.id).percent == 40
    jobs.finish(db, job.id)
    assert jobs.get_job(db, job.id).percent == 100


def test_another_owners_job_is_not_found(db):
    job = jobs.start(db, "issue", owner_id=7, subject="x", total=1)
    with pytest.raises(NotFound, match="no job"):
        jobs.get_job(db, job.id, owner_id=8)


def test_a_job_that_stopped_moving_is_stale():
    job = jobs.Job(1, "issue", 7, "x", 10, 3, "running", None, None,
                   "2026-11-27T00:00:00+00:00", "2026-11-27T00:00:00+00:00")
    moment = datetime(2026, 11, 27, tzinfo=timezone.utc)
    assert not job.stale(moment + timedelta(seconds=30))
    assert job.stale(moment + jobs.STALE_AFTER + timedelta(seconds=1))


def test_issuing_in_the_background_reports_each_chunk(app, db, issuer, make_batch):
    make_batch()
    job = jobs.start(db, "issue", owner_id=1, subject=f"{GTIN}/{LOT}", total=4_500)
    jobs.issue_in_background(app.config["DATABASE"], job.id, issuer, GTIN, LOT, 4_500,
                             None).join()
    done = jobs.get_job(db, job.id)
    assert (done.state, done.done) == ("finished", 4_500)
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 4_500


def test_a_failed_issue_says_why_and_stores_nothing(app, db, issuer, make_batch):
    make_batch()
    db.execute("UPDATE batches SET status = 'recalled'")
    job = jobs.start(db, "issue", owner_id=1, subject=f"{GTIN}/{LOT}", total=10)
    jobs.issue_in_background(app.config["DATABASE"], job.id, issuer, GTIN, LOT, 10,
                             None).join()
    failed = jobs.get_job(db, job.id)
    assert failed.state == "failed" and "recalled" in failed.message
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_one_running_job_of_a_kind_per_owner(db):
    job = jobs.start(db, "issue", owner_id=7, subject="x", total=10)
    with pytest.raises(Conflict, match="still running"):
        jobs.refuse_if_running(db, "issue", 7)
    jobs.refuse_if_running(db, "issue", 8)  # another owner may
    jobs.finish(db, job.id)
    jobs.refuse_if_running(db, "issue", 7)


def test_a_request_key_starts_one_job_however_often_it_is_sent(app, db):
    import threading
    from trace.db import open_db
    barrier, outcomes = threading.Barrier(2), []

    def submit():
        own = open_db(app.config["DATABASE"])  # each submit its own connection
        barrier.wait()
        outcomes.append(jobs.start_once(own, "issue", owner_id=7, subject="g/l", total=5,
                                        request_key="k1"))
        own.close()
    run_at_once(submit, 2)
    assert sorted(started for _job, started in outcomes) == [False, True]
    assert len({job.id for job, _started in outcomes}) == 1
    job, started = jobs.start_once(db, "issue", owner_id=7, subject="g/l", total=5,
                                   request_key="k1")
    assert not started and job.id == outcomes[0][0].id
    other, started = jobs.start_once(db, "issue", owner_id=8, subject="g/l", total=5,
                                     request_key="k1")  # another owner's key is its own
    assert started and other.id != job.id


def test_an_audit_in_the_background_keeps_what_it_found(app, db, issued_urls):
    from test_audit import tamper
    size = db.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0]
    job = jobs.start(db, "audit", owner_id=1, subject="ledger", total=size)
    jobs.audit_in_background(app.config["DATABASE"], job.id, actor="ops@x.cn").join()
    done = jobs.get_job(db, job.id, kind="audit")
    kept = findings.kept(db, job.id)[0]
    assert (done.state, done.done) == ("finished", size)
    assert (kept.size, kept.problems, kept.actor) == (size, [], "ops@x.cn")
    tamper(db, "batches", "UPDATE batches SET status = 'recalled', status_reason = '假'")
    again = jobs.start(db, "audit", owner_id=1, subject="ledger", total=size)
    jobs.audit_in_background(app.config["DATABASE"], again.id, actor="ops@x.cn").join()
    assert [record.job_id for record in findings.kept(db, limit=5)] == [again.id, job.id]
    assert findings.kept(db)[0].problems == [
        f"batch {GTIN}/{LOT}: status 'recalled' (reason '假') but the ledger's events say "
        "'open' (no reason)"]


def test_a_job_of_another_kind_is_not_found(db):
    job = jobs.start(db, "audit", owner_id=7, subject="ledger", total=1)
    with pytest.raises(NotFound, match="no job"):
        jobs.get_job(db, job.id, owner_id=7, kind="issue")
    assert jobs.running(db, "audit") == jobs.get_job(db, job.id, kind="audit")
    assert jobs.running(db, "audit", owner_id=8) is None and jobs.running(db, "issue") is None
