"""Claims and scratch-off PINs: a wrong PIN claims nothing, guessing is throttled."""

from __future__ import annotations

import csv
import io
import re

import pytest

from trace import claims, throttle
from trace.errors import TooManyAttempts
from trace.issuing import export_rows, issue_codes

from conftest import BASE_URL, GTIN, LOT

JSON = {"Accept": "application/json"}
SECRET = "test-hash-secret"


@pytest.fixture
def app(app):
    app.config["HASH_SECRET"] = SECRET
    return app


@pytest.fixture
def pinned(db, issuer, make_batch):
    """Three codes issued with PINs: [(url, pin), ...]."""
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 3, pin_secret=SECRET)
    return [(row["url"], row["pin"]) for row in export_rows(db, GTIN, LOT, BASE_URL, SECRET)]


def path_of(url: str) -> str:
    return url[len(BASE_URL):]


def claim(client, url: str, pin: str | None = None, address: str = "203.0.113.5",
          form_from: str | None = None):
    page = client.get(path_of(form_from or url), environ_base={"REMOTE_ADDR": address}).get_data(
        as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token}
    if pin is not None:
        form["pin"] = pin
    else:
        form["received"] = "1"
    return client.post(path_of(url), data=form, environ_base={"REMOTE_ADDR": address},
                       headers={"Referer": url})  # browsers send it; Flask-WTF checks it


def claimed(db) -> int:
    return db.execute("SELECT count(*) FROM claims").fetchone()[0]


def test_pins_are_six_digits_exported_and_stored_only_as_keyed_hashes(db, pinned, run_cli,
                                                                      tmp_path):
    pins = [pin for _, pin in pinned]
    assert all(re.fullmatch(r"[0-9]{6}", pin) for pin in pins)
    out = tmp_path / "codes.csv"
    assert run_cli("codes", "export", "--gtin", GTIN, "--lot", LOT, "--out",
                   str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row["pin"] for row in rows] == pins
    stored = [row[0] for row in db.execute("SELECT pin_hash FROM items ORDER BY id")]
    assert all(re.fullmatch(r"[0-9a-f]{32}", h) for h in stored)
    with open(db.conn.execute("PRAGMA database_list").fetchone()[2], "rb") as handle:
        raw = handle.read()
    for pin in pins:
        assert all(pin not in str(value) for row in db.execute("SELECT * FROM items")
                   for value in row)
    assert b"pin|" not in raw


def test_issue_with_pin_from_the_cli(run_cli, db, issuer, make_batch):
    make_batch()
    result = run_cli("batch", "issue", "--gtin", GTIN, "--lot", LOT, "--count", "2",
                     "--with-pin")
    assert result.exit_code == 0, result.output
    assert db.execute("SELECT count(pin_hash) FROM items").fetchone()[0] == 2
    plain = run_cli("batch", "issue", "--gtin", GTIN, "--lot", LOT, "--count", "1")
    assert plain.exit_code == 0
    rows = list(export_rows(db, GTIN, LOT, BASE_URL, SECRET))
    assert [bool(row["pin"]) for row in rows] == [True, True, False]


def test_a_changed_secret_refuses_to_print_wrong_pins(db, pinned):
    with pytest.raises(Exception, match="hash secret is not the one"):
        list(export_rows(db, GTIN, LOT, BASE_URL, "another secret"))


