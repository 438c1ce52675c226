"""The 选品 check of a sample and the room's recorded decisions."""

from __future__ import annotations

import json

import pytest

from trace import agencies, catalog, rooms
from trace.errors import Forbidden, InvalidInput
from trace.streamers import selection
from trace.inspections import signing

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT, forged


@pytest.fixture
def room(db):
    return rooms.add_room(db, "山下湖珍珠直播间", "douyin", "7712345678")


def names(result) -> dict:
    return {check.name: check.ok for check in result.checks}


def test_a_batch_without_a_report_fails_and_cannot_be_selected_without_a_reason(
        db, room, issued_urls):
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert names(result) == {"code": True, "records": True, "recall": True, "expiry": True,
                             "report": False, "results": False, "supplier": True,
                             "after_sales": True}
    assert not any(check.heed for check in result.checks)  # nothing to heed here
    assert not result.ok
    with pytest.raises(InvalidInput, match="override-reason"):
        selection.record_selection(db, room, result, "选用", actor="live")
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 0
    record = selection.record_selection(db, room, result, "选用", actor="live",
                                        override_reason="样品已送检，报告待出")
    row = db.execute("SELECT decision, passed, override_reason, checks FROM selections "
                     "WHERE id = ?", [record]).fetchone()
    assert row[:3] == ("选用", 0, "样品已送检，报告待出")
    stored = [c["name"] for c in json.loads(row[3])]
    assert stored[:5] == ["code", "records", "recall", "expiry", "report"]


def test_a_failed_residue_fails_the_results_check(app, db, room, issued_urls):
    from test_web_public import _stored_report
    _stored_report(app, db, items=[{"name": "联苯菊酯", "result": "5.8", "unit": "mg/kg",
                                    "limit": "≤5", "verdict": "不合格"}])
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert names(result)["report"] and not names(result)["results"]
    assert "联苯菊酯" in next(c.detail for c in result.checks if c.name == "results")


def test_a_batch_its_lab_failed_can_never_be_selected(app, db, room, issued_urls):
    """Its on-camera page would tell viewers 检测不合格 · 请勿购买."""
    from test_web_public import _stored_report
    _stored_report(app, db, items=[{"name": "联苯菊酯", "result": "5.8", "unit": "mg/kg",
                                    "limit": "≤5", "verdict": "不合格"}])
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert result.failed_tests == ("联苯菊酯",) and not result.selectable
    with pytest.raises(Forbidden, match="failed-test"):
        selection.record_selection(db, room, result, "选用", actor="live",
                                   override_reason="客户点名要")
    assert selection.record_selection(db, room, result, "待复检", actor="live")


def test_a_good_sample_passes_every_check(app, db, room, issued_urls):
    from test_web_public import _stored_report
    from trace.streamers import ledger
    _stored_report(app, db)
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert result.ok
    selection.record_selection(db, room, result, "选用", actor="live")
    [row] = ledger.ledger_rows(db, room)  # the report the room relied on, as it stood
    assert row["依据的检测报告"] == (
        "浙江省珍珠检测中心（CMA 231012341234）报告 ZJPQ-2026-0815，2026-11-12 签发，签名有效，"
        "选品可依据到 2027-11-12（签发后 365 天）")


def test_a_forged_code_is_recorded_against_the_batch_its_label_claims_never_selected(
        db, room, issued_urls):
    forged_url = forged(issued_urls[0])
    result = selection.check_sample(db, forged_url, BASE_URL)
    assert [c.name for c in result.checks] == ["code"] and not result.ok
    assert result.claimed and result.batch.lot == LOT and not result.selectable
    with pytest.raises(Forbidden, match="never be selected"):
        selection.record_selection(db, room, result, "选用", actor="live",
                                   override_reason="主播坚持")
    record = selection.record_selection(db, room, result, "不选用", actor="live",
                                        note="样品码伪造")
    row = db.execute("SELECT decision, passed, checks FROM selections WHERE id = ?",
                     [record]).fetchone()
    assert row[:2] == ("不选用", 0) and "伪造" in json.loads(row[2])[0]["detail"]
    assert selection.public_selections(db, result.batch.id) == []


