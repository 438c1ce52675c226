"""The 选品 check: what a streamer's room learns from a sample's code before deciding
to sell the product, and the decision it records (DESIGN §9)::

    result = check_sample(db, url, base_url, valid_days=365)
    result.ok, [(c.name, c.ok, c.detail) for c in result.checks]
    record_selection(db, room, result, "选用", actor="live@room.cn")   # refused if not ok
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import sqlite_utils

from .. import catalog, recalls, verification
from .. import reports as buyer_reports
from ..clock import beijing_time, beijing_today
from ..codes import group_serial
from ..db import utc_now
from ..transparency import leaves
from ..errors import Forbidden, InvalidInput, NotFound
from ..inspections import glossary
from ..inspections import report as reports
from ..inspections import store as inspection_store
from ..rooms import PLATFORMS, PLATFORMS_EN, Room

DECISIONS = ("选用", "不选用", "待复检")
# SQL for a record about the batch itself. A forged sample's record holds the code
# check alone: its label only claims the batch, so it is the room's note on a fake,
# never its decision on the genuine batch (its on-camera page, the public timeline).
ABOUT_THE_BATCH = "json_array_length(checks) > 1"
# The batch recalled, or its supplier suspended, after the moment {at}: a room's
# check of it before then no longer stands (live.STATES 'recheck', 'reinstated').
RECALLED_AFTER = ("EXISTS (SELECT 1 FROM status_events e WHERE e.batch_id = {batch} "
                  "AND e.item_id IS NULL AND e.action = 'recall' AND e.at > {at})")
SUSPENDED_AFTER = ("EXISTS (SELECT 1 FROM supplier_standing t JOIN products p "
                   "ON p.supplier_id = t.supplier_id JOIN batches b ON b.gtin = p.gtin "
                   "WHERE b.id = {batch} AND t.action = 'suspend' AND t.at > {at})")
# What the code check tells the room, in the room's terms (a buyer's page speaks to
# the buyer: "contact the seller for a return" means nothing to a streamer).
CODE_DETAILS = {
    "suspicious": ("可疑：这个码被很多不同的手机和网络查询过，标签可能被复制，请向供货商核实样品来源",
                   "Suspicious: this code was looked up from many phones and networks; the "
                   "label may be copied. Ask the supplier where the sample came from"),
    "forged": ("伪造：本平台没有发放过这个码，或它被改动过",
               "Forged: we never issued this code, or it was altered"),
    # Pasted from a chat, an address loses its end: the signature after "?".
    "invalid": ("无法识别：这不是本平台的追溯码，或网址不完整（复制时末尾被截掉）。"
                "请直接扫描样品标签上的二维码",
                "Unreadable: this is not one of our codes, or the address is incomplete (its "
                "end cut off when copied). Scan the QR code on the sample's label"),
}
# Why an unreadable code is unreadable, where the sample's case differs from a buyer's.
INVALID_DETAILS = {
    "other_site": ("不是本平台的网址：样品标签上的码应当打开本平台的验证页；指向别的网站的码，"
                   "可能是仿冒的验证页，请向供货商核实",
                   "Not our address: a sample's code should open our verification page; a "
                   "code pointing at another site may be a look-alike, so ask the supplier"),
}
# No reason makes these sellable: the goods are recalled, cancelled or not ours.
NEVER_SELECTABLE = ("recalled", "void", "forged", "invalid")
VOID_SAMPLE = "码已作废"  # how a cancelled sample's code check begins: its 台账 row says so
# Buyers' reports of fakes against the supplier in a year (reports.against_supplier).
FAKE_REPORTS_TOLERATED = 2
AFTER_SALES_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Check:
    name: str       # stable: code, recall, expiry, report, results, supplier, after_sales
    ok: bool
    detail: str
    detail_en: str = ""  # the same, for the workspace in English
    heed: bool = False   # passed, but says something to read (reports, a lifted recall)


# An on-camera page's own address, pasted where a sample's code belongs.
LIVE_PAGE = Check("code", False, "这是直播间开播核验页的网址，不是样品自己的码：请扫描样品标签上的二维码",
                  "This is a room's on-camera page address, not the sample's own code: scan "
                  "the QR code on the sample's label")


@dataclass(frozen=True)
class SampleCheck:
    checks: tuple[Check, ...]
    batch: catalog.Batch | None
    serial: str | None
    verdict: str = ""   # what the code itself verified as (verification.VERDICTS)
    claimed: bool = False  # a forged code: ``batch`` is only what its label claims
    failed_tests: tuple[str, ...] = ()  # tested items a valid current report failed
    checked_on: date | None = None  # the day the expiry was checked against
    supplier_suspended: bool = False  # the operator suspended the batch's supplier
    records_altered: bool = False     # its records were changed around the ledger

    @property
    def sample_only(self) -> bool:
        """A forged or cancelled code: the code check alone, since such a label tells
        nothing of the batch; what the room records is about the sample, and never
        pauses the batch's on-camera page (``ABOUT_THE_BATCH``)."""
        return self.batch is not None and len(self.checks) == 1

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def selectable(self) -> bool:
        """Whether 选用 may be recorded at all (with a reason if a check failed):
        never for recalled, cancelled, expired, forged or unreadable goods, nor for a
        batch its lab found 不合格, of a supplier the platform suspended, or whose records
        were changed around the ledger (its on-camera page would tell viewers not to
        buy)."""
        expired = self.batch is not None and self.batch.expired(self.checked_on)
        recalled = self.batch is not None and self.batch.status == "recalled"
        return (self.verdict not in NEVER_SELECTABLE and not recalled and not expired
                and not self.failed_tests and not self.supplier_suspended
                and not self.records_altered)

    def to_json(self) -> dict:
        return {"ok": self.ok, "checks": [asdict(check) for check in self.checks]}


