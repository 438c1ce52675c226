"""Verify a scanned URL and say what it is: one verdict with a human reason.

The same :class:`Verdict` is rendered as the phone page, served as JSON and
printed by ``python -m trace verify``::

    verdict = verify_url(db, "https://trace.example.cn/01/0952.../10/L1/21/S?k=..&s=..",
                         base_url="https://trace.example.cn")
    verdict.verdict        # 'genuine', 'forged', 'invalid', ...
    verdict.to_json()
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Iterable
from urllib.parse import parse_qs, urlsplit

import sqlite_utils

from . import catalog, recalls, scans, snapshots
from .codes import BatchRef, ItemCode, normalise_typed_serial, parse_link, verify_signature
from .db import utc_now
from .errors import CutLink, InvalidCode, InvalidInput, NotFound, NotOurSite
from .gs1 import gtin_check_digit
from .inspections import store as inspection_store
from .corrections import Correction
from .recalls import StatusEvent
from .scans import Observer, ScanHistory, ScanPolicy
from .transparency.findings import Problem

VERDICTS = ("genuine", "suspicious", "recalled", "void", "forged", "invalid", "registered")

# reason key -> (Chinese, English): what a buyer reads, no jargon; Chinese first.
REASONS = {
    "genuine": ("这是本平台为这件商品发放的追溯码，防伪签名核对无误。",
                "This is the code we issued for this item, and its anti-forgery "
                "signature checks out."),
    "owned_but_copied": ("您已用刮开的防伪密码认领这件商品：您手上的这件是本平台发放的。这个码还被很多别的手机"
                         "或 App 查询过，可能有人把它复制到了别的商品上，那些是假的。",
                         "You claimed this item with the PIN under the coating: the one in "
                         "your hands is the item we issued. Many other phones or apps "
                         "have looked its code up, so it may have been copied onto other "
                         "items; those are fakes."),
    "forged": ("本平台没有发放过这个码，它是伪造的或被改动过。",
               "We never issued this code: it is forged or has been altered."),
    # Signed by a key not valid when the code is on record as issued (revoked after
    # a leak, say): ours or a forger's with the stolen key, nobody can tell which.
    "key_not_valid": ("这个码的防伪签名已失效，无法确认它是本平台发放的，可能是伪造的。",
                      "The anti-forgery signature on this code is no longer valid, so we "
                      "cannot confirm we issued it: it may be forged."),
    "unreadable": ("这不是本平台的追溯码，或二维码没有扫完整。请对准商品标签上的二维码重新扫描。",
                   "This is not one of our codes, or the QR code was not read completely. "
                   "Scan the QR code on the item's label again."),
    "batch_url": ("这是批次页面的网址，不是单件商品的追溯码。请扫描商品标签上的二维码。",
                  "This is a batch page address, not an item's code. Scan the QR code "
                  "on the item's label."),
    # The shop or room that sold it takes it back; the supplier's phone follows.
    "recalled": ("该商品已被召回，请停止使用，找卖给您的店铺或直播间退货。",  # food: reason.recalled_food
                 "This item has been recalled. Stop using it and return it to the shop "
                 "or livestream room that sold it."),
    "void": ("这个码已作废，不再代表任何商品。如果它贴在您买到的商品上，请谨防假冒。",
             "This code has been cancelled and stands for no item. If it is on an item "
             "you bought, beware of fakes."),
    # Many browsers or many networks trip it: the words must hold for either (twelve
    # browsers on one network read 很多不同的手机和网络 beside 1 个网络).
    "copied": ("这个码被很多不同的手机或 App 查询过，可能被复制到了多件商品上。",
               "This code has been looked up from many different phones or apps: "
               "it may have been copied onto several items."),
    "claimed_elsewhere": ("这件商品已在另一台手机或另一个 App 里被认领。如果不是您或家人认领的，它的标签可能是复制的。",
                          "This item has been claimed on another phone or in another app. If "
                          "neither you nor your family claimed it, its label may be a copy."),
    "registered": ("本平台发放过这个追溯码。手工输入的码无法核对防伪签名。",
                   "We issued this code. A typed code cannot prove the anti-forgery "
                   "signature."),
    "cut_link": ("这个网址在复制时被截断了，无法核对防伪签名；按网址里的序列号，找到了本平台发放的这件商品。",
                 "This address was cut short when copied, so its anti-forgery signature "
                 "cannot be checked; by the serial in it, we found the item we issued."),
    # Opened without its signature (a link a chat cut short, tapped): still never the
    # item's record, which a label printed so, by a forger, would borrow.
    "cut_opened": ("这个网址后半截（防伪签名）缺了，无法核对真假。如果是别人发给您的链接，请对方重新发一次"
                   "完整的链接，或用微信扫一扫商品标签上的二维码；扫标签还是这样的话，这个二维码不是本平台印的，"
                   "请谨防假冒。",
                   "The end of this address (its anti-forgery signature) is missing, so it "
                   "cannot be checked. If someone sent you the link, ask them to send the "
                   "whole link again, or scan the QR code on the item's label; if the label "
                   "gives this too, its QR code was not printed by us: beware of fakes."),
    "cut_link_opened": ("这个网址缺了末尾的防伪签名，无法确认真伪；下方是按网址里的序列号找到的本平台商品记录。",
                        "This address lacks the anti-forgery signature at its end, so it "
                        "cannot be confirmed; below is the record we hold for the serial in "
                        "it."),
    # One character misread is the likeliest cause: say which ones look alike.
    "typed_unknown": ("没有找到这个追溯码。请逐位核对：8 和 B、5 和 S、2 和 Z、0 和 D 容易看错。",
                      "We have no such trace code. Check each character: 8 and B, 5 and S, "
                      "2 and Z, 0 and D are easily mistaken for each other."),
    "typed_format": ("这不是标签上印的追溯码格式。追溯码是 12 位字母和数字，印在二维码旁边，"
                     "例如 RZJ4-WDFF-XA07，请对照标签重新输入。",
                     "That is not a trace code as printed on our labels: 12 letters and "
                     "digits next to the QR code, like RZJ4-WDFF-XA07. Type it again from the "
                     "label."),
    "other_site": ("这个网址不是本平台的。假冒的验证网站很常见：请只相信本页顶部官方网址上的"
                   "结果，并用手机扫一扫商品标签上的二维码。",
                   "This address is not ours. Look-alike verification sites are common: "
                   "trust only results on the official address at the top of this page, "
                   "and scan the QR code on the item's label with your phone."),
    "typed_barcode": ("这是商品条码（包装上条形码下面的一串数字），不是追溯码。追溯码是 12 位"
                      "字母和数字，印在二维码旁边，例如 RZJ4-WDFF-XA07。",
                      "That is the product's barcode number (under the bars on the pack), not "
                      "the trace code: 12 letters and digits next to the QR code, like "
                      "RZJ4-WDFF-XA07."),
    "typed_ambiguous": ("这个码对应多件商品，请扫描标签上的二维码查询。",
                        "This code matches more than one item: scan the QR code on the "
                        "label instead."),
}

# Why a code was judged forged or unreadable: shown only under 技术详情.
TECHNICAL = {
    "unknown_key": ("签名密钥不属于本平台", "signed with a key that is not ours"),
    "wrong_role": ("该密钥无权签发商品码", "signed with a key that may not sign item codes"),
    "bad_signature": ("签名验证失败", "the signature does not verify"),
    "unknown_item": ("签名有效但本平台没有该商品的发码记录",
                     "the signature verifies but no such item was issued"),
    "key_not_valid": ("签名密钥已被吊销，且无记录表明此码签发于吊销之前",
                      "the key was revoked and this code is not on record as issued before"),
    "mismatch": ("码的内容与发码记录不一致", "the code does not match the issue record"),
}


@dataclass(frozen=True)
class Verdict:
    """What a scan tells the buyer, with everything the page shows."""

    verdict: str
    reason: str
    reason_en: str
    reason_code: str
    detail: str | None = None          # technical, for the folded 技术详情 only
    detail_en: str | None = None
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    kid: str | None = None
    product: catalog.Product | None = None
    supplier: catalog.Supplier | None = None
    batch: catalog.Batch | None = None
    item: dict | None = None
    scans: ScanHistory | None = None
    events: tuple[StatusEvent | Correction, ...] = ()  # oldest first
    inspections: tuple[dict, ...] = ()     # DESIGN §7, every version, newest first
    typed: bool = False
    verified_at: str = field(default_factory=utc_now)
    facts_stamp: snapshots.Stamp | None = None  # what the batch-level parts are as of
    # Where the batch's records differ from the ledger's (snapshots.BatchFacts), and
    # where the item's own status does: the page renders the latter afresh.
    differences: tuple[Problem, ...] = ()
    item_differences: tuple[Problem, ...] = ()

    @property
    def records_altered(self) -> bool:
        return bool(self.differences or self.item_differences)

    @property
    def is_genuine(self) -> bool:
        return self.verdict == "genuine"

    @property
    def has_pin(self) -> bool:
        return bool(self.item and self.item.get("pin_hash"))

    @property
    def failed_tests(self) -> list[str]:
        """The items a standing, signed report of the batch fails: the page says
        检测不合格 above a genuine verdict, a room may not select it."""
        return inspection_store.failed_tests(list(self.inspections))

    @property
    def status_reason(self) -> str | None:
        """The supplier's or operator's own words for a recall or void."""
        if self.batch and self.batch.status == "recalled":
            return self.batch.status_reason
        return self.item.get("status_reason") if self.item else None

    def to_json(self) -> dict:
        data: dict[str, Any] = {
            "verdict": self.verdict, "reason": self.reason, "reason_en": self.reason_en,
            "reason_code": self.reason_code, "detail": self.detail, "detail_en": self.detail_en,
            "gtin": self.gtin, "lot": self.lot, "serial": self.serial, "kid": self.kid,
            "product": self.product.name if self.product else None,
            "supplier": self.supplier.name if self.supplier else None,
            "verified_at": self.verified_at}
        if self.product:
            data["product_info"] = self.product.public_json()
        if self.supplier:
            data["supplier_info"] = self.supplier.public_json()
        if self.batch:
            data["batch"] = self.batch.public_json()
        if self.item:
            data["item"] = {k: self.item[k] for k in ("serial", "status", "status_reason",
                                                      "issued_at", "kid")}
            data["item"]["has_pin"] = self.has_pin
        if self.scans:
            data["scans"] = self.scans.to_json()
        if self.events:
            data["events"] = [event.to_json() for event in self.events]
        if self.batch:
            data["inspections"] = list(self.inspections)
            # What the page says above a genuine verdict, so a caller need not work it out.
            data["failed_tests"] = self.failed_tests
            data["supplier_suspended"] = bool(self.supplier and self.supplier.suspended)
            data["expired"] = self.batch.expired()
            data["records_altered"] = self.records_altered
            data["caution"] = self.caution or None
        return data

    @property
    def caution(self) -> str:
        """Why a code of ours should not be bought or used though it verifies:
        "altered" (the batch's records were changed around the platform, so nothing
        the page says of it can be believed), "failed" (a current signed report
        fails an item), "suspended" (the platform suspended the supplier),
        "expired", or "". The page heads the verdict with it, or a buyer reads a big
        green 验证通过 as "the goods are fine"."""
        return caution_of(self.records_altered, self.failed_tests, self.supplier, self.batch)


# Every Verdict.reason_code: a buyer's reason (REASONS) or why a code is forged.
REASON_CODES = tuple(sorted({*REASONS, *TECHNICAL}))


def caution_of(altered: bool, failed_tests: list[str], supplier: catalog.Supplier | None,
               batch: catalog.Batch | None) -> str:
    """Verdict.caution's word, for an item's page or a batch's."""
    if altered:
        return "altered"
    if failed_tests:
        return "failed"
    if supplier and supplier.suspended:
        return "suspended"
    return "expired" if batch and batch.expired() else ""


