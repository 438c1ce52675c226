"""Static files under versioned names, cached for a year; responses compressed
where it pays; ``/healthz`` for a load balancer::

    init_app(app)
    url_for("static", filename="trace.css")   # '/static/trace.css?v=3f2a9c1e0b'
    asset("trace.css")                        # the same, built once a version (templates)

The version is a hash of the file's bytes, so a changed file gets a new URL and
browsers and CDNs may keep every URL forever (``immutable``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from flask import Flask, current_app, request, url_for
from flask_compress import Compress

from .. import db, keys
from ..errors import DatabaseUnavailable

YEAR = 365 * 24 * 3600
_versions: dict[tuple[str, float], str] = {}


def version_of(folder: str, filename: str) -> str | None:
    path = Path(folder) / filename
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    key = (str(path), stamp)
    if key not in _versions:
        _versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return _versions[key]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = version_of(current_app.static_folder or "", values["filename"])
        if version:
            values["v"] = version


def asset(filename: str) -> str:
    """``url_for("static", filename=...)``, built once a process: every page links
    its stylesheet and icon. Static files change only with a deployment, which
    restarts the workers; in debug mode an edited file gets its new URL at once."""
    key = (request.script_root, filename,
           version_of(current_app.static_folder or "", filename) if current_app.debug else "")
    built = current_app.extensions.setdefault("trace.assets", {})
    if key not in built:
        built[key] = url_for("static", filename=filename)
    return built[key]


def _cache_versioned(response):
    if request.endpoint == "static" and response.status_code == 200:
        if request.args.get("v") == version_of(current_app.static_folder or "",
                                               request.view_args["filename"]):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:  # an old or missing version: serve it, but let it be checked again
            response.headers["Cache-Control"] = "no-cache"
    return response


MIN_FREE_BYTES = 64 * 1024 * 1024


def healthz():
    """200 while the database answers and can take writes (not read-only, space on
    its disk); 503 with what is wrong otherwise. For a monitor or a load balancer."""
    path = current_app.config["DATABASE"]
    try:
        connection = db.connection(path)
        version = db.schema_version(connection)
        db.check_writable(connection, path)
        free = shutil.disk_usage(Path(path).parent).free
    except Exception as error:  # any failure to read or write is "not healthy", never a 500
        problem = _problem(error)
        if problem in db.STORAGE_PROBLEMS:
            db.reopen_later()  # asked again, it looks afresh
        return {"ok": False, "problem": problem}, 503
    if failing := db.recent_storage_failure(path):  # the lock is free, but writes fail
        return {"ok": False, "problem": f"writes are failing: {failing}"}, 503
    healthy = free >= MIN_FREE_BYTES
    # can_issue is reported, not required: a verify-only server holds no keys.
    issuing = keys.can_issue(connection, current_app.config["KEYS_DIR"])
    low = {} if healthy else {"problem": f"under {MIN_FREE_BYTES // 2**20} MB free on the "
                                         "database's disk"}
    return {"ok": healthy, "schema": version, "disk_free_mb": free // 2**20,
            "can_issue": issuing, **low}, 200 if healthy else 503


def _problem(error: Exception) -> str:
    """What is wrong, not where: the answer is public, and a path says too much."""
    cause = error.__context__ if isinstance(error, DatabaseUnavailable) else error
    if isinstance(cause, BaseException) and db.storage_failure(cause):
        return str(db.storage_failure(cause))
    return "the database cannot be opened" if isinstance(error, DatabaseUnavailable) \
        else "the database does not answer"


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.add_template_global(asset)
    app.after_request(_cache_versioned)
    app.add_url_rule("/healthz", "healthz", healthz)
    # gzip (or brotli, when asked) for text over 500 bytes; images and PDFs are
    # compressed already.
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/csv", "application/javascript",
        "text/javascript", "application/json", "image/svg+xml"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip", "br"])
    # A verify page (9.7 KB) took 100 µs to gzip at the default level 6 and 58 µs at
    # level 3, for 155 bytes more (3,971 against 3,816): a page's time is the budget.
    app.config.setdefault("COMPRESS_LEVEL", 3)
    # Static files are streamed, and Flask-Compress has a list of its own for those.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["gzip", "br"])
    Compress(app)
