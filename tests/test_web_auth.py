"""Staff sign-in: CSRF, throttling, cookie flags, and signed-in look-ups are no scans."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from trace import accounts

from conftest import BASE_URL, CREDIT_CODE

PASSWORD = "a long passphrase 珍珠"
EMAIL = "ops@trace.example.cn"


@pytest.fixture
def operator(db):
    user, _ = accounts.add_user(db, "admin", EMAIL, password=PASSWORD)
    return user


def token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, password=PASSWORD, email=EMAIL, address="203.0.113.9"):
    return client.post("/login", data={"csrf_token": token(client), "email": email,
                                       "password": password},
                       headers={"Referer": BASE_URL + "/login"},
                       environ_base={"REMOTE_ADDR": address})


def test_sign_in_and_out(client, operator):
    assert client.get("/account").status_code == 302  # to the sign-in page
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    assert client.get("/account").headers["Location"].endswith("/admin/")
    cookie = response.headers["Set-Cookie"]
    assert "session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the base URL is https
    page = client.get("/admin/").get_data(as_text=True)
    assert EMAIL in page and "平台运营" in page
    page_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    out = client.post("/logout", data={"csrf_token": page_token},
                      headers={"Referer": BASE_URL + "/admin/"})
    assert out.status_code == 303 and client.get("/admin/").status_code == 302


def test_a_wrong_password_says_nothing_about_which_part_was_wrong(client, operator):
    for email in (EMAIL, "nobody@trace.example.cn"):
        response = sign_in(client, "wrong password!", email)
        assert response.status_code == 400
        assert "邮箱或密码不正确" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_repeated_failures_are_throttled_even_for_the_right_password(client, operator):
    statuses = [sign_in(client, f"guess number {n}").status_code for n in range(7)]
    assert statuses == [400] * 5 + [429] * 2
    held = sign_in(client)
    assert held.status_code == 429 and 1 <= int(held.headers["Retry-After"]) <= 15 * 60
    assert sign_in(client, address="198.51.100.1").status_code == 429  # the account is held


def test_a_sign_in_without_the_form_token_is_refused(client, operator):
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD},
                           headers={"Referer": BASE_URL + "/login"})
    assert response.status_code == 400 and client.get("/account").status_code == 302


def test_a_disabled_account_is_signed_out_at_its_next_request(client, db, operator):
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    accounts.disable_user(db, EMAIL)
    assert client.get("/admin/").status_code == 302


def copy_of_session(client, app):
    """Another browser holding a copy of ``client``'s session cookie."""
    host = urlsplit(BASE_URL).hostname
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session", domain=host).value, domain=host)
    return other


def sign_out(client):
    page = client.get("/admin/").get_data(as_text=True)
    page_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/logout", data={"csrf_token": page_token},
                       headers={"Referer": BASE_URL + "/admin/"})


def test_signing_out_ends_the_sign_in_in_every_copy_of_the_cookie(app, client, db, operator):
    sign_in(client)
    copied = copy_of_session(client, app)
    assert copied.get("/admin/").status_code == 200
    assert copied.get("/admin/").headers["Cache-Control"] == "no-store"  # not kept either
    assert sign_out(client).status_code == 303
    assert copied.get("/admin/").status_code == 302
    assert copied.get("/account/tokens").status_code == 302  # no token minting either
    assert db.execute("SELECT count(*) FROM sign_ins").fetchone()[0] == 0


def test_each_sign_in_is_its_own_and_disabling_ends_them_all(app, db, operator):
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone)
    sign_in(laptop)
    sign_out(laptop)
    assert phone.get("/admin/").status_code == 200  # signing out on one leaves the other
    copied = copy_of_session(phone, app)
    accounts.disable_user(db, EMAIL)
    accounts.enable_user(db, EMAIL)
    assert phone.get("/admin/").status_code == 302 and copied.get("/admin/").status_code == 302


def test_a_sign_in_lasts_a_week_at_most(client, db, operator):
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    db.execute("UPDATE sign_ins SET started_at = '2020-01-01T00:00:00.000000+00:00'")
    db.conn.commit()
    assert client.get("/admin/").status_code == 302


def test_a_cookie_naming_only_an_account_signs_nobody_in(app, client, operator):
    # The shape of a session cookie before sign-ins were kept.
    with client.session_transaction(base_url=BASE_URL) as session:
        session["_user_id"] = str(operator.id)
        session["_fresh"] = True
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_look_up_is_not_a_buyers_scan(client, db, operator, issued_urls):
    path = issued_urls[0][len(BASE_URL):]
    sign_in(client)
    data = client.get(path, headers={"Accept": "application/json"}).get_json()
    assert data["verdict"] == "genuine"
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 0
    page = client.get(path).get_data(as_text=True)
    assert "这次查看不计入查询次数" in page and "第 1 次被查询" not in page
    assert 'id="claim"' not in page  # a sample in a workspace's hands is no buyer's to claim


