"""The scan landing page, its JSON twin, the batch page and the key set."""

import json
import re
import socket

import pytest

from trace import catalog, recalls
from trace.issuing import export_rows, issue_codes
from trace.inspections import commissions, signing

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT


def path_of(url: str) -> str:
    return url[len(BASE_URL):]


def headline(first: str, rest: str) -> str:
    """A two-part Chinese verdict as the page writes it: broken between its parts."""
    return f'<h1><span class="nowrap">{first} ·</span> <span class="nowrap">{rest}</span></h1>'


def test_genuine_page_in_chinese(client, issued_urls):
    response = client.get(path_of(issued_urls[0]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-verdict="genuine"' in html
    for text in ("正品", "诸暨淡水珍珠项链", "诸暨市山下湖明珠珍珠有限公司", "91330681MA2D7XKQ0T",
                 LOT, "trace.example.cn", "官方验证平台",
                 "本批次暂无检测机构上传的检测报告", "没有检测报告不代表商品有问题"):
        assert text in html, text
    assert '<html lang="zh-CN">' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_english_on_request_keeps_the_code(client, issued_urls):
    html = client.get(path_of(issued_urls[0]) + "&lang=en").get_data(as_text=True)
    assert "Genuine" in html and '<html lang="en">' in html
    switch = re.search(r'class="lang" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert client.get(switch).get_data(as_text=True).count("正品") >= 1


def test_english_chosen_once_stays_for_the_next_code_until_chinese_is_chosen(app,
                                                                             issued_urls):
    """A foreign student switched to English, scanned the next item, and read Chinese."""
    browser = app.test_client()
    assert '<html lang="en">' in browser.get(path_of(issued_urls[0]) + "&lang=EN").get_data(
        as_text=True)  # any case
    html = browser.get(path_of(issued_urls[1])).get_data(as_text=True)
    assert '<html lang="en">' in html and "Genuine" in html
    switch = re.search(r'class="lang" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert switch.endswith("lang=zh")  # back to Chinese says so, or the cookie would win
    assert '<html lang="zh-CN">' in browser.get(switch).get_data(as_text=True)
    assert '<html lang="zh-CN">' in browser.get(path_of(issued_urls[2])).get_data(as_text=True)
    assert '<html lang="zh-CN">' in app.test_client().get(path_of(issued_urls[2])).get_data(
        as_text=True)  # another reader is not touched


def test_json_twin_is_the_cli_object(client, run_cli, issued_urls):
    page = client.get(path_of(issued_urls[0]), headers={"Accept": "application/json"})
    assert page.mimetype == "application/json"
    cli = run_cli("verify", issued_urls[0], "--json")
    import json
    from_cli = json.loads(cli.output)
    from_web = page.get_json()
    for data in (from_cli, from_web):
        data.pop("verified_at")
    # The page's scan was the first (first_at null); the command, no scan, reads its time.
    assert from_web["scans"].pop("first_at") is None and from_cli["scans"].pop("first_at")
    assert from_web == from_cli
    assert from_web["verdict"] == "genuine"


def test_forged_code_page(client, issued_urls):
    sig_at = issued_urls[0].index("&s=") + 3 + 40
    flipped = "A" if issued_urls[0][sig_at] != "A" else "B"
    url = issued_urls[0][:sig_at] + flipped + issued_urls[0][sig_at + 1:]
    response = client.get(path_of(url))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-verdict="forged"' in html and "谨防假冒" in html
    shown, tech = html.split('<details class="card tech">')
    assert "诸暨淡水珍珠项链" not in shown  # nothing of the real item leaks onto a fake
    # ...but whose goods it copies is named under 技术详情, framed as such, for a 市场监管
    # inspector (a trial's cut the URL down by hand) and a buyer to follow up.
    assert "这个假码冒用的是“诸暨市山下湖明珠珍珠有限公司”的商品“诸暨淡水珍珠项链”" in tech
    # No link to the genuine batch: its page ("没有不合格项目", the rooms that sold it)
    # read as about the fake in her hands (a trial's buyer of 58).
    assert "真品批次页" not in tech and f'href="/01/{GTIN}/10/{LOT}"' not in tech
    # "可以在下方举报": a link to the report button, screens below on a zoomed phone
    assert '<a href="#help">在下方举报</a>' in html and 'id="help"' in html
    # Help for someone holding a fake: a refund and evidence, not a damaged item's return.
    help_card = html[html.index('id="help"'):]
    assert "买到了假货：请保留商品、包装和订单截图" in help_card and "商品有破损" not in help_card
    genuine = client.get(path_of(issued_urls[1])).get_data(as_text=True)
    assert "商品有破损或质量问题" in genuine and "买到了假货" not in genuine


@pytest.mark.parametrize("path", [
    "/01/", "/01/abc", "/01/%", "/01/%ZZ", "/01/" + "9" * 5000, "/01/09521234000013/10/%00",
    "/01/09521234000013/10/L/21/S?k=%FF&s=%00", "/01/09521234000013/10/L/21/S?s=" + "=" * 90,
    "/01/09521234000013/10/%E7%8F%8D%E7%8F%A0", "/01/09521234000013/10/L/21/S/extra/x",
    "/01/09521234000013/10/L?k&s&&=&", "/01/\u73cd\u73e0",
])
def test_hostile_paths_never_500(client, issued_urls, path):
    for accept in ("text/html", "application/json"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code < 500, (path, response.status_code)


def test_batch_page(client, db, issuer, issued_urls):
    issue_codes(db, issuer, GTIN, LOT, 2)
    html = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "批次信息" in html and "诸暨淡水珍珠项链" in html
    assert re.search(r"<dt>已发码数量</dt>\s*<dd>7</dd>", html), html
    data = client.get(f"/01/{GTIN}/10/{LOT}", headers={"Accept": "application/json"}).get_json()
    assert data["issued"] == 7 and data["batch"]["lot"] == LOT


def test_unknown_batch_is_a_chinese_404(client, issued_urls):
    response = client.get(f"/01/{GTIN}/10/NOPE")
    assert response.status_code == 404
    assert "<h1>没有找到</h1>" in response.get_data(as_text=True)
    data = client.get(f"/01/{GTIN}/10/NOPE", headers={"Accept": "application/json"}).get_json()
    assert data["error"] == "NotFound"


def test_unknown_page_404(client):
    response = client.get("/nope")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    assert 'action="/verify"' in response.get_data(as_text=True)  # look the code up here


def test_pasted_code(client, issued_urls):
    html = client.get("/verify", query_string={"url": issued_urls[1]}).get_data(as_text=True)
    assert 'data-verdict="genuine"' in html
    html = client.get("/verify", query_string={"url": "<script>x</script>"}).get_data(as_text=True)
    assert 'data-verdict="invalid"' in html and "<script>x" not in html


def test_key_set(client, issuer):
    data = client.get("/.well-known/trace-keys.json").get_json()
    assert [k["kid"] for k in data["keys"]] == [issuer.kid]
    assert data["keys"][0]["role"] == "issuer" and data["keys"][0]["crv"] == "Ed25519"


def test_security_headers_and_no_inline_script(client, issued_urls):
    response = client.get(path_of(issued_urls[0]))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script" not in response.get_data(as_text=True)


def test_page_weight_and_no_other_host(client, issued_urls):
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    css = client.get("/static/trace.css").get_data()
    assert len(html.encode()) + len(css) < 40_000
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_home_page(client):
    html = client.get("/").get_data(as_text=True)
    assert "扫码验真" in html and 'action="/verify"' in html
    assert 'href="/login"' in html and 'href="/signup"' in html  # after signing out, a way in


def test_recalled_batch_shows_recall(client, db, issued_urls):
    db.execute("UPDATE batches SET status = 'recalled', status_reason = '抽检不合格'")
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert 'data-verdict="recalled"' in html and "抽检不合格" in html


def test_a_recalled_or_failed_item_says_whom_to_call(app, client, db, issued_urls):
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    catalog.set_contact(db, supplier, catalog.Contact("400 820 8820", "浙江省诸暨市山下湖镇"))
    genuine = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert 'href="tel:4008208820"' in genuine and "浙江省诸暨市山下湖镇" in genuine  # the card
    assert "供货商客服电话" not in genuine  # nothing to return
    assert client.get(path_of(issued_urls[0]), headers={"Accept": "application/json"}).get_json()[
        "supplier_info"]["phone"] == "400 820 8820"
    _stored_report(app, db, items=FAILED_RESIDUE)
    failed = client.get(path_of(issued_urls[1])).get_data(as_text=True)
    assert "有疑问也可以打供货商客服电话：" in failed and failed.count('href="tel:4008208820"') == 2
    assert failed.count('<a href="tel:12315">12315</a>') == 2  # the warning, the help card
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalled = client.get(path_of(issued_urls[2])).get_data(as_text=True)
    assert 'data-verdict="recalled"' in recalled and "有疑问也可以打供货商客服电话：" in recalled


def test_many_codes_each_verify(client, db, issuer, issued_urls):
    issue_codes(db, issuer, GTIN, LOT, 20)
    assert all('data-verdict="genuine"' in client.get(path_of(u)).get_data(as_text=True)
               for u in issued_urls)


def test_every_tampered_code_served_as_a_page_is_never_genuine(client, issued_urls):
    from test_verification import CASE_NAMES, CUT_CASES, tamper_cases
    cases = tamper_cases(issued_urls[0], issued_urls[1])
    for name in CASE_NAMES:
        url = cases[name]
        if not url.startswith(BASE_URL + "/01/"):
            continue  # another origin or not a URL: never reaches our server
        response = client.get(path_of(url), headers={"Accept": "application/json"})
        if response.status_code == 308:  # a copied link's closing slash: the code itself
            assert name == "trailing slash", name
            assert response.headers["Location"] == path_of(issued_urls[0])
            continue
        assert response.status_code in (200, 404), name
        if response.status_code == 200 and "verdict" in response.get_json():
            allowed = ("forged", "invalid") + (("registered",) if name in CUT_CASES else ())
            assert response.get_json()["verdict"] in allowed, name


def test_unknown_batch_or_product_speaks_to_the_buyer(client, issued_urls):
    for path in (f"/01/{GTIN}/10/NOPE", "/01/09521234000020/10/X"):
        html = client.get(path).get_data(as_text=True)
        assert "请谨防假冒" in html and "python -m trace" not in html


def lang_links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'class="lang" href="([^"]*)"', html)]


@pytest.mark.parametrize("path", [
    "//evil.example/phish", "///evil.example/phish", "/\\evil.example/phish",
    "//evil.example/01/09521234000013", "/%2F%2Fevil.example",
])
def test_every_link_from_the_request_stays_on_our_origin(client, path):
    html = client.get(path).get_data(as_text=True)
    links = lang_links(html)
    assert len(links) == 1, html
    for href in re.findall(r'(?:href|action|src)="([^"]*)"', html):
        href = href.replace("&amp;", "&")
        if href.startswith(("tel:", "#")):  # a number to call, a place on this page
            continue
        assert href.startswith("/") and not href.startswith(("//", "/\\")), href
        assert not re.search(r"[\s\\]", href), href


def test_the_language_switch_keeps_the_escaped_path(client, issued_urls):
    path = path_of(issued_urls[0]).replace(f"/10/{LOT}/", "/10/%5AJ-2611-A/")
    html = client.get(path).get_data(as_text=True)
    assert 'data-verdict="genuine"' in html
    assert lang_links(html) == [path + "&lang=en"]


@pytest.mark.parametrize("host", ["evil.example", "trace.example.cn.evil.example",
                                  "evil.example:80", "localhost"])
def test_any_other_host_header_is_refused(client, issued_urls, host):
    for path in ("/01//x/y", "/", path_of(issued_urls[0])):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, (path, response.status_code)
        assert "evil" not in response.headers.get("Location", "")
        page = response.get_data(as_text=True)
        assert "请使用正式网址" in page and 'href="https://trace.example.cn"' in page
        assert "evil" not in page and response.headers["Content-Type"] == \
            "text/html; charset=utf-8"


def test_the_official_host_and_added_ones_are_served(app, client, issued_urls):
    assert client.get(path_of(issued_urls[0])).status_code == 200
    app.config["TRUSTED_HOSTS"].append("www.trace.example.cn")
    response = client.get(path_of(issued_urls[0]), headers={"Host": "www.trace.example.cn"})
    assert response.status_code == 200
    redirect = client.get("/01//x/y")
    assert redirect.status_code == 308
    assert redirect.headers["Location"] in ("/01/x/y", "https://trace.example.cn/01/x/y")


@pytest.mark.parametrize("accept", [
    "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
    "Application/JSON", "text/html;q=0.5, application/json", "application/*",
])
def test_json_whatever_the_accept_parameters(client, issued_urls, accept):
    response = client.get(path_of(issued_urls[0]), headers={"Accept": accept})
    assert response.mimetype == "application/json", accept
    assert response.get_json()["verdict"] == "genuine"


@pytest.mark.parametrize("accept", [
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", "",
    "text/html, application/json;q=0.9", "text/*",
])
def test_html_for_browsers_and_anything_vague(client, issued_urls, accept):
    response = client.get(path_of(issued_urls[0]), headers={"Accept": accept})
    assert response.mimetype == "text/html", accept


def test_public_json_and_pages_show_no_private_batch_fields(client, db, issuer, make_batch):
    make_batch(lot="PRIVATE-1")
    db.execute("UPDATE batches SET notes = ?, quantity_planned = ? WHERE lot = 'PRIVATE-1'",
               ["给客户甲的私下折扣", 4321987])  # 7 digits: never inside a moment's 6
    db.execute("UPDATE suppliers SET contact_name = '质检部张三'")  # the operator's only
    issue_codes(db, issuer, GTIN, "PRIVATE-1", 1)
    item = path_of(next(iter(export_rows(db, GTIN, "PRIVATE-1", BASE_URL)))["url"])
    batch = f"/01/{GTIN}/10/PRIVATE-1"
    for path in (item, batch):
        for accept in ("application/json", "text/html"):
            body = client.get(path, headers={"Accept": accept}).get_data(as_text=True)
            for secret in ("私下折扣", "4321987", "quantity_planned", "notes", "supplier_id",
                           "张三", "contact_name"):
                assert secret not in body, (path, accept, secret)
    data = client.get(batch, headers={"Accept": "application/json"}).get_json()
    assert set(data["batch"]) == {"gtin", "lot", "produced_on", "expires_on", "status",
                                  "status_reason"}
    assert set(data["supplier"]) == {"name", "credit_code", "phone", "address",  # no contact
                                     "suspended_at", "suspended_reason"}
    assert "supplier_id" not in data["product"] and data["product"]["gtin"] == GTIN


@pytest.mark.parametrize("target", [
    "//evil.example/phish", "/\\evil.example/phish", "///evil.example/%2F",
    "//evil.example/01/09521234000013/10/L/21/S?k=K&s=x", "/%09/evil.example",
])
def test_raw_request_targets_through_a_real_server_stay_on_origin(live_server, target):
    """The real server hands the target over unparsed (RAW_URI): the attack's own path."""
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        answer = b"".join(iter(lambda: conn.recv(65536), b"")).decode("utf-8", "replace")
    links = lang_links(answer)
    assert len(links) == 1, answer[:500]
    assert links[0].startswith("/") and not links[0].startswith(("//", "/\\")), links


# --- typed codes ---------------------------------------------------------------------

def serial_of(url: str) -> str:
    return url.split("/21/")[1].split("?")[0]


def test_a_typed_code_is_registered_never_genuine_and_counts(client, issued_urls):
    serial = serial_of(issued_urls[0])
    grouped = "-".join(serial[i:i + 4] for i in range(0, 12, 4))
    messy = " " + grouped.lower().replace("0", "o").replace("1", "l") + " "
    for typed in (serial, grouped, messy):
        data = client.get("/verify", query_string={"q": typed},
                          headers={"Accept": "application/json"}).get_json()
        assert (data["verdict"], data["serial"], data["gtin"]) == ("registered", serial, GTIN)
    assert data["scans"]["count"] == 3  # each typed look-up is a query
    html = client.get("/verify", query_string={"q": grouped}).get_data(as_text=True)
    assert 'data-verdict="registered"' in html and "已登记的追溯码" in html
    assert "正品" not in html and "诸暨淡水珍珠项链" in html and "此码已被查询 4 次" in html
    assert "号码可以照抄：请用微信扫一扫或手机相机扫标签上的二维码" in html  # what to do, not only what it is
    # ...and when the QR will not scan, which is why most type it (a trial's smudged box)
    no_qr = html.split('id="no-qr"')[1].split("</p>")[0]
    assert "二维码扫不出来？请对照下面的商品名称、规格和批次号" in no_qr  # no photo to compare
    assert 'href="tel:+8657587000000"' in no_qr
    assert 'id="no-qr"' not in client.get(issued_urls[1][len(BASE_URL):]).get_data(as_text=True)


@pytest.mark.parametrize("typed, said", [
    ("ABCD", "这不是标签上印的追溯码格式。追溯码是 12 位字母和数字"),
    ("ZZZZ-ZZZZ-ZZZZ", "没有找到这个追溯码。请逐位核对：8 和 B"),
    ("ZZZZ-ZZZZ-ZZZZ-Z", "您输入的是 ZZZZ-ZZZZ-ZZZZ-Z，共 13 位（追溯码一般是 12 位）"),
    ("<b>1234-5678-9ABC</b>", "这不是标签上印的追溯码格式"),
    ("U" * 12, "这不是标签上印的追溯码格式"),
    ("09521234000013", "这是商品条码"),     # the barcode's number: not a code, nor a fake
    ("6901234567892", "这是商品条码"),
    ("6901234567893", "没有找到这个追溯码"),  # a wrong check digit: no barcode
])
def test_a_typed_code_that_is_not_ours_says_so(client, issued_urls, typed, said):
    response = client.get("/verify", query_string={"q": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-verdict="invalid"' in html
    assert said in html and "<b>" not in html


def test_a_two_part_headline_breaks_between_its_parts(client, db, issued_urls):
    from test_live import set_expiry
    set_expiry(db, "2020-01-01", produced_on="2019-01-01")
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert headline("已过保质期", "码是真的") in html  # never a line starting with the dot
    assert "<dd class=\"mono\">genuine · expired</dd>" in html  # not 'genuine / genuine'


def test_an_unknown_batch_says_a_copied_link_may_be_cut_and_shows_no_status_number(client):
    response = client.get(f"/01/{GTIN}/10/ZJ-26")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "可能没有复制完整" in html and "请谨防假冒" in html
    assert '<div class="verdict-icon" aria-hidden="true">?</div>' in html and ">404<" not in html
    assert 'class="verdict verdict-retype"' in html  # grey, not the red of a fake
    english = client.get(f"/01/{GTIN}/10/ZJ-26?lang=en").get_data(as_text=True)
    assert "<h1>Not found</h1>" in english and '"reason">No batch ZJ-26 of GTIN' in english


def test_a_code_copied_with_its_label_or_pasted_from_another_site(client, issued_urls):
    serial = serial_of(issued_urls[0])
    labelled = client.get("/verify", query_string={"q": f"追溯码：{serial[:4]}-{serial[4:8]}-"
                                                        f"{serial[8:]}"})
    assert 'data-verdict="registered"' in labelled.get_data(as_text=True)
    bare = client.get("/verify", query_string={"q": issued_urls[0].split("://", 1)[1]})
    assert 'data-verdict="genuine"' in bare.get_data(as_text=True)  # copied without https://
    plain = issued_urls[0].replace("https://", "http://")  # our host, a bad copy: not a fake site
    assert "假冒的验证网站" not in client.get("/verify", query_string={"q": plain}).get_data(
        as_text=True)
    elsewhere = issued_urls[0].replace(BASE_URL, "https://trace-verify.example.com")
    html = client.get("/verify", query_string={"q": elsewhere}).get_data(as_text=True)
    assert 'data-verdict="invalid"' in html
    assert "这个网址不是本平台的。假冒的验证网站很常见" in html


def test_a_typed_code_of_a_recalled_batch_says_recalled(client, db, issued_urls):
    db.execute("UPDATE batches SET status = 'recalled', status_reason = '抽检不合格'")
    data = client.get("/verify", query_string={"q": serial_of(issued_urls[0])},
                      headers={"Accept": "application/json"}).get_json()
    assert data["verdict"] == "recalled"


# --- what a buyer reads --------------------------------------------------------------

def test_shelf_life_expiry_and_a_warning_when_past(client, db, issuer, make_batch):
    from trace import catalog
    make_batch()
    supplier = catalog.find_supplier(db, "91330681MA2D7XKQ0T")
    catalog.add_product(db, supplier, "09521234000020", "龙井茶", shelf_life_days=540,
                        storage="密封、避光", licence_no="SC11433010600012")
    fresh = catalog.new_batch(db, "09521234000020", "T1", produced_on="2026-04-02")
    assert fresh.expires_on == "2027-09-24"
    old = catalog.new_batch(db, "09521234000020", "T0", produced_on="2020-01-01",
                            expires_on="2021-06-30")
    issue_codes(db, issuer, "09521234000020", "T0", 1)
    html = client.get("/01/09521234000020/10/T1").get_data(as_text=True)
    for text in ("生产日期", "2026-04-02", "保质期", "540 天（约 18 个月）", "到期日", "2027-09-24",
                 "贮存条件", "密封、避光", "SC11433010600012"):
        assert text in html, text
    assert "已过保质期" not in html
    from datetime import date
    from trace.clock import beijing_today
    left = (date(2027, 9, 24) - beijing_today()).days  # counted for the buyer
    assert f"2027-09-24 <span class=\"fresh\">（在保质期内，还剩 {left} 天）</span>" in html
    last_day = catalog.new_batch(db, "09521234000020", "T2",
                                 expires_on=beijing_today().isoformat())
    assert last_day.days_left() == 0 and not last_day.expired()
    assert "（今天是保质期最后一天）" in client.get(
        "/01/09521234000020/10/T2").get_data(as_text=True)
    url = next(iter(export_rows(db, "09521234000020", old.lot, BASE_URL)))["url"]
    html = client.get(path_of(url)).get_data(as_text=True)
    assert "本批次已过保质期（到期日 2021-06-30）" in html and "还剩" not in html
    # The code is genuine, but the headline must not read as "the goods are fine".
    assert 'class="verdict verdict-caution verdict-stop" data-verdict="genuine"' in html
    assert headline("已过保质期", "码是真的") in html and "验证通过" not in html
    english = client.get(path_of(url) + "&lang=en").get_data(as_text=True)
    assert "past its use-by date (2021-06-30)" in english
    assert "Past its expiry date · the code is genuine" in english


def test_technical_details_are_folded_and_hint_at_nothing(client, issued_urls):
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    kid = issued_urls[0].split("k=")[1].split("&")[0]
    head, folded = html.split('<details class="card tech">')
    assert kid not in re.sub(r"<[^>]+>", "", head) and kid in folded
    bad = client.get(f"/01/09521234000014/10/{LOT}/21/ABC?k=X&s=Y").get_data(as_text=True)
    assert "校验位" not in bad.split("<details")[0]
    assert "应为" not in bad and "expected" not in bad


def test_english_stays_english_with_no_operator_command(client, issued_urls):
    html = client.get(path_of(issued_urls[0]) + "&lang=en").get_data(as_text=True)
    links = re.findall(r'<a href="(/[^"]*)"', html)  # the switch to Chinese is class="lang"
    assert links and all("lang=en" in link.replace("&amp;", "&") for link in links
                         if not link.startswith(("/static", "/.well-known"))), links
    assert "Trace one-item-one-code verification (demo)" in html
    assert "。" not in html.split("<footer")[1] and "Trace 一物一码" not in html
    for accept in ("text/html", "application/json"):
        body = client.get(f"/01/{GTIN}/10/NOPE?lang=en", headers={"Accept": accept}).get_data(
            as_text=True)
        assert "python" not in body and "batch new" not in body
    report = client.get("/report?lang=en").get_data(as_text=True)
    assert "Report a fake or a quality problem" in report and 'action="/report?lang=en"' in report


def test_complaints_reach_the_operator_and_12315(client, issued_urls):
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert 'href="tel:12315"' in html and 'href="tel:4000000000"' in html
    # and from abroad, where 12315 cannot be dialled (a trial's cousin in Vancouver)
    english = client.get(path_of(issued_urls[0]) + "&lang=en").get_data(as_text=True)
    assert 'complain online at <span class="nowrap">www.12315.cn</span>' in english
    assert "This number may not be reachable from outside mainland China" in english  # 400-
    # where WeChat shows the domain; <wbr> lets a long one wrap after its dots
    assert "此网页由 trace.<wbr>example.<wbr>cn 提供" in html
    assert re.search(r'class="keep">91330681MA2D7XKQ0T<', html)  # whole where it fits


@pytest.mark.parametrize("path", [
    "/01/09521234000013/10/ZJ-2611-A/21/AAAAAAAAAAAA",      # no signature: cut off
])
def test_an_unreadable_code_asks_to_scan_again_not_to_refuse_the_goods(client, issued_urls,
                                                                       path):
    html = client.get(path).get_data(as_text=True)
    assert 'data-verdict="invalid"' in html and "请勿购买" not in html
    assert "重新扫描" in html
    assert "这不是本平台的追溯码" not in html  # a trial's tapped link, cut by a chat


def test_a_forwarded_link_cut_short_and_tapped_still_finds_its_item_and_its_recall(
        client, db, issued_urls):
    """A relative sent a link a chat cut short has no label to scan: the page said only
    无法识别, and hid the batch's recall. It now finds the item by its serial, as the
    search box does, never as 正品, and says what a QR code printed so would mean."""
    recalls.recall_batch(db, GTIN, LOT, "抽检铅超标", actor="qc")
    for cut in (issued_urls[0].split("?")[0], issued_urls[0].split("&s=")[0]):
        page = client.get(path_of(cut)).get_data(as_text=True)
        assert 'data-verdict="recalled"' in page and "抽检铅超标" in page, cut
        assert "诸暨淡水珍珠项链" in page
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc")
    page = client.get(path_of(issued_urls[1].split("?")[0])).get_data(as_text=True)
    assert 'data-verdict="registered"' in page and "正品" not in page
    assert "这个网址缺了末尾的防伪签名，无法确认真伪" in page and "那个二维码不是本平台印的" in page
    # A forger's label printed without its signature opens this page too: amber, never
    # the blue of a record looked up, and the label's case leads the advice.
    verdict = page[page.index('<section class="verdict'):page.index("</section>")]
    assert "verdict-caution" in verdict and "<h1>无法确认真伪</h1>" in verdict
    assert "扫商品标签上的二维码打开的：那个二维码不是本平台印的，请勿购买或使用" in verdict
    assert "买到了假货：请保留商品" in page  # the help for a fake, not for damaged goods


@pytest.mark.parametrize("pasted", [
    "https://trace.example.cn/01/09521234000013/10/ZJ-2611-A",
    "直播间的二维码 https://trace.example.cn/01/09521234000013/10/ZJ-2611-A 看检测报告",
    "trace.example.cn/01/09521234000013/10/ZJ-2611-A",
    "https://trace.example.cn/01/09521234000013/10/ZJ-2611-A/",
    "直播间二维码https://trace.example.cn/01/09521234000013/10/ZJ-2611-A看检测报告",
])
def test_a_pasted_batch_link_opens_the_batch_page(client, issued_urls, pasted):
    response = client.get("/verify", query_string={"q": pasted})
    assert response.status_code == 303
    assert response.headers["Location"] == "/01/09521234000013/10/ZJ-2611-A"


@pytest.mark.parametrize("share", [
    "【抖音】复制这段话 {url} 打开验证",
    "{url}，快来看看！",
    "看看这个：{url}\n来自微信",
    "【抖音】复制这段话{url}打开验证",  # no spaces around it
    "({url}).",
])
def test_a_code_link_inside_shared_text_is_verified(client, db, issued_urls, share):
    data = client.get("/verify", query_string={"q": share.format(url=issued_urls[0])},
                      headers={"Accept": "application/json"}).get_json()
    assert data["verdict"] == "genuine"


def test_a_forged_code_still_says_do_not_buy(client, issued_urls):
    url = issued_urls[0]
    sig_at = url.index("&s=") + 3 + 40
    forged = url[:sig_at] + ("A" if url[sig_at] != "A" else "B") + url[sig_at + 1:]
    assert "请勿购买或使用" in client.get(path_of(forged)).get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20", "?q=&lang=en"])
def test_an_empty_look_up_goes_back_to_the_form(client, query):
    response = client.get("/verify" + query)
    assert response.status_code == 303
    assert response.headers["Location"] == ("/?lang=en" if "lang=en" in query else "/")


# A pesticide residue over its limit: the failed item most tests of a failed report use.
FAILED_RESIDUE = [{"name": "联苯菊酯", "result": "5.8", "unit": "mg/kg", "limit": "≤5",
                   "verdict": "不合格"}]


def _failed_report(app, db):
    """A report failing FAILED_RESIDUE, its conclusion saying so."""
    return _stored_report(app, db, items=FAILED_RESIDUE,
                          conclusion="所检项目不符合 GB 2763-2021 要求")


def _stored_report(app, db, **changes):
    from trace import agencies
    from trace.inspections import store
    from test_inspections_store import PDF, pearl_report
    lab, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                 keys_dir=app.config["KEYS_DIR"])
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    record = pearl_report(lab, **changes)
    kid, sig = signing.sign_with_agency_key(db, app.config["KEYS_DIR"], lab.id, record)
    store.store_report(db, record, kid, sig, pdf=PDF)
    return record


def test_a_pass_beside_a_fail_says_which_stands(app, client, db, issued_urls):
    """A trial's buyer read a failing report and an earlier passing one, one after the
    other, with nothing to say which the batch stands on."""
    from trace import agencies
    from trace.inspections import store
    from test_inspections_store import another_report
    _stored_report(app, db)
    page = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert 'id="lab-which"' not in page  # one report: nothing to weigh
    lab = agencies.find_agency(db, "231012341234")
    record, pdf = another_report(lab, "ZJPQ-2026-1120", issued_on="2026-11-20",
                                 items=FAILED_RESIDUE, conclusion="不合格")
    store.store_report(db, record, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, record), pdf=pdf)
    page = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    which = page[page.index('id="lab-which"'):].split("</p>")[0]
    assert "这批商品有 2 份检测报告，其中 1 份有不合格项目。同一批货只要有一份不合格，就按不合格对待" in which


def test_withdrawn_reports_fold_under_one_line_below_those_that_stand(
        app, client, db, issued_urls):
    """A trial lab withdrew a dozen mistyped reports: each took a card, and the claim
    and report forms sat screens down. Withdrawn ones now fold under one line; with
    none standing, the newest is shown whole (it is what the page is about)."""
    from trace import agencies
    from trace.inspections import store
    from test_inspections_store import another_report
    _stored_report(app, db)
    lab = agencies.find_agency(db, "231012341234")
    for number in ("ZJPQ-2026-0901", "ZJPQ-2026-0902"):
        record, pdf = another_report(lab, number, issued_on="2026-11-13")
        store.store_report(db, record, *signing.sign_with_agency_key(
            db, app.config["KEYS_DIR"], lab.id, record), pdf=pdf)
        withdrawal = store.withdrawal(db, lab.id, number, f"{number} 录错了")
        store.store_report(db, withdrawal, *signing.sign_with_agency_key(
            db, app.config["KEYS_DIR"], lab.id, withdrawal))
    page = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    lab_card = page[page.index('id="lab"'):]
    folded = lab_card[lab_card.index('id="lab-withdrawn"'):]
    assert "另有 2 份报告已被检测机构撤回，不再作数" in folded
    assert "ZJPQ-2026-0901 录错了" in folded and "ZJPQ-2026-0902 录错了" in folded
    assert "ZJPQ-2026-0815" in lab_card and "ZJPQ-2026-0815" not in folded  # it stands
    withdrawal = store.withdrawal(db, lab.id, "ZJPQ-2026-0815", "样品并非取自本批次")
    store.store_report(db, withdrawal, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, withdrawal))
    page = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    lab_card = page[page.index('id="lab"'):]
    whole, folded = lab_card.split('id="lab-withdrawn"')
    assert "样品并非取自本批次" in whole and "另有 2 份报告已被检测机构撤回" in folded
    # Said once, under the verdict, with what to do; the glance below only points to why
    # (a trial read the same sentence in two boxes, and of a report it had never seen).
    assert page.count("目前没有有效的检测报告") == 1
    assert "如果您在直播间或商品页面上看到过那份报告，它已经作废" in page
    assert "拿不准的，可以先问商家是否重新送检" in page
    glance = page[page.index('id="glance"'):page.index("</section>", page.index('id="glance"'))]
    assert '<a href="#lab">查看撤回原因 ↓</a>' in glance


def test_a_result_not_detected_is_said_in_the_readers_words(app, client, db, issued_urls):
    _stored_report(app, db, items=[
        {"name": "铅", "result": "ND", "unit": "mg/kg", "limit": "≤0.5", "verdict": "合格"},
        {"name": "镉", "result": "未检出(<0.01)", "unit": "mg/kg", "limit": "≤0.1",
         "verdict": "合格"}])
    path = issued_urls[0][len(BASE_URL):]
    page = client.get(path).get_data(as_text=True)
    assert ">未检出<" in page and "未检出（&lt;0.01 mg/kg）" in page and ">ND<" not in page
    english = client.get(path + "&lang=en").get_data(as_text=True)
    assert ">not detected<" in english and "not detected (&lt;0.01 mg/kg)" in english
    assert "未检出" not in english


def test_the_item_page_shows_the_signed_report(app, client, db, issued_urls):
    record = _stored_report(app, db)
    path = issued_urls[0][len(BASE_URL):]
    html = client.get(path).get_data(as_text=True)
    assert "浙江省珍珠检测中心" in html and "231012341234" in html and "L1234" in html
    assert "ZJPQ-2026-0815" in html and "签名有效" in html and "珠层厚度" in html
    assert 'class="item-verdict verdict-pass"' in html
    assert html.count("不合格项目") == 1 and "没有不合格项目" in html  # under the verdict only
    assert "检测方法：" not in html  # this report named none
    # what 委托检验 means for how far a buyer may trust it
    assert "<dd>委托检验 <span class=\"note\">（商家送样检测，结果只对送检的样品负责）</span></dd>" \
        in html
    data = client.get(path, headers={"Accept": "application/json"}).get_json()
    [shown] = data["inspections"]
    assert shown["report"] == record and shown["signature_ok"] and shown["current"]
    # The item page links to the report's own page, not the file: "open in browser"
    # (WeChat will not download) then opens that page, not the item's, and counts no scan.
    sha = record["pdf_sha256"]
    assert f'href="/inspections/{sha}"' in html and f"/inspections/pdf/{sha}" not in html
    scans_before = db.execute("SELECT count(*) FROM scans").fetchone()[0]
    other_browser = app.test_client()
    page = other_browser.get(f"/inspections/{sha}").get_data(as_text=True)
    assert "ZJPQ-2026-0815" in page and "浙江省珍珠检测中心" in page
    assert f'href="/inspections/pdf/{sha}"' in page and "在浏览器打开" in page
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == scans_before
    pdf = other_browser.get(f"/inspections/pdf/{sha}")
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="ZJPQ-2026-0815.pdf"'
    assert pdf.get_data().startswith(b"%PDF-")
    assert "撤回" not in page and "更正前" not in page
    from test_live import withdraw_the_report
    withdraw_the_report(app, db)  # the page of a withdrawn report's PDF says so
    assert "检测机构已撤回这份报告" in other_browser.get(f"/inspections/{sha}").get_data(
        as_text=True)


def test_the_batch_page_names_its_lab_report_on_the_first_screen(app, client, db, issued_urls):
    """The livestream's QR promises the batch's lab report: the heading says whether
    there is one, and leads to it."""
    head = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True).split("</section>")[0]
    assert "本批次还没有检测机构上传的检测报告" in head
    _stored_report(app, db)
    head = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True).split("</section>")[0]
    assert "本批次有 1 份检测机构签名的检测报告，没有不合格项目；最新一份由浙江省珍珠检测中心于 " \
        "2026-11-12 签发" in head  # a viewer from the livestream reads the result first
    assert 'href="#lab"' in head
    assert head.index("没有不合格项目") < head.index("这是批次页面")


