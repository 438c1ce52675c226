"""Testing agencies (检测机构): the labs whose signed results appear on scan pages.

An agency is known by its CMA number (资质认定证书编号, legally required for a
report used as evidence) and, where it has one, its CNAS number (L and digits).
One the operator adds is approved and gets its own Ed25519 key (role
``agency:<id>``) at once; one that signs up on the web waits for approval::

    agency, key = add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                             keys_dir="keys/")
    find_agency(db, "231012341234").approved     # True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import sqlite_utils

from . import catalog, keys, phones
from .catalog import clean_text
from .digits import ascii_digits, is_number
from .db import utc_now
from .errors import Conflict, InvalidInput, NotFound, all_problems

_CMA = re.compile(r"[0-9]{12}")  # ASCII: \d would take any script's digits
_CNAS = re.compile(r"L[0-9]{4,5}")


@dataclass(frozen=True)
class Agency:
    id: int
    name: str
    cma_no: str
    cnas_no: str | None
    address: str | None
    created_at: str
    approved_at: str | None
    rejected_at: str | None = None
    scope: str | None = None          # what it tests, as it states it (珍珠饰品、纺织品)
    email: str | None = None          # its first account's, for the operator to ask
    phone: str | None = None          # for suppliers arranging a sample (schema 41)

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def key_role(self) -> str:
        return f"agency:{self.id}"

    def public_json(self) -> dict:
        return {"name": self.name, "cma_no": self.cma_no, "cnas_no": self.cnas_no}


def normalise_cma(text: str) -> str:
    """The 12-digit CMA certificate number, spaces, dashes and a leading "CMA" (as
    the certificate and a report's stamp print it) dropped.

    >>> normalise_cma(" 2310 1234 1234 "), normalise_cma("CMA 1811-1205-0123")
    ('231012341234', '181112050123')
    """
    cma = re.sub(r"^CMA[:：]?|[-–]", "", ascii_digits(re.sub(r"\s+", "", text or "")).upper())
    if not _CMA.fullmatch(cma):
        raise InvalidInput("the CMA number (资质认定证书编号) is 12 digits",
                           message_zh="CMA 资质认定证书编号应为 12 位数字")
    return cma


def normalise_cnas(text: str | None) -> str | None:
    """The CNAS number as L and 4-5 digits; 'CNAS L1234' and 'l1234' are accepted.

    >>> normalise_cnas("CNAS l1234")
    'L1234'
    """
    cnas = re.sub(r"^CNAS", "", ascii_digits(re.sub(r"\s+", "", text or "")).upper())
    if not cnas:
        return None
    if not _CNAS.fullmatch(cnas):
        raise InvalidInput("the CNAS number is L followed by 4 or 5 digits, e.g. L1234",
                           message_zh="CNAS 认可编号应为 L 加 4–5 位数字，例如 L1234")
    return cnas


def _agency_name(name: str) -> str:
    name = clean_text(name, "agency name", what_zh="检测机构名称", limit=100) or ""
    if not name:
        raise InvalidInput("agency name must not be empty", message_zh="请填写检测机构名称")
    return name


def _scope(scope: str | None) -> str | None:
    return clean_text(scope, "scope of testing", what_zh="检测范围", limit=200)


def sign_up_problems(name: str, cma: str, cnas: str | None, address: str | None,
                     scope: str | None = None, phone: str | None = None) -> None:
    """Every problem with an agency's sign-up details at once (``Problems``)."""
    all_problems(lambda: _agency_name(name), lambda: normalise_cma(cma),
                 lambda: normalise_cnas(cnas),
                 lambda: clean_text(address, "address", what_zh="地址", limit=200),
                 lambda: _scope(scope), lambda: _samples_phone(phone))


def add_agency(db: sqlite_utils.Database, name: str, cma: str, cnas: str | None = None, *,
               address: str | None = None, scope: str | None = None,
               phone: str | None = None, keys_dir: str | Path | None = None,
               passphrase: str | None = None) -> tuple[Agency, keys.KeyRecord | None]:
    """Register an agency. With ``keys_dir`` it is approved and gets its signing key
    (the operator adding it); without, it waits for approval (a web sign-up)."""
    name = _agency_name(name)
    cma_no, cnas_no = normalise_cma(cma), normalise_cnas(cnas)
    address = clean_text(address, "address", what_zh="地址", limit=200)
    phone = _samples_phone(phone)
    if db.execute("SELECT 1 FROM agencies WHERE cma_no = ?", [cma_no]).fetchone():
        raise Conflict(f"an agency with CMA number {cma_no} already exists",
                       message_zh=f"CMA 编号 {cma_no} 已登记过")
    cursor = db.execute("INSERT INTO agencies (name, cma_no, cnas_no, address, scope, phone, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [name, cma_no, cnas_no, address, _scope(scope), phone, utc_now()])
    agency = get_agency(db, cursor.lastrowid or 0)
    if keys_dir is None:
        return agency, None
    return approve_agency(db, agency.id, keys_dir, passphrase)


def approve_agency(db: sqlite_utils.Database, agency_id: int, keys_dir: str | Path,
                   passphrase: str | None = None) -> tuple[Agency, keys.KeyRecord | None]:
    """Approve an agency and give it a signing key if it has none (approving twice
    changes nothing)."""
    agency = get_agency(db, agency_id)
    if agency.rejected_at:
        raise Conflict(f"{agency.name}'s sign-up was turned down; it cannot be approved",
                       message_zh=f"{agency.name} 的注册已被驳回，不能再通过")
    if not agency.approved:
        db.execute("UPDATE agencies SET approved_at = ? WHERE id = ?", [utc_now(), agency.id])
    key = None
    if keys.active_key(db, agency.key_role) is None:
        key = keys.create_key(db, keys_dir, agency.key_role, passphrase)
    return get_agency(db, agency.id), key


_COLUMNS = ("id, name, cma_no, cnas_no, address, created_at, approved_at, rejected_at, scope, "
            "(SELECT min(email) FROM users u WHERE u.role = 'agency' AND u.org_id = a.id), "
            "phone")


def reject_agency(db: sqlite_utils.Database, agency_id: int, reason: str) -> Agency:
    """Turn down an agency's sign-up, saying why (read at its sign-in): it never
    signed anything (it had no key), so its CMA number is freed and its accounts
    are disabled, in one transaction."""
    why = catalog.rejection_reason(reason)
    agency = get_agency(db, agency_id)
    if agency.approved:
        raise Conflict(f"{agency.name} is approved already; disable its accounts instead",
                       message_zh=f"{agency.name} 已通过审核，不能再驳回；如需停用请停用其账号")
    now = utc_now()
    with db.atomic():
        db.execute("UPDATE agencies SET rejected_at = ?, cma_no = ?, rejected_reason = ? "
                   "WHERE id = ?", [now, f"rejected-{agency.id}-{agency.cma_no}", why, agency.id])
        db.execute("UPDATE users SET disabled_at = ? WHERE role = 'agency' AND org_id = ? "
                   "AND disabled_at IS NULL", [now, agency.id])
    return get_agency(db, agency.id)


def get_agency(db: sqlite_utils.Database, agency_id: int) -> Agency:
    row = db.execute(f"SELECT {_COLUMNS} FROM agencies a WHERE id = ?", [agency_id]).fetchone()
    if row is None:
        raise NotFound(f"no agency {agency_id}", message_zh="未找到该检测机构")
    return Agency(*row)


def find_agency(db: sqlite_utils.Database, id_or_cma: str | int) -> Agency:
    """An agency by its id or its CMA number."""
    key = str(id_or_cma).strip()
    if len(key) == 12 and is_number(key):
        row = db.execute("SELECT id FROM agencies WHERE cma_no = ?", [key]).fetchone()
        if row is None:
            raise NotFound(f"no agency with CMA number {key}", message_zh="未找到该检测机构")
        return get_agency(db, row[0])
    if not is_number(key):
        raise NotFound(f"no agency {key!r}: give its id or 12-digit CMA number",
                       message_zh="未找到该检测机构")
    return get_agency(db, int(key))


def list_agencies(db: sqlite_utils.Database) -> list[Agency]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM agencies a ORDER BY id").fetchall()
    return [Agency(*row) for row in rows]


def set_details(db: sqlite_utils.Database, agency_id: int, *, address: str | None,
                scope: str | None, cnas: str | None, phone: str | None) -> Agency:
    """The lab's own changes to what suppliers choose and reach it by (address, phone,
    scope of testing, CNAS number): every problem said at once, nothing kept unless
    all hold. Its name and CMA number are the operator's to change: reports are
    signed with them. Reports already signed keep the CNAS number they were signed
    with."""
    details: list[Any] = []
    all_problems(lambda: details.append(clean_text(address, "address", what_zh="地址",
                                                   limit=200)),
                 lambda: details.append(_scope(scope)),
                 lambda: details.append(normalise_cnas(cnas)),
                 lambda: details.append(_samples_phone(phone)))
    agency = get_agency(db, agency_id)
    db.execute("UPDATE agencies SET address = ?, scope = ?, cnas_no = ?, phone = ? "
               "WHERE id = ?", [*details, agency.id])
    return get_agency(db, agency.id)


def _samples_phone(phone: str | None) -> str | None:
    return phones.written_phone(phone, what="phone for samples", what_zh="送样联系电话")


def set_scope(db: sqlite_utils.Database, agency_id: int, scope: str | None) -> Agency:
    """State or change what the agency tests (the operator, from its certificate)."""
    agency = get_agency(db, agency_id)
    db.execute("UPDATE agencies SET scope = ? WHERE id = ?", [_scope(scope), agency.id])
    return get_agency(db, agency.id)


_SCOPE_WORDS = re.compile(r"[、，,;；/\s]+")


# A scope's word and the words a product of that kind is named by: a lab for 家纺
# tests a 四件套 whose name never says 家纺 (a trial's duvet cover met the pearl lab
# first).
SCOPE_KINDS = {
    "家纺": ("床上用品", "四件套", "三件套", "被", "枕", "床单", "床笠", "毛巾", "毯", "窗帘"),
    "纺织品": ("床上用品", "四件套", "三件套", "被", "枕", "床单", "毛巾", "棉", "丝绸", "麻",
            "服装", "袜", "围巾"),
    "服装": ("衬衫", "T恤", "裤", "裙", "外套", "毛衣"),
    "茶叶": ("茶", "龙井"), "水果": ("柚", "橘", "柑", "桔", "橙", "莓", "桃"),
}


def fit_for(labs: list[Agency], product: catalog.Product) -> tuple[list[Agency], list[Agency]]:
    """``labs`` split into those whose stated scope names the product's kind (a word of
    it, or a word goods of that kind are named by, in the product's category or name;
    食品 for food) and the rest, each in order: a supplier sees first the labs that
    test goods like its own."""
    said = f"{product.category or ''} {product.name}"

    def fits(lab: Agency) -> bool:
        words = [word for word in _SCOPE_WORDS.split(lab.scope or "") if len(word) >= 2]
        return any(word in said or any(kind in said for kind in SCOPE_KINDS.get(word, ()))
                   or (word in ("食品", "食用农产品") and catalog.looks_like_food(product))
                   for word in words)
    return [lab for lab in labs if fits(lab)], [lab for lab in labs if not fits(lab)]
