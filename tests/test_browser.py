"""The pages in real headless Chromium (driven by Playwright), as a person sees them.

Checks what is visible and where, not only what is in the DOM: the verdict,
product and maker on screen without scrolling sideways, at a phone viewport
(WeChat's in-app browser) and at 1280×720, and a screenshot that is not blank.
Under .ci/run (TRACE_REQUIRE_BROWSER=1) a missing Chromium fails, never skips.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageStat

from conftest import BASE_URL, GTIN, LOT

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160083 "
             "MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 "
             "Weixin NetType/WIFI Language/zh_CN ABI/arm64")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 720}}


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser):
    phone = request.param == "phone"
    context = browser.new_context(viewport=VIEWPORTS[request.param],
                                  device_scale_factor=2 if phone else 1,
                                  is_mobile=phone, has_touch=phone,
                                  user_agent=WECHAT_UA if phone else None, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def open_page(page, url: str):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return response


def assert_seen(page, selector: str, text: str | None = None, *, first_screen: bool = False):
    """``selector`` is visible, inside the viewport's width, and holds ``text``."""
    element = page.locator(selector).first
    assert element.is_visible(), f"{selector} is not visible"
    box = element.bounding_box()
    width = page.viewport_size["width"]
    assert box and box["width"] > 0 and box["height"] > 0, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)
    if first_screen:
        assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], \
            (selector, box)
    if text is not None:
        assert text in element.inner_text(), (selector, element.inner_text())


def assert_not_blank(page) -> None:
    shot = Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("RGB")
    colours = shot.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20, "the screenshot is (nearly) one colour"
    assert max(ImageStat.Stat(shot.convert("L")).stddev) > 10, "the screenshot has no contrast"


def assert_no_sideways_scroll(page) -> None:
    # Against the screen, not window.innerWidth: a mobile browser widens its layout
    # viewport to content that does not fit, so innerWidth grows with the overflow.
    overflow = page.evaluate("document.documentElement.scrollWidth") - \
        page.viewport_size["width"]
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def sign_in_page(page, live_server: str, email: str, role: str) -> None:
    """Sign a staff account in through the real form; its workspace is open."""
    from conftest import STAFF_PASSWORD
    open_page(page, live_server + "/login")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"**/{role}/")


def test_genuine_page_as_a_buyer_sees_it(page, live_server, issued_urls):
    open_page(page, live_server + issued_urls[0][len(BASE_URL):])
    assert_seen(page, 'section.verdict[data-verdict="genuine"]', "正品", first_screen=True)
    assert_seen(page, "section.verdict .reason", "防伪签名核对无误", first_screen=True)
    assert_seen(page, "header.site .domain", "trace.example.cn")
    assert_seen(page, "main", "诸暨淡水珍珠项链")
    assert_seen(page, "main", "诸暨市山下湖明珠珍珠有限公司")
    assert_no_sideways_scroll(page)
    assert_not_blank(page)
    assert page.title().startswith("正品")


def test_forged_page_warns_on_the_first_screen(page, live_server, issued_urls):
    first, second = issued_urls[0], issued_urls[1]
    moved = first.split("&s=")[0] + "&s=" + second.split("&s=")[1]
    open_page(page, live_server + moved[len(BASE_URL):])
    assert_seen(page, 'section.verdict[data-verdict="forged"]', "谨防假冒", first_screen=True)
    assert_seen(page, "section.verdict .advice", "12315", first_screen=True)
    assert "诸暨淡水珍珠项链" not in page.inner_text("body")
    assert_no_sideways_scroll(page)
    assert_not_blank(page)


def test_language_switch_is_visible_and_works(page, live_server, issued_urls):
    open_page(page, live_server + issued_urls[0][len(BASE_URL):])
    assert_seen(page, "a.lang", "English", first_screen=True)
    page.click("a.lang")
    page.wait_for_load_state("load")
    assert_seen(page, 'section.verdict[data-verdict="genuine"]', "Genuine", first_screen=True)
    assert page.url.startswith(live_server + "/01/")


