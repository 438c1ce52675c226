"""Trace: signed one-item-one-code (一物一码) traceability.

Run everything from the checkout (the standard library has a module ``trace``)::

    python -m trace init-db
    flask --app trace run
    gunicorn 'trace:create_app()'
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from . import db
from .transparency import audit as _audit  # noqa: F401  its upgrade step

ROOT = Path(__file__).resolve().parent.parent
# Whole-number settings, their defaults and least values (README: "Settings").
INT_SETTINGS = {
    "TRUSTED_PROXIES": (0, 0),          # proxies in front of us that set X-Forwarded-For
    "SUSPICIOUS_NETWORKS": (5, 2),      # distinct networks in the window: suspicious
    "SUSPICIOUS_DEVICES": (6, 2),       # distinct browsers in the window: suspicious
    "SUSPICIOUS_WINDOW_DAYS": (30, 1),
    "SCAN_RETENTION_DAYS": (400, 1),    # scan details older than this: counts only
    "REPORT_VALID_DAYS": (365, 1),      # a lab report older than this says so
    "SIGNUPS_PER_NETWORK": (5, 1),      # web sign-ups a day from one network
}
ENV_SETTINGS = ("DATABASE", "KEYS_DIR", "LABELS_DIR", "BASE_URL", "KEY_PASSPHRASE",
                "SECRET_KEY", "HASH_SECRET", "OPERATOR_NAME", "OPERATOR_NAME_EN",
                "OPERATOR_CONTACT", "EXTRA_HOSTS", "LABEL_FONT", *INT_SETTINGS)
LOOPBACK = ("127.0.0.1", "localhost")
# Every page's footer and every "call the platform" line: a demo's, until set.
DEMO_OPERATOR = {"OPERATOR_NAME": "Trace 一物一码溯源验真平台（演示）",
                 "OPERATOR_CONTACT": "400-000-0000"}


def create_app(test_config: dict | None = None, *, require_database: bool = True) -> Flask:
    """Build the app: defaults, then instance/config.py, TRACE_* variables, test config.

    A server refuses to start without a usable database (one log line, exit 1);
    the command line passes ``require_database=False`` because ``init-db`` is
    how a database comes to exist, and every other command checks for itself.
    """
    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.from_mapping(
        DATABASE=str(Path(app.instance_path) / "trace.db"),
        KEYS_DIR=str(ROOT / "keys"),
        LABELS_DIR=str(ROOT / "labels"),
        BASE_URL="http://127.0.0.1:5000",
        KEY_PASSPHRASE=None,
        OPERATOR_NAME=DEMO_OPERATOR["OPERATOR_NAME"],
        OPERATOR_NAME_EN="Trace one-item-one-code verification (demo)",
        OPERATOR_CONTACT=DEMO_OPERATOR["OPERATOR_CONTACT"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for name in ENV_SETTINGS:
            if os.environ.get(f"TRACE_{name}"):
                app.config[name] = os.environ[f"TRACE_{name}"]
    else:
        app.config.update(test_config)
    _whole_number_settings(app.config)
    app.config["BASE_URL"] = _base_url(app.config["BASE_URL"])
    app.config["OFFICIAL_DOMAIN"] = urlsplit(app.config["BASE_URL"]).netloc
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["BASE_URL"],
                                                app.config.get("EXTRA_HOSTS"))
    for name, filename in (("SECRET_KEY", "secret_key"), ("HASH_SECRET", "hash_secret")):
        if not app.config.get(name):
            app.config[name] = _instance_secret(Path(app.instance_path), filename)
    secure = app.config["BASE_URL"].startswith("https://")
    app.config.update(SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure,
                      REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented order
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app,  # type: ignore[method-assign]
                                x_for=app.config["TRUSTED_PROXIES"])

    if require_database:
        db.init_app(app)
        _require_openable_keys(app.config)
    from .web import register
    register(app)
    # Flask runs these last-registered first: the checkpoint is signed, then a
    # connection a write found read-only is closed, for the next request to reopen.
    app.teardown_appcontext(lambda _error: db.reopen_if_failed())
    app.teardown_appcontext(_checkpoint_after_writes)
    return app


def _require_openable_keys(config) -> None:
    """A server whose signing keys will not open refuses to start, as one without a
    usable database does, instead of failing each issuing and signing later."""
    from . import keys
    from .errors import KeyProblem

    for warning in demo_settings(config):
        logging.getLogger("trace").warning(warning)
    connection = db.open_db(config["DATABASE"])
    try:
        for warning in keys.at_start(connection, config["KEYS_DIR"], config["KEY_PASSPHRASE"]):
            logging.getLogger("trace").warning(warning)
    except KeyProblem as error:
        db.refuse_to_start(error.message)
    finally:
        connection.close()


def _checkpoint_after_writes(_error: BaseException | None) -> None:
    """A request or command that appended to the ledger ends with a signed
    checkpoint (a command waits out the second; a request never does)."""
    from flask import current_app, has_request_context

    from .checkpointing import sign_pending
    sign_pending(current_app.config, wait=not has_request_context())


def trusted_hosts(base_url: str, extra: str | list[str] | None) -> list[str]:
    """The Host headers we answer: the official one, plus any the operator adds
    (``TRACE_EXTRA_HOSTS``, comma-separated). Anything else gets 400, so no
    redirect or link is ever built from an attacker's Host header.

    >>> trusted_hosts("https://trace.example.cn", "www.trace.example.cn")
    ['trace.example.cn', 'www.trace.example.cn']
    >>> trusted_hosts("http://127.0.0.1:5000", None)
    ['127.0.0.1', 'localhost']
    """
    official = urlsplit(base_url).hostname or ""
    hosts = [official]
    if official in LOOPBACK:  # a first look on the developer's own machine
        hosts += [name for name in LOOPBACK if name != official]
    if isinstance(extra, str):
        extra = extra.split(",")
    hosts += [name.strip().lower() for name in extra or [] if name.strip()]
    return list(dict.fromkeys(hosts))


def demo_settings(config) -> list[str]:
    """A server for the public still showing the demo's operator name or hotline:
    buyers would read, and ring, 400-000-0000."""
    if urlsplit(config["BASE_URL"]).hostname in LOOPBACK:
        return []
    return [f"TRACE_{name} is not set: every page shows the demo's {value!r}; set it "
            "(docs/deploy.md)" for name, value in DEMO_OPERATOR.items()
            if config.get(name) == value]


def _whole_number_settings(config: dict) -> None:
    """Fill in and check the whole-number settings; a bad one stops with its name."""
    for name, (default, least) in INT_SETTINGS.items():
        value = config.get(name, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = least - 1
        if number < least:
            raise SystemExit(f"Error: TRACE_{name} must be a whole number of at least "
                             f"{least}, not {value!r}")
        config[name] = number


def _base_url(value: str) -> str:
    """The address printed in every QR code: a scheme and a host, nothing after them
    (a path would move every code). One without http(s):// was taken, and every code
    then read as another site's."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or \
            parts.query or parts.fragment:
        raise SystemExit(f"Error: TRACE_BASE_URL must be the site's address with http:// or "
                         f"https:// and no path, e.g. https://trace.example.cn, not {value!r}")
    return url


def _instance_secret(instance: Path, filename: str) -> str:
    """A per-installation secret kept in instance/ (never in git), made on first use."""
    path = instance / filename
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
