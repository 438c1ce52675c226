"""The streamer's workspace: the 选品 check on a phone, decisions and the 台账."""

from __future__ import annotations

import re

import pytest

from trace import catalog, rooms

from conftest import BASE_URL, GTIN, LOT, forged, post_form


@pytest.fixture
def streamer(client, db, make_account, sign_in, issued_urls):
    room = rooms.add_room(db, "山下湖珍珠直播间", "douyin", "7712345678")
    sign_in(client, make_account("streamer", "live@room.example.cn", org=str(room.id)))
    return client


def test_check_a_sample_and_record_with_an_override(streamer, db, issued_urls):
    url = issued_urls[0]
    page = streamer.get("/streamer/check", query_string={"code": url}).get_data(as_text=True)
    assert '<h1 class="check-head check-warn">有核验项未通过（检测报告、检测结果）：选用须写明理由</h1>' \
        in page and "没有签名有效的现行检测报告" in page  # which checks, on the first screen
    assert "本直播间之前" not in page  # nothing decided yet
    heading = page[page.index('class="product-name"'):page.index("有核验项未通过")]
    assert "淡水珍珠项链" in heading and "ZJ-2611-A" in heading  # which sample this is
    refused = post_form(streamer, "/streamer/records",
                        {"code": url, "decision": "选用", "note": "样品完好",
                         "form_id": re.search(r'name="form_id" value="([^"]+)"', page).group(1)},
                        page="/streamer/")
    assert refused.status_code == 400 and "须填写选用理由" in refused.get_data(as_text=True)
    assert "淡水珍珠项链" in refused.get_data(as_text=True)
    decide = refused.get_data(as_text=True).split('id="decision"')[0].rsplit("<h2>", 1)[1]
    assert "须填写选用理由" in decide  # beside the decision, not 2,000 px above it
    assert 'id="override_reason"' in refused.get_data(as_text=True).split("autofocus")[0][-300:]
    told = refused.get_data(as_text=True)  # the reason's box first: a trial wrote it in 备注
    assert told.index('id="override_reason"') < told.index('id="note"')
    switch = re.search(r'href="([^"]*lang=en[^"]*)"', refused.get_data(as_text=True)).group(1)
    assert switch.startswith("/streamer/check?code=")  # English keeps this sample's check
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 0
    # The refused page's address is /streamer/records: its language switch, or a reload,
    # opens it with GET and lands on the room's page, not on an error.
    switched = streamer.get("/streamer/records?lang=en")
    assert switched.status_code == 303 and switched.headers["Location"].startswith("/streamer/")
    assert 'href="/account"' in streamer.get("/?lang=zh").get_data(as_text=True)  # and the home
    form_id = re.search(r'name="form_id" value="([^"]+)"', page).group(1)
    assert form_id in refused.get_data(as_text=True)  # the refused form is still this one
    for _ in range(2):  # sent again on a slow network: recorded once
        done = post_form(streamer, "/streamer/records",
                         {"code": url, "decision": "选用", "override_reason": "报告已送检",
                          "form_id": form_id}, page="/streamer/")
        assert done.status_code == 303
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 1
    home = streamer.get("/streamer/").get_data(as_text=True)
    assert "已记录：诸暨淡水珍珠项链 · 批次 ZJ-2611-A · 选用。" in home and "共 1 条记录" in home
    assert "先在手机浏览器登录本工作台，再用手机扫一扫" in home  # else a sample's scan is a buyer's
    again = streamer.get("/streamer/check", query_string={"code": url}).get_data(as_text=True)
    earlier = again[again.index("本直播间对这个批次的决定"):again.index('id="decision"')]
    assert "本直播间对这个批次的决定：最近一次“选用”" in earlier  # folded above the form
    assert "选用" in earlier and "报告已送检" in earlier and "live@room.example.cn" in earlier
    pdf = streamer.get("/streamer/ledger.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.get_data()[:5] == b"%PDF-"
    csv = streamer.get("/streamer/ledger.csv").get_data()
    assert csv.startswith("\ufeff核验时间".encode()) and "报告已送检".encode() in csv


def test_the_item_page_offers_the_check_to_a_streamer_only(streamer, issued_urls, app):
    path = issued_urls[0][len(BASE_URL):]
    assert "加入选品审核" in streamer.get(path).get_data(as_text=True)
    assert "加入选品审核" not in app.test_client().get(path).get_data(as_text=True)


def test_a_forged_sample_is_logged_as_not_selected_against_what_its_label_claims(
        streamer, db, issued_urls):
    forged_url = forged(issued_urls[0])
    html = streamer.get("/streamer/check", query_string={"code": forged_url}).get_data(as_text=True)
    assert "✗ 追溯码" in html and "✓" not in html and "样品标签自称是这件商品" in html
    assert '<h1 class="check-head check-bad">码是伪造的：这件样品不能选用</h1>' in html
    options = html[html.index('id="decision"'):html.index("</select>")]
    assert "不选用" in options and ">选用<" not in options
    refused = post_form(streamer, "/streamer/records",
                        {"code": forged_url, "decision": "选用", "override_reason": "坚持"},
                        page="/streamer/")
    assert refused.status_code == 403 and "不能选用" in refused.get_data(as_text=True)
    done = post_form(streamer, "/streamer/records",
                     {"code": forged_url, "decision": "不选用", "note": "样品码伪造"},
                     page="/streamer/")
    assert done.status_code == 303
    csv = streamer.get("/streamer/ledger.csv").get_data().decode("utf-8-sig")
    # A forged sample carries a genuine item's serial: the 台账 says what it was.
    assert "不选用（伪造样品）" in csv and "样品码伪造" in csv and "追溯码（伪造）" in csv
    assert "（伪造标签上所印）" in csv
    # Nor does the public record read it as the genuine item's, or the batch's.
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    proof = streamer.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}&serial={serial}").get_data(
        as_text=True)
    assert "样品上的码是伪造的，只是抄了这件商品的序列号：这条记录与这件商品本身无关" in proof
    of_batch = streamer.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").get_data(as_text=True)
    assert "这是对一件伪造样品的记录（样品上的码是伪造的），不是对本批次的决定" in of_batch
    home = streamer.get("/streamer/").get_data(as_text=True)
    assert "核验结果：有未通过项 · 未通过：追溯码（伪造）" in home  # named, brackets not nested
    # The banner said 不选用 of the genuine batch alone: a room thought it had paused it.
    assert "批次 ZJ-2611-A · 不选用（样品的码是伪造或已作废的，不是对本批次的决定）。" in home
    # Checked again, the genuine sample is not told the room's last word was 不选用.
    again = streamer.get("/streamer/check", query_string={"code": issued_urls[0]}).get_data(
        as_text=True)
    summary = again[again.index('<details class="earlier"><summary>'):again.index("</summary>")]
    assert "还没有对这个批次本身做过决定" in summary and "“不选用”" not in summary


