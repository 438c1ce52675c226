"""Scan history (DESIGN §6): what counts, the suspicious verdict, and no raw address kept."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trace import create_app, scans
from trace.errors import InvalidInput
from trace.scans import Observer, ScanPolicy

from conftest import BASE_URL, OfficialHostClient, forged

JSON = {"Accept": "application/json"}


def path_of(url: str) -> str:
    return url[len(BASE_URL):]


def scan_json(client, url: str, address: str = "203.0.113.9", **headers) -> dict:
    response = client.get(path_of(url), headers={**JSON, **headers},
                          environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200
    return response.get_json()


def new_browser(app) -> OfficialHostClient:
    return app.test_client()  # its own cookie jar: another phone


# --- the hashes --------------------------------------------------------------------

def test_a_network_is_its_prefix_hashed_with_the_secret():
    same = scans.network_hash("k", "198.51.100.7"), scans.network_hash("k", "198.51.100.200")
    assert same[0] == same[1]
    assert scans.network_hash("k", "198.51.101.7") != same[0]
    assert scans.network_hash("other secret", "198.51.100.7") != same[0]
    assert scans.network_hash("k", "::ffff:198.51.100.9") == same[0]
    assert scans.network_hash("k", "2001:db8:1:2::1") == scans.network_hash("k", "2001:db8:1:ff::9")
    assert scans.network_hash("k", "2001:db8:2::1") != scans.network_hash("k", "2001:db8:1::1")
    assert re.fullmatch(r"[0-9a-f]{32}", same[0])


# --- the history as the domain reads it ------------------------------------------

def seen(n: int, device: int | None = None) -> Observer:
    return Observer(network=f"net{n}", device=f"dev{n if device is None else device}")


def item_id(db) -> int:
    return db.execute("SELECT min(id) FROM items").fetchone()[0]


def test_first_scan_has_no_first_time_and_the_four_cases(db, issued_urls):
    item, policy = item_id(db), ScanPolicy()
    first = scans.record_and_read(db, item, seen(1), policy)
    assert first.to_json() == {"count": 1, "first_at": None, "networks": 1, "devices": 1,
                               "claimed_at": None}
    assert first.case == "first"
    again = scans.record_and_read(db, item, seen(1), policy)
    assert again.case == "only_you" and again.count == 2 and again.first_at is not None
    other = scans.record_and_read(db, item, seen(2), policy)
    assert other.case == "elsewhere" and other.other_device_scans == 2
    assert (other.networks, other.devices) == (2, 2)
    db.execute("INSERT INTO claims VALUES (?, ?, ?, ?)", [item, "2026-11-20T00:00:00+00:00",
                                                          "dev1", "net1"])
    assert scans.read_history(db, item, seen(1), policy).case == "claimed_by_you"
    assert scans.read_history(db, item, seen(3), policy).case == "claimed_elsewhere"
    assert scans.read_history(db, item, seen(3), policy).copied_reason(policy) == \
        "claimed_elsewhere"


@pytest.mark.parametrize("networks, devices, copied", [
    (4, 1, False), (5, 1, True), (2, 5, False), (2, 6, True),
    # one home's Wi-Fi: a family passing a gift round at 春节 is no copied label, and
    # one address posing as many browsers is no proof of one either
    (1, 6, False), (1, 12, False), (1, 40, False),
])
def test_thresholds_count_distinct_networks_and_browsers(db, issued_urls, networks, devices,
                                                         copied):
    item, policy = item_id(db), ScanPolicy(networks=5, devices=6)
    for n in range(max(networks, devices)):
        scans.record_scan(db, item, Observer(f"net{min(n, networks - 1)}",
                                             f"dev{min(n, devices - 1)}"))
    history = scans.read_history(db, item, None, policy)
    assert (history.copied_reason(policy) == "copied") is copied


def test_only_scans_inside_the_window_make_it_suspicious(db, issued_urls):
    item, policy = item_id(db), ScanPolicy(networks=5, window_days=30)
    old = (datetime.now(timezone.utc) - timedelta(days=31)).isoformat()
    for n in range(10):
        scans.record_scan(db, item, seen(n), at=old)
    history = scans.read_history(db, item, seen(99), policy)
    assert history.count == 10 and history.copied_reason(policy) is None


def test_prune_keeps_the_counts_and_never_lowers_them(db, issued_urls):
    item, policy = item_id(db), ScanPolicy()
    old = datetime.now(timezone.utc) - timedelta(days=500)
    for n in range(6):
        scans.record_scan(db, item, seen(n % 3), at=(old + timedelta(hours=n)).isoformat())
    scans.record_scan(db, item, seen(7))
    before = scans.read_history(db, item, None, policy)
    assert scans.prune(db, 400) == (1, 6)
    after = scans.read_history(db, item, None, policy)
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 1
    assert after.count == before.count == 7
    assert after.first_at == before.first_at == (old.isoformat())
    assert after.networks >= before.networks and after.devices >= before.devices
    assert scans.prune(db, 400) == (0, 0)
    assert scans.read_history(db, item, None, policy).count == 7


def test_scans_prune_command(run_cli, db, issued_urls):
    old = (datetime.now(timezone.utc) - timedelta(days=401)).isoformat()
    scans.record_scan(db, item_id(db), seen(1), at=old)
    result = run_cli("scans", "prune")
    assert result.exit_code == 0 and "Reduced 1 scan(s) older than 400 days" in result.output


# --- through the real app -----------------------------------------------------------

def test_a_copied_code_scanned_from_30_networks_turns_suspicious(app, issued_urls):
    verdicts = []
    for n in range(30):
        data = scan_json(new_browser(app), issued_urls[0], f"198.51.{n}.20")
        verdicts.append(data["verdict"])
    assert verdicts[0] == "genuine"
    assert verdicts[-1] == "suspicious" and data["reason_code"] == "copied"
    assert data["scans"] == {"count": 30, "first_at": data["scans"]["first_at"],
                             "networks": 30, "devices": 30, "claimed_at": None}
    html = new_browser(app).get(path_of(issued_urls[0]),
                                environ_base={"REMOTE_ADDR": "192.0.2.1"}).get_data(as_text=True)
    assert 'data-verdict="suspicious"' in html and "此码已被查询 31 次" in html
    assert "谨防假冒" in html and "正品" not in html


def test_one_buyer_scanning_twenty_times_stays_genuine(client, issued_urls):
    for _ in range(20):
        data = scan_json(client, issued_urls[0], "203.0.113.50")
    assert data["verdict"] == "genuine"
    assert data["scans"]["count"] == 20
    assert (data["scans"]["networks"], data["scans"]["devices"]) == (1, 1)
    html = client.get(path_of(issued_urls[0]),
                      environ_base={"REMOTE_ADDR": "203.0.113.50"}).get_data(as_text=True)
    assert 'data-case="only_you"' in html and "都是在您这台手机上、用现在这个 App 查的" in html


def test_reloading_without_cookies_cannot_make_an_item_suspicious(app, issued_urls):
    for _ in range(10):  # curl, a private window, a chat app's link preview
        data = scan_json(new_browser(app), issued_urls[2], "203.0.113.60")
    assert data["verdict"] == "genuine"
    assert (data["scans"]["count"], data["scans"]["devices"]) == (10, 1)
    phone = new_browser(app)  # a real browser keeps its cookie: one more, not two
    scan_json(phone, issued_urls[2], "198.51.100.60")
    data = scan_json(phone, issued_urls[2], "198.51.100.60")
    assert (data["scans"]["networks"], data["scans"]["devices"]) == (2, 2)


def test_the_page_never_says_one_browser_beside_looks_from_others(app, issued_urls):
    """Cookie-less looks from one network and one kind of phone count as one browser
    in the totals, yet the page cannot say they were this viewer's: it gives the
    networks alone rather than "1 browser" under "2 from other browsers"."""
    for _ in range(2):
        new_browser(app).get(path_of(issued_urls[4]), environ_base={"REMOTE_ADDR": "192.0.2.9"})
    html = new_browser(app).get(path_of(issued_urls[4]),
                                environ_base={"REMOTE_ADDR": "192.0.2.9"}).get_data(as_text=True)
    assert "其中 2 次是在别的手机或别的 App 里查的" in html and "个手机或 App，" not in html
    # The headline says one network; the note said it again in other words (a trial).
    assert "次查询来自" not in html and "次查询用过" not in html
    english = new_browser(app).get(path_of(issued_urls[4]) + "&lang=en",
                                   environ_base={"REMOTE_ADDR": "192.0.2.9"}).get_data(as_text=True)
    assert "all on one network (a home" in english and "1 networks" not in english
    phone = new_browser(app)  # one phone looking twice: the note gives the network
    phone.get(path_of(issued_urls[3]), environ_base={"REMOTE_ADDR": "192.0.2.9"})
    again = phone.get(path_of(issued_urls[3]) + "&lang=en",
                      environ_base={"REMOTE_ADDR": "192.0.2.9"}).get_data(as_text=True)
    assert "These 2 look-ups all came from one network." in again
    # All on one network: a family's, told as such, not 请谨防假冒 to each relative.
    assert "都来自同一个网络（如家里或单位的 Wi-Fi），多半是家人或同事" in html
    assert "请谨防假冒" not in html


def test_different_phones_on_one_shop_wifi_stay_apart_without_cookies(app, issued_urls):
    """Twelve phones on one network are twelve browsers to the page, but not a copied
    label until a second network scans it too: browsers alone on one network were how
    a security trial turned a genuine item 可疑 from one machine."""
    phones = [f"Mozilla/5.0 (Linux; Android 13; Phone{n}) MicroMessenger/8.0.{n}"
              for n in range(12)]
    for agent in phones:  # each a first visit: no cookie yet
        data = scan_json(new_browser(app), issued_urls[3], "203.0.113.70",
                         **{"User-Agent": agent})
    assert data["scans"]["devices"] == 12 and data["verdict"] == "genuine"
    html = new_browser(app).get(path_of(issued_urls[3]), headers={"User-Agent": "Phone-new"},
                                environ_base={"REMOTE_ADDR": "203.0.113.70"}).get_data(
        as_text=True)
    assert 'data-case="elsewhere"' in html and "其中 12 次是在别的手机或别的 App 里查的" in html
    # Its fakes reach a second home: the browsers so far now count.
    data = scan_json(new_browser(app), issued_urls[3], "198.51.100.71")
    assert data["verdict"] == "suspicious" and data["reason_code"] == "copied"


def test_one_machine_posing_as_many_browsers_cannot_turn_an_item_suspicious(app, issued_urls):
    """A security trial made a genuine item 可疑 with 12 requests from one address,
    a new User-Agent (or a made-up cookie) each: anyone who saw the label could."""
    for n in range(40):
        client = new_browser(app)
        if n % 2:
            client.set_cookie("trace_device", f"made-up-device-token-{n:04d}",
                              domain="trace.example.cn")
        data = scan_json(client, issued_urls[4], "203.0.113.99",
                         **{"User-Agent": f"Mozilla/5.0 (griefer {n})"})
    assert data["scans"]["devices"] >= 20 and data["verdict"] == "genuine"


def test_scans_json_is_exactly_the_design(client, issued_urls):
    first = scan_json(client, issued_urls[1])["scans"]
    assert first == {"count": 1, "first_at": None, "networks": 1, "devices": 1,
                     "claimed_at": None}
    second = scan_json(client, issued_urls[1])["scans"]
    assert list(second) == ["count", "first_at", "networks", "devices", "claimed_at"]
    assert second["count"] == 2 and datetime.fromisoformat(second["first_at"]).tzinfo


def test_the_page_words_each_case(app, client, issued_urls):
    path = path_of(issued_urls[2])
    html = client.get(path).get_data(as_text=True)
    assert 'data-case="first"' in html and "第 1 次被查询" in html
    html = new_browser(app).get(path, environ_base={"REMOTE_ADDR": "192.0.2.77"}).get_data(
        as_text=True)
    assert 'data-case="elsewhere"' in html and "此码已被查询 2 次" in html
    assert "其中 1 次是在别的手机或别的 App 里查的" in html
    # A browser is told apart only once it keeps our cookie: "at least", beside the
    # looks from others (9 such looks beside "4 browsers" read as a contradiction).
    assert "这 2 次查询用过至少 2 个手机或 App（同一台手机上的微信和浏览器算两个；同一个可以查好几次），来自 2 个网络（" in html
    # The seller's or a relative's look is no alarm; a date and a time never break
    # inside, but may between them at 200 % text size.
    assert "如果不是您、家人或卖家查的，请谨防假冒" in html
    assert re.search(r'首次查询时间：<span class="nowrap">\d{4}-\d\d-\d\d</span> '
                     r'<span class="nowrap">\d\d:\d\d:\d\d</span>', html)


def test_what_is_not_a_scan(app, client, run_cli, issued_urls):
    path = path_of(issued_urls[0])
    client.head(path)
    run_cli("verify", issued_urls[0])
    forged_path = forged(path)
    client.get(forged_path)
    client.get(f"/01/{issued_urls[0].split('/01/')[1].split('/21/')[0]}")  # the batch page
    assert scan_json(client, issued_urls[0])["scans"]["count"] == 1


def test_a_browser_keeps_one_cookie_and_a_bad_cookie_is_replaced(client, issued_urls):
    response = client.get(path_of(issued_urls[0]))
    cookie = response.headers["Set-Cookie"]
    assert "trace_device=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the base URL is https
    assert "trace_device" not in client.get(path_of(issued_urls[0])).headers.get(
        "Set-Cookie", "")
    client.set_cookie("trace_device", "<script>", domain="trace.example.cn")
    assert "trace_device=" in client.get(path_of(issued_urls[0])).headers["Set-Cookie"]


def test_behind_a_proxy_the_forwarded_address_is_the_network(tmp_path, app, issued_urls):
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    proxied.test_client_class = OfficialHostClient
    browser = proxied.test_client()
    for forwarded in ("198.51.100.7", "192.0.2.8"):
        data = scan_json(browser, issued_urls[3], "127.0.0.1",
                         **{"X-Forwarded-For": f"10.9.9.9, {forwarded}"})
    assert data["scans"]["networks"] == 2
    direct = scan_json(app.test_client(), issued_urls[4], "127.0.0.1",
                       **{"X-Forwarded-For": "198.51.100.7"})
    again = scan_json(app.test_client(), issued_urls[4], "127.0.0.1",
                      **{"X-Forwarded-For": "192.0.2.8"})
    assert direct["scans"]["networks"] == again["scans"]["networks"] == 1  # not trusted


ADDRESSES = ["198.51.100.23", "192.0.2.144", "2001:db8:abcd:12::7", "203.0.113.201"]


def test_no_raw_client_address_is_stored_anywhere(app, db, issued_urls):
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    proxied.test_client_class = OfficialHostClient
    for address in ADDRESSES:
        browser = app.test_client()
        scan_json(browser, issued_urls[0], address)
        browser.get("/verify?q=" + path_of(issued_urls[1]).split("/21/")[1][:12],
                    environ_base={"REMOTE_ADDR": address})
        scan_json(proxied.test_client(), issued_urls[2], "127.0.0.1",
                  **{"X-Forwarded-For": address})
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 12
    needles = set(ADDRESSES) | {a.rsplit(".", 1)[0] + "." for a in ADDRESSES if "." in a} | {
        "2001:db8:abcd", "2001:0db8:abcd"}
    for table in db.table_names():
        for row in db.execute(f"SELECT * FROM [{table}]").fetchall():
            text = " ".join(str(value) for value in row)
            assert not any(needle in text for needle in needles), (table, row)
    for path in Path(app.config["DATABASE"]).parent.glob("trace.db*"):  # the file and its WAL
        raw = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in raw, (path, needle)
            assert needle.encode("utf-16-le") not in raw, (path, needle)


# --- the running counts against the rule itself -------------------------------------

def _modelled(rows: list[tuple], viewer: Observer, since: str) -> dict:
    """DESIGN §6 counted straight from the scans, the way the page must read: a
    browser is its device once the device sent our cookie back, else its visitor;
    only a browser that sent the cookie back can have look-ups of its own."""
    returning = {device for _at, _net, device, _visitor, back in rows if back}
    who = [f"d{device}" if device in returning else f"n{visitor}"
           for _at, _net, device, visitor, _back in rows]
    recent = [at >= since for at, *_ in rows]
    return {"count": len(rows), "networks": len({row[1] for row in rows}),
            "devices": len(set(who)),
            "window_networks": len({row[1] for row, new in zip(rows, recent) if new}),
            "window_devices": len({w for w, new in zip(who, recent) if new}),
            "others": sum(w != viewer.identity for w in who) if viewer.returning
            else len(rows) - 1,
            "first_at": min(row[0] for row in rows) if len(rows) > 1 else None}


def _figures(history: scans.ScanHistory) -> dict:
    return {"count": history.count, "networks": history.networks, "devices": history.devices,
            "window_networks": history.window_networks,
            "window_devices": history.window_devices, "others": history.other_device_scans,
            "first_at": history.first_at}


_NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)
_SCAN = st.tuples(st.sampled_from([0, 1, 5, 29, 31, 90, 500]),  # days ago
                  st.integers(0, 2), st.integers(0, 3), st.integers(0, 2), st.booleans())
_VIEWER = st.tuples(st.integers(0, 3), st.integers(0, 2), st.booleans())
_PROPERTY = settings(max_examples=150, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def _scanned(db, item: int, steps: list[tuple]) -> list[tuple]:
    """Record ``steps`` afresh; the rows the rule reads."""
    for table in ("scans", "scan_networks", "scan_browsers", "scan_totals"):
        db.execute(f"DELETE FROM {table}")
    rows = []
    for n, (days, network, device, visitor, back) in enumerate(steps):
        at = (_NOW - timedelta(days=days, seconds=n)).isoformat()
        scans.record_scan(db, item, Observer(f"net{network}", f"dev{device}", returning=back,
                                             visitor=f"vis{visitor}"), at=at)
        rows.append((at, f"net{network}", f"dev{device}", f"vis{visitor}", back))
    return rows


def _viewer(device: int, visitor: int, back: bool) -> Observer:
    return Observer("net0", f"dev{device}", returning=back, visitor=f"vis{visitor}")


@_PROPERTY
@given(steps=st.lists(_SCAN, min_size=1, max_size=25), viewer=_VIEWER)
# Phones sharing one visitor hash, one of which then sends its cookie back: the
# visitor's row keeps the latest of the others' scans (5 days, inside the window).
@example(steps=[(0, 0, 0, 0, False), (500, 0, 1, 0, False), (5, 0, 2, 0, False),
                (90, 0, 3, 0, False), (0, 1, 0, 1, True)], viewer=(0, 0, True))
def test_the_running_counts_agree_with_the_scans_they_count(db, issued_urls, steps, viewer):
    """Any order of scans, cookies sent back or not, backdated scans, shared
    visitor hashes: the page's figures equal the rule counted from the scans."""
    item, policy = item_id(db), ScanPolicy()
    rows = _scanned(db, item, steps)
    seen_by = _viewer(*viewer)
    since = (_NOW - timedelta(days=policy.window_days)).isoformat()
    assert _figures(scans.read_history(db, item, seen_by, policy, now=_NOW)) == \
        _modelled(rows, seen_by, since)