def test_a_forged_samples_record_leaves_the_rooms_decision_on_the_batch(db, room, issued_urls):
    """Turning a fake away switched off the room's on-camera page of the genuine batch."""
    from trace.streamers import live
    genuine = selection.check_sample(db, issued_urls[0], BASE_URL)
    selection.record_selection(db, room, genuine, "选用", actor="live", override_reason="送检中")
    live.open_live(db, room, GTIN, LOT, actor="live")
    fake = selection.check_sample(db, forged(issued_urls[1]), BASE_URL)
    selection.record_selection(db, room, fake, "不选用", actor="live", note="样品码伪造")
    assert live.latest_decision(db, room.id, genuine.batch.id) == "选用"
    assert [row["lot"] for row in live.selected_batches(db, room)] == [LOT]
    earlier = selection.earlier_decisions(db, room, genuine.batch.id)
    assert [(e["decision"], bool(e["about_batch"])) for e in earlier] == [
        ("不选用", False), ("选用", True)]


def test_a_forged_code_naming_no_registered_batch_records_nothing(db, room, issued_urls):
    elsewhere = forged(issued_urls[0]).replace(f"/10/{LOT}/", "/10/NOT-OURS/")
    result = selection.check_sample(db, elsewhere, BASE_URL)
    assert result.batch is None and not result.claimed and not result.ok
    with pytest.raises(InvalidInput, match="no batch"):
        selection.record_selection(db, room, result, "不选用", actor="live")
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 0


def test_a_batch_link_or_shared_text_is_told_for_what_it_is(db, room, issued_urls):
    batch = selection.check_sample(db, f"{BASE_URL}/01/{GTIN}/10/{LOT}", BASE_URL)
    assert "批次页面的网址" in batch.checks[0].detail and not batch.ok
    live = selection.check_sample(db, f"{BASE_URL}/live/i0LRkqZN3Cl9?overlay=1", BASE_URL)
    assert "开播核验页的网址" in live.checks[0].detail and live.batch is None
    shared = selection.check_sample(db, f"【抖音】复制这段话 {issued_urls[0]} 打开", BASE_URL)
    assert shared.checks[0].ok and shared.batch is not None


def test_an_address_without_its_signature_says_a_label_printing_it_is_not_ours(
        db, room, issued_urls):
    """A trial pasted a sample's address with a made-up key and a short signature and
    was told only of a copying slip, though a label printing it is a fake."""
    cut = issued_urls[0].split("?")[0] + "?k=ZZZZZZZZ&s=abc"
    result = selection.check_sample(db, cut, BASE_URL)
    said = detail(result, "code")
    assert "复制时末尾被截掉" in said and "那个二维码就不是本平台印的，样品不能选用" in said
    assert not result.ok


def test_a_recall_and_fake_reports_count_against_the_supplier(app, db, room, issued_urls):
    from trace import recalls
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    # The batch's own recall is said once, in its row; another batch's counts against
    # the supplier's record.
    assert not names(result)["recall"] and names(result)["after_sales"]
    catalog.new_batch(db, GTIN, "ZJ-2611-B")
    recalls.recall_batch(db, GTIN, "ZJ-2611-B", "珠层过薄", actor="cli:ops")  # the platform's
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert not names(result)["after_sales"]
    assert "平台召回的其他批次：ZJ-2611-B（珠层过薄）" in detail(result, "after_sales")


def test_a_supplier_taking_a_batch_back_of_its_own_accord_is_heeded_not_failed(
        db, room, issued_urls):
    """A co-op recalling frost-bitten fruit on its own made every sample of its other
    batches fail 售后记录, and 选用 then needed a written reason."""
    from trace import recalls
    catalog.new_batch(db, GTIN, "ZJ-2611-B")
    recalls.recall_batch(db, GTIN, "ZJ-2611-B", "运输途中受潮，主动召回", actor="qc@pearl.cn")
    [check] = [c for c in selection.check_sample(db, issued_urls[0], BASE_URL).checks
               if c.name == "after_sales"]
    assert check.ok and check.heed
    assert "供货商主动召回的其他批次：ZJ-2611-B（运输途中受潮，主动召回）" in check.detail


def test_records_are_never_edited(db, room, issued_urls):
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    selection.record_selection(db, room, result, "待复检", actor="live")
    with pytest.raises(Exception, match="never"):
        db.execute("UPDATE selections SET decision = '选用'")


