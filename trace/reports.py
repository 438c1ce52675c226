"""Reports of suspected fakes from buyers, queued for the operator.

A photo is accepted only if Pillow reads it as JPEG or PNG (by content, not by
name), is at most 15 MB, and is stored re-encoded from its pixels, so EXIF (GPS
position, phone model) and every other metadata block are gone (``images``)::

    report = submit_report(db, ReportForm(what_seen="珠子掉色", where_bought="某直播间"),
                           network=seen.network, photo=jpeg_bytes)
    list_reports(db, gtin="09521234000013")
    mark_handled(db, report.id, actor="ops@trace.cn", note="已联系买家，转交供货商核查",
                 outcome="confirmed")
    list_reports(db, still_open=True)          # what the operator has yet to follow up
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

import sqlite_utils

from . import images, phones, throttle
from .catalog import clean_text, normalise_gtin
from .db import utc_now
from .errors import Conflict, InvalidInput, NotFound, all_problems

# A photo is kept no larger than a label on it needs to be read.
MAX_PHOTO_BYTES = images.MAX_BYTES
MAX_PHOTO_SIDE = 2560
# A mobile carrier puts many buyers behind one address: a livestream's worth of
# buyers finding fakes must get through, a script filling the queue must not.
REPORTS_PER_NETWORK = throttle.Limit(
    "report_network", 20, timedelta(hours=1),
    "too many reports from your network in the last hour; try again later",
    "您所在网络一小时内提交的举报过多，请稍后再试")


@dataclass(frozen=True)
class ReportForm:
    """What the buyer typed, and which code the report is about (if any)."""

    what_seen: str
    where_bought: str
    contact: str | None = None
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    verdict: str | None = None


@dataclass(frozen=True)
class Report(ReportForm):
    id: int = 0
    photo_sha256: str | None = None
    photo_type: str | None = None
    created_at: str = ""
    handled_at: str | None = None  # once the operator has followed it up
    handled_by: str | None = None
    handled_note: str | None = None
    handled_outcome: str | None = None  # one of OUTCOMES: the latest correction's, if any
    outcome_corrected_at: str | None = None
    outcome_corrected_reason: str | None = None  # the latest correction's: its buyer reads it
    handled_to_supplier: str | None = None  # what the operator asked of the supplier

    def to_json(self) -> dict:
        return asdict(self)


def _clean(form: ReportForm) -> ReportForm:
    """The form's fields, cleaned; every field's problem said at once."""
    cleaned: dict = {}
    all_problems(lambda: cleaned.update(what=_what_seen(form.what_seen)),
                 lambda: cleaned.update(where=_where_bought(form.where_bought)),
                 lambda: cleaned.update(contact=clean_text(
                     phones.checked_contact(form.contact), "contact", what_zh="联系方式",
                     limit=100)))
    return ReportForm(cleaned["what"], cleaned["where"], cleaned["contact"],
                      form.gtin, form.lot, form.serial, form.verdict)


def _what_seen(text: str) -> str:
    what = clean_text(text, "what you saw", what_zh="发现的问题", limit=1000, multiline=True)
    if not what:
        raise InvalidInput("say what made you think something is wrong",
                           message_zh="请写下您发现的问题")
    return what


def _where_bought(text: str) -> str:
    where = clean_text(text, "where you bought it", what_zh="购买渠道", limit=200)
    if not where:
        raise InvalidInput("say where you bought it (shop, livestream room, platform)",
                           message_zh="请写下购买渠道（店铺、直播间或平台）")
    return where


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """(stripped image bytes, MIME type); raises ``InvalidInput`` for anything else."""
    image, kind = images.upright(data, largest_side=MAX_PHOTO_SIDE)
    return images.stripped(image, kind), images.FORMATS[kind]


def submit_report(db: sqlite_utils.Database, form: ReportForm, *, network: str,
                  photo: bytes | None = None) -> Report:
    """Store a report (and its stripped photo) in one transaction; the same report sent
    again from the same network soon after (a double tap, a resend after a slow
    answer) is the one already stored, with the contact or photo it now brings."""
    form = _clean(form)
    earlier = _resent(db, form, network)
    if earlier:
        return _amended(db, earlier, form.contact, photo)
    throttle.check(db, REPORTS_PER_NETWORK, network)
    photo_sha = photo_type = None
    if photo:
        data, photo_type = clean_photo(photo)
        photo_sha = hashlib.sha256(data).hexdigest()
    created_at = utc_now()
    with db.atomic():
        if photo:
            db.execute("INSERT OR IGNORE INTO photos (sha256, content_type, data) "
                       "VALUES (?, ?, ?)", [photo_sha, photo_type, data])
        cursor = db.execute(
            "INSERT INTO reports (gtin, lot, serial, verdict, what_seen, where_bought, "
            "contact, photo_sha256, photo_type, network, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [form.gtin, form.lot, form.serial, form.verdict, form.what_seen,
             form.where_bought, form.contact, photo_sha, photo_type, network, created_at])
        throttle.note(db, REPORTS_PER_NETWORK, network)
    return Report(**asdict(form), id=cursor.lastrowid or 0, photo_sha256=photo_sha,
                  photo_type=photo_type, created_at=created_at)


def _amended(db: sqlite_utils.Database, earlier: Report, contact: str | None,
             photo: bytes | None) -> Report:
    """A report sent again to put right how to reach the buyer ('1381234', then the
    whole number), or with the photo the first lacked: the correction was dropped."""
    changes: dict = {}
    if contact and contact != earlier.contact:
        changes["contact"] = contact
    if photo and not earlier.photo_sha256:
        data, changes["photo_type"] = clean_photo(photo)
        changes["photo_sha256"] = hashlib.sha256(data).hexdigest()
    if not changes:
        return earlier
    with db.atomic():
        if "photo_sha256" in changes:
            db.execute("INSERT OR IGNORE INTO photos (sha256, content_type, data) "
                       "VALUES (?, ?, ?)", [changes["photo_sha256"], changes["photo_type"], data])
        db.execute(f"UPDATE reports SET {', '.join(f'{name} = ?' for name in changes)} "
                   "WHERE id = ?", [*changes.values(), earlier.id])
    return replace(earlier, **changes)


_COLUMNS = ("id", "gtin", "lot", "serial", "verdict", "what_seen", "where_bought", "contact",
            "photo_sha256", "photo_type", "created_at")
# A report with its handling, if any: "FROM" the two tables, aliased r and h.
_HANDLED = ("handled_at", "handled_by", "handled_note", "handled_outcome",
            "outcome_corrected_at", "outcome_corrected_reason", "handled_to_supplier")
# The latest correction (migration 27) of the report aliased r, as c: it stands.
_LATEST_CORRECTION = ("LEFT JOIN report_outcome_corrections c ON c.id = (SELECT max(id) "
                      "FROM report_outcome_corrections WHERE report_id = r.id)")
_FROM = f"FROM reports r LEFT JOIN report_handlings h ON h.report_id = r.id {_LATEST_CORRECTION}"
_SELECT = (f"SELECT {', '.join('r.' + column for column in _COLUMNS)}, h.at, h.actor, h.note, "
           f"coalesce(c.outcome, h.outcome), c.at, c.reason, h.to_supplier {_FROM}")
# What a follow-up found (migration 24): a fake or defect, no fake, or not settled.
OUTCOMES = ("confirmed", "unfounded", "handled")
RESEND_WINDOW = timedelta(minutes=10)


def _resent(db: sqlite_utils.Database, form: ReportForm, network: str) -> Report | None:
    since = (datetime.fromisoformat(utc_now()) - RESEND_WINDOW).isoformat()
    row = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM reports WHERE network = ? AND created_at > ? "
        "AND what_seen = ? AND where_bought = ? AND coalesce(serial, '') = ? "
        "ORDER BY id DESC LIMIT 1",
        [network, since, form.what_seen, form.where_bought, form.serial or ""]).fetchone()
    return Report(**dict(zip(_COLUMNS, row))) if row else None


def _read(row) -> Report:
    return Report(**dict(zip(_COLUMNS + _HANDLED, row)))


def sent_about(db: sqlite_utils.Database, report_ids: list[int],
               serial: str) -> list[tuple[int, str]]:
    """(number, sent at) of those of ``report_ids`` about the item ``serial``: a
    buyer's own reports, shown when they open the item again."""
    if not report_ids:
        return []
    marks = ", ".join("?" * len(report_ids))
    return [tuple(row) for row in db.execute(
        f"SELECT id, created_at FROM reports WHERE id IN ({marks}) AND serial = ? ORDER BY id",
        [*report_ids, serial])]


