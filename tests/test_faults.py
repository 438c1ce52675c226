"""Faults: a full disk or a read-only database gives a clear answer and loses no
verdict; a server killed with SIGKILL in the middle of a large issuance leaves the
top-up entirely there or entirely absent, and the next start serves normally."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from trace import accounts, db as trace_db, keys
from trace.transparency import audit

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT, STAFF_PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def thread_connection(app):
    """The connection the test client's requests use (one per thread)."""
    return trace_db.connection(app.config["DATABASE"])


@pytest.fixture
def supplier_token(app, db, make_batch):
    make_batch()
    accounts.add_user(db, "supplier", "api@pearl.example.cn", org=CREDIT_CODE,
                      password=STAFF_PASSWORD)
    return accounts.new_token(db, "api@pearl.example.cn")[1]


def issue(client, token: str, count: int):
    return client.post(f"/api/v1/batches/{GTIN}/{LOT}/issue",
                       json={"count": count, "over_plan": True},  # the batch is planned at 100
                       headers={"Authorization": f"Bearer {token}"})


def test_a_full_disk_is_a_clear_503_and_saves_nothing(
        app, client, db, issuer, supplier_token):
    connection = thread_connection(app)
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own full disk
    refused = issue(client, supplier_token, 2000)
    page = client.post("/report", data={}).status_code  # a form: CSRF answers first
    assert refused.status_code == 503 and "disk is full" in refused.get_json()["message"]
    assert refused.get_json()["error"] == "StorageUnavailable"
    assert "存储空间已满" in refused.get_json()["message_zh"]
    assert page == 400
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    # Space again (the refused write's connection was reopened, without the limit): it works.
    assert issue(client, supplier_token, 5).status_code == 201


def test_a_read_only_database_still_verifies_codes(app, client, db, issued_urls, caplog):
    connection = thread_connection(app)
    path = issued_urls[0][len(BASE_URL):]
    client.get(path)
    connection.execute("PRAGMA query_only = 1")  # writes refused as on a read-only file
    page = client.get(path)
    assert page.status_code == 200 and "正品" in page.get_data(as_text=True)
    assert "not recorded: the database is read-only" in caplog.text
    thread_connection(app).execute("PRAGMA query_only = 1")  # reopened since: refuse again
    claimed = client.post(path, data={"received": "1"})
    assert claimed.status_code in (400, 503)  # CSRF first; never a traceback
    assert "Traceback" not in claimed.get_data(as_text=True)


def scans_of_the_batch(db) -> int:
    return db.execute("SELECT count(*) FROM scans").fetchone()[0]


def test_a_worker_whose_connection_opened_read_only_recovers_by_itself(
        app, client, db, issued_urls, caplog):
    """SQLite opens a file it may not write read-only, without a word: a trial's
    worker went on refusing scans after the disk took writes again, and /healthz
    answered ok while every scan was lost. The connection is reopened after the
    request a write failed in, and /healthz says writes are failing until one lands."""
    import sqlite3
    import sqlite_utils
    path = issued_urls[0][len(BASE_URL):]
    database = app.config["DATABASE"]
    stuck = sqlite_utils.Database(sqlite3.connect(f"file:{database}?mode=ro", uri=True,
                                                  isolation_level=None))
    stuck.path = str(Path(database))
    trace_db._local.connections = {str(database): stuck}  # as a worker opened it
    before = scans_of_the_batch(db)
    assert client.get(path).status_code == 200
    assert "not recorded: the database is read-only" in caplog.text
    assert scans_of_the_batch(db) == before  # lost, and said
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["problem"] == "writes are failing: the database is read-only"
    assert client.get(path).status_code == 200  # on a connection opened afresh
    assert scans_of_the_batch(db) == before + 1
    assert client.get("/healthz").get_json()["ok"] is True


# --- SIGKILL in the middle of a large issuance -------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "trace", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    server.kill()
    raise AssertionError(server.stderr.read().decode() if server.stderr else "no start")


def _send(request: urllib.request.Request, timeout: float) -> None:
    try:
        urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as answered:  # refused at once: there is nothing to kill
        raise AssertionError(f"the issuance was refused ({answered.code}), so the kill "
                             "would test nothing") from None
    except (TimeoutError, urllib.error.URLError, ConnectionError, socket.timeout):
        pass  # still issuing when we stop waiting, or the server was killed


def kill_when_writing(server: subprocess.Popen, database: str, limit: float = 30) -> bool:
    """SIGKILL the server as soon as its write transaction is under way: the WAL file
    growing by a megabyte. True if it was caught writing."""
    wal = Path(f"{database}-wal")
    start, deadline = (wal.stat().st_size if wal.exists() else 0), time.monotonic() + limit
    while time.monotonic() < deadline and server.poll() is None:
        if wal.exists() and wal.stat().st_size > start + 1_000_000:
            os.kill(server.pid, signal.SIGKILL)
            return True
        time.sleep(0.002)
    return False


# Signing 100,000 codes takes seconds, then one short write transaction: kill while
# signing, and in the middle of the write itself.
@pytest.mark.parametrize("after", [0.6, 2.6, "writing"])
def test_sigkill_during_a_large_issuance_leaves_all_or_nothing(
        app, db, issuer, supplier_token, tmp_path, after):
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    port = free_port()
    env = dict(os.environ, TRACE_DATABASE=app.config["DATABASE"],
               TRACE_KEYS_DIR=app.config["KEYS_DIR"], TRACE_BASE_URL=f"http://127.0.0.1:{port}",
               PYTHONPATH=str(ROOT))
    server = start_server(env, port)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/batches/{GTIN}/{LOT}/issue", method="POST",
        data=json.dumps({"count": 100_000, "over_plan": True}).encode(),
        headers={"Authorization": f"Bearer {supplier_token}",
                 "Content-Type": "application/json"})
    try:
        if after == "writing":
            sender = threading.Thread(target=lambda: _send(request, 60), daemon=True)
            sender.start()
            assert kill_when_writing(server, app.config["DATABASE"]), "never saw the write"
        else:
            _send(request, after)
            os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    issued = db.execute("SELECT count(*) FROM items").fetchone()[0]
    topups = db.execute("SELECT coalesce(sum(count), 0) FROM issuances").fetchone()[0]
    assert issued in (0, 100_000) and issued == topups, (after, issued, topups)
    if after == "writing":  # killed inside the transaction: it rolled back whole
        assert issued == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [p for p in audit.audit(db)] == []
    again = start_server(env, port)  # the next start serves normally
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/01/{GTIN}/10/{LOT}") as page:
            assert page.status == 200
    finally:
        again.kill()
        again.wait(timeout=10)


def test_every_scan_answered_before_a_sigkill_is_kept(app, db, issuer, issued_urls):
    """The README's bound: a crash loses no scan that was answered (one commit each)."""
    port = free_port()
    env = dict(os.environ, TRACE_DATABASE=app.config["DATABASE"],
               TRACE_KEYS_DIR=app.config["KEYS_DIR"], TRACE_BASE_URL=BASE_URL,
               TRACE_EXTRA_HOSTS="127.0.0.1", PYTHONPATH=str(ROOT))
    server = start_server(env, port)
    answered = 0
    try:
        for url in issued_urls * 6:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{url[len(BASE_URL):]}") as page:
                answered += page.status == 200
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    assert answered == 30
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == answered
