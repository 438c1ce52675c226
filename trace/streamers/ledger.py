"""The 选品审核台账: every selection record of a room, as CSV for Excel and as a
printable PDF (fonts embedded; room and period in the header)::

    rows = ledger_rows(db, room, "2026-11-01", "2026-11-30")
    csv_text = ledger_csv(rows)
    pdf = ledger_pdf(room, rows, "2026-11-01", "2026-11-30")
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import sqlite_utils
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .. import textfit
from ..clock import beijing, beijing_today, year_first_date
from ..digits import ascii_digits
from ..codes import group_serial
from ..errors import InvalidInput
from ..rooms import Room
from .selection import VOID_SAMPLE

CHECK_NAMES = {"code": "追溯码", "records": "账本核对", "recall": "召回情况", "expiry": "保质期",
               "report": "检测报告", "results": "检测结果", "supplier": "供货商资质",
               "after_sales": "售后记录"}
SUPPLIER = "供货商（信用代码）"
CELL_SIZE = 8  # pt
HEADINGS = ("核验时间（北京时间）", "商品", "批次号", SUPPLIER, "样品追溯码", "决定",
            "核验结果", "未通过项", "依据的检测报告", "备注", "选用理由（未通过时）", "记录人")


def _day(text: str | None, what: str, what_zh: str) -> date | None:
    if not text or not text.strip():
        return None
    day = year_first_date(ascii_digits(text))
    if day is None:
        raise InvalidInput(f"the {what} date must be written year first (YYYY-MM-DD), "
                           f"not {text!r}",
                           message_zh=f"{what_zh}应为 YYYY-MM-DD 格式的日期")
    return day


def period(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """The export period as typed (either end may be open), checked."""
    first, last = _day(start, "from", "开始日期"), _day(end, "to", "结束日期")
    if first and last and first > last:
        raise InvalidInput(f"the from date {first} is after the to date {last}",
                           message_zh=f"开始日期 {first} 晚于结束日期 {last}")
    if first and first > beijing_today():  # an open end is today: said, not reversed
        raise InvalidInput(f"the from date {first} has not come yet: the 台账 holds "
                           "records up to today",
                           message_zh=f"开始日期 {first} 还没到：台账只有到今天为止的记录")
    return first, last


def sample_only(checks: list[dict]) -> str | None:
    """"forged" or "void" for a record of a forged or cancelled sample, which holds the
    code check alone: not a decision on the batch, nor about the genuine item whose
    serial a forged label copied. None for a decision on the batch."""
    if len(checks) != 1:
        return None
    return "void" if checks[0]["detail"].startswith(VOID_SAMPLE) else "forged"


def sample_records(db: sqlite_utils.Database, gtin: str, lot: str) -> dict[tuple, str]:
    """The batch's records of forged or cancelled samples, by what their ledger leaf
    names (room, serial, at; each as text): the public record tells them apart from
    decisions."""
    found = {}
    for row in db.query("SELECT s.room_id, s.serial, s.at, s.checks FROM selections s "
                        "JOIN batches b ON b.id = s.batch_id WHERE b.gtin = ? AND b.lot = ?",
                        [gtin, lot]):
        kind = sample_only(json.loads(row["checks"]))
        if kind:
            found[(str(row["room_id"]), row["serial"] or "", row["at"])] = kind  # as leaves write
    return found


def ledger_rows(db: sqlite_utils.Database, room: Room, start: str | None = None,
                end: str | None = None) -> list[dict]:
    """The room's records from ``start`` to ``end`` (Beijing dates, inclusive), oldest
    first, as the 台账 prints them."""
    first, last = period(start, end)
    rows = []
    for row in db.query(
            "SELECT s.at, p.name AS product, b.lot, su.name AS supplier, su.credit_code, "
            "s.serial, s.decision, "
            "s.passed, s.checks, s.note, s.override_reason, s.actor FROM selections s "
            "JOIN batches b ON b.id = s.batch_id JOIN products p ON p.gtin = b.gtin "
            "JOIN suppliers su ON su.id = p.supplier_id WHERE s.room_id = ? ORDER BY s.id",
            [room.id]):
        moment = beijing(row["at"])
        if (first and moment.date() < first) or (last and moment.date() > last):
            continue
        checks = json.loads(row["checks"])
        failed = [_failed_name(check) for check in checks if not check["ok"]]
        kind = sample_only(checks)
        void, forged = kind == "void", kind == "forged"
        decision = row["decision"] + ("（伪造样品）" if forged else "（码已作废的样品）" if void
                                      else "")
        # The serial a forged label printed is a genuine item's: not that item's record.
        serial = group_serial(row["serial"]) + ("（伪造标签上所印）" if forged else "") \
            if row["serial"] else "—"
        rows.append(dict(zip(HEADINGS, (
            moment.strftime("%Y-%m-%d %H:%M"), row["product"], row["lot"],
            f"{row['supplier']}（{row['credit_code']}）", serial, decision,
            "通过" if row["passed"] else "未通过",
            "、".join(failed) or "—", _report_relied_on(checks), row["note"] or "",
            row["override_reason"] or "", row["actor"]))))
    return rows


def _report_relied_on(checks: list[dict]) -> str:
    """What the report check found when the room decided (the lab, its CMA number, the
    report's number and date; or why there was none): what an inspector asks a room
    to show for a product it sold (domain reference §9)."""
    return next((check.get("detail") or "—" for check in checks if check["name"] == "report"),
                "—")


def _failed_name(check: dict) -> str:
    """A failed check as the 台账 names it; the code's with what was wrong with it
    (伪造, 可疑, 已作废, 已被认领: the word its detail starts with), since a forged
    sample carries the serial of a genuine one."""
    name = CHECK_NAMES.get(check["name"], check["name"])
    kind = check.get("detail", "").partition("：")[0]
    return f"{name}（{kind}）" if check["name"] == "code" and 0 < len(kind) <= 4 else name


def ledger_csv(rows: list[dict]) -> str:
    """UTF-8 text with a BOM and Chinese headings, for Excel and WPS."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=HEADINGS)
    writer.writeheader()
    writer.writerows({key: _inert(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: str) -> str:
    """A cell Excel and WPS show as text, never run as a formula: product names come
    from suppliers and notes from any room member (OWASP's CSV injection advice)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def ledger_pdf(room: Room, rows: list[dict], start: str | None, end: str | None) -> bytes:
    """A landscape A4 table, one row per record, the label font embedded."""
    textfit.use_font()
    style = ParagraphStyle("cell", fontName=textfit.FONT, bulletFontName=textfit.FONT,
                           fontSize=CELL_SIZE, leading=10, wordWrap="CJK")
    title = ParagraphStyle("title", parent=style, fontSize=14, leading=18)
    period = (f"{start or '开始'} 至 {end or '今'}" if start or end else "全部记录")
    header = [Paragraph(f"选品审核台账 · {room.name}", title),
              Paragraph(f"平台：{room.platform_name_zh} · 直播间号 {room.room_id}"
                        + (f" · 绿色直播间 {room.green_cert}" if room.green_cert else "")
                        + f" · 期间：{period} · 共 {len(rows)} 条", style)]
    # A heading wider than its column breaks where a reader would, not inside 北京.
    body = [[Paragraph(text.replace("（", "<br/>（"), style) for text in HEADINGS]]
    # 776 of the 786 pt frame; each heading fits its column unbroken (核验结果 had split).
    widths = [56, 60, 56, 104, 76, 44, 44, 60, 94, 62, 64, 56]
    body += [[Paragraph(_cell(key, str(row[key]), width), style)
              for key, width in zip(HEADINGS, widths)] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), textfit.FONT),
                               ("GRID", (0, 0), (-1, -1), 0.4, "#888888"),
                               ("BACKGROUND", (0, 0), (-1, 0), "#e8edf5"),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=28, rightMargin=28,
                                 topMargin=28, bottomMargin=28, title=f"选品审核台账 {room.name}",
                                 initialFontName=textfit.FONT)
    # The canvas starts in our font, so no unembedded Helvetica is listed (poppler
    # without the base fonts would show such text as nothing).
    empty = [Spacer(0, 6), Paragraph("本期间没有核验记录。", style)] if not rows else []
    footer = _footer(f"选品审核台账 · {room.name} · {period}")
    document.build([*header, Spacer(0, 6), table, *empty], onFirstPage=footer,
                   onLaterPages=footer)
    return out.getvalue()


CELL_PADDING = 12  # a Table cell's left and right padding, 6 pt each


def _cell(heading: str, text: str, width: float) -> str:
    """A cell's text for the PDF, broken into lines by the labels' own rules (the
    Paragraph's CJK wrap began lines with '，' and broke an e-mail mid-word): the
    supplier's credit code on a line of its own (with the name it broke inside)."""
    parts = text.split("\n")
    if heading == SUPPLIER:
        parts = re.sub(r"（(\w{18})）$", r"\n\1", text).split("\n")
    lines = [line for part in parts
             for line in textfit.wrap(part, width - CELL_PADDING, CELL_SIZE) or [""]]
    return "<br/>".join(_escape(line) for line in lines)


def _footer(text: str):
    """Each page's foot: whose 台账, which period, and the page number, so a
    printed page 2 still says what it is."""
    def draw(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(textfit.FONT, 8)
        canvas.drawString(document.leftMargin, 14, text)
        canvas.drawRightString(document.pagesize[0] - document.rightMargin, 14,
                               f"第 {document.page} 页")
        canvas.restoreState()
    return draw


def _escape(text: str) -> str:
    """Paragraph takes markup: a note's '<' or '&' must print as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