def test_the_select_commands(run_cli, app, db, room, issued_urls):
    from test_web_public import _stored_report
    failed = run_cli("select", "check", "--room", str(room.id), "--url", issued_urls[0],
                     "--json")
    assert failed.exit_code == 1 and json.loads(failed.output)["ok"] is False
    refused = run_cli("select", "record", "--room", str(room.id), "--url", issued_urls[0],
                      "--decision", "选用")
    assert refused.exit_code == 1 and "override-reason" in refused.output
    assert run_cli("select", "record", "--room", str(room.id), "--url", issued_urls[0],
                   "--decision", "不选用", "--note", "无检测报告").exit_code == 0
    _stored_report(app, db)
    passed = run_cli("select", "check", "--room", str(room.id), "--url", issued_urls[0])
    assert passed.exit_code == 0 and "All checks pass." in passed.output
    assert run_cli("select", "check", "--room", "99", "--url", issued_urls[0]).exit_code == 1
    # A shell without the server's TRACE_BASE_URL (make run PORT=5172): said, not only 无法识别.
    elsewhere = issued_urls[0].replace(BASE_URL, "http://127.0.0.1:5172")
    other = run_cli("select", "check", "--room", str(room.id), "--url", elsewhere)
    assert other.exit_code == 1 and f"this command reads codes of {BASE_URL}/" in other.output
    assert "TRACE_BASE_URL" not in passed.output


