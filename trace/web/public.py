"""Public pages: the scan landing (GS1 Digital Link path), typed codes, claims,
reports of fakes, the batch page and the key set.

``GET /01/{GTIN}/10/{LOT}/21/{SERIAL}?k=..&s=..`` renders the verdict page (or
its JSON for ``Accept: application/json``) and records the scan; ``GET
/01/{GTIN}/10/{LOT}`` is the batch page; ``GET /verify?q=`` takes a pasted URL
or a typed 追溯码; ``POST /claim`` and ``POST /report`` are the page's forms.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request
from werkzeug.exceptions import MethodNotAllowed

from .. import agencies, catalog, claims, keys, product_photos, reports, verification
from ..codes import BatchRef, ItemCode, parse_link
from ..errors import CutLink, InvalidCode, InvalidInput, NotFound, TraceError
from ..inspections import store as inspection_store
from ..streamers import selection
from ..scans import Observer, ScanPolicy
from . import (any_origin, attachment, each_told, get_db, in_reader_language, link, no_store,
               raw_request_target, same_origin_path, wants_json)
from .auth import staff_signed_in
from .cards import batch_cards, displayed
from .devices import (check_claim_token, claim_token, observer, opened_as_page,
                      set_device_cookie)

bp = Blueprint("public", __name__)


def policy() -> ScanPolicy:
    return ScanPolicy.from_config(current_app.config)


def counted_observer() -> Observer | None:
    """Who to count for this request: a page opened with GET (HEAD requests and
    images are not scans), and never a signed-in supplier, agency, streamer or
    operator checking a code."""
    if request.method != "GET" or not opened_as_page() or staff_signed_in():
        return None
    return observer()


def switched_language() -> bool:
    """Opened from this same page in the other language (the switch at its top): the
    buyer reading it again, not another look at the item to count."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.path != request.path:
        return False
    here = request.query_string.decode("latin-1")
    others = [sorted(part for part in query.split("&") if part and not part.startswith("lang="))
              for query in (referrer.query, here)]
    return others[0] == others[1] and referrer.query != here


bp.after_app_request(set_device_cookie)


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/verify")
def verify_entered():
    """What a buyer pasted (a code URL) or typed (the 追溯码 under the QR)."""
    text = request.args.get("q") or request.args.get("url") or ""
    if not text.strip():  # the form sent empty: back to it, not a verdict on nothing
        return redirect(link("public.home"), 303)
    batch = verification.batch_entered(text, current_app.config["BASE_URL"])
    if batch:  # the livestream's batch QR, pasted: its page
        return redirect(link("public.scan", _rest=f"{batch.gtin}/10/{batch.lot}"), 303)
    return _verdict_response(verification.verify_text(
        get_db(), text, current_app.config["BASE_URL"], counted_observer(), policy()))


@bp.route("/01/<path:_rest>", methods=["GET", "POST"])
def scan(_rest: str):
    """The scanned code's page; a POST to it is the page's claim form, so the
    address after a claim is still the item's own and can be reopened."""
    base_url = current_app.config["BASE_URL"]
    target = raw_request_target()
    path, mark, query = target.partition("?")
    if path.endswith("/") and request.method in ("GET", "HEAD"):  # a link copied with a
        return redirect(path.rstrip("/") + mark + query, 308)     # closing slash
    try:
        parsed = parse_link(base_url + target, base_url)
    except CutLink as cut:  # a forwarded link a chat cut short, tapped
        return _verdict_response(verification.cut_link_verdict(
            get_db(), cut, counted_observer(), policy(), opened=True))
    except InvalidCode as error:
        if wants_json() and _BATCH_SHAPED.fullmatch(path):  # as the API documents it
            _, _, gtin, _, lot = path.split("/")
            raise catalog.unregistered_batch(gtin[:20], lot[:40]) from None
        return _verdict_response(verification.invalid_verdict(error))
    if isinstance(parsed, BatchRef):
        if request.method == "POST":  # the claim form is an item's
            raise MethodNotAllowed(valid_methods=["GET", "HEAD"])
        return batch_page(parsed)
    if request.method == "POST":
        return claim(parsed)
    # The same reader in the other language is read its history as before, not
    # counted again (as nobody in particular, all looks read as other phones').
    verdict = verification.verify_code(get_db(), parsed, counted_observer(), policy(),
                                       record=not switched_language())
    return _verdict_response(verdict, code=parsed)


