"""Concurrent scans through several gunicorn workers lose none (bounded: 2,000 requests)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import BASE_URL

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 2_000
CLIENTS = 16


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(app, issued_urls):
    port = free_port()
    env = {**os.environ, "TRACE_DATABASE": app.config["DATABASE"],
           "TRACE_KEYS_DIR": app.config["KEYS_DIR"], "TRACE_BASE_URL": BASE_URL,
           "TRACE_EXTRA_HOSTS": "127.0.0.1", "TRACE_SECRET_KEY": "load-test",
           "TRACE_HASH_SECRET": "load-test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "3", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "trace:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def test_thousands_of_concurrent_scans_of_one_item_are_all_counted(gunicorn, db, issued_urls):
    url = gunicorn + issued_urls[0][len(BASE_URL):]

    def scan(_n: int) -> int:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["scans"]["count"]

    with ThreadPoolExecutor(CLIENTS) as pool:
        counts = list(pool.map(scan, range(REQUESTS)))
    stored = db.execute("SELECT count(*) FROM scans").fetchone()[0]
    assert stored == REQUESTS
    assert max(counts) == REQUESTS  # the last answer counted every scan before it
    assert len(set(counts)) > REQUESTS // 2  # answers counted as they came, not in bulk