def _reason(key: str) -> tuple[str, str, str]:
    """(Chinese, English, key): the verdict's reason in both languages and by name."""
    zh, en = REASONS[key]
    return zh, en, key


def _forged(key: str, ids: dict[str, Any]) -> Verdict:
    zh, en = TECHNICAL[key]
    return Verdict("forged", *REASONS.get(key, REASONS["forged"]), key, detail=zh,
                   detail_en=en, **ids)


def verify_url(db: sqlite_utils.Database, url: str, base_url: str | None = None,
               seen: Observer | None = None, policy: ScanPolicy = ScanPolicy(), *,
               pasted: bool = False, record: bool = True) -> Verdict:
    """Parse and verify ``url``; never raises for bad input, it says ``invalid``.
    ``pasted``: text a chat may have cut short, whose serial still finds the item
    (``cut_link_verdict``); not for the command line's or the API's addresses.
    ``record``: false to judge as ``seen`` would read it without counting a scan."""
    try:
        parsed = parse_link(url, base_url)
    except CutLink as cut:
        return cut_link_verdict(db, cut, seen, policy) if pasted else invalid_verdict(cut)
    except InvalidCode as error:
        return invalid_verdict(error)
    if isinstance(parsed, BatchRef):
        return Verdict("invalid", *_reason("batch_url"), gtin=parsed.gtin, lot=parsed.lot)
    return verify_code(db, parsed, seen, policy, record=record)


