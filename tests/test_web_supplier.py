"""The supplier workspace through the real app: sign-up and approval, products,
batches, issuing with progress, CSV and label downloads, voids and recalls."""

from __future__ import annotations

import re

import csv
import io
import time
from urllib.parse import parse_qs, urlsplit
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from trace import agencies, catalog, corrections, jobs, keys
from trace.issuing import export_rows
from trace.codes import group_serial, parse_code

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT, forged, form_token, post_form

PEARL = "pearls@trace.example.cn"
SIGN_UP_CONTACT = {"phone": "0573-87654321", "address": "浙江省海宁市许村镇", "contact_name": "王经理"}


@pytest.fixture
def supplier(client, make_batch, make_account, sign_in, issuer):
    """The pearl supplier (approved, added by the operator), signed in, with one batch."""
    make_batch()
    sign_in(client, make_account("supplier", PEARL, org=CREDIT_CODE))
    return client


def wait_for(db, job_id: int) -> jobs.Job:
    """The job once it has stopped (its thread runs beside the request)."""
    for _ in range(600):
        job = jobs.get_job(db, job_id)
        if job.state != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running")


def issue(client, db, count: int, lot: str = LOT, **extra) -> jobs.Job:
    page = f"/supplier/batches/{GTIN}/{lot}"
    response = post_form(client, page + "/issue", {"count": str(count), **extra}, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return wait_for(db, job_id)


def test_the_home_page_says_when_a_lab_fails_or_withdraws_a_batchs_report(app, supplier, db):
    from test_live import withdraw_the_report
    from test_web_public import _stored_report
    _stored_report(app, db)
    assert 'id="lab-news"' not in supplier.get("/supplier/").get_data(as_text=True)
    withdraw_the_report(app, db)
    html = supplier.get("/supplier/").get_data(as_text=True)
    news = html[html.index('id="lab-news"'):html.index("</section>", html.index('id="lab-news"'))]
    assert "检测机构撤回了报告 ZJPQ-2026-0815" in news and "请重新送检" in news
    assert f"/supplier/batches/{GTIN}/{LOT}#lab" in news
    # The batch's own line below no longer says 正常 under the red notice.
    listed = html[html.index('id="lab-news"') + len(news):]
    assert '<strong class="bad">检测报告已撤回</strong>' in listed and "· 正常" not in listed
    batch = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    lab = batch[batch.index('id="lab"'):]
    assert "· 撤回声明（撤回了第 1 版）" in lab and "· 已被撤回（撤回声明是第 2 版）" in lab
    assert "已被更正" not in lab


def test_the_home_page_lists_only_this_suppliers_products_and_batches(supplier, db):
    other = catalog.add_supplier(db, "别家公司", "91330100MA27XL0Y34")
    catalog.add_product(db, other, "06901234567892", "别家的茶叶")
    html = supplier.get("/supplier/").get_data(as_text=True)
    assert "诸暨淡水珍珠项链" in html and LOT in html
    assert "别家的茶叶" not in html and "6901234567892" not in html


def test_create_a_product_and_a_batch(supplier, db):
    response = post_form(supplier, "/supplier/products/new", {
        "gtin": "6901234567892", "name": "龙井茶 明前特级", "shelf_life_days": "540",
        "storage": "密封、避光、冷藏"})
    assert response.status_code == 303
    product = catalog.get_product(db, "06901234567892")  # the EAN-13 is padded
    assert product.shelf_life_days == 540 and product.storage == "密封、避光、冷藏"
    response = post_form(supplier, "/supplier/batches/new", {
        "gtin": product.gtin, "lot": "lj-2604", "produced_on": "2026-04-01"})
    assert response.status_code == 303
    batch = catalog.get_batch(db, product.gtin, "LJ-2604")
    assert batch.expires_on == "2027-09-23"  # production date plus shelf life
    # Kept upper case without a word, a trial's clerk would print jx2611-01 on the box.
    page = supplier.get(response.headers["Location"]).get_data(as_text=True)
    assert "批次号按标签上的写法保存为 LJ-2604（您输入的是 lj-2604" in page
    response = post_form(supplier, "/supplier/batches/new", {
        "gtin": product.gtin, "lot": "LJ-2605", "produced_on": "2026-04-01"})
    assert "批次号按标签上的写法" not in supplier.get(response.headers["Location"]).get_data(
        as_text=True)  # said only when it differs
    # A planned count as a grower says it: 200箱 is 200 labels (a trial's co-op).
    for lot, said in (("LJ-2606", "200箱"), ("LJ-2607", "1,500 件")):
        response = post_form(supplier, "/supplier/batches/new", {
            "gtin": product.gtin, "lot": lot, "produced_on": "2026-04-01", "quantity": said})
        assert response.status_code == 303, said
    assert [catalog.get_batch(db, product.gtin, lot).quantity_planned
            for lot in ("LJ-2606", "LJ-2607")] == [200, 1500]
    refused = post_form(supplier, "/supplier/batches/new", {
        "gtin": product.gtin, "lot": "LJ-2608", "produced_on": "2026-04-01", "quantity": "箱"})
    assert refused.status_code == 400 and "计划数量须为大于 0 的整数" in refused.get_data(
        as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"gtin": "6901234567893", "name": "茶"}, "核对不上"),
    ({"gtin": "6 951234 50001", "name": "珍珠"}, "漏输了一位"),  # 69…, one digit short
    ({"gtin": GTIN, "name": "重复"}, "在工作台首页的商品里可以找到它"),
    ({"gtin": "6901234567892。", "name": "茶"}, "里面有数字以外的字符：。"),  # a stray full stop
    ({"gtin": "6901234567892", "name": ""}, "请填写商品名称"),
    ({"gtin": "6901234567892", "name": "茶", "shelf_life_days": "很久"}, "或写成 18个月、2年"),
])
def test_a_bad_product_form_says_why_and_stores_nothing(supplier, db, fields, message):
    before = db.execute("SELECT count(*) FROM products").fetchone()[0]
    response = post_form(supplier, "/supplier/products/new", fields)
    assert response.status_code in (400, 409)
    assert message in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == before


def test_a_product_form_says_every_problem_at_once_and_reads_months(supplier, db):
    """A wrong check digit and '18个月' were said one a submit, the barcode second."""
    response = post_form(supplier, "/supplier/products/new", {
        "gtin": "6971234567891", "name": "西湖龙井", "shelf_life_days": "半年多",
        "licence_no": "SC123"})
    html = response.get_data(as_text=True)
    alert = html[html.index('role="alert"'):html.index("</div>", html.index('role="alert"'))]
    assert response.status_code == 400 and "请修改以下 3 处" in alert
    assert "核对不上" in alert and "保质期“半年多”看不懂" in alert and "SC 加 14 位数字" in alert
    assert alert.index("核对不上") < alert.index("保质期")  # in the form's order
    done = post_form(supplier, "/supplier/products/new", {
        "gtin": "6971234567895", "name": "西湖龙井", "shelf_life_days": "18 个月"})
    assert done.status_code == 303
    assert catalog.get_product(db, "6971234567895").shelf_life_months == 18
    catalog.new_batch(db, "06971234567895", "LJ-1", produced_on="2026-01-31")
    page = supplier.get("/supplier/batches/06971234567895/LJ-1").get_data(as_text=True)
    assert "<dt>保质期</dt><dd>18 个月</dd>" in page and "2027-07-31" in page  # as buyers read it
    form = supplier.get("/supplier/products/6971234567895/edit").get_data(as_text=True)
    assert 'name="shelf_life_days" type="text" maxlength="12" value="18个月"' in form


def food_fields(html: str) -> str:
    """The product form's folded block of food-only fields, its opening tag first."""
    return html[html.index('<details class="food-fields"'):html.index("</details>")]


def test_the_food_only_fields_are_folded_for_goods_that_are_not_food(supplier, db):
    """A textile clerk was shown 保质期 and 生产许可证 among her own fields."""
    blank = food_fields(supplier.get("/supplier/products/new").get_data(as_text=True))
    assert " open>" not in blank.split("\n")[0] and 'name="licence_no"' in blank
    pearl = supplier.get(f"/supplier/products/{GTIN}/edit").get_data(as_text=True)
    assert " open>" not in food_fields(pearl).split("\n")[0]
    refused = post_form(supplier, "/supplier/products/new", {  # a slip elsewhere on the form
        "gtin": "6901234567893", "name": "西湖龙井", "category": "绿茶"})
    assert refused.status_code == 400
    assert " open>" in food_fields(refused.get_data(as_text=True)).split("\n")[0]
    post_form(supplier, "/supplier/products/new", {
        "gtin": "6901234567892", "name": "蚕丝被", "category": "家纺", "storage": "防潮",
        "fibre_content": "100%桑蚕丝"})
    silk = supplier.get("/supplier/products/6901234567892/edit").get_data(as_text=True)
    assert " open>" in food_fields(silk).split("\n")[0]  # what was typed is never hidden
    named = post_form(supplier, "/supplier/products/new", {"gtin": "6901234567893",
                                                           "name": "常山胡柚礼盒"})
    assert " open>" in food_fields(named.get_data(as_text=True)).split("\n")[0]  # by its name


