"""The web layer: thin blueprints over the domain modules.

``register(app)`` wires blueprints, the error pages (``failures``), security
headers and the template helpers (language, Beijing time, links; the filters that
word what pages show are in ``wording``)::

    register(app)
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, urlsplit

from flask import Flask, current_app, g, request, url_for
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, RequestRedirect

from .. import db
from ..bounded import BoundedCache
from ..clock import beijing_time
from ..inspections import store as inspection_store
from ..errors import InvalidInput, KeyProblem, TooManyAttempts, TraceError, each_problem
from . import assets, i18n

# blob: images are the report form's own: a chosen photo, read to shrink it before upload.
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
log = logging.getLogger(__name__)


def get_db():
    """This worker's connection (one per thread, reused across requests)."""
    return db.connection(current_app.config["DATABASE"])


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (``Accept: application/json``).

    Media type parameters (``; charset=utf-8``) do not change the type, but
    werkzeug's matching would not see JSON through them: they are dropped first.
    """
    accept = MIMEAccept([(value.split(";", 1)[0].strip(), quality)
                         for value, quality in request.accept_mimetypes])
    return accept.best_match(["text/html", "application/json"]) == "application/json"


LANG_COOKIE = "lang"


def current_lang() -> str:
    """``?lang=`` if given (any case), else the reader's last choice, else Chinese.
    Forms carry lang in their action's query, so this holds for posts too, and an
    upload too large to read (413) is still answered in the reader's language."""
    chosen = chosen_lang()
    if chosen:
        return chosen
    # A buyer's phone sends no cookie: nothing to parse on the busiest page.
    if "HTTP_COOKIE" not in request.environ:
        return "zh"
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


def phone_prefers_english() -> bool:
    """A Chinese page read on a phone set to another language than Chinese, no language
    chosen yet: offered in English beside the page's own switch (a cousin abroad
    missed the small one, and a German tourist's phone, de-DE first, got nothing)."""
    # The first language the phone lists, read as text: parsing the header cost ~30 µs
    # on a ~2 ms page; phones list their languages in the order set.
    first = request.environ.get("HTTP_ACCEPT_LANGUAGE", "")[:2].lower()
    return first.isalpha() and first != "zh" and g.get("lang", "zh") == "zh" and \
        chosen_lang() is None and LANG_COOKIE not in request.cookies


def chosen_lang() -> str | None:
    """The language asked for in this request's query, if any."""
    if "lang=" not in request.environ.get("QUERY_STRING", ""):
        return None
    given = request.args.get("lang", "")[:5].lower()
    return given if given in ("en", "zh") else None


def _remember_lang(response):
    """A reader who chose a language reads the next code they scan in it (English
    opened in Chinese again, and an English phone that chose Chinese was offered
    English again): the choice is kept in a cookie. A phone that never chose sends
    none. Pages that vary with it are no-store, so no cache mixes them."""
    chosen = chosen_lang()
    if chosen is not None and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=400 * 86400, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def raw_request_target() -> str:
    """The path and query exactly as the client sent them (still %-encoded)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not raw:
        raw = quote(request.path)
        if request.query_string:
            raw += "?" + request.query_string.decode("latin-1")
    if not raw.startswith("/"):  # absolute-form request target
        parts = urlsplit(raw)
        raw = parts.path + (f"?{parts.query}" if parts.query else "")
    return raw


# What may stand raw in a link we render; everything else (spaces, tabs, backslashes,
# quotes, non-ASCII) is %-encoded, existing %-escapes are kept as they are.
_LINK_SAFE = "/%?&=:@!$'()*+,;-._~"


def same_origin_path(raw: str) -> str:
    r"""``raw`` as a path on our own origin: never ``//host`` or ``/\host``.

    >>> same_origin_path("//evil.example/phish?lang=en")
    '/evil.example/phish?lang=en'
    >>> same_origin_path("/\\evil.example/x")
    '/%5Cevil.example/x'
    """
    path = quote(raw, safe=_LINK_SAFE)
    return "/" + path.lstrip("/")


def require_recall_confirmed(lifting: bool) -> None:
    """A batch's recall, or its lifting, reads to buyers at once: ticked, or refused."""
    if request.form.get("confirm") != "1":
        raise InvalidInput(
            "tick the box to confirm the batch is safe to use again" if lifting else
            "tick the box to confirm: every code of the batch is recalled",
            message_zh="请勾选确认：本批次已查明可以放心使用" if lifting else
            "请勾选确认：整批的所有码都将被召回")