def test_a_genuine_items_page_says_under_its_verdict_what_the_lab_found(app, client, db,
                                                                        issued_urls):
    """A buyer reads whether it was tested under the verdict, not three screens down."""
    def under_the_verdict() -> str:
        html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
        return html.split('data-verdict="genuine"')[1].split('class="card scans"')[0]

    assert "本批次还没有检测机构上传的检测报告" in under_the_verdict()
    _stored_report(app, db)
    glance = under_the_verdict()
    assert 'id="glance"' in glance and "没有不合格项目" in glance and 'href="#lab"' in glance
    assert "保质期到" not in glance  # pearls keep: no date, no line
    from trace import corrections
    corrections.edit_batch(db, catalog.find_supplier(db, CREDIT_CODE),
                           catalog.get_batch(db, GTIN, LOT), actor="qc", reason="补录到期日",
                           expires_on="2099-12-31")
    from trace.clock import beijing_today
    from datetime import date
    left = (date(2099, 12, 31) - beijing_today()).days
    assert f"保质期到 2099-12-31，还剩 {left} 天。" in under_the_verdict()
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalled = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert 'id="glance"' not in recalled  # the verdict says stop; nothing reads as all clear


def test_the_latest_report_named_on_the_first_screen_is_the_latest_by_its_date(
        app, client, db, issued_urls):
    """A correction stored last keeps its report's older date: the summary named it
    as the latest, beside two reports signed a day later."""
    from trace import agencies
    from trace.inspections import store
    from test_inspections_store import another_report, pearl_report
    _stored_report(app, db, issued_on="2026-11-12")
    lab = agencies.find_agency(db, "231012341234")
    later, pdf = another_report(lab, "ZJPQ-2026-0903", issued_on="2026-11-20")
    store.store_report(db, later, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, later), pdf=pdf)
    fixed = pearl_report(lab, version="2", supersedes="1", reason="结论措辞",
                         conclusion="所检项目符合要求")
    store.store_report(db, fixed, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, fixed))
    head = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True).split("</section>")[0]
    assert "本批次有 2 份检测机构签名的检测报告" in head and "于 2026-11-20 签发" in head