def test_the_ledger_csv_never_hands_excel_a_formula(db, room, issued_urls):
    import csv
    import io
    from trace.streamers import ledger
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    for note in ('=HYPERLINK("http://evil.example","点此查看")', "+1", "-2", "@SUM(A1)", "— 无"):
        selection.record_selection(db, room, result, "不选用", actor="live@room.cn", note=note)
    text = ledger.ledger_csv(ledger.ledger_rows(db, room))
    notes = [row["备注"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
    assert sorted(notes) == sorted(["'=HYPERLINK(\"http://evil.example\",\"点此查看\")", "'+1",
                                    "'-2", "'@SUM(A1)", "— 无"])


def test_a_typed_codes_failed_check_is_named_as_typed_in_the_ledger(db, room, issued_urls):
    """An inspector read 未通过：追溯码 for a genuine sample whose code was typed."""
    import csv
    import io
    from trace.codes import group_serial
    from trace.streamers import ledger
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    result = selection.check_sample(db, group_serial(serial), BASE_URL)
    selection.record_selection(db, room, result, "待复检", actor="live@room.cn")
    text = ledger.ledger_csv(ledger.ledger_rows(db, room))
    (row,) = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert row["未通过项"].startswith("追溯码（手输）")


def test_the_ledger_exports_as_csv_and_pdf(run_cli, app, db, room, issued_urls, tmp_path):
    import pypdfium2
    from trace.streamers import ledger
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    selection.record_selection(db, room, result, "不选用", actor="live@room.cn",
                               note="无检测报告 <待补> & 复检")
    selection.record_selection(db, room, result, "选用", actor="live@room.cn",
                               override_reason="样品已送检")
    csv_path, pdf_path = tmp_path / "台账.csv", tmp_path / "台账.pdf"
    for path in (csv_path, pdf_path):
        out = run_cli("select", "export", "--room", str(room.id), "--out", str(path))
        assert out.exit_code == 0 and "Wrote 2 selection record(s)" in out.output
    text = csv_path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff核验时间（北京时间）,商品,批次号,供货商（信用代码）,样品追溯码,决定")
    assert "不选用" in text and "样品已送检" in text and "检测报告" in text
    # What an inspector asks a room for: whose goods, and the report it relied on.
    assert "（91330681MA2D7XKQ0T）" in text and "依据的检测报告" in text
    pdf = pdf_path.read_bytes()
    assert b"FontFile2" in pdf and b"/BaseFont /Helvetica" not in pdf  # embedded only
    page = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    joined = "".join(page.split())  # cells wrap onto several lines
    assert "选品审核台账" in joined and room.name in joined and "无检测报告<待补>&复检" in joined
    assert "第1页" in joined and "核验结果" in joined  # numbered; the heading unbroken
    assert "91330681MA2D7XKQ0T" in joined and "依据的检测报告" in joined
    assert ledger.ledger_rows(db, room, "2020-01-01", "2020-01-31") == []
    empty = ledger.ledger_pdf(room, [], "2020-01-01", "2020-01-31")
    said = "".join(pypdfium2.PdfDocument(empty)[0].get_textpage().get_text_range().split())
    assert "本期间没有核验记录" in said and "2020-01-01至2020-01-31" in said
    ahead = run_cli("select", "export", "--room", str(room.id), "--out", str(csv_path),
                    "--from", "2099-01-01")
    assert ahead.exit_code == 1 and "has not come yet" in ahead.output
    bad = run_cli("select", "export", "--room", str(room.id), "--out", str(csv_path),
                  "--from", "昨天")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output


def test_the_ledger_pdf_breaks_lines_as_chinese_is_written(db, room, issued_urls):
    """A trial host's 台账 began lines with '，' and '；' and broke an e-mail address
    mid-word ('live@demo.trace.exam' / 'ple.cn')."""
    import pypdfium2
    from trace.streamers import ledger
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    note = "样品外观完好，珠光正常，直径抽量合格，供货商承诺七天内补交检测报告；商家承诺假一赔十，疑似假标"
    selection.record_selection(db, room, result, "不选用", actor="live@demo.trace.example.cn",
                               note=note)
    pdf = ledger.ledger_pdf(room, ledger.ledger_rows(db, room), None, None)
    page = pypdfium2.PdfDocument(pdf)[0].get_textpage()
    lines = [line.strip() for line in page.get_text_range().splitlines() if line.strip()]
    assert not [line for line in lines if line[0] in "，。；：、）"], lines
    start = lines.index(next(line for line in lines if line.startswith("live@")))
    pieces = next(lines[start:end] for end in range(start + 1, len(lines) + 1)
                  if "".join(lines[start:end]) == "live@demo.trace.example.cn")
    assert all(piece.endswith((".", "@")) for piece in pieces[:-1]), pieces  # at its dots


def test_a_recalled_batch_is_never_selected_whatever_the_reason(db, room, issued_urls):
    from trace import recalls
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    with pytest.raises(Forbidden, match="never be selected"):
        selection.record_selection(db, room, result, "选用", actor="live",
                                   override_reason="我就要")
    assert selection.record_selection(db, room, result, "不选用", actor="live")
    assert db.execute("SELECT decision FROM selections").fetchall() == [("不选用",)]


def test_a_withdrawn_recall_is_named_but_does_not_fail_the_after_sales_check(
        db, room, issued_urls):
    from trace import recalls
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc")
    [after_sales] = [c for c in selection.check_sample(db, issued_urls[0], BASE_URL).checks
                     if c.name == "after_sales"]
    assert after_sales.ok and f"曾召回后撤销：{LOT}" in after_sales.detail and after_sales.heed
    recalls.recall_batch(db, GTIN, LOT, "复检仍不合格", actor="qc")
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert detail(result, "recall") == "批次已召回：复检仍不合格"  # said there, once
    assert "复检仍不合格" not in detail(result, "after_sales")


def test_text_limits_are_named_in_chinese(db, room, issued_urls):
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    with pytest.raises(InvalidInput) as refused:
        selection.record_selection(db, room, result, "不选用", actor="live", note="长" * 501)
    assert refused.value.message_zh == "备注不能超过 500 个字"


def test_the_cli_prints_check_names_in_chinese_and_refuses_a_reversed_period(
        run_cli, db, room, issued_urls, tmp_path):
    out = run_cli("select", "check", "--room", room.room_id, "--url", issued_urls[0])
    assert "✗ 检测报告：" in out.output and "✓ 召回情况：" in out.output
    reversed_period = run_cli("select", "export", "--room", str(room.id), "--out",
                              str(tmp_path / "t.csv"), "--from", "2026-11-30", "--to",
                              "2026-11-01")
    assert reversed_period.exit_code == 1 and "is after the to date" in reversed_period.output
    assert not (tmp_path / "t.csv").exists()


def detail(result, name: str) -> str:
    return next(check.detail for check in result.checks if check.name == name)


def test_an_expired_batch_fails_and_can_never_be_selected(db, room, issuer, make_batch):
    from datetime import date
    from trace import catalog
    from trace.issuing import export_rows, issue_codes
    make_batch()
    catalog.new_batch(db, GTIN, "ZJ-2609-Z", produced_on="2026-09-01", expires_on="2026-12-31")
    issue_codes(db, issuer, GTIN, "ZJ-2609-Z", 1)
    [url] = [row["url"] for row in export_rows(db, GTIN, "ZJ-2609-Z", BASE_URL)]
    fresh = selection.check_sample(db, url, BASE_URL, today=date(2026, 12, 1))
    assert names(fresh)["expiry"] and detail(fresh, "expiry") == "保质期至 2026-12-31（还有 30 天）"
    stale = selection.check_sample(db, url, BASE_URL, today=date(2027, 1, 1))
    assert names(stale)["expiry"] is False and not stale.ok
    assert detail(stale, "expiry") == "已过保质期（到期日 2026-12-31），不能销售"
    with pytest.raises(Forbidden, match="never be selected") as refused:
        selection.record_selection(db, room, stale, "选用", actor="live", override_reason="清仓")
    assert refused.value.message_zh == "召回、作废、过期、检测不合格、伪造或供货商被平台暂停的商品不能选用"
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 0


def test_a_sample_a_buyer_has_claimed_fails_the_code_check(app, db, room, issued_urls):
    from trace import catalog, claims
    from trace.scans import Observer
    buyer = Observer(network="n" * 16, device="d" * 16, returning=True, visitor="v" * 16)
    item = catalog.find_item(db, GTIN, issued_urls[0].split("/21/")[1].split("?")[0])
    claims.claim_item(db, item, buyer, None, app.config["HASH_SECRET"])
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert names(result)["code"] is False
    assert "被消费者认领为已买到的商品" in detail(result, "code")
    other = selection.check_sample(db, issued_urls[1], BASE_URL)
    assert "被消费者认领" not in detail(other, "code")


def test_void_and_recalled_items_are_told_in_the_rooms_terms(db, room, issued_urls):
    from trace import recalls
    from trace.codes import parse_link
    recalls.void_item(db, parse_link(issued_urls[0], BASE_URL), "标签破损重印", actor="qc")
    recalls.recall_item(db, parse_link(issued_urls[1], BASE_URL), "包装破损", actor="qc")
    void = selection.check_sample(db, issued_urls[0], BASE_URL)
    # The sample's label alone: cancelled, with its reason, in the code's own row (a
    # trial host read a stock reason there and the real one under 召回情况).
    assert [c.name for c in void.checks] == ["code"] and void.sample_only
    assert detail(void, "code").startswith("码已作废：这件样品的码已被作废（标签破损重印）")
    assert not void.selectable and void.batch.lot == LOT
    recalled = selection.check_sample(db, issued_urls[1], BASE_URL)
    assert detail(recalled, "recall") == "这件商品已被单独召回（包装破损）"
    # Genuine, and said so: the recall is told once, in its own row, not as "fake".
    assert names(recalled)["code"] and "召回情况见下" in detail(recalled, "code")
    assert not recalled.ok and not recalled.selectable
    assert "退货" not in detail(recalled, "code") + detail(void, "code")  # a buyer's advice


def test_fake_reports_count_once_per_network(db, room, issued_urls):
    from trace import reports

    def report(network: str) -> None:
        reports.submit_report(db, reports.ReportForm("标签模糊", "某直播间", gtin=GTIN, lot=LOT),
                              network=network)
    for _ in range(5):  # one person, one network, five reports
        report("a" * 16)
    after_sales = [c for c in selection.check_sample(db, issued_urls[0], BASE_URL).checks
                   if c.name == "after_sales"][0]
    assert after_sales.ok and "消费者举报假货或质量问题 1 起（同一来源的多次举报算一起）" in after_sales.detail
    assert after_sales.heed  # passed, but not with a plain green tick
    report("b" * 16)
    report("c" * 16)
    after_sales = [c for c in selection.check_sample(db, issued_urls[0], BASE_URL).checks
                   if c.name == "after_sales"][0]
    assert not after_sales.ok and "消费者举报假货或质量问题 3 起" in after_sales.detail
    # The platform found c's report was no fake, and followed a's up without settling it.
    c_report, a_report = (db.execute("SELECT id FROM reports WHERE network = ?", [n * 16])
                          .fetchone()[0] for n in "ca")
    reports.mark_handled(db, c_report, actor="ops", note="买家看错了", outcome="unfounded")
    reports.mark_handled(db, a_report, actor="ops", note="联系不上买家", outcome="handled")
    after_sales = [c for c in selection.check_sample(db, issued_urls[0], BASE_URL).checks
                   if c.name == "after_sales"][0]
    assert after_sales.ok and "消费者举报假货或质量问题 2 起（同一来源的多次举报算一起），另有 1 起经平台" \
        "核实不属实，不计" in after_sales.detail


def test_a_confirmed_report_or_one_on_the_sample_itself_fails_after_sales(
        db, room, issued_urls):
    from trace import reports
    serial = issued_urls[1].split("/21/")[1].split("?")[0]
    reports.submit_report(db, reports.ReportForm("珠子掉色", "某直播间", gtin=GTIN, lot=LOT,
                                                 serial=serial, verdict="genuine"),
                          network="a" * 16)
    reports.submit_report(db, reports.ReportForm("扫出来是伪造的码", "某直播间", gtin=GTIN,
                                                 lot=LOT, serial=serial.replace(serial[0], "Z"),
                                                 verdict="forged"), network="b" * 16)

    def after_sales(url):
        return [c for c in selection.check_sample(db, url, BASE_URL).checks
                if c.name == "after_sales"][0]
    other = after_sales(issued_urls[0])
    assert other.ok and "消费者举报假货或质量问题 1 起" in other.detail and "样品本身" not in other.detail
    assert "冒用其标签的伪造码被举报 1 起（假货不是该供货商的货，不计）" in other.detail
    reported = after_sales(issued_urls[1])
    assert not reported.ok and "这件样品本身被举报过 1 次" in reported.detail
    # A fake of its label, confirmed, is still not the supplier's goods: a trial's room saw
    # a genuine supplier fail for the counterfeiters it had reported.
    reports.mark_handled(db, 2, actor="ops", note="确认仿冒标签在售", outcome="confirmed")
    forged = after_sales(issued_urls[0])
    assert forged.ok and forged.heed and "核实属实" not in forged.detail
    reports.mark_handled(db, 1, actor="ops", note="珠子确实掉色", outcome="confirmed")
    confirmed = after_sales(issued_urls[0])
    assert not confirmed.ok and "其中 1 起经平台核实属实" in confirmed.detail
    # 属实 chosen by mistake: corrected, the report no longer counts against the supplier.
    reports.correct_outcome(db, 1, outcome="unfounded", reason="误选：复核后确认是买家看错",
                            actor="ops2")
    corrected = after_sales(issued_urls[0])
    assert corrected.ok and "核实属实" not in corrected.detail and "不属实，不计" in corrected.detail


def test_an_item_failed_by_two_reports_is_named_once(app, db, room, issued_urls):
    from test_inspections_store import another_report
    from test_web_public import _stored_report
    from trace import agencies
    from trace.inspections import store
    lead = [{"name": "铅", "result": "0.9", "unit": "mg/kg", "limit": "≤0.5", "verdict": "不合格"}]
    _stored_report(app, db, items=lead)
    lab = agencies.find_agency(db, "231012341234")
    again, pdf = another_report(lab, "ZJPQ-2026-0901", items=lead)
    store.store_report(db, again, *signing.sign_with_agency_key(db, app.config["KEYS_DIR"],
                                                                lab.id, again), pdf=pdf)
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert detail(result, "results") == "不合格项目：铅（重金属）；这批商品不能上播，请联系供货商"


def test_a_current_report_failing_its_signature_fails_the_report_check(app, db, room,
                                                                       issued_urls):
    """The on-camera page turns red for it: the checklist must not say all is well,
    though another current report of the batch is valid."""
    from test_inspections_store import another_report
    from test_web_public import _stored_report
    from trace import agencies
    from trace.inspections import store
    from trace.inspections import report as reports
    first = _stored_report(app, db)
    lab = agencies.get_agency(db, 1)
    second, pdf = another_report(lab, "ZJPQ-2026-0900")
    store.store_report(db, second, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, second), pdf=pdf)
    assert selection.check_sample(db, issued_urls[0], BASE_URL).ok
    db.execute("DROP TRIGGER inspection_reports_no_update")  # as an intruder would
    changed = dict(second, conclusion=second["conclusion"] + "。")
    db.execute("UPDATE inspection_reports SET record = ? WHERE report_no = ?",
               [reports.canonical_bytes(changed).decode(), second["report_no"]])
    assert [shown["signature_ok"] for shown in store.served_reports(db, 1)] == [False, True]
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    check = next(c for c in result.checks if c.name == "report")
    assert not check.ok and "1 份现行检测报告签名核对未通过" in check.detail
    assert not result.ok and first != second


def test_a_supplier_publishing_no_phone_fails_the_supplier_check(app, db, room, issued_urls):
    """绿色直播间: merchants publish how buyers reach them; a recall needs a number."""
    from test_web_public import _stored_report
    _stored_report(app, db)
    passed = selection.check_sample(db, issued_urls[0], BASE_URL)
    [supplier] = [c for c in passed.checks if c.name == "supplier"]
    assert supplier.ok and "客服电话 0575 8700 0000" in supplier.detail
    catalog.set_contact(db, catalog.find_supplier(db, CREDIT_CODE), catalog.Contact())
    failed = selection.check_sample(db, issued_urls[0], BASE_URL)
    [supplier] = [c for c in failed.checks if c.name == "supplier"]
    assert not failed.ok and not supplier.ok and "没有公示客服电话" in supplier.detail


def test_a_report_its_lab_withdrew_fails_the_report_check_and_says_why(
        app, db, room, issued_urls):
    from test_web_public import _stored_report
    from trace import agencies
    from trace.inspections import store
    _stored_report(app, db)
    lab = agencies.find_agency(db, "231012341234")
    withdrawal = store.withdrawal(db, lab.id, "ZJPQ-2026-0815", "样品并非取自本批次")
    store.store_report(db, withdrawal, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, withdrawal))
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert not names(result)["report"] and not names(result)["results"]
    assert detail(result, "report") == ("检测机构撤回了报告 ZJPQ-2026-0815，撤回原因：样品并非取自本批次。"
                                        "本批次没有其他有效的检测报告，需要重新检测")


