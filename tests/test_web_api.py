"""The JSON API: bearer tokens, one error format, the organisation from the token,
the generated OpenAPI document, and Schemathesis against a live server."""

from __future__ import annotations

import csv
import http.client
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (content_type_conformance, ignored_auth,
                                 negative_data_rejection, not_a_server_error,
                                 response_headers_conformance, response_schema_conformance,
                                 status_code_conformance)

from trace import accounts, catalog
from trace.issuing import issue_codes
from trace.inspections import commissions

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT, forged

OTHER_CODE = "91330100MA27XL0Y34"


@pytest.fixture
def token(db, make_batch, make_account, issuer):
    """An API token of the pearl supplier, which owns one batch."""
    make_batch()
    return accounts.new_token(db, make_account("supplier", "erp@pearl.example.cn",
                                               org=CREDIT_CODE), name="ERP")[1]


def call(client, method: str, path: str, token: str | None = None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def test_an_erp_lists_its_products_and_batches_and_voids_an_item(client, db, token, issuer):
    issue_codes(db, issuer, GTIN, LOT, 3)
    products = call(client, "GET", "/products", token).get_json()["products"]
    assert [p["gtin"] for p in products] == [GTIN] and products[0]["name"] == "诸暨淡水珍珠项链"
    batches = call(client, "GET", f"/batches?gtin={GTIN}", token).get_json()["batches"]
    assert [(b["lot"], b["issued"]) for b in batches] == [(LOT, 3)]
    other = catalog.add_supplier(db, "别家公司", OTHER_CODE)
    catalog.add_product(db, other, "09521234000020", "别家的茶")
    assert call(client, "GET", "/batches?gtin=09521234000020", token).status_code == 404
    serial = db.execute("SELECT serial FROM items ORDER BY id LIMIT 1").fetchone()[0]
    typed = f"{serial[:4]}-{serial[4:8]}-{serial[8:]}".lower()
    path = f"/batches/{GTIN}/{LOT}/items/{typed}/status"
    done = call(client, "POST", path, token, json={"action": "void", "reason": "标签损坏"})
    assert done.status_code == 200 and done.get_json() == {
        "serial": serial, "status": "void", "status_reason": "标签损坏"}
    again = call(client, "POST", path, token, json={"action": "recall", "reason": "x"})
    assert again.status_code == 409 and "作废的码不能再改" in again.get_json()["message_zh"]
    bad = call(client, "POST", path, token, json={"action": "delete", "reason": "x"})
    assert bad.status_code == 422
    missing = call(client, "POST", f"/batches/{GTIN}/{LOT}/items/AAAA-BBBB-CCCC/status", token,
                   json={"action": "void", "reason": "x"})
    assert missing.status_code == 404
    actor = db.execute("SELECT actor FROM status_events").fetchone()[0]
    assert actor == "api:erp@pearl.example.cn"


def test_an_erp_corrects_a_product_and_sets_and_takes_off_its_photo(client, db, token):
    import base64
    from PIL import Image
    from test_reports import jpeg_with_gps
    unexplained = call(client, "PATCH", f"/products/{GTIN}", token,
                       json={"storage": "阴凉干燥处"})
    assert unexplained.status_code == 400 and "reason" in unexplained.get_json()["message"]
    assert catalog.get_product(db, GTIN).storage != "阴凉干燥处"
    changed = call(client, "PATCH", f"/products/{GTIN}", token,
                   json={"storage": "阴凉干燥处", "reason": "补充贮存条件"})
    assert changed.status_code == 200 and changed.get_json()["storage"] == "阴凉干燥处"
    assert changed.get_json()["name"] == catalog.get_product(db, GTIN).name  # the rest kept
    for bad in ("not base64!", base64.b64encode(b"%PDF-1.4 not a photo").decode()):
        refused = call(client, "PATCH", f"/products/{GTIN}", token,
                       json={"photo_base64": bad, "reason": "换图"})
        assert refused.status_code == 400, refused.get_json()
    assert db.execute("SELECT count(*) FROM product_photos").fetchone()[0] == 0
    photo = call(client, "PATCH", f"/products/{GTIN}", token, json={
        "photo_base64": base64.b64encode(jpeg_with_gps()).decode(), "reason": "添加实物照片"})
    sha = photo.get_json()["photo"]
    assert photo.status_code == 200 and len(sha) == 64
    large = client.get(f"/photos/{sha}/large.jpg")
    assert large.status_code == 200 and large.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(large.data)).getexif()  # no camera metadata
    page = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "补充贮存条件" in page and "添加实物照片" in page and f"/photos/{sha}/" in page
    off = call(client, "PATCH", f"/products/{GTIN}", token,
               json={"photo_base64": None, "reason": "照片不准确"})
    assert off.status_code == 200 and off.get_json()["photo"] is None
    assert client.get(f"/photos/{sha}/large.jpg").status_code == 404  # offline with it


def test_a_shelf_life_in_months_is_given_as_months_and_never_with_days(client, db, token):
    made = call(client, "POST", "/products", token,
                json={"gtin": "6901234567892", "name": "龙井茶", "shelf_life_months": 18})
    assert made.status_code == 201
    assert (made.get_json()["shelf_life_months"], made.get_json()["shelf_life_days"]) == (18, None)
    batch = call(client, "POST", "/batches", token,
                 json={"gtin": "06901234567892", "lot": "lj-01", "produced_on": "2026-04-01"})
    assert batch.get_json()["expires_on"] == "2027-10-01"
    both = call(client, "POST", "/products", token, json={
        "gtin": "6971234567895", "name": "龙井茶", "shelf_life_days": 540, "shelf_life_months": 18})
    assert both.status_code == 400 and "in days or in months" in both.get_json()["message"]
    assert db.execute("SELECT 1 FROM products WHERE gtin = ?",
                      ["06971234567895"]).fetchone() is None
    changed = call(client, "PATCH", "/products/06901234567892", token,
                   json={"shelf_life_days": 540, "reason": "按天计"})
    assert (changed.get_json()["shelf_life_months"], changed.get_json()["shelf_life_days"]) == \
        (None, 540)
    english = call(client, "PATCH", "/products/06901234567892", token,
                   json={"storage_en": "Sealed, dark and dry", "fibre_content_en": "n/a",
                         "category_en": "Tea", "reason": "补英文"})
    assert english.status_code == 200 and english.get_json()["storage_en"] == \
        "Sealed, dark and dry"
    listed = call(client, "GET", "/products", token).get_json()["products"]
    assert [(p["storage_en"], p["fibre_content_en"], p["category_en"]) for p in listed
            if p["gtin"] == "06901234567892"] == [("Sealed, dark and dry", "n/a", "Tea")]


