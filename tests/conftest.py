"""Shared fixtures: a real app on a real SQLite file and key folder under tmp_path."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from trace import catalog, create_app
from trace.cli import cli
from trace.db import close_thread_connections, create_db, open_db
from trace.errors import NotFound
from trace.issuing import export_rows, issue_codes
from trace.keys import create_key, load_signer

BASE_URL = "https://trace.example.cn"
GTIN = "09521234000013"
LOT = "ZJ-2611-A"
CREDIT_CODE = "91330681MA2D7XKQ0T"


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

    def run(*args: str):
        return runner.invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app),
                             catch_exceptions=False)
    return run


@pytest.fixture
def issuer(app, db):
    create_key(db, app.config["KEYS_DIR"], role="issuer")
    return load_signer(db, app.config["KEYS_DIR"])


@pytest.fixture
def make_batch(db):
    """Factory: a supplier, product and open batch (created once per GTIN)."""
    def make(gtin: str = GTIN, lot: str = LOT, name: str = "诸暨淡水珍珠项链"):
        try:
            supplier = catalog.find_supplier(db, CREDIT_CODE)
        except NotFound:
            supplier = catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE)
        try:
            catalog.get_product(db, gtin)
        except NotFound:
            catalog.add_product(db, supplier, gtin, name, specification="珠径 8–9 mm",
                                origin="浙江省诸暨市", standard="GB/T 18781-2023")
        return catalog.new_batch(db, gtin, lot, produced_on="2026-11-10", quantity=100)
    return make


@pytest.fixture
def issued_urls(db, issuer, make_batch):
    """Five genuine code URLs of one batch."""
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 5)
    return [row["url"] for row in export_rows(db, GTIN, LOT, BASE_URL)]
