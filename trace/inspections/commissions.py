"""Who may sign for a batch: a supplier's commission (委托) or an operator's
assignment for 监督抽检 and 神秘抽检. A report is stored only for one of them::

    commission(db, "09521234000013", "ZJ-2611-A", agency_id=1, actor="qc@pearl.cn")
    may_sign_for(db, batch, agency, "委托检验")   # raises Forbidden when not
"""

from __future__ import annotations

import sqlite_utils

from .. import agencies, catalog
from ..db import utc_now
from ..errors import Forbidden, InvalidInput
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