def test_a_supplier_erp_registers_issues_and_reads_codes(client, db, token):
    made = call(client, "POST", "/products", token,
                json={"gtin": "6901234567892", "name": "龙井茶", "shelf_life_days": 540})
    assert made.status_code == 201 and made.get_json()["gtin"] == "06901234567892"
    batch = call(client, "POST", "/batches", token,
                 json={"gtin": "06901234567892", "lot": "lj-01", "produced_on": "2026-04-01"})
    assert batch.status_code == 201
    assert batch.get_json()["lot"] == "LJ-01" and batch.get_json()["expires_on"] == "2027-09-23"
    issued = call(client, "POST", "/batches/06901234567892/LJ-01/issue", token,
                  json={"count": 7, "with_pin": True})
    assert issued.status_code == 201 and issued.get_json()["count"] == 7
    first = call(client, "GET", "/batches/06901234567892/LJ-01/codes?per_page=5", token)
    page = first.get_json()
    assert (page["total"], len(page["codes"])) == (7, 5) and len(page["codes"][0]["pin"]) == 6
    rest = call(client, "GET", page["next"][len("/api/v1"):], token).get_json()
    assert [c["seq"] for c in rest["codes"]] == [6, 7] and rest["next"] is None
    assert call(client, "GET", "/batches/06901234567892/LJ-01", token).get_json()["issued"] == 7


@pytest.mark.parametrize("written, stored", [("20260401", "2026-04-01"),
                                             (" 2026-04-01 ", "2026-04-01")])
def test_a_batch_date_is_read_as_the_web_form_reads_it(client, db, token, written, stored):
    """pydantic read '20260401' as seconds since 1970, and refused it as a datetime."""
    call(client, "POST", "/products", token, json={"gtin": "6901234567892", "name": "龙井茶"})
    made = call(client, "POST", "/batches", token,
                json={"gtin": "06901234567892", "lot": "LJ-01", "produced_on": written})
    assert made.status_code == 201 and made.get_json()["produced_on"] == stored


@pytest.mark.parametrize("written", [20260401, "2026/04/01", "04/01/2026"])
def test_a_batch_date_that_is_not_one_is_refused_saying_how_to_write_it(
        client, db, token, written):
    refused = call(client, "POST", "/batches", token,
                   json={"gtin": GTIN, "lot": "LJ-02", "produced_on": written})
    assert refused.status_code == 422 and "YYYY-MM-DD" in json.dumps(refused.get_json())
    assert db.execute("SELECT count(*) FROM batches WHERE lot = 'LJ-02'").fetchone()[0] == 0


def test_a_top_up_of_the_other_pin_kind_is_refused(client, db, token):
    """A batch of codes with and without PINs fits no label stock whole."""
    path = f"/batches/{GTIN}/{LOT}/issue"
    assert call(client, "POST", path, token, json={"count": 2, "with_pin": True}).status_code == 201
    refused = call(client, "POST", path, token, json={"count": 1})
    assert refused.status_code == 400 and "with scratch-off PINs" in refused.get_json()["message"]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 2


def test_issuing_past_the_plan_needs_over_plan(client, db, token):
    path = f"/batches/{GTIN}/{LOT}/issue"  # planned at 100
    refused = call(client, "POST", path, token, json={"count": 500})
    assert refused.status_code == 400 and "over_plan" in refused.get_json()["message"]
    # A trial's ERP read only a web checkbox in Chinese, and no field to map it to.
    assert "接口传 over_plan" in refused.get_json()["message_zh"]
    assert [d["loc"] for d in refused.get_json()["details"]] == [["count"]]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    allowed = call(client, "POST", path, token, json={"count": 101, "over_plan": True})
    assert allowed.status_code == 201 and allowed.get_json()["count"] == 101


def test_codes_as_csv_for_accept_text_csv(client, db, token, issuer):
    issue_codes(db, issuer, GTIN, LOT, 3)
    response = call(client, "GET", f"/batches/{GTIN}/{LOT}/codes", token,
                    headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3 and rows[0]["seq"] == "1"  # no BOM for a program


def test_verify_through_the_api_is_never_a_scan(client, db, token, issued_urls):
    for url in issued_urls[:1] + [issued_urls[0].replace("s=", "s=A")]:
        call(client, "POST", "/verify", token, json={"url": url})
    answers = [call(client, "POST", "/verify", token, json={"url": u}).get_json()["verdict"]
               for u in (issued_urls[0], forged(issued_urls[0]), "not a url")]
    assert answers == ["genuine", "forged", "invalid"]
    copied = call(client, "POST", "/verify", token, json={"url": forged(issued_urls[0])})
    assert copied.get_json()["detail_en"] == "the signature does not verify"  # as the CLI says
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 0


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer trc_not-a-token", "Basic abc",
                                    "trc_x"])