def test_a_sample_whose_code_was_cancelled_is_judged_alone_not_its_batch(
        streamer, db, issued_urls):
    """A trial host checked a sample whose copied label the operator had cancelled: the
    page said the whole batch could not go on air, gave a stock reason under 追溯码 and
    the real one under 召回情况, and 不选用 would have paused the batch's live page."""
    from trace import recalls
    from trace.codes import parse_link
    from trace.streamers import live
    recalls.void_item(db, parse_link(issued_urls[0], BASE_URL), "标签被复制到多件商品上",
                      actor="ops")
    html = streamer.get("/streamer/check", query_string={"code": issued_urls[0]}).get_data(
        as_text=True)
    assert '<h1 class="check-head check-bad">码已作废：这件样品不能选用</h1>' in html
    assert "这件样品的码已被作废（标签被复制到多件商品上）" in html
    assert "召回情况" not in html and "这批商品不能上播" not in html
    assert "这个记录只针对这件样品" in html and "这个决定针对整个批次" not in html
    done = post_form(streamer, "/streamer/records",
                     {"code": issued_urls[0], "decision": "不选用"}, page="/streamer/")
    assert done.status_code == 303
    room_id = db.execute("SELECT id FROM rooms").fetchone()[0]
    batch = catalog.get_batch(db, GTIN, LOT)
    assert live.batch_state(db, room_id, batch)[0] not in ("dropped", "retest")  # not paused
    csv = streamer.get("/streamer/ledger.csv").get_data().decode("utf-8-sig")
    assert "不选用（码已作废的样品）" in csv and "伪造" not in csv
    good = streamer.get("/streamer/check", query_string={"code": issued_urls[1]}).get_data(
        as_text=True)
    assert "这个决定针对整个批次" in good  # a valid sample still decides for the batch
    post_form(streamer, "/streamer/records", {"code": issued_urls[1], "decision": "不选用"},
              page="/streamer/")
    assert live.batch_state(db, room_id, batch)[0] == "dropped"