def list_reports(db: sqlite_utils.Database, gtin: str | None = None, limit: int = -1, *,
                 still_open: bool | None = None, lot: str | None = None,
                 serial: str | None = None, offset: int = 0) -> list[Report]:
    """The queue, newest first (``limit`` of them after the newest ``offset``); only one
    product's with ``gtin`` (and one batch's with ``lot``, one item's with ``serial``);
    only those not yet followed up (``still_open=True``) or only those that were
    (``False``)."""
    where, params = _chosen(gtin, lot, serial, still_open)
    rows = db.execute(_SELECT + where + " ORDER BY r.id DESC LIMIT ? OFFSET ?",
                      [*params, limit, max(offset, 0)]).fetchall()
    return [_read(row) for row in rows]


def count_listed(db: sqlite_utils.Database, gtin: str | None = None, *,
                 still_open: bool | None = None, lot: str | None = None,
                 serial: str | None = None) -> int:
    """How many reports ``list_reports`` would list with no limit."""
    where, params = _chosen(gtin, lot, serial, still_open)
    return db.execute("SELECT count(*) FROM reports r LEFT JOIN report_handlings h "
                      "ON h.report_id = r.id" + where, params).fetchone()[0]  # no outcome


def _chosen(gtin: str | None, lot: str | None, serial: str | None,
            still_open: bool | None) -> tuple[str, list]:
    """The WHERE clause (with its parameters) choosing reports as list_reports does."""
    where, params = [], []
    if gtin:
        where.append("r.gtin = ?")
        params.append(normalise_gtin(gtin))
    for column, value in (("lot", lot), ("serial", serial)):
        if value:
            where.append(f"r.{column} = ?")
            params.append(value)
    if still_open is not None:
        where.append(f"h.report_id IS {'' if still_open else 'NOT '}NULL")
    return (f" WHERE {' AND '.join(where)}" if where else ""), params