@_PROPERTY
@given(steps=st.lists(_SCAN, min_size=1, max_size=25), viewer=_VIEWER,
       keeps=st.lists(st.sampled_from([30, 60, 100, 400]), min_size=1, max_size=3))
def test_a_prune_moves_no_figure_a_page_shows(db, issued_urls, steps, viewer, keeps):
    """Scan details past the retention go, the figures stay, prune after prune:
    each network and browser counted once before and after, and a browser that
    scanned since the cutoff keeps its own look-ups as its own."""
    item, policy = item_id(db), ScanPolicy()
    rows = _scanned(db, item, steps)
    seen_by = _viewer(*viewer)
    for keep in sorted(keeps, reverse=True):
        cutoff = (_NOW - timedelta(days=keep)).isoformat()
        recent_self = any(at >= cutoff and device == seen_by.device
                          for at, _net, device, _visitor, _back in rows)
        viewers = [None] + ([seen_by] if recent_self or not seen_by.returning else [])
        before = [_figures(scans.read_history(db, item, v, policy, now=_NOW)) for v in viewers]
        scans.prune(db, keep, now=_NOW)
        assert [_figures(scans.read_history(db, item, v, policy, now=_NOW))
                for v in viewers] == before
        assert db.execute("SELECT count(*) FROM scans WHERE at < ?",
                          [cutoff]).fetchone()[0] == 0
        for table in ("scan_networks", "scan_browsers"):
            assert db.execute(f"SELECT count(*) FROM {table} WHERE last_at < ?",
                              [cutoff]).fetchone()[0] == 0


