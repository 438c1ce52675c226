"""Static files under versioned names with long cache lifetimes, compression where
it pays, and the health check."""

from __future__ import annotations

import gzip
import re

import pytest


def test_pages_link_versioned_static_files_kept_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/trace\.css\?v=[0-9a-f]{10})"', page)
    assert css, "the stylesheet link has no version"
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=0000000000"])
def test_an_unversioned_or_stale_static_url_is_checked_again(client, query):
    response = client.get(f"/static/trace.css{query}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"


def test_a_changed_file_gets_a_new_version(app, tmp_path):
    from trace.web import assets
    (tmp_path / "a.css").write_text("a{}")
    first = assets.version_of(str(tmp_path), "a.css")
    (tmp_path / "a.css").write_text("a{color:red}")
    import os
    os.utime(tmp_path / "a.css", (1, 1))  # a new mtime, as an edit or a deploy gives
    assert assets.version_of(str(tmp_path), "a.css") not in (None, first)
    assert assets.version_of(str(tmp_path), "missing.css") is None


def test_pages_are_gzipped_for_browsers_that_ask(client, issued_urls):
    path = issued_urls[0][len("https://trace.example.cn"):]
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br;q=0.5"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) < len(plain.data) / 2
    assert "正品" in gzip.decompress(packed.data).decode()
    assert "Content-Encoding" not in plain.headers  # nothing for one that does not


def test_static_files_are_gzipped_too(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/trace\.css\?v=[0-9a-f]{10})"', page).group(1)
    packed = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert b"box-sizing" in gzip.decompress(packed.get_data())


def test_a_small_answer_is_not_compressed(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers


def test_the_health_check_answers_while_the_database_does(app, client, tmp_path):
    from trace import db as trace_db
    from trace.migrations import MIGRATIONS
    healthy = client.get("/healthz").get_json()
    assert healthy["ok"] and healthy["schema"] == MIGRATIONS[-1][0] and healthy["disk_free_mb"]
    connection = trace_db.connection(app.config["DATABASE"])
    connection.execute("PRAGMA query_only = 1")  # read-only: it answers, but cannot write
    read_only = client.get("/healthz")
    assert read_only.status_code == 503
    assert read_only.get_json() == {"ok": False, "problem": "the database is read-only"}
    assert client.get("/healthz").get_json()["ok"]  # asked again, on a connection reopened
    app.config["DATABASE"] = str(tmp_path / "gone" / "trace.db")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"ok": False, "problem": "the database cannot be opened"}


def test_the_health_check_says_whether_this_server_can_issue(app, client, issuer):
    """Reported, not required: a verify-only server holds no private keys."""
    from pathlib import Path
    assert client.get("/healthz").get_json()["can_issue"] is True
    for pem in Path(app.config["KEYS_DIR"]).glob("*.pem"):
        pem.unlink()
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["can_issue"] is False