def test_a_single_items_recall_is_not_called_a_withdrawn_batch_recall(db, room, issued_urls):
    """One necklace recalled said 曾召回后撤销 about its batch, which was never recalled."""
    from trace import recalls
    from trace.codes import parse_link
    recalls.recall_item(db, parse_link(issued_urls[1], BASE_URL), "珠层破损", actor="qc")
    [after_sales] = [c for c in selection.check_sample(db, issued_urls[0], BASE_URL).checks
                     if c.name == "after_sales"]
    assert "曾召回后撤销" not in after_sales.detail
    assert f"单件召回：{LOT} 1 件" in after_sales.detail and after_sales.ok


@pytest.mark.parametrize("pasted, said", [
    ("{url_cut}", "网址不全：复制时末尾被截掉"),
    ("https://item.taobao.com/item.htm?id=123", "不是本平台的网址"),
    ("RZJ4-WDFF", "这不是标签上印的追溯码格式"),
])
def test_an_unreadable_sample_code_says_why_as_far_as_known(db, issued_urls, pasted, said):
    """Our own address cut short in a chat was told 'not one of our codes'; now its
    serial finds the item, as a typed code does (the check fails: no signature)."""
    url_cut = issued_urls[0].split("?")[0]
    result = selection.check_sample(db, pasted.format(url_cut=url_cut), BASE_URL)
    assert said in detail(result, "code") and not result.ok
    if pasted == "{url_cut}":
        assert result.verdict == "registered" and result.serial == url_cut.split("/21/")[1]
    else:
        assert not result.selectable


