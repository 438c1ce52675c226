"""The device cookie and the claim form's token bound to it."""

import re
import time

import pytest
from itsdangerous import TimestampSigner

from trace.web import devices

from conftest import BASE_URL


def path_of(url: str) -> str:
    return url[len(BASE_URL):]


def claims(db) -> int:
    return db.execute("SELECT count(*) FROM claims").fetchone()[0]


def form_token(client, url: str) -> str:
    page = client.get(path_of(url)).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_buyer_gets_the_device_cookie_and_no_session(client, issued_urls):
    response = client.get(path_of(issued_urls[0]))
    cookies = response.headers.getlist("Set-Cookie")
    assert [cookie.split("=")[0] for cookie in cookies] == ["trace_device"]
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    again = client.get(path_of(issued_urls[1]))  # the cookie came back: nothing new
    assert again.headers.getlist("Set-Cookie") == []


def test_the_claim_form_claims_with_its_token(client, db, issued_urls):
    token = form_token(client, issued_urls[0])
    response = client.post(path_of(issued_urls[0]), data={"csrf_token": token, "received": "1"},
                           headers={"Origin": "https://trace.example.cn"})
    assert response.status_code == 200 and claims(db) == 1


def test_a_token_made_for_another_browser_is_refused(app, client, db, issued_urls):
    token = form_token(app.test_client(), issued_urls[0])  # another browser's page
    client.get(path_of(issued_urls[0]))                     # this one has its own cookie
    response = client.post(path_of(issued_urls[0]), data={"csrf_token": token, "received": "1"})
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    assert claims(db) == 0


def test_a_claim_without_the_cookie_is_refused(client, db, issued_urls):
    token = form_token(client, issued_urls[0])
    client.delete_cookie("trace_device", domain="trace.example.cn")
    response = client.post(path_of(issued_urls[0]), data={"csrf_token": token, "received": "1"})
    assert response.status_code == 400 and claims(db) == 0


def test_an_expired_token_is_refused(app, client, db, issued_urls):
    client.get(path_of(issued_urls[0]))
    cookie = client.get_cookie("trace_device", domain="trace.example.cn").value
    signer = TimestampSigner(app.config["SECRET_KEY"], salt="trace.claim-form")
    signer.get_timestamp = lambda: int(time.time()) - 2 * 86400  # a page two days old
    with app.test_request_context():
        old = signer.sign(devices._claim_id(cookie)).decode()
    response = client.post(path_of(issued_urls[0]), data={"csrf_token": old, "received": "1"})
    assert response.status_code == 400 and claims(db) == 0


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/page"},
    {"Origin": "http://trace.example.cn"},  # not the scheme the page was served with
])
def test_a_claim_from_another_site_is_refused(client, db, issued_urls, headers):
    token = form_token(client, issued_urls[0])
    response = client.post(path_of(issued_urls[0]), data={"csrf_token": token, "received": "1"},
                           headers=headers)
    assert response.status_code == 400 and claims(db) == 0


def test_other_forms_keep_their_own_tokens(client, db, issued_urls):
    """A claim token opens no other form: the report form wants Flask-WTF's."""
    token = form_token(client, issued_urls[0])
    response = client.post("/report", data={"csrf_token": token, "code": path_of(issued_urls[0]),
                                            "what": "假货"})
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0


def test_the_page_shows_neither_the_cookie_nor_the_stored_device_hash(client, db, issued_urls):
    html = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    cookie = client.get_cookie("trace_device", domain="trace.example.cn").value
    stored = db.execute("SELECT device FROM scans").fetchone()[0]
    assert cookie not in html and stored not in html and 'name="csrf_token"' in html


def test_a_claim_through_a_proxy_that_ends_tls_unannounced_still_claims(app, db, issued_urls):
    """The app sees http, the browser says https://trace.example.cn: the official
    address is ours whatever scheme the proxy passes on."""
    plain = app.test_client()
    url = path_of(issued_urls[0])
    page = plain.get(url, base_url="http://trace.example.cn").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = plain.post(url, base_url="http://trace.example.cn",
                          data={"csrf_token": token, "received": "1"},
                          headers={"Origin": BASE_URL})
    assert response.status_code == 200 and claims(db) == 1


def scans_of(db) -> int:
    return db.execute("SELECT count(*) FROM scans").fetchone()[0]


@pytest.mark.parametrize("dest, counted", [("image", 0), ("script", 0), ("empty", 0),
                                           ("document", 1), (None, 1)])
def test_only_a_page_a_person_opens_counts_as_a_scan(client, db, issued_urls, dest, counted):
    """Another site's <img src=code-url> shown to many visitors must not make the
    item look copied; browsers too old to send Sec-Fetch-Dest still count."""
    before = scans_of(db)
    headers = {"Sec-Fetch-Dest": dest} if dest else {}
    response = client.get(path_of(issued_urls[0]), headers=headers)
    assert response.status_code == 200 and scans_of(db) - before == counted
