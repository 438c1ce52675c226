"""The verify page's batch-level cards, rendered once and reused.

A popular batch's items are scanned thousands of times a minute, and every page
showed the same product, supplier, batch and lab cards: rendering them was the
biggest part of a page (DESIGN §12). They are rendered from the batch's facts
(trace/snapshots.py) and kept per process under the facts' stamp and the reader's
language, so they change exactly when the facts do::

    cards = batch_cards(verdict)    # {"product": Markup, "lab": Markup, ..., "caution": ""}
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app
from markupsafe import Markup

from .. import verification
from ..inspections import display as inspection_display
from ..streamers import selection
from ..transparency.findings import Problem
from . import app_cache, current_lang, get_db
from .i18n import t, word

PARTS = ("altered", "lab_warnings", "suspended", "expired", "product", "supplier", "batch",
         "lab", "rooms", "glance")


def batch_cards(verdict: verification.Verdict) -> dict[str, Markup]:
    """The rendered parts named in PARTS; none for a verdict without a batch."""
    if verdict.batch is None:
        return {}
    if verdict.facts_stamp is None:  # facts read outside the cache: render afresh
        return _render(verdict)
    kept = app_cache("trace.cards", 1024)  # stale stamps pile up: it starts afresh
    key = (verdict.facts_stamp, verdict.batch.id, current_lang())
    cards = kept.get(key)
    if cards is None:
        cards = kept.keep(key, _render(verdict))
    return cards


def displayed(served) -> list[dict]:
    """Served reports with what a page adds (failed items, age), as of today."""
    return inspection_display.for_display(list(served), current_app.config["REPORT_VALID_DAYS"])


def _render(verdict: verification.Verdict) -> dict[str, Markup]:
    assert verdict.batch is not None  # batch_cards renders none without one
    inspections = displayed(verdict.inspections)
    # The rooms' selections change the content version too: read once a version.
    context = {"v": verdict, "inspections": inspections,
               "selections": selection.public_selections(get_db(), verdict.batch.id)}
    current_app.update_template_context(context)
    module = current_app.jinja_env.get_template("_verify_batch.html").make_module(context)
    cards = {part: Markup(getattr(module, part)) for part in PARTS}
    # Every item of the batch shares these: not the caution an item's own status adds.
    cards["caution"] = Markup(replace(verdict, item_differences=()).caution)
    return cards


# What a buyer can compare of a changed record: dates, reasons, counts, decisions;
# not the digests and JSON a leaf also holds.
COMPARED_FIELDS = ("produced_on", "expires_on", "reason", "count", "report_no", "decision",
                   "phone", "address", "name", "credit_code",
                   "quantity_planned", "notes")


# How buyers reach a supplier: the page shows the ledger's value (snapshots), so it
# is the changed one a buyer must not ring or visit, not "what this page shows".
_CHANGED_WORDS = {"phone": "altered.contact_phone", "address": "altered.contact_address"}
# The supplier is told the same about its own contact, without the buyer's warning.
_SUPPLIER_WORDS = {"phone": "ws.altered_contact", "address": "ws.altered_contact"}


def ledger_says(problem: Problem, reader: str = "buyer") -> str:
    """What the ledger recorded where the batch's records now differ, in a buyer's
    words (or the supplier's own, ``reader="supplier"``); "" where there is
    nothing a buyer could compare."""
    params = problem.params
    changed_words = _SUPPLIER_WORDS if reader == "supplier" else _CHANGED_WORDS
    if problem.code == "batch_status":
        return t("altered.status").format(
            state=state_words(params["expected"], params.get("expected_reason")))
    if problem.code == "supplier_status":
        return t("altered.supplier_status").format(
            state=state_words(params["expected"], params.get("expected_reason")))
    if problem.code == "item_status":
        return t("altered.item_status").format(
            state=state_words(params["expected"], params.get("expected_reason")))
    if problem.code in ("row_changed", "now_changed"):
        return Markup("").join(  # each sentence ends itself; a date never breaks
            Markup(t(changed_words.get(name, "altered.field"))).format(
                field=word("audit.field." + name, name), was=_unbroken(was),
                now=_unbroken(now))
            for name, (was, now) in params.get("values", {}).items()
            if name in COMPARED_FIELDS)
    return ""


def state_words(state: str, reason: str | None) -> str:
    """A batch's, item's or key's state in words, with its reason."""
    return word("audit.state." + state, state) + (
        t("audit.because").format(reason=reason) if reason else "")


def _unbroken(value: str) -> Markup | str:
    """A short value (a date, a count) kept on one line; a long one (a reason) wraps
    as text does, or it would sit on a line of its own away from its quotes."""
    return Markup('<span class="nowrap">{}</span>').format(value) if len(value) <= 16 else value
