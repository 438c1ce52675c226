"""Suppliers, products, batches and items: who made what, in which lot.

Every function validates what it is given and raises ``InvalidInput``,
``NotFound`` or ``Conflict`` with a message a supplier can act on::

    supplier = add_supplier(db, "诸暨市山下湖珍珠有限公司", "91330681MA2D7XKQ0T")
    add_product(db, supplier, "09521234000013", "淡水珍珠项链")
    batch = new_batch(db, "09521234000013", "ZJ2405", produced_on="2026-05-01")
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from typing import Callable

import sqlite_utils

from .db import utc_now
from . import phones
from .digits import ascii_alnum, ascii_digits, is_number
from .transparency import leaves
from .errors import (Conflict, Forbidden, InvalidInput, LabelFontProblem, all_problems,
                     NotFound)
from .clock import year_first_date
from .gs1 import gtin_check_digit, validate_gtin14
from .textfit import check_printable
from .uscc import validate_credit_code

_SHORT_GTIN = re.compile(r"[0-9]{8}|[0-9]{12,13}")
LOT_RE = re.compile(r"[0-9A-Z-]{1,20}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
EARLIEST_PRODUCTION = date(2000, 1, 1)  # a typo guard: 1900-01-01 is a slip, not stock
MAX_BATCH_QUANTITY = 10_000_000
MAX_SHELF_LIFE_DAYS = 36_500


def _unprintable(value: str, multiline: bool) -> list[str]:
    """Control and format characters (C0/C1, escape, bidi overrides, zero-width ...):
    they turn a terminal's colours or reorder a name on screen, and no name needs them."""
    allowed = {"\n", "\t"} if multiline else set()
    return sorted({f"U+{ord(ch):04X}" for ch in value
                   if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")})


def clean_text(value: str | None, what: str, *, what_zh: str, limit: int = 200,
               multiline: bool = False) -> str | None:
    """``value`` trimmed, or None when empty; too long or holding control characters
    is refused, naming the field (``what_zh`` on Chinese pages: required, so no
    Chinese page names a field in English)."""
    value = (value or "").strip()
    name_zh = what_zh
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters",
                           message_zh=f"{name_zh}不能超过 {limit} 个字")
    bad = _unprintable(value, multiline)
    if bad:
        raise InvalidInput(f"{what} contains control characters ({', '.join(bad)}); "
                           "type it again without them",
                           message_zh=f"{name_zh}含有控制字符（{'、'.join(bad)}），请重新输入")
    return value or None


def _required_text(value: str | None, what: str, *, what_zh: str, limit: int = 100) -> str:
    text = clean_text(value, what, what_zh=what_zh, limit=limit)
    if text is None:
        raise InvalidInput(f"{what} must not be empty", message_zh=f"请填写{what_zh}")
    return text


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
    # The licence shows the first two; merchants must publish how to reach them.
    PUBLIC_FIELDS = ("name", "credit_code", "phone", "address")

    id: int
    name: str
    credit_code: str
    approved_at: str | None = None  # None: signed up on the web, awaiting an operator
    rejected_at: str | None = None  # an operator turned the sign-up down
    phone: str | None = None         # 客服电话, as phones.written_phone writes it
    address: str | None = None
    contact_name: str | None = None  # whom the operator asks; never shown to buyers

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


@dataclass(frozen=True)
class Product(_Row):
    PUBLIC_FIELDS = ("gtin", "name", "name_en", "specification", "category", "origin",
                     "standard", "shelf_life_days", "storage", "licence_no", "photo")

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

    def shelf_life_agrees(self, days: int) -> bool:
        """Whether the product's shelf life matches this batch's own dates: a batch
        given its own expiry date must not show a shelf life that contradicts it."""
        if not (self.produced_on and self.expires_on):
            return True
        produced = date.fromisoformat(self.produced_on)
        return produced + timedelta(days=days) == date.fromisoformat(self.expires_on)

    def expired(self, today: date | None = None) -> bool:
        """Past its expiry date (the last good day is the date itself)."""
        if not self.expires_on:
            return False
        return date.fromisoformat(self.expires_on) < (today or date.today())


@dataclass(frozen=True)
class Contact:
    """How buyers reach a supplier (phone, address) and whom the operator asks."""
    phone: str | None = None
    address: str | None = None
    contact_name: str | None = None

    @classmethod
    def typed(cls, phone: str | None, address: str | None, contact_name: str | None, *,
              required: bool = False) -> Contact:
        """As typed in a form; ``required`` (a web sign-up) wants all three."""
        return cls(_service_phone(phone, required), _address(address, required),
                   _contact_name(contact_name, required))


def _address(address: str | None, required: bool) -> str | None:
    address = ascii_alnum(address) if address else address  # 18号A座, not １８号Ａ座
    check = _required_text if required else clean_text
    return check(address, "address", what_zh="地址", limit=200)


def _contact_name(contact_name: str | None, required: bool) -> str | None:
    check = _required_text if required else clean_text
    return check(contact_name, "contact person", what_zh="联系人", limit=50)


def _supplier_name(name: str) -> str:
    return _required_text(name, "supplier name", what_zh="企业名称")


def _service_phone(phone: str | None, required: bool) -> str | None:
    written = phones.written_phone(phone, what="customer service phone", what_zh="客服电话")
    if required and written is None:
        raise InvalidInput("customer service phone must not be empty",
                           message_zh="请填写客服电话")
    return written


def sign_up_problems(name: str, credit_code: str, phone: str | None, address: str | None,
                     contact_name: str | None) -> None:
    """Every problem with a supplier's sign-up details at once (``Problems``), in the
    form's order: a clerk fixes them in one go."""
    all_problems(lambda: _supplier_name(name), lambda: validate_credit_code(credit_code),
                 lambda: _service_phone(phone, True), lambda: _address(address, True),
                 lambda: _contact_name(contact_name, True))


LOOK_ALIKE = 0.8  # difflib's ratio: 狮峰龙井茶叶专业合作社 beside 狮峰茶叶专业合作社 is 0.93


def look_alikes(name: str, others: list[str]) -> list[str]:
    """The names among ``others`` close enough to ``name`` to be mistaken for it (one
    character added or changed): an operator approving a sign-up checks the licence
    before a buyer takes one company for the other."""
    return [other for other in others if other != name and
            difflib.SequenceMatcher(None, name, other).ratio() >= LOOK_ALIKE]


def add_supplier(db: sqlite_utils.Database, name: str, credit_code: str, *,
                 approved: bool = True, contact: Contact = Contact()) -> Supplier:
    """A supplier the operator adds is approved at once; one that signs up on the
    web (``approved=False``) may not issue codes until an operator approves it."""
    name = _supplier_name(name)
    code = validate_credit_code(credit_code)
    if list(db.query("SELECT 1 FROM suppliers WHERE credit_code = ?", [code])):
        raise Conflict(f"a supplier with 统一社会信用代码 {code} already exists",
                       message_zh=f"统一社会信用代码 {code} 已登记过")
    now = utc_now()
    approved_at = now if approved else None
    cursor = db.execute("INSERT INTO suppliers (name, credit_code, created_at, approved_at, "
                        "phone, address, contact_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [name, code, now, approved_at, *asdict(contact).values()])
    return Supplier(cursor.lastrowid, name, code, approved_at,  # type: ignore[arg-type]
                    **asdict(contact))


def set_contact(db: sqlite_utils.Database, supplier: Supplier, contact: Contact) -> Supplier:
    """Replace how buyers reach the supplier. Not a ledger event: like its name, it
    describes the supplier and asserts nothing about goods (docs/ledger.md)."""
    db.execute("UPDATE suppliers SET phone = ?, address = ?, contact_name = ? WHERE id = ?",
               [*asdict(contact).values(), supplier.id])
    return find_supplier(db, supplier.id)


def approve_supplier(db: sqlite_utils.Database, supplier_id: int) -> Supplier:
    """Approve a supplier that signed up on the web (approving twice changes nothing)."""
    supplier = find_supplier(db, supplier_id)
    if supplier.rejected_at:
        raise Conflict(f"{supplier.name}'s sign-up was turned down; it cannot be approved",
                       message_zh=f"{supplier.name} 的注册已被驳回，不能再通过")
    if not supplier.approved:
        with db.atomic():
            db.execute("UPDATE suppliers SET approved_at = ? WHERE id = ?",
                       [utc_now(), supplier.id])
            for (batch_id,) in db.execute(  # opened while it waited: logged from now on
                    "SELECT b.id FROM batches b JOIN products p ON p.gtin = b.gtin "
                    "WHERE p.supplier_id = ? ORDER BY b.id", [supplier.id]).fetchall():
                leaves.record(db, f"batches:{batch_id}")
    return find_supplier(db, supplier.id)


def reject_supplier(db: sqlite_utils.Database, supplier_id: int) -> Supplier:
    """Turn down a web sign-up: its products and batches go (nothing was issued or
    shown for them, so their GTINs are free for whoever owns them), its credit
    code is freed for the company it belongs to (kept in the row, prefixed) and
    its accounts are disabled, all in one transaction."""
    supplier = find_supplier(db, supplier_id)
    if supplier.approved:
        raise Conflict(f"{supplier.name} is approved already; disable its accounts instead",
                       message_zh=f"{supplier.name} 已通过审核，不能再驳回；如需停用请停用其账号")
    gtins = "SELECT gtin FROM products WHERE supplier_id = ?"
    with db.atomic():
        if db.execute(f"SELECT 1 FROM items WHERE gtin IN ({gtins}) LIMIT 1",
                      [supplier.id]).fetchone():
            raise Conflict(f"{supplier.name} has issued codes; it cannot be turned down")
        batches = f"SELECT id FROM batches WHERE gtin IN ({gtins})"
        if db.execute(f"SELECT 1 FROM ledger_leaves WHERE source IN (SELECT 'batches:' || id "
                      f"FROM batches WHERE gtin IN ({gtins})) LIMIT 1", [supplier.id]).fetchone():
            # opened before sign-ups' batches waited for approval to be logged: the
            # append-only ledger holds them, and deleting them would break its audit
            raise Conflict(f"{supplier.name}'s batches are in the public ledger already; it "
                           "cannot be turned down (disable its accounts instead)",
                           message_zh=f"{supplier.name} 的批次已记入公开账本，不能驳回；请改为停用其账号")
        if db.execute(f"SELECT 1 FROM inspection_reports WHERE batch_id IN ({batches}) "
                      "LIMIT 1", [supplier.id]).fetchone():  # signed and logged: kept
            raise Conflict(f"a lab has signed a report for a batch of {supplier.name}; it "
                           "cannot be turned down (disable its accounts instead)",
                           message_zh=f"已有检测机构为 {supplier.name} 的批次签发了报告，不能驳回；"
                           "请改为停用其账号")
        db.execute(f"DELETE FROM commissions WHERE batch_id IN ({batches})", [supplier.id])
        db.execute(f"DELETE FROM batches WHERE gtin IN ({gtins})", [supplier.id])
        db.execute("DELETE FROM products WHERE supplier_id = ?", [supplier.id])
        now = utc_now()
        db.execute("UPDATE suppliers SET rejected_at = ?, credit_code = ? WHERE id = ?",
                   [now, f"rejected-{supplier.id}-{supplier.credit_code}", supplier.id])
        db.execute("UPDATE users SET disabled_at = ? WHERE role = 'supplier' AND org_id = ? "
                   "AND disabled_at IS NULL", [now, supplier.id])
    return find_supplier(db, supplier.id)


def require_approved(supplier: Supplier) -> None:
    if not supplier.approved:
        raise Forbidden(f"{supplier.name} is waiting for the operator's approval and cannot "
                        "issue codes yet",
                        message_zh=f"{supplier.name} 正在等待平台审核，审核通过前不能发码")


def find_supplier(db: sqlite_utils.Database, id_or_credit_code: str | int) -> Supplier:
    key = str(id_or_credit_code).strip()
    column = "id" if is_number(key) else "credit_code"
    rows = list(db.query(f"SELECT * FROM suppliers WHERE {column} = ?", [key.upper()]))
    if not rows:
        raise NotFound(f"no supplier with {'id' if column == 'id' else '统一社会信用代码'} {key}",
                       message_zh="未找到该供货商")
    return Supplier.from_row(rows[0])


def add_product(db: sqlite_utils.Database, supplier: Supplier, gtin: str, name: str,
                **details) -> Product:
    """Register a product (``details``: the other ``Product`` fields, as typed)."""
    registrable: list[str] = []
    described: list[Product] = []
    all_problems(lambda: registrable.append(_registrable_gtin(gtin)),  # all said at once
                 lambda: described.append(described_product(supplier.id, "", name, **details)))
    product = replace(described[0], gtin=registrable[0])
    taken = db.execute("SELECT supplier_id, name FROM products WHERE gtin = ?",
                       [product.gtin]).fetchone()
    if taken:
        shown = printed_gtin(product.gtin)
        if taken[0] == supplier.id:
            raise Conflict(f"you registered GTIN {shown} already, as {taken[1]}",
                           message_zh=f"您已登记过商品条码 {shown}（{taken[1]}），在商品列表里可以找到它")
        # Not named: which company holds a barcode is its own business.
        raise Conflict(f"GTIN {shown} is registered by another organisation; if the barcode is "
                       "yours (registered with GS1 China), ask the platform's operator to check",
                       message_zh=f"商品条码 {shown} 已由另一家单位登记。如果这个条码是贵单位在"
                                  "中国物品编码中心注册的，请联系平台运营者核实")
    row = dict(asdict(product), created_at=utc_now())
    db.execute(f"INSERT INTO products ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
               list(row.values()))
    return product


def described_product(supplier_id: int, gtin: str, name: str, *,
                      name_en: str | None = None, specification: str | None = None,
                      category: str | None = None, origin: str | None = None,
                      standard: str | None = None, shelf_life_days: int | str | None = None,
                      storage: str | None = None, licence_no: str | None = None,
                      photo: str | None = None) -> Product:
    """The product as described, every field checked and every problem said at once
    (``Problems``), the name printable on labels; a shelf life typed on a form
    ('540', '18个月', '2 年') is read as days."""
    checked: dict = {}

    def field(key: str, check) -> Callable[[], None]:
        return lambda: checked.__setitem__(key, check())
    all_problems(
        field("name", lambda: _printable_name(
            _required_text(name, "product name", what_zh="商品名称"))),
        field("name_en", lambda: clean_text(name_en, "English name", what_zh="英文名称",
                                            limit=100)),
        field("specification", lambda: clean_text(specification, "specification",
                                                  what_zh="规格")),
        field("category", lambda: clean_text(category, "category", what_zh="类别", limit=50)),
        field("origin", lambda: clean_text(origin, "origin", what_zh="产地")),
        field("standard", lambda: clean_text(standard, "executed standard", what_zh="执行标准",
                                             limit=100)),
        field("shelf_life_days", lambda: _shelf_life(shelf_life_days)),
        field("storage", lambda: clean_text(storage, "storage conditions", what_zh="贮存条件",
                                            limit=100)),
        field("licence_no", lambda: _licence_no(licence_no)),
        field("photo", lambda: _photo(photo)))
    return Product(gtin=gtin, supplier_id=supplier_id, **checked)


def _photo(photo: str | None) -> str | None:
    if photo and not _SHA256.fullmatch(photo):
        raise InvalidInput("photo must name a stored photo (its SHA-256)",
                           message_zh="商品照片无效，请重新上传")
    return photo or None


# 540, 540天, 18个月, 2年, 冷藏约30天 (the condition is the storage field's to say)
_SHELF_LIFE_TYPED = re.compile(r"(?:常温|室温|冷藏|冷冻)?\s*(?:约|大约|about\s*)?(\d+)\s*"
                               r"(天|日|个月|月|年|days?|months?|years?)?", re.IGNORECASE)
# What a clerk of goods that keep writes for "no shelf life" (a duvet, a necklace).
_NO_SHELF_LIFE = {"无", "没有", "长期", "不适用", "不限", "-", "—", "/", "／", "none", "n/a"}
_PERIOD = re.compile(r"\d+\s*(?:天|日|个月|月|年)")
_DAYS_IN = {"天": 1, "日": 1, "day": 1, "days": 1, "个月": 30, "月": 30, "month": 30,
            "months": 30, "年": 365, "year": 365, "years": 365}


# Words of a product's category that say it is eaten or drunk: its shelf life is
# what keeps an old batch off sale (GB 7718 asks food labels for it).
# Whole words only: 乳 alone would take a 乳胶枕 (latex pillow) for food, 面 a 面料.
FOOD_WORDS = ("食品", "食用", "水果", "鲜果", "果品", "果干", "生鲜", "蔬菜", "茶叶", "绿茶",
              "红茶", "白茶", "黑茶", "乌龙茶", "花茶", "龙井", "肉类", "肉制品", "禽蛋", "鸡蛋",
              "乳制品", "奶制品", "牛奶", "粮食", "大米", "面粉", "面条", "食用油", "食糖", "蜂蜜",
              "饮料", "饮品", "调味", "调料", "零食", "糕点", "饼干", "月饼", "水产", "海鲜",
              "坚果", "炒货", "干货")


def looks_like_food(product: Product) -> bool:
    """Whether the product is food, as far as its record says: a food production
    licence (SC), or a category naming food (新鲜水果, 绿茶, 糕点)."""
    return (product.licence_no or "").upper().startswith("SC") or \
        any(word in (product.category or "") for word in FOOD_WORDS)


def _shelf_life(given: int | str | None) -> int | None:
    """Days of shelf life: a number of days, or typed as a label prints it ('18个月',
    '2 年'; a month counted as 30 days, as pages show it back)."""
    if given is None or isinstance(given, int):
        days = given
    else:
        shown = given.strip()  # as the clerk typed it, in what the form says back
        typed = unicodedata.normalize("NFKC", shown).replace(",", "")
        if not typed or typed.lower() in _NO_SHELF_LIFE:
            return None
        if len(_PERIOD.findall(typed)) > 1:  # 常温15天，冷藏30天
            raise InvalidInput(f"shelf life {shown!r} gives several periods: write the shortest "
                               "(kept at room temperature, say) and the conditions under storage",
                               message_zh=f"保质期“{shown}”写了几个期限：请只写最短的一个（如 15天），"
                                          "不同贮存条件下的期限写在“贮存条件”里")
        read = _SHELF_LIFE_TYPED.fullmatch(typed)
        if read is None or len(read.group(1)) > 6:
            raise InvalidInput(f"shelf life {shown!r}: write the days, like 540, or months or "
                               "years, like 18个月 or 2年",
                               message_zh=f"保质期“{shown}”看不懂：请写天数，例如 540，"
                                          "或写成 18个月、2年；没有保质期的（家纺、饰品）不填")
        days = int(read.group(1)) * _DAYS_IN[(read.group(2) or "天").lower()]
    if days is not None and not 1 <= days <= MAX_SHELF_LIFE_DAYS:
        raise InvalidInput(f"shelf life must be 1-{MAX_SHELF_LIFE_DAYS} days",
                           message_zh=f"保质期须为 1–{MAX_SHELF_LIFE_DAYS} 天")
    return days


_SC_TYPED = re.compile(r"SC[\s\-]*([0-9][0-9\s\-]*)", re.IGNORECASE)


def _licence_no(text: str | None) -> str | None:
    """The licence number as typed; a food production licence (SC and 14 digits, GB
    7718) checked and written without spaces: buyers read it as official, so 'SC123'
    must not pass. Other licences (XK, a cosmetics one) are kept as written."""
    written = clean_text(unicodedata.normalize("NFKC", text or ""), "licence number",
                         what_zh="许可证编号", limit=50)
    if not written or not written[:2].upper() == "SC":
        return written
    typed = _SC_TYPED.fullmatch(written)
    digits = re.sub(r"[\s\-]", "", typed.group(1)) if typed else ""
    if len(digits) != 14:
        counted = f"（您写了 {len(digits)} 位数字）" if typed else ""
        raise InvalidInput(f"a food production licence number is SC and 14 digits, like "
                           f"SC10633010600123, not {written}",
                           message_zh=f"食品生产许可证编号是 SC 加 14 位数字，例如 SC10633010600123"
                                      f"{counted}：请照许可证上印的核对")
    return f"SC{digits}"


def _printable_name(name: str) -> str:
    """The name goes on every label: one the label font cannot print (an emoji, a
    rare ideograph) is refused now, not once codes are issued and cannot print."""
    try:
        check_printable([name], "product name")
    except LabelFontProblem:
        pass  # the font itself is missing: printing says so, naming what to set
    return name


def _registrable_gtin(typed: str) -> str:
    """``normalise_gtin``, and a Chinese barcode (69…) typed one digit short refused:
    GS1 China's are 13 digits, and a 12-digit one reads as another (American) code."""
    gtin = normalise_gtin(typed)
    if gtin.startswith("0069"):
        raise InvalidInput(
            f"GTIN {gtin[2:]} is 12 digits, but barcodes starting with 69 (China) have 13: "
            "compare it with the barcode on the package for a missing digit",
            message_zh=f"以 69 开头的中国商品条码有 13 位，这里只有 12 位（{gtin[2:]}）："
            "请对照包装上的条码，看看是否漏输了一位")
    return gtin


def printed_gtin(gtin: str) -> str:
    """A GTIN as the package prints it under the barcode: an EAN-13's 13 digits, not
    the 14 of the code's address (a buyer comparing digits is not told of a "0").

    >>> printed_gtin("06901234567892"), printed_gtin("10614141000415")
    ('6901234567892', '10614141000415')
    """
    return gtin[1:] if len(gtin) == 14 and gtin.startswith("0") else gtin


def normalise_gtin(gtin: str) -> str:
    """A GTIN as the 14 digits GS1 Digital Link writes: the 13-digit EAN-13 printed on
    Chinese retail goods (and GTIN-8, GTIN-12) gain leading zeros.

    >>> normalise_gtin(" 6901234567892 ")
    '06901234567892'
    """
    # A Chinese keyboard's ６９０…, and the spaces printed under a barcode (6 901234 567892).
    text = re.sub(r"[\s-]", "", ascii_digits(gtin or ""))
    if _SHORT_GTIN.fullmatch(text):
        text = text.zfill(14)
    elif not (is_number(text) and len(text) == 14):
        raise InvalidInput(f"a GTIN is 8, 12, 13 or 14 digits, not {text[:20]!r}",
                           message_zh="商品条码应为 8、12、13 或 14 位数字")
    if not text.strip("0"):  # its check digit holds, but GS1 never assigns it
        raise InvalidInput("a GTIN of zeros names no product",
                           message_zh="全为 0 的商品条码不是有效的商品条码")
    expected = gtin_check_digit(text[:13])
    if int(text[13]) != expected:  # in the digits as typed, not the padded 14
        typed = text.lstrip("0") if len(text.lstrip("0")) >= 8 else text
        raise InvalidInput(
            f"GTIN {typed} does not add up (its last digit is a check on the others): "
            "compare every digit with the barcode on the package; a typo or a missing "
            "digit is usually in the middle, not at the end",
            message_zh=f"商品条码 {typed} 核对不上（最后一位是校验位）：请对照包装上的条码逐位"
            "核对，输错或漏输的多半是中间某一位")
    return validate_gtin14(text)


def get_product(db: sqlite_utils.Database, gtin: str) -> Product:
    gtin = normalise_gtin(gtin)
    rows = list(db.query("SELECT * FROM products WHERE gtin = ?", [gtin]))
    if not rows:
        raise NotFound(f"no product with GTIN {gtin} is registered",
                       hint="register it first: python -m trace product add ...",
                       message_zh=f"本平台没有登记商品条码为 {gtin} 的商品；请先登记商品")
    return Product.from_row(rows[0])


# The dashes a Chinese keyboard or a word processor types for "-".
_DASHES = str.maketrans({dash: "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2212\uff0d"})


def normalise_lot(lot: str) -> str:
    """A lot as GS1 AI 10 holds it here: 1–20 of 0-9, A-Z and '-', upper case; typed
    full-width (ＺＭ－２６１１) or with an en dash it is read as meant."""
    lot = ascii_alnum(lot or "").translate(_DASHES).strip().upper()
    if re.search(r"\s", lot):
        raise InvalidInput(f"lot {lot!r} has spaces; use '-' between its parts, e.g. LJ-2026-03A",
                           message_zh="批次号不能有空格；各部分之间请用“-”，例如 LJ-2026-03A")
    if len(lot) > 20:
        raise InvalidInput(f"a lot is at most 20 characters, and {lot!r} has {len(lot)}",
                           message_zh=f"批次号最多 20 位，这里有 {len(lot)} 位：请缩短后再保存")
    if not lot:
        raise InvalidInput("enter the lot", message_zh="请填写批次号")
    if not LOT_RE.fullmatch(lot):
        bad = next(char for char in lot if not LOT_RE.fullmatch(char))
        raise InvalidInput(f"a lot uses only 0-9, A-Z and '-', not {bad!r}",
                           message_zh=f"批次号只能用数字、英文字母和“-”，不能有“{bad}”")
    if not lot.strip("-"):  # '---' names nothing
        raise InvalidInput("a lot needs at least one letter or digit",
                           message_zh="批次号至少要有一个数字或字母")
    return lot


def _date(text: str | None, what: str, what_zh: str) -> date | None:
    if not text or not text.strip():
        return None
    day = year_first_date(ascii_digits(text))
    if day is None:
        raise InvalidInput(f"{what} {text!r} must be a date written year first, e.g. "
                           "2026-11-03 or 2026/11/3",
                           message_zh=f"{what_zh}“{text.strip()}”不是日期：请按年、月、日的顺序写，"
                           "例如 2026-11-03、2026/11/3 或 2026年11月3日")
    return day


def _produced_on(text: str | None) -> str | None:
    day = _date(text, "production date", "生产日期")
    if day and day > date.today():
        raise InvalidInput(f"production date {day} is in the future",
                           message_zh=f"生产日期 {day} 晚于今天")
    if day and day < EARLIEST_PRODUCTION:
        raise InvalidInput(f"production date {day} is before {EARLIEST_PRODUCTION}: check it",
                           message_zh=f"生产日期 {day} 早于 {EARLIEST_PRODUCTION}，请核对")
    return day.isoformat() if day else None


def _expires_on(given: str | None, produced_on: str | None, product: Product) -> str | None:
    """The given expiry date, else production date plus the product's shelf life."""
    day = _date(given, "expiry date", "到期日")
    if day is None and produced_on and product.shelf_life_days:
        day = date.fromisoformat(produced_on) + timedelta(days=product.shelf_life_days)
    if day and produced_on and day < date.fromisoformat(produced_on):
        raise InvalidInput(f"expiry date {day} is before the production date {produced_on}",
                           message_zh=f"到期日 {day} 早于生产日期 {produced_on}")
    return day.isoformat() if day else None


def new_batch(db: sqlite_utils.Database, gtin: str, lot: str, *, produced_on: str | None = None,
              quantity: int | None = None, notes: str | None = None,
              expires_on: str | None = None) -> Batch:
    product = get_product(db, gtin)
    lot = normalise_lot(lot)
    details = described_batch(product, produced_on=produced_on, quantity=quantity, notes=notes,
                              expires_on=expires_on)
    taken = db.execute("SELECT id FROM batches WHERE gtin = ? AND lot = ?",
                       [product.gtin, lot]).fetchone()
    if taken:
        cancelled = cancellation(db, taken[0]) is not None  # its creation is logged for good
        raise Conflict(f"batch {lot} of GTIN {product.gtin} already exists"
                       + (" (cancelled; a cancelled lot stays taken)" if cancelled else ""),
                       message_zh=f"批次号 {lot} 已登记过"
                       + ("（是已取消的批次：取消后批次号也不能再用，请换一个）" if cancelled else ""))
    batch = dict(gtin=product.gtin, lot=lot, **details)
    with db.atomic():
        cursor = db.execute("INSERT INTO batches (gtin, lot, produced_on, quantity_planned, "
                            "notes, expires_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [*batch.values(), utc_now()])
        # A sign-up's batches are logged once an operator approves it: until then no
        # page shows them, and a turned-down sign-up's are deleted.
        if supplier_of(db, product).approved:
            leaves.record(db, f"batches:{cursor.lastrowid}")
    return Batch(id=cursor.lastrowid, **batch)  # type: ignore[arg-type]


def described_batch(product: Product, *, produced_on: str | None, quantity: int | None,
                    notes: str | None, expires_on: str | None) -> dict:
    """A batch's details as described, each checked; the expiry date from the product's
    shelf life when none is given."""
    if quantity is not None and not 1 <= quantity <= MAX_BATCH_QUANTITY:
        raise InvalidInput(f"planned quantity must be 1-{MAX_BATCH_QUANTITY:,}",
                           message_zh=f"计划数量须为 1–{MAX_BATCH_QUANTITY:,}")
    produced = _produced_on(produced_on)
    return dict(produced_on=produced, quantity_planned=quantity,
                notes=clean_text(notes, "notes", what_zh="备注", limit=500, multiline=True),
                expires_on=_expires_on(expires_on, produced, product))


def get_batch(db: sqlite_utils.Database, gtin: str, lot: str) -> Batch:
    gtin = normalise_gtin(gtin)
    rows = list(db.query("SELECT * FROM batches WHERE gtin = ? AND lot = ?", [gtin, lot]))
    if not rows:
        lots = [row[0] for row in db.execute(
            "SELECT lot FROM batches WHERE gtin = ? ORDER BY id DESC LIMIT 8", [gtin])]
        hint = (f"lots of this product: {', '.join(lots)} (python -m trace batch list "
                f"--gtin {gtin})" if lots else
                f"open it first: python -m trace batch new --gtin {gtin} --lot {lot}")
        raise NotFound(f"no batch {lot} of GTIN {gtin} is registered", hint=hint,
                       message_zh=f"没有登记这个批次（商品条码 {gtin}，批次号 {lot}）")
    return Batch.from_row(rows[0])


def unregistered_batch(gtin: str, lot: str, hint: str | None = None) -> NotFound:
    """What a buyer is told about a batch we do not vouch for."""
    return NotFound(f"no batch {lot} of GTIN {gtin} is registered", hint=hint,
                    message_zh=f"本平台没有登记此批次（批次号 {lot}），请谨防假冒。")


def get_batch_by_id(db: sqlite_utils.Database, batch_id: int) -> Batch:
    rows = list(db.query("SELECT * FROM batches WHERE id = ?", [batch_id]))
    if not rows:
        raise NotFound(f"no batch with id {batch_id}")
    return Batch.from_row(rows[0])


def issued_count(db: sqlite_utils.Database, batch_id: int) -> int:
    return db.execute("SELECT count(*) FROM items WHERE batch_id = ?", [batch_id]).fetchone()[0]


def supplier_of(db: sqlite_utils.Database, product: Product) -> Supplier:
    return find_supplier(db, product.supplier_id)


def find_item(db: sqlite_utils.Database, gtin: str, serial: str) -> dict | None:
    rows = list(db.query("SELECT * FROM items WHERE gtin = ? AND serial = ?", [gtin, serial]))
    return rows[0] if rows else None


def find_items_by_serial(db: sqlite_utils.Database, serial: str) -> list[dict]:
    """Items with this serial under any GTIN (a typed 追溯码 carries no GTIN)."""
    return list(db.query("SELECT * FROM items WHERE serial = ? LIMIT 2", [serial]))


def list_suppliers(db: sqlite_utils.Database, *, pending_only: bool = False) -> list[dict]:
    """Suppliers (those awaiting approval with ``pending_only``), each with the
    e-mail of its first account so an operator knows whom to ask."""
    where = " WHERE approved_at IS NULL AND rejected_at IS NULL" if pending_only else ""
    return list(db.query(
        "SELECT id, name, credit_code, created_at, approved_at, rejected_at, phone, "
        "address, contact_name, (SELECT min(email) FROM users u "
        "WHERE u.role = 'supplier' AND u.org_id = s.id) "
        f"AS email FROM suppliers s{where} ORDER BY id"))


def owned_product(db: sqlite_utils.Database, supplier_id: int, gtin: str) -> Product:
    """The product, if this supplier owns it; another's is 'not found', never shown."""
    product = get_product(db, gtin)
    if product.supplier_id != supplier_id:
        raise NotFound(f"no product with GTIN {product.gtin}", message_zh="未找到该商品")
    return product


def owned_batch(db: sqlite_utils.Database, supplier_id: int, gtin: str, lot: str) -> Batch:
    """The batch, if this supplier owns its product; another's is 'not found'."""
    product = owned_product(db, supplier_id, gtin)
    lot = normalise_lot(lot)
    try:
        return get_batch(db, product.gtin, lot)
    except NotFound:  # in the owner's words, not the buyer's warning
        raise NotFound(f"no batch {lot} of GTIN {product.gtin}",
                       message_zh=f"没有批次号为 {lot} 的批次") from None


def list_products(db: sqlite_utils.Database, supplier: Supplier | None = None) -> list[dict]:
    sql = ("SELECT p.gtin, p.name, p.specification, s.id AS supplier_id, s.name AS supplier "
           "FROM products p JOIN suppliers s ON s.id = p.supplier_id")
    params: list = []
    if supplier:
        sql += " WHERE s.id = ?"
        params.append(supplier.id)
    return list(db.query(sql + " ORDER BY p.gtin", params))


def cancellation(db: sqlite_utils.Database, batch_id: int) -> dict | None:
    """Why, when and by whom a batch opened by mistake was cancelled, or None."""
    row = db.execute("SELECT reason, actor, at FROM batch_cancellations WHERE batch_id = ?",
                     [batch_id]).fetchone()
    return dict(zip(("reason", "actor", "at"), row)) if row else None


def require_not_cancelled(db: sqlite_utils.Database, batch: Batch) -> None:
    if cancellation(db, batch.id) is not None:
        raise Conflict(f"batch {batch.lot} was cancelled: nothing can be issued, tested or "
                       "changed for it",
                       message_zh=f"批次 {batch.lot} 已取消，不能再发码、委托检测或修改")


def approved_batches(db: sqlite_utils.Database, limit: int = 500) -> list[dict]:
    """The newest batches of approved suppliers (gtin, lot, product): what an operator
    picks from to send a lab, without counting anyone's codes."""
    return list(db.query(
        "SELECT b.gtin, b.lot, p.name AS product FROM batches b "
        "JOIN products p ON p.gtin = b.gtin JOIN suppliers s ON s.id = p.supplier_id "
        "WHERE s.approved_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batch_cancellations c "
        "WHERE c.batch_id = b.id) ORDER BY b.id DESC LIMIT ?", [limit]))


def list_batches(db: sqlite_utils.Database, gtin: str | None = None, *,
                 supplier_id: int | None = None) -> list[dict]:
    """Batches, newest first (those cancelled after the rest), with how many codes
    each has: one product's with ``gtin``, one supplier's with ``supplier_id``."""
    sql = ("SELECT b.gtin, b.lot, b.produced_on, b.expires_on, b.status, p.name AS product, "
           "(SELECT count(*) FROM items i WHERE i.batch_id = b.id) AS issued, "
           "EXISTS (SELECT 1 FROM batch_cancellations c WHERE c.batch_id = b.id) AS cancelled "
           "FROM batches b JOIN products p ON p.gtin = b.gtin WHERE 1")
    params: list = []
    if gtin:
        sql += " AND b.gtin = ?"
        params.append(get_product(db, gtin).gtin)
    if supplier_id is not None:
        sql += " AND p.supplier_id = ?"
        params.append(supplier_id)
    return list(db.query(sql + " ORDER BY cancelled, b.id DESC", params))  # cancelled last