def test_the_help_card_says_what_returns_the_law_gives(client, issued_urls):
    """A trial's 71-year-old asked "can I return it?" and read only 别错过售后期限."""
    from conftest import forged
    genuine = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    help_card = genuine[genuine.index('id="help"'):]
    assert "一般自收到之日起 7 天内可以无理由退货" in help_card[:help_card.index("</section>")]
    fake = client.get(path_of(forged(issued_urls[1]))).get_data(as_text=True)
    assert "无理由退货" not in fake  # a fake is refunded, not returned within a week


def test_a_report_the_platform_signed_for_its_lab_says_so(app, client, db, issued_urls):
    """A trial's programmer read ✓ 由检测机构签名 while /keys said the platform keeps
    the lab's key and signs for it: the page overstated what the signature shows."""
    _stored_report(app, db)
    page = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    lab_card = page[page.index('id="lab"'):]
    assert "✓ 经检测机构签发，由平台代为签名 · 签名有效，报告未被改动" in lab_card
    assert "由检测机构签名" not in lab_card


def test_each_result_says_the_method_it_was_tested_by(app, client, db, issued_urls):
    """A streamer compares the page with the report's PDF: the method was not shown."""
    _stored_report(app, db, items=[{"name": "珠层厚度", "result": "0.42", "unit": "mm",
                                    "limit": "≥0.3", "verdict": "合格",
                                    "method": "GB/T 18781-2023 §6.5"}])
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert "≥0.3 mm<br><span class=\"note\">检测方法：<span>GB/T 18781-2023 §6.5</span></span>" \
        in html