def test_without_a_valid_token_every_call_is_401(client, token, header):
    headers = {"Authorization": header} if header else {}
    response = call(client, "GET", f"/batches/{GTIN}/{LOT}", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json()["error"] == "Unauthorized"


def test_a_revoked_token_or_disabled_account_is_refused(client, db, token):
    assert call(client, "GET", f"/batches/{GTIN}/{LOT}", token).status_code == 200
    accounts.disable_user(db, "erp@pearl.example.cn")
    assert call(client, "GET", f"/batches/{GTIN}/{LOT}", token).status_code == 401


def test_a_signed_in_session_does_not_open_the_api(client, token, make_account, sign_in):
    sign_in(client, make_account("supplier", "web@pearl.example.cn", org=CREDIT_CODE))
    assert call(client, "GET", f"/batches/{GTIN}/{LOT}").status_code == 401


def test_another_suppliers_data_is_not_found_and_never_shown(client, db, token, issuer):
    other = catalog.add_supplier(db, "别家公司", OTHER_CODE)
    catalog.add_product(db, other, "06901234567892", "别家的茶叶")
    catalog.new_batch(db, "06901234567892", "SECRET-1", notes="内部备注")
    issue_codes(db, issuer, "06901234567892", "SECRET-1", 2)
    before = db.execute("SELECT count(*) FROM items").fetchone()[0]
    for method, path, body in [
            ("GET", "/batches/06901234567892/SECRET-1", None),
            ("GET", "/batches/06901234567892/SECRET-1/codes", None),
            ("POST", "/batches/06901234567892/SECRET-1/issue", {"count": 1}),
            ("POST", "/batches", {"gtin": "06901234567892", "lot": "MINE"})]:
        response = call(client, method, path, token, json=body)
        text = response.get_data(as_text=True)
        assert response.status_code == 404 and response.get_json()["error"] == "NotFound"
        assert "别家" not in text and "内部备注" not in text and "SECRET" not in text
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == before
    # Nor does the wording tell a rival's barcode from one nobody registered.
    from trace.gs1 import gtin_check_digit
    nobodys = "0690123456790" + str(gtin_check_digit("0690123456790"))
    answers = [call(client, "GET", f"/batches?gtin={gtin}", token).get_json()
               for gtin in ("06901234567892", nobodys)]
    assert json.dumps(answers[0]).replace("06901234567892", nobodys) == json.dumps(answers[1])


@pytest.mark.parametrize("body, status, error", [
    ({"gtin": "6901234567893", "name": "茶"}, 400, "InvalidInput"),       # check digit
    ({"gtin": GTIN, "name": "again"}, 409, "Conflict"),
    ({"gtin": "123", "name": "茶"}, 422, "InvalidRequest"),
    ({"gtin": "6901234567892"}, 422, "InvalidRequest"),
    ({"gtin": "6901234567892", "name": "茶", "colour": "red"}, 422, "InvalidRequest"),
    ([1, 2], 422, "InvalidRequest"),
])
def test_bad_bodies_get_a_stable_error_and_change_nothing(client, db, token, body, status,
                                                          error):
    response = call(client, "POST", "/products", token, json=body)
    assert (response.status_code, response.get_json()["error"]) == (status, error)
    assert response.get_json()["message"] and response.get_json()["message_zh"]
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == 1
    if body == {"gtin": "6901234567893", "name": "茶"}:  # named as a schema error names it
        assert response.get_json()["details"][0]["loc"] == ["gtin"]


def test_an_admin_token_may_verify_but_not_issue(client, db, token, make_account, issued_urls):
    admin = accounts.new_token(db, make_account("admin", "ops@trace.example.cn"))[1]
    assert call(client, "POST", "/verify", admin, json={"url": issued_urls[0]}).status_code == 200
    refused = call(client, "POST", f"/batches/{GTIN}/{LOT}/issue", admin, json={"count": 1})
    assert refused.status_code == 403 and refused.get_json()["error"] == "Forbidden"


def test_unknown_api_paths_answer_json(client, token):
    response = call(client, "GET", "/nothing-here", token)
    assert response.status_code == 404 and response.get_json()["error"] == "NotFound"


def test_an_erp_cancels_a_batch_it_opened_with_a_wrong_lot(client, db, token):
    made = call(client, "POST", "/batches", token, json={"gtin": GTIN, "lot": "ZJ-2611-AA",
                                                         "produced_on": "2026-11-10"})
    assert made.status_code == 201 and made.get_json()["cancelled"] is None
    bare = call(client, "POST", f"/batches/{GTIN}/ZJ-2611-AA/cancel", token, json={})
    assert bare.status_code == 422  # a reason is required
    done = call(client, "POST", f"/batches/{GTIN}/ZJ-2611-AA/cancel", token,
                json={"reason": "批次号录错"})
    assert done.status_code == 200 and done.get_json()["cancelled"]["reason"] == "批次号录错"
    again = call(client, "POST", f"/batches/{GTIN}/ZJ-2611-AA/issue", token, json={"count": 1})
    assert again.status_code == 409 and "已取消" in again.get_json()["message_zh"]
    call(client, "POST", f"/batches/{GTIN}/{LOT}/issue", token, json={"count": 1})
    coded = call(client, "POST", f"/batches/{GTIN}/{LOT}/cancel", token, json={"reason": "x"})
    assert coded.status_code == 409 and "不能取消" in coded.get_json()["message_zh"]


def test_the_openapi_document_is_valid_31_and_names_every_route(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    assert [server["url"] for server in doc["servers"]] == [BASE_URL]  # the host it came from
    assert set(doc["paths"]) == {
        "/api/v1/products", "/api/v1/products/{gtin}", "/api/v1/batches",
        "/api/v1/batches/{gtin}/{lot}",
        "/api/v1/batches/{gtin}/{lot}/issue", "/api/v1/batches/{gtin}/{lot}/codes",
        "/api/v1/batches/{gtin}/{lot}/items/{serial}/status", "/api/v1/verify",
        "/api/v1/inspections", "/api/v1/batches/{gtin}/{lot}/cancel", "/01/{gtin}/10/{lot}",
        "/api/v1/label-stocks", "/api/v1/batches/{gtin}/{lot}/labels"}
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "/01/{gtin}/10/{lot}" in doc["paths"]  # the batch page's JSON, with no token
    verdict = doc["components"]["schemas"]["Verdict"]["properties"]
    assert {"genuine", "copied", "bad_signature", "cut_link_opened"} <= set(
        verdict["reason_code"]["enum"])
    assert "Asia/Shanghai" in doc["info"]["description"]
    codes = doc["paths"]["/api/v1/batches/{gtin}/{lot}/codes"]["get"]["responses"]["200"]
    assert set(codes["content"]) == {"application/json", "text/csv"}
    labels = doc["paths"]["/api/v1/batches/{gtin}/{lot}/labels"]["get"]["responses"]["200"]
    assert labels["content"]["application/pdf"]["schema"]["format"] == "binary"
    issue = doc["components"]["schemas"]["IssueIn"]["properties"]["count"]
    assert (issue["minimum"], issue["maximum"]) == (1, 100_000)  # the validating model


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, negative_data_rejection,
          ignored_auth]


def test_the_live_api_keeps_to_its_schema(live_server, token):
    """Schemathesis generates requests (valid and not) for every operation of the live
    document and checks each answer: no 500, every status, header and body as
    documented, invalid input refused, no call without the token let through."""
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # The batch page's JSON answers by Accept, which a negative case varies: checked below.
    operations = [op for op in operations if op.path.startswith("/api/v1/")]
    assert len(operations) == 14
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                   checks=CHECKS)
        run()


