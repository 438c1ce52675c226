"""Who may do what: every route of the app, for an anonymous visitor, an operator, the
supplier that owns the data, another supplier, a testing agency and a streamer,
through pages and the API.

The table below must name every route the app has, so a new route cannot land
without its access being decided here."""

from __future__ import annotations

import hashlib
import itertools

import pytest

from trace import accounts, agencies, catalog, jobs, keys, product_photos, rooms
from trace.gs1 import gtin_check_digit
from trace.inspections import commissions, drafts
from trace.issuing import export_rows, issue_codes
from trace.streamers import live, screens, selection
from trace.transparency import checkpoints

from conftest import CREDIT_CODE, GTIN, LOT, STAFF_PASSWORD, form_token
from test_reports import jpeg_with_gps

OTHER_CODE = "91330100MA27XL0Y34"
OTHER_GTIN = "06901234567892"
PRINCIPALS = ("anonymous", "admin", "owner", "other", "agency", "streamer")
NOT_YET = {"agency": "403", "streamer": "403"}  # suppliers' and operators' routes

# What each principal gets: "ok" (the route serves them), "login" (sent to sign in),
# "401", "403" or "404" (refused; another's data is never confirmed to exist).
PUBLIC = dict.fromkeys(PRINCIPALS, "ok")
OWNED = {"anonymous": "login", "admin": "403", "owner": "ok", "other": "404", **NOT_YET}
SUPPLIER_ONLY = {"anonymous": "login", "admin": "403", "owner": "ok", "other": "ok", **NOT_YET}
ADMIN_ONLY = {"anonymous": "login", "admin": "ok", "owner": "403", "other": "403", **NOT_YET}
AGENCY_ONLY = {"anonymous": "login", "admin": "403", "owner": "403", "other": "403",
               "agency": "ok", "streamer": "403"}
STREAMER_ONLY = {"anonymous": "login", "admin": "403", "owner": "403", "other": "403",
                 "agency": "403", "streamer": "ok"}
SIGNED_IN = {"anonymous": "login", "admin": "ok", "owner": "ok", "other": "ok",
             "agency": "ok", "streamer": "ok"}
API_OWNED = {"anonymous": "401", "admin": "403", "owner": "ok", "other": "404", **NOT_YET}
API_SUPPLIER = {"anonymous": "401", "admin": "403", "owner": "ok", "other": "ok", **NOT_YET}
API_ANY = {"anonymous": "401", "admin": "ok", "owner": "ok", "other": "ok", "agency": "ok",
           "streamer": "ok"}
BATCH = f"/supplier/batches/{GTIN}/{LOT}"
API_BATCH = f"/api/v1/batches/{GTIN}/{LOT}"

