"""Demo data: four Zhejiang products, one batch each, 20 signed codes per batch.

Suppliers and GTINs are fictitious (GS1 example prefix 952; credit codes with a
valid GB 32100 check character)::

    seed_demo(db, signer)                     # idempotent
    genuine1, genuine2, forged = try_urls(db, "http://127.0.0.1:5000")
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from . import catalog
from .codes import ItemCode
from .errors import Conflict
from .gs1 import gtin_check_digit
from .issuing import issue_codes
from .keys import Signer


def _gtin(data13: str) -> str:
    return data13 + str(gtin_check_digit(data13))


def _credit(first17: str) -> str:
    return first17 + catalog.credit_code_check_char(first17)


DEMO: list[dict[str, Any]] = [
    {"supplier": ("诸暨市山下湖明珠珍珠有限公司", _credit("91330681MA2D7XKQ0")),
     "product": dict(gtin=_gtin("0952123400001"), name="诸暨淡水珍珠项链",
                     name_en="Zhuji freshwater pearl necklace",
                     specification="珠径 8–9 mm，正圆，强光，链长 45 cm", category="珍珠饰品",
                     origin="浙江省诸暨市山下湖镇", standard="GB/T 18781-2023"),
     "batch": dict(lot="ZJ-2611-A", produced_on="2026-11-10", quantity=200)},
    {"supplier": ("杭州西湖区狮峰茶叶专业合作社", _credit("93330106MA27YB3H5")),
     "product": dict(gtin=_gtin("0952123400002"), name="狮峰龙井茶（特级）",
                     name_en="Shifeng Longjing tea, special grade",
                     specification="250 g 罐装，明前采摘", category="茶叶",
                     origin="浙江省杭州市西湖区狮峰山", standard="GB/T 18650-2008"),
     "batch": dict(lot="SF-2604-T", produced_on="2026-04-02", quantity=500)},
    {"supplier": ("常山县天马胡柚果业有限公司", _credit("91330822MA2DJ4RT8")),
     "product": dict(gtin=_gtin("0952123400003"), name="常山胡柚礼盒",
                     name_en="Changshan huyou gift box",
                     specification="5 kg，果径 75–85 mm（L）", category="鲜果",
                     origin="浙江省衢州市常山县", standard="GB/T 12947-2008"),
     "batch": dict(lot="CS-2611-01", produced_on="2026-11-05", quantity=300)},
    {"supplier": ("海宁市许村家纺织造有限公司", _credit("91330481MA2B9WN61")),
     "product": dict(gtin=_gtin("0952123400004"), name="海宁纯棉四件套",
                     name_en="Haining cotton bedding set (4 pieces)",
                     specification="1.8 m 床，100% 棉，B类", category="家纺",
                     origin="浙江省海宁市许村镇", standard="GB 18401-2010 B类"),
     "batch": dict(lot="HN-2611-B", produced_on="2026-11-01", quantity=400)},
]


def seed_demo(db: sqlite_utils.Database, signer: Signer, codes_per_batch: int = 20) -> int:
    """Create whatever of the demo data is missing; return how many batches were added."""
    added = 0
    for entry in DEMO:
        name, credit_code = entry["supplier"]
        try:
            supplier = catalog.add_supplier(db, name, credit_code)
        except Conflict:
            continue
        product = catalog.add_product(db, supplier, **entry["product"])
        batch = catalog.new_batch(db, product.gtin, **entry["batch"])
        issue_codes(db, signer, product.gtin, batch.lot, codes_per_batch)
        added += 1
    return added


def try_urls(db: sqlite_utils.Database, base_url: str) -> list[str]:
    """Two genuine codes from different products and one forged one, to try."""
    rows = db.execute(
        "SELECT b.gtin, b.lot, i.serial, i.kid, i.sig FROM items i "
        "JOIN batches b ON b.id = i.batch_id WHERE b.status = 'open' AND i.id IN "
        "(SELECT min(id) FROM items WHERE status = 'active' GROUP BY batch_id) "
        "ORDER BY i.id LIMIT 2").fetchall()
    codes = [ItemCode(*row) for row in rows]
    if not codes:
        return []
    original = codes[0]
    flipped = "A" if original.sig[40] != "A" else "B"
    forged = ItemCode(original.gtin, original.lot, original.serial, original.kid,
                      original.sig[:40] + flipped + original.sig[41:])
    return [code.url(base_url) for code in codes] + [forged.url(base_url)]