def check_sample(db: sqlite_utils.Database, url: str, base_url: str, *,
                 valid_days: int = 365, today: date | None = None) -> SampleCheck:
    """The checklist for the sample whose code is ``url`` (or a typed 追溯码)."""
    if urlsplit(verification.entered_text(url, base_url)).path.startswith("/live/"):
        return SampleCheck((LIVE_PAGE,), None, None, "invalid")
    verdict = verification.verify_text(db, url, base_url)  # a look-up, never a scan
    code = _code(verdict)
    if verdict.batch is None:
        claimed = _claimed_batch(db, verdict)
        return SampleCheck((code,), claimed, verdict.serial if claimed else None,
                           verdict.verdict, claimed=claimed is not None)
    batch = verdict.batch
    if verdict.verdict == "void":  # a label we cancelled (damaged, reprinted, copied)
        return SampleCheck((code,), batch, verdict.serial, "void")
    every = inspection_store.served_reports(db, batch.id)
    served = inspection_store.standing(every)
    today = today or beijing_today()
    withdrawn = [shown["report"] for shown in every if shown["withdrawn"]]
    food = verdict.product is not None and catalog.looks_like_food(verdict.product)
    checks = (code, _records(verdict), _recall(batch, verdict),
              expiry_check(batch, today, food=food),
              report_check(served, valid_days, today, withdrawn), results_check(served),
              _supplier(verdict), _after_sales(db, verdict))
    return SampleCheck(checks, batch, verdict.serial, verdict.verdict,
                       failed_tests=tuple(verdict.failed_tests), checked_on=today,
                       supplier_suspended=bool(verdict.supplier and verdict.supplier.suspended),
                       records_altered=verdict.records_altered)


def _claimed_batch(db: sqlite_utils.Database,
                   verdict: verification.Verdict) -> catalog.Batch | None:
    """The registered batch a forged code's label names, so the room can record
    不选用 against the product the sample was offered as; the check stays failed."""
    if verdict.verdict != "forged" or not (verdict.gtin and verdict.lot):
        return None
    try:
        return catalog.get_batch(db, verdict.gtin, verdict.lot)
    except NotFound:
        return None


