"""Reports of fakes: the form, photos checked by content and stripped, the queue."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from markupsafe import escape
from PIL import Image, PngImagePlugin

from trace import reports
from trace.errors import Conflict, InvalidInput

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT, forged, post_form

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"           # Make
    exif[0x0110] = "SecretPhone 9"        # Model
    exif[0x0112] = 6                      # orientation: rotate 90°
    exif.get_ifd(GPS_IFD)[2] = (30.0, 15.0, 0.0)  # latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address 123")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_jpeg_metadata_is_stripped_and_the_picture_kept_upright():
    raw = jpeg_with_gps()
    assert b"SecretPhone" in raw
    data, kind = reports.clean_photo(raw)
    assert kind == "image/jpeg" and b"SecretPhone" not in data and b"Exif" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and not image.getexif()
    assert image.size == (48, 64)  # the orientation was applied before it was dropped


def test_png_text_chunks_are_stripped():
    data, kind = reports.clean_photo(png_with_text())
    assert kind == "image/png" and b"home address" not in data
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n" + b"0" * 100,                      # a PDF named photo.jpg
    b"GIF89a" + b"\0" * 100,
    b"\xff\xd8\xff\xe0" + b"\0" * 50,                # a JPEG header and nothing else
    b"",
])
def test_anything_but_a_real_jpeg_or_png_is_refused(data):
    with pytest.raises(InvalidInput, match="JPEG or PNG"):
        reports.clean_photo(data)


def test_a_large_phone_photo_is_kept_at_a_readable_size():
    """A 48-megapixel camera's photo, about 8 MB: accepted, kept 2,560 pixels a side."""
    grain = Image.effect_noise((1000, 750), 80).convert("RGB")
    raw = io.BytesIO()
    grain.resize((8000, 6000), Image.BICUBIC).save(raw, "JPEG", quality=75)
    assert 5 * 2**20 < len(raw.getvalue()) <= reports.MAX_PHOTO_BYTES
    data, kind = reports.clean_photo(raw.getvalue())
    assert kind == "image/jpeg" and Image.open(io.BytesIO(data)).size == (2560, 1920)
    assert len(data) < len(raw.getvalue()) // 2


def test_too_large_and_decompression_bombs_are_refused():
    with pytest.raises(InvalidInput, match="larger than 15 MB"):
        reports.clean_photo(b"\xff" * (reports.MAX_PHOTO_BYTES + 1))
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # tiny file, 100 million pixels
    assert len(bomb.getvalue()) < reports.MAX_PHOTO_BYTES
    with pytest.raises(InvalidInput, match="more than 64 megapixels"):
        reports.clean_photo(bomb.getvalue())


def form_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_report(client, code: str, photo: bytes | None = None, address="203.0.113.8",
                follow: bool = True, **fields):
    """Send the report form as a phone would; ``follow``: on to the receipt it lands on."""
    path = "/report?code=" + quote(code, safe="")
    data = {"csrf_token": form_token(client, path),
            "what_seen": "珠子表面有胶痕，像塑料", "where_bought": "某直播间 12 号链接",
            **fields}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "photo.jpg")
    return client.post(path, data=data, content_type="multipart/form-data",
                       headers={"Referer": BASE_URL + path},
                       environ_base={"REMOTE_ADDR": address}, follow_redirects=follow)