def cut_link_verdict(db: sqlite_utils.Database, cut: CutLink, seen: Observer | None,
                     policy: ScanPolicy, *, opened: bool = False) -> Verdict:
    """An address cut short (pasted, or ``opened``: a forwarded link tapped): the item
    its serial names, as a typed code finds it (never 正品: the signature is gone),
    saying the address was cut; what was cut, when no item has that serial. A relative
    sent a cut link has no label to scan, and must still read a recall or a failed
    test; a label printed without its signature gets the same blue page, which says
    such a QR code is not ours."""
    found = verify_typed(db, cut.serial, seen, policy)
    if found.verdict == "invalid":
        return invalid_verdict(cut)
    said = "cut_link_opened" if opened else "cut_link"
    reason = _reason(said) if found.reason_code == "registered" else \
        (found.reason, found.reason_en, found.reason_code)  # recalled, void, copied: first
    return replace(found, reason=reason[0], reason_en=reason[1], reason_code=reason[2],
                   detail=cut.message_zh, detail_en=cut.message)


# A link inside shared text (【抖音】复制这段话 https://… 打开验证, spaces or not): a
# code URL is printable ASCII, so it ends at the first other character; a full
# stop or bracket closing the sentence is not part of it.
_LINK_IN_TEXT = re.compile(r"https?://[!-~]+", re.IGNORECASE)
_CLOSING = ".,;:!?)]}>'\""