def _code(verdict: verification.Verdict) -> Check:
    """The code itself. A genuine code a buyer has claimed fails too: a sample should
    not be an item somebody bought, and a label copied onto samples looks just so."""
    claimed = verdict.scans.claimed_at if verdict.scans else None
    if verdict.verdict == "genuine" and claimed:
        return Check("code", False, f"已被认领：签名核对无误，但这件商品已于 "
                     f"{beijing_time(claimed)} 被消费者认领为已买到的商品。样品不应是已售出的"
                     "商品，请向供货商核实样品来源",
                     f"Claimed: the signature checks out, but a buyer claimed this item as "
                     f"bought on {beijing_time(claimed)}; a sample should not be a sold item. "
                     "Ask the supplier where it came from")
    serial = group_serial(verdict.serial or "")
    if verdict.verdict == "genuine":
        return Check("code", True, f"正品：签名核对无误（追溯码 {serial}）",
                     f"Genuine: the signature checks out (code {serial})")
    if verdict.verdict == "recalled":  # ours and genuine: the recall row says the rest
        return Check("code", True, f"正品：签名核对无误（追溯码 {serial}），召回情况见下",
                     f"Genuine: the signature checks out (code {serial}); see the recall "
                     "below")
    if verdict.reason_code == "cut_link":
        # A label printed with such an address is no label of ours: said as the
        # buyer's page says it, not left as a copying slip.
        return Check("code", False, "网址不全：复制时末尾被截掉，只能按序列号查到登记信息。"
                     "请扫描样品标签上的二维码核验签名。如果这个网址正是扫样品上的二维码得到的，"
                     "那个二维码就不是本平台印的，样品不能选用",
                     "The address is incomplete (its end cut off when copied): only the "
                     "record was found by its serial. Scan the QR code on the sample's label; "
                     "if this address is what that QR code gave, the code was not printed "
                     "by us, and the sample must not be selected")
    if verdict.verdict == "registered":
        # 手输 before the colon: the 台账 names the failure 追溯码（手输）, not a bad code
        return Check("code", False, "手输：只能查到登记信息，请扫描样品上的二维码核验签名",
                     "A typed code finds the record only; scan the QR code on the sample to "
                     "check its signature")
    if verdict.reason_code == "batch_url":
        return Check("code", False, "这是批次页面的网址（例如直播画面上的二维码），不是样品自己的码："
                     "请扫描样品标签上的二维码",
                     "This is a batch page's address (the QR code on a livestream's screen, "
                     "say), not the sample's own code: scan the QR code on the sample's label")
    if verdict.reason_code in ("typed_barcode", "typed_format", "typed_unknown"):
        return Check("code", False, verdict.reason, verdict.reason_en)  # what was typed
    if verdict.verdict == "void":
        reason = verdict.status_reason or "标签损坏或重印"
        return Check("code", False, f"{VOID_SAMPLE}：这件样品的码已被作废（{reason}），样品上不应再贴着它。"
                     "它不能代表本批次：请向供货商要一件码有效的样品再核验",
                     f"Cancelled: this sample's code was cancelled ({reason}); no sample "
                     "should still carry it. It tells nothing of the batch: ask the supplier "
                     "for a sample with a valid code and check that")
    if verdict.reason_code in INVALID_DETAILS:
        return Check("code", False, *INVALID_DETAILS[verdict.reason_code])
    zh, en = CODE_DETAILS.get(verdict.verdict, (verdict.reason, verdict.reason_en))
    return Check("code", False, zh, en)


def _records(verdict: verification.Verdict) -> Check:
    """The batch's records against what the platform's ledger logged (snapshots): the
    rest of the checklist reads those records, so it is only as good as they are."""
    if verdict.records_altered:
        return Check("records", False, "这批商品的记录与平台的防篡改账本对不上（召回、日期、检测等"
                     "信息可能被人改过），下面各项不可信，不能选用：请联系平台核实",
                     "The batch's records do not match the platform's tamper-evident ledger "
                     "(its recall state, dates or lab results may have been changed), so the "
                     "checks below cannot be trusted and it cannot be selected: ask the platform")
    return Check("records", True, "这批商品的记录与平台的防篡改账本一致",
                 "The batch's records match the platform's tamper-evident ledger")


