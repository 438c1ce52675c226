"""A supplier's corrections of what it registered: a product's details, and a
batch's dates, planned quantity and notes; and the removal of a product registered
by mistake::

    edit_product(db, supplier, "09521234000013", actor="qc@pearl.cn", reason="规格印错",
                 specification="珠径 7–8 mm")
    changes_of(db, "09521234000013")   # [Correction(at, reason, changes), ...]
    delete_product(db, supplier, "09521234000013")   # only while it has no batch
    edit_batch(db, supplier, batch, actor="qc@pearl.cn", reason="生产日期录错",
               produced_on="2026-11-09")

Until a product has a batch nothing public names it, so it is simply rewritten.
From its first batch on (a batch page, lab reports, printed labels), and for every
batch (whose creation is in the ledger), each change is kept with its reason,
logged, and what buyers see of it (not the planned quantity or the notes) is shown
beside the product: a buyer holding a label printed before sees why the page differs.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass

import sqlite_utils

from . import catalog, product_photos
from .catalog import Product, Supplier
from .db import utc_now
from .errors import Conflict, InvalidInput
from .transparency import leaves

# What a supplier may change: everything but the GTIN (the product's identity,
# printed in every code) and the owner.
EDITABLE = ("name", "name_en", "specification", "category", "origin", "standard",
            "shelf_life_days", "shelf_life_months", "storage", "licence_no", "photo",
            "fibre_content", "care", *Product.ENGLISH_FIELDS)
SHELF_LIFE = {"shelf_life_days", "shelf_life_months"}  # one period, in days or months
ENGLISH_ONLY = {"name_en", *Product.ENGLISH_FIELDS}  # changes no label, only English pages
ENGLISH_REASON = "补充英文信息（English details）"  # recorded when no reason is given for those


@dataclass(frozen=True)
class Correction:
    """One recorded correction, as the pages' history shows it."""

    at: str
    reason: str
    changes: tuple[tuple[str, str, str], ...]   # (field, before, after), "" for empty
    action: str = "product_changed"            # or batch_changed

    @property
    def may_differ_from_labels(self) -> bool:
        """Whether labels printed before may show what it changed: a photo, or a
        detail in English (name_en, specification_en …), is on none."""
        return any(name != "photo" and not name.endswith("_en")
                   for name, _before, _after in self.changes)

    def to_json(self) -> dict:
        return {"action": self.action, "at": self.at, "reason": self.reason,
                "changes": [{"field": name, "before": before, "after": after}
                            for name, before, after in self.changes]}


def has_batches(db: sqlite_utils.Database, gtin: str) -> bool:
    return db.execute("SELECT 1 FROM batches WHERE gtin = ? LIMIT 1",
                      [gtin]).fetchone() is not None


def edit_product(db: sqlite_utils.Database, supplier: Supplier, gtin: str, *, actor: str,
                 reason: str | None = None, **given) -> tuple[Product, int]:
    """Store the product with the ``given`` fields (of ``EDITABLE``; "" or None clears
    one) as now described; (product, fields changed). Once the product has a batch,
    a reason is needed and the change is recorded and logged."""
    unknown = set(given) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"these product fields cannot be changed: {', '.join(sorted(unknown))}",
                           message_zh="商品条码等字段不能修改")
    with db.atomic():  # read, compare and write as one, against an edit or a batch between
        current = catalog.owned_product(db, supplier.id, gtin)
        described = {field: getattr(current, field) for field in EDITABLE}
        if given.keys() & SHELF_LIFE:  # 18个月 for 540: the new period replaces the old
            described.update(dict.fromkeys(SHELF_LIFE))
        described |= given
        wanted = catalog.described_product(supplier.id, current.gtin, **described)
        changed = _differences(current, wanted)
        if not changed:
            return current, 0
        public = supplier.approved and has_batches(db, current.gtin)
        why = catalog.clean_text(reason, "reason", what_zh="更正原因", limit=200)
        if public and not why and all(field in ENGLISH_ONLY for field, *_ in changed):
            why = ENGLISH_REASON  # words for English readers: nothing on a label changed
        if public and not why:
            raise InvalidInput(
                "say why the details change: buyers see the change and the reason beside the "
                "product, since labels already printed show the old details",
                message_zh="请填写更正原因：已有批次，验证页会公开显示改了什么和原因"
                "（已印出的标签仍是原来的信息）")
        db.execute(f"UPDATE products SET {', '.join(f'{field} = ?' for field, *_ in changed)} "
                   "WHERE gtin = ?", [getattr(wanted, field) for field, *_ in changed]
                   + [current.gtin])
        if public:
            cursor = db.execute(
                "INSERT INTO product_changes (gtin, changes, reason, actor, at) "
                "VALUES (?, ?, ?, ?, ?)",
                [current.gtin, json.dumps({field: [before, after] for field, before, after
                                           in changed}, ensure_ascii=False), why, actor,
                 utc_now()])
            leaves.record(db, f"product_changes:{cursor.lastrowid}")
        if any(field == "photo" for field, *_ in changed):  # replaced or taken off: offline
            product_photos.forget_unused(db)
    return wanted, len(changed)