def batch_entered(text: str, base_url: str | None) -> BatchRef | None:
    """The batch, when what was pasted is one of our batch pages' links (the QR on
    a livestream's screen): that page is the answer, not a verdict on an item."""
    entered = entered_text(text, base_url)
    if not urlsplit(entered).scheme:
        return None
    try:
        parsed = parse_link(entered, base_url)
    except InvalidCode:
        return None
    return parsed if isinstance(parsed, BatchRef) else None


def batch_named(text: str) -> BatchRef | None:
    """A batch typed as its GTIN and lot ("6901234567892 ZJ-2611-A"), as the operator
    reads them off a label on the phone; None for anything else. Digits first that
    do not make a barcode (a check digit off) raise ``InvalidInput`` saying so."""
    words = (text or "").split()
    if len(words) != 2:
        return None
    if re.fullmatch(r"[0-9]{8,14}", words[0]):  # a barcode typed wrong is said as such
        return BatchRef(catalog.normalise_gtin(words[0]), catalog.normalise_lot(words[1]))
    try:
        return BatchRef(catalog.normalise_gtin(words[0]), catalog.normalise_lot(words[1]))
    except InvalidInput:
        return None


def look_up(db: sqlite_utils.Database, text: str, base_url: str | None) -> Verdict | dict:
    """What the operator's search finds: a batch's view (its link, or its GTIN and lot;
    ``NotFound`` when there is none), else the verdict on an item's code or 追溯码,
    looked at without counting a scan."""
    batch = batch_entered(text, base_url) or batch_named(text)
    if batch is not None:
        return batch_view(db, batch.gtin, batch.lot)
    return verify_text(db, text, base_url)