def lang_switch_url(lang: str) -> str:
    """The current URL in the other language, keeping the query (k and s) intact.

    After a form post the page to switch is the one the form belongs to
    (``g.page_path``), not the POST target.
    """
    path, _, query = (g.get("page_path") or raw_request_target()).partition("?")
    query = "&".join(p for p in query.split("&") if p and not p.startswith("lang="))
    if lang == "en" or g.get("lang") == "en":  # from English, Chinese said: it is remembered
        query = f"{query}&lang={lang}" if query else f"lang={lang}"
    return same_origin_path(path + (f"?{query}" if query else ""))


def in_reader_language(error: TraceError) -> str:
    """What went wrong, in the language the page is in."""
    note_retry_after(error)
    told = as_told(error)
    return told.message_zh if g.get("lang") == "zh" else told.message


def fields_at_fault(error: TraceError) -> set[str]:
    """The form fields a refusal is about (``items`` for ``items[2].verdict``), for
    the form to mark beside the list of problems at its top."""
    return {re.split(r"[.\[]", problem.field)[0] for problem in each_problem(error)
            if problem.field}


def each_told(error: TraceError) -> list[str]:
    """Each problem of a form refused for several at once (``Problems``), or the one,
    in the page's language."""
    return [in_reader_language(problem) for problem in each_problem(error)]


def as_told(error: TraceError) -> TraceError:
    """The error as a reader hears it. A server key that will not open is the
    operator's to fix: the reader hears that nothing was done and whom to tell, the
    log gets the key's path."""
    if type(error) is not KeyProblem:
        return error
    log.error("a signing key failed on %s: %s", request.path, error.message)
    return KeyProblem(
        "The platform's keys are not set up right, so nothing was done. Please try "
        "again later or tell the platform's operator.",
        message_zh="平台的密钥配置出了问题，这次操作没有完成。请稍后再试或联系平台运营方。")


WORKSPACES = ("supplier", "agency", "admin", "streamer")


def note_retry_after(error: TraceError) -> None:
    """A throttled request's answer says when to try again (``_retry_after``)."""
    if isinstance(error, TooManyAttempts) and error.retry_after:
        g.retry_after = error.retry_after


def attachment(filename: str, cache: str | None = None) -> dict:
    """Headers of a download: saved as ``filename``, never rendered in our origin;
    with ``cache``, its Cache-Control."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return headers | ({"Cache-Control": cache} if cache else {})


def no_store(response):
    """A page that must never be kept: a recall shows on the next request."""
    response.headers["Cache-Control"] = "no-store"
    return response


def any_origin(response):
    """An answer other sites' scripts may read (key sets, checkpoints, proofs)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def app_cache(name: str, size: int) -> BoundedCache:
    """This app's own BoundedCache ``name``: what it keeps follows the app's config."""
    found = current_app.extensions.get(name)
    if found is None:
        found = current_app.extensions.setdefault(name, BoundedCache(size))
    return found


def link(endpoint: str, **values) -> str:
    """``url_for`` that keeps an English reader in English.

    Relative links depend only on their arguments and the mount point, and a page
    builds several the same on every view (home, the key set, its batch): each is
    built once per process, not once per page."""
    if g.get("lang") == "en":
        values.setdefault("lang", "en")
    key = (request.script_root, endpoint, *sorted(values.items()))
    built = app_cache("trace.links", 4096)  # item pages' own links come and go
    url = built.get(key)
    if url is None:
        url = built.keep(key, url_for(endpoint, **values))
    return url