@pytest.mark.parametrize("days", ["0", "800000", "99999999999"])
def test_scans_prune_refuses_a_retention_out_of_range(run_cli, db, issued_urls, days):
    scans.record_scan(db, item_id(db), seen(1))
    result = run_cli("scans", "prune", "--older-than", days)
    assert result.exit_code == 2 and "36500" in result.output and "Traceback" not in result.output
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 1


def test_a_retention_setting_out_of_range_is_refused_in_words(db):
    with pytest.raises(InvalidInput, match="between 1 and 36500 days"):
        scans.prune(db, 10**9)


def test_pruning_inside_the_window_is_refused_so_a_copied_code_stays_suspicious(
        app, run_cli, db, issued_urls):
    """Pruned scans count, but not inside the window that makes a code suspicious:
    a short retention would have turned a copied label genuine again."""
    item, policy = item_id(db), ScanPolicy.from_config(app.config)
    recent = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    for n in range(8):
        scans.record_scan(db, item, seen(n), at=recent)
    result = run_cli("scans", "prune", "--older-than", "2")
    assert result.exit_code == 1 and "TRACE_SUSPICIOUS_WINDOW_DAYS" in result.output
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 8
    history = scans.read_history(db, item, seen(99), policy)
    assert history.copied_reason(policy) == "copied"