def _recall(batch: catalog.Batch, verdict: verification.Verdict) -> Check:
    if batch.status == "recalled":
        return Check("recall", False, f"批次已召回：{batch.status_reason}",
                     f"The batch is recalled: {batch.status_reason}")
    reason = f"（{verdict.status_reason}）" if verdict.status_reason else ""
    reason_en = f" ({verdict.status_reason})" if verdict.status_reason else ""
    if verdict.verdict == "recalled":
        return Check("recall", False, f"这件商品已被单独召回{reason}",
                     f"This item alone is recalled{reason_en}")
    return Check("recall", True, f"批次 {batch.lot} 未召回", f"Batch {batch.lot} is not recalled")


def expiry_check(batch: catalog.Batch, today: date, *, food: bool = False) -> Check:
    """Not past the batch's expiry date: expired goods may not be sold at all. Food
    with no expiry date fails too: nobody can tell whether it is past it (fruit
    picked months ago passed as fine); the room may still select it with a reason."""
    if not batch.expires_on and food:
        return Check("expiry", False, "食品没有标注保质期，无法判断是否已过期：请供货商在商品信息里"
                     "补上保质期；确需选用的，请写明理由",
                     "Food with no expiry date: nobody can tell whether it is past it. Ask the "
                     "supplier to add the shelf life; to select it anyway, give a reason")
    if not batch.expires_on:
        return Check("expiry", True, "本批次没有标注保质期（非食品）",
                     "The batch gives no expiry date (not food)")
    if batch.expired(today):
        return Check("expiry", False, f"已过保质期（到期日 {batch.expires_on}），不能销售",
                     f"Expired on {batch.expires_on}: it may not be sold")
    left = (date.fromisoformat(batch.expires_on) - today).days
    return Check("expiry", True, f"保质期至 {batch.expires_on}（还有 {left} 天）",
                 f"Good until {batch.expires_on} ({left} days left)")


def report_check(served: list[dict], valid_days: int, today: date,
                 withdrawn: list[dict] | tuple = ()) -> Check:
    """At least one current report, signed and no older than ``valid_days``, and no
    current report whose signature fails (the on-camera page shows that one red).
    ``withdrawn``: reports their labs withdrew, named when nothing else stands."""
    valid = [shown for shown in served if shown["signature_ok"]]
    bad = len(served) - len(valid)
    if bad and valid:
        return Check("report", False, f"{bad} 份现行检测报告签名核对未通过，其中的数据不可信："
                     "请检测机构或供货商说明原因",
                     f"{bad} current lab report(s) fail the signature check, so their data "
                     "cannot be trusted: ask the lab or the supplier why")
    if not valid and withdrawn and not bad:
        return Check("report", False, "".join(
            f"检测机构撤回了报告 {record['report_no']}，撤回原因：{record['reason']}。"
            for record in withdrawn) + "本批次没有其他有效的检测报告，需要重新检测",
            "".join(f"The lab withdrew report {record['report_no']}, because: "
                    f"{record['reason']}. " for record in withdrawn) +
            "The batch has no other valid report: a new test is needed")
    if not valid:
        return Check("report", False, "没有签名有效的现行检测报告" +
                     (f"（{bad} 份签名无效）" if bad else ""),
                     "No current lab report with a valid signature" +
                     (f" ({bad} with an invalid signature)" if bad else ""))
    recent = [shown for shown in valid
              if (today - date.fromisoformat(shown["report"]["issued_on"])).days <= valid_days]
    if not recent:
        return Check("report", False, f"检测报告已超过 {valid_days} 天，需要新的检测",
                     f"The lab report is over {valid_days} days old: a new test is needed")
    first = recent[0]["report"]
    lab, cma = first["agency"]["name"], first["agency"]["cma"]
    more = len(recent) - 1  # the results row counts them all: say they are there
    # How long the room may rely on it: a trial's assistant found the rule nowhere.
    until = (date.fromisoformat(first["issued_on"]) + timedelta(days=valid_days)).isoformat()
    return Check("report", True, f"{lab}（CMA {cma}）"
                 f"报告 {first['report_no']}，{first['issued_on']} 签发，签名有效，"
                 f"选品可依据到 {until}（签发后 {valid_days} 天）" +
                 (f"；另有 {more} 份现行报告" if more else ""),
                 f"{lab} (CMA {cma}) report {first['report_no']}, issued "
                 f"{first['issued_on']}, signature valid, good for selection until {until} "
                 f"({valid_days} days from issue)" +
                 (f"; {more} more current report(s)" if more else ""))