def test_issue_with_progress_then_download_csv_and_labels(supplier, db):
    job = issue(supplier, db, 50)
    assert job.state == "finished" and job.done == 50
    page = supplier.get(f"/supplier/jobs/{job.id}").get_data(as_text=True)
    assert "这次发出了 50 个码。现在可以下载码表" in page
    again = issue(supplier, db, 20)  # back, and the form sent again: said, not hidden
    assert "这次发出了 20 个码，本批次现共有 70 个码（含其他几次发的）" in supplier.get(
        f"/supplier/jobs/{again.id}").get_data(as_text=True)
    # The first run's page, read again, says what that run did, not that it made 70.
    assert "这次发出了 50 个码，本批次现共有 70 个码" in supplier.get(
        f"/supplier/jobs/{job.id}").get_data(as_text=True)
    batch_page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "用您登录本工作台的同一个 App 扫码" in batch_page  # test scans that count
    response = supplier.get(f"/supplier/batches/{GTIN}/{LOT}/codes.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw  # Excel: BOM, CRLF
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 70 and all(
        group_serial(parse_code(r["二维码网址"], BASE_URL).serial) == r["追溯码"] for r in rows)
    workbook = supplier.get(f"/supplier/batches/{GTIN}/{LOT}/codes.xlsx")
    assert workbook.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert workbook.get_data()[:2] == b"PK"  # a zip, as every .xlsx is
    pdf = supplier.get(f"/supplier/batches/{GTIN}/{LOT}/labels/a4-3x8/1.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.get_data())
    assert len(document) == 3  # 70 labels, 24 a sheet
    image = document[0].render(scale=300 / 72).to_pil()
    scanned = {result.text for result in zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert len(scanned) == 24 and scanned <= {r["二维码网址"] for r in rows}


def test_one_top_ups_labels_or_a_few_to_reprint_download_alone(supplier, db):
    issue(supplier, db, 50)
    issue(supplier, db, 30)
    urls = [row["url"] for row in export_rows(db, GTIN, LOT, BASE_URL)]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    html = supplier.get(page).get_data(as_text=True)
    assert "第 2 次发码：第 51–80 个（30 个码" in html
    second = supplier.get(page + "/labels/a4-3x8/range.pdf?first=51&last=80")
    assert second.status_code == 200 and second.headers["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(second.get_data())
    assert len(document) == 2  # 30 labels, 24 a sheet
    scanned = {result.text for number in range(2) for result in zxingcpp.read_barcodes(
        document[number].render(scale=300 / 72).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)}
    assert scanned == set(urls[50:80])
    one = pypdfium2.PdfDocument(supplier.get(page + "/labels/a4-3x8/range.pdf?first=7&last=7")
                                .get_data())
    assert [r.text for r in zxingcpp.read_barcodes(one[0].render(scale=300 / 72).to_pil(),
                                                   formats=zxingcpp.BarcodeFormat.QRCode)] \
        == [urls[6]]
    # Label 7 again: asked first (one code on two items reads 可疑), then given. The
    # first box alone is that one label (a trial office filled in 17 and stopped).
    asked = supplier.get(page + "/labels/a4-3x8/range.pdf?first=7&last=")
    text = asked.get_data(as_text=True)
    assert asked.headers["Content-Type"].startswith("text/html") and 'id="print-again"' in text
    assert "第 7 个标签中，有 1 个之前已经下载过" in text and "买家扫码会看到“可疑”" in text
    go_on = re.search(r'href="([^"]+again=1)"', text).group(1).replace("&amp;", "&")
    assert go_on == page + "/labels/a4-3x8/range.pdf?first=7&last=&again=1"
    alone = pypdfium2.PdfDocument(supplier.get(go_on).get_data())
    assert [r.text for r in zxingcpp.read_barcodes(alone[0].render(scale=300 / 72).to_pil(),
                                                   formats=zxingcpp.BarcodeFormat.QRCode)] \
        == [urls[6]]
    # On a part-used sheet (3 x 8), from its 5th label: the second row, middle column.
    slotted = pypdfium2.PdfDocument(supplier.get(
        page + "/labels/a4-3x8/range.pdf?first=7&last=7&slot=5&again=1").get_data())
    image = slotted[0].render(scale=150 / 72).to_pil()
    (found_one,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    middle_x = (found_one.position.top_left.x + found_one.position.bottom_right.x) / 2
    middle_y = (found_one.position.top_left.y + found_one.position.bottom_right.y) / 2
    assert 1 / 3 < middle_x / image.width < 2 / 3 and 1 / 8 < middle_y / image.height < 2 / 8
    late = supplier.get(page + "/labels/a4-3x8/range.pdf?first=7&last=7&slot=25")
    assert late.status_code == 400 and "起始格请填 1 到 24 之间的整数" in late.get_data(as_text=True)
    # A damaged label found by its code: one button reprints it alone.
    serial = urls[56].split("/21/")[1].split("?")[0]
    found = supplier.get(page + f"?find={serial}").get_data(as_text=True)
    button = re.search(r'id="reprint-one" href="([^"]+)"', found).group(1).replace("&amp;", "&")
    assert "补印这张标签（第 57 个）" in found and button.endswith("first=57&last=57")
    assert "作废或召回这个码（已填入上方表单）" in found
    on_tag = supplier.get(page + f"?stock=thermal-40x30&find={serial}").get_data(as_text=True)
    assert "/labels/thermal-40x30/range.pdf?first=57&amp;last=57" in on_tag  # the stock chosen
    assert f'name="find" value="{serial}"' in on_tag.split('id="stock"')[0]  # kept on a switch
    assert 'name="stock" value="thermal-40x30"' in on_tag.split('id="find"')[0]
    again = pypdfium2.PdfDocument(supplier.get(button + "&again=1").get_data())
    assert [r.text for r in zxingcpp.read_barcodes(again[0].render(scale=300 / 72).to_pil(),
                                                   formats=zxingcpp.BarcodeFormat.QRCode)] \
        == [urls[56]]
    from trace import recalls
    recalls.void_item(db, parse_code(urls[56], BASE_URL), "标签被复制", actor="qc")
    found = supplier.get(page + f"?find={serial}").get_data(as_text=True)
    assert "作废或召回这个码" not in found and 'id="reprint-one"' not in found  # final
    voided = supplier.get(page + "/labels/a4-3x8/range.pdf?first=57&last=57")
    text = voided.get_data(as_text=True)  # told beside the form, with what to do instead
    assert voided.status_code == 400 and "请再发 1 个新码" in text
    assert text.index("请再发 1 个新码") > text.index('id="range"')
    for first, last, said in (("0", "3", "第 0 到第 3 个不在其中"), ("5", "81", "本批次只有 80 个码，“到第几个”最多填 80"),
                              ("9", "3", "请对调"), ("a", "3", "请用整数"),
                              ("", "", "请填写从第几个到第几个")):
        refused = supplier.get(page + f"/labels/a4-3x8/range.pdf?first={first}&last={last}")
        text = refused.get_data(as_text=True)
        assert refused.status_code == 400 and said in text
        assert 'id="range"' in text and text.index(said) > text.index('id="range"')
    # Refused, the form is still the chosen stock's, its sheet slot kept: a trial's
    # second try downloaded pearl tags where she had chosen A4.
    refused = supplier.get(page + "/labels/a4-4x10/range.pdf?first=4l&last=60&slot=5")
    form = refused.get_data(as_text=True).split('id="range"')[0].rsplit("<form", 1)[1]
    assert "/labels/a4-4x10/range.pdf" in form  # not the A4 3 × 8 last printed on
    assert 'name="slot"' in refused.get_data(as_text=True) and 'value="5"' in \
        refused.get_data(as_text=True).split('id="range-slot"')[1][:200]


def test_the_running_page_refreshes_itself_until_done(supplier, db):
    running = jobs.start(db, "issue", owner_id=1, subject=f"{GTIN}/{LOT}", total=1000)
    jobs.advance(db, running.id, 400)
    response = supplier.get(f"/supplier/jobs/{running.id}")
    assert response.headers["Refresh"] == "1" and "400 / 1,000" in response.get_data(as_text=True)
    jobs.finish(db, running.id)
    assert "Refresh" not in supplier.get(f"/supplier/jobs/{running.id}").headers


def test_a_batch_larger_than_a_part_is_offered_part_by_part(supplier, db):
    assert issue(supplier, db, 5_001, over_plan="1").state == "finished"  # planned 100
    html = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "/labels/a4-3x8/1.pdf" in html and "/labels/a4-3x8/2.pdf" in html
    assert "/labels/a4-3x8/3.pdf" not in html
    chosen = supplier.get(f"/supplier/batches/{GTIN}/{LOT}?stock=thermal-40x30").get_data(
        as_text=True)
    assert "/labels/thermal-40x30/2.pdf" in chosen and "热敏卷标 40 × 30 mm" in chosen
    second = supplier.get(f"/supplier/batches/{GTIN}/{LOT}/labels/thermal-40x30/2.pdf")
    assert len(pypdfium2.PdfDocument(second.get_data())) == 1  # the 5,001st label
    assert supplier.get(f"/supplier/batches/{GTIN}/{LOT}/labels/a4-3x8/3.pdf").status_code == 404


def test_one_code_is_found_in_the_codes_table_however_it_is_given(supplier, db):
    issue(supplier, db, 150, over_plan="1")  # two pages of the table
    rows = list(export_rows(db, GTIN, LOT, BASE_URL))
    wanted = rows[129]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    for given in (wanted["serial"].lower(), group_serial(wanted["serial"]), wanted["url"]):
        html = supplier.get(page, query_string={"find": given}).get_data(as_text=True)
        table = html[html.index('id="items"'):]
        assert table.count("<tr><td") == 1 and group_serial(wanted["serial"]) in table
        assert "只显示这个码" in table and "第 1 / 2 页" not in table
        assert 'id="serial" name="serial"' in html  # the void/recall form, filled in
        assert f'value="{group_serial(wanted["serial"])}"' in html.split('id="serial"')[1][:300]
    missing = supplier.get(page, query_string={"find": "AAAA-BBBB-CCCC"})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 200 and "本批次没有追溯码 AAAA-BBBB-CCCC" in html
    assert html[html.index('id="items"'):].count("<tr><td") == 100  # the table stays
    assert "第 1 / 2 页" in html and f'{page}?page=2#items"' in html
    forged_html = supplier.get(page, query_string={"find": forged(wanted["url"])}).get_data(
        as_text=True)
    assert "伪造" in forged_html and "只显示这个码" not in forged_html


def test_a_batched_product_is_corrected_with_a_reason_buyers_then_see(supplier, db, client):
    issue(supplier, db, 1)
    url = next(iter(export_rows(db, GTIN, LOT, BASE_URL)))["url"]
    page = f"/supplier/products/{GTIN}/edit"
    form = supplier.get(page).get_data(as_text=True)
    assert 'value="珠径 8–9 mm"' in form and "防篡改账本" in form and 'name="gtin"' not in form
    fields = {"name": "诸暨淡水珍珠项链", "specification": "珠径 7–8 mm", "origin": "浙江省诸暨市",
              "standard": "GB/T 18781-2023"}
    refused = post_form(supplier, page, fields, page=page)
    assert refused.status_code == 400 and "请填写更正原因" in refused.get_data(as_text=True)
    assert 'value="珠径 7–8 mm"' in refused.get_data(as_text=True)  # what was typed stays
    assert catalog.get_product(db, GTIN).specification == "珠径 8–9 mm"
    done = post_form(supplier, page, {**fields, "reason": "规格录入错误"}, page=page)
    assert done.status_code == 303
    after = supplier.get(page).get_data(as_text=True)
    assert "商品信息已保存" in after and "规格录入错误" in after and "删除这件商品" not in after
    scan = client.get(url.replace(BASE_URL, "")).get_data(as_text=True)
    assert "变更与召回记录" in scan
    note = scan.index("供货商在")  # beside the product, where the buyer compares
    assert note < scan.index("珠径 7–8 mm") and 'href="#changes"' in scan[note:note + 200]
    history = scan[scan.index("商品信息更正"):]
    assert "珠径 8–9 mm" in history and "珠径 7–8 mm" in history and "规格录入错误" in history


def test_a_product_without_a_batch_is_corrected_freely_and_can_be_deleted(supplier, db):
    catalog.add_product(db, catalog.find_supplier(db, CREDIT_CODE), "09521234000020", "龙井")
    page = "/supplier/products/09521234000020/edit"
    assert "修改原因" not in supplier.get(page).get_data(as_text=True)
    post_form(supplier, page, {"name": "西湖龙井", "shelf_life_days": "５４０"}, page=page)
    product = catalog.get_product(db, "09521234000020")
    assert (product.name, product.shelf_life_days) == ("西湖龙井", 540)
    unticked = post_form(supplier, "/supplier/products/09521234000020/delete", {}, page=page)
    assert unticked.status_code == 400 and 'value="西湖龙井"' in unticked.get_data(as_text=True)
    gone = post_form(supplier, "/supplier/products/09521234000020/delete", {"confirm": "1"},
                     page=page)
    assert gone.status_code == 303 and "已删除 西湖龙井" in supplier.get("/supplier/").get_data(
        as_text=True)
    kept = post_form(supplier, f"/supplier/products/{GTIN}/delete", {"confirm": "1"},
                     page=f"/supplier/products/{GTIN}/edit")
    assert kept.status_code == 409 and catalog.get_product(db, GTIN)


def test_the_batch_page_names_the_voided_code_the_stock_and_a_recall(supplier, db):
    issue(supplier, db, 2)
    serial = db.execute("SELECT serial FROM items ORDER BY id LIMIT 1").fetchone()[0]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    post_form(supplier, page + "/items", {"serial": serial, "action": "void", "confirm": "1",
                                          "reason": "标签损坏"}, page=page)
    html = supplier.get(page).get_data(as_text=True)
    history = html[html.index("追溯码作废"):][:200]
    assert group_serial(serial) in history and "标签损坏" in history
    assert "PDF 1 · 1–2（可打印 1 张，作废的不打印） · A4" in html  # the stock it prints on
    post_form(supplier, page + "/status", {"action": "recall", "confirm": "1",
                                           "reason": "抽检不合格"}, page=page)
    recalled = supplier.get(page).get_data(as_text=True)
    assert 'class="notice notice-bad" role="alert">本批次已召回（抽检不合格）' in recalled


def test_buyers_reports_about_its_products_reach_the_supplier_without_contacts(
        supplier, db):
    from trace import reports
    assert 'id="reports"' not in supplier.get("/supplier/").get_data(as_text=True)
    reports.submit_report(db, reports.ReportForm(
        "珠子有胶痕", "某直播间 12 号链接", contact="138 0000 0000", gtin=GTIN, lot=LOT,
        serial="AAAABBBBCCCC", verdict="forged"), network="n1")
    reports.submit_report(db, reports.ReportForm("别家的茶", "淘宝", gtin="09521234000020"),
                          network="n2")
    html = supplier.get("/supplier/").get_data(as_text=True)
    card = html[html.index('id="reports"'):]
    assert "买家举报假货或质量问题（共 1 条）" in card and "伪造的码" in card and "AAAA-BBBB-CCCC" in card
    assert "珠子有胶痕" in card and "某直播间 12 号链接" in card
    assert "138 0000 0000" not in html and "别家的茶" not in html


def test_after_a_top_up_the_new_labels_alone_are_offered_first(supplier, db):
    """A trial printed 20, issued 5 more the next day, and was led to reprint all 25:
    the big button was the whole batch, and the warning's main button 仍然下载."""
    issue(supplier, db, 20)
    page = f"/supplier/batches/{GTIN}/{LOT}"
    assert 'id="new-labels"' not in supplier.get(page).get_data(as_text=True)  # none printed
    assert supplier.get(page + "/labels/a4-3x8/1.pdf").status_code == 200
    issue(supplier, db, 5)
    html = supplier.get(page).get_data(as_text=True)
    offer = html[html.index('id="new-labels"'):html.index('<ul class="parts">')]
    assert "只下载没下载过的第 21–25 个" in offer
    new = re.search(r'href="([^"]+)"', offer).group(1).replace("&amp;", "&")
    assert new.endswith("/labels/a4-3x8/range.pdf?first=21&last=25")
    assert '<li><a class="button secondary" href="' + page + "/labels/a4-3x8/1.pdf" in html
    asked = supplier.get(page + "/labels/a4-3x8/1.pdf").get_data(as_text=True)  # all 25 again
    assert 'id="print-again"' in asked and "有 20 个之前已经下载过" in asked
    only = asked[asked.index('id="new-only"'):]
    assert only.index("只下载没下载过的第 21–25 个") < only.index("仍然下载")
    pdf = supplier.get(new)
    assert pdf.headers["Content-Type"] == "application/pdf"  # never downloaded: no question
    scanned = {r.text for r in zxingcpp.read_barcodes(
        pypdfium2.PdfDocument(pdf.get_data())[0].render(scale=300 / 72).to_pil(),
        formats=zxingcpp.BarcodeFormat.QRCode)}
    urls = [row["url"] for row in export_rows(db, GTIN, LOT, BASE_URL)]
    assert scanned == set(urls[20:25])
    assert 'id="new-labels"' not in supplier.get(page).get_data(as_text=True)  # all printed


def test_a_batch_form_sent_again_links_to_the_batch_it_made(supplier, db):
    catalog.add_product(db, catalog.find_supplier(db, CREDIT_CODE), "09521234000020", "龙井")
    form = supplier.get("/supplier/batches/new").get_data(as_text=True)
    assert 'value="" selected disabled>请选择商品' in form  # two products: none chosen for you
    assert "生产日期 <span class=\"note\">水果、生鲜填采摘或包装日期</span>" in form  # a grower's
    fields = {"gtin": GTIN, "lot": "ZJ-2612-B", "produced_on": "2026-11-20"}
    first = post_form(supplier, "/supplier/batches/new", fields, page="/supplier/batches/new")
    again = post_form(supplier, "/supplier/batches/new", fields, page="/supplier/batches/new")
    assert first.status_code == 303 and again.status_code == 409
    assert f'href="/supplier/batches/{GTIN}/ZJ-2612-B">打开批次 ZJ-2612-B' in again.get_data(
        as_text=True)


def test_a_batch_is_corrected_from_its_page_and_buyers_see_the_date_change(
        supplier, db, client):
    issue(supplier, db, 1)
    url = next(iter(export_rows(db, GTIN, LOT, BASE_URL)))["url"]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    fields = {"produced_on": "2026-11-09", "expires_on": "", "quantity": "1,000",
              "notes": "明前特级"}
    refused = post_form(supplier, page + "/edit", fields, page=page)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "请填写更正原因" in html
    assert '<details class="edit" id="edit" open>' in html and 'value="2026-11-09"' in html
    done = post_form(supplier, page + "/edit", {**fields, "reason": "生产日期录错"}, page=page)
    assert done.status_code == 303
    fixed = catalog.get_batch(db, GTIN, LOT)
    assert (fixed.produced_on, fixed.quantity_planned, fixed.notes) == (
        "2026-11-09", 1000, "明前特级")
    scan = client.get(url.replace(BASE_URL, "")).get_data(as_text=True)
    history = scan[scan.index("批次信息更正"):]
    assert "2026-11-10" in history and "2026-11-09" in history and "生产日期录错" in history
    assert "明前特级" not in scan  # the notes stay the supplier's


def test_voiding_an_unknown_or_void_code_says_why_beside_the_form(supplier, db):
    empty = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert 'name="action" value="void"' not in empty  # no code yet, nothing to void
    issue(supplier, db, 1)
    serial = db.execute("SELECT serial FROM items").fetchone()[0]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    unknown = post_form(supplier, page + "/items",
                        {"serial": "AAAA-BBBB-CCCC", "action": "void", "confirm": "1",
                         "reason": "破损"}, page=page)
    assert unknown.status_code == 404 and "本批次没有追溯码" in unknown.get_data(as_text=True)
    assert 'value="AAAA-BBBB-CCCC"' in unknown.get_data(as_text=True)
    for _ in range(2):
        again = post_form(supplier, page + "/items",
                          {"serial": serial, "action": "void", "confirm": "1", "reason": "破损"},
                          page=page)
    assert again.status_code == 409 and "已作废，作废的码不能再改" in again.get_data(as_text=True)
    catalog.new_batch(db, GTIN, "ZJ-2611-B", produced_on="2026-11-10")
    other = f"/supplier/batches/{GTIN}/ZJ-2611-B"
    elsewhere = post_form(supplier, other + "/items",  # the page's form is not shown yet
                          {"serial": serial, "action": "void", "confirm": "1", "reason": "破损"},
                          page=page)
    assert f"它属于同一商品的批次 {LOT}" in elsewhere.get_data(as_text=True)
    # Another of the supplier's products: named too (a trial was told only 本批次没有).
    catalog.add_product(db, catalog.find_supplier(db, CREDIT_CODE), "09521234000020", "龙井")
    catalog.new_batch(db, "09521234000020", "LJ-2611", produced_on="2026-11-10")
    tea = "/supplier/batches/09521234000020/LJ-2611"
    astray = post_form(supplier, tea + "/items",
                       {"serial": serial, "action": "void", "confirm": "1", "reason": "破损"},
                       page=page)
    assert f"它属于贵公司另一商品“诸暨淡水珍珠项链”的批次 {LOT}" in astray.get_data(as_text=True)


def plain_codes_by_api(app, db, count: int) -> None:
    """Codes without PINs, as the API or the command line may add to any batch (the
    web form refuses mixing kinds)."""
    from trace.issuing import issue_codes
    issue_codes(db, keys.load_signer(db, app.config["KEYS_DIR"]), GTIN, LOT, count)


def test_the_web_form_refuses_to_mix_codes_with_and_without_pins(supplier, db):
    """A supplier issued 3,000 PIN codes into a batch of plain ones and then found no
    label stock would print them."""
    page = f"/supplier/batches/{GTIN}/{LOT}"
    issue(supplier, db, 2)
    form = supplier.get(page).get_data(as_text=True)
    assert "本批次的码都不带刮开式防伪密码" in form and 'name="with_pin"' not in form
    refused = post_form(supplier, page + "/issue", {"count": "5", "with_pin": "1"}, page=page)
    assert refused.status_code == 400
    assert "本批次已有 2 个不带刮开式防伪密码的码" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 2
    assert issue(supplier, db, 3).state == "finished"  # the same kind goes on


def test_a_mixed_batch_prints_its_pin_top_up_apart_on_a_pin_stock(app, supplier, db):
    """A mixed batch (a top-up without PINs, one with): the whole-batch files offer
    only stocks that print every code, and the PIN top-up downloads on its own, on a
    PIN stock, with its PINs."""
    page = f"/supplier/batches/{GTIN}/{LOT}"
    issue(supplier, db, 2, with_pin="1")
    assert "thermal-50x30-pin" in supplier.get(page).get_data(as_text=True)
    plain_codes_by_api(app, db, 3)
    html = supplier.get(page).get_data(as_text=True)
    menu = html.split('id="stock"')[1].split("</select>")[0]
    assert "thermal-50x30-pin" not in menu
    assert "本批次有 2 个码带刮开式防伪密码、3 个不带" in html and "按次下载" in html
    for stock in re.findall(r'<option value="([^"]+)"', menu):  # every stock offered prints
        got = supplier.get(f"{page}/labels/{stock}/1.pdf?again=1")  # one file, many stocks
        assert got.status_code == 200 and got.get_data()[:5] == b"%PDF-", stock
    links = re.findall(r'href="([^"]+/range\.pdf\?[^"]+)"', html)
    assert [link.split("/labels/")[1].split("/")[0] for link in links] == [
        "thermal-50x30-pin", "a4-3x8"]
    pins = supplier.get(links[0].replace("&amp;", "&") + "&again=1")  # in the files above
    assert pins.status_code == 200
    text = "".join(page.get_textpage().get_text_range()
                   for page in pypdfium2.PdfDocument(pins.get_data()))
    assert text.count("刮开涂层认领") == 2 and len(re.findall(r"\b\d{6}\b", text)) == 2


def test_a_pin_batch_defaults_to_pins_and_a_voided_plain_code_unmixes_it(app, supplier, db):
    from trace import recalls
    from trace.codes import parse_link
    from trace.issuing import export_rows
    page = f"/supplier/batches/{GTIN}/{LOT}"
    issue(supplier, db, 2, with_pin="1")
    html = supplier.get(page).get_data(as_text=True)
    assert '<input type="hidden" name="with_pin" value="1">' in html  # a top-up keeps PINs
    assert 'type="checkbox" name="with_pin"' not in html  # no choice that would be refused
    menu = html.split('id="stock"')[1].split("</select>")[0]
    assert re.search(r'<option value="([^"]+)"', menu).group(1) == "thermal-50x30-pin"
    plain_codes_by_api(app, db, 1)
    menu = supplier.get(page).get_data(as_text=True).split('id="stock"')[1].split("</select>")[0]
    assert "thermal-50x30-pin" not in menu
    plain = list(export_rows(db, GTIN, LOT, BASE_URL))[-1]["url"]
    recalls.void_item(db, parse_link(plain, BASE_URL), "标签损坏", actor="qc")
    html = supplier.get(page).get_data(as_text=True)
    assert "thermal-50x30-pin" in html and "个不带" not in html


def test_codes_with_pins_on_a_stock_without_them_are_warned(supplier, db):
    issue(supplier, db, 2, with_pin="1")
    page = f"/supplier/batches/{GTIN}/{LOT}"
    plain = supplier.get(page + "?stock=a4-3x8").get_data(as_text=True)
    assert "有 2 个码带刮开式防伪密码，但所选标签纸不印密码" in plain
    with_pin = supplier.get(page + "?stock=thermal-50x30-pin").get_data(as_text=True)
    assert "所选标签纸不印密码" not in with_pin
    serial = next(export_rows(db, GTIN, LOT, BASE_URL))["url"].split("/21/")[1].split("?")[0]
    found = supplier.get(page + f"?stock=a4-3x8&find={serial}").get_data(as_text=True)
    assert "/labels/thermal-50x30-pin/range.pdf?first=1" in found  # reprinted with its PIN


def test_stocks_the_lot_does_not_fit_on_are_not_offered(supplier, db, make_batch):
    long_lot = "LONG-NAME-12345678AB"
    make_batch(lot=long_lot)
    page = f"/supplier/batches/{GTIN}/{long_lot}"
    before = supplier.get(page).get_data(as_text=True)  # said while it can still be cancelled
    warned = before.split('id="unfit-before">', 1)[1].split("</p>", 1)[0]
    assert "饰品吊牌" in warned and 'href="#cancel"' in warned
    issue(supplier, db, 1, lot=long_lot)
    html = supplier.get(page).get_data(as_text=True)
    assert 'id="unfit-before"' not in html
    assert "本批次的批次号、追溯码或二维码在这些标签纸上放不下，所以没有列出" in html
    assert f"“{long_lot}”在这种标签纸" in html  # why, stock by stock
    menu = html.split('id="stock"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="([^"]+)"', menu)
    assert offered and "tag-30x20" not in offered
    for stock in offered:  # every stock offered prints
        pdf = supplier.get(f"{page}/labels/{stock}/1.pdf?again=1")  # one file, many stocks
        assert pdf.status_code == 200 and pdf.get_data()[:5] == b"%PDF-", stock


def test_an_items_void_or_recall_is_final_and_asks_to_be_sure(supplier, db):
    """A one-tap void or recall of an item, neither of which can be undone, was a
    tap too easily made."""
    issue(supplier, db, 1)
    serial = db.execute("SELECT serial FROM items").fetchone()[0]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    for action in ("void", "recall"):
        unsure = post_form(supplier, page + "/items",
                           {"serial": serial, "action": action, "reason": "破损"}, page=page)
        html = unsure.get_data(as_text=True)
        assert unsure.status_code == 400 and "勾选确认后再点一次" in html
        assert f'value="{serial}"' in html  # what was typed is kept
    assert db.execute("SELECT status FROM items").fetchone()[0] == "active"


def test_void_one_code_and_it_verifies_as_void(supplier, db, client):
    issue(supplier, db, 3)
    serial = db.execute("SELECT serial FROM items ORDER BY id LIMIT 1").fetchone()[0]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    typed = f"{serial[:4].lower()}-{serial[4:8]}-{serial[8:]}"  # as read off a label
    response = post_form(supplier, page + "/items",
                         {"serial": typed, "action": "void", "confirm": "1", "reason": "标签破损，已重印"},
                         page=page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#status")
    html = supplier.get(page).get_data(as_text=True)
    grouped = f"{serial[:4]}-{serial[4:8]}-{serial[8:]}"
    assert f"已作废追溯码 {grouped}。" in html and "标签破损，已重印" in html
    url = next(r for r in db.query("SELECT * FROM items WHERE serial = ?", [serial]))
    assert url["status"] == "void"
    verdict = client.get(f"/verify?q={serial}", headers={"Accept": "application/json"})
    assert verdict.get_json()["verdict"] == "void"


def test_recall_needs_a_reason_and_then_shows_on_the_public_page(supplier, db):
    page = f"/supplier/batches/{GTIN}/{LOT}"
    refused = post_form(supplier, page + "/status",
                        {"action": "recall", "reason": "", "confirm": "1"}, page=page)
    assert refused.status_code == 400 and "请填写原因" in refused.get_data(as_text=True)
    unconfirmed = post_form(supplier, page + "/status",
                            {"action": "recall", "reason": "抽检不合格"}, page=page)
    html = unconfirmed.get_data(as_text=True)
    assert "请勾选确认" in html and 'value="抽检不合格"' in html  # what was typed stays
    assert catalog.get_batch(db, GTIN, LOT).status == "open"
    done = post_form(supplier, page + "/status",
                     {"action": "recall", "reason": "抽检不合格", "confirm": "1"}, page=page)
    assert done.status_code == 303 and done.headers["Location"].endswith("#status")
    assert "已召回整批。" in supplier.get(page).get_data(as_text=True)
    assert catalog.get_batch(db, GTIN, LOT).status == "recalled"
    public = supplier.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "抽检不合格" in public
    # Lifting it puts 正品 back before buyers: confirmed as a recall is.
    assert "确认本批次已查明可以放心使用" in supplier.get(page).get_data(as_text=True)
    unconfirmed = post_form(supplier, page + "/status", {"action": "unrecall", "reason": "复检合格"},
                            page=page)
    assert unconfirmed.status_code == 400 and "请勾选确认：本批次已查明可以放心使用" in \
        unconfirmed.get_data(as_text=True)
    assert catalog.get_batch(db, GTIN, LOT).status == "recalled"
    lifted = post_form(supplier, page + "/status",
                       {"action": "unrecall", "reason": "复检合格", "confirm": "1"}, page=page)
    assert lifted.status_code == 303 and catalog.get_batch(db, GTIN, LOT).status == "open"


def test_the_issue_form_sent_twice_issues_once(supplier, db):
    page = f"/supplier/batches/{GTIN}/{LOT}"
    html = supplier.get(page).get_data(as_text=True)
    key = re.search(r'name="request_key" value="([^"]+)"', html).group(1)
    first = post_form(supplier, page + "/issue", {"count": "5", "request_key": key}, page=page)
    wait_for(db, int(first.headers["Location"].rsplit("/", 1)[1]))
    again = post_form(supplier, page + "/issue", {"count": "5", "request_key": key}, page=page)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 5
    fresh = re.search(r'name="request_key" value="([^"]+)"',
                      supplier.get(page).get_data(as_text=True)).group(1)
    assert fresh != key  # the page's next form is a new request
    issue(supplier, db, 5, request_key=fresh)
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 10


def test_a_supplier_awaiting_approval_cannot_issue(client, db, issuer, make_batch):
    # Told before signing up that every product needs its barcode (a trial's co-op had none).
    assert "还没有条码的，请先向中国物品编码中心申请（网站 www.ancc.org.cn" in client.get(
        "/signup").get_data(as_text=True)
    response = post_form(client, "/signup", {
        **SIGN_UP_CONTACT, "name": "海宁新家纺有限公司", "credit_code": "91330100MA27XL0Y34",
        "email": "owner@haining.example.cn", "password": "家纺 passphrase"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/supplier/")
    home = client.get("/supplier/").get_data(as_text=True)
    assert "等待平台审核" in home and 'href="tel:' in home.split("等待平台审核", 1)[1][:400]
    post_form(client, "/supplier/products/new", {"gtin": "6901234567892", "name": "蚕丝被"})
    post_form(client, "/supplier/batches/new",
              {"gtin": "06901234567892", "lot": "HN1", "produced_on": "2026-11-01"})
    page = "/supplier/batches/06901234567892/HN1"
    html = client.get(page).get_data(as_text=True)
    assert "等待平台审核" in html
    # What the page promises holds before approval: nothing logged, a lot used again,
    # no reason asked, no lab to commission yet.
    assert "通过审核前，取消的批次会直接删除，批次号可以再用" in html
    assert "通过审核前可以不填" in html and 'id="edit-reason" name="reason" type="text" maxlength' in html
    assert "通过平台审核后，才能委托检测机构" in html and 'name="agency"' not in html
    assert "被取消的批次号不能再用" not in html
    assert "批次还不公开、也不能发码，无需召回" in html and 'value="recall"' not in html
    data = {"csrf_token": form_token(client, "/supplier/"), "count": "5"}
    refused = client.post(page + "/issue", data=data, headers={"Referer": BASE_URL + page})
    assert refused.status_code == 403 and "审核" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    catalog.approve_supplier(db, catalog.find_supplier(db, "91330100MA27XL0Y34").id)
    assert issue_for(client, db, "06901234567892", "HN1", 5).state == "finished"


def issue_for(client, db, gtin: str, lot: str, count: int) -> jobs.Job:
    page = f"/supplier/batches/{gtin}/{lot}"
    response = post_form(client, page + "/issue", {"count": str(count)}, page=page)
    return wait_for(db, int(response.headers["Location"].rsplit("/", 1)[1]))


def test_a_count_written_with_thousands_separators_is_read(supplier, db):
    assert issue(supplier, db, "1,200", over_plan="1").state == "finished"  # as the page writes
    assert issue(supplier, db, "1 000", over_plan="1").state == "finished"
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 2200


@pytest.mark.parametrize("count", ["0", "100001", "-3", "五十", "", "1,00", "1.5", "\U00010A41",
                                   "٣", "99999999999", "1²", "①"])
def test_an_impossible_count_is_refused_and_issues_nothing(supplier, db, count):
    page = f"/supplier/batches/{GTIN}/{LOT}"
    response = post_form(supplier, page + "/issue", {"count": count}, page=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)  # the batch page, the error beside the form
    assert 'id="issue"' in html and "notice-bad" in html and "autofocus" in html
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(supplier, db):
    response = supplier.post("/supplier/products/new", data={"gtin": "6901234567892",
                                                             "name": "茶"},
                             headers={"Referer": BASE_URL + "/supplier/products/new"})
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == 1


def test_supplier_text_is_escaped_everywhere(supplier, db, issuer):
    hostile = "<script>alert(1)</script> \"q\" '{{7*7}}' 珍珠"
    refused = post_form(supplier, "/supplier/products/new", {"gtin": "6901234567892",
                                                             "name": hostile})
    assert "商品名称不能带网页代码" in refused.get_data(as_text=True)  # a name holds no tags
    post_form(supplier, "/supplier/products/new", {"gtin": "6901234567892", "origin": hostile,
                                                   "name": "\"q\" '{{7*7}}' 珍珠 <3"})
    post_form(supplier, "/supplier/batches/new", {"gtin": "06901234567892", "lot": "X1",
                                                  "produced_on": "2026-11-01", "notes": hostile})
    for path in ("/supplier/", "/supplier/batches/06901234567892/X1",
                 "/01/06901234567892/10/X1"):
        response = supplier.get(path)
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "珍珠 <3" not in html and "珍珠 &lt;3" in html
        if path != "/supplier/":  # the batch's notes and the product's origin
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        quoted = html.replace("&#39;", "'").replace("&#34;", '"')
        assert "'{{7*7}}'" in quoted and "'49'" not in quoted
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_a_scanned_url_names_the_code_to_void_and_a_forged_one_changes_nothing(supplier, db):
    issue(supplier, db, 2)
    url = next(iter(export_rows(db, GTIN, LOT, BASE_URL)))["url"]
    page = f"/supplier/batches/{GTIN}/{LOT}"
    forged_url = forged(url)
    refused = post_form(supplier, page + "/items",
                        {"serial": forged_url, "action": "void", "confirm": "1", "reason": "破损"},
                        page=page)
    assert refused.status_code == 400 and "伪造" in refused.get_data(as_text=True)
    post_form(supplier, page + "/items",
              {"serial": url, "action": "void", "confirm": "1", "reason": "破损"}, page=page)
    assert db.execute("SELECT status FROM items ORDER BY id LIMIT 1").fetchone()[0] == "void"
    # the typed-code page's address, as a supplier may copy it: its 追溯码
    second = list(export_rows(db, GTIN, LOT, BASE_URL))[1]["serial"]
    typed_page = f"{BASE_URL}/verify?q={second[:4]}-{second[4:8]}-{second[8:]}"
    done = post_form(supplier, page + "/items",
                     {"serial": typed_page, "action": "recall", "confirm": "1", "reason": "包装破损"},
                     page=page)
    assert done.status_code == 303
    assert db.execute("SELECT status FROM items ORDER BY id LIMIT 1 OFFSET 1").fetchone()[0] \
        == "recalled"


def test_after_a_refused_form_the_language_switch_goes_to_the_page(supplier, db):
    page = f"/supplier/batches/{GTIN}/{LOT}"
    response = post_form(supplier, page + "/issue?lang=en", {"count": "1.5"}, page=page)
    html = response.get_data(as_text=True)
    assert "such as 500 or 1,000" in html and f'href="{page}?lang=zh"' in html  # not the POST URL


def test_a_workspace_error_stays_in_the_workspace(supplier, client):
    html = client.get("/supplier/jobs/999").get_data(as_text=True)
    assert "返回工作台" in html and 'href="/supplier/"' in html
    assert "谨防假冒" not in html and "微信" not in html  # the buyer's advice is not for suppliers
    elsewhere = client.get("/streamer/check?code=x")  # another role's workspace
    assert elsewhere.status_code == 403 and 'href="/supplier/"' in elsewhere.get_data(as_text=True)


def test_an_upload_too_large_names_the_limit(app, client, supplier):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 2**20
    response = client.post("/supplier/products/new", data={"x": "y" * (3 * 2**20)},
                           headers={"Referer": f"{BASE_URL}/supplier/products/new"})
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "一次最多 2 MB" in html and "没有保存" in html
    assert 'href="/supplier/products/new">返回上一页' in html


def test_a_failed_lab_test_is_warned_on_the_suppliers_batch_page(app, supplier, db):
    from test_web_public import _stored_report
    page = f"/supplier/batches/{GTIN}/{LOT}"
    assert "本批次检测有不合格项目" not in supplier.get(page).get_data(as_text=True)
    _stored_report(app, db, items=[{"name": "铅", "result": "0.9", "unit": "mg/kg",
                                    "limit": "≤0.5", "verdict": "不合格"}])
    html = supplier.get(page).get_data(as_text=True)
    assert "本批次检测有不合格项目：铅。买家扫码时会在页面最上方看到这条警告" in html


def test_a_batch_needs_its_production_date(supplier, db):
    response = post_form(supplier, "/supplier/batches/new", {"gtin": GTIN, "lot": "NO-DATE"})
    assert response.status_code == 400 and "请填写生产日期" in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM batches WHERE lot = 'NO-DATE'").fetchone()[0] == 0


def test_issuing_past_the_plan_needs_saying_so(supplier, db):
    page = f"/supplier/batches/{GTIN}/{LOT}"  # planned at 100
    # The first issue offers the planned count (a trial's 50 boxes found the box empty);
    # a top-up is the supplier's to size.
    count_box = re.search(r'<input id="count"[^>]*>', supplier.get(page).get_data(as_text=True))
    assert 'value="100"' in count_box.group(0)
    refused = post_form(supplier, page + "/issue", {"count": "1000"}, page=page)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "本批次计划 100 个，有效的码已有 0 个，再发 1,000 个将达 1,000 个" in html
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert issue(supplier, db, 101, over_plan="1").state == "finished"
    count_box = re.search(r'<input id="count"[^>]*>', supplier.get(page).get_data(as_text=True))
    assert 'value=""' in count_box.group(0)


def test_a_key_that_will_not_open_is_told_beside_the_form_without_its_path(
        app, supplier, db, caplog):
    """The supplier hears that nothing was issued and whom to tell; the key's path
    is the operator's, in the log."""
    for pem in Path(app.config["KEYS_DIR"]).glob("*.pem"):
        pem.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    page = f"/supplier/batches/{GTIN}/{LOT}"
    response = post_form(supplier, page + "/issue", {"count": "5"}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "联系平台运营方" in html
    assert app.config["KEYS_DIR"] not in html and app.config["KEYS_DIR"] in caplog.text
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_an_expired_batch_says_so_on_the_suppliers_page(supplier, db, make_batch):
    make_batch(lot="OLD-1")
    db.execute("UPDATE batches SET produced_on = '2024-01-01', expires_on = '2025-01-01' "
               "WHERE lot = 'OLD-1'")
    db.conn.commit()
    html = supplier.get(f"/supplier/batches/{GTIN}/OLD-1").get_data(as_text=True)
    assert "本批次已于 2025-01-01 过保质期" in html
    # A date typed wrong is corrected on this page (a trial was told to open a new batch).
    assert '<a href="#edit">日期填错了？在上面的“更正批次信息”里改正即可。</a>' in html
    assert "新建批次" not in html.split('role="alert"')[1][:300]
    assert "过保质期" not in supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(
        as_text=True)


def test_a_row_number_past_sqlites_range_is_no_page(supplier):
    assert supplier.get("/supplier/jobs/99999999999999999999999").status_code == 404
    assert supplier.get("/supplier/jobs/9223372036854775807").status_code == 404  # the largest


@pytest.mark.parametrize("left_out, message", [
    ({"phone": ""}, "请填写客服电话"), ({"phone": "0573-8765432"}, "不是有效的电话号码"),
    ({"address": ""}, "请填写地址"), ({"contact_name": " "}, "请填写联系人")])
def test_a_sign_up_needs_a_phone_buyers_can_call(client, db, left_out, message):
    response = post_form(client, "/signup", {
        **SIGN_UP_CONTACT, **left_out, "name": "海宁新家纺有限公司",
        "credit_code": "91330100MA27XL0Y34", "email": "owner@haining.example.cn",
        "password": "家纺 passphrase"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert 'value="浙江省海宁市许村镇"' in html or "address" in left_out  # kept as typed
    assert catalog.list_suppliers(db) == []


def test_the_profile_sets_what_buyers_see_and_whom_to_call(supplier, db, issued_urls):
    catalog.set_contact(db, catalog.find_supplier(db, CREDIT_CODE), catalog.Contact())
    assert "买家扫码时还看不到贵公司的客服电话" in supplier.get("/supplier/").get_data(as_text=True)
    refused = post_form(supplier, "/supplier/profile", {
        "phone": "12345", "address": "浙江省诸暨市山下湖镇", "contact_name": "陈经理"},
        page="/supplier/profile")
    assert refused.status_code == 400 and "不是有效的电话号码" in refused.get_data(as_text=True)
    assert catalog.find_supplier(db, CREDIT_CODE).phone is None
    saved = post_form(supplier, "/supplier/profile", {
        "phone": "０５７５－８７１２３４５６ 转 21", "address": "浙江省诸暨市山下湖镇珍珠路１８号Ａ座",
        "contact_name": "陈经理"}, page="/supplier/profile")
    assert saved.status_code == 303
    page = supplier.get("/supplier/profile").get_data(as_text=True)
    assert "企业信息已保存" in page and 'value="0575 8712 3456 转 21"' in page
    assert "买家扫码时还看不到" not in supplier.get("/supplier/").get_data(as_text=True)
    post_form(supplier, "/logout", {}, page="/supplier/")
    buyer_page = supplier.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert 'href="tel:+8657587123456,21"' in buyer_page and "山下湖镇珍珠路18号A座" in buyer_page
    assert "陈经理" not in buyer_page  # the operator's contact person stays private


def test_a_product_photo_is_shown_to_buyers_and_changed_only_with_a_reason(
        supplier, db, issued_urls):
    from test_product_photos import camera_photo
    page = f"/supplier/products/{GTIN}/edit"
    fields = {"name": "诸暨淡水珍珠项链", "specification": "珠径 8–9 mm"}
    photo = {"photo": (io.BytesIO(camera_photo()), "IMG_0001.JPG")}
    unexplained = post_form(supplier, page, {**fields, **photo}, page=page,
                            content_type="multipart/form-data")
    assert unexplained.status_code == 400 and "请填写更正原因" in unexplained.get_data(as_text=True)
    assert catalog.get_product(db, GTIN).photo is None
    assert db.execute("SELECT count(*) FROM product_photos").fetchone()[0] == 0  # none kept
    done = post_form(supplier, page, {**fields, "reason": "补充商品照片",
                                      "photo": (io.BytesIO(camera_photo()), "IMG_0001.JPG")},
                     page=page, content_type="multipart/form-data")
    assert done.status_code == 303
    sha = catalog.get_product(db, GTIN).photo
    post_form(supplier, "/logout", {}, page="/supplier/")
    buyer = supplier.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert f'src="/photos/{sha}/thumb.jpg"' in buyer and f'href="/photos/{sha}/large.jpg"' in buyer
    assert "添加了照片" in buyer and "补充商品照片" in buyer and sha not in buyer.split(
        'id="changes"')[1]  # the history says what happened, not the photo's hash
    thumb = supplier.get(f"/photos/{sha}/thumb.jpg")
    assert thumb.mimetype == "image/jpeg" and "immutable" in thumb.headers["Cache-Control"]
    assert supplier.get(f"/photos/{'0' * 64}/thumb.jpg").status_code == 404


@pytest.mark.parametrize("upload, said", [
    ((io.BytesIO(b"%PDF-1.4 a brochure"), "brochure.jpg"), "JPG 或 PNG"),
    ((io.BytesIO(b""), "empty.png"), "JPG 或 PNG"),
])
def test_a_new_product_with_a_photo_that_is_not_one_stores_nothing(supplier, db, upload, said):
    refused = post_form(supplier, "/supplier/products/new", {
        "gtin": "6901234567892", "name": "龙井茶", "photo": upload},
        page="/supplier/products/new", content_type="multipart/form-data")
    assert refused.status_code == 400 and said in refused.get_data(as_text=True)
    assert not db.execute("SELECT 1 FROM products WHERE gtin = '06901234567892'").fetchone()


def test_a_new_product_takes_its_photo_and_it_can_be_taken_off(supplier, db):
    from test_product_photos import camera_photo
    made = post_form(supplier, "/supplier/products/new", {
        "gtin": "6901234567892", "name": "龙井茶",
        "photo": (io.BytesIO(camera_photo(1200, 1600)), "tea.jpg")},
        page="/supplier/products/new", content_type="multipart/form-data")
    sha = catalog.get_product(db, "06901234567892").photo
    assert made.status_code == 303 and sha
    page = "/supplier/products/06901234567892/edit"
    assert 'class="photo-preview"' in supplier.get(page).get_data(as_text=True)
    post_form(supplier, page, {"name": "龙井茶", "photo_remove": "1"}, page=page)
    assert catalog.get_product(db, "06901234567892").photo is None  # no batch: no reason asked
    assert supplier.get(f"/photos/{sha}/large.jpg").status_code == 404  # taken offline too


def test_the_daily_sign_ups_of_one_network_follow_the_operators_setting(app, db):
    """A park's firms share one network; the operator sets how many sign up a day."""
    app.config["SIGNUPS_PER_NETWORK"] = 1
    codes = ["91330100MA27XL0Y34", "91330100MA27XL0Y5A"]
    answers = []
    for n, code in enumerate(codes):
        client = app.test_client()  # each firm on its own computer, one network
        answers.append(post_form(client, "/signup", {
            **SIGN_UP_CONTACT, "name": f"海宁家纺{n}有限公司", "credit_code": code,
            "email": f"owner{n}@haining.example.cn", "password": "家纺 passphrase"}))
    assert answers[0].status_code == 303 and answers[1].status_code == 429
    assert "今天已注册 1 个单位" in answers[1].get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM suppliers WHERE credit_code = ?",
                      [codes[1]]).fetchone()[0] == 0


def test_a_form_sent_after_the_sign_in_ended_comes_back_to_its_page(supplier, db, sign_in):
    """Signed out in another tab, then 开始发码: signing in again returns to the
    batch page, not to the form's address (a 405 with no way on)."""
    page = f"/supplier/batches/{GTIN}/{LOT}"
    token = form_token(supplier, page)
    supplier.post("/logout", data={"csrf_token": token}, headers={"Referer": BASE_URL + page})
    sent = supplier.post(page + "/issue", data={"csrf_token": token, "count": "5"},
                         headers={"Referer": BASE_URL + page})
    assert sent.status_code == 302
    assert parse_qs(urlsplit(sent.headers["Location"]).query)["next"] == [page]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert "您刚才提交的内容没有保存" in supplier.get(sent.headers["Location"]).get_data(
        as_text=True)  # nothing issued, and said so
    sign_in(supplier, PEARL)
    # A form's address reloaded or reopened leads to its page as well.
    for form_address in ("/issue", "/items", "/status", "/edit", "/commission"):
        opened = supplier.get(page + form_address)
        assert (opened.status_code, opened.headers["Location"]) == (303, page), form_address
    assert supplier.get("/logout").headers["Location"] == "/"  # the home page is a page too
    english = supplier.get(page + "/issue?lang=en")
    assert english.headers["Location"] == page + "?lang=en"
    assert supplier.get("/api/v1/batches/x/y/issue").status_code in (401, 405)  # machines: as is


def test_a_new_batch_for_a_product_not_found_chooses_none(supplier, db):
    catalog.add_product(db, catalog.find_supplier(db, CREDIT_CODE), "6901234567892", "龙井茶")
    html = supplier.get("/supplier/batches/new?gtin=06999999999999").get_data(as_text=True)
    assert re.search(r'<option value="" selected disabled>', html)  # not another product
    html = supplier.get("/supplier/batches/new?gtin=06901234567892").get_data(as_text=True)
    assert '<option value="06901234567892" selected>' in html


def test_a_batch_with_a_wrong_lot_is_cancelled_and_its_page_says_so(supplier, db):
    post_form(supplier, "/supplier/batches/new", {"gtin": GTIN, "lot": "ZJ-2611-AA",
                                                  "produced_on": "2026-11-10"},
              page="/supplier/batches/new")
    page = f"/supplier/batches/{GTIN}/ZJ-2611-AA"
    assert "批次号录错了？取消这个批次" in supplier.get(page).get_data(as_text=True)
    unconfirmed = post_form(supplier, page + "/cancel", {"reason": "批次号录错"}, page=page)
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.get_data(as_text=True)
    done = post_form(supplier, page + "/cancel", {"reason": "批次号录错", "confirm": "1"},
                     page=page)
    assert done.status_code == 303
    html = supplier.get(page).get_data(as_text=True)
    assert "这个批次已于" in html and "批次号录错" in html and "<dd>已取消</dd>" in html
    assert 'id="issue"' not in html and "取消这个批次" not in html
    home = supplier.get("/supplier/").get_data(as_text=True)
    assert "已取消" in home and home.index(f"/{LOT}") < home.index("/ZJ-2611-AA")  # last
    public = supplier.get(f"/01/{GTIN}/10/ZJ-2611-AA").get_data(as_text=True)
    assert 'data-verdict="cancelled"' in public and "从未发放过追溯码" in public
    assert "<dd>已取消</dd>" in public and "<dd>正常</dd>" not in public
    assert supplier.get(f"/01/{GTIN}/10/ZJ-2611-AA", headers={"Accept": "application/json"}
                        ).get_json()["cancelled"]["reason"] == "批次号录错"
    issue_page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "取消这个批次" in issue_page  # the real batch, no code yet
    stale = form_token(supplier, f"/supplier/batches/{GTIN}/{LOT}")  # a page opened before
    issue(supplier, db, 1)
    assert "取消这个批次" not in supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(
        as_text=True)  # a code may be on goods already: recall or void instead
    refused = supplier.post(f"/supplier/batches/{GTIN}/{LOT}/cancel", data={
        "csrf_token": stale, "reason": "批次号录错", "confirm": "1"},
        headers={"Referer": BASE_URL + f"/supplier/batches/{GTIN}/{LOT}"})
    said = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'role="alert" id="cancel"' in said
    assert "已发出 1 个码，可能已贴在商品上，不能取消" in said  # the old page's click answered


def test_a_code_buyers_are_told_is_suspicious_is_marked_for_its_supplier(supplier, db):
    """A copied label (five networks within the window) reads 可疑 to buyers; the
    supplier's table said only 有效 with its count."""
    from trace.scans import Observer, record_scan
    issue(supplier, db, 2)
    copied, kept = [row[0] for row in db.execute("SELECT id FROM items ORDER BY id")]
    for n in range(5):
        record_scan(db, copied, Observer(f"net{n}", f"dev{n}"))
    record_scan(db, kept, Observer("net0", "dev0"))
    html = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    rows = html.split('id="items"', 1)[1].split("<tbody>", 1)[1].split("</tr>")
    assert "疑似被复制" in rows[0] and "疑似被复制" not in rows[1]
    assert "近期被很多不同的手机或网络查询过" in html
    from trace.verification import verify_url
    first, second = (row["url"] for row in export_rows(db, GTIN, LOT, BASE_URL))
    assert [verify_url(db, url, BASE_URL).verdict for url in (first, second)] == \
        ["suspicious", "genuine"]  # what buyers are told, marked alike


def test_a_name_the_chosen_stock_cuts_short_is_shown_as_it_will_print(supplier, db):
    product = catalog.get_product(db, GTIN)
    catalog.add_product(db, catalog.find_supplier(db, CREDIT_CODE), "6901234567892",
                        "【直播专享】诸暨淡水珍珠项链 9-10mm 近正圆 强光")
    catalog.new_batch(db, "6901234567892", "LIVE-1", produced_on="2026-11-10")
    issue_for(supplier, db, "06901234567892", "LIVE-1", 1)
    page = supplier.get("/supplier/batches/06901234567892/LIVE-1?stock=thermal-40x30").get_data(
        as_text=True)
    said = page.split('id="name-shortened">', 1)[1].split("</p>", 1)[0]
    assert "只印得下：“【直播专享】诸暨淡水珍珠项…”" in said
    issue(supplier, db, 1)
    whole = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert 'id="stock"' in whole and 'id="name-shortened"' not in whole  # 诸暨淡水珍珠项链
    assert product.name == "诸暨淡水珍珠项链"


def test_a_recalled_batchs_codes_say_so_and_the_pin_box_names_its_stocks(supplier, db):
    from trace import recalls
    page = f"/supplier/batches/{GTIN}/{LOT}"
    before = supplier.get(page).get_data(as_text=True)
    assert "能印密码的标签纸只有：热敏卷标 50 × 30 mm，带刮开式防伪密码" in before
    assert "这次选了带或不带，以后续发的码都一样" in before  # a trial learnt it at the top-up
    issue(supplier, db, 2)
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    rows = supplier.get(page).get_data(as_text=True).split('id="items"', 1)[1]
    assert rows.count("已随批次召回") == 2 and "<td>有效" not in rows  # buyers read 已召回


def test_the_wrong_lab_commissioned_is_taken_back_until_it_reports(app, supplier, db, lab):
    """A lab chosen by mistake could sign for the batch for good."""
    from trace.inspections import signing, store
    from test_inspections_store import PDF, pearl_report
    page = f"/supplier/batches/{GTIN}/{LOT}"
    assert post_form(supplier, page + "/commission", {"agency": str(lab.id)},
                     page=page).status_code == 303
    html = supplier.get(page).get_data(as_text=True)
    lab_card = html[html.index('id="lab"'):html.index('id="status"')]
    [withdraw] = re.findall(r'action="([^"]+/withdraw)"', lab_card)
    assert "取消委托" in lab_card and lab.name in lab_card
    done = post_form(supplier, withdraw, {}, page=page)
    assert done.status_code == 303 and done.headers["Location"].endswith("#lab")
    html = supplier.get(page).get_data(as_text=True)
    assert f"已取消对 {lab.name} 的委托" in html
    assert db.execute("SELECT count(*) FROM commissions").fetchone()[0] == 0
    again = post_form(supplier, withdraw, {}, page=page)  # the form sent twice
    assert again.status_code == 404 and "没有这项委托" in again.get_data(as_text=True)
    post_form(supplier, page + "/commission", {"agency": str(lab.id)}, page=page)
    record = pearl_report(lab)  # and now it has reported: the report stands on it
    store.store_report(db, record, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, record), pdf=PDF)
    html = supplier.get(page).get_data(as_text=True)
    lab_card = html[html.index('id="lab"'):html.index('id="status"')]
    assert "已出具报告" in lab_card and "/withdraw" not in lab_card


def test_an_expired_batch_is_listed_as_such_and_no_lab_is_chosen_for_the_clerk(
        supplier, db, lab):
    issue(supplier, db, 3)  # without PINs
    db.execute("UPDATE batches SET expires_on = '2020-01-01'")
    home = supplier.get("/supplier/").get_data(as_text=True)
    assert '<strong class="bad">已过保质期</strong>' in home and "· 正常" not in home
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert '<option value="" disabled selected>请选择检测机构' in page  # a pearl lab for a duvet
    assert "CSV 供标签打印软件导入" in page and "两者都含防伪密码" not in page  # no PINs here


def test_the_labs_for_the_products_kind_come_first_with_what_each_tests(supplier, db):
    agencies.add_agency(db, "浙江省食品检验院", "231012345678", scope="食品、茶叶")
    agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                        scope="珍珠饰品、珍珠")
    db.execute("UPDATE agencies SET approved_at = created_at")  # approved, keys aside
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    fitting = page.index('<optgroup label="检测范围与本商品相符">')
    other = page.index('<optgroup label="其他检测机构（检测范围未写明或不相符）">')
    assert fitting < page.index(
        "浙江省珍珠检测中心 · CMA 231012341234 · CNAS L1234 · 检测范围：珍珠饰品、珍珠") \
        < other < page.index("浙江省食品检验院")
    assert "列表中的机构都没有写明能检测这类商品" not in page


def test_a_product_no_lab_fits_is_told_to_ask_before_sending_samples(supplier, db):
    """The select's heading alone said so, and a trial's clerk never opened it."""
    agencies.add_agency(db, "浙江省食品检验院", "231012345678", scope="食品、茶叶",
                        phone="0571 8600 0188")
    db.execute("UPDATE agencies SET approved_at = created_at")
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    said = page.index("列表中的机构都没有写明能检测这类商品。委托前请先打电话问清")
    assert page.index('<select id="agency"') < said < page.index(">委托检测<")
    # with the number to call, which the select's options cannot make tappable
    assert '<li>浙江省食品检验院 <a href="tel:+8657186000188" class="nowrap">0571 8600 0188</a>' \
        in page[said:]
    assert "检测范围：食品、茶叶 · 电话 0571 8600 0188</option>" in page
    # Once she has commissioned the lab that fits, the warning about the others left no
    # longer reads as though she chose wrong, and another lab is folded away.
    agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234", scope="珍珠饰品")
    db.execute("UPDATE agencies SET approved_at = created_at")
    pearl_lab = db.execute("SELECT id FROM agencies WHERE cma_no = '231012341234'").fetchone()[0]
    post_form(supplier, f"/supplier/batches/{GTIN}/{LOT}/commission", {"agency": str(pearl_lab)},
              page=f"/supplier/batches/{GTIN}/{LOT}")
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "列表中的机构都没有写明能检测这类商品" not in page
    folded = page.index('<details class="commission-another"><summary>再委托一家检测机构')
    assert folded < page.index('<select id="agency"')


def test_the_batch_page_says_which_version_corrected_a_report(app, supplier, db):
    from test_live import fail_the_report
    from test_web_public import _stored_report
    _stored_report(app, db)
    fail_the_report(app, db)
    batch = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    lab = batch[batch.index('id="lab"'):]
    assert "· 已被更正（更正版是第 2 版）" in lab and "已被撤回" not in lab


@pytest.mark.parametrize("fmt", ["tspl", "zpl"])
def test_a_thermal_roll_downloads_as_the_printers_own_commands(supplier, db, app, fmt):
    """Thermal printers in China speak TSPL or ZPL more often than PDF (DESIGN §8), and
    only the command line offered it: a supplier has no shell on the server."""
    from trace import stocks
    from test_printers import decode, tspl_labels, zpl_labels
    issue(supplier, db, 6)
    page = f"/supplier/batches/{GTIN}/{LOT}"
    html = supplier.get(page, query_string={"stock": "thermal-40x30", "format": fmt}).get_data(
        as_text=True)
    assert f"/labels/thermal-40x30/1.{fmt}" in html and f"/labels/thermal-40x30/range.{fmt}" in html
    assert "标签尺寸 40 × 30 mm、间隙 2 mm 已写在文件里" in html
    assert f'<option value="{fmt}" selected>' in html
    got = supplier.get(page + f"/labels/thermal-40x30/1.{fmt}")
    assert got.status_code == 200 and f"part001.{fmt}" in got.headers["Content-Disposition"]
    stock = stocks.load_stock("thermal-40x30", app.config["LABELS_DIR"])
    read = tspl_labels if fmt == "tspl" else zpl_labels
    urls = [row["url"] for row in export_rows(db, GTIN, LOT, BASE_URL)]
    assert [decode(label) for label in read(got.get_data(), stock)] == [[url] for url in urls]
    one = supplier.get(page + f"/labels/thermal-40x30/range.{fmt}?first=3&last=3&again=1")
    assert [decode(label) for label in read(one.get_data(), stock)] == [[urls[2]]]
    # Back on the page, and for the product's next batch, the roll and commands just used
    # come first: a packer's top-up came back on the default pearl tag.
    for batch_page in (page, f"/supplier/batches/{GTIN}/L2"):
        if batch_page.endswith("L2"):
            post_form(supplier, "/supplier/batches/new",
                      {"gtin": GTIN, "lot": "L2", "produced_on": "2026-11-01"})
            issue(supplier, db, 2, lot="L2")
        html = supplier.get(batch_page).get_data(as_text=True)
        assert '<option value="thermal-40x30" selected>' in html, batch_page
        assert f'<option value="{fmt}" selected>' in html, batch_page
    # "Try one first" comes before the files of all, with label 1 to download.
    try_one = html.index('id="try-one"')
    assert try_one < html.index('<ul class="parts">')
    one_link = f'range.{fmt}?first=1&amp;last=1" class="nowrap">下载第 1 个（{fmt.upper()}）'
    assert one_link in html[try_one:]


def test_printer_commands_are_for_rolls_only(supplier, db):
    issue(supplier, db, 3)
    page = f"/supplier/batches/{GTIN}/{LOT}"
    sheet = supplier.get(page, query_string={"stock": "a4-3x8", "format": "tspl"}).get_data(
        as_text=True)
    assert 'id="format"' not in sheet and "/labels/a4-3x8/1.pdf" in sheet  # never offered
    assert 'id="sheet-help"' in sheet and "缩放选“实际大小”或 100%" in sheet  # sheets too
    refused = supplier.get(page + "/labels/a4-3x8/1.tspl")
    assert refused.status_code == 400
    assert "不能用热敏打印机指令打印，请下载 PDF" in refused.get_data(as_text=True)
    roll = supplier.get(page, query_string={"stock": "thermal-40x30"}).get_data(as_text=True)
    assert 'id="format"' in roll and "/labels/thermal-40x30/1.pdf" in roll
    assert 'id="sheet-help"' not in roll
    assert "纸张设为 40 × 30 mm、间隙 2 mm，缩放选“实际大小”或 100%" in roll
    # TSPL chosen for one roll is not kept when another stock is chosen: most often
    # another printer (a trial's hang tags came down as printer commands).
    kept = supplier.get(page, query_string={"stock": "thermal-40x30", "format": "tspl",
                                            "format_for": "thermal-40x30"}).get_data(as_text=True)
    assert "/labels/thermal-40x30/1.tspl" in kept and 'name="format_for"' in kept
    switched = supplier.get(page, query_string={"stock": "thermal-50x30", "format": "tspl",
                                                "format_for": "thermal-40x30"})
    assert "/labels/thermal-50x30/1.pdf" in switched.get_data(as_text=True)


def test_a_supplier_is_told_its_records_were_changed_and_cannot_save_over_them(supplier, db):
    """A trial supplier, unaware her phone had been swapped in the database, changed her
    address on the profile form, which re-saved the swapped phone as hers: buyers'
    warning vanished and the next audit passed."""
    from trace import catalog
    db.execute("UPDATE suppliers SET phone = '13912345678'")
    home = supplier.get("/supplier/").get_data(as_text=True)
    assert 'id="ws-altered"' in home and "请不要自己改回或重新保存" in home
    assert "数据库里贵单位的客服电话被改成了" in home and "13912345678" in home
    assert "请不要拨打" not in home  # the buyer's warning, not the supplier's
    form = supplier.get("/supplier/profile").get_data(as_text=True)
    assert 'id="ws-altered"' in form and f'<dd class="mono nowrap">{CREDIT_CODE}</dd>' in form
    refused = post_form(supplier, "/supplier/profile",
                        {"phone": "13912345678", "address": "浙江省诸暨市新地址",
                         "contact_name": "王"}, page="/supplier/profile")
    assert refused.status_code == 409 and "在平台恢复之前不能在这里修改" in refused.get_data(
        as_text=True)
    assert catalog.find_supplier(db, CREDIT_CODE).address != "浙江省诸暨市新地址"


def test_a_run_issued_twice_is_voided_from_the_batch_page(supplier, db):
    issue(supplier, db, 30)
    issue(supplier, db, 30)  # the same run again, by mistake
    page = f"/supplier/batches/{GTIN}/{LOT}"
    html = supplier.get(page).get_data(as_text=True)
    assert 'id="void-range"' in html and "作废一段码（多发了、不再用的，或整箱货丢失、被盗的）" in html
    unticked = post_form(supplier, page + "/items/void-range",
                         {"first": "31", "last": "60", "reason": "重复发码，未打印"}, page=page)
    text = unticked.get_data(as_text=True)
    assert unticked.status_code == 400 and "勾选确认后再点一次" in text
    assert 'id="void-range" open' in text and 'value="重复发码，未打印"' in text
    beyond = post_form(supplier, page + "/items/void-range",
                       {"first": "31", "last": "61", "reason": "x", "confirm": "1"}, page=page)
    assert beyond.status_code == 400 and "本批次只有 60 个码" in beyond.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM items WHERE status = 'void'").fetchone()[0] == 0
    done = post_form(supplier, page + "/items/void-range",
                     {"first": "31", "last": "60", "reason": "重复发码，未打印", "confirm": "1"},
                     page=page, follow_redirects=True)
    assert "已作废第 31–60 个中的 30 个码" in done.get_data(as_text=True)
    after = done.get_data(as_text=True)
    assert "60 / 100（其中已作废 30，有效 30）" in after
    assert "1–60（可打印 30 张，作废的不打印）" in after  # the file's own count
    assert "第 2 次发码" not in after  # a run all voided offers nothing to print
    history = after[after.index('id="status"'):]
    assert history.count("重复发码，未打印") == 1 and "追溯码作废 30 个：重复发码，未打印" in history
    assert db.execute("SELECT count(*) FROM items WHERE status = 'void'").fetchone()[0] == 30
    first_run = supplier.get(page + "/labels/a4-3x8/range.pdf?first=1&last=30")
    assert first_run.status_code == 200  # the run kept still prints
    second_run = supplier.get(page + "/labels/a4-3x8/range.pdf?first=31&last=60")
    assert second_run.status_code == 400  # nothing left to print there


def test_the_batch_page_keeps_what_labels_were_downloaded(supplier, db):
    """A trial office printing in sittings (1–300, then 1–24 and 25–48 again) had no
    record of what it printed, and a range printed twice puts one code on two tins."""
    issue(supplier, db, 60)
    page = f"/supplier/batches/{GTIN}/{LOT}"
    assert 'id="printed"' not in supplier.get(page).get_data(as_text=True)
    assert supplier.get(page + "/labels/a4-3x8/1.pdf").status_code == 200
    assert supplier.get(page + "/labels/a4-3x8/range.pdf?first=7&last=7&again=1").status_code \
        == 200  # label 7 again, on purpose
    refused = supplier.get(page + "/labels/a4-3x8/range.pdf?first=9&last=99")
    assert refused.status_code == 400  # nothing downloaded, nothing kept
    html = supplier.get(page).get_data(as_text=True)
    record = html[html.index('id="printed"'):]
    record = record[:record.index("</ul>")]
    assert "下载过标签的码：第 1–60 个。" in record
    lines = re.findall(r"<li>(.*?)</li>", record, re.S)
    assert len(lines) == 2 and "第 7 个" in lines[0] and "其中有之前下载过的" in lines[0]
    assert "第 1–60 个" in lines[1] and "之前下载过" not in lines[1]
    assert "A4" in lines[1] and PEARL in lines[1]  # on what, and who


def test_the_csv_for_label_software_holds_only_codes_that_may_be_printed(supplier, db):
    """Label software prints every row: a trial's CSV held 400 void codes, QR address and
    all. The Excel file stays the whole record."""
    from openpyxl import load_workbook
    from trace import recalls
    issue(supplier, db, 5)
    batch = catalog.get_batch(db, GTIN, LOT)
    recalls.void_range(db, batch, 2, 3, "重复发码", actor="qc")
    page = f"/supplier/batches/{GTIN}/{LOT}"
    text = supplier.get(page + "/codes.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["序号"] for row in rows] == ["1", "4", "5"]  # the labels' own numbers
    book = load_workbook(io.BytesIO(supplier.get(page + "/codes.xlsx").get_data()))
    assert book.active.max_row == 1 + 5


def test_a_hang_tag_is_offered_only_for_the_goods_it_is_made_for(supplier, db):
    """A huyou co-op was offered the pearl tag and the bedding tag for its boxes."""
    catalog.add_product(db, catalog.find_supplier(db, CREDIT_CODE), "6901234567892",
                        "常山胡柚礼盒 5kg", category="鲜果", shelf_life_days=30)
    catalog.new_batch(db, "6901234567892", "CS-1", produced_on="2026-11-10")
    issue_for(supplier, db, "06901234567892", "CS-1", 1)

    fruit = supplier.get("/supplier/batches/06901234567892/CS-1").get_data(as_text=True)
    offered = re.findall(r'<option value="([^"]+)"',
                         fruit.split('id="stock"')[1].split("</select>")[0])
    assert "a4-3x8" in offered and "thermal-40x30" in offered
    assert "吊牌" not in fruit  # not offered, nor listed as not fitting
    issue(supplier, db, 1)
    pearls = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "饰品吊牌" in pearls and "家纺吊牌" not in pearls
    # Chosen first for its goods: a clerk clicking the first PDF got A4 stickers.
    catalog.add_product(db, catalog.find_supplier(db, CREDIT_CODE), "09521234000044",
                        "海宁纯棉四件套", category="家纺", fibre_content="100%棉")
    catalog.new_batch(db, "09521234000044", "HN-1", produced_on="2026-11-10")
    issue_for(supplier, db, "09521234000044", "HN-1", 1)
    bedding = supplier.get("/supplier/batches/09521234000044/HN-1").get_data(as_text=True)
    select = bedding.split('id="stock"')[1].split("</select>")[0]
    assert re.search(r'<option value="tag-50x90"[^>]*selected', select), select
    assert "/labels/tag-50x90/1.pdf" in bedding


def test_a_textiles_fibre_and_care_reach_buyers_and_a_tag_says_what_it_cannot_print(
        client, supplier, db, issuer):
    """A Haining clerk squeezed 纤维含量 into 规格, had nowhere for care, and printed tags
    that lost their care text to '…' without a word."""
    form = supplier.get("/supplier/products/new").get_data(as_text=True)
    assert '<details class="textile-fields" id="textile-fields"' in form
    care = "30℃以下手洗，不可漂白，不可拧干，阴干，低温熨烫，" * 2 + "不可干洗"
    # A trial's clerk saved a GB 18401 bedsheet with no fibre content: its tag lacked it.
    for standard in ("GB 18401-2010 B类", "GB 18401—2010", "gb18401"):  # class or none
        bare = post_form(supplier, "/supplier/products/new", {
            "gtin": "6901234567892", "name": "全棉四件套", "standard": standard})
        assert bare.status_code == 400 and "纺织品要填纤维含量" in bare.get_data(as_text=True)
    assert not db.execute("SELECT 1 FROM products WHERE gtin = '06901234567892'").fetchall()
    done = post_form(supplier, "/supplier/products/new", {
        "gtin": "6901234567892", "name": "桑蚕丝被", "category": "家纺",
        "standard": "GB/T 24252-2019；GB 18401-2010 B类",
        "fibre_content": "面料 100%棉；填充物 100%桑蚕丝", "care": care})
    assert done.status_code == 303, done.get_data(as_text=True)[:400]
    product = catalog.get_product(db, "06901234567892")
    assert (product.fibre_content, product.care) == ("面料 100%棉；填充物 100%桑蚕丝", care)
    edit = supplier.get("/supplier/products/6901234567892/edit").get_data(as_text=True)
    assert '<details class="textile-fields" id="textile-fields"' in edit \
        and ' open>' in edit.split('id="textile-fields"', 1)[1].split("\n", 1)[0]
    post_form(supplier, "/supplier/batches/new",
              {"gtin": "06901234567892", "lot": "SY-1", "produced_on": "2026-11-01"})
    issue_for(supplier, db, "06901234567892", "SY-1", 1)
    page = "/supplier/batches/06901234567892/SY-1"
    html = supplier.get(page, query_string={"stock": "tag-50x90"}).get_data(as_text=True)
    said = html.split('id="details-shortened">', 1)[1].split("</div>", 1)[0]
    assert "这些内容在所选标签纸上印不全" in said and "<li>洗涤和保养：“洗涤和保养 30°C以下" in said
    assert "纤维含量" not in said and "/supplier/products/06901234567892/edit" in said
    short = post_form(supplier, "/supplier/products/6901234567892/edit", {
        "name": "桑蚕丝被", "category": "家纺", "standard": product.standard,
        "fibre_content": product.fibre_content, "care": "30℃以下手洗，不可漂白，阴干",
        "reason": "洗涤说明太长，吊牌印不下"},
        page="/supplier/products/6901234567892/edit")
    assert short.status_code == 303
    again = supplier.get(page, query_string={"stock": "tag-50x90"}).get_data(as_text=True)
    assert 'id="details-shortened"' not in again
    url = next(export_rows(db, "06901234567892", "SY-1", BASE_URL))["url"]
    buyer = client.get(url[len(BASE_URL):]).get_data(as_text=True)
    assert "<dt>纤维含量</dt>" in buyer and "面料 100%棉；填充物 100%桑蚕丝" in buyer
    assert "<dt>洗涤和保养</dt>" in buyer and "30℃以下手洗，不可漂白，阴干" in buyer
    assert '<dd class="note gloss">B类：可直接接触皮肤的纺织品（如床单、内衣）</dd>' in buyer


def test_a_pin_batch_is_not_offered_a_remembered_stock_that_leaves_its_pins_off(supplier, db):
    issue(supplier, db, 2, with_pin="1")
    page = f"/supplier/batches/{GTIN}/{LOT}"
    assert supplier.get(page + "/labels/thermal-40x30/range.pdf?first=1&last=1").status_code \
        == 200  # printed without its PIN, as the red notice on that stock warns
    html = supplier.get(page).get_data(as_text=True)
    assert '<option value="thermal-50x30-pin" selected>' in html


def test_the_batch_state_does_not_read_normal_alone_after_a_failed_test(supplier, app, db):
    """A trial's huyou grower read 状态 正常 at the top of his batch after the lab
    failed it, while buyers read 不建议购买."""
    from test_web_public import _failed_report
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "检测不合格，买家扫码看到" not in page
    _failed_report(app, db)
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    state = page[page.index("状态</dt>"):]
    assert '正常 · <a href="#lab" class="bad">检测不合格，买家扫码看到“不建议购买”</a>' in \
        state[:state.index("</dd>")]


def test_details_given_in_english_are_what_an_english_page_shows(supplier, db, client, issuer):
    """A tourist given Longjing tea switched to English and read 规格, 产地 and 贮存条件
    in Chinese: only the name could be given in English."""
    page = "/supplier/products/new"
    form = supplier.get(page).get_data(as_text=True)
    assert 'id="english-fields"' in form and 'name="storage_en"' in form
    done = post_form(supplier, page, {
        "gtin": "6901234567892", "name": "西湖龙井", "shelf_life_days": "18个月",
        "storage": "密封、避光、防潮", "specification": "250 g 罐装", "category": "茶叶",
        "specification_en": "250 g tin", "storage_en": "Sealed, dark and dry",
        "category_en": "Tea"}, page=page)
    assert done.status_code == 303
    product = catalog.get_product(db, "06901234567892")
    assert (product.specification_en, product.storage_en, product.origin_en,
            product.category_en) == ("250 g tin", "Sealed, dark and dry", None, "Tea")
    from trace.issuing import issue_codes
    catalog.new_batch(db, product.gtin, "LJ-1", produced_on="2026-04-01")
    issue_codes(db, issuer, product.gtin, "LJ-1", 1)
    url = next(iter(export_rows(db, product.gtin, "LJ-1", BASE_URL)))["url"]
    english = client.get(url[len(BASE_URL):] + "&lang=en").get_data(as_text=True)
    assert "<dd>250 g tin</dd>" in english and "<dd>Sealed, dark and dry</dd>" in english
    assert "<dd>Tea</dd>" in english and "茶叶" not in english
    chinese = client.get(url[len(BASE_URL):] + "&lang=zh").get_data(as_text=True)
    assert "250 g 罐装" in chinese and "250 g tin" not in chinese and "<dd>茶叶</dd>" in chinese
    # Care given in English only (a pearl has no Chinese one: the form folds it for
    # textiles): still shown, and labels are not said to be out of date for it.
    edited = post_form(supplier, f"/supplier/products/{product.gtin}/edit", {
        "name": "西湖龙井", "shelf_life_days": "18个月", "storage": "密封、避光、防潮",
        "specification": "250 g 罐装", "specification_en": "250 g tin", "category": "茶叶",
        "category_en": "Tea", "storage_en": "Sealed, dark and dry",
        "care_en": "Keep away from odours",
        "reason": ""}, page=f"/supplier/products/{product.gtin}/edit")
    assert edited.status_code == 303  # English alone: no reason asked (a trial was refused)
    assert corrections.changes_of(db, product.gtin)[-1].reason == "补充英文信息（English details）"
    chinese_too = post_form(supplier, f"/supplier/products/{product.gtin}/edit", {
        "name": "西湖龙井", "shelf_life_days": "18个月", "storage": "密封、避光",
        "specification": "250 g 罐装", "reason": ""}, page=f"/supplier/products/{product.gtin}/edit")
    assert chinese_too.status_code == 400 and "请填写更正原因" in chinese_too.get_data(as_text=True)
    english = client.get(url[len(BASE_URL):] + "&lang=en").get_data(as_text=True)
    assert "<dd>Keep away from odours</dd>" in english
    assert "a label printed earlier may show the old ones" not in english
    assert '<span lang="en">Keep away from odours</span>' in english  # in the history
    client.get(url[len(BASE_URL):] + "&lang=zh")  # the same browser, back in Chinese
    too_long = post_form(supplier, f"/supplier/products/{product.gtin}/edit",
                         {"name": "西湖龙井", "storage_en": "x" * 101,
                          "reason": "补英文"}, page=f"/supplier/products/{product.gtin}/edit")
    assert too_long.status_code == 400 and "英文贮存条件" in too_long.get_data(as_text=True)