ROUTES = [  # (endpoint, method, path, form or JSON body, expectations)
    ("static", "GET", "/static/trace.css", None, PUBLIC),
    ("healthz", "GET", "/healthz", None, PUBLIC),
    ("public.home", "GET", "/", None, PUBLIC),
    ("public.verify_entered", "GET", "/verify?q=RZJ4-WDFF-XA07", None, PUBLIC),
    ("public.scan", "GET", "{item}", None, PUBLIC),
    ("public.scan", "POST", "{item}", {"pin": "123456"}, PUBLIC),
    ("public.report", "GET", "/report", None, PUBLIC),
    ("public.report", "POST", "/report", {"what_seen": ""}, PUBLIC),
    # A receipt link that is not one: not found, for everyone alike.
    ("public.report_receipt", "GET", "/report/1/0123456789abcdef01234567", None,
     dict.fromkeys(PRINCIPALS, "404")),
    ("public.trust_list", "GET", "/.well-known/trace-keys.json", None, PUBLIC),
    ("public.report_pdf", "GET", "/inspections/pdf/{pdf}", None, PUBLIC),
    # No signed report names that PDF: its page is not found, for everyone alike.
    ("public.report_download", "GET", "/inspections/{pdf}", None,
     dict.fromkeys(PRINCIPALS, "404")),
    ("public.product_photo", "GET", "/photos/{photo}/thumb.jpg", None, PUBLIC),
    ("auth.login", "GET", "/login", None, PUBLIC),
    ("auth.login", "POST", "/login", {"email": "x@y.cn", "password": "wrong one!"}, PUBLIC),
    ("auth.signup", "GET", "/signup", None, PUBLIC),
    ("auth.signup", "POST", "/signup", {"name": ""}, PUBLIC),
    ("auth.signup", "POST", "/signup?as=agency", {"name": ""}, PUBLIC),
    ("auth.account", "GET", "/account", None, SIGNED_IN),
    ("auth.logout", "POST", "/logout", {}, PUBLIC),
    ("auth.password", "GET", "/account/password", None, SIGNED_IN),
    ("auth.password", "POST", "/account/password", {"current": "x", "new": "y", "again": "y"},
     SIGNED_IN),
    ("auth.tokens", "GET", "/account/tokens", None, SIGNED_IN),
    ("auth.tokens", "POST", "/account/tokens", {"name": "ERP"}, SIGNED_IN),
    ("auth.revoke_token", "POST", "/account/tokens/{owner_token}/revoke", {},
     {"anonymous": "login", "admin": "404", "owner": "ok", "other": "404", "agency": "404",
      "streamer": "404"}),
    ("auth.colleagues_page", "GET", "/account/colleagues", None, SIGNED_IN),
    ("auth.colleagues_page", "POST", "/account/colleagues", {"email": "new@pearl.example.cn"},
     SIGNED_IN),
    # The victim is the owner's colleague: stopped, then let in again, by the owner only.
    ("auth.stop_colleague", "POST", "/account/colleagues/{victim}/stop", {},
     {**dict.fromkeys(PRINCIPALS, "404"), "anonymous": "login", "owner": "ok"}),
    ("auth.restart_colleague", "POST", "/account/colleagues/{victim}/restart", {},
     {**dict.fromkeys(PRINCIPALS, "404"), "anonymous": "login", "owner": "ok"}),
    # Signatories are a lab's: anyone else is refused; a lab never reaches a supplier's.
    ("auth.signatory", "POST", "/account/colleagues/{victim}/signatory", {"signs": "1"},
     {**dict.fromkeys(PRINCIPALS, "403"), "anonymous": "login", "agency": "404"}),
    ("auth.reset_colleague_password", "POST", "/account/colleagues/{victim}/reset-password",
     {}, {**dict.fromkeys(PRINCIPALS, "404"), "anonymous": "login", "owner": "ok"}),
    ("supplier.home", "GET", "/supplier/", None, SUPPLIER_ONLY),
    ("supplier.profile", "GET", "/supplier/profile", None, SUPPLIER_ONLY),
    ("supplier.profile", "POST", "/supplier/profile",
     {"phone": "0575 8712 3456", "address": "诸暨", "contact_name": "陈"}, SUPPLIER_ONLY),
    ("supplier.new_product", "GET", "/supplier/products/new", None, SUPPLIER_ONLY),
    ("supplier.new_product", "POST", "/supplier/products/new", {"gtin": GTIN, "name": "x"},
     SUPPLIER_ONLY),
    ("supplier.edit_product", "GET", f"/supplier/products/{GTIN}/edit", None, OWNED),
    ("supplier.edit_product", "POST", f"/supplier/products/{GTIN}/edit",
     {"name": "诸暨淡水珍珠项链"}, OWNED),
    ("supplier.delete_product", "POST", f"/supplier/products/{GTIN}/delete", {"confirm": ""},
     OWNED),
    ("supplier.new_batch", "GET", "/supplier/batches/new", None, SUPPLIER_ONLY),
    ("supplier.new_batch", "POST", "/supplier/batches/new",
     {"gtin": GTIN, "lot": "NEW-1", "produced_on": "2026-11-01"}, OWNED),
    ("supplier.batch", "GET", BATCH, None, OWNED),
    ("supplier.issue", "POST", BATCH + "/issue", {"count": "1"}, OWNED),
    ("supplier.job", "GET", "/supplier/jobs/{job}", None, OWNED),
    ("supplier.codes_csv", "GET", BATCH + "/codes.csv", None, OWNED),
    ("supplier.codes_xlsx", "GET", BATCH + "/codes.xlsx", None, OWNED),
    ("supplier.label_part", "GET", BATCH + "/labels/a4-3x8/1.pdf", None, OWNED),
    ("supplier.label_part", "GET", BATCH + "/labels/thermal-40x30/1.tspl", None, OWNED),
    ("supplier.label_range", "GET", BATCH + "/labels/thermal-40x30/range.zpl?first=1&last=2",
     None, OWNED),
    ("supplier.label_range", "GET", BATCH + "/labels/a4-3x8/range.pdf?first=1&last=2", None,
     OWNED),
    ("supplier.void_range", "POST", BATCH + "/items/void-range",
     {"first": "2", "last": "2", "reason": "重复发码", "confirm": "1"}, OWNED),
    ("supplier.item_status", "POST", BATCH + "/items",
     {"serial": "{serial}", "action": "void", "confirm": "1", "reason": "破损"}, OWNED),
    ("supplier.commission", "POST", BATCH + "/commission", {"agency": "{agency_id}"}, OWNED),
    ("supplier.withdraw_commission", "POST", BATCH + "/commissions/{commission}/withdraw", {},
     OWNED),
    ("supplier.edit_batch", "POST", BATCH + "/edit", {"produced_on": "2026-11-10"}, OWNED),
    ("supplier.cancel_batch", "POST", BATCH + "/cancel", {"reason": "录错"}, OWNED),
    ("supplier.batch_status", "POST", BATCH + "/status",
     {"action": "recall", "reason": "抽检"}, OWNED),
    ("admin.home", "GET", "/admin/", None, ADMIN_ONLY),
    ("agency.home", "GET", "/agency/", None, AGENCY_ONLY),
    ("streamer.home", "GET", "/streamer/", None, STREAMER_ONLY),
    ("streamer.news", "GET", "/streamer/news", None, STREAMER_ONLY),
    ("streamer.check", "GET", "/streamer/check?code=x", None, STREAMER_ONLY),
    ("streamer.record", "GET", "/streamer/records", None, STREAMER_ONLY),
    ("streamer.record", "POST", "/streamer/records", {"code": "x", "decision": "不选用"},
     STREAMER_ONLY),
    ("streamer.ledger_file", "GET", "/streamer/ledger.csv", None, STREAMER_ONLY),
    ("streamer.open_live", "POST", "/streamer/live", {"gtin": GTIN, "lot": LOT}, STREAMER_ONLY),
    ("streamer.put_on_air", "POST", "/streamer/screen", {"gtin": GTIN, "lot": LOT},
     STREAMER_ONLY),
    ("live.page", "GET", "/live/{live}", None, PUBLIC),
    ("public.keys_page", "GET", "/keys", None, PUBLIC),
    ("ledger.checkpoint", "GET", "/ledger/checkpoint", None, PUBLIC),
    ("ledger.checkpoint_list", "GET", "/ledger/checkpoints", None, PUBLIC),
    ("ledger.checkpoint_at", "GET", "/ledger/checkpoint/{checkpoint}", None, PUBLIC),
    ("ledger.consistency", "GET", "/ledger/consistency?from=1&to={checkpoint}", None, PUBLIC),
    ("ledger.entries", "GET", "/ledger/entries?start=0&end=3", None, PUBLIC),
    ("ledger.proof_page", "GET", f"/ledger/proof?gtin={GTIN}&lot={LOT}", None, PUBLIC),
    ("ledger.proof_bundle", "GET", f"/ledger/proof.json?gtin={GTIN}&lot={LOT}", None, PUBLIC),
    ("ledger.how_to_check", "GET", "/ledger/how-to-check", None, PUBLIC),
    ("public.for_inspectors", "GET", "/for-inspectors", None, PUBLIC),
    ("ledger.checker", "GET", "/ledger/check_proof.py", None, PUBLIC),
    ("ledger.index", "GET", "/ledger", None, PUBLIC),
    ("ledger.guide", "GET", "/ledger/guide.md", None, PUBLIC),
    ("live.state", "GET", "/live/{live}/state", None, PUBLIC),
    ("live.screen", "GET", "/live/screen/{screen}", None, PUBLIC),
    ("live.screen_state", "GET", "/live/screen/{screen}/state", None, PUBLIC),
    ("agency.new_report", "GET", "/agency/reports/new", None, AGENCY_ONLY),
    ("agency.new_report", "POST", "/agency/reports/new", {"batch": "1"}, AGENCY_ONLY),
    ("agency.from_sheet", "POST", "/agency/reports/from-sheet", {}, AGENCY_ONLY),
    # "ok" for the lab: a PDF it does not hold is said to be gone (400), not 403
    ("agency.held_pdf", "GET", "/agency/reports/held/" + "0" * 64 + ".pdf", None, AGENCY_ONLY),
    ("agency.draft_page", "GET", "/agency/reports/drafts/{draft}", None, AGENCY_ONLY),
    ("agency.edit_draft", "GET", "/agency/reports/drafts/{draft}/edit", None, AGENCY_ONLY),
    # "ok" for the lab: a return without its reason is refused (a flash), not 403
    ("agency.return_draft", "POST", "/agency/reports/drafts/{draft}/return", {}, AGENCY_ONLY),
    # "ok": another's draft is refused with a notice on the workspace, not a 403 page
    ("agency.withdraw_draft", "POST", "/agency/reports/drafts/{draft}/withdraw", {},
     AGENCY_ONLY),
    ("agency.profile", "GET", "/agency/profile", None, AGENCY_ONLY),
    ("agency.profile", "POST", "/agency/profile", {"scope": "茶叶"}, AGENCY_ONLY),
    # No report of that number: an agency passes the gate and is told so.
    ("agency.withdraw", "GET", "/agency/reports/withdraw?report_no=X-1", None,
     dict(AGENCY_ONLY, agency="404")),
    ("agency.withdraw", "POST", "/agency/reports/withdraw", {"report_no": "X-1", "reason": "r"},
     dict(AGENCY_ONLY, agency="404")),
    ("admin.approve", "POST", "/admin/suppliers/{other_id}/approve", {}, ADMIN_ONLY),
    ("admin.add_agency", "POST", "/admin/agencies", {"name": "x", "cma": "12"}, ADMIN_ONLY),
    ("admin.assign", "POST", "/admin/assign",
     {"gtin": GTIN, "lot": LOT, "agency": "{agency_id}"}, ADMIN_ONLY),
    ("admin.withdraw_assignment", "POST", "/admin/assignments/{assignment}/withdraw", {},
     ADMIN_ONLY),
    ("admin.reject", "POST", "/admin/suppliers/{other_id}/reject", {}, ADMIN_ONLY),
    ("admin.suspend", "POST", "/admin/suppliers/{owner_id}/suspend", {"reason": "x"}, ADMIN_ONLY),
    ("admin.reject_agency", "POST", "/admin/agencies/{agency_id}/reject", {}, ADMIN_ONLY),
    ("admin.approve_agency", "POST", "/admin/agencies/{agency_id}/approve", {}, ADMIN_ONLY),
    ("admin.disable", "POST", "/admin/users/{victim}/disable", {}, ADMIN_ONLY),
    ("admin.enable", "POST", "/admin/users/{victim}/enable", {}, ADMIN_ONLY),
    ("admin.reset_password", "POST", "/admin/users/{victim}/reset-password", {}, ADMIN_ONLY),
    ("admin.open_room", "POST", "/admin/rooms",
     {"name": "x", "platform": "douyin", "room_id": "9", "email": "r9@x.example.cn"}, ADMIN_ONLY),
    ("admin.add_account", "POST", "/admin/users", {"org": "admin:", "email": "o2@x.example.cn"},
     ADMIN_ONLY),
    ("admin.rotate", "POST", "/admin/keys/rotate", {"confirm": "1"}, ADMIN_ONLY),
    ("admin.start_audit", "POST", "/admin/ledger/audit", {}, ADMIN_ONLY),
    ("admin.audit_page", "GET", "/admin/ledger/audits/{audit}", None, ADMIN_ONLY),
    # No buyer has reported anything in this world: the operator is told there is no photo.
    ("admin.find", "GET", "/admin/find?q=RZJ4-WDFF-XA07", None, ADMIN_ONLY),
    ("admin.report_list", "GET", "/admin/reports?state=open&page=2", None, ADMIN_ONLY),
    ("admin.report_photo", "GET", "/admin/reports/1/photo", None, dict(ADMIN_ONLY, admin="404")),
    ("admin.report_handled", "POST", "/admin/reports/1/handled", {"note": "已回访"}, ADMIN_ONLY),
    ("admin.batch_status", "POST", f"/admin/batches/{GTIN}/{LOT}/status",
     {"reason": "x", "action": "unrecall", "confirm": "1"}, ADMIN_ONLY),  # changes nothing
    ("admin.item_status", "POST", f"/admin/batches/{GTIN}/{LOT}/items",
     {"serial": "RZJ4-WDFF-XA07", "reason": "x", "action": "void"}, ADMIN_ONLY),  # unticked
    ("admin.correct_outcome", "POST", "/admin/reports/1/outcome",
     {"outcome": "unfounded", "reason": "误选"}, ADMIN_ONLY),
    ("api.openapi", "GET", "/api/v1/openapi.json", None, PUBLIC),
    ("api.docs", "GET", "/api/v1/docs", None, PUBLIC),
    ("api.create_product", "POST", "/api/v1/products", {"gtin": "{fresh}", "name": "x"},
     API_SUPPLIER),
    ("api.create_batch", "POST", "/api/v1/batches", {"gtin": GTIN, "lot": "API-1"},
     API_OWNED),
    ("api.list_products", "GET", "/api/v1/products", None, API_SUPPLIER),
    ("api.change_product", "PATCH", f"/api/v1/products/{GTIN}", {"storage": "阴凉干燥处"},
     API_OWNED),
    ("api.list_batches", "GET", "/api/v1/batches", None, API_SUPPLIER),
    ("api.item_status", "POST", API_BATCH + "/items/{serial}/status",
     {"action": "void", "reason": "破损"}, API_OWNED),
    ("api.get_batch", "GET", API_BATCH, None, API_OWNED),
    ("api.issue", "POST", API_BATCH + "/issue", {"count": 1}, API_OWNED),
    ("api.cancel_batch", "POST", API_BATCH + "/cancel", {"reason": "录错"}, API_OWNED),
    ("api.codes", "GET", API_BATCH + "/codes", None, API_OWNED),
    ("api.labels", "GET", API_BATCH + "/labels?stock=a4-3x8&first=1&last=1", None, API_OWNED),
    ("api.label_stocks", "GET", "/api/v1/label-stocks", None, API_SUPPLIER),
    ("api.verify", "POST", "/api/v1/verify", {"url": "{item}"}, API_ANY),
    # Refused bodies (the report is empty) past the gate: only an agency gets that far.
    ("api.create_inspection", "POST", "/api/v1/inspections", {"report": {"agency": {"id": "1"}}},
     {"anonymous": "401", "admin": "403", "owner": "403", "other": "403", "agency": "ok",
      "streamer": "403"}),
]
# These end a session, disable an account, suspend a supplier or change the key set:
# each on its own.
SEPARATE = ("auth.logout", "admin.disable", "admin.reject", "admin.suspend", "admin.rotate")
FRESH = itertools.count(690123450000)