def results_check(served: list[dict]) -> Check:
    """Every tested item of the signed current reports passes."""
    valid = inspection_store.signed_standing(served)
    failed = reports.failed_names(valid)
    if failed:  # with what kind of test each is: 联苯菊酯 alone told the host nothing
        return Check("results", False,
                     f"不合格项目：{'、'.join(glossary.explained(name, 'zh') for name in failed)}"
                     "；这批商品不能上播，请联系供货商",
                     f"Failed: {', '.join(glossary.explained(name, 'en') for name in failed)}; "
                     "this batch cannot go on air: contact the supplier")
    if not valid:
        return Check("results", False, "没有可核对的检测结果", "No lab results to check")
    verdicts = [item["verdict"] for record in valid for item in record["items"]]
    passed = sum(verdict in reports.PASSED for verdict in verdicts)
    unjudged = len(verdicts) - passed  # grades (光泽 A) and 不判定: tested, not passed
    across = (f"{len(valid)} 份现行报告共 ", f"across {len(valid)} current reports, ") \
        if len(valid) > 1 else ("", "")
    return Check("results", True,
                 f"{across[0]}{passed} 个项目合格" +
                 (f"，另有 {unjudged} 个分级或不判定项目" if unjudged else "") + "，无不合格",
                 f"{across[1]}{passed} item(s) passed" +
                 (f", {unjudged} graded or not judged" if unjudged else "") + ", none failed")


def _supplier(verdict: verification.Verdict) -> Check:
    supplier = verdict.supplier
    if supplier is None or not supplier.approved:
        return Check("supplier", False, "供货商未通过平台审核",
                     "The supplier is not approved by the platform")
    named = f"{supplier.name}，统一社会信用代码 {supplier.credit_code}"
    named_en = f"{supplier.name}, unified social credit code {supplier.credit_code}"
    if supplier.suspended:
        on = beijing_time(supplier.suspended_at, "%Y-%m-%d")
        return Check("supplier", False, f"{named}；平台已于 {on} 暂停其资格："
                     f"{supplier.suspended_reason}。暂停期间不能选用",
                     f"{named_en}; the platform suspended it on {on}: "
                     f"{supplier.suspended_reason}. It cannot be selected while suspended")
    if not supplier.phone:  # 绿色直播间: merchants publish how buyers reach them
        return Check("supplier", False, f"{named}；没有公示客服电话，买家遇到召回或质量问题时"
                     "联系不到生产企业：请供货商在“企业信息”里填写",
                     f"{named_en}; no customer service phone is published, so buyers "
                     "cannot reach the producer about a recall or a defect: ask the supplier "
                     "to add one under Company details")
    return Check("supplier", True, f"{named}，客服电话 {supplier.phone}",
                 f"{named_en}, customer service {supplier.phone}")


