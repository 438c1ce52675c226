"""The catalogue's rows as the rest of the code reads them: a supplier, a product,
a batch; each names the fields a buyer may see."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from datetime import date, timedelta

from ..clock import beijing_today


class _Row:
    # What a buyer may see, named field by field: a new column stays private
    # until someone decides it belongs on the public page.
    PUBLIC_FIELDS: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: dict):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in row.items() if k in names})

    def public_json(self) -> dict:
        """The fields shown on public pages and in their JSON, nothing else."""
        return {name: getattr(self, name) for name in self.PUBLIC_FIELDS}


@dataclass(frozen=True)
class Supplier(_Row):
    # The licence shows the first two; merchants must publish how to reach them; and
    # a suspension by the operator is said on every page of its goods.
    PUBLIC_FIELDS = ("name", "credit_code", "phone", "address", "suspended_at",
                     "suspended_reason")

    id: int
    name: str
    credit_code: str
    approved_at: str | None = None  # None: signed up on the web, awaiting an operator
    rejected_at: str | None = None  # an operator turned the sign-up down
    phone: str | None = None         # 客服电话, as phones.written_phone writes it
    address: str | None = None
    contact_name: str | None = None  # whom the operator asks; never shown to buyers
    suspended_at: str | None = None  # the operator suspended it (migration 29)
    suspended_reason: str | None = None

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None


@dataclass(frozen=True)
class Product(_Row):
    # The details that may be given in English too, as ``{key}_en``, for pages in English.
    IN_ENGLISH = ("specification", "category", "origin", "storage", "care", "fibre_content")
    ENGLISH_FIELDS = tuple(f"{key}_en" for key in IN_ENGLISH)
    PUBLIC_FIELDS = ("gtin", "name", "name_en", "specification", "category", "origin",
                     "standard", "shelf_life_days", "shelf_life_months", "storage", "licence_no",
                     "photo", "fibre_content", "care", *ENGLISH_FIELDS)

    gtin: str
    supplier_id: int
    name: str
    name_en: str | None = None
    specification: str | None = None
    category: str | None = None
    origin: str | None = None
    standard: str | None = None
    shelf_life_days: int | None = None
    storage: str | None = None
    licence_no: str | None = None      # e.g. the SC number of a food licence
    photo: str | None = None           # product_photos.sha256
    # A shelf life printed in months (保质期18个月) ends on the calendar date labels
    # imply, not 540 days on: at most one of the two is set.
    shelf_life_months: int | None = None
    fibre_content: str | None = None   # a textile's 纤维含量: 面料 100%棉
    care: str | None = None            # how to wash and keep it (维护方法)
    specification_en: str | None = None  # IN_ENGLISH, each optional
    origin_en: str | None = None
    storage_en: str | None = None
    care_en: str | None = None
    fibre_content_en: str | None = None
    category_en: str | None = None

    @property
    def has_shelf_life(self) -> bool:
        return bool(self.shelf_life_days or self.shelf_life_months)

    def expiry_after(self, produced: date) -> date | None:
        """The last good day of what was produced on ``produced``, by the shelf life."""
        if self.shelf_life_months:
            return months_after(produced, self.shelf_life_months)
        if self.shelf_life_days:
            return produced + timedelta(days=self.shelf_life_days)
        return None


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Batch(_Row):
    # Not public: the row id, quantity_planned and notes (the supplier's own records).
    PUBLIC_FIELDS = ("gtin", "lot", "produced_on", "expires_on", "status", "status_reason")

    id: int
    gtin: str
    lot: str
    produced_on: str | None = None
    quantity_planned: int | None = None
    notes: str | None = None
    status: str = "open"
    status_reason: str | None = None
    expires_on: str | None = None

    def shelf_life_agrees(self, product: Product) -> bool:
        """Whether the product's shelf life matches this batch's own dates: a batch
        given its own expiry date must not show a shelf life that contradicts it."""
        if not (self.produced_on and self.expires_on):
            return True
        expiry = product.expiry_after(date.fromisoformat(self.produced_on))
        return expiry == date.fromisoformat(self.expires_on)

    def expired(self, today: date | None = None) -> bool:
        """Past its expiry date (the last good day is the date itself)."""
        left = self.days_left(today)
        return left is not None and left < 0

    def days_left(self, today: date | None = None) -> int | None:
        """Days from today (Beijing's) to the expiry date: 0 on the last good day,
        negative once past it; None without a date. A buyer reads it, not the date
        arithmetic."""
        if not self.expires_on:
            return None
        return (date.fromisoformat(self.expires_on) - (today or beijing_today())).days