def page_for_form(path: str) -> str | None:
    """The page a form that posts to ``path`` sits on: ``path`` itself when it can be
    opened, else the nearest parent that can (``/supplier/batches/G/L/issue`` is on
    ``/supplier/batches/G/L``); None when none can."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    while True:
        try:
            adapter.match(path, method="GET")
            return path
        except RequestRedirect:
            return path  # a slash to add: the redirect takes it there
        except HTTPException:
            if path == "/":
                return None
            path = path.rstrip("/").rsplit("/", 1)[0] or "/"


def _room_for_an_oversized_pdf() -> None:
    """The lab's report form takes a body up to twice the PDF limit: a PDF over the
    limit is read and refused by the form, which keeps everything the lab typed (the
    413 page before it kept nothing)."""
    if request.endpoint == "agency.new_report" and request.method == "POST":
        request.max_content_length = 2 * inspection_store.MAX_PDF_BYTES


def _chunked_body_within_limit() -> None:
    """A body sent chunked (no Content-Length) is read whole here, and refused when
    it runs past MAX_CONTENT_LENGTH: werkzeug stops reading at the limit without a
    word, and a JSON body cut there may still parse (and issue codes)."""
    if request.content_length is not None or \
            request.headers.get("Transfer-Encoding", "").lower() != "chunked":
        return
    request.get_data()  # kept for the view: forms and JSON parse from it
    request.stream.read(1)  # past the limit: werkzeug's RequestEntityTooLarge


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.blueprint in (*WORKSPACES, "auth") and "Cache-Control" not in response.headers:
        # A workspace page holds another organisation's business: no shared or
        # back-button cache keeps it after sign-out.
        response.headers["Cache-Control"] = "no-store"
    return response


class RowNumber(IntegerConverter):
    """``<int:…>`` in our routes is a row id: one past SQLite's 64-bit range is no
    page (404), not an OverflowError when it is bound to a query (a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 63 - 1)
        super().__init__(url_map, *args, **kwargs)


def register(app: Flask) -> None:
    from . import failures, wording
    from .admin import bp as admin_bp
    from .agency import bp as agency_bp
    from .streamer import bp as streamer_bp
    from .api import register_api
    from .auth import bp as auth_bp
    from .auth import login_manager
    from .ledger import bp as ledger_bp
    from .live import bp as live_bp
    from .public import bp as public_bp
    from .sessions import CookieFirstSessions
    from .supplier import bp as supplier_bp

    app.url_map.converters["int"] = RowNumber  # before any route is added
    i18n.init_app(app)
    app.session_interface = CookieFirstSessions()
    login_manager.init_app(app, add_context_processor=False)  # auth has a cheaper one
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(supplier_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(agency_bp)
    app.register_blueprint(streamer_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(ledger_bp)
    failures.install(app)
    app.after_request(_security_headers)
    app.after_request(_remember_lang)
    assets.init_app(app)
    wording.install(app)
    from .cards import ledger_says  # cards renders with this package's helpers
    app.jinja_env.filters["ledger_says"] = ledger_says

    @app.before_request
    def _set_lang():
        g.lang = current_lang()

    app.before_request(_room_for_an_oversized_pdf)  # before anything reads the body
    app.before_request(_chunked_body_within_limit)

    # Flask-WTF: every POST needs the form's token. Registered after _set_lang, so
    # a refused form is answered in the language it was sent in.
    csrf = CSRFProtect(app)
    csrf.exempt("trace.web.public.scan")  # a claim checks its own token (web/devices.py)
    register_api(app, csrf)

    @app.context_processor
    def _helpers():
        lang = g.get("lang", "zh")
        english = lang == "en"
        return {"lang": lang, "T": i18n.strings(),
                "beijing_time": beijing_time, "group_serial": wording.grouped_serial,
                "nowrap": wording.nowrap,
                "lang_switch_url": lang_switch_url, "link": link, "lab_word": wording.lab_word,
                "offer_english": phone_prefers_english,
                "official_domain": app.config["OFFICIAL_DOMAIN"],
                "operator_name": app.config["OPERATOR_NAME_EN" if english else "OPERATOR_NAME"],
                "operator_contact": app.config["OPERATOR_CONTACT"],
                # What suppliers and labs wrote, in Chinese whatever the page's language:
                # marked so an English screen reader switches voice for it.
                "as_written": Markup(' lang="zh-CN"') if english else ""}