def test_food_with_no_expiry_date_fails_the_check_but_may_be_selected_with_a_reason(
        db, room, issued_urls):
    """Citrus picked months ago, registered without a shelf life, passed as fine."""
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert detail(result, "expiry") == "本批次没有标注保质期（非食品）"  # the pearls keep
    db.execute("UPDATE products SET category = '新鲜水果'")
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert detail(result, "expiry").startswith("食品没有标注保质期，无法判断是否已过期")
    assert not result.ok and result.selectable  # with a reason: nobody knows it expired
    with pytest.raises(InvalidInput, match="expiry"):
        selection.record_selection(db, room, result, "选用", actor="live")
    assert selection.record_selection(db, room, result, "选用", actor="live",
                                      override_reason="供货商已出示采摘日期")


def test_two_reports_are_both_named_and_their_items_counted_as_judged(
        app, db, room, issued_urls):
    from test_inspections_store import another_report
    from trace.inspections import store
    from test_web_public import _stored_report
    first = _stored_report(app, db)  # 珠层厚度 and 光泽 A, both 合格
    lab = agencies.get_agency(db, int(first["agency"]["id"]))
    record, pdf = another_report(lab, "ZJPQ-2026-0816", items=[
        {"name": "光洁度", "result": "微瑕 B", "verdict": "—"},
        {"name": "强光照射", "result": "无褪色", "verdict": "合格"}])
    kid, sig = signing.sign_with_agency_key(db, app.config["KEYS_DIR"], lab.id, record)
    store.store_report(db, record, kid, sig, pdf=pdf)
    checks = {c.name: c for c in selection.check_sample(db, issued_urls[0], BASE_URL).checks}
    assert checks["report"].ok and "另有 1 份现行报告" in checks["report"].detail
    assert checks["results"].ok
    assert checks["results"].detail == \
        "2 份现行报告共 3 个项目合格，另有 1 个分级或不判定项目，无不合格"