def test_a_body_that_is_not_json_is_named_as_such(client, token):
    response = call(client, "POST", "/products", token, data='{"gtin": "690123',
                    headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.get_json()["message"] == \
        "the body is not valid JSON"


def test_verify_takes_a_typed_code_as_the_page_does(client, db, token, issued_urls):
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    typed = f"{serial[:4].lower()}-{serial[4:8]}-{serial[8:]}"
    answer = call(client, "POST", "/verify", token, json={"url": typed}).get_json()
    assert answer["verdict"] == "registered" and answer["serial"] == serial


def test_the_csv_comes_as_a_named_attachment(client, token):
    response = call(client, "GET", f"/batches/{GTIN}/{LOT}/codes", token,
                    headers={"Accept": "text/csv"})
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="codes-{GTIN}-{LOT}.csv"'


@pytest.fixture
def lab_token(app, db, token, make_account):
    from trace import agencies
    lab, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                 keys_dir=app.config["KEYS_DIR"])
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    email = make_account("agency", "lims@lab.example.cn", org=str(lab.id))
    return lab, accounts.new_token(db, email, name="LIMS")[1]


def test_a_lab_system_posts_a_report_with_its_pdf(client, db, lab_token):
    import base64
    from test_inspections_store import PDF, pearl_report
    lab, lims = lab_token
    body = {"report": pearl_report(lab), "pdf_base64": base64.b64encode(PDF).decode()}
    made = call(client, "POST", "/inspections", lims, json=body)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["report_no"] == "ZJPQ-2026-0815"
    page = client.get(f"/01/{GTIN}/10/{LOT}", headers={"Accept": "application/json"})
    assert page.get_json()["inspections"][0]["signature_ok"]


@pytest.mark.parametrize("who, change, status, error", [
    ("supplier", {}, 403, "Forbidden"),                       # a supplier never signs
    ("lab", {"agency_id": "99"}, 403, "Forbidden"),           # another agency's report
    ("lab", {"items": [{"name": "x", "result": 1, "verdict": "合格"}]}, 400, "InvalidInput"),
    ("lab", {"pdf_base64": "not base64!"}, 400, "InvalidInput"),
    ("lab", {"pdf_base64": "R0lGODlh"}, 400, "InvalidInput"),  # a GIF, not a PDF
    ("lab", {"kid": "ABC"}, 400, "InvalidInput"),
])
def test_bad_report_posts_store_nothing(client, db, token, lab_token, who, change, status,
                                        error):
    from test_inspections_store import pearl_report
    lab, lims = lab_token
    record = pearl_report(lab, pdf_sha256="")
    if "agency_id" in change:
        record["agency"]["id"] = change["agency_id"]
    if "items" in change:
        record["items"] = change["items"]
    body = {"report": record, **{k: v for k, v in change.items() if k in ("pdf_base64", "kid")}}
    if "pdf_base64" in change:
        record["pdf_sha256"] = "0" * 64
    response = call(client, "POST", "/inspections", token if who == "supplier" else lims,
                    json=body)
    assert (response.status_code, response.get_json()["error"]) == (status, error)
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_a_report_with_several_problems_gets_each_in_details(client, db, lab_token):
    from test_inspections_store import pearl_report
    lab, lims = lab_token
    record = pearl_report(lab, pdf_sha256="", issued_on="2026-02-30", conclusion="")
    response = call(client, "POST", "/inspections", lims, json={"report": record})
    answer = response.get_json()
    assert (response.status_code, answer["error"]) == (400, "InvalidInput")
    assert [(d["loc"], d["msg_zh"]) for d in answer["details"]] == [
        (["issued_on"], "签发日期：2026-02-30 不是有效日期（YYYY-MM-DD）"),
        (["conclusion"], "检验结论：不能为空")]
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_a_lab_cannot_post_for_a_batch_it_was_not_commissioned_for(client, db, lab_token):
    from test_inspections_store import pearl_report
    lab, lims = lab_token
    db.execute("DELETE FROM commissions")
    response = call(client, "POST", "/inspections", lims,
                    json={"report": pearl_report(lab, pdf_sha256="")})
    assert response.status_code == 403 and "commissioned" in response.get_json()["message"]
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_a_lab_posts_only_what_it_knows_and_the_platform_completes_it(client, db, lab_token):
    import base64
    from test_inspections_store import PDF
    lab, lims = lab_token
    bare = {"report_no": "LIMS-1", "type": "委托检验", "batch": {"gtin": GTIN, "lot": LOT},
            "issued_on": "2026-11-20", "conclusion": "所检项目合格",
            "items": [{"name": "铅", "result": "<0.01", "unit": "mg/kg", "verdict": "合格"}]}
    made = call(client, "POST", "/inspections", lims,
                json={"report": bare, "pdf_base64": base64.b64encode(PDF).decode()})
    assert made.status_code == 201, made.get_json()
    served = client.get(f"/01/{GTIN}/10/{LOT}",
                        headers={"Accept": "application/json"}).get_json()["inspections"][0]
    assert served["signature_ok"] and served["report"]["agency"]["cma"] == lab.cma_no