# A batch page's address (no /21/ serial): its JSON is a batch record or 404, never a
# code's verdict (openapi.json's PublicBatch).
_BATCH_SHAPED = re.compile(r"/01/[^/]+/10/[^/]+")


def _verdict_response(verdict: verification.Verdict, *, code: ItemCode | None = None,
                      status: int = 200, notice: tuple[str, str] | None = None):
    if wants_json():
        return no_store(current_app.json.response(verdict.to_json())), status
    code_path = code.url("") if code else (verdict.serial if verdict.typed else "")
    page = render_template("verify.html", v=verdict, code=code, code_path=code_path,
                           notice=notice, cards=batch_cards(verdict), claim_token=claim_token,
                           copied=verification.copied_goods(get_db(), verdict),
                           sent_here=_sent_here(verdict.serial))
    return no_store(current_app.make_response((page, status)))


def claim(code: ItemCode):
    """"这件是我买的": tie the item to this browser (with its PIN when it has one)."""
    check_claim_token()  # the form's own token (trace/web/devices.py), not Flask-WTF's
    db, seen = get_db(), observer()
    verdict = verification.verify_code(db, code, seen, policy(), record=False)
    status, notice = 200, ("claim.done", "")
    try:
        if verdict.verdict not in ("genuine", "suspicious") or verdict.item is None:
            raise InvalidInput("only a genuine item can be claimed",
                               message_zh="只有验证通过的商品才能认领")
        if request.form.get("confirm") == "1":  # the claimant, in another browser
            claims.confirm_claimant(db, verdict.item, seen, request.form.get("pin"),
                                    current_app.config["HASH_SECRET"])
            notice = ("claim.confirmed", "")
        elif not verdict.has_pin and request.form.get("received") != "1":
            raise InvalidInput("tick 'I have this item in my hands' first",
                               message_zh="请先勾选“这件商品已经在我手里”")
        else:
            claims.claim_item(db, verdict.item, seen, request.form.get("pin"),
                              current_app.config["HASH_SECRET"])
    except TraceError as error:
        message = in_reader_language(error)
        status, notice = error.status, ("claim.failed", message[:1].upper() + message[1:])
    verdict = verification.verify_code(db, code, seen, policy(), record=False)
    return _verdict_response(verdict, code=code, status=status, notice=notice)


