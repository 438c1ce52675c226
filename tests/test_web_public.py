"""The scan landing page, its JSON twin, the batch page and the key set."""

import re

import pytest

from trace.issuing import issue_codes

from conftest import BASE_URL, GTIN, LOT


def path_of(url: str) -> str:
    return url[len(BASE_URL):]


def test_genuine_page_in_chinese(client, issued_urls):
    response = client.get(path_of(issued_urls[0]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-verdict="genuine"' in html
    for text in ("正品", "诸暨淡水珍珠项链", "诸暨市山下湖明珠珍珠有限公司", "91330681MA2D7XKQ0T",
                 LOT, "trace.example.cn", "官方验证平台"):
        assert text in html, text
    assert '<html lang="zh-CN">' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_english_on_request_keeps_the_code(client, issued_urls):
    html = client.get(path_of(issued_urls[0]) + "&lang=en").get_data(as_text=True)
    assert "Genuine" in html and '<html lang="en">' in html
    switch = re.search(r'class="lang" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert client.get(switch).get_data(as_text=True).count("正品") >= 1


def test_json_twin_is_the_cli_object(client, run_cli, issued_urls):
    page = client.get(path_of(issued_urls[0]), headers={"Accept": "application/json"})
    assert page.mimetype == "application/json"
    cli = run_cli("verify", issued_urls[0], "--json")
    import json
    from_cli = json.loads(cli.output)
    from_web = page.get_json()
    for data in (from_cli, from_web):
        data.pop("verified_at")
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
    assert "诸暨淡水珍珠项链" not in html  # nothing of the real item leaks onto a fake


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
    html = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "批次信息" in html and "诸暨淡水珍珠项链" in html and "5" in html
    data = client.get(f"/01/{GTIN}/10/{LOT}", headers={"Accept": "application/json"}).get_json()
    assert data["issued"] == 5 and data["batch"]["lot"] == LOT


def test_unknown_batch_is_a_chinese_404(client, issued_urls):
    response = client.get(f"/01/{GTIN}/10/NOPE")
    assert response.status_code == 404
    assert "出错了" in response.get_data(as_text=True)
    data = client.get(f"/01/{GTIN}/10/NOPE", headers={"Accept": "application/json"}).get_json()
    assert data["error"] == "NotFound"


def test_unknown_page_404(client):
    response = client.get("/nope")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


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


def test_recalled_batch_shows_recall(client, db, issued_urls):
    db.execute("UPDATE batches SET status = 'recalled', status_reason = '抽检不合格'")
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    assert 'data-verdict="recalled"' in html and "抽检不合格" in html


def test_many_codes_each_verify(client, db, issuer, issued_urls):
    issue_codes(db, issuer, GTIN, LOT, 20)
    assert all('data-verdict="genuine"' in client.get(path_of(u)).get_data(as_text=True)
               for u in issued_urls)


def test_every_tampered_code_served_as_a_page_is_never_genuine(client, issued_urls):
    from test_verification import CASE_NAMES, tamper_cases
    cases = tamper_cases(issued_urls[0], issued_urls[1])
    for name in CASE_NAMES:
        url = cases[name]
        if not url.startswith(BASE_URL + "/01/"):
            continue  # another origin or not a URL: never reaches our server
        response = client.get(path_of(url), headers={"Accept": "application/json"})
        assert response.status_code in (200, 404), name
        if response.status_code == 200 and "verdict" in response.get_json():
            assert response.get_json()["verdict"] in ("forged", "invalid"), name


def test_unknown_batch_or_product_speaks_to_the_buyer(client, issued_urls):
    for path in (f"/01/{GTIN}/10/NOPE", "/01/09521234000020/10/X"):
        html = client.get(path).get_data(as_text=True)
        assert "请谨防假冒" in html and "python -m trace" not in html