def test_a_lab_system_corrects_with_a_reason_then_withdraws_by_number(client, db, lab_token):
    import base64
    from test_inspections_store import PDF, pearl_report
    lab, lims = lab_token
    first = {"report": pearl_report(lab), "pdf_base64": base64.b64encode(PDF).decode()}
    assert call(client, "POST", "/inspections", lims, json=first).status_code == 201
    fixed = pearl_report(lab)["items"]
    fixed[1] = dict(fixed[1], result="B")
    correction = {k: v for k, v in pearl_report(lab, version="2", supersedes="1",
                                                reason="光泽等级录入有误", items=fixed).items()
                  if k not in ("v", "agency", "pdf_sha256")}
    made = call(client, "POST", "/inspections", lims, json={"report": correction})
    assert made.status_code == 201, made.get_json()
    for refused, words in (({}, "reason, as text"), ({"reason": 123}, "reason, as text"),
                           ({"reason": "r", "items": []}, "not items"),
                           ({"reason": "r", "report_no": ""}, "report's number")):
        answer = call(client, "POST", "/inspections", lims, json={"report": {
            "report_no": "ZJPQ-2026-0815", "status": "withdrawn", **refused}})
        assert answer.status_code == 400 and words in answer.get_json()["message"], refused
    withdrawn = call(client, "POST", "/inspections", lims, json={"report": {
        "report_no": "zjpq-2026-0815", "status": "Withdrawn", "reason": "样品并非取自本批次"}})
    assert withdrawn.status_code == 201 and withdrawn.get_json()["version"] == "3"
    assert withdrawn.get_json()["withdrawn"] and not made.get_json()["withdrawn"]
    again = call(client, "POST", "/inspections", lims, json={"report": {
        "report_no": "ZJPQ-2026-0815", "status": "withdrawn", "reason": "再撤一次"}})
    assert again.status_code == 409 and "withdrawn already" in again.get_json()["message"]
    served = client.get(f"/01/{GTIN}/10/{LOT}",
                        headers={"Accept": "application/json"}).get_json()["inspections"]
    assert [(s["report"]["version"], s["current"], s["report"].get("reason")) for s in served] \
        == [("3", True, "样品并非取自本批次"), ("2", False, "光泽等级录入有误"), ("1", False, None)]
    assert served[1]["report"]["pdf_sha256"] == served[2]["report"]["pdf_sha256"]  # kept
    assert served[0]["report"]["status"] == "withdrawn" and served[0]["report"]["items"] == []
    assert [s["withdrawn"] for s in served] == [True, False, False]
    assert {row[0] for row in db.execute("SELECT uploaded_by FROM inspection_reports")} == \
        {"api:lims@lab.example.cn"}  # the lab knows which account sent each version


@pytest.mark.parametrize("field, value", [
    ("result", {"a": "b"}), ("name", ["铅"]), ("verdict", ["合格"]), ("limit", ["≤0.1"]),
    ("unit", {"a": "b"}), ("method", 5), ("issued_on", ["2026-11-20"]),
    ("supersedes", ["1"]), ("items", {"name": "铅"}), ("batch", "x"), ("conclusion", None),
])
def test_a_report_field_of_the_wrong_type_is_named_not_crashed(client, db, lab_token,
                                                               field, value):
    lab, lims = lab_token
    item = {"name": "铅", "result": "0.02", "unit": "mg/kg", "verdict": "合格"}
    bare = {"report_no": "LIMS-2", "type": "委托检验", "batch": {"gtin": GTIN, "lot": LOT},
            "issued_on": "2026-11-20", "conclusion": "所检项目合格", "items": [item]}
    if field in bare:
        bare[field] = value
    else:
        item[field] = value
    response = call(client, "POST", "/inspections", lims, json={"report": bare})
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] in ("InvalidInput", "InvalidRequest")
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


