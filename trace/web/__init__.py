"""The web layer: thin blueprints over the domain modules.

``register(app)`` wires blueprints, the one error handler, security headers and
the template helpers (language, Beijing time, serial grouping)::

    register(app)
"""

from __future__ import annotations

import logging
import re
import sqlite3
from functools import lru_cache
from urllib.parse import quote, urlsplit

from flask import (Flask, Response, current_app, g, make_response, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup, escape
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException, MethodNotAllowed, SecurityError
from werkzeug.routing import IntegerConverter, RequestRedirect

from .. import db, images
from ..bounded import BoundedCache
from ..clock import beijing_time
from ..catalog import looks_like_food, printed_gtin
from ..codes import group_serial
from ..inspections import glossary, store as inspection_store
from ..phones import numbers_in, tel_href
from ..errors import (InvalidInput, KeyProblem, StorageUnavailable, TooManyAttempts, TraceError,
                      each_problem)
from . import assets, i18n

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
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


def chosen_lang() -> str | None:
    """The language asked for in this request's query, if any."""
    if "lang=" not in request.environ.get("QUERY_STRING", ""):
        return None
    given = request.args.get("lang", "")[:5].lower()
    return given if given in ("en", "zh") else None


def _remember_lang(response):
    """A reader who chose English reads the next code they scan in English (it
    opened in Chinese again): the choice is kept in a cookie, and choosing Chinese
    forgets it. Pages that vary with it are no-store, so no cache mixes them."""
    chosen = chosen_lang()
    if chosen is None:
        return response
    if chosen == "en" and request.cookies.get(LANG_COOKIE) != "en":
        response.set_cookie(LANG_COOKIE, "en", max_age=400 * 86400, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    elif chosen == "zh" and LANG_COOKIE in request.cookies:
        response.delete_cookie(LANG_COOKIE, httponly=True, samesite="Lax",
                               secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


_NUMBER_HYPHEN = re.compile(r"(?<=[0-9A-Za-z])-(?=[0-9])")
_STANDARD_SPACE = re.compile(r"\b((?:GB|NY|SN|QB|FZ|GH|DB\d*)(?:/T)?)\s+(?=\d)")


def keep_codes(text: str | None) -> str:
    """Standard and lot numbers kept on one line ('GB/T 18781-2023', not 'GB/T
    18781-' and '2023'): their space and hyphens made non-breaking, for display."""
    if not text:
        return ""
    return _NUMBER_HYPHEN.sub("\u2011", _STANDARD_SPACE.sub("\\1\u00a0", text))


@lru_cache(maxsize=64)
def breaks_at_dots(text: str | None) -> Markup:
    """A domain that may wrap after its dots, not inside a label: '<wbr>' marks
    the places, and copying the domain copies no invisible character."""
    return Markup(".<wbr>").join(escape(part) for part in (text or "").split("."))


@lru_cache(maxsize=64)
def with_domain(sentence: str, domain: str) -> Markup:
    """An interface sentence naming the official domain, the domain able to wrap
    (every page's footer: made once per language and domain, not per page)."""
    return escape(sentence).format(domain=breaks_at_dots(domain))


# The words a lab prints, as an English reader gets them (one lookup, not a macro
# building its table on every call: a results table asks once per tested item).
LAB_WORDS = {"合格": "pass", "符合": "pass", "不合格": "fail", "不符合": "fail", "不判定": "none",
             "委托检验": "commissioned", "监督抽检": "supervision", "自检": "self",
             "神秘抽检": "mystery"}


def lab_word(word: str) -> str:
    key = LAB_WORDS.get(word)
    return i18n.t(f"lab.word_{key}") if key and g.get("lang") == "en" else word


def lab_result(shown: str) -> str:
    """A result as a page shows it (inspections.display.shown_result) in the reader's
    language: 未检出 is the one word of it that is not the lab's figure."""
    if g.get("lang") != "en" or not shown.startswith("未检出"):
        return shown
    rest = shown[3:].replace("（", " (").replace("）", ")")
    return i18n.t("lab.word_not_detected") + rest


def grouped_serial(serial: str | None) -> str:
    return group_serial(serial) if serial else "—"


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


def fill(text: str, **values) -> Markup:
    """A translated sentence with its values put in, escaped unless they are markup
    already (a ``nowrap`` time). Plain str.format on escaped parts: Markup.format's
    escaping formatter cost a buyer's page more than the rest of its scan card."""
    return Markup(str(escape(text)).format(**{name: escape(value)
                                              for name, value in values.items()}))


def nowrap(value) -> Markup:
    """Kept on one line: a time read 2026-11- and 26 12:39 on two at phone width."""
    return Markup(f'<span class="nowrap">{escape(value)}</span>')


@lru_cache(maxsize=256)  # a few verdict names in two languages
def headline(text: str, lang: str) -> Markup | str:
    """A Chinese verdict of two parts (检测不合格 · 码是真的) breaks between its
    parts, never leaving the dot at a line's end; English wraps as words do."""
    if lang == "en" or " · " not in text:
        return text
    first, rest = text.split(" · ", 1)
    return Markup(f'<span class="nowrap">{escape(first)}</span> '
                  f'<span class="nowrap">· {escape(rest)}</span>')


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


# Machine addresses: their errors are JSON whatever the Accept header says.
MACHINE_PATHS = ("/api/", "/ledger/consistency", "/ledger/proof.json", "/ledger/checkpoint",
                 "/ledger/entries")


WORKSPACES = ("supplier", "agency", "admin", "streamer")

# werkzeug's finer kinds of a bad request, named as the one clients know.
SAME_AS = {"ClientDisconnected": "BadRequest", "BadRequestKeyError": "BadRequest"}


def render_error(error: Exception, status: int, message: str, message_zh: str):
    if wants_json() or request.path.startswith(MACHINE_PATHS):
        # A stable name a client can test: the HTTP status's (werkzeug's subclasses
        # such as ClientDisconnected are a BadRequest), never the class of whatever
        # broke inside (UnicodeEncodeError, RecursionError...).
        name = "InternalServerError" if status == 500 else \
            SAME_AS.get(type(error).__name__, type(error).__name__)
        body = error.to_json() if isinstance(error, TraceError) else {
            "error": name, "message": message, "message_zh": message_zh}
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if request.path.startswith("/ledger/"):  # monitors' scripts read errors too
            headers["Access-Control-Allow-Origin"] = "*"
        return body, status, headers
    # A workspace's error stays in the workspace (the reader's own: a supplier who
    # opened a streamer's address goes back to theirs): the buyer's page would tell
    # a supplier to beware of fakes and check the address in WeChat.
    workspace = None
    if request.blueprint in WORKSPACES and current_user.is_authenticated:
        workspace = current_user.user.role if current_user.user.role in WORKSPACES else None
    return render_template("ws_error.html" if workspace else "error.html", status=status,
                           message=message, message_zh=message_zh, workspace=workspace,
                           back=_page_before()), status


def _page_before() -> str | None:
    """Where the reader came from on our own site (the form they sent, the item
    page whose claim failed), to go back to it; None from anywhere else."""
    sent = urlsplit(request.referrer or "")
    ours = urlsplit(request.host_url)
    if (sent.scheme, sent.netloc) != (ours.scheme, ours.netloc) or not sent.path:
        return None
    return same_origin_path(sent.path + (f"?{sent.query}" if sent.query else ""))


def note_retry_after(error: TraceError) -> None:
    """A throttled request's answer says when to try again (``_retry_after``)."""
    if isinstance(error, TooManyAttempts) and error.retry_after:
        g.retry_after = error.retry_after


def _retry_after(response):
    if response.status_code == 429 and g.get("retry_after"):
        response.headers.setdefault("Retry-After", str(g.retry_after))
    return response


def _handle_trace_error(error: TraceError):
    note_retry_after(error)
    told = as_told(error)
    return render_error(told, told.status, told.message, told.message_zh)


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


def _unknown_host_page() -> str:
    """A phone-sized page naming the official address, built from our settings
    alone (nothing of the request, no url_for: the Host is not ours)."""
    base = escape(current_app.config["BASE_URL"])
    domain = escape(current_app.config["OFFICIAL_DOMAIN"])
    return ('<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>请使用正式网址</title><h1>请使用正式网址</h1>"
            f"<p>这个网址不是本平台的正式地址。请打开 <a href=\"{base}\">{domain}</a> 查询，"
            "或重新扫描商品上的二维码。</p>"
            '<p lang="en">This is not our official address. Open '
            f'<a href="{base}">{domain}</a>, or scan the code on the item again.</p>\n')


def _handle_http_error(error: HTTPException):
    if isinstance(error, SecurityError):  # a Host we do not serve: build nothing from it
        if request.path.startswith(MACHINE_PATHS) or wants_json():
            return {"error": "UnknownHost", "message": "This server does not answer for "
                    "that Host: use the official address.", "message_zh": "请使用平台的正式地址访问。"}, 400
        return Response(_unknown_host_page(), 400, mimetype="text/html")
    if isinstance(error, CSRFError):
        return render_error(error, 400, "This form has expired or came from another site. "
                            "Go back, reload the page and send it again.",
                            "表单已过期或来自其他网站。请返回、刷新页面后重新提交。")
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20
    if error.code == 413 and request.path.startswith(MACHINE_PATHS):
        return render_error(error, 413, f"The request is too large: at most {limit} MB "
                            "in all. Nothing was saved.",
                            f"请求内容太大：总共最多 {limit} MB。这次提交没有保存。")
    if error.code == 413:
        photo = images.MAX_BYTES // 2**20
        return render_error(error, 413, f"The file is too large: at most {limit} MB in all "
                            f"(a photo at most {photo} MB). Nothing was saved; go back and "
                            "choose a smaller file.",
                            f"上传的文件太大：一次最多 {limit} MB（照片最多 {photo} MB）。这次提交没有保存，"
                            "请返回后换一个较小的文件。")
    if error.code == 405 and request.method in ("GET", "HEAD") and not wants_json() and \
            not request.path.startswith(MACHINE_PATHS):
        # A form's address reloaded, reopened, or gone back to after signing in
        # again: the page the form was on, not a dead end.
        page = page_for_form(request.path)
        if page is not None:
            query = request.query_string.decode("latin-1")  # ?lang=en stays
            return redirect(page + (f"?{query}" if query else ""), 303)
    zh = {400: "请求不完整或格式有误，请重新发送", 404: "页面不存在", 405: "不支持该请求方法",
          429: "操作太频繁，请稍后再试"}
    # werkzeug's own texts speak to developers ("If you entered the URL manually...").
    en = {400: "The request was incomplete or malformed; please send it again.",
          404: "There is no page at this address.",
          405: "This page does not take that kind of request.",
          429: "Too many attempts: please try again later."}
    if request.path.startswith(MACHINE_PATHS):  # a program asked: no "page" to speak of
        en[405] = "This address does not take that method."
    status = error.code or 500
    response = make_response(render_error(error, status,
                                          en.get(status, error.description or error.name),
                                          zh.get(status, error.name)))
    if isinstance(error, MethodNotAllowed) and error.valid_methods:  # what it does take
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


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


STORAGE_ZH = {"the database is read-only": "数据库为只读", "the disk is full": "存储空间已满",
              "the disk failed to read or write": "磁盘读写出错",
              "the database stayed locked by another writer": "数据库正忙"}


def _handle_storage(error: sqlite3.OperationalError):
    """A write the storage refused (disk full, read-only): a clear 503, not a 500."""
    problem = db.storage_failure(error)
    if problem is None:
        return _handle_unexpected(error)
    log.critical("a write failed on %s: %s", request.path, problem)
    unavailable = StorageUnavailable(
        f"We cannot save anything right now ({problem}). Nothing you sent was saved; "
        "please try again later.",
        message_zh=f"平台暂时无法保存数据（{STORAGE_ZH.get(problem, '存储故障')}），"
                   "您刚才的操作没有保存，请稍后再试。")
    return render_error(unavailable, 503, unavailable.message, unavailable.message_zh)


def _handle_unexpected(error: Exception):
    log.exception("unexpected error on %s", request.path)
    return render_error(error, 500, "Something went wrong on our side.",
                        "服务器出了点问题，请稍后再试。")


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


def dial_12315(text: str) -> Markup:
    """Our own sentence with the complaints hotline in it made tappable."""
    return escape(text).replace("12315", Markup('<a href="tel:12315">12315</a>'))


def dial_numbers(text: str) -> Markup:
    """Someone's free text (a buyer's contact: a WeChat id, a mobile) with each
    telephone number in it tappable, the rest escaped as written."""
    linked, at = Markup(""), 0
    for written, href in numbers_in(text):
        start = text.index(written, at)
        linked += escape(text[at:start]) + Markup('<a href="{}" class="phone nowrap">{}</a>'
                                                  ).format(href, written)
        at = start + len(written)
    return linked + escape(text[at:])


# Where our advice says "report it below", in each language: a link to the help card.
REPORT_BELOW = ("在下方举报", "report it below")


def advice_links(text: str) -> Markup:
    """Our own advice with the hotline tappable and "report it below" a link to the
    report button, several screens down at 200% zoom."""
    linked = dial_12315(text)
    for words in REPORT_BELOW:
        linked = linked.replace(words, Markup(f'<a href="#help">{words}</a>'))
    return linked


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
    app.register_error_handler(TraceError, _handle_trace_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(sqlite3.OperationalError, _handle_storage)
    app.register_error_handler(Exception, _handle_unexpected)
    app.after_request(_security_headers)
    app.after_request(_retry_after)
    app.after_request(_remember_lang)
    assets.init_app(app)
    app.jinja_env.filters["keep_codes"] = keep_codes
    app.jinja_env.filters["printed_gtin"] = printed_gtin
    app.jinja_env.filters["breaks_at_dots"] = breaks_at_dots
    app.jinja_env.filters["tel"] = tel_href
    app.jinja_env.filters["dial_12315"] = dial_12315
    app.jinja_env.filters["dial_numbers"] = dial_numbers
    app.jinja_env.filters["advice_links"] = advice_links
    from .cards import ledger_says  # cards renders with this package's helpers
    app.jinja_env.filters["ledger_says"] = ledger_says
    app.jinja_env.filters["lab_result"] = lab_result
    app.jinja_env.filters["who"] = i18n.who_did
    app.jinja_env.globals["with_domain"] = with_domain
    app.jinja_env.globals["looks_like_food"] = looks_like_food
    app.jinja_env.tests["nothing_but_withdrawals"] = inspection_store.nothing_but_withdrawals
    app.jinja_env.filters["explained_test"] = glossary.explained
    app.jinja_env.filters["fill"] = fill
    app.jinja_env.filters["headline"] = headline
    app.jinja_env.filters["english_test_name"] = glossary.english_name

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
                "beijing_time": beijing_time, "group_serial": grouped_serial, "nowrap": nowrap,
                "lang_switch_url": lang_switch_url, "link": link, "lab_word": lab_word,
                "official_domain": app.config["OFFICIAL_DOMAIN"],
                "operator_name": app.config["OPERATOR_NAME_EN" if english else "OPERATOR_NAME"],
                "operator_contact": app.config["OPERATOR_CONTACT"],
                # What suppliers and labs wrote, in Chinese whatever the page's language:
                # marked so an English screen reader switches voice for it.
                "as_written": Markup(' lang="zh-CN"') if english else ""}
