"""Shared fixtures: a real app on a real SQLite file and key folder under tmp_path."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from trace import agencies, catalog, create_app, keys, recalls
from trace.codes import parse_code
from trace.cli import cli
from trace.db import close_thread_connections, create_db, open_db
from trace.errors import Conflict, NotFound
from trace.inspections import commissions
from trace.issuing import export_rows, issue_codes
from trace.keys import create_key, load_signer
from trace.transparency import audit, checkpoints

BASE_URL = "https://trace.example.cn"
GTIN = "09521234000013"
LOT = "ZJ-2611-A"
CREDIT_CODE = "91330681MA2D7XKQ0T"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Under .ci/run a missing Chromium fails the browser tests, never skips them.
REQUIRED = bool(os.environ.get("TRACE_REQUIRE_BROWSER") or os.environ.get("CI"))


class OfficialHostClient(FlaskClient):
    """A test client that asks for the official host, as a scanned code does."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", BASE_URL)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path):
    create_db(tmp_path / "trace.db").close()  # what init-db does before anything else
    app = create_app({
        "TESTING": True,
        "DATABASE": str(tmp_path / "trace.db"),
        "KEYS_DIR": str(tmp_path / "keys"),
        "BASE_URL": BASE_URL,
        "SECRET_KEY": "test-secret",
        "KEY_PASSPHRASE": None,
    })
    app.test_client_class = OfficialHostClient
    yield app
    close_thread_connections()


@pytest.fixture
def live_server(app):
    """The app on a real werkzeug server on 127.0.0.1 (a free port)."""
    app.config["TRUSTED_HOSTS"].append("127.0.0.1")  # as an operator adds a host
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def db(app):
    database = open_db(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_cli(app):
    """Invoke ``python -m trace ...`` in-process against the test app."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app),
                             catch_exceptions=False, input=input)
    return run


@pytest.fixture
def issuer(app, db):
    create_key(db, app.config["KEYS_DIR"], role="issuer")
    return load_signer(db, app.config["KEYS_DIR"])


SUPPLIER_CONTACT = catalog.Contact("0575 8700 0000", "浙江省诸暨市山下湖镇", "陈经理")


@pytest.fixture
def make_batch(db):
    """Factory: a supplier, product and open batch (each created once)."""
    def make(gtin: str = GTIN, lot: str = LOT, name: str = "诸暨淡水珍珠项链"):
        try:
            supplier = catalog.find_supplier(db, CREDIT_CODE)
        except NotFound:
            supplier = catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE,
                                            contact=SUPPLIER_CONTACT)
        try:
            catalog.get_product(db, gtin)
        except NotFound:
            catalog.add_product(db, supplier, gtin, name, specification="珠径 8–9 mm",
                                origin="浙江省诸暨市", standard="GB/T 18781-2023")
        try:
            return catalog.new_batch(db, gtin, lot, produced_on="2026-11-10", quantity=100)
        except Conflict:  # two fixtures asked for the same batch
            return catalog.get_batch(db, gtin, lot)
    return make


@pytest.fixture
def issued_urls(db, issuer, make_batch):
    """Five genuine code URLs of one batch."""
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 5)
    return [row["url"] for row in export_rows(db, GTIN, LOT, BASE_URL)]


STAFF_PASSWORD = "correct horse 珍珠 battery"


LEDGER_ORIGIN = "trace.example.cn/ledger"


@pytest.fixture
def logged(app, db, issued_urls):
    """A batch with codes, a signed report, a recall, a void and two checkpoints: a
    ledger the audit passes (test_audit tampers with it)."""
    from test_web_public import _stored_report
    create_key(db, app.config["KEYS_DIR"], role="ledger")
    signer = keys.cached_signer(db, app.config["KEYS_DIR"], None, "ledger")
    checkpoints.issue_if_due(db, signer, LEDGER_ORIGIN)
    _stored_report(app, db)
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    recalls.void_item(db, parse_code(issued_urls[1], BASE_URL), "标签印错", actor="qc")
    checkpoints.issue_if_due(db, signer, LEDGER_ORIGIN, min_interval=0)
    assert audit.audit(db) == []
    return db


def run_at_once(work, times: int, timeout: float | None = None) -> None:
    """Run ``work`` in ``times`` threads at once (it waits on its own barrier or event
    to line them up) and wait for all of them."""
    threads = [threading.Thread(target=work) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)


def forged(url: str) -> str:
    """``url`` with its signature's first character changed: always another code.
    (Changing the last characters is not: they hold the top bits of Ed25519's S,
    nearly always zero, so '…AAA' was the same URL about once in a thousand.)"""
    at = url.index("s=") + 2
    return url[:at] + ("B" if url[at] == "A" else "A") + url[at + 1:]


def form_token(client, path: str) -> str:
    """The CSRF token of the form on ``path``, as a browser would have it."""
    import re
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no form on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict, *, page: str | None = None, **kwargs):
    """Submit a form on ``page`` (default: ``path``) to ``path`` with its CSRF token."""
    page = page or path.split("?")[0]
    data = {"csrf_token": form_token(client, page), **data}
    return client.post(path, data=data, headers={"Referer": BASE_URL + page}, **kwargs)


@pytest.fixture
def make_account(db):
    """Factory: an account of ``role`` (tied to ``org``), returned as its e-mail."""
    from trace import accounts

    def make(role: str, email: str, org: str | None = None) -> str:
        accounts.add_user(db, role, email, org=org, password=STAFF_PASSWORD)
        return email
    return make


@pytest.fixture
def sign_in():
    """Sign a test client in with e-mail and the staff password."""
    def go(client, email: str):
        response = post_form(client, "/login", {"email": email, "password": STAFF_PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client
    return go


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (driven by Playwright), one a test module."""
    if CHROMIUM is None:
        message = "Chromium is not installed (apt-get install -y chromium)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as driver:
        # A Chromium that cannot start raises here, and the test fails with its output.
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def lab(app, db, make_batch):
    """An approved testing agency with its server-held key, and the batch to test."""
    make_batch()
    agency, _key = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                       keys_dir=app.config["KEYS_DIR"])
    return agency


@pytest.fixture
def commissioned(db, lab):
    """The lab, commissioned by the batch's supplier."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc@pearl.example.cn")
    return lab