def test_a_standard_in_the_conclusion_is_kept_on_one_line(app, client, db, issued_urls):
    """At 360 px the conclusion broke GB/T 18781-2023 after its hyphen."""
    _stored_report(app, db, conclusion="所检项目符合 GB/T 18781-2023 珠宝级要求")
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert "所检项目符合 GB/T\u00a018781\u20112023 珠宝级要求" in html


def test_the_support_code_of_a_genuine_code_that_failed_its_test_says_so(app, client, db,
                                                                         issued_urls):
    """A buyer read 'genuine' under a red 检测不合格 heading, where support reads it out."""
    _failed_report(app, db)
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert '<dd class="mono">genuine · failed</dd>' in html


def test_a_failed_item_is_warned_above_everything_on_the_batch_page(app, client, db,
                                                                    issued_urls):
    _failed_report(app, db)
    html = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    main = html.split("<main>")[1]
    assert main.index("本批次检测有不合格项目：联苯菊酯") < main.index("section")
    assert "没有不合格项目" not in main and "本批次有 1 份检测机构签名的检测报告，最新一份" in main
    assert 'class="item-verdict verdict-fail"' in html
    assert "<dd>检测不合格（见上方提示）</dd>" in html and "<dd>正常</dd>" not in html


def test_a_report_stored_without_its_pdf_says_where_to_ask(app, client, db, issued_urls):
    from trace import agencies
    from trace.inspections import store
    from test_inspections_store import pearl_report
    lab, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                 keys_dir=app.config["KEYS_DIR"])
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    record = pearl_report(lab, pdf_sha256="")
    store.store_report(db, record, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, record))
    html = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert "没有随这份记录上传报告原件" in html and "/inspections/pdf/" not in html