def fresh_gtin() -> str:
    """A GTIN no test has used yet (each create_product call needs its own)."""
    body = f"0{next(FRESH)}"
    return body + str(gtin_check_digit(body))


@pytest.fixture
def world(app, db, issuer, make_batch, make_account):
    """The owner's batch with codes and a job; another supplier (awaiting approval)
    with a batch of its own; an operator; an account to disable."""
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 3)
    other = catalog.add_supplier(db, "别家公司", OTHER_CODE, approved=False)
    catalog.add_product(db, other, OTHER_GTIN, "别家的茶叶")
    catalog.new_batch(db, OTHER_GTIN, "B-1")
    lab, _key = agencies.add_agency(db, "检测中心", "231012341234", keys_dir=app.config["KEYS_DIR"])
    room = rooms.add_room(db, "直播间", "douyin", "77")
    commissions.commission(db, GTIN, LOT, lab.id, actor="owner")
    commissions.commission(db, GTIN, LOT, lab.id, actor="ops", kind="assignment")
    commission, assignment = (row[0] for row in db.execute(
        "SELECT id FROM commissions ORDER BY id"))
    emails = {"admin": make_account("admin", "ops@trace.example.cn"),
              "owner": make_account("supplier", "owner@pearl.example.cn", org=CREDIT_CODE),
              "other": make_account("supplier", "other@tea.example.cn", org=OTHER_CODE),
              "agency": make_account("agency", "lab@lab.example.cn", org=str(lab.id)),
              "streamer": make_account("streamer", "live@room.example.cn", org=str(room.id))}
    victim = make_account("supplier", "victim@pearl.example.cn", org=CREDIT_CODE)
    owner_id = catalog.find_supplier(db, CREDIT_CODE).id
    item = db.execute("SELECT serial FROM items ORDER BY id DESC LIMIT 1").fetchone()[0]
    pdf = b"%PDF-1.4 a report"
    db.execute("INSERT INTO report_pdfs (sha256, size, data) VALUES (?, ?, ?)",
               [hashlib.sha256(pdf).hexdigest(), len(pdf), pdf])
    photo = product_photos.store_photo(db, jpeg_with_gps())
    item_url = next(r["url"] for r in export_rows(db, GTIN, LOT, app.config["BASE_URL"]))
    chosen = selection.check_sample(db, item_url, app.config["BASE_URL"])
    selection.record_selection(db, room, chosen, "选用", actor="live", override_reason="送检中")
    on_camera = live.open_live(db, room, GTIN, LOT, actor="live")
    ledger_key = keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    checkpoint = checkpoints.issue_if_due(db, keys.load_signer_by_kid(
        db, app.config["KEYS_DIR"], ledger_key.kid), "trace.example.cn/ledger")
    return {"emails": emails,
            "tokens": {who: accounts.new_token(db, email)[1] for who, email in emails.items()},
            "values": {"pdf": hashlib.sha256(pdf).hexdigest(), "photo": photo,
                       "owner_token": str(accounts.new_token(db, emails["owner"], "spare")[0]),
                       "item": item_url, "serial": item, "other_id": str(other.id),
                       "owner_id": str(owner_id),
                       "agency_id": str(lab.id), "live": on_camera.id,
                       "screen": screens.screen_of(db, room).id,
                       "draft": str(drafts.submit(db, lab.id, {"report_no": "R-1"},
                                                  prepared_by="eng@lab.example.cn")),
                       "commission": str(commission), "assignment": str(assignment),
                       "checkpoint": str(checkpoint.size),
                       "victim": str(accounts.find_user(db, victim).id),
                       "job": str(jobs.start(db, "issue", owner_id=owner_id,
                                             subject=f"{GTIN}/{LOT}", total=1).id),
                       "audit": str(jobs.start(db, "audit", owner_id=owner_id,
                                               subject="ledger", total=1).id)}}