def test_the_same_form_sent_twice_is_recorded_once(db, room, issued_urls):
    """A retry (a slow network, a reload of the POST) carries the form's id: two
    identical rows stood in the 台账, which can never be edited."""
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    form_id = selection.new_form_id()
    first = selection.record_selection(db, room, result, "待复检", actor="live", form_id=form_id)
    again = selection.record_selection(db, room, result, "待复检", actor="live", form_id=form_id)
    assert again == first
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM ledger_leaves WHERE source LIKE 'selections:%'"
                      ).fetchone()[0] == 1
    # Another form is another decision; a made-up id is no id at all.
    assert selection.record_selection(db, room, result, "待复检", actor="live",
                                      form_id=selection.new_form_id()) != first
    for odd in ("x", "<script>" * 4):
        selection.record_selection(db, room, result, "不选用", actor="live", form_id=odd)
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 4


def test_a_suspended_suppliers_sample_can_never_be_selected(db, room, issued_urls):
    from trace import catalog
    from trace.errors import Forbidden
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    catalog.suspend_supplier(db, supplier.id, "营业执照已被吊销", actor="ops")
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert not names(result)["supplier"] and not result.selectable
    assert "平台已于" in detail(result, "supplier") and "营业执照已被吊销" in detail(result, "supplier")
    with pytest.raises(Forbidden):
        selection.record_selection(db, room, result, "选用", actor="live",
                                   override_reason="老客户")
    selection.record_selection(db, room, result, "不选用", actor="live")  # turning it away is