def test_the_warning_names_the_failed_items_of_every_current_report(
        app, client, db, issued_urls):
    """A newer failing report hid an older one's failure from the buyer's warning."""
    from trace import agencies
    from trace.inspections import store
    from test_inspections_store import another_report
    _stored_report(app, db, items=FAILED_RESIDUE)
    lab = agencies.find_agency(db, "231012341234")
    second, pdf = another_report(lab, "ZJPQ-2026-0901", items=[
        {"name": "耐干摩擦色牢度", "result": "2", "unit": "级", "limit": "≥3", "verdict": "不合格"}])
    store.store_report(db, second, *signing.sign_with_agency_key(
        db, app.config["KEYS_DIR"], lab.id, second), pdf=pdf)
    html = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    warning = html[html.index('class="warning"'):][:300]
    assert "联苯菊酯" in warning and "耐干摩擦色牢度" in warning


TEXTILE_ITEMS = [
    {"name": "甲醛含量", "result": "18", "unit": "mg/kg", "limit": "≤75", "verdict": "合格"},
    {"name": "耐汗渍色牢度（沾色）", "result": "3-4", "unit": "级", "limit": "≥3",
     "verdict": "合格"},
    {"name": "可分解致癌芳香胺染料", "result": "未检出", "limit": "禁用", "verdict": "合格"},
    {"name": "pH值", "result": "6.3", "limit": "4.0–8.5", "verdict": "合格"}]


