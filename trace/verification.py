"""Verify a scanned URL and say what it is: one verdict with a human reason.

The same :class:`Verdict` is rendered as the phone page, served as JSON and
printed by ``python -m trace verify``::

    verdict = verify_url(db, "https://trace.example.cn/01/0952.../10/L1/21/S?k=..&s=..",
                         base_url="https://trace.example.cn")
    verdict.verdict        # 'genuine', 'forged', 'invalid', ...
    verdict.to_json()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from . import catalog
from .codes import BatchRef, ItemCode, parse_link, verify_signature
from .db import utc_now
from .errors import InvalidCode
from .keys import get_key

VERDICTS = ("genuine", "suspicious", "recalled", "void", "forged", "invalid")

# reason key -> (Chinese, English); Chinese first on every consumer surface.
REASONS = {
    "genuine": ("签名有效，商品已登记：正品。", "Valid signature for a registered item: genuine."),
    "unknown_key": ("签名密钥不属于本平台：此码系伪造。",
                    "The signing key is not one of ours: this code is forged."),
    "wrong_role": ("该密钥无权签发商品码：此码系伪造。",
                   "That key may not sign item codes: this code is forged."),
    "bad_signature": ("签名验证失败：此码系伪造或被篡改。",
                      "The signature does not verify: forged or altered."),
    "unknown_item": ("签名有效但本平台没有发放过此码：请谨防假冒。",
                     "Signature valid but we never issued this item: beware of fakes."),
    "key_not_valid": ("签名密钥已被吊销，此码签发于吊销之后或未被记录：此码系伪造。",
                      "The key was revoked and this code is not on record as issued "
                      "before then: forged."),
    "mismatch": ("码的内容与本平台记录不一致：此码系伪造。",
                 "The code does not match our records: forged."),
    "batch_url": ("这是批次网址，不是单品追溯码。", "This is a batch URL, not an item code."),
    "recalled": ("该商品已被召回：{detail}", "This item has been recalled: {detail}"),
    "void": ("该码已作废：{detail}", "This code has been voided: {detail}"),
}


@dataclass(frozen=True)
class Verdict:
    """What a scan tells the buyer, with everything the page shows."""

    verdict: str
    reason: str
    reason_en: str
    reason_code: str
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    kid: str | None = None
    product: catalog.Product | None = None
    supplier: catalog.Supplier | None = None
    batch: catalog.Batch | None = None
    item: dict | None = None
    verified_at: str = field(default_factory=utc_now)

    @property
    def is_genuine(self) -> bool:
        return self.verdict == "genuine"

    def to_json(self) -> dict:
        data: dict[str, Any] = {
            "verdict": self.verdict, "reason": self.reason, "reason_en": self.reason_en,
            "reason_code": self.reason_code,
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
            data["item"] = {k: self.item[k] for k in ("serial", "status", "issued_at", "kid")}
        return data


def _reason(key: str, detail: str = "") -> tuple[str, str, str]:
    """(Chinese, English, key): the verdict's reason in both languages and by name."""
    zh, en = REASONS[key]
    return zh.format(detail=detail or "—"), en.format(detail=detail or "—"), key


def verify_url(db: sqlite_utils.Database, url: str, base_url: str | None = None) -> Verdict:
    """Parse and verify ``url``; never raises for bad input, it says ``invalid``."""
    try:
        parsed = parse_link(url, base_url)
    except InvalidCode as error:
        return invalid_verdict(error)
    if isinstance(parsed, BatchRef):
        return Verdict("invalid", *_reason("batch_url"), gtin=parsed.gtin, lot=parsed.lot)
    return verify_code(db, parsed)


def invalid_verdict(error: InvalidCode) -> Verdict:
    return Verdict("invalid", f"无法识别的追溯码：{error.message_zh}",
                   f"Not a Trace code: {error.message}", "unreadable")


def verify_code(db: sqlite_utils.Database, code: ItemCode) -> Verdict:
    """Check key, signature and record for a parsed item code."""
    ids: dict[str, Any] = dict(gtin=code.gtin, lot=code.lot, serial=code.serial, kid=code.kid)
    key = get_key(db, code.kid)
    if key is None:
        return Verdict("forged", *_reason("unknown_key"), **ids)
    if key.role != "issuer":
        return Verdict("forged", *_reason("wrong_role"), **ids)
    if not verify_signature(key.public_bytes, code):
        return Verdict("forged", *_reason("bad_signature"), **ids)
    item = catalog.find_item(db, code.gtin, code.serial)
    if item is None:
        return Verdict("forged", *_reason("unknown_item"), **ids)
    if item["kid"] != code.kid or item["sig"] != code.sig:
        return Verdict("forged", *_reason("mismatch"), **ids)
    if not key.valid_at(item["issued_at"]):
        return Verdict("forged", *_reason("key_not_valid"), **ids)
    return _verdict_for_item(db, item, ids)


def _verdict_for_item(db: sqlite_utils.Database, item: dict, ids: dict[str, Any]) -> Verdict:
    batch = catalog.get_batch_by_id(db, item["batch_id"])
    if batch.lot != ids["lot"]:
        return Verdict("forged", *_reason("mismatch"), **ids)
    product = catalog.get_product(db, batch.gtin)
    context = dict(ids, product=product, supplier=catalog.supplier_of(db, product),
                   batch=batch, item=item)
    if batch.status == "recalled":
        return Verdict("recalled", *_reason("recalled", batch.status_reason or ""), **context)
    if item["status"] == "recalled":
        return Verdict("recalled", *_reason("recalled", item["status_reason"] or ""),
                       **context)
    if item["status"] == "void":
        return Verdict("void", *_reason("void", item["status_reason"] or ""), **context)
    return Verdict("genuine", *_reason("genuine"), **context)


def public_batch_json(view: dict) -> dict:
    """The batch page as JSON: only what the page itself shows a buyer."""
    return {"batch": view["batch"].public_json(), "product": view["product"].public_json(),
            "supplier": view["supplier"].public_json(), "issued": view["issued"]}


def batch_view(db: sqlite_utils.Database, gtin: str, lot: str) -> dict:
    """Everything the batch page shows; raises ``NotFound`` for an unknown batch."""
    batch = catalog.get_batch(db, gtin, lot)
    product = catalog.get_product(db, gtin)
    return {"batch": batch, "product": product, "supplier": catalog.supplier_of(db, product),
            "issued": catalog.issued_count(db, batch.id)}