def test_a_sample_of_a_batch_whose_records_were_changed_fails_its_ledger_check(
        db, issued_urls):
    from test_audit import tamper
    clean = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert names(clean)["records"] and "防篡改账本一致" in detail(clean, "records")
    tamper(db, "batches", "UPDATE batches SET produced_on = '2026-01-01'")
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert not names(result)["records"] and names(result)["recall"]  # nothing was recalled
    assert not result.selectable and "与平台的防篡改账本对不上" in detail(result, "records")


def test_a_record_of_the_code_check_alone_is_a_samples_not_a_decision():
    from trace.streamers.ledger import sample_only
    from trace.streamers.selection import VOID_SAMPLE
    assert sample_only([{"name": "code", "ok": False, "detail": "伪造：…"}]) == "forged"
    assert sample_only([{"name": "code", "ok": False, "detail": VOID_SAMPLE + "：…"}]) == "void"
    assert sample_only([{"name": "code", "ok": True, "detail": "正品"},
                        {"name": "recall", "ok": True, "detail": "无"}]) is None


def test_a_reason_where_nothing_failed_is_kept_as_a_note(app, db, room, issued_urls):
    """A trial's 台账 read 通过 beside a 选用理由（未通过时）: nothing had failed."""
    from test_web_public import _stored_report
    from trace.streamers import ledger
    _stored_report(app, db)
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    assert result.ok
    selection.record_selection(db, room, result, "选用", actor="live", note="样品完好",
                               override_reason="主播亲自看过")
    [row] = ledger.ledger_rows(db, room)
    assert row["选用理由（未通过时）"] == "" and row["备注"] == "样品完好；主播亲自看过"