def test_unreadable_text_is_told_as_such_with_the_box_to_try_again(streamer):
    html = streamer.get("/streamer/check", query_string={"code": "hello"}).get_data(as_text=True)
    assert "没能读出样品的码" in html and "有核验项未通过" not in html
    assert html.count('name="code"') == 1 and "记录选品决定" not in html
    assert "API 令牌" not in html  # nothing for a room to connect
    barcode = streamer.get("/streamer/check", query_string={"code": "09521234000013"})
    assert "这是商品条码" in barcode.get_data(as_text=True)  # told as buyers are


def test_a_code_of_no_registered_batch_says_the_ledger_cannot_hold_it(streamer, issued_urls):
    elsewhere = forged(issued_urls[0]).replace("/10/ZJ-2611-A/", "/10/NOT-OURS/")
    html = streamer.get("/streamer/check", query_string={"code": elsewhere}).get_data(as_text=True)
    assert "台账无法记录" in html and "记录选品决定" not in html
    batch_link = streamer.get("/streamer/check", query_string={
        "code": f"{BASE_URL}/01/09521234000013/10/ZJ-2611-A"}).get_data(as_text=True)
    assert "批次页面的网址" in batch_link and "台账无法记录" not in batch_link


def test_an_empty_check_says_what_to_do(streamer):
    response = streamer.get("/streamer/check?code=+")
    assert response.status_code == 303
    assert "请先扫描样品上的二维码" in streamer.get("/streamer/").get_data(as_text=True)


def test_a_recalled_sample_is_not_offered_for_selection(streamer, db, issued_urls):
    from trace import recalls
    from conftest import GTIN, LOT
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    html = streamer.get("/streamer/check", query_string={"code": issued_urls[0]}).get_data(
        as_text=True)
    assert 'value="选用"' not in html and '<option value="不选用" selected>不选用</option>' in html
    assert "召回、作废、过期、检测不合格、伪造或供货商被平台暂停的商品不能选用" in html
    assert '<h1 class="check-head check-bad">不能选用：这批商品不能上播</h1>' in html  # first, in red


def test_a_bad_period_comes_back_to_the_workspace_in_chinese(streamer, db):
    response = streamer.get("/streamer/ledger.csv?from=2026-13-01")
    home = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "开始日期应为 YYYY-MM-DD 格式的日期" in home and "--from" not in home