def fill(text: str, values: dict) -> str:
    if "{fresh}" in text:
        return fresh_gtin()
    return text.format(**values) if "{" in text else text


def outcome(response) -> str:
    status = response.status_code
    if status == 302 and "/login" in response.headers.get("Location", ""):
        return "login"
    if status in (401, 403, 404):
        return str(status)
    assert status < 500, response.get_data(as_text=True)[:300]
    return "ok"


def request_as(client, who: str, route, world) -> str:
    _endpoint, method, path, body, _expected = route
    values = world["values"]
    path = fill(path, values)
    if path.startswith("/api/"):
        headers = {} if who == "anonymous" else {
            "Authorization": f"Bearer {world['tokens'][who]}"}
        body = {k: fill(v, values) if isinstance(v, str) else v for k, v in (body or {}).items()}
        return outcome(client.open(path, method=method, headers=headers,
                                   json=body if method in ("POST", "PATCH") else None))
    if method == "GET":
        return outcome(client.get(path))
    form = {k: fill(v, values) for k, v in (body or {}).items()}
    form["csrf_token"] = form_token(client, "/report")  # a form every visitor can open
    return outcome(client.post(path, data=form, headers={"Referer": client.base + "/report"}))


def signed_in_client(app, world, who: str):
    client = app.test_client()
    client.base = "https://trace.example.cn"
    if who != "anonymous":
        response = client.post("/login", data={
            "csrf_token": form_token(client, "/login"), "email": world["emails"][who],
            "password": STAFF_PASSWORD}, headers={"Referer": client.base + "/login"})
        assert response.status_code == 303
    return client


