"""The session cookie is read only when a browser sent one, with one signer a key set."""

from __future__ import annotations


def test_a_buyer_without_a_session_gets_no_session_cookie(client, issued_urls):
    response = client.get(issued_urls[0])
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all(not cookie.startswith("session=") for cookie in cookies)
    assert response.headers["Vary"].endswith("Cookie")  # a signed-in look differs


def test_a_signed_in_account_is_still_known_on_public_pages(
        client, db, issued_urls, make_account, sign_in):
    sign_in(client, make_account("admin", "ops@trace.example.cn"))
    page = client.get(issued_urls[0]).get_data(as_text=True)
    assert "您已登录工作台账号" in page  # the template knows the account
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 0, \
        "a signed-in look-up is not a buyer's scan"


def test_a_new_secret_key_ends_sessions_unless_the_old_one_is_a_fallback(
        app, client, make_account, sign_in):
    sign_in(client, make_account("admin", "ops@trace.example.cn"))
    old = app.secret_key
    app.secret_key = "another key " + "x" * 40
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert client.get("/admin/").status_code == 200  # the signer follows the keys
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/admin/").status_code == 302  # to sign in: the old cookie is void


def test_a_cookie_that_is_not_ours_is_an_empty_session(client, make_account):
    client.set_cookie("session", "not.a.signed.value")
    assert client.get("/account").status_code == 302
    assert client.get("/").status_code == 200
