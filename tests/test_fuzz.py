"""Hypothesis throws arbitrary paths, query strings, headers, form bodies and JSON at
every route, as each kind of visitor: nothing may answer 500 or show a traceback.

Bounded for make test (a few hundred requests a test); run more with
HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import gzip
import os
import re
from urllib.parse import quote, urlencode

import brotli
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trace import accounts, agencies, rooms

from conftest import CREDIT_CODE, STAFF_PASSWORD, form_token

settings.register_profile("make-test", max_examples=80, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
settings.register_profile("long", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "make-test"))

# Any text a client can put in a URL or form: control characters, NUL, surrogate-free
# Unicode, quotes and markup included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
SHORT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
# Numbers as people and scripts mistype them: characters str.isdigit() accepts but
# int() refuses (², ①, Kharosthi 𐩁), other scripts' digits, full-width ones.
NUMBERISH = st.text(st.sampled_from("0123456789²①٣５\U00010A41-.,e "), max_size=12)
VALUES = NUMBERISH | TEXT
# Query parameters the routes read, so a drawn query reaches their parsing.
QUERY_KEYS = st.sampled_from(["q", "url", "from", "to", "start", "end", "gtin", "lot", "serial",
                              "page", "stock", "lang", "code", "overlay", "as"]) | SHORT
VISITORS = ("anonymous", "supplier", "agency", "streamer", "admin")


@pytest.fixture
def world(app, db, issuer, issued_urls):
    """A batch with codes and one signed-in account of each role."""
    lab, _key = agencies.add_agency(db, "检测中心", "231012341234", keys_dir=app.config["KEYS_DIR"])
    room = rooms.add_room(db, "直播间", "douyin", "77")
    orgs = {"supplier": CREDIT_CODE, "agency": str(lab.id), "streamer": str(room.id),
            "admin": None}
    for role, org in orgs.items():
        accounts.add_user(db, role, f"{role}@fuzz.example.cn", org=org, password=STAFF_PASSWORD)
    token = accounts.new_token(db, "supplier@fuzz.example.cn")[1]
    return {"token": token, "item": issued_urls[0][len("https://trace.example.cn"):]}


def client_for(app, who: str):
    client = app.test_client()
    if who != "anonymous":
        client.post("/login", data={"csrf_token": form_token(client, "/login"),
                                    "email": f"{who}@fuzz.example.cn",
                                    "password": STAFF_PASSWORD},
                    headers={"Referer": "https://trace.example.cn/login"})
    return client


def routes(app) -> list[tuple[str, str]]:
    """(rule, method) for every route the app serves."""
    return sorted({(rule.rule, method) for rule in app.url_map.iter_rules()
                   for method in rule.methods - {"HEAD", "OPTIONS"}})


def fill(rule: str, parts: list[str]) -> str:
    """The rule with each <converter:name> replaced by a (quoted) generated part."""
    values = iter(parts)
    return re.sub(r"<[^>]+>", lambda _m: quote(next(values, "x"), safe=""), rule)


def assert_no_server_error(response, what) -> None:
    raw = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        raw = gzip.decompress(raw)
    elif encoding == "br":
        raw = brotli.decompress(raw)
    body = raw.decode("utf-8", "replace")
    assert response.status_code < 500, (what, response.status_code, body[:300])
    assert "Traceback" not in body, what


@given(data=st.data())
def test_arbitrary_paths_and_query_strings(app, world, data):
    who = data.draw(st.sampled_from(VISITORS))
    client = client_for(app, who)
    rule, method = data.draw(st.sampled_from(routes(app)))
    path = fill(rule, data.draw(st.lists(SHORT, min_size=3, max_size=3)))
    query = urlencode(data.draw(st.dictionaries(QUERY_KEYS, VALUES, max_size=4)))
    response = client.open(f"{path}?{query}", method=method)
    assert_no_server_error(response, (who, method, path, query))


@given(data=st.data())
def test_arbitrary_paths_below_each_prefix(app, world, data):
    prefix = data.draw(st.sampled_from(["/01/", "/ledger/", "/live/", "/streamer/",
                                        "/supplier/", "/agency/", "/admin/", "/api/v1/",
                                        "/static/", "/inspections/pdf/", "/inspections/",
                                        "/.well-known/"]))
    tail = "/".join(quote(part, safe="") for part in data.draw(st.lists(SHORT, max_size=6)))
    client = client_for(app, data.draw(st.sampled_from(VISITORS)))
    response = client.get(prefix + tail)
    assert_no_server_error(response, prefix + tail)


HEADER_NAMES = ["Accept", "Accept-Language", "Accept-Encoding", "User-Agent", "Cookie",
                "Referer", "X-Forwarded-For", "If-None-Match", "If-Modified-Since", "Range",
                "Authorization", "Content-Type"]


@given(headers=st.dictionaries(st.sampled_from(HEADER_NAMES),
                               st.text(st.characters(min_codepoint=32, max_codepoint=126),
                                       max_size=80), max_size=6),
       page=st.sampled_from(["/", "item", "/verify?q=RZJ4-WDFF-XA07", "/report", "/login",
                             "/ledger/checkpoint", "/api/v1/openapi.json", "/healthz"]))
def test_arbitrary_headers(app, world, headers, page):
    client = app.test_client()
    path = world["item"] if page == "item" else page
    assert_no_server_error(client.get(path, headers=headers), (path, headers))


FORMS = {  # where each form is, and where it posts
    "anonymous": [("/report", "/report"), ("/login", "/login"), ("/signup", "/signup"),
                  ("item", "item")],
    "supplier": [("/supplier/products/new", "/supplier/products/new"),
                 ("/supplier/batches/new", "/supplier/batches/new"),
                 ("/supplier/", "/supplier/batches/09521234000013/ZJ-2611-A/issue"),
                 ("/supplier/", "/supplier/batches/09521234000013/ZJ-2611-A/items"),
                 ("/supplier/", "/supplier/batches/09521234000013/ZJ-2611-A/status")],
    "streamer": [("/streamer/", "/streamer/records"), ("/streamer/", "/streamer/live")],
    "agency": [("/agency/reports/new", "/agency/reports/new")],
    "admin": [("/admin/", "/admin/agencies"), ("/admin/", "/admin/assign")],
}


@given(data=st.data())
def test_arbitrary_form_bodies_with_a_valid_token(app, world, data):
    who = data.draw(st.sampled_from(sorted(FORMS)))
    client = client_for(app, who)
    page, target = data.draw(st.sampled_from(FORMS[who]))
    page = world["item"] if page == "item" else page
    target = world["item"] if target == "item" else target
    fields = data.draw(st.dictionaries(st.sampled_from(
        ["name", "gtin", "lot", "count", "code", "decision", "note", "override_reason",
         "what_seen", "where_bought", "contact", "email", "password", "pin", "received",
         "reason", "produced_on", "credit_code", "cma", "items", "report_no", "issued_on",
         "action", "target", "confirm", "serial", "agency", "kind", "stock", "with_pin",
         "request_key", "shelf_life_days", "quantity", "expires_on"]),
        VALUES, max_size=8))
    fields["csrf_token"] = form_token(client, page)
    response = client.post(target, data=fields,
                           headers={"Referer": "https://trace.example.cn" + page})
    assert_no_server_error(response, (who, target, fields))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHORT, inner, max_size=3),
    max_leaves=8)


@given(data=st.data())
def test_arbitrary_json_at_the_api(app, world, data):
    client = app.test_client()
    path = data.draw(st.sampled_from([
        "/api/v1/products", "/api/v1/batches", "/api/v1/verify", "/api/v1/inspections",
        "/api/v1/batches/09521234000013/ZJ-2611-A/issue"]))
    body = data.draw(st.dictionaries(st.sampled_from(
        ["gtin", "lot", "name", "count", "url", "code", "report", "kid", "sig", "with_pin"]),
        JSON_VALUES, max_size=5) | JSON_VALUES)
    response = client.post(path, json=body,
                           headers={"Authorization": f"Bearer {world['token']}"})
    assert_no_server_error(response, (path, body))