def test_the_sign_in_page_in_english(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Staff sign-in" in html and 'action="/login?lang=en"' in html


def next_of(response) -> str:
    return parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]


def test_an_english_reader_is_asked_to_sign_in_in_english(client, operator):
    """The sign-in page a browser was sent to dropped ?lang=en: a Chinese page with
    one English line."""
    sent = client.get("/supplier/batches/x/y?lang=en&find=a%26b")
    query = parse_qs(urlsplit(sent.headers["Location"]).query)
    assert query["lang"] == ["en"] and query["next"] == ["/supplier/batches/x/y?lang=en&find=a%26b"]
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Please sign in." in page and '<html lang="en"' in page and "请先登录" not in page


def test_sign_in_returns_to_the_page_asked_for_and_never_off_site(client, operator):
    sent = client.get("/admin/")
    assert sent.status_code == 302 and next_of(sent) == "/admin/"
    response = client.post("/login?next=/admin/%23keys", data={
        "csrf_token": token(client), "email": EMAIL, "password": PASSWORD},
        headers={"Referer": BASE_URL + "/login"})
    assert response.headers["Location"] == "/admin/#keys"
    assert client.get("/login").headers["Location"].endswith("/admin/")  # signed in already


@pytest.mark.parametrize("target", [
    "//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "/\t/evil.example", "/\n/evil.example", "/\r/x", "/ /evil.example", "/\x7f/x"])
def test_a_next_off_site_is_ignored(client, operator, target):
    response = client.post("/login", query_string={"next": target}, data={
        "csrf_token": token(client), "email": EMAIL, "password": PASSWORD},
        headers={"Referer": BASE_URL + "/login"})
    assert response.headers["Location"] == "/admin/"


def test_an_account_makes_and_revokes_its_own_api_tokens(client, db, operator):
    sign_in(client)
    page = client.get("/account/tokens").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    made = client.post("/account/tokens", data={"csrf_token": csrf, "name": "LIMS"},
                       headers={"Referer": BASE_URL + "/account/tokens"})
    assert made.headers["Cache-Control"] == "no-store"
    token = re.search(r"(trc_[A-Za-z0-9_-]{40,})", made.get_data(as_text=True)).group(1)
    assert accounts.user_for_token(db, token).email == EMAIL
    again = client.get("/account/tokens").get_data(as_text=True)
    assert "LIMS" in again and token not in again  # shown once
    assert "使用“LIMS”的系统" in again and "确认作废" in again  # a second step before revoking
    [row] = accounts.list_tokens(db, EMAIL)
    done = client.post(f"/account/tokens/{row['id']}/revoke", data={"csrf_token": csrf},
                       headers={"Referer": BASE_URL + "/account/tokens"}, follow_redirects=True)
    assert accounts.user_for_token(db, token) is None and "令牌已作废" in done.get_data(as_text=True)


def test_an_agency_account_sees_its_agency_and_that_it_waits(client, db, make_account, sign_in):
    from trace import agencies
    lab, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234")
    sign_in(client, make_account("agency", "lab@lab.example.cn", org=str(lab.id)))
    assert client.get("/account").headers["Location"].endswith("/agency/")
    html = client.get("/agency/").get_data(as_text=True)
    assert "浙江省珍珠检测中心" in html and "等待平台审核" in html
    assert client.get("/signup").headers["Location"].endswith("/agency/")


def test_account_pages_are_headed_by_the_organisation(
        client, make_batch, make_account, sign_in):
    """A trial's new colleague, made to choose a password at first sign-in, read only
    her own e-mail where her company's workspace puts its name."""
    make_batch()
    sign_in(client, make_account("supplier", "afang@pearl.example.cn", org=CREDIT_CODE))
    for page in ("/account/password", "/account/tokens"):
        html = client.get(page).get_data(as_text=True)
        heading = html[html.index("<header"):html.index("</header>")]
        assert "诸暨市山下湖明珠珍珠有限公司" in heading, page
        assert "afang@pearl.example.cn" not in heading
    assert "账号：afang@pearl.example.cn" in client.get("/account/password").get_data(as_text=True)


def test_a_password_is_changed_with_the_current_one_and_other_sign_ins_end(
        app, client, db, operator):
    other = app.test_client()
    sign_in(client)
    sign_in(other)
    page = client.get("/account/password").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def change(**fields):
        return client.post("/account/password", data={"csrf_token": csrf, **fields},
                           headers={"Referer": BASE_URL + "/account/password"})
    new = "another long passphrase 2026"
    wrong = change(current="not it at all", new=new, again=new)
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    differ = change(current=PASSWORD, new=new, again=new + "x")
    assert differ.status_code == 400 and "两次输入的新密码不一致" in differ.get_data(as_text=True)
    short = change(current=PASSWORD, new="short", again="short")
    assert short.status_code == 400 and "密码至少" in short.get_data(as_text=True)
    assert accounts.authenticate(db, EMAIL, PASSWORD)  # nothing changed yet
    done = change(current=PASSWORD, new=new, again=new)
    assert done.status_code == 303
    assert accounts.authenticate(db, EMAIL, new) and not accounts.authenticate(db, EMAIL, PASSWORD)
    assert client.get("/account").status_code == 303 and "/login" not in client.get(
        "/account").headers["Location"]  # this browser stays signed in
    assert "/login" in other.get("/admin/").headers["Location"]  # the other was signed out
    told = other.get("/login").get_data(as_text=True)
    assert "您的登录已失效" in told and "密码被修改" in told


def test_the_sign_in_page_says_why_a_browser_was_sent_there(client, db, operator):
    """One that never signed in is asked to; one whose account was disabled is told so."""
    assert "/login" in client.get("/admin/").headers["Location"]
    asked = client.get("/login").get_data(as_text=True)
    assert "请先登录" in asked and "失效" not in asked
    assert sign_in(client).status_code == 303
    accounts.add_user(db, "admin", "second@trace.example.cn", password=PASSWORD)
    accounts.disable_user(db, EMAIL)  # by the other operator, while this one is signed in
    assert "/login" in client.get("/admin/").headers["Location"]
    told = client.get("/login").get_data(as_text=True)
    assert "这个账号已被平台停用" in told and "请先登录" not in told


def test_an_operator_resets_a_forgotten_password(run_cli, client, db, operator):
    for n in range(6):  # the account is held after five wrong passwords
        held = sign_in(client, password=f"wrong guess {n}")
    assert held.status_code == 429
    result = run_cli("users", "reset-password", EMAIL)
    password = re.search(r"\(shown once\): (\S+)", result.output).group(1)
    assert accounts.authenticate(db, EMAIL, password)
    assert not accounts.authenticate(db, EMAIL, PASSWORD)
    assert sign_in(client, password=password).status_code == 303  # the hold is lifted


def test_wrong_current_passwords_hold_the_account_like_failed_sign_ins(app, client, db, operator):
    sign_in(client)
    page = client.get("/account/password").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    statuses = [client.post("/account/password", data={
        "csrf_token": csrf, "current": f"guess number {n}", "new": "x" * 12, "again": "x" * 12},
        headers={"Referer": BASE_URL + "/account/password"}).status_code for n in range(6)]
    assert statuses == [400] * 5 + [429]
    held = client.post("/account/password", data={
        "csrf_token": csrf, "current": PASSWORD, "new": "x" * 12, "again": "x" * 12},
        headers={"Referer": BASE_URL + "/account/password"})
    assert held.status_code == 429 and "密码输错次数过多" in held.get_data(as_text=True)
    assert accounts.authenticate(db, EMAIL, PASSWORD)  # unchanged
    other = app.test_client()
    assert sign_in(other).status_code == 429  # signing in waits too


def test_a_sign_in_sent_from_another_roles_workspace_goes_to_its_own(app, client, operator):
    """An operator who opened a supplier's link signed in straight into 'no access'."""
    client.get("/supplier/")
    response = client.post("/login?next=/supplier/", data={
        "csrf_token": token(client), "email": EMAIL, "password": PASSWORD},
        headers={"Referer": BASE_URL + "/login"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    other = app.test_client()
    kept = other.post("/login?next=/admin/keys", data={
        "csrf_token": token(other), "email": EMAIL, "password": PASSWORD},
        headers={"Referer": BASE_URL + "/login"})
    assert kept.headers["Location"].endswith("/admin/keys")  # its own: where it was going


def test_a_supplier_opens_and_stops_a_colleagues_account(app, client, db, make_account):
    """A lab or office with a new person waited on the operator; now any of its
    accounts opens one, shown once, and stops or lets in again a colleague's."""
    from trace import catalog
    from conftest import CREDIT_CODE, post_form
    catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE)
    sign_in(client, email=make_account("supplier", "clerk@pearl.example.cn", org=CREDIT_CODE),
            password="correct horse 珍珠 battery")
    assert "/account/colleagues" in client.get("/supplier/").get_data(as_text=True)  # the nav
    added = post_form(client, "/account/colleagues", {"email": "qc@pearl.example.cn"})
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and added.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    assert "不要发到群聊里" in page and "由 clerk@pearl.example.cn 于" in page
    assert "诸暨市山下湖明珠珍珠有限公司" in page  # whose accounts these are, at the head
    assert "new-password" not in client.get("/account/colleagues").get_data(as_text=True)
    again = post_form(client, "/account/colleagues", {"email": "qc@pearl.example.cn"})
    assert again.status_code == 409 and "已是本单位的同事账号" in again.get_data(as_text=True)

    colleague = app.test_client()
    assert sign_in(colleague, email="qc@pearl.example.cn", password=password).status_code == 303
    assert "/account/password" in colleague.get("/supplier/").headers["Location"]  # own first
    first = colleague.get("/account/password").get_data(as_text=True)
    assert "这个密码是同事为您开账号时生成的" in first and "临时密码（开账号时拿到的）" in first
    # The newcomer cannot lock out who opened it (a trial's new engineer did).
    clerk = accounts.find_user(db, "clerk@pearl.example.cn")
    changed = post_form(colleague, "/account/password", {
        "current": password, "new": "qc's own long password", "again": "qc's own long password"})
    assert changed.status_code == 303
    refused = post_form(colleague, f"/account/colleagues/{clerk.id}/stop", {},
                        page="/account/colleagues")
    assert refused.status_code == 403 and accounts.find_user(db, clerk.email).active
    assert f"/account/colleagues/{clerk.id}/stop" not in colleague.get(
        "/account/colleagues").get_data(as_text=True)

    qc = accounts.find_user(db, "qc@pearl.example.cn")
    stopped = post_form(client, f"/account/colleagues/{qc.id}/stop", {},
                        page="/account/colleagues", follow_redirects=True)
    assert "已停用 qc@pearl.example.cn 的账号" in stopped.get_data(as_text=True)
    assert "已停用（由 clerk@pearl.example.cn 停用）" in stopped.get_data(as_text=True)
    assert "/login" in colleague.get("/supplier/").headers["Location"]
    told = colleague.get("/login").get_data(as_text=True)  # by the lab, not the platform
    assert "已被本单位的同事停用" in told and "被平台停用" not in told
    back = sign_in(app.test_client(), email="qc@pearl.example.cn",
                   password="qc's own long password")
    assert back.status_code == 403 and "已被本单位的同事停用" in back.get_data(as_text=True)
    post_form(client, f"/account/colleagues/{qc.id}/restart", {}, page="/account/colleagues")
    assert accounts.find_user(db, "qc@pearl.example.cn").active
    accounts.disable_user(db, "qc@pearl.example.cn")  # now the operator
    page = client.get("/account/colleagues").get_data(as_text=True)
    assert "已停用（平台停用）" in page and "如需重新启用，请联系平台" in page
    refused = post_form(client, f"/account/colleagues/{qc.id}/restart", {},
                        page="/account/colleagues")
    assert refused.status_code == 403 and not accounts.find_user(db, "qc@pearl.example.cn").active


def test_a_colleague_who_forgot_a_password_is_given_a_new_one_on_the_page(
        app, client, db, make_account):
    from trace import catalog, colleagues
    from conftest import CREDIT_CODE, post_form
    catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE)
    sign_in(client, email=make_account("supplier", "clerk@pearl.example.cn", org=CREDIT_CODE),
            password="correct horse 珍珠 battery")
    qc, _ = colleagues.add_colleague(db, accounts.find_user(db, "clerk@pearl.example.cn"),
                                     "qc@pearl.example.cn")
    reset = post_form(client, f"/account/colleagues/{qc.id}/reset-password", {},
                      page="/account/colleagues")
    page = reset.get_data(as_text=True)
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    assert "qc@pearl.example.cn 的密码已重置" in page
    assert accounts.authenticate(db, "qc@pearl.example.cn", password) is not None
    login = app.test_client().get("/login").get_data(as_text=True)
    assert "请本单位的同事在“同事账号”里为您重置" in login  # not only the operator


def test_the_account_pages_carry_their_workspaces_menu(client, db, make_batch, make_account,
                                                       sign_in):
    """The password, token and colleague pages had a short menu of their own: a
    supplier there was two clicks from 新建批次."""
    from trace import catalog
    make_batch()
    sign_in(client, make_account("supplier", "qc@pearl.example.cn", org="1"))

    def menu(path: str) -> str:
        return client.get(path).get_data(as_text=True).split('class="staff-nav"')[1] \
            .split('class="nav-password"')[0]

    for path in ("/account/password", "/account/tokens", "/account/colleagues"):
        assert 'href="/supplier/batches/new"' in menu(path) and ">企业信息<" in menu(path), path
        assert menu(path) == menu("/supplier/"), path  # the very same menu
    # Said as what it is for: a grower read "API 令牌" as nothing of theirs to leave alone.
    assert '<a href="/account/tokens">系统对接（API 令牌）</a>' in menu("/supplier/")
    catalog.suspend_supplier(db, 1, "假冒他人商标", actor="ops")
    for path in ("/account/tokens", "/supplier/"):  # what it may not do, not offered
        assert 'href="/supplier/batches/new"' not in menu(path), path