def test_a_textile_report_says_how_to_read_it_in_the_buyers_language(app, client, db,
                                                                     issued_urls):
    """A trial's buyer of a bedsheet read 3-4 级 against ≥3 级 and 致癌 beside 禁用 with
    nothing saying which way is good; in English, 级 and 禁用 stayed Chinese."""
    _stored_report(app, db, items=TEXTILE_ITEMS)
    path = path_of(issued_urls[0])
    lab = client.get(path).get_data(as_text=True).split('id="lab"', 1)[1]
    notes = lab.split('class="note how-to-read">', 1)[1].split("</ul>", 1)[0]
    assert [line.split("：")[0] for line in re.findall(r"<li>(.*?)</li>", notes)] == [
        "甲醛", "色牢度（是否掉色）", "可分解致癌芳香胺染料", "pH 值"]
    assert "3-4 级" in lab and "耐汗渍色牢度（沾色）</span> <span class=\"note\">（色牢度" in lab
    english = client.get(path + "&lang=en").get_data(as_text=True).split('id="lab"', 1)[1]
    assert "colour fastness to sweat (staining)" in english
    assert ">grade 3-4<" in english and ">≥ grade 3<" in english and ">banned<" in english
    assert '<td class="item-name">pH</td>' in english  # not "pH pH值"
    assert "rated 1 to 5, the higher the less it runs" in english and "级" not in re.sub(
        r'<span class="note" lang="zh-CN">[^<]*</span>', "", english.split("</table>")[0])


def test_a_genuine_item_of_a_failed_batch_is_not_headed_as_passed(app, client, db,
                                                                  issued_urls):
    path = path_of(issued_urls[0])
    assert headline("正品", "验证通过") in client.get(path).get_data(as_text=True)
    _stored_report(app, db, items=FAILED_RESIDUE)
    html = client.get(path).get_data(as_text=True)
    # The failure first, red: a buyer's eye stopped at 是正品 on an amber card.
    assert headline("检测不合格", "码是真的") in html and "验证通过" not in html
    assert 'class="verdict verdict-caution verdict-stop"' in html
    assert "<title>检测不合格 · 码是真的" in html and "这个码是真的，但这批商品的检测有不合格项目" in html
    verdict = html[html.index('<section class="verdict'):html.index("</section>")]
    assert "防伪签名核对无误" not in verdict  # 码是真的 is said by the headline and advice
    assert client.get(path, headers={"Accept": "application/json"}).get_json()[
        "verdict"] == "genuine"  # the verdict itself is unchanged (DESIGN §6)
    typed = client.get("/verify", query_string={"q": serial_of(issued_urls[0])})
    assert headline("检测不合格", "已登记的追溯码") in typed.get_data(as_text=True)
    # Its advice starts 但…: the typed code's own reason stays before it.
    assert "本平台发放过这个追溯码" in typed.get_data(as_text=True)


def test_a_tampered_report_says_so_on_the_page(app, client, db, issued_urls):
    _stored_report(app, db)
    db.execute("DROP TRIGGER inspection_reports_no_update")
    db.execute("UPDATE inspection_reports SET record = replace(record, '0.42', '0.92')")
    html = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert "签名无效" in html and "签名有效" not in html


def test_an_old_report_says_how_old(app, client, db, issued_urls):
    db.execute("UPDATE batches SET produced_on = '2023-12-01'")  # an old batch, still sold
    db.conn.commit()
    _stored_report(app, db, issued_on="2024-01-02")
    html = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "可能已不反映当前批次" in html


@pytest.mark.parametrize("sha", ["0" * 64, "../../etc/passwd", "A" * 64])
def test_an_unknown_report_pdf_is_not_found(client, sha):
    assert client.get(f"/inspections/pdf/{sha}").status_code == 404
    assert client.get(f"/inspections/{sha}").status_code == 404


def test_a_report_failing_its_signature_is_warned_at_the_top(app, client, db, issued_urls):
    _stored_report(app, db, items=[{"name": "联苯菊酯", "result": "5.8", "verdict": "不合格"}])
    db.execute("DROP TRIGGER inspection_reports_no_update")
    db.execute("UPDATE inspection_reports SET record = replace(replace(record, '5.8', '4.8'), "
               "'不合格', '合格')")
    main = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True).split("<main>")[1]
    assert main.index("本批次有检测报告未通过签名核对") < main.index("section")
    assert "report-bad" in main and "4.8" not in main  # the altered figure is not shown


@pytest.mark.parametrize("stored", [
    "not json", "[1, 2]", '{"v": "trace-report-v1"}',
    None,  # the date changed to an impossible one
])
def test_a_damaged_record_never_breaks_the_pages(app, client, db, issued_urls, run_cli, stored):
    record = _stored_report(app, db)
    db.execute("DROP TRIGGER inspection_reports_no_update")
    if stored is None:
        stored = json.dumps(dict(record, issued_on="2026-13-45"), ensure_ascii=False)
    db.execute("UPDATE inspection_reports SET record = ?", [stored])
    for path in (f"/01/{GTIN}/10/{LOT}", issued_urls[0][len(BASE_URL):]):
        response = client.get(path)
        assert response.status_code == 200 and "签名无效" in response.get_data(as_text=True)
        data = client.get(path, headers={"Accept": "application/json"}).get_json()
        assert data["inspections"][0]["signature_ok"] is False
    result = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert result.exit_code == 1 and "fail their signature" in result.output


def test_an_unsigned_column_cannot_hide_a_failed_report(app, client, db, issued_urls):
    _stored_report(app, db, items=[{"name": "联苯菊酯", "result": "5.8", "verdict": "不合格"}])
    db.execute("DROP TRIGGER inspection_reports_no_update")
    db.execute("UPDATE inspection_reports SET supersedes = '1', version = '0'")
    html = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "本批次检测有不合格项目：联苯菊酯" in html


def test_a_report_stored_after_its_labs_key_was_revoked_says_so(app, client, db, issued_urls):
    from datetime import datetime
    from trace import keys
    _stored_report(app, db)
    kid, stored_at = db.execute("SELECT kid, created_at FROM inspection_reports").fetchone()
    born = datetime.fromisoformat(keys.get_key(db, kid).not_before)
    keys.revoke_key(db, kid, at=(born + (datetime.fromisoformat(stored_at) - born) / 2)
                    .isoformat())
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert "签名失效：这份报告是在检测机构停用其签名之后才提交的" in html
    assert "本批次有检测报告未通过签名核对" in html and "签名有效" not in html
    assert "内容或归属与检测机构的签名不符" not in html  # nothing says it was altered


def test_the_footer_leads_to_a_key_page_people_can_read(client, issued_urls):
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert 'href="/keys">防伪公钥（供技术人员核验）</a>' in html
    page = client.get("/keys").get_data(as_text=True)
    assert "为商品追溯码签名" in page and "使用中" in page and "/.well-known/trace-keys.json" in page
    kid = issued_urls[0].split("k=")[1].split("&")[0]
    assert f'<td class="mono nowrap">{kid}</td>' in page
    assert re.search(r'启用于 <span class="nowrap">\d{4}-\d\d-\d\d</span> '
                     r'<span class="nowrap">\d\d:\d\d:\d\d</span>', page)  # no break in a date
    assert "Item codes" in client.get("/keys?lang=en").get_data(as_text=True)


def test_a_shelf_life_in_months_reads_as_the_label_and_dates_by_the_calendar(
        client, db, make_batch):
    from trace import catalog
    make_batch()
    supplier = catalog.find_supplier(db, "91330681MA2D7XKQ0T")
    catalog.add_product(db, supplier, "09521234000020", "龙井茶", shelf_life_days="18个月")
    catalog.new_batch(db, "09521234000020", "T1", produced_on="2026-04-02")
    html = client.get("/01/09521234000020/10/T1").get_data(as_text=True)
    assert "<dd>18 个月</dd>" in html and "2027-10-02" in html  # not 540 days on (09-24)
    english = client.get("/01/09521234000020/10/T1?lang=en").get_data(as_text=True)
    assert "<dd>18 months</dd>" in english


def test_a_batch_with_its_own_expiry_shows_no_contradicting_shelf_life(client, db, issuer,
                                                                       make_batch):
    from trace import catalog
    make_batch()
    supplier = catalog.find_supplier(db, "91330681MA2D7XKQ0T")
    catalog.add_product(db, supplier, "09521234000020", "龙井茶", shelf_life_days=60)
    catalog.new_batch(db, "09521234000020", "T2", produced_on="2026-01-10",
                      expires_on="2026-06-30")  # its own date, not 60 days on
    catalog.new_batch(db, "09521234000020", "T3", produced_on="2026-01-10")
    own = client.get("/01/09521234000020/10/T2").get_data(as_text=True)
    assert "2026-06-30" in own and "60 天" not in own
    derived = client.get("/01/09521234000020/10/T3").get_data(as_text=True)
    assert "60 天" in derived and "2026-03-11" in derived


def test_our_code_with_its_lot_and_serial_lowered_is_still_genuine(client, issued_urls):
    """What we issue is upper case: the same code lowered (retyped, or by a tool that
    lowers addresses) is ours, not a red 伪造码 on a genuine item."""
    path, _, query = path_of(issued_urls[0]).partition("?")
    lowered = client.get(f"{path.lower()}?{query}", headers={"Accept": "application/json"})
    data = lowered.get_json()
    assert data["verdict"] == "genuine" and data["serial"] == path.rsplit("/", 1)[1]
    assert data["lot"] == path.split("/10/")[1].split("/")[0]
    other = f"{path[:-1]}{'A' if path[-1] != 'A' else 'B'}".lower()  # another serial: not ours
    assert client.get(f"{other}?{query}", headers={"Accept": "application/json"}
                      ).get_json()["verdict"] == "forged"