def test_a_wrong_pin_claims_nothing_and_the_right_one_does(app, client, db, pinned):
    url, pin = pinned[0]
    wrong = str((int(pin) + 1) % 10 ** 6).zfill(6)
    response = claim(client, url, wrong)
    assert response.status_code == 400 and "防伪密码不正确" in response.get_data(as_text=True)
    assert claimed(db) == 0
    response = claim(client, url, pin[:3] + " " + pin[3:])
    assert response.status_code == 200 and "认领成功" in response.get_data(as_text=True)
    # A trial buyer forwarded the link to a family group: each relative read 可疑.
    assert "以后请用这台手机给家人看" in response.get_data(as_text=True)
    assert claimed(db) == 1
    mine = client.get(path_of(url), headers=JSON).get_json()
    assert mine["verdict"] == "genuine" and mine["scans"]["claimed_at"]
    other = app.test_client().get(path_of(url), headers=JSON,
                                  environ_base={"REMOTE_ADDR": "192.0.2.9"}).get_json()
    assert (other["verdict"], other["reason_code"]) == ("suspicious", "claimed_elsewhere")
    html = app.test_client().get(path_of(url)).get_data(as_text=True)
    assert 'data-case="claimed_elsewhere"' in html and "在另一台手机或另一个 App 里被认领" in html
    assert "这件是我买的" not in html  # no claim form on a claimed item
    assert 'id="claimed-here"' not in html  # another network: nothing says family
    # Her mother's phone on the home Wi-Fi: still the alarm (strangers can share an
    # address), but told it was most likely claimed at home.
    mother = app.test_client().get(path_of(url), environ_base={"REMOTE_ADDR": "203.0.113.5"})
    said = mother.get_data(as_text=True)
    assert 'data-verdict="suspicious"' in said and 'id="claimed-here"' in said
    assert "多半是家人用自己的手机认领的" in said
    again = claim(app.test_client(), url, pin, "192.0.2.10", form_from=pinned[1][0])
    assert again.status_code == 409 and claimed(db) == 1
    assert "已被其他买家认领" in again.get_data(as_text=True)


def test_the_pin_claimant_of_a_copied_code_reads_genuine_and_others_suspicious(
        app, client, db, pinned):
    """A buyer who scratched the coating and claimed holds the item we issued: many
    other looks at its code (copies on fakes) stay their warning, not the owner's."""
    url, pin = pinned[2]
    for n in range(6):  # six other browsers on six networks: the code looks copied
        app.test_client().get(path_of(url), environ_base={"REMOTE_ADDR": f"198.51.{n}.20"})
    before = client.get(path_of(url), headers=JSON).get_json()
    assert (before["verdict"], before["reason_code"]) == ("suspicious", "copied")
    assert "很多不同的手机或 App" in before["reason"]
    assert claim(client, url, pin).status_code == 200
    mine = client.get(path_of(url), headers=JSON).get_json()
    assert (mine["verdict"], mine["reason_code"]) == ("genuine", "owned_but_copied")
    html = client.get(path_of(url)).get_data(as_text=True)
    assert "您手上的这件是本平台发放的" in html and "那些是假的" in html
    other = app.test_client().get(path_of(url), headers=JSON,
                                  environ_base={"REMOTE_ADDR": "192.0.2.9"}).get_json()
    assert other["verdict"] == "suspicious"


def test_a_claim_without_a_pin_proves_nothing_against_a_copied_history(
        app, client, db, issued_urls):
    url = issued_urls[1]
    for n in range(6):
        app.test_client().get(path_of(url), environ_base={"REMOTE_ADDR": f"198.51.{n}.20"})
    assert claim(client, url).status_code == 200  # 我已收到货: anyone holding the link can
    mine = client.get(path_of(url), headers=JSON).get_json()
    assert (mine["verdict"], mine["reason_code"]) == ("suspicious", "copied")


def test_brute_force_is_stopped_after_five_wrong_pins_per_item(client, db, pinned):
    url, pin = pinned[1]
    statuses = []
    for guess in range(8):
        statuses.append(claim(client, url, str(guess).zfill(6)
                              if str(guess).zfill(6) != pin else "999999x").status_code)
    assert statuses == [400] * 5 + [429] * 3
    held = claim(client, url, pin)  # even the right PIN, until tomorrow
    assert held.status_code == 429 and 1 <= int(held.headers["Retry-After"]) <= 24 * 3600
    assert claimed(db) == 0
    tries = throttle.used(db, claims.PIN_PER_ITEM, str(
        db.execute("SELECT id FROM items WHERE serial = ?",
                   [url.split("/21/")[1].split("?")[0]]).fetchone()[0]))
    assert tries == 5  # 5 guesses a day: searching 10^6 PINs would take ~270 years


