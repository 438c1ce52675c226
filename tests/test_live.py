"""The on-camera page's state: which room may open one, and what it shows as the
batch's recall status and reports change."""

from __future__ import annotations

import pytest

from trace import keys, recalls, rooms
from trace.errors import Forbidden, NotFound
from trace.streamers import live, selection
from trace.inspections import signing

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT, run_at_once


@pytest.fixture
def room(db):
    return rooms.add_room(db, "山下湖珍珠直播间", "douyin", "7712345678")


def decide(db, room, url: str, decision: str) -> None:
    result = selection.check_sample(db, url, BASE_URL)
    selection.record_selection(db, room, result, decision, actor="live@room.cn",
                               override_reason=None if result.ok else "样品已送检")


@pytest.fixture
def selected(app, db, room, issued_urls):
    """A batch with a passing signed report, selected by the room, and its page."""
    from test_web_public import _stored_report
    _stored_report(app, db)
    decide(db, room, issued_urls[0], "选用")
    return live.open_live(db, room, GTIN, LOT, actor="live@room.cn")


@pytest.mark.parametrize("decision", [None, "不选用", "待复检"])
def test_only_a_batch_the_room_selected_gets_a_page(db, room, issued_urls, decision):
    if decision:
        decide(db, room, issued_urls[0], decision)
    with pytest.raises(Forbidden, match="record 选用 first"):
        live.open_live(db, room, GTIN, LOT, actor="live@room.cn")
    assert db.execute("SELECT count(*) FROM live_pages").fetchone()[0] == 0


def test_a_rooms_batches_keep_their_order_when_one_is_checked_again(db, room, issued_urls,
                                                                    issuer, make_batch):
    """Mid-show a re-check moved a batch to the top of thirty: the list keeps the order
    in which the room first took each batch on, newest first."""
    from trace.issuing import export_rows, issue_codes
    make_batch(lot="ZJ-2611-B")
    issue_codes(db, issuer, GTIN, "ZJ-2611-B", 1)
    [other] = [row["url"] for row in export_rows(db, GTIN, "ZJ-2611-B", BASE_URL)]
    decide(db, room, issued_urls[0], "选用")
    decide(db, room, other, "选用")
    decide(db, room, issued_urls[1], "选用")  # the first batch's sample, checked again
    assert [row["lot"] for row in live.selected_batches(db, room)] == ["ZJ-2611-B", LOT]


def test_the_page_is_the_same_each_time_and_its_id_is_not_a_count(db, room, selected):
    again = live.open_live(db, room, GTIN, LOT, actor="someone else")
    assert again == selected and not selected.id.isdigit() and len(selected.id) >= 12
    other = rooms.add_room(db, "另一个直播间", "kuaishou", "9900")
    with pytest.raises(Forbidden):
        live.open_live(db, other, GTIN, LOT, actor="x")  # another room chose nothing


def test_a_selected_batch_with_a_passing_report_shows_ok(db, selected):
    shown = live.on_camera(db, selected.id, BASE_URL)
    assert shown.state == "ok" and shown.failed == ()
    assert shown.report["report_no"] == "ZJPQ-2026-0815"
    assert shown.batch_url == f"{BASE_URL}/01/{GTIN}/10/{LOT}"


def test_a_recall_changes_the_state_and_the_fingerprint(db, selected):
    before = live.on_camera(db, selected.id, BASE_URL)
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    after = live.on_camera(db, selected.id, BASE_URL)
    assert after.state == "recalled" and after.fingerprint != before.fingerprint
    assert live.on_camera(db, selected.id, BASE_URL).fingerprint == after.fingerprint


def test_a_recall_lifted_keeps_the_page_paused_until_the_room_checks_again(
        db, room, selected, issued_urls):
    """The supplier alone lifted a recall mid-show and the page turned green again."""
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc")
    assert live.on_camera(db, selected.id, BASE_URL).state == "recheck"
    decide(db, room, issued_urls[1], "选用")  # the room checks a sample again
    assert live.on_camera(db, selected.id, BASE_URL).state == "ok"


def fail_the_report(app, db) -> None:
    """The lab corrects its report: version 2 fails the nacre thickness."""
    from trace import agencies
    from trace.inspections import store
    from test_inspections_store import PDF, pearl_report
    lab = agencies.find_agency(db, "231012341234")
    correction = pearl_report(lab, version="2", supersedes="1", items=[
        {"name": "珠层厚度", "result": "0.1", "unit": "mm", "limit": "≥0.3",
         "verdict": "不合格"}])
    kid, sig = signing.sign_with_agency_key(db, app.config["KEYS_DIR"], lab.id, correction)
    store.store_report(db, correction, kid, sig, pdf=PDF)