def test_a_link_copied_with_a_closing_slash_opens_its_page(client, issued_urls):
    path, _, query = path_of(issued_urls[0]).partition("?")
    item = client.get(f"{path}/?{query}")
    assert item.status_code == 308 and item.headers["Location"] == f"{path}?{query}"
    batch = client.get(f"/01/{GTIN}/10/{LOT}/")
    assert batch.status_code == 308 and batch.headers["Location"] == f"/01/{GTIN}/10/{LOT}"
    assert client.get(batch.headers["Location"]).status_code == 200


def test_what_suppliers_and_labs_wrote_is_marked_chinese_on_english_pages(
        app, client, db, issued_urls):
    """An English screen reader garbled 联苯菊酯 and the recall reason in its English
    voice: what stays Chinese on an English page says so."""
    from trace import recalls
    _stored_report(app, db)
    path = issued_urls[0][len(BASE_URL):]
    english = client.get(path + "&lang=en").get_data(as_text=True)
    assert '<td class="item-name">nacre thickness <span class="note" lang="zh-CN">珠层厚度</span>' \
        in english
    assert re.search(r'<dd lang="zh-CN">[^<]*诸暨', english)
    assert 'lang="zh-CN" hreflang="zh-CN">中文</a>' in english
    chinese = client.get(path + "&lang=zh").get_data(as_text=True)  # as its 中文 link says
    assert 'lang="zh-CN">珠层厚度' not in chinese and 'lang="en" hreflang="en"' in chinese
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalled = client.get(path + "&lang=en").get_data(as_text=True)
    assert '<span lang="zh-CN">抽检不合格</span>' in recalled


def test_a_graded_pearl_item_shows_its_scale_and_a_nominal_limit_its_unit(
        app, client, db, issued_urls):
    """'光洁度 微瑕 B' beside '—' read as an unjudged flaw; '标称 8–9' had no unit."""
    _stored_report(app, db, items=[
        {"name": "光洁度", "result": "微瑕 B", "verdict": "—"},
        {"name": "大小(范围)", "result": "8.0–8.5", "unit": "mm", "limit": "标称 8–9",
         "verdict": "符合"}])
    path = issued_urls[0][len(BASE_URL):]
    html = client.get(path).get_data(as_text=True)
    assert "等级由好到差：无瑕 A、微瑕 B" in html and "标称 8–9 mm" in html
    english = client.get(path + "&lang=en").get_data(as_text=True)
    assert "Grades, best first: A flawless" in english


def test_food_with_no_expiry_date_says_so_to_the_buyer(client, db, issued_urls):
    path = issued_urls[0][len(BASE_URL):]
    assert "食品应标注保质期" not in client.get(path).get_data(as_text=True)  # pearls keep
    db.execute("UPDATE products SET category = '新鲜水果'")  # its trigger bumps the version
    db.conn.commit()
    assert "未标注（食品应标注保质期：请向卖家问清生产日期和保质期）" in client.get(path).get_data(
        as_text=True)


def test_switching_the_language_is_not_another_look_at_the_item(app, client, db, issued_urls):
    """A buyer reading the page in English made it read 'looked up 3 times' later;
    then, not counted, every look read as another phone's (a false copy warning)."""
    path = issued_urls[0][len(BASE_URL):]
    count = lambda: db.execute("SELECT count(*) FROM scans").fetchone()[0]  # noqa: E731
    app.test_client().get(path, environ_base={"REMOTE_ADDR": "10.9.9.9"},
                          headers={"User-Agent": "another phone"})  # someone else first
    client.get(path)
    assert count() == 2
    english = client.get(path + "&lang=en", headers={"Referer": BASE_URL + path})
    assert english.status_code == 200 and count() == 2
    back = client.get(path + "&lang=zh", headers={"Referer": BASE_URL + path + "&lang=en"}
                      ).get_data(as_text=True)  # its 中文 link
    assert count() == 2
    # Still read as this browser's: one of the two looks is another phone's, not both.
    assert "其中 1 次是在别的手机或别的 App 里查的" in back and "其中 2 次" not in back
    client.get(path, headers={"Referer": "https://elsewhere.example" + path})
    client.get(path + "&lang=en", headers={"Referer": BASE_URL + "/"})
    assert count() == 4  # from another page, or another site: a look all the same


def test_an_address_pasted_cut_short_shows_its_item_as_a_typed_code_does(client, issued_urls):
    cut = issued_urls[0].split("&s=")[0]
    html = client.get("/verify", query_string={"q": cut}).get_data(as_text=True)
    assert 'data-verdict="registered"' in html and "这个网址在复制时被截断了" in html
    assert "诸暨淡水珍珠项链" in html and "正品" not in html
    opened = client.get(path_of(cut)).get_data(as_text=True)  # a forwarded link, tapped
    assert 'data-verdict="registered"' in opened and "这个网址缺了末尾的防伪签名，无法确认真伪" in opened
    assert "verdict-registered" not in opened and "verdict-registered" in html


def test_a_failed_test_advises_against_buying_and_food_is_not_to_be_eaten(app, client, db,
                                                                          issued_urls):
    """请谨慎购买 was all a buyer of pesticide-failed tea was told."""
    _stored_report(app, db, items=FAILED_RESIDUE)
    pearls = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    # 联苯菊酯 alone means nothing to most buyers: what kind of test it is, said.
    assert "本批次检测有不合格项目：联苯菊酯（农药残留），结果为“5.8 mg/kg”。不建议购买" in pearls and "食用" not in pearls
    # and in the table, beside the lab's name, on every item (a trial's 克百威 read bare)
    assert '<td class="item-name"><span>联苯菊酯</span> <span class="note">（农药残留）</span>' \
        in pearls
    db.execute("UPDATE products SET category = '绿茶'")
    for path in (path_of(issued_urls[1]), f"/01/{GTIN}/10/{LOT}"):
        assert "已经买到的请先不要食用" in client.get(path).get_data(as_text=True), path
    english = client.get(path_of(issued_urls[1]) + "&lang=en").get_data(as_text=True)
    assert "This batch failed a lab test: bifenthrin (a pesticide residue): 5.8 mg/kg." \
        in english
    assert '<td class="item-name">bifenthrin <span class="note" lang="zh-CN">联苯菊酯</span>' \
        in english  # the lab's own name stays beside it


def test_a_batch_whose_records_were_changed_around_the_ledger_is_not_vouched_for(
        client, db, issued_urls):
    """Someone with the database file changed a batch's records: the buyer's page said
    正品 in green with them, and only the ledger page one click down told."""
    from trace import recalls
    from test_audit import tamper
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc")  # done properly: no alarm
    item = issued_urls[0][len(BASE_URL):]
    page = client.get(item).get_data(as_text=True)
    assert 'id="altered"' not in page and "正品" in page
    assert client.get(item, headers={"Accept": "application/json"}).json["caution"] is None

    tamper(db, "batches", "UPDATE batches SET produced_on = '2026-10-02'")
    page = client.get(item).get_data(as_text=True)
    assert "码是真的 · 但记录被改动过" in page and 'id="altered"' in page
    assert "本页关于商品、批次、检测或召回的信息可能不真实" in page
    assert '账本记录的生产日期是“<span class="nowrap">2026-11-10</span>”，本页显示的' \
        '“<span class="nowrap">2026-10-02</span>”是后来改的。' in page  # a date never breaks
    assert f'href="/ledger/proof?gtin={GTIN}&amp;lot={LOT}"' in page
    assert "供货商客服电话" not in page  # no phone to call from records nobody vouches for
    answer = client.get(item, headers={"Accept": "application/json"}).json
    assert answer["caution"] == "altered" and answer["records_altered"] is True
    batch = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert batch.index('id="altered"') < batch.index("<h1")  # said first
    batch_json = client.get(f"/01/{GTIN}/10/{LOT}", headers={"Accept": "application/json"}).json
    assert batch_json["records_altered"] is True and batch_json["caution"] == "altered"
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")  # no verdict to say it
    assert client.get(f"/01/{GTIN}/10/{LOT}", headers={"Accept": "application/json"}
                      ).json["caution"] == "recalled"