def count_reports(db: sqlite_utils.Database) -> tuple[int, int]:
    """(reports still open, reports in all)."""
    return count_listed(db, still_open=True), count_listed(db)


def mark_handled(db: sqlite_utils.Database, report_id: int, *, actor: str,
                 note: str | None, outcome: str | None,
                 to_supplier: str | None = None) -> Report:
    """Record that the operator followed the report up, how (called the buyer, passed
    it to the supplier, told 市场监管) and what it found (``OUTCOMES``): once. What
    it asks of the supplier (``to_supplier``) is shown to that supplier; the note is
    the platform's own."""
    row = db.execute(_SELECT + " WHERE r.id = ?", [report_id]).fetchone()
    if row is None:
        raise NotFound(f"no report {report_id}", message_zh=f"没有编号为 {report_id} 的举报")
    report = _read(row)
    if report.handled_at:
        raise Conflict(f"report {report_id} was marked handled by {report.handled_by} at "
                       f"{report.handled_at}",
                       message_zh=f"举报编号 {report_id} 已由 {report.handled_by} 标为已处理")
    written = clean_text(note, "note", what_zh="处理情况", limit=500, multiline=True)
    if not written:
        raise InvalidInput("say what was done about it (whom you called, what you found)",
                           message_zh="请写下处理情况：联系了谁、查到了什么、如何处理")
    if outcome not in OUTCOMES:
        raise InvalidInput(f"say what the follow-up found: one of {', '.join(OUTCOMES)}",
                           message_zh="请选择处理结果：属实、不属实，或无法定性")
    asked = clean_text(to_supplier, "words to the supplier", what_zh="给供货商的话", limit=500,
                       multiline=True)
    if asked and not report.gtin:
        raise InvalidInput("this report names no product, so no supplier would read it",
                           message_zh="这条举报没有对应的商品，没有供货商能看到给它的话")
    at = utc_now()
    db.execute("INSERT INTO report_handlings (report_id, note, actor, at, outcome, to_supplier) "
               "VALUES (?, ?, ?, ?, ?, ?)", [report_id, written, actor, at, outcome, asked])
    return Report(**{**asdict(report), "handled_at": at, "handled_by": actor,
                     "handled_note": written, "handled_outcome": outcome,
                     "handled_to_supplier": asked})


@dataclass(frozen=True)
class OutcomeCorrection:
    """A follow-up's finding corrected: from what, to what, why, by whom, when."""

    before: str
    after: str
    reason: str
    actor: str
    at: str