def test_a_buyer_reports_from_the_page_and_the_queue_shows_it(client, run_cli, db, issued_urls):
    page = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    # A cracked pearl is the seller's to take back first, within its return period.
    assert '有破损或质量问题，请先找卖家退换，也可以<a href="#help">在下方举报</a>' in page
    assert "请尽快找卖给您的店铺或直播间退换货" in page[page.index('id="help"'):]
    report_link = re.search(r'href="(/report\?code=[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(report_link).get_data(as_text=True)
    assert "举报假货或质量问题" in form and "诸暨淡水珍珠项链" in form
    code = issued_urls[0][len(BASE_URL):]
    response = post_report(client, code, jpeg_with_gps(), contact="138 0000 0000", follow=False)
    landed = client.get(response.headers["Location"])
    sent = landed.get_data(as_text=True)
    assert landed.status_code == 200 and "举报已收到" in sent
    assert "如果是质量问题，请同时找卖家办理退换货" in sent
    switch = re.search(r'class="lang" href="([^"]+)"', sent).group(1).replace("&amp;", "&")
    assert switch.startswith("/report/") and switch.endswith("&lang=en")  # not another look
    assert "Report" in client.get(switch).get_data(as_text=True)
    listed = json.loads(run_cli("reports", "list", "--gtin", GTIN, "--json").output)
    assert len(listed) == 1
    entry = listed[0]
    assert (entry["gtin"], entry["verdict"], entry["what_seen"]) == (
        GTIN, "genuine", "珠子表面有胶痕，像塑料")
    assert entry["contact"] == "138 0000 0000" and entry["photo_type"] == "image/jpeg"
    stored = db.execute("SELECT data FROM photos").fetchone()[0]
    assert b"SecretPhone" not in stored
    text = run_cli("reports", "list").output
    assert "某直播间 12 号链接" in text and f"#{entry['id']}" in text
    assert " Beijing " in text and " UTC " not in text  # the time the buyer was shown
    assert json.loads(run_cli("reports", "list", "--gtin", "09521234000020", "--json")
                      .output) == []
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 1  # the form is no scan


def test_a_report_needs_what_and_where_and_changes_nothing_without(client, db, issued_urls):
    code = issued_urls[0][len(BASE_URL):]
    response = post_report(client, code, what_seen="   ")
    assert response.status_code == 400 and "请写下您发现的问题" in response.get_data(as_text=True)
    response = post_report(client, code, b"%PDF-1.4 not a photo")
    assert response.status_code == 400 and "JPG 或 PNG" in response.get_data(as_text=True)
    assert "某直播间 12 号链接" in response.get_data(as_text=True)  # what was typed is kept
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    # Sent empty: both fields said at once, not one a submit.
    empty = post_report(client, code, what_seen="", where_bought=" ").get_data(as_text=True)
    alert = empty[empty.index('role="alert"'):empty.index("</div>", empty.index('role="alert"'))]
    assert "请修改以下 2 处" in alert and "请写下您发现的问题" in alert and "请写下购买渠道" in alert


def test_reports_are_throttled_per_network(client, db, issued_urls):
    code = issued_urls[0][len(BASE_URL):]
    allowed = reports.REPORTS_PER_NETWORK.attempts
    statuses = [post_report(client, code, what_seen=f"第 {n} 件颜色不对").status_code
                for n in range(allowed + 2)]
    assert statuses == [200] * allowed + [429] * 2
    refused = post_report(client, code, what_seen="又一件")
    assert "12315" in refused.get_data(as_text=True)  # a phone call needs no form
    said = refused.get_data(as_text=True).split('role="alert">')[1].split("</p>")[0]
    assert "约 60 分钟后可以再提交" in said and "请直接拨打平台客服电话" in said  # when, or call
    assert post_report(client, code, address="192.0.2.200").status_code == 200
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == allowed + 1


def test_a_report_without_token_is_refused(client, db, issued_urls):
    response = client.post("/report", data={"what_seen": "x", "where_bought": "y"},
                           headers={"Referer": BASE_URL + "/report"})
    assert response.status_code == 400 and db.execute(
        "SELECT count(*) FROM reports").fetchone()[0] == 0


def test_a_report_about_a_forged_or_no_code_is_welcome(client, db, issued_urls):
    path = issued_urls[0][len(BASE_URL):]
    forged_path = forged(path)
    form = client.get("/report?code=" + quote(forged_path, safe="")).get_data(as_text=True)
    about = form[form.index("举报的商品"):form.index("<form")]
    serial = path.split("/21/")[1].split("?")[0]
    assert f"{serial[:4]}-{serial[4:8]}-{serial[8:]}" in about  # the label's own numbers
    # ... said to be on a forged code, not read as our item's (a trial took them so)
    assert re.search(r"扫码结果：<strong>.*(伪造码|无法识别)", about)
    sent = post_report(client, forged_path)
    assert sent.status_code == 200
    # A fake's holder is told about a refund, not a damaged item's return (a trial).
    assert "找卖给您的店铺或直播间退货退款" in sent.get_data(as_text=True)
    plain = post_report(client, "")
    assert plain.status_code == 200 and "退货退款" not in plain.get_data(as_text=True)
    rows = db.execute("SELECT verdict, gtin FROM reports ORDER BY id").fetchall()
    assert rows[0][0] in ("forged", "invalid") and rows[1] == (None, None)


def test_report_photo_command(run_cli, client, issued_urls, tmp_path):
    post_report(client, issued_urls[0][len(BASE_URL):], png_with_text())
    out = tmp_path / "p.png"
    result = run_cli("reports", "photo", "1", "--out", str(out))
    assert result.exit_code == 0 and Image.open(out).format == "PNG"
    assert run_cli("reports", "photo", "9", "--out", str(out)).exit_code == 1


@pytest.mark.parametrize("field, limit, named", [("what_seen", 1000, "发现的问题"),
                                                 ("where_bought", 200, "购买渠道"),
                                                 ("contact", 100, "联系方式")])
def test_a_field_too_long_is_named_in_chinese(db, field, limit, named):
    form = dict(what_seen="标签模糊", where_bought="某直播间", contact=None)
    form[field] = "长" * (limit + 1)
    with pytest.raises(InvalidInput) as refused:
        reports.submit_report(db, reports.ReportForm(**form), network="n" * 16)
    assert refused.value.message_zh == f"{named}不能超过 {limit} 个字"
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0


def test_the_same_report_sent_twice_is_stored_once(client, db, issued_urls):
    code = issued_urls[0][len(BASE_URL):]
    first, again = post_report(client, code), post_report(client, code)
    assert first.status_code == again.status_code == 200
    number = re.search(r"举报编号\D*(\d+)", first.get_data(as_text=True)).group(1)
    assert re.search(r"举报编号\D*(\d+)", again.get_data(as_text=True)).group(1) == number
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert post_report(client, code, what_seen="另一件也是假的").status_code == 200
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2


def test_a_number_cut_short_is_refused_and_a_resend_puts_the_contact_right(
        client, db, issued_urls):
    """A trial buyer left 1381234, then sent the report again with the whole number:
    the same report number came back and the operator still had 1381234."""
    code = issued_urls[0][len(BASE_URL):]
    short = post_report(client, code, contact="1381234")
    html = short.get_data(as_text=True)
    assert short.status_code == 400 and "号码“1381234”不是完整的电话号码" in html
    assert "珠子表面有胶痕，像塑料" in html  # what was typed stays
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    assert "请重新选择照片" not in html  # none was chosen
    with_photo = post_report(client, code, jpeg_with_gps(), contact="1381234")
    assert "请重新选择照片" in with_photo.get_data(as_text=True)  # the browser dropped it
    first = post_report(client, code, contact="微信 pearl88")
    again = post_report(client, code, contact="微信同号 １３８ １２３４ ５６７８")  # full width
    number = re.search(r"举报编号\D*(\d+)", first.get_data(as_text=True)).group(1)
    assert re.search(r"举报编号\D*(\d+)", again.get_data(as_text=True)).group(1) == number
    assert db.execute("SELECT contact FROM reports").fetchall() == [("微信同号 138 1234 5678",)]
    for kept in ("QQ 12345678", "0571-8765 4321 转 12", "wxid_12345678"):
        assert post_report(client, code, what_seen=kept, contact=kept).status_code == 200, kept


def test_a_report_sent_from_a_batch_page_names_the_batch(client, run_cli, db, issued_urls):
    """The livestream's QR leads to the batch page: a report from there must say
    which goods it is about, not arrive as one about nothing."""
    page = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    report_link = re.search(r'href="(/report\?code=[^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(report_link).get_data(as_text=True)
    assert "诸暨淡水珍珠项链" in form and LOT in form
    response = post_report(client, f"/01/{GTIN}/10/{LOT}")
    assert response.status_code == 200 and f'href="/01/{GTIN}/10/{LOT}"' in \
        response.get_data(as_text=True)  # back to the batch page
    [entry] = json.loads(run_cli("reports", "list", "--gtin", GTIN, "--json").output)
    assert (entry["gtin"], entry["lot"], entry["serial"]) == (GTIN, LOT, None)


def test_the_operator_sees_the_reports_and_their_photos_on_the_web(
        app, client, db, issued_urls, make_account, sign_in):
    """The supplier saw its buyers' reports on its home page; the operator, who calls
    the buyers back, had only the command line."""
    code = issued_urls[0][len(BASE_URL):]
    assert post_report(client, code, jpeg_with_gps(), contact="138 0000 0000").status_code == 200
    operator = sign_in(app.test_client(), make_account("admin", "ops@trace.example.cn"))
    page = operator.get("/admin/").get_data(as_text=True)
    card = page[page.index('id="buyer-reports"'):page.index('id="suppliers"')]
    assert "共 1 条" in card and "珠子表面有胶痕，像塑料" in card
    assert '<a href="tel:+8613800000000" class="phone nowrap">138 0000 0000</a>' in card  # tap it
    assert "诸暨淡水珍珠项链 · 诸暨市山下湖明珠珍珠有限公司" in card  # whom to call
    assert f'<a href="/01/{GTIN}/10/{LOT}" class="mono nowrap">{LOT}</a>' in card
    photo = operator.get("/admin/reports/1/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Content-Disposition"].startswith("attachment")
    assert b"SecretPhone" not in photo.data  # the stripped copy, as stored
    assert operator.get("/admin/reports/99/photo").status_code == 404
    assert client.get("/admin/reports/1/photo").status_code == 302  # a buyer: sign in first


def test_the_operator_marks_a_report_handled_with_what_was_done(
        app, client, db, issued_urls, make_account, sign_in):
    """The queue only grew: the operator could not tell the reports followed up from
    those still waiting for a call back."""
    code = issued_urls[0][len(BASE_URL):]
    assert post_report(client, code, jpeg_with_gps(), contact="138 0000 0000").status_code == 200
    operator = sign_in(app.test_client(), make_account("admin", "ops@trace.example.cn"))
    page = operator.get("/admin/").get_data(as_text=True)
    assert "待处理 1 条，共 1 条" in page and 'href="#buyer-reports">买家举报 <b' in page
    refused = post_form(operator, "/admin/reports/1/handled", {"note": "  "}, page="/admin/")
    card = refused.get_data(as_text=True)
    card = card[card.index('id="buyer-reports"'):card.index('id="suppliers"')]
    assert refused.status_code == 400 and "请写下处理情况" in card
    assert "<details class=\"edit\" open>" in card and "autofocus" in card
    assert db.execute("SELECT count(*) FROM report_handlings").fetchone()[0] == 0
    unsaid = post_form(operator, "/admin/reports/1/handled",
                       {"note": "已回访买家，确认为仿冒，转交供货商"}, page="/admin/")
    card = unsaid.get_data(as_text=True)
    assert unsaid.status_code == 400 and "请选择处理结果" in card
    assert ">已回访买家，确认为仿冒，转交供货商</textarea>" in card  # the note kept
    done = post_form(operator, "/admin/reports/1/handled",
                     {"note": "已回访买家，确认为仿冒，转交供货商", "outcome": "confirmed"},
                     page="/admin/")
    assert done.status_code == 303 and done.headers["Location"].endswith("#buyer-reports")
    page = operator.get("/admin/").get_data(as_text=True)
    card = page[page.index('id="buyer-reports"'):page.index('id="suppliers"')]
    assert "举报编号 1 已处理，结果：属实（举报的问题确实存在）。" in card and "待处理 0 条，共 1 条" in card
    assert "举报都已处理" in card and "最近处理的 1 条" in card
    assert "ops@trace.example.cn 处理" in card and "已回访买家，确认为仿冒，转交供货商" in card
    assert "属实（举报的问题确实存在）" in card
    again = post_form(operator, "/admin/reports/1/handled",
                      {"note": "再次", "outcome": "unfounded"}, page="/admin/")
    assert again.status_code == 303  # told at the top of the page, the first note kept
    assert "已由 ops@trace.example.cn 标为已处理" in operator.get("/admin/").get_data(as_text=True)
    assert [row[0] for row in db.execute("SELECT note FROM report_handlings")] == [
        "已回访买家，确认为仿冒，转交供货商"]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE report_handlings SET note = 'x'")


def test_the_supplier_reads_that_a_report_was_followed_up_but_not_the_note(
        client, db, issued_urls, make_account, sign_in):
    code = issued_urls[0][len(BASE_URL):]
    assert post_report(client, code, contact="138 0000 0000").status_code == 200
    reports.mark_handled(db, 1, actor="ops@trace.example.cn", note="买家电话 138 0000 0000 已回访",
                         outcome="unfounded")
    [seen], total = reports.about_supplier(db, 1)
    assert total == 1 and seen.handled_at and seen.handled_note is None
    assert seen.handled_by is None and seen.contact is None
    assert seen.handled_outcome == "unfounded"  # what was found is the supplier's to know
    supplier = sign_in(client, make_account("supplier", "qc@pearl.example.cn", org=CREDIT_CODE))
    assert "处理：不属实（不是假货，也不是质量问题）" in supplier.get("/supplier/").get_data(as_text=True)


def test_the_operator_asks_the_supplier_what_to_do_and_only_that_reaches_it(
        app, client, db, issued_urls, make_account, sign_in):
    """A trial's operator read a copied-label report and had no way to tell the
    supplier to void the code and check where the batch went: the note is private."""
    code = issued_urls[0][len(BASE_URL):]
    assert post_report(client, code, contact="138 0000 0000").status_code == 200
    operator = sign_in(app.test_client(), make_account("admin", "ops@trace.example.cn"))
    form = operator.get("/admin/").get_data(as_text=True)
    assert 'name="to_supplier"' in form and "不要写买家的联系方式" in form
    asked = "请作废这个追溯码，并核查这批货卖给了哪些直播间"
    done = post_form(operator, "/admin/reports/1/handled", {
        "note": "买家 138 0000 0000 已回访，标签是复制的", "outcome": "confirmed",
        "to_supplier": asked}, page="/admin/")
    assert done.status_code == 303
    [seen], _ = reports.about_supplier(db, 1)
    assert seen.handled_to_supplier == asked and seen.handled_note is None
    # ...and the operator can read back what was sent (a trial's could not).
    for page in ("/admin/", "/admin/find?q=1", "/admin/reports?state=handled"):
        assert f"已告诉供货商：</span>{asked}" in operator.get(page).get_data(as_text=True), page
    supplier = sign_in(client, make_account("supplier", "qc@pearl.example.cn", org=CREDIT_CODE))
    home = supplier.get("/supplier/").get_data(as_text=True)
    assert f"平台请您：</strong>{asked}" in home and "138 0000 0000" not in home
    # A report naming no product has no supplier to read it: refused, not lost.
    reports.submit_report(db, reports.ReportForm(what_seen="收到的东西不对", where_bought="某直播间"),
                          network="n" * 16)
    with pytest.raises(InvalidInput, match="no supplier would read it"):
        reports.mark_handled(db, 2, actor="ops", note="已回访", outcome="handled",
                             to_supplier="请核查")
    assert db.execute("SELECT count(*) FROM report_handlings").fetchone()[0] == 1


def test_a_finding_is_corrected_with_a_reason_and_both_stay(client, db, issued_urls):
    code = issued_urls[0][len(BASE_URL):]
    assert post_report(client, code).status_code == 200
    with pytest.raises(Conflict, match="has not been handled"):
        reports.correct_outcome(db, 1, outcome="unfounded", reason="x", actor="ops")
    reports.mark_handled(db, 1, actor="ops", note="已回访", outcome="confirmed")
    for outcome, reason, said in (("confirmed", "复核", "处理结果没有变化"),
                                  ("unfounded", "  ", "请填写更正原因"),
                                  ("maybe", "复核", "请选择处理结果")):
        with pytest.raises(InvalidInput) as refused:
            reports.correct_outcome(db, 1, outcome=outcome, reason=reason, actor="ops")
        assert said in refused.value.message_zh
    assert db.execute("SELECT count(*) FROM report_outcome_corrections").fetchone()[0] == 0
    corrected = reports.correct_outcome(db, 1, outcome="unfounded", reason="误选为属实",
                                        actor="ops2")
    assert corrected.handled_outcome == "unfounded" and corrected.outcome_corrected_at
    again = reports.get_report(db, 1)
    assert (again.handled_outcome, again.handled_note) == ("unfounded", "已回访")
    assert again.outcome_corrected_reason == corrected.outcome_corrected_reason == "误选为属实"
    assert [(c.before, c.after, c.reason, c.actor) for c in reports.outcome_corrections(db, 1)] \
        == [("confirmed", "unfounded", "误选为属实", "ops2")]
    assert db.execute("SELECT outcome FROM report_handlings").fetchone()[0] == "confirmed"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM report_outcome_corrections")


def test_marking_handled_from_the_command_line(run_cli, client, db, issued_urls):
    code = issued_urls[0][len(BASE_URL):]
    assert post_report(client, code).status_code == 200
    assert "No open reports" not in run_cli("reports", "list", "--open").output
    empty = run_cli("reports", "handle", "1", "--note", " ", "--outcome", "handled")
    assert empty.exit_code != 0 and "say what was done" in empty.output
    unsaid = run_cli("reports", "handle", "1", "--note", "已转交供货商")
    assert unsaid.exit_code != 0 and "--outcome" in unsaid.output
    done = run_cli("reports", "handle", "1", "--note", "已转交供货商", "--by", "ops",
                   "--outcome", "confirmed")
    assert done.exit_code == 0 and "Report 1 marked handled (confirmed)" in done.output
    assert "No open reports." in run_cli("reports", "list", "--open").output
    assert "by ops (confirmed): 已转交供货商" in run_cli("reports", "list").output
    [entry] = json.loads(run_cli("reports", "list", "--json").output)
    assert (entry["handled_by"], entry["handled_note"]) == ("ops", "已转交供货商")
    missing = run_cli("reports", "handle", "9", "--note", "x", "--outcome", "handled")
    assert missing.exit_code != 0 and "9" in missing.output
    corrected = run_cli("reports", "correct", "1", "--outcome", "unfounded", "--reason",
                        "误选为属实", "--by", "ops2")
    assert corrected.exit_code == 0 and "the finding is now unfounded" in corrected.output
    assert "by ops (unfounded): 已转交供货商" in run_cli("reports", "list").output
    same = run_cli("reports", "correct", "1", "--outcome", "unfounded", "--reason", "x")
    assert same.exit_code != 0 and "finding already" in same.output


def test_more_open_reports_than_the_page_shows_say_where_the_rest_are(
        app, db, issued_urls, make_account, sign_in):
    from trace.web import admin
    for n in range(admin.REPORTS_SHOWN + 2):
        reports.submit_report(db, reports.ReportForm(what_seen=f"第 {n} 条", where_bought="直播间"),
                              network=f"net{n}")
    operator = sign_in(app.test_client(), make_account("admin", "ops@trace.example.cn"))
    page = operator.get("/admin/").get_data(as_text=True)
    assert "还有 2 条较早的待处理举报。" in page and "查看较早的待处理举报" in page


def test_the_supplier_opens_a_reported_item_and_is_warned_off_a_forged_serial(
        client, db, issued_urls, make_account, sign_in):
    genuine, copied = (url[len(BASE_URL):] for url in (issued_urls[0], forged(issued_urls[1])))
    assert post_report(client, genuine).status_code == 200
    assert post_report(client, copied, address="198.51.100.7").status_code == 200
    supplier = sign_in(client, make_account("supplier", "qc@pearl.example.cn", org=CREDIT_CODE))
    card = supplier.get("/supplier/").get_data(as_text=True)
    card = card[card.index('id="reports"'):]
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    item_link = f"/supplier/batches/{GTIN}/{LOT}?find={serial}&amp;reported=1#items"
    assert f'href="{item_link}"' in card
    assert "查看这件商品" in card and "查看批次" in card  # the forged one: its batch only
    assert card.count("这个序列号印在伪造的标签上") == 1
    found = supplier.get(item_link.replace("&amp;", "&")).get_data(as_text=True)
    assert serial in found and "这是买家举报的那件商品" in found
    # Not handed to the void form, as a search is: the buyer may hold the genuine item.
    assert 'name="serial" type="text" required maxlength="2048" autocapitalize="characters" ' \
        'value=""' in found and "作废或召回这个码" not in found
    searched = supplier.get(f"/supplier/batches/{GTIN}/{LOT}?find={serial}").get_data(
        as_text=True)
    assert "这是买家举报的那件商品" not in searched and "作废或召回这个码" in searched


def test_a_serial_reported_only_from_forged_labels_is_not_offered_to_void(
        client, issued_urls, make_account, sign_in):
    """Trial 4: the home page told the supplier not to void the genuine item a forged
    label copies, but looking its serial up offered 作废或召回这个码, filled in."""
    assert post_report(client, forged(issued_urls[1])[len(BASE_URL):]).status_code == 200
    supplier = sign_in(client, make_account("supplier", "qc@pearl.example.cn", org=CREDIT_CODE))
    serial = issued_urls[1].split("/21/")[1].split("?")[0]
    searched = supplier.get(f"/supplier/batches/{GTIN}/{LOT}?find={serial}").get_data(
        as_text=True)
    notice = searched[searched.index('id="forged-serial"'):]
    assert "买家举报的是印着这个序列号的伪造标签，不是这件正品" in notice[:notice.index("</p>")]
    assert "作废或召回这个码" not in searched
    assert 'autocapitalize="characters" value=""' in searched  # the void form left empty
    other = issued_urls[2].split("/21/")[1].split("?")[0]  # a serial nobody reported
    plain = supplier.get(f"/supplier/batches/{GTIN}/{LOT}?find={other}").get_data(as_text=True)
    assert 'id="forged-serial"' not in plain and "作废或召回这个码" in plain


def test_a_gift_s_recipient_is_told_what_to_write_for_where_it_was_bought(client, issued_urls):
    """A trial's tourist, given the tea, did not know what to put as 在哪里买的."""
    form = client.get("/report?code=" + issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert "别人送的，写“别人送的”即可" in form
    english = client.get("/report?lang=en").get_data(as_text=True)
    assert 'if it was a gift, just write "a gift"' in english.replace("&#34;", '"')


def test_the_buyer_is_told_whether_they_will_hear_back_and_what_the_number_is_for(
        client, issued_urls):
    code = issued_urls[0][len(BASE_URL):]
    with_phone = post_report(client, code, contact="138 0000 0000").get_data(as_text=True)
    assert "平台工作人员会按您留下的联系方式回访" in with_phone
    assert "请记下举报编号 1" in with_phone and 'href="tel:4000000000"' in with_phone
    unnamed = post_report(client, code, what_seen="另一条", address="198.51.100.9")
    assert "您没有留下联系方式，平台没法主动告诉您核查结果" in unnamed.get_data(as_text=True)


def test_the_buyer_reopens_their_report_from_its_link_and_reads_the_result(
        app, client, db, issued_urls):
    """A buyer's report number led nowhere: nothing could be looked up with it."""
    code = issued_urls[0][len(BASE_URL):]
    sent = post_report(client, code, jpeg_with_gps(), contact="138 0000 0000", follow=False)
    # Sent, the page is its receipt: the address a buyer saves shows the result later.
    assert sent.status_code == 303
    landed = urlsplit(sent.headers["Location"])
    assert re.fullmatch(r"/report/1/[0-9a-f]{24}", landed.path)
    assert parse_qs(landed.query) == {"sent": ["1"], "back": [code]}
    receipt = landed.path
    first = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "举报已收到" in first and 'id="keep-page"' in first and "收藏这一页" in first
    assert f'href="{escape(code)}">返回查询结果' in first
    assert "照片</dt><dd>已收到 1 张（拍摄地点等信息已去掉）" in first  # it arrived
    other_phone = app.test_client()  # the link alone opens it, from any browser
    page = other_phone.get(receipt)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "举报编号 1" in html and "平台已收到您的举报，正在核查" in html
    assert "珠子表面有胶痕，像塑料" in html and "诸暨淡水珍珠项链" in html
    assert "138 0000 0000" not in html  # the contact stays with the platform
    for wrong in ("/report/1/" + "0" * 24, receipt.replace("/report/1/", "/report/2/"),
                  "/report/1/%E4%B8%AD%E6%96%87"):  # not ASCII: no 500
        assert other_phone.get(wrong).status_code == 404
    reports.mark_handled(db, 1, actor="ops@trace.example.cn", outcome="unfounded",
                         note="供货商王经理确认是正品，已电话告知")
    html = other_phone.get(receipt).get_data(as_text=True)
    assert "不属实（不是假货，也不是质量问题" in html and html.count("不是假货，也不是质量问题") == 1  # said once
    assert "王经理" not in html and "ops@trace.example.cn" not in html  # the note is ours
    saved = other_phone.get(receipt + "?sent=1&back=" + quote(code, safe="")).get_data(as_text=True)
    assert "举报已收到" not in saved and "不属实" in saved  # the address kept, read later


def test_the_reporter_opening_the_item_again_is_shown_the_report_and_its_progress(
        app, client, issued_urls):
    """A trial's buyer rescanned the item he had reported: nothing said he had."""
    code = issued_urls[0][len(BASE_URL):]
    assert 'id="your-report"' not in client.get(code).get_data(as_text=True)
    sent = post_report(client, code, follow=False)
    receipt = sent.headers["Location"].split("?")[0]
    again = client.get(code).get_data(as_text=True)
    line = again[again.index('id="your-report"'):].split("</p>")[0]
    assert "举报过这件商品（举报编号 1）" in line and f'href="{receipt}"' in line
    other_item = client.get(issued_urls[1][len(BASE_URL):]).get_data(as_text=True)
    assert 'id="your-report"' not in other_item  # only the item it was about
    assert 'id="your-report"' not in app.test_client().get(code).get_data(as_text=True)
    post_report(client, code, what_seen="又看了一遍，扣头也不一样")  # a second: both kept
    again = client.get(code).get_data(as_text=True)
    assert "举报编号 1）" in again and "举报编号 2）" in again
    kept = client.get_cookie("trace_reports", domain="trace.example.cn").value
    assert '"' not in kept and kept.count("-") == 2  # two pieces, never a quoted value
    for piece, shown in ((kept, True), ("1-" + "0" * 24, False)):  # a made-up token: nothing
        another = app.test_client()
        another.set_cookie("trace_reports", piece, domain="trace.example.cn")
        assert ('id="your-report"' in another.get(code).get_data(as_text=True)) is shown


def test_a_report_on_a_forged_code_naming_no_product_still_has_its_receipt(
        app, client, db, issued_urls):
    fake = forged(issued_urls[0]).replace(GTIN, "09521234000020")  # a barcode nobody holds
    sent = post_report(client, fake[len(BASE_URL):], follow=False)
    receipt = sent.headers["Location"].split("?")[0]
    page = client.get(receipt)
    assert page.status_code == 200 and "正在核查" in page.get_data(as_text=True)
