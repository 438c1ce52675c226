"""Where labels come from: a batch's codes read part by part, or items in memory.

A large job never holds every code in memory; positions are 1-based in issue
order, as ``codes export`` numbers them::

    source = BatchSource(db, "09521234000013", "ZJ-2611-A", "https://trace.example.cn",
                         parse_range("1-500"))
    source.count, source.slice(0, 200)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from . import catalog, claims
from .codes import ItemCode
from .errors import InvalidInput
from .textfit import missing_glyphs


@dataclass(frozen=True)
class LabelItem:
    """What one label shows."""

    url: str
    gtin: str
    lot: str
    serial: str
    product: str
    pin: str = ""
    # What a stock may print beyond the name (a textile's hang tag, GB/T 5296.4): the
    # product's 规格, 执行标准, 纤维含量 and care, and its maker's name and address.
    spec: str = ""
    standard: str = ""
    fibre: str = ""
    care: str = ""
    maker: str = ""
    produced: str = ""  # the batch's 生产日期 (a fruit's picking or packing date)


def printable_or_empty(text: str | None) -> str:
    """``text`` if the label font prints all of it, else nothing."""
    return text if text and not missing_glyphs(text) else ""


def details_of(product: catalog.Product, maker: catalog.Supplier) -> dict[str, str]:
    """The product's details as ``LabelItem`` takes them. Typed freely, unlike the
    name: a character the label font lacks leaves that line out rather than print a
    box or refuse the labels."""
    return {"spec": printable_or_empty(product.specification),
            "standard": printable_or_empty(product.standard),
            "fibre": printable_or_empty(product.fibre_content),
            "care": printable_or_empty(product.care),
            "maker": printable_or_empty(" ".join(filter(None, (maker.name, maker.address))))}


def parse_range(text: str) -> tuple[int, int]:
    """``FROM-TO``: 1-based positions in issue order, inclusive (``5`` means 5-5)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text or "")
    if not match:
        raise InvalidInput(f"--serials must look like 1-500, got {text!r}")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first < 1 or last < first:
        raise InvalidInput(f"--serials {text}: positions start at 1 and FROM <= TO")
    return first, last


class BatchSource:
    """A batch's active codes in issue order, optionally only positions FROM-TO
    (1-based, as numbered by ``codes export``), read part by part so a large job
    never holds every code in memory."""

    _WHERE = "WHERE batch_id = ? AND status = 'active' AND id BETWEEN ? AND ?"

    def __init__(self, db: sqlite_utils.Database, gtin: str, lot: str, base_url: str,
                 positions: tuple[int, int] | None = None, pin_secret: str | None = None):
        self.db, self.base_url, self.pin_secret = db, base_url, pin_secret
        self.batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
        if self.batch.status == "recalled":
            raise InvalidInput(f"batch {self.batch.lot} of {self.batch.gtin} is recalled "
                               f"({self.batch.status_reason}); no labels are printed for it",
                               message_zh="该批次已召回，不再打印标签")
        self.product = catalog.get_product(db, self.batch.gtin)
        self.details = details_of(self.product, catalog.supplier_of(db, self.product))
        total = catalog.issued_count(db, self.batch.id)
        first, last = positions or (1, total)
        if positions and last > total:
            raise InvalidInput(f"--serials {first}-{last}: batch {self.batch.lot} has {total} "
                               f"code(s), numbered 1-{total} as in codes export")
        # Positions count every code (as the export numbers them); voided ones are skipped.
        start, end = self._id_at(first), self._id_at(min(last, total))
        self.id_range = (start, end) if start and end else (0, -1)
        self.count = db.execute(f"SELECT count(*) FROM items {self._WHERE}",
                                [self.batch.id, *self.id_range]).fetchone()[0]
        if self.count == 0:
            asked = f" at positions {first}-{last}" if positions else ""
            raise InvalidInput(f"no active codes to print{asked}: batch {self.batch.lot} "
                               f"has {total} code(s)",
                               message_zh="这部分没有可打印的有效码（都已作废或召回）。"
                               "作废的码不能再印：真货需要新标签时，请再发 1 个新码并打印它")
        self.with_pins = db.execute(f"SELECT count(pin_hash) FROM items {self._WHERE}",
                                    [self.batch.id, *self.id_range]).fetchone()[0]

    def _id_at(self, position: int) -> int:
        row = self.db.execute("SELECT id FROM items WHERE batch_id = ? ORDER BY id "
                              "LIMIT 1 OFFSET ?", [self.batch.id, position - 1]).fetchone()
        return row[0] if row else 0

    def slice(self, offset: int, size: int) -> list[LabelItem]:
        rows = self.db.execute(f"SELECT serial, kid, sig, pin_hash FROM items {self._WHERE} "
                               "ORDER BY id LIMIT ? OFFSET ?",
                               [self.batch.id, *self.id_range, size, offset])
        gtin, lot, secret = self.batch.gtin, self.batch.lot, self.pin_secret
        return [LabelItem(ItemCode(gtin, lot, serial, kid, sig).url(self.base_url), gtin, lot,
                          serial, self.product.name,
                          claims.stored_pin(secret, gtin, serial, stored) if secret else "",
                          produced=self.batch.produced_on or "", **self.details)
                for serial, kid, sig, stored in rows]


class ListSource:
    """Items already in memory (tests, previews)."""

    def __init__(self, items: list[LabelItem]):
        if not items:
            raise InvalidInput("no codes to print")
        self.items, self.count = items, len(items)
        self.with_pins = sum(1 for item in items if item.pin)

    def slice(self, offset: int, size: int) -> list[LabelItem]:
        return self.items[offset:offset + size]


ItemSource = BatchSource | ListSource
