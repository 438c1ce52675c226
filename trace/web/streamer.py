"""The streamer's workspace, made for a phone: check a sample's code, record the
room's decision, and download the 选品审核台账::

    GET   /streamer/                        the room, a code box, recent records
    GET   /streamer/news                    {"fingerprint"}: whether the home page is stale
    GET   /streamer/check?code=URL          the checklist and the decision form
    POST  /streamer/records                 record 选用 / 不选用 / 待复检 (GET: the room's page)
    GET   /streamer/ledger.csv|.pdf         the 台账 (?from=&to=)
    POST  /streamer/live                    open the on-camera page of a selected batch
    POST  /streamer/screen                  put a batch on the room's one on-camera address
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata

from flask import (Blueprint, Response, current_app, flash, g, redirect, render_template,
                   request, url_for)

from .. import catalog, rooms
from ..clock import beijing_time
from ..codes import normalise_typed_serial
from ..db import utc_now
from ..errors import InvalidCode, TraceError
from ..streamers import ledger, live, screens, selection
from . import attachment, get_db, in_reader_language, link
from .auth import role_required, signed_in_user
from .i18n import t

bp = Blueprint("streamer", __name__, url_prefix="/streamer")


@bp.before_request
@role_required("streamer")
def _signed_in_streamer():
    g.room = rooms.get_room(get_db(), signed_in_user().org_id or 0)


@bp.get("/")
def home(status: int = 200, **problem):
    """The room's page; after a refused export period, with its error beside the
    period form and the dates still in it (``problem``: ``period_error``)."""
    db = get_db()
    rows = ledger.ledger_rows(db, g.room)
    selected = _selected(db)
    find = (request.args.get("find") or "").strip()[:100]
    found = _matching(selected, find) if find else []
    return render_template("streamer/home.html", records=list(reversed(rows))[:20],
                           total=len(rows), selected=selected, problem=problem,
                           listed=found or selected, found=len(found), find=find,
                           news=_news(selected), screen=screens.screen_of(db, g.room)), status


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).upper().replace(" ", "")


def _matching(selected: list[dict], find: str) -> list[dict]:
    """The room's batches whose product or lot holds ``find`` (龙井, 2611-b): thirty
    products into a show, the one on air had sunk to the bottom (a trial)."""
    wanted = _folded(find)
    return [row for row in selected
            if wanted in _folded(row["product"]) or wanted in _folded(row["lot"])]


@bp.get("/news")
def news():
    """What the home page's alerts stand on, as a fingerprint: static/workspace.js
    asks every 30 s and says 有新情况 when it changes (a recall, a buyer's report)."""
    return current_app.json.response({"fingerprint": _news(_selected(get_db()))})


def _selected(db) -> list[dict]:
    """The room's batches on sale or paused (live.selected_batches), each with what its
    on-camera page shows right now."""
    selected = live.selected_batches(db, g.room)
    for row in selected:
        batch = catalog.get_batch(db, row["gtin"], row["lot"])
        row["state"], row["report"], _failed = live.batch_state(
            db, g.room.id, batch, valid_days=current_app.config["REPORT_VALID_DAYS"])
        # What the host may say on air (口播要点): the record's facts, nothing more.
        row["facts"] = catalog.get_product(db, row["gtin"])
        row["maker"] = catalog.find_supplier(db, row["facts"].supplier_id).name
        row["expires_on"] = batch.expires_on
    return selected


def _news(selected: list[dict]) -> str:
    shown = [(row["gtin"], row["lot"], row["decision"], row["state"], row["told"].standing,
              row["told"].confirmed) for row in selected]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


def _names_a_batch(text: str) -> bool:
    """Whether the code box was given a product or lot to find in the room's list
    rather than a code: not an address, not a 追溯码 as printed, and either found among
    its batches or holding Chinese (a name: 龙井 read as a bad 追溯码 when not on sale)."""
    if "/" in text or len(text) > 100:
        return False
    try:
        normalise_typed_serial(text)
        return False
    except InvalidCode:
        return _CHINESE.search(text) is not None or \
            bool(_matching(live.selected_batches(get_db(), g.room), text))


_CHINESE = re.compile(r"[\u3400-\u9fff]")


def _checked(code: str) -> selection.SampleCheck:
    config = current_app.config
    return selection.check_sample(get_db(), code, config["BASE_URL"],
                                  valid_days=config["REPORT_VALID_DAYS"])


@bp.get("/check")
def check():
    code = (request.args.get("code") or "").strip()
    if not code:
        flash(t("streamer.empty_code"), "bad")
        return redirect(link("streamer.home"), 303)
    if _names_a_batch(code):  # a product or lot typed into the code box: found, not refused
        return redirect(link("streamer.home", find=code) + "#live", 303)
    # From the workspace's 暂停 link: the decision it came for, chosen already.
    asked = request.args.get("decision")
    return _check_page(code, _checked(code),
                       {"decision": asked} if asked in selection.DECISIONS else {})


def _check_page(code: str, result: selection.SampleCheck, form, error: str | None = None) -> str:
    """The checklist, headed by the sample's product so a streamer checking several
    samples knows which one this is."""
    db = get_db()
    product = catalog.get_product(db, result.batch.gtin) if result.batch else None
    earlier = selection.earlier_decisions(db, g.room, result.batch.id) if result.batch else []
    # A pause recorded on the batch on air changes the stream within seconds (a trial's
    # 待复检 on one sample turned the live screen amber): said before it is chosen.
    page = live.page_for(db, g.room.id, result.batch.id) if result.batch else None
    on_air = page is not None and not result.sample_only and \
        screens.screen_of(db, g.room).showing == page
    return render_template("streamer/check.html", code=code, result=result, form=form,
                           product=product, earlier=earlier, on_air=on_air,
                           decide_error=error,  # beside the decision
                           form_id=form.get("form_id") or selection.new_form_id())


@bp.route("/records", methods=["GET", "POST"])
def record():
    """Record a decision. Opened with GET (the language switch on a refused decision,
    a reload, a shared link) it is the workspace, not an error."""
    if request.method == "GET":
        return redirect(link("streamer.home"), 303)
    form = request.form
    code = (form.get("code") or "").strip()
    result = _checked(code)
    decision, actor = form.get("decision", ""), signed_in_user().email
    try:
        selection.record_selection(get_db(), g.room, result, decision, actor=actor,
                                   note=form.get("note"),
                                   override_reason=form.get("override_reason"),
                                   form_id=form.get("form_id"))
    except TraceError as error:  # switching language re-opens this sample's check
        g.page_path = url_for("streamer.check", code=code)
        return _check_page(code, result, form, in_reader_language(error)), error.status
    if decision == "选用" and result.batch:  # its OBS address ready on the workspace
        with contextlib.suppress(TraceError):  # if not, the workspace's button says why
            live.open_live(get_db(), g.room, result.batch.gtin, result.batch.lot, actor=actor)
    flash(_recorded(result, decision), "ok")
    return redirect(link("streamer.home"), 303)


DECISIONS_EN = {"选用": "Select", "不选用": "Do not select", "待复检": "Re-test first"}


def decision_name(decision: str) -> str:
    """A decision as the reader's language says it; the 台账 keeps the Chinese words."""
    return DECISIONS_EN.get(decision, decision) if g.get("lang") == "en" else decision


bp.add_app_template_filter(decision_name)


def _recorded(result: selection.SampleCheck, decision: str) -> str:
    """What was recorded, for which batch, and what its on-camera page shows now: a
    room checking several samples could not tell which batch a record paused."""
    db, batch = get_db(), result.batch
    assert batch is not None  # record_selection refused a code of no batch
    product = catalog.get_product(db, batch.gtin)
    said = t("streamer.recorded_batch").format(
        decision=decision_name(decision), product=product.name, lot=batch.lot)
    if result.sample_only:  # a note on a fake or cancelled label, not on the batch
        english = g.get("lang") == "en"
        return said.rstrip("。.") + (" " if english else "") + t("streamer.forged_sample") + (
            "." if english else "。")
    if decision != "选用" and live.page_for(db, g.room.id, batch.id):  # in the page's words
        state, _shown, _failed = live.batch_state(
            db, g.room.id, batch, valid_days=current_app.config["REPORT_VALID_DAYS"])
        return said + (" " if g.get("lang") == "en" else "") + t("streamer.live_paused").format(
            state=t(f"live.state.{state}"))
    return said


@bp.get("/ledger.<kind>")
def ledger_file(kind: str):
    try:
        first, last = ledger.period(request.args.get("from"), request.args.get("to"))
    except TraceError as error:  # beside the period form, the dates kept
        return home(error.status, period_error=in_reader_language(error))
    start = first.isoformat() if first else None
    # An open end is the day of the export (Beijing), so a filed copy names its period.
    end = last.isoformat() if last else beijing_time(utc_now(), "%Y-%m-%d") if start else None
    rows = ledger.ledger_rows(get_db(), g.room, start, end)
    span = f"-{start or 'start'}_{end}" if end else ""
    name = f"xuanpin-taizhang-room{g.room.id}{span}"
    if kind == "csv":
        return Response(ledger.ledger_csv(rows), mimetype="text/csv",
                        headers=attachment(f"{name}.csv"))
    if kind == "pdf":
        return Response(ledger.ledger_pdf(g.room, rows, start, end), mimetype="application/pdf",
                        headers=attachment(f"{name}.pdf"))
    return redirect(link("streamer.home"), 303)


@bp.post("/live")
def open_live():
    try:
        page = live.open_live(get_db(), g.room, request.form.get("gtin", ""),
                              request.form.get("lot", ""), actor=signed_in_user().email)
    except TraceError as error:
        flash(in_reader_language(error), "bad")
        return redirect(link("streamer.home"), 303)
    return redirect(link("live.page", live_id=page.id), 303)


def _warning_confirmed(gtin: str, lot: str) -> bool:
    """A batch whose page warns (检测不合格, 待复检) goes on air only once the room
    confirmed it: one tap put a failed batch's red page on a trial's stream."""
    if request.form.get("confirm") == "1":
        return True
    batch = catalog.get_batch(get_db(), gtin, lot)
    state, _report, _failed = live.batch_state(
        get_db(), g.room.id, batch, valid_days=current_app.config["REPORT_VALID_DAYS"])
    return state == "ok"


@bp.post("/screen")
def put_on_air():
    """The batch on the room's screen, from its next poll: OBS keeps one address."""
    gtin, lot = request.form.get("gtin", ""), request.form.get("lot", "")
    anchor = batch_anchor(gtin, lot)
    try:
        if not _warning_confirmed(gtin, lot):  # turned red since the page was drawn
            flash(t("streamer.screen_warn_first"), "screen-warn:" + anchor)
            return redirect(link("streamer.home") + "#" + anchor, 303)
        screens.put_on_air(get_db(), g.room, gtin, lot, actor=signed_in_user().email)
    except TraceError as error:  # said at the page's top, where it opens
        flash(in_reader_language(error), "bad")
        return redirect(link("streamer.home"), 303)
    # Back at the batch's own row, which says it: thirty products down, the list is
    # not scrolled again, and a phone never shows the page's top from there.
    flash(t("streamer.on_air").format(lot=lot), "screen:" + anchor)
    return redirect(link("streamer.home") + "#" + anchor, 303)


def batch_anchor(gtin: str, lot: str) -> str:
    """A batch's row on the room's page, as an id (nothing but letters, digits, '-')."""
    return "b-" + re.sub(r"[^0-9A-Za-z-]", "", f"{gtin}-{lot}")


bp.add_app_template_global(batch_anchor)