def _after_sales(db: sqlite_utils.Database, verdict: verification.Verdict) -> Check:
    """Buyers' reports of fakes against the supplier's products over a year, and its
    other batches' recalls: one the platform made, still in force, fails the check;
    one the supplier made of its own accord (frost-bitten fruit taken back) or a
    withdrawn one is named, to heed (the sample's own batch's recall has a row of
    its own)."""
    assert verdict.supplier is not None
    since = (datetime.now(timezone.utc) - AFTER_SALES_WINDOW).isoformat()
    gtins = "SELECT gtin FROM products WHERE supplier_id = ?"
    told = buyer_reports.against_supplier(db, verdict.supplier.id, since, verdict.serial)
    # Reports sent from a forged code are of fakes of its label, sold by others: said,
    # never held against it (a confirmed one failed a genuine supplier's check).
    fakes, unfounded, confirmed = told.about_goods, told.unfounded, told.confirmed_about_goods
    events = "SELECT count(*) FROM status_events e WHERE e.batch_id = b.id AND e.action = ?"
    recalled = db.execute(
        f"SELECT b.id, b.lot, b.status, (SELECT reason FROM status_events e WHERE "
        f"e.batch_id = b.id AND e.action = 'recall' ORDER BY e.id DESC LIMIT 1), "
        f"({events} AND e.at >= ?), "
        f"({events} AND e.at >= ?) FROM batches b "
        f"WHERE b.gtin IN ({gtins}) AND b.id IN (SELECT batch_id FROM status_events "
        f"WHERE action IN ('recall', 'recall_item') AND at >= ?) ORDER BY b.lot",
        ["recall", since, "recall_item", since, verdict.supplier.id, since]).fetchall()
    # The sample's own batch under recall is the recall row's to say, not said twice.
    own = verdict.batch.lot if verdict.batch else None
    standing = [(batch_id, f"{lot}（{reason}）") for batch_id, lot, status, reason, _b, _i
                in recalled if status == "recalled" and lot != own]
    in_force = [said for batch_id, said in standing
                if recalls.recalled_by_platform(db, batch_id)]
    own_accord = [said for said in dict(standing).values() if said not in in_force]
    # A batch recall lifted since; single items recalled are not a batch's recall.
    withdrawn = [lot for _id, lot, status, _reason, batch, _items in recalled
                 if batch and status != "recalled"]
    items = [(lot, count) for _id, lot, _status, _reason, _batch, count in recalled if count]
    detail = (f"近一年：消费者举报假货或质量问题 {fakes} 起（同一来源的多次举报算一起）"
              if fakes else "近一年：没有消费者举报假货或质量问题")
    detail += f"，其中 {confirmed} 起经平台核实属实" if confirmed else ""
    detail += (f"；冒用其标签的伪造码被举报 {told.forged} 起（假货不是该供货商的货，不计）"
               if told.forged else "")
    detail += f"，另有 {unfounded} 起经平台核实不属实，不计" if unfounded else ""
    detail += f"；这件样品本身被举报过 {told.this_item} 次" if told.this_item else ""
    detail += (f"；平台召回的其他批次：{'、'.join(in_force)}" if in_force else "")
    detail += (f"；供货商主动召回的其他批次：{'、'.join(own_accord)}" if own_accord else "")
    detail += "" if standing else "；没有其他在召回的批次"
    english = (f"Past year: {fakes} buyers' report(s) of fakes or quality problems (one "
               "source's reports count once)" if fakes
               else "Past year: no buyers' reports of fakes or quality problems")
    english += f", {confirmed} of them confirmed by the platform" if confirmed else ""
    english += (f"; {told.forged} report(s) from forged codes copying its labels (fakes "
                "sold by others, not counted)" if told.forged else "")
    english += (f"; {unfounded} more the platform found unfounded, not counted"
                if unfounded else "")
    english += (f"; this very sample was reported {told.this_item} time(s)"
                if told.this_item else "")
    english += (f"; other batches the platform recalled: {', '.join(in_force)}" if in_force
                else "")
    english += (f"; other batches the supplier recalled itself: {', '.join(own_accord)}"
                if own_accord else "")
    english += "" if standing else "; no other batch under recall"
    if withdrawn:
        detail += f"；曾召回后撤销：{'、'.join(withdrawn)}"
        english += f"; recalls withdrawn: {', '.join(withdrawn)}"
    if items:
        detail += "；单件召回：" + "、".join(f"{lot} {count} 件" for lot, count in items)
        english += "; single items recalled: " + ", ".join(
            f"{lot} ({count})" for lot, count in items)
    # A confirmed report, or one naming this sample, is not a number to tolerate.
    calm = fakes <= FAKE_REPORTS_TOLERATED and not (confirmed or told.this_item)
    return Check("after_sales", calm and not in_force, detail, english,
                 heed=bool(fakes or told.forged or withdrawn or items or own_accord))