def test_one_network_is_stopped_across_items(app, db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 6, pin_secret=SECRET)
    rows = list(export_rows(db, GTIN, LOT, BASE_URL, SECRET))
    statuses = []
    for row in rows:  # 4 wrong guesses on each item from one network: 24 in all
        browser = app.test_client()
        wrong = str((int(row["pin"]) + 1) % 10 ** 6).zfill(6)
        statuses += [claim(browser, row["url"], wrong, "198.51.100.7").status_code
                     for _ in range(4)]
    assert statuses.count(400) == 20 and statuses[20:] == [429] * 4
    assert claimed(db) == 0


def test_an_item_without_pin_is_claimed_once_the_buyer_has_it(client, db, issued_urls):
    page = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    # A gift box claimed by the giver reads 可疑 on the receiver's phone (a trial).
    assert "送人的礼物请不要认领，留给收礼的人认领" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(path_of(issued_urls[0]), data={"csrf_token": token},
                           headers={"Referer": issued_urls[0]})
    assert response.status_code == 400 and "请先勾选" in response.get_data(as_text=True)
    assert claimed(db) == 0
    assert claim(client, issued_urls[0]).status_code == 200 and claimed(db) == 1


def test_slips_cost_no_attempt_and_the_buyer_is_told_how_many_are_left(client, db, pinned):
    url, pin = pinned[0]
    for slip in ("12345", "1", "abcdef", ""):
        response = claim(client, url, slip)
        assert response.status_code == 400
        assert "防伪密码是 6 位数字" in response.get_data(as_text=True)
    wrong = str((int(pin) + 1) % 10 ** 6).zfill(6)
    html = claim(client, url, wrong).get_data(as_text=True)
    assert "今天还可以试 4 次" in html and 'id="claim-error"' in html
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in pin)  # from a CJK keyboard
    assert claim(client, url, full_width).status_code == 200 and claimed(db) == 1


def test_the_last_wrong_pin_says_the_tries_are_used_up(client, db, pinned):
    url, pin = pinned[0]
    wrong = str((int(pin) + 1) % 10 ** 6).zfill(6)
    told = [claim(client, url, wrong).get_data(as_text=True) for _ in range(5)]
    assert "今天还可以试 1 次" in told[3]
    assert "今天的尝试次数已用完" in told[4] and "联系客服" in told[4]
    assert "还可以试 0 次" not in told[4]
    english = claim(client, url + "&lang=en", wrong).get_data(as_text=True)
    assert "try again tomorrow" in english and claimed(db) == 0


def test_a_claim_without_its_token_or_from_another_site_is_refused(client, db, issued_urls):
    response = client.post(path_of(issued_urls[0]), data={},
                           headers={"Referer": issued_urls[0]})
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    # A lost cookie is not a dead end: the page offers the way back to the item.
    assert f'href="{path_of(issued_urls[0])}">返回上一页</a>' in response.get_data(
        as_text=True).replace("&amp;", "&")
    page = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(path_of(issued_urls[0]), data={"csrf_token": token},
                           headers={"Referer": "https://evil.example/page"})
    assert response.status_code == 400
    assert claimed(db) == 0


@pytest.mark.parametrize("code", ["/01/09521234000013/10/ZJ-2611-A", "/01/garbage",
                                  "/01/09521234000013/10/ZJ-2611-A/21/AAAAAAAAAAAA?k=X&s=Y",
                                  "/claim", "/report-typo"])
def test_a_claim_for_something_not_genuine_changes_nothing(client, db, issued_urls, code):
    page = client.get("/").get_data(as_text=True)
    assert "csrf_token" not in page  # the home page has no form that posts
    token_page = client.get(path_of(issued_urls[0])).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    response = client.post(code, data={"csrf_token": token, "received": "1"},
                           headers={"Referer": issued_urls[0]})
    assert response.status_code in (200, 400, 404, 405) and claimed(db) == 0


