"""Suppliers: added by the operator or signed up on the web and approved, and how
buyers reach them."""

from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import asdict, dataclass, replace

import sqlite_utils

from .. import phones
from ..db import utc_now
from ..digits import ascii_alnum, is_number
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, all_problems
from ..transparency import audit, leaves
from ..uscc import validate_credit_code
from .records import Product, Supplier
from .text import clean_text, required_text


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
    check = required_text if required else clean_text
    return check(address, "address", what_zh="地址", limit=200)


def _contact_name(contact_name: str | None, required: bool) -> str | None:
    check = required_text if required else clean_text
    return check(contact_name, "contact person", what_zh="联系人", limit=50)


def _supplier_name(name: str) -> str:
    return required_text(name, "supplier name", what_zh="企业名称")


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
        raise Conflict(f"a supplier with 统一社会信用代码 {code} already exists: if it is "
                       "your company, sign in with its account, or ask the platform's "
                       "operator for an account of your own",
                       message_zh=f"统一社会信用代码 {code} 已登记过：如果是您的单位，请用已有账号登录，"
                                  "或请平台运营方为您另开一个账号")
    now = utc_now()
    approved_at = now if approved else None
    with db.atomic():
        cursor = db.execute("INSERT INTO suppliers (name, credit_code, created_at, approved_at, "
                            "phone, address, contact_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [name, code, now, approved_at, *asdict(contact).values()])
        if approved:  # as buyers will reach it: logged (docs/ledger.md)
            leaves.record(db, f"suppliers:{cursor.lastrowid}")
    return Supplier(cursor.lastrowid, name, code, approved_at,  # type: ignore[arg-type]
                    **asdict(contact))


def set_contact(db: sqlite_utils.Database, supplier: Supplier, contact: Contact, *,
                actor: str = "platform") -> Supplier:
    """Replace how buyers reach the supplier. Once it is approved, each change is kept
    (before and after) and logged: a phone number swapped around the platform would
    send a recall's callers to whoever swapped it (docs/ledger.md)."""
    wanted = asdict(contact)
    if supplier.approved and audit.supplier_problems(db, supplier.id):
        raise Conflict(f"{supplier.name}'s records differ from the ledger (changed in the "
                       "database around the platform): they cannot be changed here until the "
                       "operator has them restored",
                       message_zh="贵单位在平台上的登记资料与防篡改账本对不上（有人绕过平台改过数据库），"
                                  "在平台恢复之前不能在这里修改，以免把改动当成贵单位的：请联系平台运营方")
    with db.atomic():
        supplier = find_supplier(db, supplier.id)  # as it stands, not as a page read it
        changes = {name: [getattr(supplier, name), value] for name, value in wanted.items()
                   if (getattr(supplier, name) or None) != (value or None)}
        db.execute("UPDATE suppliers SET phone = ?, address = ?, contact_name = ? WHERE id = ?",
                   [*wanted.values(), supplier.id])
        if supplier.approved and changes:
            cursor = db.execute(
                "INSERT INTO supplier_changes (supplier_id, changes, actor, at) "
                "VALUES (?, ?, ?, ?)", [supplier.id, json.dumps(changes, ensure_ascii=False),
                                        actor, utc_now()])
            leaves.record(db, f"supplier_changes:{cursor.lastrowid}")
    return find_supplier(db, supplier.id)


def approve_supplier(db: sqlite_utils.Database, supplier_id: int, *,
                     licence_checked: bool = False) -> Supplier:
    """Approve a supplier that signed up on the web (approving twice changes nothing).
    One named like another registered supplier needs ``licence_checked``: the
    operator says the business licence was checked (a look-alike approved in one
    click would sell as the company buyers know)."""
    supplier = find_supplier(db, supplier_id)
    if supplier.rejected_at:
        raise Conflict(f"{supplier.name}'s sign-up was turned down; it cannot be approved",
                       message_zh=f"{supplier.name} 的注册已被驳回，不能再通过")
    alike = look_alikes(supplier.name, [row[0] for row in db.execute(
        "SELECT name FROM suppliers WHERE id != ? AND rejected_at IS NULL", [supplier.id])])
    if alike and not supplier.approved and not licence_checked:
        raise InvalidInput(f"{supplier.name} is named like {alike[0]}: check the business "
                           "licence, then confirm you did",
                           message_zh=f"“{supplier.name}”与已登记的“{alike[0]}”很像：请核对营业执照，"
                                      "勾选“已核对”后再通过")
    if not supplier.approved:
        with db.atomic():
            db.execute("UPDATE suppliers SET approved_at = ? WHERE id = ?",
                       [utc_now(), supplier.id])
            leaves.record(db, f"suppliers:{supplier.id}")
            for (batch_id,) in db.execute(  # opened while it waited: logged from now on
                    "SELECT b.id FROM batches b JOIN products p ON p.gtin = b.gtin "
                    "WHERE p.supplier_id = ? ORDER BY b.id", [supplier.id]).fetchall():
                leaves.record(db, f"batches:{batch_id}")
    return find_supplier(db, supplier.id)


def reject_supplier(db: sqlite_utils.Database, supplier_id: int, reason: str) -> Supplier:
    """Turn down a web sign-up, saying why (its accounts read it at sign-in): its
    products and batches go (nothing was issued or shown for them, so their GTINs
    are free for whoever owns them), its credit code is freed for the company it
    belongs to (kept in the row, prefixed) and its accounts are disabled, all in
    one transaction."""
    why = rejection_reason(reason)
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
        db.execute("UPDATE suppliers SET rejected_at = ?, credit_code = ?, rejected_reason = ? "
                   "WHERE id = ?",
                   [now, f"rejected-{supplier.id}-{supplier.credit_code}", why, supplier.id])
        db.execute("UPDATE users SET disabled_at = ? WHERE role = 'supplier' AND org_id = ? "
                   "AND disabled_at IS NULL", [now, supplier.id])
    return find_supplier(db, supplier.id)


def rejection_reason(reason: str | None) -> str:
    """Why a sign-up was turned down, as its applicant will read it."""
    return required_text(reason, "reason", what_zh="驳回原因（申请人登录时会看到）", limit=200)


def require_approved(supplier: Supplier) -> None:
    """Refuse new codes (and labels, products, batches) to a supplier that is not
    approved yet, or that the operator suspended."""
    if not supplier.approved:
        raise Forbidden(f"{supplier.name} is waiting for the operator's approval and cannot "
                        "issue codes yet",
                        message_zh=f"{supplier.name} 正在等待平台审核，审核通过前不能发码")
    require_not_suspended(supplier)


def require_not_suspended(supplier: Supplier) -> None:
    if supplier.suspended:
        raise Forbidden(f"the platform suspended {supplier.name} ({supplier.suspended_reason}): "
                        "no new codes, labels, products or batches, and no change to what "
                        "buyers read, until it is reinstated; recalls and voids still work",
                        message_zh=f"平台已暂停 {supplier.name} 的资格（{supplier.suspended_reason}）："
                                   "恢复前不能发码、打印标签、登记商品、新建批次，也不能修改商品、批次"
                                   "和企业信息；召回和作废仍可操作")


def suspend_supplier(db: sqlite_utils.Database, supplier_id: int, reason: str, *,
                     actor: str) -> Supplier:
    """Suspend an approved supplier, saying why: buyers, rooms and the supplier read
    the reason. Its codes stay ours and verify; pages caution against buying."""
    why = _standing_reason(reason, "suspended")
    with db.atomic():  # two operators at once: the second finds it suspended
        supplier = find_supplier(db, supplier_id)
        if not supplier.approved:
            raise Conflict(f"{supplier.name} is not approved; turn its sign-up down instead",
                           message_zh=f"{supplier.name} 尚未通过审核，不用暂停：请直接驳回")
        if supplier.suspended:
            raise Conflict(f"{supplier.name} is suspended already ({supplier.suspended_reason})",
                           message_zh=f"{supplier.name} 已在暂停中（{supplier.suspended_reason}）")
        return _set_standing(db, supplier, "suspend", why, actor)


def reinstate_supplier(db: sqlite_utils.Database, supplier_id: int, reason: str, *,
                       actor: str) -> Supplier:
    why = _standing_reason(reason, "reinstated")
    with db.atomic():
        supplier = find_supplier(db, supplier_id)
        if not supplier.suspended:
            raise Conflict(f"{supplier.name} is not suspended",
                           message_zh=f"{supplier.name} 没有被暂停")
        return _set_standing(db, supplier, "reinstate", why, actor)


def _standing_reason(reason: str | None, done: str) -> str:
    why = clean_text(reason, "reason", what_zh="原因", limit=200)
    if not why:
        raise InvalidInput(f"say why the supplier is {done}: its buyers and rooms read it",
                           message_zh="请写明原因：消费者、直播间和供货商都会看到")
    return why


def _set_standing(db: sqlite_utils.Database, supplier: Supplier, action: str, reason: str,
                  actor: str) -> Supplier:
    now = utc_now()
    with db.atomic():
        cursor = db.execute("INSERT INTO supplier_standing (supplier_id, action, reason, actor, "
                            "at) VALUES (?, ?, ?, ?, ?)",
                            [supplier.id, action, reason, actor, now])
        db.execute("UPDATE suppliers SET suspended_at = ?, suspended_reason = ? WHERE id = ?",
                   [now, reason, supplier.id] if action == "suspend"
                   else [None, None, supplier.id])
        leaves.record(db, f"supplier_standing:{cursor.lastrowid}")
    return find_supplier(db, supplier.id)


def standing_history(db: sqlite_utils.Database, supplier_id: int | None = None
                     ) -> dict[int, list[dict]]:
    """Each suspension and reinstatement, oldest first, by supplier id (one supplier's
    with ``supplier_id``)."""
    found: dict[int, list[dict]] = {}
    for row in db.query("SELECT supplier_id, action, reason, actor, at FROM supplier_standing "
                        + ("WHERE supplier_id = ? " if supplier_id is not None else "")
                        + "ORDER BY id", [supplier_id] if supplier_id is not None else []):
        found.setdefault(row.pop("supplier_id"), []).append(row)
    return found


def find_supplier(db: sqlite_utils.Database, id_or_credit_code: str | int) -> Supplier:
    key = str(id_or_credit_code).strip()
    column = "id" if is_number(key) else "credit_code"
    rows = list(db.query(f"SELECT * FROM suppliers WHERE {column} = ?", [key.upper()]))
    if not rows:
        raise NotFound(f"no supplier with {'id' if column == 'id' else '统一社会信用代码'} {key}",
                       message_zh="未找到该供货商")
    return _suspended_as_logged(db, Supplier.from_row(rows[0]))


def _suspended_as_logged(db: sqlite_utils.Database, supplier: Supplier) -> Supplier:
    """Suspended when the ledger's last word on it is a suspension, whatever its row
    says: lifted with one UPDATE, it could issue codes and register goods again. Only
    ever the cautious way: a row suspended around the ledger stays suspended."""
    if supplier.suspended or not supplier.approved:
        return supplier
    logged = audit.logged_suspension(db, supplier.id)
    if logged is None:
        return supplier
    return replace(supplier, suspended_at=logged[1], suspended_reason=logged[0])


def supplier_of(db: sqlite_utils.Database, product: Product) -> Supplier:
    return find_supplier(db, product.supplier_id)


def suppliers_named(db: sqlite_utils.Database, words: str, limit: int = 3) -> list[Supplier]:
    """Suppliers whose name holds ``words`` (full-width folded), or whose 统一社会信用代码
    it is: a company the operator is asked about by phone."""
    text = unicodedata.normalize("NFKC", words or "").strip()
    if not text:
        return []
    return [Supplier.from_row(row) for row in db.query(
        "SELECT * FROM suppliers WHERE rejected_at IS NULL AND (instr(name, ?) OR "
        "credit_code = upper(?)) ORDER BY id LIMIT ?", [text, text, limit])]


def list_suppliers(db: sqlite_utils.Database, *, pending_only: bool = False) -> list[dict]:
    """Suppliers (those awaiting approval with ``pending_only``), each with the
    e-mail of its first account so an operator knows whom to ask."""
    where = " WHERE approved_at IS NULL AND rejected_at IS NULL" if pending_only else ""
    return list(db.query(
        "SELECT id, name, credit_code, created_at, approved_at, rejected_at, phone, "
        "address, contact_name, suspended_at, suspended_reason, (SELECT min(email) FROM users u "
        "WHERE u.role = 'supplier' AND u.org_id = s.id) AS email, "
        # the rooms selling its goods now: what a suspension turns red on air
        "(SELECT count(DISTINCT d.room_id) FROM selections d JOIN batches b ON b.id = d.batch_id "
        "JOIN products p ON p.gtin = b.gtin WHERE p.supplier_id = s.id AND d.decision = '选用' "
        "AND d.id IN (SELECT max(id) FROM selections GROUP BY room_id, batch_id)) AS rooms_selling "
        f"FROM suppliers s{where} ORDER BY id"))