@pytest.mark.parametrize("path, body", [
    ("/products", b'{"gtin": "6901234567892", "name": "\\ud800"}'),
    ("/verify", b'{"url": "\\ud800"}'),
    ("/products", b"[" * 100_000),
    ("/products", b'{"gtin": "6901234567892", "name": "' + b"\\ud800" * 3 + b'x"}'),
])
def test_bodies_json_cannot_carry_are_refused_not_crashed(client, token, path, body):
    """A lone surrogate (valid JSON escapes, not text) and nesting deep enough to
    exhaust the parser: a 4xx in the one error format, never a 500."""
    response = call(client, "POST", path, token, data=body,
                    headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "InvalidRequest"


def test_an_unknown_host_on_the_api_answers_json(client, token):
    response = call(client, "GET", "/batches", token, headers={"Host": "evil.example"})
    assert response.status_code == 400 and response.get_json()["error"] == "UnknownHost"


def test_a_key_that_will_not_open_is_the_operators_not_the_erps(app, client, token, caplog):
    """The ERP hears that nothing was done and whom to tell, never the server's
    key path; the log names the path for the operator."""
    for pem in Path(app.config["KEYS_DIR"]).glob("*.pem"):
        pem.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    response = call(client, "POST", f"/batches/{GTIN}/{LOT}/issue", token, json={"count": 1})
    body = response.get_json()
    assert response.status_code == 409 and body["error"] == "KeyProblem"
    assert "nothing was done" in body["message"] and "运营方" in body["message_zh"]
    assert app.config["KEYS_DIR"] not in response.get_data(as_text=True)
    assert app.config["KEYS_DIR"] in caplog.text


@pytest.mark.parametrize("body", [{"count": True}, {"count": "5"}, {"count": 5.0},
                                  {"count": 2, "with_pin": "yes"}, {"count": 2, "over_plan": 1}])
def test_issuing_takes_numbers_and_booleans_as_json_types_only(client, db, token, body):
    """Codes cannot be taken back: a count of true or "5" is refused, not guessed."""
    response = call(client, "POST", f"/batches/{GTIN}/{LOT}/issue", token, json=body)
    assert response.status_code == 422 and response.get_json()["error"] == "InvalidRequest"
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_a_request_over_the_limit_is_told_in_api_words(app, client, token):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 2**20
    response = call(client, "POST", "/inspections", token,
                    data=b'{"pdf_base64": "' + b"A" * (3 * 2**20) + b'"}',
                    headers={"Content-Type": "application/json"})
    body = response.get_json()
    assert response.status_code == 413 and body["error"] == "RequestEntityTooLarge"
    assert "at most 2 MB in all" in body["message"] and "go back" not in body["message"]


def test_a_supplier_asking_for_a_batch_not_registered_is_not_warned_of_fakes(client, token):
    """"请谨防假冒" is for buyers; a supplier's own typo hears what is missing."""
    for path in (f"/batches/{GTIN}/NOPE", "/batches/06901234567892/X"):
        body = call(client, "GET", path, token).get_json()
        assert body["error"] == "NotFound" and "谨防假冒" not in body["message_zh"], body
    made = call(client, "POST", "/batches", token, json={"gtin": "06901234567892", "lot": "X"})
    assert made.status_code == 404 and "请先登记商品" in made.get_json()["message_zh"]


def test_a_retry_with_the_same_idempotency_key_gets_the_first_issuance(client, db, token):
    """An ERP that timed out and sends again must not double the batch's codes."""
    path = f"/batches/{GTIN}/{LOT}/issue"
    key = {"Idempotency-Key": "erp-order-4711.1"}
    first = call(client, "POST", path, token, json={"count": 7}, headers=dict(key))
    again = call(client, "POST", path, token, json={"count": 7}, headers=dict(key))
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 7
    other = call(client, "POST", path, token, json={"count": 7},
                 headers={"Idempotency-Key": "erp-order-4712"})
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 14
    # Where each run's codes are in the list, to fetch just them (an integrator read
    # the last page and hoped no other issue ran meanwhile).
    assert (first.get_json()["first_seq"], first.get_json()["last_seq"]) == (1, 7)
    assert (other.get_json()["first_seq"], other.get_json()["last_seq"]) == (8, 14)
    listed = call(client, "GET", f"/batches/{GTIN}/{LOT}/codes?per_page=7&page=2",
                  token).get_json()["codes"]
    assert [code["seq"] for code in listed] == list(range(8, 15))
    batch = call(client, "GET", f"/batches/{GTIN}/{LOT}", token).get_json()
    assert batch["pin_codes"] == 0  # so a top-up sends with_pin false
    doc = client.get("/api/v1/openapi.json").get_json()
    issue = doc["paths"]["/api/v1/batches/{gtin}/{lot}/issue"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in issue["parameters"]]
    assert "Idempotent-Replayed" in issue["responses"]["201"]["headers"]


@pytest.mark.parametrize("body", [{"count": 8}, {"count": 7, "with_pin": True}])
def test_one_idempotency_key_for_a_different_top_up_is_refused(client, db, token, body):
    path = f"/batches/{GTIN}/{LOT}/issue"
    key = {"Idempotency-Key": "erp-order-4711"}
    assert call(client, "POST", path, token, json={"count": 7}, headers=dict(key)).status_code \
        == 201
    refused = call(client, "POST", path, token, json=body, headers=dict(key))
    assert refused.status_code == 409 and "Idempotency-Key" in refused.get_json()["message"]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 7


@pytest.mark.parametrize("key", ["", "has space", "x" * 101, "键"])
def test_an_idempotency_key_that_is_not_one_is_refused(client, db, token, key):
    response = call(client, "POST", f"/batches/{GTIN}/{LOT}/issue", token, json={"count": 1},
                    headers={"Idempotency-Key": key})
    assert response.status_code == 400 and response.get_json()["error"] == "InvalidInput"
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def _raw_post(base: str, path: str, token: str, length_header: tuple[str, str]):
    """A connection with a POST's headers sent, for a body sent by hand."""
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    connection.putrequest("POST", f"/api/v1{path}")
    for name, value in (("Content-Type", "application/json"), length_header,
                        ("Authorization", f"Bearer {token}")):
        connection.putheader(name, value)
    connection.endheaders()
    return connection


def _answer(connection) -> tuple[int, dict]:
    response = connection.getresponse()
    answer = (response.status, json.loads(response.read()))
    connection.close()
    return answer


def _chunked_post(base: str, path: str, token: str, body: bytes) -> tuple[int, dict]:
    """POST ``body`` with Transfer-Encoding: chunked (no Content-Length)."""
    connection = _raw_post(base, path, token, ("Transfer-Encoding", "chunked"))
    try:
        for start in range(0, len(body), 65536):
            part = body[start:start + 65536]
            connection.send(b"%x\r\n%s\r\n" % (len(part), part))
        connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused before the whole body was read: the answer is still there
    return _answer(connection)


def test_a_chunked_body_past_the_limit_is_refused_not_cut(app, db, token, live_server):
    """Without a Content-Length werkzeug stopped reading at the limit without a
    word, and a JSON body cut there could still parse and issue codes."""
    app.config["MAX_CONTENT_LENGTH"] = 2**20
    path = f"/batches/{GTIN}/{LOT}/issue"
    status, body = _chunked_post(live_server, path, token, b'{"count": 1}' + b" " * 2**21)
    assert status == 413 and body["error"] == "RequestEntityTooLarge"
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    status, body = _chunked_post(live_server, path, token, b'{"count": 1}')
    assert status == 201 and body["count"] == 1


@pytest.mark.parametrize("body, content_type, status, said", [
    (b"null", "application/json", 422, "does not match the API schema"),
    (b'{"count": ' + b"9" * 5000 + b"}", "application/json", 422, "not valid JSON"),
    # HTTP's own status for a body that is not JSON, as a trial's ERP expected
    (b'{"count": 1}', "text/plain", 415, "Content-Type: application/json"),
    (b"count=1", "application/x-www-form-urlencoded", 415, "Content-Type: application/json"),
])
def test_a_body_the_schema_cannot_take_is_named_for_what_it_is(
        client, token, body, content_type, status, said):
    response = call(client, "POST", f"/batches/{GTIN}/{LOT}/issue", token, data=body,
                    headers={"Content-Type": content_type})
    assert response.status_code == status and said in response.get_json()["message"]


def test_an_unknown_host_answers_json_to_whoever_asks_for_json(client, issued_urls):
    path = issued_urls[0][len("https://trace.example.cn"):]
    response = client.get(path, headers={"Host": "evil.example", "Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == "UnknownHost"


def test_a_name_given_twice_in_a_body_is_refused(client, db, token):
    response = call(client, "POST", f"/batches/{GTIN}/{LOT}/issue", token,
                    data=b'{"count": 1, "count": 50}',
                    headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "'count' more than once" in response.get_json()["message"]
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_a_body_shorter_than_its_length_is_a_bad_request_in_both_languages(
        app, token, live_server):
    """A client that stops sending mid-body: werkzeug's ClientDisconnected, answered
    as the BadRequest clients know, with Chinese words."""
    connection = _raw_post(live_server, f"/batches/{GTIN}/{LOT}/issue", token,
                           ("Content-Length", "500"))
    connection.send(b'{"count": 1}')
    connection.sock.shutdown(1)  # nothing more will come
    status, body = _answer(connection)
    assert status == 400 and body["error"] == "BadRequest"
    assert "请求不完整" in body["message_zh"]


def test_verify_carries_the_batch_reports_and_what_fails_as_the_page_does(
        app, client, db, token, issued_urls):
    """A genuine code of a batch its lab failed read as plain `genuine` through the
    API: the reports were dropped from the answer and nothing said 不合格."""
    from test_web_public import _stored_report
    _stored_report(app, db, items=[{"name": "联苯菊酯", "result": "5.8", "unit": "mg/kg",
                                    "limit": "≤5", "verdict": "不合格"}])
    client.get(issued_urls[0])  # one buyer's scan before
    answer = call(client, "POST", "/verify", token, json={"url": issued_urls[0]}).get_json()
    assert answer["verdict"] == "genuine" and answer["failed_tests"] == ["联苯菊酯"]
    assert answer["expired"] is False
    [shown] = answer["inspections"]
    assert shown["signature_ok"] and shown["report"]["report_no"] == "ZJPQ-2026-0815"
    assert answer["scans"]["count"] == 1 and answer["scans"]["first_at"]  # that scan's time
    page = client.get(issued_urls[0], headers={"Accept": "application/json"}).get_json()
    assert page["failed_tests"] == ["联苯菊酯"] and page["scans"]["first_at"]


def test_a_method_an_address_does_not_take_is_405_with_what_it_takes(client, token):
    response = call(client, "DELETE", "/verify", token)
    assert response.status_code == 405 and response.get_json()["error"] == "MethodNotAllowed"
    assert "POST" in response.headers["Allow"]
    assert response.get_json()["message"] == "This address does not take that method."
    page = client.put("/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_the_batch_pages_json_is_its_documented_record_or_404(client, db, issued_urls, token):
    """An integrator got three shapes from one address: a batch, a 404, and a code's
    verdict (200, invalid) for a batch address that did not parse."""
    from jsonschema import Draft202012Validator
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = {**doc["components"]["schemas"]["PublicBatch"],
              "$defs": doc["components"]["schemas"]}
    json_headers = {"Accept": "application/json"}
    record = client.get(f"/01/{GTIN}/10/ZJ-2611-A", headers=json_headers)
    assert record.status_code == 200
    Draft202012Validator(json.loads(json.dumps(schema).replace(
        "#/components/schemas/", "#/$defs/"))).validate(record.get_json())
    for path in (f"/01/{GTIN}/10/NOPE", "/01/09521234000014/10/ZJ-2611-A",
                 "/01/abc/10/ZJ-2611-A"):
        missing = client.get(path, headers=json_headers)
        assert missing.status_code == 404 and missing.get_json()["error"] == "NotFound", path
    page = client.get("/01/09521234000014/10/ZJ-2611-A")  # a buyer's browser: a page
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    posted = client.post(f"/01/{GTIN}/10/ZJ-2611-A", headers=json_headers)
    assert posted.status_code == 405 and "GET" in posted.headers["Allow"]
    call(client, "POST", "/batches", token, json={"gtin": GTIN, "lot": "WRONG-1"})
    call(client, "POST", f"/batches/{GTIN}/WRONG-1/cancel", token, json={"reason": "批次号录错"})
    cancelled = client.get(f"/01/{GTIN}/10/WRONG-1", headers=json_headers).get_json()
    assert cancelled["caution"] == "cancelled" and cancelled["cancelled"]["reason"] == "批次号录错"


def test_a_body_off_the_schema_is_told_field_by_field_in_chinese_too(client, token):
    """An integrator read 请求内容不符合接口规范，详见 details, and the details were English
    only, though the README promised msg_zh."""
    response = call(client, "POST", "/batches/09521234000013/ZJ-2611-A/issue", token,
                    json={"count": 0, "colour": "red"})
    answer = response.get_json()
    assert response.status_code == 422 and answer["error"] == "InvalidRequest"
    told = {tuple(d["loc"]): d["msg_zh"] for d in answer["details"]}
    assert told[("count",)] == "不能小于 1" and told[("colour",)] == "没有这个字段，请去掉"
    assert all(d["msg"] for d in answer["details"])  # English beside it
    dated = call(client, "POST", "/batches", token,
                 json={"gtin": GTIN, "lot": "NEW-1", "produced_on": "2026-13-01"}).get_json()
    assert dated["details"][0]["msg_zh"] == "不是有效日期，请写成 YYYY-MM-DD（如 2026-11-03）"
    assert dated["details"][0]["msg"] == "'2026-13-01' is not a date: write YYYY-MM-DD"
    action = call(client, "POST", f"/batches/{GTIN}/{LOT}/items/ABCD/status", token,
                  json={"action": "delete", "reason": "x"}).get_json()
    assert action["details"][0]["msg_zh"] == "只能是 'void' 或 'recall'"


def test_an_engineers_token_does_not_sign_a_report(client, db, lab_token):
    """Only a lab's authorised signatories release reports (ISO/IEC 17025 7.8.1)."""
    import base64
    from test_inspections_store import PDF, pearl_report
    lab, lims = lab_token
    db.execute("UPDATE users SET signs_reports = 0 WHERE email = 'lims@lab.example.cn'")
    body = {"report": pearl_report(lab), "pdf_base64": base64.b64encode(PDF).decode()}
    refused = call(client, "POST", "/inspections", lims, json=body)
    assert refused.status_code == 403 and "不是本机构的授权签字人" in refused.get_json()["message_zh"]
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_an_erp_downloads_its_labels_and_is_asked_before_printing_them_twice(
        app, client, db, token, issuer, tmp_path):
    """A trial's ERP contractor could list and issue codes through the API but had to
    open the workspace for every print run: labels were web-only."""
    import pypdfium2 as pdfium
    import zxingcpp
    from trace.issuing import export_rows
    issue_codes(db, issuer, GTIN, LOT, 5)
    stocks = call(client, "GET", "/label-stocks", token).get_json()["stocks"]
    sheet = next(s for s in stocks if s["name"] == "a4-3x8")
    assert (sheet["per_page"], sheet["roll"]) == (24, False)
    assert any(s["roll"] for s in stocks) and any(s["prints_pin"] for s in stocks)
    path = f"/batches/{GTIN}/{LOT}/labels"
    got = call(client, "GET", path, token, query_string={"stock": "a4-3x8", "first": 2,
                                                         "last": 4})
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert "labels-" in got.headers["Content-Disposition"]
    (tmp_path / "l.pdf").write_bytes(got.data)
    page = pdfium.PdfDocument(str(tmp_path / "l.pdf"))[0].render(scale=300 / 72).to_pil()
    urls = [row["url"] for row in export_rows(db, GTIN, LOT, "https://trace.example.cn")]
    read = [r.text for r in zxingcpp.read_barcodes(page.convert("L"),
                                                   formats=zxingcpp.BarcodeFormat.QRCode)]
    assert sorted(read) == sorted(urls[1:4])
    kept = db.execute("SELECT first, last, stock, format, actor FROM label_downloads").fetchall()
    assert kept == [(2, 4, "a4-3x8", "pdf", "api:erp@pearl.example.cn")]
    # The whole batch now holds labels printed before: asked first, with what is new.
    again = call(client, "GET", path, token, query_string={"stock": "a4-3x8"})
    said = again.get_json()
    assert again.status_code == 409 and said["details"][0]["loc"] == ["reprint"]
    assert "3 of labels 1-5 were downloaded before" in said["message"]
    assert "没下载过的是第 1, 5 个" in said["message_zh"]
    assert "北京时间 20" in said["message_zh"] and "+00:00" not in said["message_zh"]
    assert len(db.execute("SELECT * FROM label_downloads").fetchall()) == 1  # nothing kept
    assert call(client, "GET", path, token, query_string={
        "stock": "a4-3x8", "reprint": "true"}).status_code == 200
    roll = call(client, "GET", path, token, query_string={
        "stock": "thermal-50x30", "format": "tspl", "first": 1, "last": 1, "reprint": "true"})
    assert roll.status_code == 200 and roll.data.startswith(b"SIZE")
    for query, status, field in (
            ({"stock": "a4-3x8", "format": "zpl", "reprint": "true"}, 400, "format"),
            ({"stock": "nope"}, 404, "stock"), ({"stock": "a4-3x8", "last": 9}, 400, "last"),
            ({"stock": "a4-3x8", "first": 4, "last": 2}, 400, "first")):
        refused = call(client, "GET", path, token, query_string=query)
        assert refused.status_code == status, refused.get_json()
        if field:
            assert refused.get_json()["details"][0]["loc"] == [field]
        assert str(app.config["LABELS_DIR"]) not in refused.get_json()["message"]
    assert len(db.execute("SELECT * FROM label_downloads").fetchall()) == 3


def test_a_pin_batchs_labels_need_a_stock_that_prints_the_pins(app, client, db, token, issuer):
    """A trial's ERP asked for the docs' example stock on a PIN batch: 200, labels
    without their PINs, and the right stock then answered 'downloaded before'."""
    issue_codes(db, issuer, GTIN, LOT, 3, pin_secret=app.config["HASH_SECRET"])
    path = f"/batches/{GTIN}/{LOT}/labels"
    refused = call(client, "GET", path, token, query_string={"stock": "a4-3x8"})
    said = refused.get_json()
    assert refused.status_code == 400 and said["details"][0]["loc"] == ["stock"]
    assert "3 of these codes have scratch-off PINs" in said["message"]
    assert "thermal-50x30-pin" in said["message_zh"]
    assert not db.execute("SELECT count(*) FROM label_downloads").fetchone()[0]
    done = call(client, "GET", path, token, query_string={"stock": "thermal-50x30-pin"})
    assert done.status_code == 200 and done.mimetype == "application/pdf"