def entered_text(text: str, base_url: str | None = None) -> str:
    """What a person pasted or typed, as one code URL or 追溯码: the link out of a
    chat app's share text, the code out of one of our ``/verify?q=`` links, and
    our own host's link without its ``https://``."""
    text = (text or "").strip()
    found = _LINK_IN_TEXT.search(text)
    if found and (found.start() > 0 or found.end() < len(text)):
        text = found.group(0).rstrip(_CLOSING)
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https") and parts.path == "/verify":
        query = parse_qs(parts.query)
        text = (query.get("q") or query.get("url") or [""])[0].strip()
        parts = urlsplit(text)
    if base_url and not parts.scheme and "/01/" in text:  # copied without "https://"
        official = urlsplit(base_url)
        if text.lower().startswith(official.netloc.lower() + "/"):
            text = f"{official.scheme}://{text}"
    if "/10/" in text and "/21/" not in text and "?" not in text:
        text = text.rstrip("/")  # a batch link copied with a closing slash
    return text


def verify_text(db: sqlite_utils.Database, text: str, base_url: str | None = None,
                seen: Observer | None = None, policy: ScanPolicy = ScanPolicy()) -> Verdict:
    """Whatever a person pasted or typed: a code URL, a 追溯码 from under the QR
    (``RZJ4-WDFF-XA07``), or one of our ``/verify?q=`` links carrying either
    (``entered_text``)."""
    text = entered_text(text, base_url)
    if urlsplit(text).scheme or text.startswith("/"):
        return verify_url(db, text, base_url, seen, policy, pasted=True)
    return verify_typed(db, text, seen, policy)


def invalid_verdict(error: InvalidCode) -> Verdict:
    key = "other_site" if isinstance(error, NotOurSite) else \
        "cut_opened" if isinstance(error, CutLink) else "unreadable"
    return Verdict("invalid", *_reason(key), detail=error.message_zh, detail_en=error.message)


def verify_code(db: sqlite_utils.Database, code: ItemCode, seen: Observer | None = None,
                policy: ScanPolicy = ScanPolicy(), *, record: bool = True) -> Verdict:
    """Check key, signature and record for a parsed item code. A verified scan by
    ``seen`` is recorded in the item's history unless ``record`` is false (the
    page after a claim); ``seen=None`` looks without counting (the CLI)."""
    ids: dict[str, Any] = dict(gtin=code.gtin, lot=code.lot, serial=code.serial, kid=code.kid)
    at = snapshots.stamp(db)  # one read of the content version for the key and the batch
    key = snapshots.key(db, code.kid, at)
    if key is None:
        return _forged("unknown_key", ids)
    if key.role != "issuer":
        return _forged("wrong_role", ids)
    if not verify_signature(key.public_bytes, code):
        issued = _as_issued(code, key.public_bytes)  # our code retyped in lower case
        if issued is None:
            return _forged("bad_signature", ids)
        code = issued
        ids.update(lot=code.lot, serial=code.serial)
    item = catalog.find_item(db, code.gtin, code.serial)
    if item is None:
        return _forged("unknown_item", ids)
    if item["kid"] != code.kid or item["sig"] != code.sig:
        return _forged("mismatch", ids)
    if not key.valid_at(item["issued_at"]):
        return _forged("key_not_valid", ids)
    facts = snapshots.batch_facts(db, item["batch_id"], at)
    if facts.batch.lot != code.lot:
        return _forged("mismatch", ids)
    return _verdict_for_item(db, item, facts, ids, seen, policy, record)


def _as_issued(code: ItemCode, public_raw: bytes) -> ItemCode | None:
    """``code`` as we issued it, if it is one of ours with its lot or serial lowered
    (retyped, or through a tool that lowers addresses: what we issue is upper case,
    so it is the same code, and a red 伪造码 would accuse a genuine item)."""
    upper = replace(code, lot=code.lot.upper(), serial=code.serial.upper())
    if upper == code or not verify_signature(public_raw, upper):
        return None
    return upper