def test_every_route_is_in_the_table(app):
    served = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == {(endpoint, method) for endpoint, method, *_ in ROUTES}


def test_every_route_gives_each_principal_exactly_its_access(app, db, world):
    items_before = db.execute("SELECT count(*), group_concat(status) FROM items").fetchone()
    seen = {}
    # The owner goes last: what the others try must not have changed the owner's data.
    for who in ("anonymous", "admin", "other", "agency", "streamer", "owner"):
        if who == "owner":
            assert db.execute("SELECT count(*), group_concat(status) FROM items").fetchone() \
                == items_before
            assert catalog.get_batch(db, GTIN, LOT).status == "open"
        client = signed_in_client(app, world, who)
        for route in ROUTES:
            if route[0] in SEPARATE:
                continue  # these end or change the session or key set: checked below
            seen[(route[0], route[1], route[2], who)] = request_as(client, who, route, world)
    wrong = {key: got for key, got in seen.items()
             if got != next(r[4] for r in ROUTES if r[:3] == key[:3])[key[3]]}
    assert not wrong


@pytest.mark.parametrize("endpoint", SEPARATE)
@pytest.mark.parametrize("who", PRINCIPALS)
def test_the_routes_that_change_sessions_or_keys(app, db, world, endpoint, who):
    route = next(r for r in ROUTES if r[0] == endpoint)
    client = signed_in_client(app, world, who)
    keys_before = db.execute("SELECT count(*) FROM keys").fetchone()[0]
    assert request_as(client, who, route, world) == route[4][who]
    if endpoint == "admin.rotate":
        rotated = db.execute("SELECT count(*) FROM keys").fetchone()[0] > keys_before
        assert rotated == (who == "admin")
    if endpoint == "admin.disable" and who != "admin":
        assert accounts.find_user(db, "victim@pearl.example.cn").active
    if endpoint == "admin.suspend":  # the owner, approved
        assert catalog.find_supplier(db, CREDIT_CODE).suspended == (who == "admin")
    if endpoint == "admin.reject" and who != "admin":
        assert catalog.get_product(db, OTHER_GTIN) and accounts.find_user(
            db, "other@tea.example.cn").active