def test_a_reversed_period_is_told_beside_the_dates_which_stay(streamer, db):
    """The error sat at the top of the page, off a phone's screen, and the two
    dates were emptied."""
    response = streamer.get("/streamer/ledger.pdf?from=2026-11-27&to=2026-11-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    period = html.split('id="ledger"')[1].split("</form>")[0]
    assert "notice-bad" in period  # beside the form, not at the top of the page
    assert 'value="2026-11-27"' in period and 'value="2026-11-01"' in period
    assert "在微信里下载不了时" in html


def test_a_start_date_yet_to_come_is_told_beside_the_dates(streamer, db):
    """With no end date the end is today: a later start left the workspace for a bare
    error page saying it was after an end nobody typed."""
    response = streamer.get("/streamer/ledger.pdf?from=2099-01-01&to=")
    html = response.get_data(as_text=True)
    period = html.split('id="ledger"')[1].split("</form>")[0]
    assert response.status_code == 400 and "开始日期 2099-01-01 还没到" in period
    assert 'value="2099-01-01"' in period


def test_the_ledger_file_is_named_for_its_period_written_as_people_write_dates(streamer):
    response = streamer.get("/streamer/ledger.csv?from=2026/11/1&to=2026年11月30日")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "room1-2026-11-01_2026-11-30.csv" in disposition
    whole = streamer.get("/streamer/ledger.pdf").headers["Content-Disposition"]
    assert "xuanpin-taizhang-room1.pdf" in whole
    since = streamer.get("/streamer/ledger.csv?from=2026-11-01").headers["Content-Disposition"]
    assert re.search(r"room1-2026-11-01_20\d\d-\d\d-\d\d\.csv", since)  # to the export day


def test_the_workspace_shows_what_each_on_camera_page_shows(streamer, db, app, issued_urls):
    from test_web_public import _stored_report
    from trace import recalls
    _stored_report(app, db)
    post_form(streamer, "/streamer/records", {"code": issued_urls[0], "decision": "选用"},
              page="/streamer/")
    home = streamer.get("/streamer/").get_data(as_text=True)
    assert "正品 · 检测合格" in home and 'id="stop-selling"' not in home
    recalls.recall_batch(db, "09521234000013", "ZJ-2611-A", "抽检不合格", actor="qc")
    home = streamer.get("/streamer/").get_data(as_text=True)
    assert 'state-bad">已召回 · 请勿购买' in home
    # A room not live today reads it first, not in a badge down the page.
    alert = home[home.index('id="stop-selling"'):home.index("</div>", home.index("stop-selling"))]
    assert home.index('id="stop-selling"') < home.index('id="live"')
    assert "已选用的 1 个批次现在不能再卖" in alert and "ZJ-2611-A</span></a>：已召回" in alert
    assert "在订单里申请退货退款" in alert and 'href="/01/09521234000013/10/ZJ-2611-A"' in alert
    # Once the room records 不选用, the alert no longer says it sells the batch.
    post_form(streamer, "/streamer/records", {"code": issued_urls[0], "decision": "不选用"},
              page="/streamer/")
    home = streamer.get("/streamer/").get_data(as_text=True)
    assert 'id="stop-selling"' not in home and 'state-bad">已召回 · 请勿购买' in home


def test_the_check_reads_in_english_too(streamer, issued_urls):
    page = streamer.get("/streamer/check", query_string={"code": issued_urls[0], "lang": "en"})
    html = page.get_data(as_text=True)
    assert "Genuine: the signature checks out" in html and "No current lab report" in html
    assert '<option value="不选用" selected>Do not select</option>' in html
    assert "签名核对无误" not in html and "没有签名有效的现行检测报告" not in html


def test_a_paused_batchs_open_page_stays_in_the_workspace(streamer, db, app, issued_urls):
    """待复检 on a sample pauses the batch's on-camera page; OBS still shows it, so the
    room keeps a way to it (a link: the page exists, nothing is opened anew)."""
    from test_web_public import _stored_report
    _stored_report(app, db)
    post_form(streamer, "/streamer/records", {"code": issued_urls[0], "decision": "选用"},
              page="/streamer/")
    opened = post_form(streamer, "/streamer/live", {"gtin": "09521234000013",
                                                    "lot": "ZJ-2611-A"}, page="/streamer/")
    live_path = opened.headers["Location"]
    check = streamer.get("/streamer/check", query_string={"code": issued_urls[1]})
    assert "这个决定针对整个批次" in check.get_data(as_text=True)
    post_form(streamer, "/streamer/records", {"code": issued_urls[1], "decision": "待复检"},
              page="/streamer/")
    home = streamer.get("/streamer/").get_data(as_text=True)
    card = home[home.index('id="live"'):home.index('id="ledger"')]
    assert "待复检 · 暂停销售" in card and f'href="{live_path}"' in card
    # Said where the room lands: which batch, and that its on-camera page is paused.
    assert "已记录：诸暨淡水珍珠项链 · 批次 ZJ-2611-A · 待复检。这个批次的开播核验页现在显示“待复检 · 暂停销售”" \
        in home


def test_the_check_shows_the_registered_photo_to_hold_the_sample_against(
        streamer, db, issued_urls):
    from test_product_photos import camera_photo
    from trace import product_photos
    page = streamer.get("/streamer/check", query_string={"code": issued_urls[0]})
    assert 'class="sample-photo"' not in page.get_data(as_text=True)  # none registered
    sha = product_photos.store_photo(db, camera_photo(800, 600))
    db.execute("UPDATE products SET photo = ?", [sha])
    html = streamer.get("/streamer/check", query_string={"code": issued_urls[0]}).get_data(
        as_text=True)
    photo = html[html.index('class="sample-photo"'):html.index("</p>", html.index("sample-photo"))]
    assert sha in photo
    assert "请与手中样品对照外观、颜色和包装" in photo
    assert streamer.get(re.search(r'src="([^"]+)"', photo).group(1)).status_code == 200


def test_a_batch_recalled_since_the_check_says_how_to_sell_it_again(
        streamer, app, db, issued_urls):
    """The on-camera page paused after a recall was lifted; the room's page did not say
    what would bring it back."""
    from conftest import GTIN, LOT
    from test_live import decide
    from test_web_public import _stored_report
    from trace import recalls
    from trace.streamers import live
    room = rooms.get_room(db, 1)
    _stored_report(app, db)
    decide(db, room, issued_urls[0], "选用")
    live.open_live(db, room, GTIN, LOT, actor="live@room.cn")
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc")
    home = streamer.get("/streamer/").get_data(as_text=True)
    assert "召回已撤销 · 待重新核验" in home and "扫一件样品重新核验" in home
    assert ">重新核验上次的样品 ›</a>" in home and "暂停：记录" not in home  # nothing to pause for


def test_a_code_pasted_with_the_other_scheme_is_checked_not_called_cut_off(
        streamer, issued_urls):
    """https for http (or back) names the same code on our host; it read as 网址不完整."""
    scheme, rest = issued_urls[0].split("://", 1)
    other = ("https" if scheme == "http" else "http") + "://" + rest
    page = streamer.get("/streamer/check", query_string={"code": other}).get_data(as_text=True)
    assert "网址不完整" not in page and 'id="decide"' in page and "ZJ-2611-A" in page


def test_a_report_sent_from_a_forged_code_is_told_as_fakes_not_as_this_rooms_goods(
        streamer, db, app, issued_urls):
    """A trial buyer reported a fake bought in another room: this room read only that
    buyers reported a problem with its batch, and was told to pause its page."""
    from test_web_public import _stored_report
    from trace import reports
    _stored_report(app, db)
    post_form(streamer, "/streamer/records", {"code": issued_urls[0], "decision": "选用"},
              page="/streamer/")
    reports.submit_report(db, reports.ReportForm(
        "扫出来是伪造码", "抖音 某某珍珠直播间", gtin=GTIN, lot=LOT, serial="0000AAAA0000",
        verdict="forged"), network="f" * 16)
    home = streamer.get("/streamer/").get_data(as_text=True)
    row = home[home.index('class="notice notice-warn told"'):]
    row = row[:row.index("</p>")]
    assert "买家反映这批货有问题 1 起（同一来源的多次反映算一起），其中 1 起扫到的是伪造码" in row
    assert "不必为此暂停开播页面" in row and "记录“待复检”暂停开播页面" not in row
    assert "暂停：记录“待复检”" not in home  # no button to pause over someone else's fakes
    # Nor a banner of problems with the goods on sale: one that the label is copied.
    assert 'id="buyers-told"' not in home
    copied = home[home.index('id="labels-copied"'):]
    copied = copied[:copied.index("</div>")]
    assert "1 个在售批次的标签被人仿冒" in copied and "不必暂停开播页面" in copied
    assert "ZJ-2611-A" in copied
    # The room's own buyer then writes from the same network about the goods, and the
    # platform confirms both: counted by network they were one, and the fakes' words won.
    own = reports.submit_report(db, reports.ReportForm(
        "扣头掉色", "本直播间", gtin=GTIN, lot=LOT, serial="0000AAAA0000", verdict="genuine"),
        network="f" * 16)
    for report in reports.list_reports(db, gtin=GTIN):
        reports.mark_handled(db, report.id, actor="ops", note="核实", outcome="confirmed")
    assert own.id
    home = streamer.get("/streamer/").get_data(as_text=True)
    row = home[home.index('class="notice notice-warn told"'):]
    row = row[:row.index("</p>")]
    assert "不必为此暂停开播页面" not in row and "其中 1 起经平台核实属实" in row
    assert "暂停：记录“待复检”" in home  # a confirmed problem with the goods: pausing is offered
    assert 'id="buyers-told"' in home and 'id="labels-copied"' not in home


def test_buyers_reports_since_the_decision_are_told_to_the_room(streamer, db, app, issued_urls):
    """Buyers' reports on a batch the room sells reached nobody in the room: the page
    kept saying 正品 · 检测合格 until someone happened to check a sample again."""
    from test_web_public import _stored_report
    from trace import recalls, reports
    _stored_report(app, db)
    post_form(streamer, "/streamer/records", {"code": issued_urls[0], "decision": "选用"},
              page="/streamer/")
    assert 'id="buyers-told"' not in streamer.get("/streamer/").get_data(as_text=True)
    for network in "ab":
        reports.submit_report(db, reports.ReportForm("珠子掉色", "山下湖珍珠直播间",
                                                     gtin="09521234000013", lot="ZJ-2611-A"),
                              network=network * 16)
    home = streamer.get("/streamer/").get_data(as_text=True)
    notice = home[home.index('id="buyers-told"'):home.index("</div>", home.index("buyers-told"))]
    assert home.index('id="buyers-told"') < home.index('id="live"')
    assert "1 个在售批次，在你们记录决定之后收到了买家的问题反馈" in notice and "ZJ-2611-A" in notice
    row = home[home.index('class="notice notice-warn told"'):]
    row = row[:row.index("</section>")]  # the batch's row, the only one
    assert "买家反映这批货有问题 2 起" in row and "开播页面不显示买家的反馈" in row
    assert "买家写的内容（最近 2 条，不含联系方式）" in row and "珠子掉色" in row  # their words
    # The sample decided on, checked again without scanning; or the page paused at once.
    again = re.search(r'href="(/streamer/check\?code=[^"]+)#decide">重新核验上次的样品', row).group(1)
    pause = re.search(r'href="(/streamer/check\?[^"]+)#decide">暂停：记录“待复检”', row).group(1)
    assert "decision=" in pause and "decision=" not in again
    check = streamer.get(pause.replace("&amp;", "&")).get_data(as_text=True)
    assert '<option value="待复检" selected>' in check and "诸暨淡水珍珠项链" in check
    assert "正品 · 检测合格" in home  # the page itself is unchanged
    english = streamer.get("/streamer/?lang=en").get_data(as_text=True)
    assert "buyers reported a problem with this batch 2 time(s)" in english
    # Paused by the room itself: nothing on sale to warn about, the count still there.
    post_form(streamer, "/streamer/records", {"code": issued_urls[1], "decision": "待复检"},
              page="/streamer/")
    reports.submit_report(db, reports.ReportForm("包装破损", "山下湖珍珠直播间",
                                                 gtin="09521234000013", lot="ZJ-2611-A"),
                          network="c" * 16)
    home = streamer.get("/streamer/?lang=zh").get_data(as_text=True)
    assert 'id="buyers-told"' not in home and "待复检 · 暂停销售" in home
    # What made the room pause stays in view, and so does the way back without a scan.
    assert "买家反映这批货有问题 3 起" in home and "开播页面不显示买家的反馈" not in home
    assert "珠子掉色" in home and "包装破损" in home and "重新核验上次的样品" in home
    recalls.recall_batch(db, "09521234000013", "ZJ-2611-A", "抽检不合格", actor="qc")
    home = streamer.get("/streamer/").get_data(as_text=True)
    assert 'id="stop-selling"' in home and 'id="buyers-told"' not in home  # stop says it all
    assert 'notice-warn told' not in home


def test_a_report_sent_from_a_codes_page_names_the_code_and_how_it_stands(
        streamer, db, app, issued_urls):
    """A trial host read 买家反映这批货有问题 1 起 about a copied label, with no word of
    which code, that the platform rated it 可疑, or that it was voided since."""
    from test_web_public import _stored_report
    from trace import recalls, reports
    from trace.codes import group_serial, parse_link
    _stored_report(app, db)
    post_form(streamer, "/streamer/records", {"code": issued_urls[0], "decision": "选用"},
              page="/streamer/")
    copied = parse_link(issued_urls[2], BASE_URL)
    reports.submit_report(db, reports.ReportForm(
        "标签和别家一模一样", "山下湖珍珠直播间", gtin=GTIN, lot=LOT, serial=copied.serial,
        verdict="suspicious"), network="c" * 16)
    recalls.void_item(db, copied, "标签被复制到多件商品上", actor="ops")
    row = streamer.get("/streamer/").get_data(as_text=True)
    check = streamer.get("/streamer/check", query_string={"code": issued_urls[0]}).get_data(
        as_text=True)  # the report passes the check, not with a plain green tick
    assert '<li class="check-heed"><strong>! 售后记录（通过，但请看一下）</strong>' in check
    row = row[row.index('class="told-words"'):row.index("</details>", row.index("told-words"))]
    assert f"从追溯码 {group_serial(copied.serial)} 的页面举报" in row
    assert "（买家当时看到：可疑 · 谨防假冒）；这个码现在已被作废" in row
    link = re.search(r'href="(/streamer/check\?code=[^"]+)">核验这个码', row).group(1)
    check = streamer.get(link).get_data(as_text=True)
    assert "标签被复制到多件商品上" in check  # the reason, a tap away


def test_an_english_check_names_the_failed_checks_escaped_once(streamer, db, issued_urls):
    """A trial read Checks failed (The sample&#39;s code): the name escaped twice."""
    from trace import catalog, scans
    url = issued_urls[1]
    item = catalog.find_item(db, GTIN, url.split("/21/")[1].split("?")[0])
    for n in range(8):  # a copied label's history: the code check fails
        scans.record_scan(db, item["id"], scans.Observer(f"net{n}", f"dev{n}"))
    page = streamer.get("/streamer/check", query_string={"code": url, "lang": "en"})
    head = page.get_data(as_text=True).split('class="check-head', 1)[1].split("</h1>")[0]
    assert "The sample&#39;s code" in head and "&amp;" not in head


def test_a_product_or_lot_typed_in_the_code_box_finds_the_rooms_batches(
        streamer, db, issuer, make_batch):
    """Eighteen products into a show, a trial's lead typed 龙井 and a lot into the only
    box and was told it was not a code; the batch on air had sunk to the bottom."""
    from conftest import issue_codes
    from trace.issuing import export_rows
    for gtin, lot, name in (("06901234567892", "SF-2604-T", "西湖龙井 特级"),
                            ("06901234567908", "HY-2611", "常山胡柚礼盒")):
        catalog.add_product(db, catalog.find_supplier(db, "91330681MA2D7XKQ0T"), gtin, name,
                            category="绿茶", shelf_life_days=540)
        catalog.new_batch(db, gtin, lot, produced_on="2026-11-10")
        issue_codes(db, issuer, gtin, lot, 1)
        [url] = [row["url"] for row in export_rows(db, gtin, lot, BASE_URL)]
        decided = {"code": url, "decision": "选用", "override_reason": "样品已送检"}
        post_form(streamer, "/streamer/records", decided, page="/streamer/")
    found = streamer.get("/streamer/check", query_string={"code": "龙井"})
    assert found.status_code == 303 and found.headers["Location"].endswith("#live")
    home = streamer.get(found.headers["Location"]).get_data(as_text=True)
    listed = home[home.index('id="found"'):home.index('id="ledger"')]
    assert "名称或批次号含“龙井”的有 1 个" in listed and "SF-2604-T" in listed
    assert "HY-2611" not in listed
    lot = streamer.get("/streamer/check", query_string={"code": "hy-2611"})
    assert "find=hy-2611" in lot.headers["Location"]
    # A code is still checked as one, and words no batch has are told as before.
    code = streamer.get("/streamer/check", query_string={"code": "ZZZZ-ZZZZ-ZZZZ"})
    assert code.status_code != 303
    # A name the room does not sell is said so, not read as a mistyped 追溯码 (a trial).
    nothing = streamer.get("/streamer/check", query_string={"code": "珍珠手链"})
    assert nothing.status_code == 303
    none = streamer.get(nothing.headers["Location"]).get_data(as_text=True)
    assert "没有名称或批次号含“珍珠手链”的" in none and "SF-2604-T" in none  # all listed
    typo = streamer.get("/streamer/check", query_string={"code": "ABCD-EFGH"})
    assert typo.status_code != 303 and "追溯码" in typo.get_data(as_text=True)


def test_each_batch_on_sale_has_talking_points_from_its_records(streamer, db, app,
                                                                issued_urls):
    """A trial's host had a badge per batch and nothing to say; what she may say comes
    from the records alone, and a batch without a report is told not to claim one."""
    post_form(streamer, "/streamer/records", {"code": issued_urls[0], "decision": "选用",
                                              "override_reason": "样品已送检"},
              page="/streamer/")
    home = streamer.get("/streamer/").get_data(as_text=True)
    points = home[home.index('<details class="talking-points">'):]
    points = points[:points.index("</details>")]
    assert "诸暨淡水珍珠项链，珠径 8–9 mm，产地：浙江省诸暨市，执行标准：GB/T 18781-2023。" in points
    assert "供货商：诸暨市山下湖明珠珍珠有限公司。" in points
    assert "这批商品还没有检测报告：不要说“检测合格”" in points and "绝对化用语" in points
    from test_web_public import _stored_report
    record = _stored_report(app, db, conclusion="所检项目符合 GB/T 18781-2023 要求。")
    home = streamer.get("/streamer/").get_data(as_text=True)
    points = home[home.index('<details class="talking-points">'):]
    points = points[:points.index("</details>")]
    assert f"CMA {record['agency']['cma']}）{record['issued_on']} 出具的报告 " \
        f"{record['report_no']}，结论：所检项目符合 GB/T 18781-2023 要求。可以" in points  # one 。
    assert "还没有检测报告" not in points


def test_the_home_says_what_the_check_looks_at_and_how_long_a_report_serves(streamer, app):
    """A trial's 选品 assistant found the rules nowhere: a report's 365 days in none
    of the room's pages."""
    app.config["REPORT_VALID_DAYS"] = 180
    home = streamer.get("/streamer/").get_data(as_text=True)
    rules = home[home.index('id="rules"'):home.index("</details>", home.index('id="rules"'))]
    assert "签发不超过 180 天" in rules and "不能选用" in rules and rules.count("<li>") == 7
    english = streamer.get("/streamer/?lang=en").get_data(as_text=True)
    assert "issued no more than 180 days ago" in english