def test_after_a_prune_the_old_scans_still_count_as_someone_elses(db, issued_urls):
    """Their browsers are gone: a pruned copied code never reads "only you"."""
    item, policy = item_id(db), ScanPolicy()
    old = (datetime.now(timezone.utc) - timedelta(days=500)).isoformat()
    for n in range(12):
        scans.record_scan(db, item, seen(n), at=old)
    scans.record_scan(db, item, seen(1))
    scans.prune(db, 400)
    history = scans.read_history(db, item, seen(1), policy)
    assert (history.count, history.other_device_scans, history.case) == (13, 11, "elsewhere")
    assert (history.networks, history.devices) == (12, 12)  # each counted once


def test_a_page_shown_again_reads_one_look_as_the_viewers_own(db, issued_urls):
    """A first look (no cookie yet, known by network and browser), then the same page in
    English (the cookie back): the first look must not turn into another phone's."""
    item = db.execute("SELECT id FROM items LIMIT 1").fetchone()[0]
    scans.record_scan(db, item, Observer("net9", "devX"))  # someone else
    first = Observer("net1", "devA", returning=False, visitor="phoneA")
    scans.record_scan(db, item, first)
    again = Observer("net1", "devA", returning=True, visitor="phoneA")
    plain = scans.read_history(db, item, again, ScanPolicy())
    shown_again = scans.read_history(db, item, again, ScanPolicy(), looked_before=True)
    assert (plain.other_device_scans, shown_again.other_device_scans) == (2, 1)
