"""Error pages: every failure answered in the reader's language, as JSON on the
machine addresses, inside the workspace it happened in, and never a traceback
(a full disk or a read-only database is a 503 saying nothing was saved)."""

from __future__ import annotations

import logging
import sqlite3
from urllib.parse import urlsplit

from flask import (Flask, Response, current_app, g, make_response, redirect, render_template,
                   request)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, MethodNotAllowed, SecurityError

from .. import db, images
from ..errors import StorageUnavailable, TraceError
from . import (WORKSPACES, as_told, note_retry_after, page_for_form, same_origin_path,
               wants_json)

log = logging.getLogger(__name__)


# Machine addresses: their errors are JSON whatever the Accept header says.
MACHINE_PATHS = ("/api/", "/ledger/consistency", "/ledger/proof.json", "/ledger/checkpoint",
                 "/ledger/entries")


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


def _retry_after(response):
    if response.status_code == 429 and g.get("retry_after"):
        response.headers.setdefault("Retry-After", str(g.retry_after))
    return response


def _handle_trace_error(error: TraceError):
    note_retry_after(error)
    told = as_told(error)
    return render_error(told, told.status, told.message, told.message_zh)


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


STORAGE_ZH = {"the database is read-only": "数据库为只读", "the disk is full": "存储空间已满",
              "the disk failed to read or write": "磁盘读写出错",
              "the database stayed locked by another writer": "数据库正忙"}


def _handle_storage(error: sqlite3.OperationalError):
    """A write the storage refused (disk full, read-only): a clear 503, not a 500."""
    problem = db.storage_failure(error)
    if problem is None:
        return _handle_unexpected(error)
    log.critical("a write failed on %s: %s", request.path, problem)
    if problem in db.STORAGE_PROBLEMS:
        db.note_storage_failure(current_app.config["DATABASE"], problem)
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


def install(app: Flask) -> None:
    """Every failure through these pages, and the wait a refusal names in its header."""
    app.register_error_handler(TraceError, _handle_trace_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(sqlite3.OperationalError, _handle_storage)
    app.register_error_handler(Exception, _handle_unexpected)
    app.after_request(_retry_after)