def test_batch_and_home_pages_render(page, live_server, issued_urls):
    open_page(page, live_server + "/")
    assert_seen(page, "main", "扫描商品标签上的二维码")
    assert_not_blank(page)
    open_page(page, live_server + issued_urls[0][len(BASE_URL):].split("/21/")[0])
    assert_seen(page, "section.verdict h1", "批次信息", first_screen=True)
    assert_no_sideways_scroll(page)


def one_line(page, selector: str) -> bool:
    """The element's text is laid out on a single line."""
    return page.evaluate("""sel => { const range = document.createRange();
        range.selectNodeContents(document.querySelector(sel));
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        return tops.size === 1; }""", selector)


def copied(db, url: str, networks: int = 8) -> None:
    """Give the item the history of a label copied onto several fakes."""
    from trace import catalog, scans
    serial = url.split("/21/")[1].split("?")[0]
    item = catalog.find_item(db, url.split("/01/")[1][:14], serial)
    for n in range(networks):
        scans.record_scan(db, item["id"], scans.Observer(f"net{n}", f"dev{n}"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_kind_of_page_fits_the_screen(page, live_server, db, issued_urls, lang):
    from trace import recalls
    from trace.codes import parse_link
    copied(db, issued_urls[1])
    recalls.recall_item(db, parse_link(issued_urls[2], BASE_URL), "包装破损", actor="t")
    serial = issued_urls[3].split("/21/")[1].split("?")[0]
    suffix = "&lang=en" if lang == "en" else ""
    pages = {
        "genuine": issued_urls[0][len(BASE_URL):] + suffix,
        "suspicious": issued_urls[1][len(BASE_URL):] + suffix,
        "recalled": issued_urls[2][len(BASE_URL):] + suffix,
        "registered": f"/verify?q={serial.lower()}{suffix}",
    }
    for verdict, path in pages.items():
        open_page(page, live_server + path)
        assert_seen(page, f'section.verdict[data-verdict="{verdict}"]', first_screen=True)
        assert_no_sideways_scroll(page)
        assert_not_blank(page)
        assert one_line(page, "dd.mono.nowrap:last-of-type"), verdict
        credit = page.locator("text=91330681MA2D7XKQ0T").first
        assert credit.is_visible()
        box = credit.bounding_box()
        assert box["x"] + box["width"] <= page.viewport_size["width"], box
        assert page.evaluate("""() => { const el = [...document.querySelectorAll('dd')]
            .find(d => d.textContent.trim() === '91330681MA2D7XKQ0T');
            const r = document.createRange(); r.selectNodeContents(el.querySelector('.keep'));
            return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }""") == 1
        tech = page.locator("details.tech")
        assert tech.is_visible() and not tech.evaluate("d => d.open")  # folded by default
    open_page(page, live_server + "/report?code=" + pages["genuine"].split("&lang")[0] + suffix)
    assert_seen(page, "form.stacked button")
    assert_no_sideways_scroll(page)
    for field in ("#where_bought", "#contact"):  # one line each, not a stretched box
        assert page.locator(field).bounding_box()["height"] < 70, field


def test_a_buyer_claims_with_the_pin_in_a_real_browser(page, live_server, app, db, issuer,
                                                       make_batch):
    from trace.issuing import export_rows, issue_codes
    make_batch(lot="PIN-1")
    secret = app.config["HASH_SECRET"]
    issue_codes(db, issuer, "09521234000013", "PIN-1", 1, pin_secret=secret)
    row = next(iter(export_rows(db, "09521234000013", "PIN-1", BASE_URL, secret)))
    open_page(page, live_server + row["url"][len(BASE_URL):])
    page.fill("#pin", "000000" if row["pin"] != "000000" else "111111")
    page.click("form.claim button")
    page.wait_for_load_state("load")
    assert_seen(page, ".notice-bad", "防伪密码不正确")
    page.fill("#pin", row["pin"])
    page.click("form.claim button")
    page.wait_for_load_state("load")
    assert_seen(page, ".notice-ok", "认领成功")
    assert_seen(page, 'section.scans[data-case="claimed_by_you"]', "您已于")
    assert db.execute("SELECT count(*) FROM claims").fetchone()[0] == 1


def test_a_claim_without_the_tick_is_told_where_it_lands(browser, live_server, issued_urls):
    """A trial's 70-year-old pressed 这件是我买的 without ticking the box: only the
    browser's small bubble said why, and only for a moment."""
    context = browser.new_context(viewport={"width": 195, "height": 422}, is_mobile=True,
                                  device_scale_factor=4, user_agent=WECHAT_UA)
    page = context.new_page()
    open_page(page, live_server + issued_urls[0][len(BASE_URL):])
    page.click("form.claim button")
    page.wait_for_load_state("load")
    told = page.locator("#claim-error")
    box = told.bounding_box()
    assert box and -1 < box["y"] < 422 and "请先勾选“这件商品已经在我手里”" in told.inner_text()
    page.check("input[name=received]")
    page.click("form.claim button")
    page.wait_for_load_state("load")
    assert "认领成功" in page.locator(".notice-ok").inner_text()
    context.close()


def test_a_claim_lands_on_its_answer_on_a_zoomed_phone(browser, live_server, app, db, issuer,
                                                       make_batch):
    """At 200% the verdict fills the first screen: 认领成功 below it went unseen."""
    from trace.issuing import export_rows, issue_codes
    make_batch(lot="PIN-1")
    issue_codes(db, issuer, "09521234000013", "PIN-1", 1, pin_secret=app.config["HASH_SECRET"])
    row = next(iter(export_rows(db, "09521234000013", "PIN-1", BASE_URL,
                                app.config["HASH_SECRET"])))
    context = browser.new_context(viewport={"width": 195, "height": 422}, is_mobile=True,
                                  device_scale_factor=4, user_agent=WECHAT_UA)
    page = context.new_page()
    open_page(page, live_server + row["url"][len(BASE_URL):])
    page.fill("#pin", row["pin"])
    page.click("form.claim button")
    page.wait_for_load_state("load")
    box = page.locator(".notice-ok").bounding_box()
    # Scrolled to it at 4× scale, its top may sit a fraction of a pixel above the screen.
    assert box and -1 < box["y"] < 422 and "认领成功" in page.locator(".notice-ok").inner_text()
    context.close()


def test_a_buyer_reports_with_a_photo_in_a_real_browser(page, live_server, db, issued_urls,
                                                        tmp_path):
    photo = tmp_path / "fake.png"
    Image.new("RGB", (40, 30), (10, 200, 10)).save(photo)
    open_page(page, live_server + issued_urls[0][len(BASE_URL):])
    page.click("a.button-link")
    page.wait_for_load_state("load")
    page.fill("#what_seen", "吊牌字体和正品不一样")
    page.fill("#where_bought", "某平台直播间")
    page.set_input_files("#photo", str(photo))
    page.click("form.stacked button")
    page.wait_for_load_state("load")
    assert_seen(page, "section.verdict h1", "举报已收到", first_screen=True)
    row = db.execute("SELECT what_seen, photo_type, serial FROM reports").fetchone()
    assert row[:2] == ("吊牌字体和正品不一样", "image/png")
    assert row[2] == issued_urls[0].split("/21/")[1].split("?")[0]


def test_a_large_photo_is_made_smaller_on_the_phone_before_it_is_sent(
        browser, app, live_server, db, issued_urls, tmp_path):
    """A trial's 4.2 MB photo took 85 s over a slow line, with no sign of life: the
    form says it is sending, and sends the photo no larger than the server keeps it."""
    photo = tmp_path / "big.jpg"
    Image.effect_noise((4000, 3000), 40).convert("RGB").save(photo, quality=95)  # ~9.8 MB
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=WECHAT_UA)
    page = context.new_page()
    posted: list[int] = []  # what reached the server (a browser's own log leaves out files)
    served = app.wsgi_app

    def measured(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            posted.append(int(environ.get("CONTENT_LENGTH") or 0))
        return served(environ, start_response)
    app.wsgi_app = measured
    open_page(page, live_server + "/report?code=" + issued_urls[0][len(BASE_URL):])
    page.fill("#what_seen", "吊牌字体和正品不一样")
    page.fill("#where_bought", "某平台直播间")
    page.set_input_files("#photo", str(photo))
    page.click("form.stacked button")
    page.wait_for_url("**/report/1/**")
    assert_seen(page, "section.verdict h1", "举报已收到")
    assert len(posted) == 1 and posted[0] < photo.stat().st_size / 2, \
        (posted, photo.stat().st_size)
    stored = db.execute("SELECT data FROM photos").fetchone()[0]
    assert max(Image.open(io.BytesIO(stored)).size) == 2560
    context.close()


def test_a_photo_over_the_limit_is_said_at_once_and_nothing_typed_is_lost(
        page, live_server, db, issued_urls):
    """A 66 MB photo sent the whole form to a 413 page: everything typed was gone."""
    open_page(page, live_server + issued_urls[0][len(BASE_URL):])
    page.click("a.button-link")
    page.wait_for_load_state("load")
    page.fill("#what_seen", "吊牌字体和正品不一样")
    assert page.locator("#photo-too-big").is_hidden()
    page.set_input_files("#photo", {"name": "huge.jpg", "mimeType": "image/jpeg",
                                    "buffer": b"\xff\xd8" + bytes(16 * 1024 * 1024)})
    assert_seen(page, "#photo-too-big", "这张照片超过 15 MB，不能上传")
    assert page.evaluate("document.getElementById('photo').files.length") == 0  # not sent
    assert page.input_value("#what_seen") == "吊牌字体和正品不一样"
    page.fill("#where_bought", "某平台直播间")
    page.click("form.stacked button")
    page.wait_for_load_state("load")
    assert_seen(page, "section.verdict h1", "举报已收到", first_screen=True)


def test_a_supplier_issues_downloads_and_voids_in_a_real_browser(page, live_server, db,
                                                                 make_batch, make_account,
                                                                 issuer, tmp_path):
    """A new supplier user's first session: sign in, a product, a batch, 50 codes with
    progress, the CSV and a label PDF, and one code voided, which then verifies void."""
    import csv

    import pypdfium2
    import zxingcpp

    from conftest import CREDIT_CODE
    make_batch()
    email = make_account("supplier", "qc@pearl.example.cn", org=CREDIT_CODE)
    sign_in_page(page, live_server, email, "supplier")
    page.click("nav.staff-nav >> text=登记商品")
    page.fill("#gtin", "6901234567892")
    page.fill("#name", "明前龙井 特级 250 g")
    page.fill("#shelf_life_days", "540")
    page.click("form.stacked button[type=submit]")
    assert_seen(page, ".notice-ok", "商品已保存")
    page.fill("#lot", "lj-2604")
    page.fill("#produced_on", "2026-04-01")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/supplier/batches/06901234567892/LJ-2604")
    assert_no_sideways_scroll(page)
    page.fill("#count", "50")
    page.click("#issue button[type=submit]")
    page.wait_for_selector(".notice-ok", timeout=60_000)  # the page refreshes itself
    assert "这次发出了 50 个码" in page.inner_text(".notice-ok")
    page.click("text=去批次页下载标签")
    with page.expect_download() as csv_download:
        page.click("text=码表 CSV（供标签软件导入）")
    raw = open(csv_download.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 50
    with page.expect_download() as pdf_download:
        page.click("ul.parts >> text=PDF 1")
    document = pypdfium2.PdfDocument(pdf_download.value.path())
    # QR codes only: a line of printed text can pass for a linear barcode to a reader
    # looking for every kind.
    sheet = document[0].render(scale=4).to_pil()
    found = zxingcpp.read_barcodes(sheet, formats=zxingcpp.BarcodeFormat.QRCode)
    scanned = {r.text for r in found}
    assert scanned <= {row["二维码网址"] for row in rows}, scanned
    assert len(scanned) == 24
    # Another stock chosen: the PDF buttons print on it at once (no second button).
    other = page.eval_on_selector("#stock", "s => s.options[s.options.length - 1].value")
    page.select_option("#stock", other)
    page.wait_for_url(f"**stock={other}**")
    assert f"/labels/{other}/" in page.get_attribute("ul.parts a", "href")
    assert not page.is_visible("button[data-without-script]")  # the links follow the pickers
    assert other.startswith("thermal-") and page.is_visible("#format")  # a roll: its commands
    page.select_option("#format", "tspl")
    page.wait_for_url("**format=tspl**")
    assert page.get_attribute("ul.parts a", "href").endswith(f"/labels/{other}/1.tspl")
    assert_seen(page, "#roll-help", "copy /b")
    page.fill("#serial", rows[0]["追溯码"].lower())
    page.fill("#item-reason", "标签贴歪，已重印")
    page.click("button[value=void]")  # not yet: voiding is final, and asks to be sure
    assert_seen(page, ".notice-bad", "勾选确认后再点一次")
    page.check("#status form:first-of-type input[name=confirm]")  # what was typed is still there
    page.click("button[value=void]")
    assert_seen(page, ".notice-ok", "已作废")
    assert_not_blank(page)
    open_page(page, live_server + rows[0]["二维码网址"][len(BASE_URL):])
    assert_seen(page, 'section.verdict[data-verdict="void"]', first_screen=True)


@pytest.mark.parametrize("photo", [False, True])
def test_the_verify_page_weighs_under_40_kb_and_asks_no_other_host(
        browser, live_server, app, issued_urls, photo):
    """A buyer's first load, as transferred (compressed, headers included), with the
    report PDF link and a lab report shown: the budget is DESIGN §12's. With the
    product's photo, scrolled to so that it loads too."""
    from test_web_public import _stored_report
    from test_product_photos import camera_photo
    from trace import product_photos
    from trace.db import open_db
    db = open_db(app.config["DATABASE"])
    _stored_report(app, db)
    if photo:
        db.execute("UPDATE products SET photo = ?",
                   [product_photos.store_photo(db, camera_photo())])
    context = browser.new_context(viewport=VIEWPORTS["phone"], user_agent=WECHAT_UA,
                                  locale="zh-CN", is_mobile=True)
    try:
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        open_page(page, live_server + issued_urls[0][len(BASE_URL):])
        page.wait_for_load_state("networkidle")
        if photo:
            page.locator(".product-photo img").scroll_into_view_if_needed()
            page.wait_for_function("document.querySelector('.product-photo img').complete "
                                   "&& document.querySelector('.product-photo img').naturalWidth")
            page.wait_for_load_state("networkidle")
            assert any(request.url.endswith("/thumb.jpg") for request in finished)
        hosts = {request.url.split("/")[2] for request in finished}
        transferred = sum(sum(request.sizes()[part] for part in (
            "responseBodySize", "responseHeadersSize", "requestHeadersSize"))
            for request in finished)
        print(f"verify page{' with photo' if photo else ''}, first load: {len(finished)} "
              f"requests, {transferred:,} bytes")
        assert hosts == {live_server.split("/")[2]}, hosts
        assert transferred < 40 * 1024, f"{transferred:,} bytes"
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 260])  # 260: a 390 phone at 150% text size
def test_each_lab_result_and_its_verdict_fit_a_phone(browser, live_server, app, db,
                                                     issued_urls, width):
    from test_web_public import _stored_report
    _stored_report(app, db, items=[
        {"name": "铅(以Pb计)", "result": "0.62", "unit": "mg/kg", "limit": "≤5.0",
         "verdict": "合格"},
        {"name": "联苯菊酯", "result": "5.8", "unit": "mg/kg", "limit": "≤5", "verdict": "不合格"}])
    context = browser.new_context(viewport={"width": width, "height": 700}, is_mobile=True,
                                  device_scale_factor=2, user_agent=WECHAT_UA)
    page = context.new_page()
    open_page(page, live_server + issued_urls[0][len(BASE_URL):])
    assert_no_sideways_scroll(page)
    verdicts = page.locator("table.results td.item-verdict")
    assert verdicts.count() == 2
    shown = page.locator("table.results").first.evaluate(  # the part not scrolled away
        "t => t.parentElement.getBoundingClientRect().right")
    for n, word in enumerate(["合格", "不合格"]):
        assert_seen(page, f"table.results tr:nth-child({n + 1}) td.item-verdict", word)
        box = verdicts.nth(n).bounding_box()
        assert box["x"] + box["width"] <= shown + 0.5, (word, box, shown)
    context.close()


@pytest.mark.parametrize("width", [195, 260])  # a 390 phone zoomed to 200% and 150%
def test_details_and_the_pin_box_stay_readable_zoomed_in(browser, live_server, app, db,
                                                         issuer, make_batch, width):
    """Older buyers zoom in: a value column one character wide, or a PIN box
    running off the screen, were what they met."""
    from trace.issuing import export_rows, issue_codes
    make_batch(lot="PIN-1")
    issue_codes(db, issuer, "09521234000013", "PIN-1", 1, pin_secret=app.config["HASH_SECRET"])
    row = next(iter(export_rows(db, "09521234000013", "PIN-1", BASE_URL,
                                app.config["HASH_SECRET"])))
    context = browser.new_context(viewport={"width": width, "height": 700}, is_mobile=True,
                                  device_scale_factor=2, user_agent=WECHAT_UA)
    page = context.new_page()
    open_page(page, live_server + row["url"][len(BASE_URL):])
    assert_no_sideways_scroll(page)
    narrowest = page.evaluate("() => Math.min(...[...document.querySelectorAll('dd')]"
                              ".map(d => d.getBoundingClientRect().width))")
    assert narrowest >= width * 0.6, narrowest  # each value under its label, full width
    pin = page.locator("#pin").bounding_box()
    assert pin["x"] + pin["width"] <= width, pin
    context.close()


def test_an_english_verdict_word_never_breaks_on_a_zoomed_phone(browser, live_server,
                                                                issued_urls):
    """At 200 % zoom (180 px) a trial read "Genuin" over "e", and "proble" over "m"."""
    from conftest import forged
    context = browser.new_context(viewport={"width": 180, "height": 700}, is_mobile=True,
                                  device_scale_factor=2, user_agent=WECHAT_UA)
    page = context.new_page()
    for url in (issued_urls[0], forged(issued_urls[1])):
        open_page(page, live_server + url[len(BASE_URL):] + "&lang=en")
        broken = page.evaluate("""() => {
            const h1 = document.querySelector('.verdict h1'), range = document.createRange();
            const walker = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT), cut = [];
            for (let text = walker.nextNode(); text; text = walker.nextNode()) {
                for (const word of text.data.matchAll(/\\S+/g)) {
                    range.setStart(text, word.index);
                    range.setEnd(text, word.index + word[0].length);
                    if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1)
                        cut.push(word[0]);
                }
            }
            return cut;
        }""")
        assert broken == [], (url, broken)
    context.close()


def test_a_phone_with_its_text_enlarged_never_scrolls_sideways(
        browser, live_server, app, db, issued_urls):
    """WeChat's 字体大小 at its largest (text about 2.5 times, the layout as wide as
    ever): a trial's 71-year-old met a page 442 px wide on a 320 px screen, pushed
    out by a corrected report's （已更正，第 2 版） and a phone number kept whole."""
    from trace import agencies
    from trace.inspections import signing, store
    from test_inspections_store import pearl_report
    from test_web_public import _stored_report
    _stored_report(app, db)
    lab = agencies.find_agency(db, "231012341234")
    fixed = pearl_report(lab, version="2", supersedes="1", reason="结论措辞",
                         conclusion="所检项目符合要求")
    store.store_report(db, fixed, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, fixed))
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True,
                                  device_scale_factor=2, user_agent=WECHAT_UA)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 40, "fixed": 33}})
    for path in (issued_urls[0][len(BASE_URL):], f"/01/{GTIN}/10/{LOT}"):
        open_page(page, live_server + path)
        assert "已更正，第 2 版" in page.content()
        assert_no_sideways_scroll(page)
    context.close()