def correct_outcome(db: sqlite_utils.Database, report_id: int, *, outcome: str | None,
                    reason: str | None, actor: str) -> Report:
    """Correct what a handled report's follow-up found (``OUTCOMES``), with why: a
    confirmed fake that was not one no longer counts against its supplier. The
    handling and every correction are kept; the latest stands."""
    with db.atomic():  # read and write as one, against another operator's correction
        report = get_report(db, report_id)
        if not report.handled_at:
            raise Conflict(f"report {report_id} has not been handled: handle it first",
                           message_zh=f"举报编号 {report_id} 还没有处理，请先标记处理结果")
        if outcome not in OUTCOMES:
            raise InvalidInput(f"say what the follow-up found: one of {', '.join(OUTCOMES)}",
                               message_zh="请选择处理结果：属实、不属实，或无法定性")
        if outcome == report.handled_outcome:
            raise InvalidInput("that is the finding already: choose the corrected one",
                               message_zh="处理结果没有变化：请选择更正后的结果")
        why = clean_text(reason, "reason", what_zh="更正原因", limit=200)
        if not why:
            raise InvalidInput("say why the finding is corrected",
                               message_zh="请填写更正原因，例如“误选为属实，复核后确认是正品”")
        at = utc_now()
        db.execute("INSERT INTO report_outcome_corrections (report_id, outcome, reason, actor, "
                   "at) VALUES (?, ?, ?, ?, ?)", [report_id, outcome, why, actor, at])
    return replace(report, handled_outcome=outcome, outcome_corrected_at=at,
                   outcome_corrected_reason=why)


def outcome_corrections(db: sqlite_utils.Database, report_id: int) -> list[OutcomeCorrection]:
    """The report's finding as first recorded and corrected, oldest first."""
    first = db.execute("SELECT outcome FROM report_handlings WHERE report_id = ?",
                       [report_id]).fetchone()
    shown, before = [], first[0] if first else "handled"
    for after, reason, actor, at in db.execute(
            "SELECT outcome, reason, actor, at FROM report_outcome_corrections "
            "WHERE report_id = ? ORDER BY id", [report_id]).fetchall():
        shown.append(OutcomeCorrection(before, after, reason, actor, at))
        before = after
    return shown


@dataclass(frozen=True)
class Complaints:
    """Buyers' reports against a supplier or a batch, counted by the networks they
    came from (one person filing five is one complaint, not five)."""

    standing: int    # not found unfounded: open, confirmed or not settled
    confirmed: int   # the platform found the problem real
    unfounded: int   # left out: every report from that network was found unfounded
    this_item: int   # reports on the very item asked about (its genuine code), standing
    forged: int = 0  # standing, sent from a forged code: fakes of the label, sold elsewhere
    # The same two counts without the forged codes': what buyers said of the goods.
    about_goods: int = 0
    confirmed_about_goods: int = 0


def against_supplier(db: sqlite_utils.Database, supplier_id: int, since: str,
                     serial: str | None = None) -> Complaints:
    """The supplier's complaints since ``since``; ``serial``: an item of theirs whose
    own reports are counted apart (a room's sample that a buyer reported)."""
    return _complaints(db, "r.gtin IN (SELECT gtin FROM products WHERE supplier_id = ?)",
                       [supplier_id], since, serial)


def against_batch(db: sqlite_utils.Database, gtin: str, lot: str, since: str) -> Complaints:
    """Complaints naming the batch since ``since``: what buyers told after a room
    decided to sell it, which the room's own check could not have seen."""
    return _complaints(db, "r.gtin = ? AND r.lot = ?", [gtin, lot], since, None)


def words_about_batch(db: sqlite_utils.Database, gtin: str, lot: str, since: str,
                      limit: int = 5) -> list[dict]:
    """What buyers wrote about the batch since ``since``, newest first, without who
    they are (no contact, network or photo) and leaving out what the platform found
    unfounded: ``at``, ``what_seen``, ``confirmed``, and the code it was sent from
    (``serial``, ``verdict`` as the buyer was told, and ``item_status`` now: a
    copied label the operator has since voided), or None for the batch's page."""
    return [dict(row, confirmed=row["outcome"] == "confirmed") for row in db.query(
        "SELECT r.created_at AS at, r.what_seen, coalesce(c.outcome, h.outcome) AS outcome, "
        "r.serial, r.verdict, (SELECT i.status FROM items i JOIN batches b ON b.id = "
        "i.batch_id WHERE b.gtin = r.gtin AND b.lot = r.lot AND i.serial = r.serial) "
        f"AS item_status {_FROM} WHERE r.gtin = ? AND r.lot = ? AND r.created_at >= ? "
        "AND coalesce(c.outcome, h.outcome) IS NOT 'unfounded' ORDER BY r.id DESC LIMIT ?",
        [gtin, lot, since, limit])]


