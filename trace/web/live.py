"""The on-camera page a streamer shows live (and loads as an OBS browser source)::

    GET /live/<id>             the page: verdict, product, lab, a ticking clock, the batch QR
    GET /live/<id>?overlay=1   a transparent lower third for OBS
    GET /live/<id>/state       {"state", "fingerprint", "now"}: what static/live.js polls
    GET /live/screen/<id>      a room's one address: the page of the batch it put on air
    GET /live/screen/<id>/state   the same poll, which also changes when the batch does

Public: it shows only what the batch page shows. Viewers who scan its QR land on
the batch page, which never counts as an item scan.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, g, render_template, request, url_for

from .. import qr, rooms
from ..db import utc_now
from ..streamers import live, screens
from . import chosen_lang, get_db, no_store

bp = Blueprint("live", __name__, url_prefix="/live")


@bp.before_request
def _in_the_shows_language():
    """Chinese on air unless the screen's own address asks otherwise: a room's staff
    who read their workspace in English put English on camera from the same browser."""
    g.lang = chosen_lang() or "zh"


def _shown(live_id: str) -> live.OnCamera:
    config = current_app.config
    return live.on_camera(get_db(), live_id, config["BASE_URL"],
                          valid_days=config["REPORT_VALID_DAYS"])


@bp.get("/<live_id>")
def page(live_id: str):
    shown = _shown(live_id)
    return _rendered(shown, url_for("live.state", live_id=live_id), shown.fingerprint)


@bp.get("/<live_id>/state")
def state(live_id: str):
    shown = _shown(live_id)
    return _state(shown.state, shown.fingerprint)


@bp.get("/screen/<screen_id>")
def screen(screen_id: str):
    """What the room put on air, or, before its first, a page saying one will show."""
    on = screens.on_air(get_db(), screen_id)
    state_url = url_for("live.screen_state", screen_id=on.id)
    if on.showing is None:
        html = render_template("live_idle.html", room=rooms.get_room(get_db(), on.room_id),
                               state_url=state_url, fingerprint=_IDLE,
                               overlay=request.args.get("overlay") == "1", now=utc_now(),
                               now_ms=int(time.time() * 1000))
        return no_store(current_app.make_response(html))
    shown = _shown(on.showing)
    return _rendered(shown, state_url, f"{on.showing}:{shown.fingerprint}")


@bp.get("/screen/<screen_id>/state")
def screen_state(screen_id: str):
    on = screens.on_air(get_db(), screen_id)
    if on.showing is None:
        return _state("idle", _IDLE)
    shown = _shown(on.showing)
    return _state(shown.state, f"{on.showing}:{shown.fingerprint}")


_IDLE = "idle"  # a screen nothing was put on yet


def _rendered(shown: live.OnCamera, state_url: str, fingerprint: str):
    html = render_template("live.html", live=shown, overlay=request.args.get("overlay") == "1",
                           qr_svg=qr.svg_for(shown.batch_url), now=utc_now(),
                           now_ms=int(time.time() * 1000), state_url=state_url,
                           fingerprint=fingerprint)
    return no_store(current_app.make_response(html))


def _state(state: str, fingerprint: str):
    return no_store(current_app.json.response({
        "state": state, "fingerprint": fingerprint, "now": int(time.time() * 1000)}))