def test_a_failed_correction_turns_the_page_to_failed(app, db, selected):
    fail_the_report(app, db)
    shown = live.on_camera(db, selected.id, BASE_URL)
    assert shown.state == "failed" and shown.failed == ("珠层厚度",)
    assert shown.report["version"] == "2"


def test_a_report_whose_key_was_revoked_no_longer_passes(db, selected):
    """Revoked from before the report came in (DESIGN §5: a revoked key verifies
    only what was signed before the revocation time)."""
    from datetime import datetime
    kid, stored_at = db.execute("SELECT kid, created_at FROM inspection_reports").fetchone()
    born = datetime.fromisoformat(keys.get_key(db, kid).not_before)
    keys.revoke_key(db, kid, at=(born + (datetime.fromisoformat(stored_at) - born) / 2)
                    .isoformat())
    assert live.on_camera(db, selected.id, BASE_URL).state == "invalid_report"


def test_a_later_decision_not_to_sell_shows_on_the_page(db, room, selected, issued_urls):
    decide(db, room, issued_urls[1], "不选用")
    assert live.on_camera(db, selected.id, BASE_URL).state == "dropped"
    # Still listed with its open page: OBS may show it yet, and the room must find it.
    assert [(row["lot"], row["live_id"]) for row in live.selected_batches(db, room)] == \
        [(LOT, selected.id)]


def test_a_stale_report_asks_for_a_new_one(db, selected):
    from datetime import date, timedelta
    later = date.today() + timedelta(days=400)
    assert live.on_camera(db, selected.id, BASE_URL, today=later).state == "no_report"


@pytest.mark.parametrize("bad", ["", "1", "../../etc", "x" * 40, "nosuchpage12"])
def test_an_unknown_page_is_not_found(db, bad):
    with pytest.raises(NotFound, match="on-camera page"):
        live.on_camera(db, bad, BASE_URL)


def test_the_room_lists_its_selected_batches_with_their_pages(db, room, selected, issued_urls):
    [row] = live.selected_batches(db, room)
    assert (row["gtin"], row["lot"], row["live_id"]) == (GTIN, LOT, selected.id)
    assert row["sample"].url(BASE_URL) == issued_urls[0]  # to check again without a scan


def test_buyers_reports_since_the_decision_reach_the_room_but_not_the_page(
        db, room, selected, issued_urls):
    from trace import reports

    def report(network: str, lot: str = LOT):
        return reports.submit_report(db, reports.ReportForm("珠子掉色", "山下湖珍珠直播间",
                                                            gtin=GTIN, lot=lot),
                                     network=network * 16)
    before = db.execute("SELECT count(*) FROM selections").fetchone()[0]
    told = lambda: live.selected_batches(db, room)[0]["told"]  # noqa: E731
    assert told().standing == 0
    for network in "aab":  # one buyer twice, and another
        report(network)
    report("c", lot="ZJ-2611-B")  # another batch of the same product: not this one
    assert (told().standing, told().confirmed) == (2, 0)
    b_report = db.execute("SELECT id FROM reports WHERE network = ?", ["b" * 16]).fetchone()[0]
    reports.mark_handled(db, b_report, actor="ops", note="核实是假货", outcome="confirmed")
    a_reports = [r[0] for r in db.execute("SELECT id FROM reports WHERE network = ?",
                                          ["a" * 16])]
    for a_report in a_reports:
        reports.mark_handled(db, a_report, actor="ops", note="买家看错了", outcome="unfounded")
    assert (told().standing, told().confirmed) == (1, 1)
    [words] = live.selected_batches(db, room)[0]["told_words"]  # the unfounded left out
    assert (words["what_seen"], words["confirmed"]) == ("珠子掉色", True)
    assert set(words) == {"at", "what_seen", "outcome", "confirmed", "serial", "verdict",
                          "item_status"}  # the code it came from; nothing of who wrote
    # A buyer's word is the room's to weigh: the page still shows the batch's facts.
    assert live.on_camera(db, selected.id, BASE_URL).state == "ok"
    decide(db, room, issued_urls[2], "待复检")  # paused over them: they stay in view
    assert told().standing == 1
    decide(db, room, issued_urls[2], "选用")  # the room checked again: counted afresh
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == before + 2
    assert told().standing == 0


def test_the_public_timeline_names_the_rooms_that_selected(db, room, selected, issued_urls):
    other = rooms.add_room(db, "另一个直播间", "kuaishou", "9900")
    decide(db, other, issued_urls[1], "不选用")
    [entry] = selection.public_selections(db, selected.batch_id)
    assert (entry["room"], entry["platform_zh"], entry["action"]) == (
        "山下湖珍珠直播间", "抖音", "selected")


def test_waiting_for_a_retest_pauses_the_page(db, room, selected, issued_urls):
    decide(db, room, issued_urls[1], "待复检")
    assert live.on_camera(db, selected.id, BASE_URL).state == "retest"


