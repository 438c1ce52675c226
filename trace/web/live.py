"""The on-camera page a streamer shows live (and loads as an OBS browser source)::

    GET /live/<id>             the page: verdict, product, lab, a ticking clock, the batch QR
    GET /live/<id>?overlay=1   a transparent lower third for OBS
    GET /live/<id>/state       {"state", "fingerprint", "now"}: what static/live.js polls

Public: it shows only what the batch page shows. Viewers who scan its QR land on
the batch page, which never counts as an item scan.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, render_template, request

from .. import qr
from ..db import utc_now
from ..streamers import live
from . import get_db, no_store

bp = Blueprint("live", __name__, url_prefix="/live")


def _shown(live_id: str) -> live.OnCamera:
    config = current_app.config
    return live.on_camera(get_db(), live_id, config["BASE_URL"],
                          valid_days=config["REPORT_VALID_DAYS"])


@bp.get("/<live_id>")
def page(live_id: str):
    shown = _shown(live_id)
    html = render_template("live.html", live=shown, overlay=request.args.get("overlay") == "1",
                           qr_svg=qr.svg_for(shown.batch_url), now=utc_now(),
                           now_ms=int(time.time() * 1000))
    return no_store(current_app.make_response(html))


@bp.get("/<live_id>/state")
def state(live_id: str):
    shown = _shown(live_id)
    return no_store(current_app.json.response({
        "state": shown.state, "fingerprint": shown.fingerprint,
        "now": int(time.time() * 1000)}))