def test_throttle_counts_only_inside_its_window(db, issued_urls):
    from datetime import datetime, timedelta, timezone
    limit = claims.PIN_PER_ITEM
    old = datetime.now(timezone.utc) - timedelta(days=2)
    for _ in range(5):
        throttle.note(db, limit, "x", now=old)
    throttle.check(db, limit, "x")  # yesterday's guesses no longer count
    for _ in range(5):
        throttle.note(db, limit, "x")
    with pytest.raises(TooManyAttempts):
        throttle.check(db, limit, "x")


def test_an_english_claim_answers_in_english(client, db, pinned):
    url, pin = pinned[2]
    page = client.get(path_of(url) + "&lang=en").get_data(as_text=True)
    action = re.search(r'<form action="([^"]+)" method="post"', page).group(1)
    assert action == (path_of(url) + "&lang=en#claim").replace("&", "&amp;")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(path_of(url) + "&lang=en", data={"csrf_token": token, "pin": "x"},
                           headers={"Referer": url})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Not claimed. The PIN is 6 digits" in html
    assert '<html lang="en">' in html and "防伪密码" not in html
    switch = re.search(r'class="lang" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert switch == path_of(url) + "&lang=zh"  # the item's page in Chinese, not POST /claim


def test_an_expired_english_form_is_answered_in_english(client, pinned):
    url, _pin = pinned[0]
    response = client.post(path_of(url) + "&lang=en", data={"pin": "123456"},
                           headers={"Referer": url})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "This form has expired" in html
    assert "表单已过期" not in html


def test_after_a_claim_the_address_is_still_the_items_page(client, db, pinned):
    url, pin = pinned[0]
    assert claim(client, url, pin).status_code == 200
    again = client.get(path_of(url))  # reopening the address after the post
    assert again.status_code == 200 and 'data-case="claimed_by_you"' in again.get_data(
        as_text=True)


def test_a_refused_pin_stays_in_its_field_to_be_corrected(client, db, pinned):
    """A PIN of five digits is refused with the reason; what was typed stays, so the
    buyer fixes one digit instead of scratching at the label again."""
    url, _pin = pinned[0]
    html = claim(client, url, "12345").get_data(as_text=True)
    assert 'id="pin"' in html and 'value="12345"' in html and claimed(db) == 0
    fresh = client.get(path_of(url)).get_data(as_text=True)
    assert 'value="' not in fresh.split('id="pin"')[1].split(">")[0]
    # A phone's Chinese keyboard types ０９７１４０: no browser pattern turns it away
    # with a vague bubble; the platform reads it (claims._pin_format).
    assert "pattern=" not in fresh.split('id="pin"')[1].split(">")[0]


def test_a_pin_typed_in_full_width_digits_claims(client, db, pinned):
    url, pin = pinned[0]
    wide = "".join(chr(ord(digit) + 0xFEE0) for digit in pin)
    assert claim(client, url, wide).status_code == 200 and claimed(db) == 1


def confirm(client, url: str, pin: str, address: str = "203.0.113.5"):
    page = client.get(path_of(url), environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    assert 'name="confirm" value="1"' in page  # the form is offered
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(path_of(url), data={"csrf_token": token, "confirm": "1", "pin": pin},
                       environ_base={"REMOTE_ADDR": address}, headers={"Referer": url})


def test_the_claimant_in_a_second_browser_proves_it_with_the_pin(app, client, db, pinned):
    url, pin = pinned[0]
    assert claim(client, url, pin).status_code == 200 and claimed(db) == 1
    wechat_then_safari = app.test_client()  # same phone and network, another cookie jar
    data = wechat_then_safari.get(path_of(url), headers=JSON,
                                  environ_base={"REMOTE_ADDR": "203.0.113.5"}).get_json()
    assert data["verdict"] == "suspicious" and data["reason_code"] == "claimed_elsewhere"
    # The alarm itself points to the PIN box, screens down on an enlarged phone.
    alarm = wechat_then_safari.get(path_of(url), environ_base={"REMOTE_ADDR": "203.0.113.5"})
    alarm = alarm.get_data(as_text=True).split("</section>")[0]
    assert '<a href="#claim">是您自己认领的？输入涂层下的防伪密码证明 ↓</a>' in alarm
    wrong = str((int(pin) + 1) % 10 ** 6).zfill(6)
    refused = confirm(wechat_then_safari, url, wrong)
    assert refused.status_code == 400 and "今天还可以试 4 次" in refused.get_data(as_text=True)
    done = confirm(wechat_then_safari, url, pin).get_data(as_text=True)
    assert "已确认：这件商品是您认领的" in done and 'name="confirm"' not in done
    data = wechat_then_safari.get(path_of(url), headers=JSON,
                                  environ_base={"REMOTE_ADDR": "203.0.113.5"}).get_json()
    assert data["verdict"] == "genuine"
    page = wechat_then_safari.get(path_of(url)).get_data(as_text=True)
    assert "您已于" in page  # 您已于 … 认领这件商品
    stranger = app.test_client().get(path_of(url), headers=JSON).get_json()
    assert stranger["reason_code"] == "claimed_elsewhere"  # still for everyone else
    assert claimed(db) == 1


def test_only_a_claimed_pin_item_can_be_confirmed(app, client, db, pinned, issuer):
    url, pin = pinned[1]
    from trace import catalog, scans
    item = catalog.find_item(db, GTIN, url.split("/21/")[1].split("?")[0])
    seen = scans.Observer("n", "d")
    with pytest.raises(claims.InvalidInput, match="claimant"):
        claims.confirm_claimant(db, item, seen, pin, SECRET)  # not claimed yet
    issue_codes(db, issuer, GTIN, LOT, 1)  # no PIN
    plain = list(export_rows(db, GTIN, LOT, BASE_URL))[-1]["url"]
    assert claim(app.test_client(), plain).status_code == 200  # claimed by ticking
    page = app.test_client().get(path_of(plain)).get_data(as_text=True)
    assert "另一台手机或另一个 App 里被认领" in page
    assert 'name="confirm"' not in page and 'href="#claim"' not in page  # nothing to prove


def test_a_report_from_a_phone_that_reads_the_item_as_claimed_records_what_it_read(
        app, client, db, pinned):
    """A buyer read 可疑 (claimed on another phone) and reported it; the report was
    stored as 正品 · 码是真的, and the room was told the buyer had seen 正品."""
    from trace import reports
    url, pin = pinned[0]
    assert claim(client, url, pin).status_code == 200
    other = app.test_client()
    scanned = other.get(path_of(url), headers=JSON,
                        environ_base={"REMOTE_ADDR": "192.0.2.9"}).get_json()
    assert scanned["verdict"] == "suspicious"
    form = other.get("/report", query_string={"code": path_of(url)},
                     environ_base={"REMOTE_ADDR": "192.0.2.9"}).get_data(as_text=True)
    assert '扫码结果：<strong><span class="nowrap">可疑' in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    action = re.search(r'<form action="([^"]+)"', form).group(1).replace("&amp;", "&")
    sent = other.post(action,
                      data={"csrf_token": token, "what_seen": "显示已被别人认领",
                            "where_bought": "抖音 某直播间"},
                      environ_base={"REMOTE_ADDR": "192.0.2.9"}, headers={"Referer": url})
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]  # on to its receipt
    [stored] = reports.list_reports(db)
    assert stored.verdict == "suspicious"
    views = db.execute("SELECT count(*) FROM scans").fetchone()[0]
    other.get("/report", query_string={"code": path_of(url)},
              environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == views  # not a scan
