"""Public pages: the scan landing (GS1 Digital Link path), batch page, key set.

``GET /01/{GTIN}/10/{LOT}/21/{SERIAL}?k=..&s=..`` renders the verdict page, or
the same object as ``verify --json`` when the client sends
``Accept: application/json``; ``GET /01/{GTIN}/10/{LOT}`` is the batch page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .. import keys, verification
from ..codes import BatchRef, parse_link
from ..errors import InvalidCode
from . import get_db, raw_request_target, wants_json

bp = Blueprint("public", __name__)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"  # a recall must show at once
    return response


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/verify")
def verify_pasted():
    """A pasted code URL (for scanners that only show the text)."""
    url = (request.args.get("url") or "").strip()
    verdict = verification.verify_url(get_db(), url, current_app.config["BASE_URL"])
    return _verdict_response(verdict)


@bp.get("/01/<path:_rest>")
def scan(_rest: str):
    base_url = current_app.config["BASE_URL"]
    url = base_url + raw_request_target()
    try:
        parsed = parse_link(url, base_url)
    except InvalidCode as error:
        return _verdict_response(verification.invalid_verdict(error))
    if isinstance(parsed, BatchRef):
        return batch_page(parsed)
    return _verdict_response(verification.verify_code(get_db(), parsed))


def _verdict_response(verdict: verification.Verdict):
    if wants_json():
        return _no_store(current_app.json.response(verdict.to_json()))
    return _no_store(current_app.make_response(render_template("verify.html", v=verdict)))


def batch_page(ref: BatchRef):
    view = verification.batch_view(get_db(), ref.gtin, ref.lot)
    if wants_json():
        return _no_store(current_app.json.response(verification.public_batch_json(view)))
    return _no_store(current_app.make_response(render_template("batch.html", **view)))


@bp.get("/.well-known/trace-keys.json")
def trust_list():
    response = current_app.json.response(keys.trust_list(get_db()))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # offline verifiers may fetch it
    return response