def test_an_overridden_or_withdrawn_selection_is_not_shown_to_buyers(db, room, issued_urls):
    decide(db, room, issued_urls[0], "选用")  # no report yet: selected by override
    batch_id = db.execute("SELECT batch_id FROM selections").fetchone()[0]
    assert selection.public_selections(db, batch_id) == []


def test_a_batch_past_its_expiry_date_turns_the_page_red(db, selected):
    from datetime import date
    set_expiry(db, "2026-12-31")
    before = live.on_camera(db, selected.id, BASE_URL, today=date(2026, 12, 31))
    after = live.on_camera(db, selected.id, BASE_URL, today=date(2027, 1, 1))
    assert before.state == "ok" and after.state == "expired"
    assert after.fingerprint != before.fingerprint  # the open page turns within seconds


def withdraw_the_report(app, db) -> None:
    """The lab withdraws its only report of the batch."""
    from trace import agencies
    from trace.inspections import store
    lab = agencies.find_agency(db, "231012341234")
    withdrawal = store.withdrawal(db, lab.id, "ZJPQ-2026-0815", "样品并非取自本批次")
    store.store_report(db, withdrawal, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, withdrawal))


def test_a_withdrawn_report_leaves_the_page_without_one(app, db, selected):
    withdraw_the_report(app, db)
    shown = live.on_camera(db, selected.id, BASE_URL)
    assert shown.state == "withdrawn" and shown.report["report_no"] == "ZJPQ-2026-0815"
    assert shown.report["status"] == "withdrawn"  # the lab and number, shown as withdrawn


def test_a_withdrawal_outranks_a_lifted_recall_that_waits_for_a_recheck(app, db, selected):
    """The lab's withdrawal is the fact the viewers need (no report stands: the batch
    must be tested again); 待重新核验 alone read as if a recheck could clear it."""
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc")
    withdraw_the_report(app, db)
    assert live.on_camera(db, selected.id, BASE_URL).state == "withdrawn"


def test_two_opens_at_once_give_one_page(app, db, room, issued_urls):
    """Two taps of 选用 at once each opened the page: one hit the unique index (a 500
    on a decision that had been saved)."""
    import threading
    from trace.db import open_db
    from test_web_public import _stored_report
    _stored_report(app, db)
    decide(db, room, issued_urls[0], "选用")
    start, opened, problems = threading.Barrier(4), [], []

    def tap() -> None:
        mine = open_db(app.config["DATABASE"])
        try:
            start.wait()
            opened.append(live.open_live(mine, room, GTIN, LOT, actor="live@room.cn").id)
        except Exception as error:  # noqa: BLE001 - any failure is what is tested
            problems.append(error)
        finally:
            mine.close()
    run_at_once(tap, 4)
    assert problems == [] and len(set(opened)) == 1
    assert db.execute("SELECT count(*) FROM live_pages").fetchone()[0] == 1


def test_a_suspended_supplier_turns_the_page_red_and_back(db, room, selected, issued_urls):
    from trace import catalog
    supplier = catalog.supplier_of(db, catalog.get_product(db, GTIN))
    before = live.on_camera(db, selected.id, BASE_URL)
    assert [e["room"] for e in selection.public_selections(db, selected.batch_id)] == [room.name]
    catalog.suspend_supplier(db, supplier.id, "销售假冒珍珠", actor="ops")
    shown = live.on_camera(db, selected.id, BASE_URL)
    assert shown.state == "suspended" and shown.fingerprint != before.fingerprint
    catalog.reinstate_supplier(db, supplier.id, "核查不属实", actor="ops")
    # Back on air only once the room has checked a sample again, as after a recall;
    # nor do buyers read that it selected the batch meanwhile.
    assert live.on_camera(db, selected.id, BASE_URL).state == "reinstated"
    assert selection.public_selections(db, selected.batch_id) == []
    decide(db, room, issued_urls[1], "选用")
    assert live.on_camera(db, selected.id, BASE_URL).state == "ok"
    assert [e["room"] for e in selection.public_selections(db, selected.batch_id)] == [room.name]


def test_a_batch_whose_records_were_changed_around_the_ledger_turns_the_page_red(
        db, room, selected):
    from test_audit import tamper
    assert live.on_camera(db, selected.id, BASE_URL).state == "ok"
    tamper(db, "batches", "UPDATE batches SET produced_on = '2026-01-01'")
    assert live.on_camera(db, selected.id, BASE_URL).state == "altered"


def set_expiry(db, expires_on: str, **more: str) -> None:
    """The supplier corrects the batch's expiry date as the platform lets it: logged in
    the ledger, so the batch's pages still vouch for its records."""
    from trace import catalog, corrections
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    corrections.edit_batch(db, supplier, catalog.get_batch(db, GTIN, LOT), actor="qc",
                           reason="保质期更正", expires_on=expires_on, **more)