def verify_typed(db: sqlite_utils.Database, text: str, seen: Observer | None = None,
                 policy: ScanPolicy = ScanPolicy()) -> Verdict:
    """A 追溯码 typed from the label: the record and history, never 正品."""
    try:
        serial = normalise_typed_serial(text)
    except InvalidCode as error:
        serial = None
        invalid = Verdict("invalid", *_reason("typed_format"), detail=error.message_zh,
                          detail_en=error.message, typed=True)
    items = catalog.find_items_by_serial(db, serial) if serial else []
    if not items and _is_barcode(text):  # the number under the bars: not ours, nor a fake
        return Verdict("invalid", *_reason("typed_barcode"), typed=True)
    if serial is None:
        return invalid
    if len(items) != 1:
        key = "typed_ambiguous" if items else "typed_unknown"
        return Verdict("invalid", *_reason(key), serial=serial, typed=True)
    item = items[0]
    facts = snapshots.batch_facts(db, item["batch_id"])
    ids: dict[str, Any] = dict(gtin=item["gtin"], lot=facts.batch.lot, serial=serial,
                               kid=item["kid"], typed=True)
    typed_seen = replace(seen, kind="typed") if seen else None
    return _verdict_for_item(db, item, facts, ids, typed_seen, policy)


def _is_barcode(text: str) -> bool:
    """Whether ``text`` is a GTIN as a pack prints it (8, 12, 13 or 14 digits with a
    right check digit). A trace code can be 12 digits by chance: it is asked only
    once no item has that serial."""
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text or ""))
    return digits.isascii() and digits.isdigit() and len(digits) in (8, 12, 13, 14) and \
        gtin_check_digit(digits[:-1]) == int(digits[-1])


def _verdict_for_item(db: sqlite_utils.Database, item: dict, facts: snapshots.BatchFacts,
                      ids: dict[str, Any], seen: Observer | None, policy: ScanPolicy,
                      record: bool = True) -> Verdict:
    """Precedence (DESIGN §6): recalled, void, suspicious, then genuine (registered
    for a typed code)."""
    batch = facts.batch
    item_differences = facts.item_differences(db, item)
    item = _as_logged_if_withdrawn(item, item_differences)
    if seen and record:
        history = scans.record_and_read(db, item["id"], seen, policy)
    else:  # a page shown again (after a claim, in the other language): one look was theirs
        history = scans.read_history(db, item["id"], seen, policy, looked_before=bool(seen))
    context = dict(ids, product=facts.product, supplier=facts.supplier, batch=batch,
                   item=item, scans=history, facts_stamp=facts.stamp,
                   differences=facts.differences, item_differences=item_differences,
                   events=_in_time_order(facts.events_of(db, item["id"]), facts.corrections),
                   inspections=facts.inspections)
    copied = history.copied_reason(policy, viewer_known=seen is not None,
                                   proven_owner=bool(item.get("pin_hash")))
    if batch.status == "recalled" or item["status"] == "recalled":
        key, verdict = "recalled", "recalled"
    elif item["status"] == "void":
        key, verdict = "void", "void"
    elif copied:
        key, verdict = copied, "suspicious"
    elif ids.get("typed"):
        key, verdict = "registered", "registered"
    elif item.get("pin_hash") and history.looks_copied(policy):  # the PIN's claimant
        key, verdict = "owned_but_copied", "genuine"
    else:
        key, verdict = "genuine", "genuine"
    return Verdict(verdict, *_reason(key), **context)


def _as_logged_if_withdrawn(item: dict, differences: tuple[Problem, ...]) -> dict:
    """The item as voided or recalled when the ledger logged it so, whatever its row
    says now: un-voiding a label around the platform must not make it 正品 again.
    A row withdrawn around the ledger stays withdrawn: only ever the cautious way."""
    for problem in differences:
        if problem.params["expected"] != "active":
            return dict(item, status=problem.params["expected"],
                        status_reason=problem.params["expected_reason"])
    return item


def _standing_events(db: sqlite_utils.Database, supplier: catalog.Supplier
                     ) -> list[StatusEvent]:
    """The supplier's suspensions and reinstatements, with why: a buyer who read the
    one reads the other (not who at the platform did it)."""
    return [StatusEvent(f"supplier_{row['action']}", row["reason"], "platform", row["at"])
            for row in catalog.standing_history(db, supplier.id).get(supplier.id, [])]