def _differences(current: Product, wanted: Product) -> list[tuple[str, str, str]]:
    before, after = asdict(current), asdict(wanted)
    return [(field, _shown(before[field]), _shown(after[field])) for field in EDITABLE
            if before[field] != after[field]]


def _shown(value) -> str:
    return "" if value is None else str(value)


def changes_of(db: sqlite_utils.Database, gtin: str) -> list[Correction]:
    """The product's recorded corrections, oldest first."""
    return [Correction(at, reason, tuple((field, before, after) for field, (before, after)
                                         in json.loads(changes).items()))
            for changes, reason, at in db.execute(
                "SELECT changes, reason, at FROM product_changes WHERE gtin = ? ORDER BY id",
                [gtin]).fetchall()]


def delete_product(db: sqlite_utils.Database, supplier: Supplier, gtin: str) -> Product:
    """Remove a product registered by mistake, while no batch names it."""
    product = catalog.owned_product(db, supplier.id, gtin)
    with db.atomic():
        if has_batches(db, product.gtin):
            raise Conflict(
                f"product {product.gtin} has batches, which buyers and labs may already see; "
                "it cannot be deleted (correct its details instead)",
                message_zh="这件商品已有批次，买家和检测机构可能已经看到，不能删除；如信息有误，请修改商品信息")
        db.execute("DELETE FROM products WHERE gtin = ?", [product.gtin])
        product_photos.forget_unused(db)
    return product


# A batch's corrections: the lot stays (it is in every code), the rest may change.
BATCH_EDITABLE = ("produced_on", "expires_on", "quantity_planned", "notes")
BATCH_PUBLIC = ("produced_on", "expires_on")  # what buyers see (catalog.Batch.PUBLIC_FIELDS)


def edit_batch(db: sqlite_utils.Database, supplier: Supplier, batch: catalog.Batch, *,
               actor: str, reason: str | None = None, **given) -> tuple[catalog.Batch, int]:
    """Store the batch with the ``given`` fields (of ``BATCH_EDITABLE``, as typed; ""
    or None clears one); (batch, fields changed). A reason is always needed: the
    batch's creation is in the ledger, so each change is recorded and logged."""
    unknown = set(given) - set(BATCH_EDITABLE)
    if unknown:
        raise InvalidInput(f"these batch fields cannot be changed: {', '.join(sorted(unknown))}",
                           message_zh="批次号等字段不能修改")
    with db.atomic():
        current = catalog.owned_batch(db, supplier.id, batch.gtin, batch.lot)
        catalog.require_not_cancelled(db, current)
        product = catalog.get_product(db, current.gtin)
        typed = {field: getattr(current, field) for field in BATCH_EDITABLE} | given
        if _expiry_follows(current, product, typed):
            typed["expires_on"] = None  # derived from the corrected production date
        wanted = catalog.described_batch(
            product, produced_on=typed["produced_on"], expires_on=typed["expires_on"],
            quantity=typed["quantity_planned"], notes=typed["notes"])
        changed = {field: [getattr(current, field), wanted[field]] for field in BATCH_EDITABLE
                   if getattr(current, field) != wanted[field]}
        if not changed:
            return current, 0
        why = catalog.clean_text(reason, "reason", what_zh="更正原因", limit=200)
        if not why and supplier.approved:
            raise InvalidInput("say why the batch changes: the change is kept with its reason",
                               message_zh="请填写更正原因：修改会连同原因一起记录")
        db.execute(f"UPDATE batches SET {', '.join(f'{field} = ?' for field in changed)} "
                   "WHERE id = ?", [after for _before, after in changed.values()] + [current.id])
        if not supplier.approved:  # a sign-up's batch: not logged yet, so simply rewritten
            return catalog.get_batch_by_id(db, current.id), len(changed)
        cursor = db.execute(
            "INSERT INTO batch_changes (batch_id, changes, reason, actor, at) "
            "VALUES (?, ?, ?, ?, ?)",
            [current.id, json.dumps(changed, ensure_ascii=False), why, actor, utc_now()])
        leaves.record(db, f"batch_changes:{cursor.lastrowid}")
    return catalog.get_batch_by_id(db, current.id), len(changed)