def test_an_item_unvoided_around_the_ledger_still_reads_void(client, db, issued_urls):
    """A voided label set back to active in the database, its event deleted: the
    ledger logged the void, so its page stays void with the logged reason and says
    the records were changed; the batch's other items stay genuine, untouched."""
    from trace import recalls
    from trace.codes import parse_link
    from test_audit import tamper
    voided, other = (url[len(BASE_URL):] for url in issued_urls[:2])
    code = parse_link(issued_urls[0], BASE_URL)
    recalls.void_item(db, code, "标签印错，已重印", actor="qc")
    assert client.get(voided, headers={"Accept": "application/json"}).json["caution"] is None
    tamper(db, "status_events", "DELETE FROM status_events")
    db.execute("UPDATE items SET status = 'active', status_reason = NULL WHERE serial = ?",
               [code.serial])
    answer = client.get(voided, headers={"Accept": "application/json"}).json
    assert answer["verdict"] == "void" and answer["records_altered"] is True
    assert answer["item"]["status_reason"] == "标签印错，已重印"
    page = client.get(voided).get_data(as_text=True)
    assert 'data-verdict="void"' in page and 'id="altered"' in page
    assert "账本记录：这件商品的状态是“已作废（原因：标签印错，已重印）”。" in page
    assert "供货商客服电话" not in page  # its records are changed: nobody vouches for them
    for _ in range(2):  # the batch's cached cards carry none of it to another item
        page = client.get(other).get_data(as_text=True)
        assert 'data-verdict="genuine"' in page and 'id="altered"' not in page
        assert "记录被改动过" not in page
    assert client.get(voided).get_data(as_text=True).count('id="altered"') == 1


def test_an_item_voided_around_the_ledger_says_its_records_were_changed(client, db,
                                                                        issued_urls):
    """A row voided with no logged event: the page stays the cautious way (void)
    but says the ledger holds no such thing."""
    from trace.codes import parse_link
    serial = parse_link(issued_urls[0], BASE_URL).serial
    db.execute("UPDATE items SET status = 'void', status_reason = '假的' WHERE serial = ?",
               [serial])
    page = client.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert 'data-verdict="void"' in page and 'id="altered"' in page
    assert "账本记录：这件商品的状态是“正常”。" in page


def test_a_recall_tells_food_not_to_be_eaten_and_a_necklace_not_to_be_used(
        client, db, issued_urls):
    """请停止使用 was all a buyer of recalled huyou read; 停止食用或使用 then read oddly
    beside a pearl necklace."""
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    pearls = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert "该商品已被召回，请停止使用" in pearls and "食用" not in pearls
    db.execute("UPDATE products SET category = '柑橘'")
    fruit = client.get(path_of(issued_urls[1])).get_data(as_text=True)
    assert "该商品已被召回，请停止食用" in fruit
    batch = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "本批次已召回，请停止食用" in batch


def test_a_phone_swapped_or_a_suspension_lifted_around_the_ledger_is_not_believed(
        client, db, issued_urls):
    """A trial operator swapped the supplier's customer-service number in the database
    (a recall's callers would ring whoever swapped it) and lifted a suspension with
    one UPDATE: buyers read an ordinary 正品 page with the new number."""
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    catalog.set_contact(db, supplier, catalog.Contact("0575-87000000", "浙江省诸暨市山下湖镇"))
    item = path_of(issued_urls[0])
    assert 'id="altered"' not in client.get(item).get_data(as_text=True)
    db.execute("UPDATE suppliers SET phone = '13912345678'")
    page = client.get(item).get_data(as_text=True)
    assert "码是真的 · 但记录被改动过" in page
    assert page.count("13912345678") == 1  # in the warning alone, once
    assert 'href="tel:+8657587000000"' in page  # the number the ledger logged, not the swap
    assert page.count("有人在数据库里把供货商的客服电话改成了") == 1  # two checks: said once
    assert "请不要拨打被改成的那个号码" in page
    # The ledger page the warning links to said 以下记录未被改动 of the batch's records.
    proof = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").get_data(as_text=True)
    assert 'data-proof="ok"' not in proof and "以下记录未被改动" not in proof
    db.execute("UPDATE suppliers SET phone = '0575-87000000'")
    catalog.suspend_supplier(db, supplier.id, "标签造假", actor="ops")
    db.execute("UPDATE suppliers SET suspended_at = NULL, suspended_reason = NULL")
    answer = client.get(item, headers={"Accept": "application/json"}).json
    assert answer["supplier_suspended"] is True and answer["records_altered"] is True
    page = client.get(item).get_data(as_text=True)
    assert "标签造假" in page and "账本记录：平台对这家供货商的状态是“已暂停（原因：标签造假）”" in page


def test_a_recall_deleted_around_the_ledger_still_reads_recalled(client, db, issued_urls):
    """The recall's row deleted and the batch set back to normal: the ledger logged the
    recall, so buyers are still told to stop, with its reason, not shown an amber
    "records changed" page without it."""
    from trace import recalls
    from test_audit import tamper
    recalls.recall_batch(db, GTIN, LOT, "重金属超标", actor="qc")
    tamper(db, "status_events", "DELETE FROM status_events")
    db.execute("UPDATE batches SET status = 'open', status_reason = NULL")
    item = issued_urls[0][len(BASE_URL):]
    answer = client.get(item, headers={"Accept": "application/json"}).json
    assert answer["verdict"] == "recalled" and answer["records_altered"] is True
    page = client.get(item).get_data(as_text=True)
    assert 'data-verdict="recalled"' in page and "重金属超标" in page and 'id="altered"' in page
    assert "账本记录：这批商品的状态是“已召回（原因：重金属超标）”。" in page
    assert "供货商客服电话" not in page
    batch = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert 'data-verdict="recalled"' in batch and "重金属超标" in batch


def test_a_phone_set_to_english_is_offered_the_page_in_english(client, issued_urls):
    """Chinese first, but a cousin abroad with an English phone missed the small switch."""
    path = path_of(issued_urls[0])
    offer = 'class="lang-offer" lang="en"><a href="'
    english_phone = client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
    html = english_phone.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and offer in html and "Read this page in English" in html
    assert "lang=en" in html.split(offer, 1)[1].split('"', 1)[0]
    for tourist in ("de-DE,en;q=0.8", "ja-JP"):  # English is nearer than Chinese
        assert offer in client.get(path, headers={"Accept-Language": tourist}).get_data(
            as_text=True), tourist
    for asked in ("zh-CN,zh;q=0.9,en;q=0.8", "zh-TW", "*", ""):
        chinese = client.get(path, headers={"Accept-Language": asked} if asked else {})
        assert offer not in chinese.get_data(as_text=True), asked
    chose = client.get(path + "&lang=en", headers={"Accept-Language": "en-US"})
    assert offer not in chose.get_data(as_text=True)  # in English already
    back = client.get(path + "&lang=zh", headers={"Accept-Language": "en-US"})
    assert offer not in back.get_data(as_text=True)  # chose Chinese: not asked again
    next_code = client.get(path_of(issued_urls[1]), headers={"Accept-Language": "en-US"})
    html = next_code.get_data(as_text=True)
    assert offer not in html and '<html lang="zh-CN">' in html  # nor on the next code scanned


def test_an_inspector_is_told_how_to_read_without_counting_and_what_to_ask_for(
        client, db, issued_urls):
    """A trial's 市场监管 inspector opened a claimed item's code to check it: her own
    look counted, and the page then read 可疑 to her and its buyer."""
    item = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert 'href="/for-inspectors">给监管人员</a>' in item  # in every page's footer
    page = client.get("/for-inspectors").get_data(as_text=True)
    assert "您的查看也会计入" in page and "/01/商品条码/10/批次号" in page
    assert "查看防篡改记录" in page and 'href="tel:' in page and "出示执法证件" in page
    looks = db.execute("SELECT count(*) FROM scans").fetchone()[0]
    client.get(f"/01/{GTIN}/10/{LOT}")  # the page it points to counts nothing
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == looks
    # A pasted address opens the item's record, which counts nothing (a trial's
    # inspector could not find that address from the page).
    opened = client.get("/for-inspectors", query_string={"code": issued_urls[1]})
    serial = issued_urls[1].split("/21/")[1].split("?")[0]
    assert opened.status_code == 303 and opened.headers["Location"] == \
        f"/ledger/proof?gtin={GTIN}&lot={LOT}&serial={serial}"
    client.get(opened.headers["Location"])
    batch = client.get("/for-inspectors", query_string={"code": f"{BASE_URL}/01/{GTIN}/10/{LOT}"})
    assert batch.headers["Location"] == f"/01/{GTIN}/10/{LOT}"
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == looks
    bad = client.get("/for-inspectors", query_string={"code": "https://evil.example/01/x"})
    assert bad.status_code == 400 and 'role="alert"' in bad.get_data(as_text=True)
    assert "For market regulators" in client.get("/for-inspectors?lang=en").get_data(
        as_text=True)


def test_a_recalled_batch_without_a_report_is_not_called_no_problem(client, db, issued_urls):
    """A trial's inspector read 没有检测报告不代表商品有问题 under 已召回 · 请勿使用."""
    from trace import recalls
    reassurance = "没有检测报告不代表商品有问题"
    assert reassurance in client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    for page in (f"/01/{GTIN}/10/{LOT}", path_of(issued_urls[0])):
        html = client.get(page).get_data(as_text=True)
        assert "本批次暂无检测机构上传的检测报告" in html and reassurance not in html, page