def record_selection(db: sqlite_utils.Database, room: Room, result: SampleCheck, decision: str,
                     *, actor: str, note: str | None = None,
                     override_reason: str | None = None, form_id: str | None = None) -> int:
    """Store the room's decision with the checklist as it stood; 选用 with any failed
    check needs an override reason, which the 台账 shows (a reason given where nothing
    failed, or for another decision, is kept with the note). ``form_id``: the check
    form's own id; the same form sent again records nothing and returns the first
    record's id."""
    if decision not in DECISIONS:
        raise InvalidInput(f"the decision must be one of {', '.join(DECISIONS)}",
                           message_zh=f"决定须为 {'、'.join(DECISIONS)} 之一")
    if result.batch is None:
        raise InvalidInput("this code names no batch of ours; nothing can be recorded for it",
                           message_zh="这个码不是本平台登记的商品，无法记录")
    reason = catalog.clean_text(override_reason, "override reason", limit=200,
                                what_zh="选用理由")
    if decision == "选用" and not result.selectable:
        raise Forbidden("a recalled, cancelled, expired, forged or failed-test sample, or one of "
                        "a suspended supplier, can never be selected (选用), whatever the reason",
                        message_zh="召回、作废、过期、检测不合格、伪造或供货商被平台暂停的商品不能选用")
    if decision == "选用" and not result.ok and not reason:
        failed = ", ".join(check.name for check in result.checks if not check.ok)
        raise InvalidInput(f"选用 with failed checks ({failed}) needs --override-reason",
                           message_zh="有未通过的核验项，选用须填写选用理由")  # 400: a field
    note = catalog.clean_text(note, "note", limit=500, multiline=True, what_zh="备注")
    if reason and (decision != "选用" or result.ok):  # nothing to override: the 台账's
        note, reason = "；".join(filter(None, (note, reason))), None  # column stays clear
    form_id = form_id if form_id and FORM_ID.fullmatch(form_id) else None
    with db.atomic():
        sent = db.execute("SELECT id FROM selections WHERE room_id = ? AND form_id = ?",
                          [room.id, form_id]).fetchone() if form_id else None
        if sent:
            return sent[0]
        cursor = db.execute(
            "INSERT INTO selections (room_id, batch_id, serial, decision, checks, passed, note, "
            "override_reason, actor, at, form_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [room.id, result.batch.id, result.serial, decision,
             json.dumps(result.to_json()["checks"], ensure_ascii=False), int(result.ok),
             note, reason, actor, utc_now(), form_id])
        leaves.record(db, f"selections:{cursor.lastrowid}")
    return cursor.lastrowid or 0


FORM_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_form_id() -> str:
    """A check form's id, made when the form is shown."""
    return secrets.token_urlsafe(16)


def earlier_decisions(db: sqlite_utils.Database, room: Room, batch_id: int,
                      limit: int = 5) -> list[dict]:
    """The room's own latest records for the batch, newest first: a sample checked
    again shows what the room decided before, and why."""
    return list(db.query(
        f"SELECT decision, passed, note, override_reason, actor, at, {ABOUT_THE_BATCH} "
        "AS about_batch FROM selections "
        "WHERE room_id = ? AND batch_id = ? ORDER BY id DESC LIMIT ?",
        [room.id, batch_id, limit]))


def public_selections(db: sqlite_utils.Database, batch_id: int) -> list[dict]:
    """The rooms whose latest decision on the batch is 选用 with every check passed:
    what a buyer may read as "this room checked it". An overridden or withdrawn
    selection is the room's own record, not a recommendation; nor is one the batch's
    recall or its supplier's suspension came after (the room's page waits for a new
    check, live.STATES 'recheck' and 'reinstated'). Each with the room's id on its
    platform (``account``), which buyers and inspectors look the room up by."""
    return [dict(row, action="selected", platform_zh=PLATFORMS[row["platform"]],
                 platform_en=PLATFORMS_EN[row["platform"]]) for row in db.query(
        "SELECT r.name AS room, r.platform, r.room_id AS account, s.at FROM selections s "
        "JOIN rooms r ON r.id = s.room_id WHERE s.id IN (SELECT max(id) FROM selections "
        f"WHERE batch_id = ? AND {ABOUT_THE_BATCH} GROUP BY room_id) "
        "AND s.decision = '选用' AND s.passed = 1 "
        f"AND NOT {RECALLED_AFTER.format(batch='s.batch_id', at='s.at')} "
        f"AND NOT {SUSPENDED_AFTER.format(batch='s.batch_id', at='s.at')} "
        "ORDER BY s.id", [batch_id])]