def _in_time_order(events: Iterable[StatusEvent], changes: Iterable[Correction]
                   ) -> tuple[StatusEvent | Correction, ...]:
    """The batch's (and item's) status events with its and its product's corrections."""
    return tuple(sorted((*events, *changes), key=lambda event: event.at))


def public_batch_json(view: dict) -> dict:
    """The batch page as JSON: only what the page itself shows a buyer."""
    return {"batch": view["batch"].public_json(), "product": view["product"].public_json(),
            "supplier": view["supplier"].public_json(), "issued": view["issued"],
            "events": [event.to_json() for event in view["events"]],
            "inspections": view["inspections"], "items_recalled": view["items_recalled"],
            "items_void": view["items_void"],
            "cancelled": {key: view["cancelled"][key] for key in ("reason", "at")}
            if view["cancelled"] else None, "records_altered": bool(view["differences"]),
            # as an item's JSON says it, so a caller need not work it out; with no
            # verdict to say a recall, the batch's caution says it first
            "caution": "recalled" if view["batch"].status == "recalled" else
            "cancelled" if view["cancelled"] else caution_of(
                bool(view["differences"]), inspection_store.failed_tests(view["inspections"]),
                view["supplier"], view["batch"]) or None}


def public_batch(db: sqlite_utils.Database,
                 batch: catalog.Batch) -> tuple[catalog.Product, catalog.Supplier]:
    """The batch's product and supplier, if its supplier is approved; otherwise
    ``NotFound`` as for an unknown batch (a sign-up could name any brand)."""
    product = catalog.get_product(db, batch.gtin)
    supplier = catalog.supplier_of(db, product)
    if not supplier.approved:
        raise catalog.unregistered_batch(batch.gtin, batch.lot)
    return product, supplier


@dataclass(frozen=True)
class CopiedGoods:
    """Whose goods a forged code names: what a buyer or an inspector follows up."""

    product: catalog.Product
    supplier: catalog.Supplier


def copied_goods(db: sqlite_utils.Database, verdict: Verdict) -> CopiedGoods | None:
    """For a forged code naming one of our approved suppliers' products, the goods it
    copies (a trial's 市场监管 inspector had to cut the URL down to find them);
    None for any other verdict, or a GTIN we do not vouch for."""
    if verdict.verdict != "forged" or not verdict.gtin:
        return None
    try:
        product = catalog.get_product(db, verdict.gtin)
    except (NotFound, InvalidInput):
        return None
    supplier = catalog.supplier_of(db, product)
    if not supplier.approved:  # a sign-up could name any brand
        return None
    return CopiedGoods(product, supplier)


def batch_view(db: sqlite_utils.Database, gtin: str, lot: str) -> dict:
    """Everything the batch page shows; raises ``NotFound`` for an unknown batch, and
    for one of a supplier no operator has approved (a sign-up could name any brand)."""
    try:
        batch = catalog.get_batch(db, gtin, lot)
    except NotFound:  # said to a buyer: a batch we do not vouch for
        raise catalog.unregistered_batch(gtin, lot) from None
    # What the item pages show of the batch, read once a content version: the batch
    # as the ledger logged it when a recall was deleted around it.
    facts = snapshots.batch_facts(db, batch.id)
    batch, product, supplier = facts.batch, facts.product, facts.supplier
    if not supplier.approved:
        raise catalog.unregistered_batch(batch.gtin, batch.lot)
    return {"batch": batch, "product": product, "supplier": supplier,
            "issued": catalog.issued_count(db, batch.id),
            "events": _in_time_order([*facts.events, *_standing_events(db, supplier)],
                                     facts.corrections),
            "inspections": list(facts.inspections),
            "cancelled": catalog.cancellation(db, batch.id),
            **_items_taken_back(db, batch.id), "differences": facts.differences}


def _items_taken_back(db: sqlite_utils.Database, batch_id: int) -> dict[str, int]:
    taken_back = recalls.items_taken_back(db, batch_id)
    return {"items_recalled": taken_back.get("recalled", 0),
            "items_void": taken_back.get("void", 0)}