@bp.route("/report", methods=["GET", "POST"])
def report():
    """Report a suspected fake: the form, and its submission."""
    code_path = request.args.get("code", "")
    verdict = _report_subject(code_path)
    if request.method == "GET":
        return no_store(current_app.make_response(
            render_template("report.html", v=verdict, code_path=code_path, form={},
                            max_photo_bytes=reports.MAX_PHOTO_BYTES,
                            longest_side=reports.MAX_PHOTO_SIDE)))
    form = reports.ReportForm(
        what_seen=request.form.get("what_seen", ""),
        where_bought=request.form.get("where_bought", ""),
        contact=request.form.get("contact"),
        gtin=verdict.gtin if verdict else None, lot=verdict.lot if verdict else None,
        serial=verdict.serial if verdict else None,
        verdict=verdict.verdict if verdict else None)
    upload = request.files.get("photo")
    photo = upload.read(reports.MAX_PHOTO_BYTES + 1) if upload and upload.filename else None
    try:
        saved = reports.submit_report(get_db(), form, network=observer().network, photo=photo)
    except TraceError as error:
        page = render_template("report.html", v=verdict, code_path=code_path,
                               form=request.form, errors=each_told(error),
                               max_photo_bytes=reports.MAX_PHOTO_BYTES, photo_chosen=bool(photo),
                               longest_side=reports.MAX_PHOTO_SIDE,
                               retry_minutes=-(-getattr(error, "retry_after", 0) // 60))
        return no_store(current_app.make_response((page, error.status)))
    # Sent: on to its receipt, so the address a buyer keeps (收藏, a screenshot of the
    # bar) is the one that later shows the result, and a reload sends nothing again.
    back = {"back": code_path} if code_path.startswith("/01/") else {}
    return _remember_sent(redirect(receipt_link(saved.id, sent=1, **back), 303), saved.id)


@bp.get("/report/<int:report_id>/<token>")
def report_receipt(report_id: int, token: str):
    """The buyer's own report, reopened from the link its confirmation gave: whether
    the platform has followed it up, and what it found. Just sent (``?sent=1``,
    until it is handled), it first says so, with the way ``back`` to the item."""
    db = get_db()
    sent = reports.for_buyer(db, report_id, token, current_app.config["HASH_SECRET"])
    try:  # a forged code may name a barcode nobody registered
        product = catalog.get_product(db, sent.gtin) if sent.gtin else None
    except NotFound:
        product = None
    corrections = reports.outcome_corrections(db, sent.id)
    just_sent = request.args.get("sent") == "1" and not sent.handled_at
    back = request.args.get("back", "")
    return no_store(current_app.make_response(render_template(
        "report_receipt.html", report=sent, product=product, just_sent=just_sent,
        left_contact=just_sent and reports.get_report(db, sent.id).contact is not None,
        code_path=same_origin_path(back) if just_sent and back.startswith("/01/") else "",
        outcome_before=corrections[-1].before if corrections else None)))


# The reports this browser sent, as "number-token" pieces joined by dots (a comma would
# need the cookie quoted): opened again, the item's page links each one's progress (a
# trial's buyer rescanned and read nothing of his).
SENT_COOKIE, SENT_KEPT = "trace_reports", 5


def _remember_sent(response, report_id: int):
    secret = current_app.config["HASH_SECRET"]
    kept = [piece for piece in request.cookies.get(SENT_COOKIE, "").split(".") if piece]
    kept = kept[-(SENT_KEPT - 1):] + [f"{report_id}-{reports.receipt_token(secret, report_id)}"]
    response.set_cookie(SENT_COOKIE, ".".join(kept), max_age=400 * 86400, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _sent_here(serial: str | None) -> list[tuple[int, str, str]]:
    """(number, sent at, receipt link) of this browser's own reports about ``serial``;
    a piece whose token is not the report's is passed over."""
    pieces = request.cookies.get(SENT_COOKIE)
    if not pieces or not serial:
        return []
    secret, numbers = current_app.config["HASH_SECRET"], []
    for piece in pieces.split(".")[:SENT_KEPT]:
        number, _, token = piece.partition("-")
        if number.isdigit() and len(number) <= 9 and hmac.compare_digest(
                token.encode(), reports.receipt_token(secret, int(number)).encode()):
            numbers.append(int(number))
    return [(number, at, receipt_link(number))
            for number, at in reports.sent_about(get_db(), numbers, serial)]


def receipt_link(report_id: int, **flags) -> str:
    return link("public.report_receipt", report_id=report_id,
                token=reports.receipt_token(current_app.config["HASH_SECRET"], report_id),
                **flags)


@dataclass(frozen=True)
class BatchSubject:
    """A report sent from a batch page (the livestream's QR leads there): its product
    and lot, as a verdict would give them, and no item."""
    product: catalog.Product
    gtin: str
    lot: str
    serial: None = None
    verdict: None = None


def _report_subject(code_path: str) -> verification.Verdict | BatchSubject | None:
    """The code or batch the report is about, looked at without counting a scan, as
    this buyer's phone read it (an item claimed on another phone read 可疑 there, and
    was stored as 正品)."""
    if not code_path:
        return None
    base_url = current_app.config["BASE_URL"]
    batch = verification.batch_entered(base_url + code_path, base_url) \
        if code_path.startswith("/01/") else None
    if batch:
        try:
            view = verification.batch_view(get_db(), batch.gtin, batch.lot)
        except NotFound:
            return None
        return BatchSubject(view["product"], view["batch"].gtin, view["batch"].lot)
    if "/" in code_path:
        return verification.verify_url(get_db(), base_url + code_path, base_url, observer(),
                                       policy(), record=False)
    return verification.verify_typed(get_db(), code_path)


def batch_page(ref: BatchRef):
    view = verification.batch_view(get_db(), ref.gtin, ref.lot)
    if wants_json():
        return no_store(current_app.json.response(verification.public_batch_json(view)))
    page = render_template("batch.html", **dict(
        view, inspections=displayed(view["inspections"]),
        selections=selection.public_selections(get_db(), view["batch"].id)))
    return no_store(current_app.make_response(page))


@bp.get("/inspections/pdf/<sha256>")
def report_pdf(sha256: str):
    """A stored report PDF, always as a download (never rendered in our origin),
    saved under its report's number where that is plain ASCII."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise NotFound("no such report PDF", message_zh="未找到该报告 PDF")
    db = get_db()
    pdf = inspection_store.load_pdf(db, sha256)
    row = db.execute("SELECT report_no FROM inspection_reports WHERE pdf_sha256 = ? "
                     "ORDER BY id DESC LIMIT 1", [sha256]).fetchone()
    name = row[0] if row and re.fullmatch(r"[A-Za-z0-9-]{1,60}", row[0]) else \
        f"report-{sha256[:12]}"
    return current_app.response_class(pdf, mimetype="application/pdf", headers=attachment(
        f"{name}.pdf", "public, max-age=31536000, immutable"))


@bp.get("/inspections/<sha256>")
def report_download(sha256: str):
    """The report PDF's own page: which report it is, and the download. The buyer's
    page links here, so "open in browser" (WeChat will not download) opens this page,
    not the item's: another browser on the item page would count as another phone."""
    found = inspection_store.report_of_pdf(get_db(), sha256) \
        if re.fullmatch(r"[0-9a-f]{64}", sha256) else None
    if found is None:
        raise NotFound("no such report PDF", message_zh="未找到该报告 PDF")
    record, standing = found
    return render_template("report_pdf.html", r=record, sha256=sha256, standing=standing)


@bp.get("/photos/<sha256>/<size>.jpg")
def product_photo(sha256: str, size: str):
    """A product's photo (``thumb`` for the page, ``large`` to look closer), named by
    its content, so any cache may keep it for good."""
    picture = (product_photos.picture(get_db(), sha256, size)
               if re.fullmatch(r"[0-9a-f]{64}", sha256) and size in product_photos.SIZES
               else None)
    if picture is None:
        raise NotFound("no such photo", message_zh="未找到这张照片")
    response = current_app.response_class(picture, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/for-inspectors")
def for_inspectors():
    """What a 市场监管 inspector can read here without counting as a buyer, and what
    to ask the operator for (a trial's inspector tripped 可疑 with her own look). A
    code's address pasted here opens its records, never its scan page."""
    typed = (request.args.get("code") or "").strip()
    if not typed:
        return render_template("inspectors.html", typed="")
    base_url = current_app.config["BASE_URL"]
    try:
        code = parse_link(typed, base_url)
    except TraceError as error:  # a cut or foreign address: said beside the box
        return render_template("inspectors.html", typed=typed,
                               error=in_reader_language(error)), error.status
    if isinstance(code, BatchRef):
        return redirect(link("public.scan", _rest=f"{code.gtin}/10/{code.lot}"), 303)
    return redirect(link("ledger.proof_page", gtin=code.gtin, lot=code.lot, serial=code.serial),
                    303)


@bp.get("/keys")
def keys_page():
    """The key set as a page: what each key signs and whether it still does, with
    the JSON for programs. The footer links here, not to the raw JSON."""
    db = get_db()
    labs = {lab.key_role: lab.name for lab in agencies.list_agencies(db)}
    return render_template("keys.html", records=keys.list_keys(db), labs=labs)


@bp.get("/.well-known/trace-keys.json")
def trust_list():
    """The key set as JSON, for offline verifiers (keys_page is the one people read)."""
    response = current_app.json.response(keys.trust_list(get_db()))
    response.headers["Cache-Control"] = "public, max-age=300"
    return any_origin(response)  # offline verifiers may fetch it
