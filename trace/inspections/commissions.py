"""Who may sign for a batch: a supplier's commission (委托) or an operator's
assignment for 监督抽检 and 神秘抽检. A report is stored only for one of them::

    commission(db, "09521234000013", "ZJ-2611-A", agency_id=1, actor="qc@pearl.cn")
    may_sign_for(db, batch, agency, "委托检验")   # raises Forbidden when not
    withdraw(db, commission_id, kind="commission", supplier_id=3)  # the wrong lab, unused
"""

from __future__ import annotations

import json

import sqlite_utils

from .. import agencies, catalog
from ..db import utc_now
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from . import report as reports

KINDS = {"commission": "委托", "assignment": "指派抽检"}


def commission(db: sqlite_utils.Database, gtin: str, lot: str, agency_id: int | str, *,
               actor: str, kind: str = "commission") -> None:
    """Let an agency sign for a batch: a supplier's commission, or (``kind=
    'assignment'``) an operator's assignment for 监督抽检 and 神秘抽检."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    catalog.require_not_cancelled(db, batch)
    agency = agencies.find_agency(db, agency_id)
    if not agency.approved:
        raise Forbidden(f"{agency.name} is not approved yet", message_zh="该检测机构尚未通过审核")
    if not catalog.supplier_of(db, catalog.get_product(db, batch.gtin)).approved:
        # a lab's signed report is public and logged; a sign-up may yet be turned down
        raise Forbidden(f"batch {batch.lot}'s supplier is not approved yet; labs are "
                        "commissioned once it is",
                        message_zh="供货商通过平台审核后，才能委托或指派检测机构")
    db.execute("INSERT OR IGNORE INTO commissions (batch_id, agency_id, kind, actor, at) "
               "VALUES (?, ?, ?, ?, ?)", [batch.id, agency.id, kind, actor, utc_now()])


def may_sign_for(db: sqlite_utils.Database, batch: catalog.Batch, agency: agencies.Agency,
                 report_type: str) -> None:
    """Raise unless the agency was commissioned (or, for 监督抽检 and 神秘抽检,
    assigned) for this batch."""
    kind = "assignment" if report_type in reports.ASSIGNED_TYPES else "commission"
    held = {row[0] for row in db.execute("SELECT kind FROM commissions WHERE batch_id = ? AND "
                                         "agency_id = ?", [batch.id, agency.id])}
    if kind not in held:
        who = "an operator assigned it" if kind == "assignment" else "its supplier commissioned it"
        # The type chosen was the wrong one of two the lab may sign: say which to choose.
        other = "监督抽检 or 神秘抽检" if kind == "commission" else "委托检验"
        other_zh = "“监督抽检”或“神秘抽检”" if kind == "commission" else "“委托检验”"
        hint = f"; the batch was {'assigned' if kind == 'commission' else 'commissioned'}: " \
            f"choose {other}" if held else ""
        hint_zh = f"；该批次是{KINDS['assignment' if kind == 'commission' else 'commission']}的，" \
            f"请把报告类型选为{other_zh}" if held else ""
        raise Forbidden(f"{agency.name} may sign a {report_type} report for batch {batch.lot} "
                        f"only once {who}{hint}",
                        message_zh=f"{agency.name} 未获{KINDS[kind]}，不能为批次 {batch.lot} 签发"
                        f"{report_type}报告{hint_zh}")


def withdraw(db: sqlite_utils.Database, commission_id: int, *, kind: str,
             supplier_id: int | None = None) -> tuple[str, str]:
    """Take back a commission (a supplier's, ``supplier_id`` its owner) or an
    assignment made by mistake, the wrong lab say, while that lab has stored no
    report under it: (the lab's name, the batch's lot). A report stored stands on
    it, and only its lab may withdraw that."""
    row = db.execute(
        "SELECT c.batch_id, c.agency_id, a.name, b.lot, p.supplier_id FROM commissions c "
        "JOIN agencies a ON a.id = c.agency_id JOIN batches b ON b.id = c.batch_id "
        "JOIN products p ON p.gtin = b.gtin WHERE c.id = ? AND c.kind = ?",
        [commission_id, kind]).fetchone()
    if row is None or (supplier_id is not None and row[4] != supplier_id):
        raise NotFound(f"no such {kind}", message_zh=f"没有这项{KINDS.get(kind, '委托')}")
    batch_id, _agency_id, name, lot = row[:4]
    if commission_id not in unused(db, batch_id):
        raise Conflict(f"{name} has stored a report under this {kind}: it stands, and only "
                       "the lab may withdraw it",
                       message_zh=f"{name} 已按这项{KINDS[kind]}出具报告，不能取消；"
                       "报告有误的，请检测机构撤回")
    db.execute("DELETE FROM commissions WHERE id = ?", [commission_id])
    return name, lot


def find(db: sqlite_utils.Database, gtin: str, lot: str, agency_id: int | str, *,
         kind: str) -> int:
    """The id of the agency's commission (or assignment) for the batch."""
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    agency = agencies.find_agency(db, agency_id)
    row = db.execute("SELECT id FROM commissions WHERE batch_id = ? AND agency_id = ? AND "
                     "kind = ?", [batch.id, agency.id, kind]).fetchone()
    if row is None:
        raise NotFound(f"{agency.name} has no {kind} for batch {batch.lot}",
                       message_zh=f"{agency.name} 没有批次 {batch.lot} 的{KINDS.get(kind, '委托')}")
    return row[0]


def unused(db: sqlite_utils.Database, batch_id: int) -> set[int]:
    """The ids of the batch's commissions and assignments under which their lab has
    stored no report yet: those may still be taken back."""
    signed: dict[int, list[str]] = {}
    for agency_id, record in db.execute("SELECT agency_id, record FROM inspection_reports "
                                        "WHERE batch_id = ?", [batch_id]):
        signed.setdefault(agency_id, []).append(record)
    return {commission_id for commission_id, agency_id, kind in db.execute(
                "SELECT id, agency_id, kind FROM commissions WHERE batch_id = ?", [batch_id])
            if not any(_under(kind, record) for record in signed.get(agency_id, []))}


def _under(kind: str, stored: str) -> bool:
    """Whether a stored report was signed under a commission of ``kind`` (a damaged
    record counts: it may have been)."""
    try:
        report_type = json.loads(stored).get("type")
    except (ValueError, AttributeError):
        return True
    return (report_type in reports.ASSIGNED_TYPES) == (kind == "assignment")