def test_a_long_official_domain_wraps_on_a_zoomed_phone(browser, live_server, app, issued_urls):
    """The footer's '请核对网址是否为 …' ran a 34-character domain off a 195 px screen."""
    app.config["OFFICIAL_DOMAIN"] = "verify.shanxiahupearlzhuji.com.cn"
    context = browser.new_context(viewport={"width": 195, "height": 700}, is_mobile=True,
                                  device_scale_factor=2, user_agent=WECHAT_UA)
    page = context.new_page()
    for path in ("/", issued_urls[0][len(BASE_URL):]):
        open_page(page, live_server + path)
        assert_no_sideways_scroll(page)
        footer = page.locator("footer.site").inner_text()
        assert "verify.shanxiahupearlzhuji.com.cn" in footer.replace("\n", "")
    context.close()


def test_a_refused_selection_opens_at_its_error_on_a_phone(
        page, live_server, db, issued_urls, make_account):
    """选用 without a reason on a sample with no lab report: the refusal must be on the
    first screen, not under seven check cards."""
    from trace import rooms

    room = rooms.add_room(db, "山下湖珍珠直播间", "douyin", "7712345678")
    email = make_account("streamer", "live@room.example.cn", org=str(room.id))
    sign_in_page(page, live_server, email, "streamer")
    open_page(page, live_server + "/streamer/check?code=" + issued_urls[0].replace("&", "%26"))
    page.select_option("#decision", "选用")
    page.click("#decide button[type=submit]")
    page.wait_for_load_state()
    assert_seen(page, "#decide .notice-bad", "选用理由", first_screen=True)
    assert db.execute("SELECT count(*) FROM selections").fetchone()[0] == 0