def cancel_batch(db: sqlite_utils.Database, supplier: Supplier, batch: catalog.Batch, *,
                 reason: str, actor: str) -> None:
    """Cancel a batch opened by mistake (a wrong lot), before any code or lab report:
    its lot stays taken, since its creation is in the ledger, and the cancellation is
    logged beside it; a lab asked to test it no longer lists it. A sign-up's batch,
    never logged or shown, simply goes."""
    with db.atomic():
        current = catalog.owned_batch(db, supplier.id, batch.gtin, batch.lot)
        catalog.require_not_cancelled(db, current)
        issued = catalog.issued_count(db, current.id)
        if issued:
            raise Conflict(f"batch {current.lot} has {issued:,} codes, which may be on goods "
                           "already: it cannot be cancelled (void codes, or recall the batch)",
                           message_zh=f"批次 {current.lot} 已发出 {issued:,} 个码，可能已贴在商品上，"
                           "不能取消；如有问题请作废这些码或召回整批")
        if db.execute("SELECT 1 FROM inspection_reports WHERE batch_id = ?",
                      [current.id]).fetchone():
            raise Conflict(f"a lab has reported on batch {current.lot}: it cannot be cancelled",
                           message_zh=f"已有检测机构为批次 {current.lot} 签发报告，不能取消")
        why = catalog.clean_text(reason, "reason", what_zh="取消原因", limit=200)
        if not supplier.approved and _deleted(db, current.id):
            return
        if not why:
            raise InvalidInput("say why the batch is cancelled: it is kept with the batch",
                               message_zh="请填写取消原因，例如“批次号录错”")
        db.execute("INSERT INTO batch_cancellations (batch_id, reason, actor, at) "
                   "VALUES (?, ?, ?, ?)", [current.id, why, actor, utc_now()])
        leaves.record(db, f"batch_cancellations:{current.id}")


def _deleted(db: sqlite_utils.Database, batch_id: int) -> bool:
    """A sign-up's batch, never public, simply goes; unless something kept refers to
    it (a recall recorded before recalls waited for approval): then it is cancelled
    as any other, its lot taken."""
    try:
        db.execute("DELETE FROM batches WHERE id = ?", [batch_id])
    except sqlite3.IntegrityError:
        return False
    return True


def _expiry_follows(current: catalog.Batch, product: Product, typed: dict) -> bool:
    """Whether the expiry date was the production date plus the shelf life and is
    left as it was while the production date changes: then it moves with it."""
    return bool(product.has_shelf_life and current.expires_on
                and typed["produced_on"] != current.produced_on
                and typed["expires_on"] == current.expires_on
                and current.shelf_life_agrees(product))


def batch_changes_of(db: sqlite_utils.Database, batch_id: int, *,
                     public: bool = True) -> list[Correction]:
    """The batch's recorded corrections, oldest first; with ``public``, only what
    buyers see of them (a change of the notes alone is not shown)."""
    shown = []
    for changes, reason, at in db.execute(
            "SELECT changes, reason, at FROM batch_changes WHERE batch_id = ? ORDER BY id",
            [batch_id]).fetchall():
        fields = tuple((field, _shown(before), _shown(after))
                       for field, (before, after) in json.loads(changes).items()
                       if not public or field in BATCH_PUBLIC)
        if fields:
            shown.append(Correction(at, reason, fields, action="batch_changed"))
    return shown