def _complaints(db: sqlite_utils.Database, whose: str, params: list, since: str,
                serial: str | None) -> Complaints:
    row = db.execute(
        "SELECT count(DISTINCT CASE WHEN outcome IS NOT 'unfounded' THEN network END), "
        "count(DISTINCT CASE WHEN outcome = 'confirmed' THEN network END), "
        "count(DISTINCT network), "
        "count(CASE WHEN outcome IS NOT 'unfounded' AND serial = ? "
        "AND verdict IS NOT 'forged' THEN 1 END), "  # a forged label copying its serial: not it
        "count(DISTINCT CASE WHEN outcome IS NOT 'unfounded' AND verdict = 'forged' "
        "THEN network END), "
        "count(DISTINCT CASE WHEN outcome IS NOT 'unfounded' AND verdict IS NOT 'forged' "
        "THEN network END), "
        "count(DISTINCT CASE WHEN outcome = 'confirmed' AND verdict IS NOT 'forged' "
        "THEN network END) "
        "FROM (SELECT r.network, r.serial, r.verdict, coalesce(c.outcome, h.outcome) "
        f"AS outcome {_FROM} WHERE {whose} AND r.created_at >= ?)",
        [serial, *params, since]).fetchone()
    return Complaints(standing=row[0], confirmed=row[1], unfounded=row[2] - row[0],
                      this_item=row[3], forged=row[4], about_goods=row[5],
                      confirmed_about_goods=row[6])


def receipt_token(secret: str, report_id: int) -> str:
    """What lets the buyer who sent report ``report_id`` read how it stands, and no
    one else: report numbers count up, so the number alone would show anyone's."""
    return hmac.new(secret.encode(), f"report-receipt|{report_id}".encode(),
                    hashlib.sha256).hexdigest()[:24]


def for_buyer(db: sqlite_utils.Database, report_id: int, token: str,
              secret: str) -> Report:
    """The report as its sender may read it again: what they sent and whether the
    platform followed it up with what result; not the operator's note (it may name
    the supplier's staff or another buyer) nor who handled it. A wrong token is
    the same "no such report" as a wrong number."""
    row = db.execute(_SELECT + " WHERE r.id = ?", [report_id]).fetchone()
    # As bytes: compare_digest refuses a str holding any non-ASCII character (a 500).
    if row is None or not hmac.compare_digest(token.encode(),
                                              receipt_token(secret, report_id).encode()):
        raise NotFound(f"no report {report_id} with that link",
                       message_zh="没有找到这条举报：请使用提交举报后页面上给出的链接")
    return replace(_read(row), contact=None, handled_by=None, handled_note=None)


def get_report(db: sqlite_utils.Database, report_id: int) -> Report:
    """One report with its handling, for the operator; ``NotFound`` if there is none."""
    row = db.execute(_SELECT + " WHERE r.id = ?", [report_id]).fetchone()
    if row is None:
        raise NotFound(f"no report {report_id}", message_zh=f"没有编号为 {report_id} 的举报")
    return _read(row)


_REPORT_NUMBER = re.compile(r"(?:举报编号|举报|report|#|no\.?)?\s*[:：#]?\s*(\d{1,9})",
                            re.IGNORECASE)


def report_number(text: str) -> int | None:
    """The report number in what the operator typed from a buyer's call (举报编号 12,
    #12, 12), or None: a trace code is 12 characters, a number here at most 9."""
    said = _REPORT_NUMBER.fullmatch(unicodedata.normalize("NFKC", text or "").strip())
    return int(said.group(1)) if said else None


def report_photo(db: sqlite_utils.Database, report_id: int) -> tuple[bytes, str] | None:
    """The photo sent with report ``report_id`` (stripped of its metadata), if any."""
    row = db.execute("SELECT photo_sha256 FROM reports WHERE id = ?", [report_id]).fetchone()
    return photo(db, row[0]) if row and row[0] else None


def about_supplier(db: sqlite_utils.Database, supplier_id: int,
                   limit: int = 20) -> tuple[list[Report], int]:
    """The latest reports naming the supplier's products (a forged code names the GTIN
    it copies) and how many there are; without the buyer's contact, which the form
    asks for the platform's follow-up only, nor the operator's own note on it, but
    with what the operator asks of the supplier."""
    where = "WHERE r.gtin IN (SELECT gtin FROM products WHERE supplier_id = ?)"
    total = db.execute(f"SELECT count(*) FROM reports r {where}", [supplier_id]).fetchone()[0]
    rows = db.execute(f"{_SELECT} {where} ORDER BY r.id DESC LIMIT ?",
                      [supplier_id, limit]).fetchall()
    return [replace(_read(row), contact=None, handled_by=None, handled_note=None)
            for row in rows], total


def photo(db: sqlite_utils.Database, sha256: str) -> tuple[bytes, str] | None:
    row = db.execute("SELECT data, content_type FROM photos WHERE sha256 = ?",
                     [sha256]).fetchone()
    return (row[0], row[1]) if row else None