def test_a_failed_lab_tests_verdict_leads_a_zoomed_phone(
        browser, live_server, app, db, issued_urls):
    """At 200% zoom the pink lab warning above the verdict filled the first screen."""
    from test_web_public import _stored_report
    _stored_report(app, db, items=[
        {"name": "联苯菊酯", "result": "5.8", "unit": "mg/kg", "limit": "≤5", "verdict": "不合格"}])
    context = browser.new_context(viewport={"width": 195, "height": 422}, is_mobile=True,
                                  device_scale_factor=2, user_agent=WECHAT_UA)
    page = context.new_page()
    open_page(page, live_server + issued_urls[0][len(BASE_URL):])
    assert_seen(page, "section.verdict h1", "检测不合格", first_screen=True)
    order = page.evaluate("() => [document.querySelector('section.verdict'), "
                          "document.querySelector('p.warning')].map(e => "
                          "e.getBoundingClientRect().top)")
    assert order[0] < order[1]  # the verdict first, its warning after
    context.close()


# The WCAG contrast of each visible button's text against the colour behind it, and
# its side padding: a stylesheet rule for links in a list once turned the room's
# main button black on navy, its label touching the edges.
_BUTTONS_AS_DRAWN = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (el) => { for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  return [...document.querySelectorAll("main a.button, main button, main .button-link")]
    .filter((el) => el.offsetParent !== null).map((el) => {
      const style = getComputedStyle(el), a = lum(rgb(style.color)), b = lum(behind(el));
      return {text: el.innerText.trim(), padding: parseFloat(style.paddingLeft),
              contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)}; });
}"""


def test_the_rooms_buttons_are_readable(page, live_server, app, db, issued_urls,
                                        make_account):
    from trace import rooms
    from trace.streamers import live, selection

    from test_web_public import _stored_report
    room = rooms.add_room(db, "山下湖珍珠直播间", "douyin", "7712345678")
    _stored_report(app, db)
    result = selection.check_sample(db, issued_urls[0], BASE_URL)
    selection.record_selection(db, room, result, "选用", actor="live",
                               override_reason=None if result.ok else "样品已送检")
    live.open_live(db, room, GTIN, LOT, actor="live")
    email = make_account("streamer", "live@room.example.cn", org=str(room.id))
    sign_in_page(page, live_server, email, "streamer")
    drawn = page.evaluate(_BUTTONS_AS_DRAWN)
    assert any(button["text"] == "预览本批次画面" for button in drawn), drawn
    for button in drawn:
        assert button["contrast"] >= 4.5 and button["padding"] >= 8, button


@pytest.mark.parametrize("role, path", [("admin", "/admin/"), ("supplier", "/supplier/"),
                                        ("agency", "/agency/reports/new")])
def test_each_workspaces_buttons_are_readable(page, live_server, db, issued_urls, commissioned,
                                              make_account, role, path):
    org = {"admin": None, "supplier": "1", "agency": str(commissioned.id)}[role]
    email = make_account(role, f"{role}@trace.example.cn", org=org)
    sign_in_page(page, live_server, email, role)
    open_page(page, live_server + path)
    for details in page.locator("main details").all():  # the folded forms' buttons too
        if details.is_visible():
            details.evaluate("el => el.open = true")
    drawn = page.evaluate(_BUTTONS_AS_DRAWN)
    assert drawn
    for button in drawn:
        assert button["contrast"] >= 4.5 and button["padding"] >= 8, button


@pytest.mark.parametrize("field, food", [("#category", "西湖龙井绿茶"), ("#name", "常山胡柚礼盒")])
def test_the_food_fields_open_when_the_name_or_category_names_food(
        page, live_server, make_batch, make_account, field, food):
    from conftest import CREDIT_CODE
    make_batch()
    email = make_account("supplier", "clerk@trace.example.cn", org=CREDIT_CODE)
    sign_in_page(page, live_server, email, "supplier")
    open_page(page, live_server + "/supplier/products/new")
    assert not page.locator("#shelf_life_days").is_visible()
    assert not page.locator("#fibre_content").is_visible()
    page.fill("#name", "纯棉t恤")  # lower case, as a Chinese keyboard types it
    page.locator("#fibre_content").wait_for(state="visible", timeout=2000)  # a textile's own
    page.fill("#category", "家纺床品")
    assert not page.locator("#shelf_life_days").is_visible()
    page.fill(field, food)
    page.locator("#shelf_life_days").wait_for(state="visible", timeout=2000)
    assert_seen(page, "#licence_no")


def test_the_labs_example_lines_follow_the_batch_chosen(page, live_server, app, db, make_batch,
                                                        make_account):
    from trace import agencies
    from trace.inspections import commissions
    from conftest import GTIN, LOT
    make_batch()
    fruit = make_batch(gtin="06901234567892", lot="HY-2611", name="常山胡柚")
    agency, _ = agencies.add_agency(db, "衢州市食品检验所", "231012341299", "L1299",
                                    keys_dir=app.config["KEYS_DIR"])
    for gtin, lot in ((GTIN, LOT), ("06901234567892", "HY-2611")):
        commissions.commission(db, gtin, lot, agency.id, actor="qc")
    sign_in_page(page, live_server, make_account("agency", "chen@lab.example.cn",
                                                 org=str(agency.id)), "agency")
    open_page(page, live_server + "/agency/reports/new")
    page.select_option("#batch", str(fruit.id))
    assert page.get_attribute("#items", "placeholder").startswith("克百威")
    page.select_option("#batch", "1")
    assert page.get_attribute("#items", "placeholder").startswith("鉴定结论")
