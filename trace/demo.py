"""Demo data: four Zhejiang products, one batch each, 20 signed codes per batch;
one item scanned from many networks (a copied label), one claimed item, and a
recalled second batch of huyou.

Suppliers and GTINs are fictitious (GS1 example prefix 952; credit codes with a
valid GB 32100 check character)::

    seed_demo(db, signer, hash_secret)        # idempotent
    for label, url in try_urls(db, "http://127.0.0.1:5000"): ...
"""

from __future__ import annotations

import io
import math
from typing import Any

import sqlite_utils
from PIL import Image, ImageDraw, ImageFilter

from . import (accounts, agencies, catalog, claims, demo_reports, product_photos, recalls,
               rooms, scans)
from .streamers import live, screens, selection
from .codes import ItemCode, group_serial
from .errors import Conflict, NotFound
from .gs1 import gtin_check_digit
from .uscc import credit_code_check_char
from .issuing import issue_codes
from .keys import Signer

COPIED_NETWORKS = 12      # the demo's copied label was scanned from this many networks
RECALLED: dict[str, Any] = dict(lot="CS-2610-02", produced_on="2026-10-20", quantity=100)
RECALL_REASON = "部分果品运输途中受冻，供货商主动召回"


def _gtin(data13: str) -> str:
    return data13 + str(gtin_check_digit(data13))


def _credit(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


DEMO: list[dict[str, Any]] = [
    {"supplier": ("诸暨市山下湖明珠珍珠有限公司", _credit("91330681MA2D7XKQ0")),
     "contact": ("0575 8700 0000", "浙江省诸暨市山下湖镇珍珠大道 1 号", "陈经理"),
     "product": dict(gtin=_gtin("0952123400001"), name="诸暨淡水珍珠项链",
                     name_en="Zhuji freshwater pearl necklace",
                     specification="珠径 8–9 mm，圆，强光，链长 45 cm", category="珍珠饰品",
                     category_en="Pearl jewellery",
                     origin="浙江省诸暨市山下湖镇", standard="GB/T 18781-2023",
                     specification_en="8–9 mm pearls, round, high lustre, 45 cm long",
                     origin_en="Shanxiahu, Zhuji, Zhejiang"),
     "batch": dict(lot="ZJ-2611-A", produced_on="2026-11-10", quantity=200)},
    {"supplier": ("杭州西湖区狮峰茶叶专业合作社", _credit("93330106MA27YB3H5")),
     "contact": ("0571 8700 0000", "浙江省杭州市西湖区龙井路 2 号", "王社长"),
     "product": dict(gtin=_gtin("0952123400002"), name="狮峰龙井茶（特级）",
                     name_en="Shifeng Longjing tea, special grade",
                     specification="250 g 罐装，明前采摘", category="茶叶", category_en="Tea",
                     origin="浙江省杭州市西湖区狮峰山", standard="GB/T 18650-2008",
                     shelf_life_months=18, storage="密封、避光、防潮，冷藏（0–5 °C）更佳",
                     licence_no="SC11433010600012",
                     specification_en="250 g tin, picked before Qingming (early April)",
                     origin_en="Shifeng Hill, West Lake, Hangzhou, Zhejiang",
                     storage_en="Sealed, dark and dry; best refrigerated (0–5 °C)"),
     "batch": dict(lot="SF-2604-T", produced_on="2026-04-02", quantity=500)},
    {"supplier": ("常山县天马胡柚果业有限公司", _credit("91330822MA2DJ4RT8")),
     "contact": ("0570-5020000", "浙江省衢州市常山县天马街道 3 号", "徐经理"),
     "product": dict(gtin=_gtin("0952123400003"), name="常山胡柚礼盒",
                     name_en="Changshan huyou gift box",
                     specification="5 kg，果径 75–85 mm（L）", category="鲜果",
                     category_en="Fresh fruit",
                     origin="浙江省衢州市常山县", standard="GB/T 12947-2008",
                     shelf_life_days=60, storage="阴凉通风处，避免挤压"),
     "batch": dict(lot="CS-2611-01", produced_on="2026-11-05", quantity=300)},
    {"supplier": ("海宁市许村家纺织造有限公司", _credit("91330481MA2B9WN61")),
     "contact": ("0573 8700 0000", "浙江省海宁市许村镇工业园 4 号", "沈经理"),
     "product": dict(gtin=_gtin("0952123400004"), name="海宁纯棉四件套",
                     name_en="Haining cotton bedding set (4 pieces)",
                     specification="1.8 m 床：被套 200×230 cm，床单 245×250 cm，"
                                   "枕套 48×74 cm×2", category="家纺",
                     category_en="Bedding",
                     origin="浙江省海宁市许村镇",
                     standard="GB/T 22844-2009 合格品；GB 18401-2010 B类",
                     fibre_content="面料 100%棉", care="30℃以下机洗，不可漂白，阴干，低温熨烫",
                     specification_en="For a 1.8 m bed: duvet cover 200×230 cm, sheet "
                                      "245×250 cm, pillowcases 48×74 cm ×2",
                     origin_en="Xucun, Haining, Zhejiang", fibre_content_en="Cover: 100% cotton",
                     care_en="Machine wash below 30 °C, no bleach, dry in shade, iron low"),
     "batch": dict(lot="HN-2611-B", produced_on="2026-11-01", quantity=400)},
]


def seed_demo(db: sqlite_utils.Database, signer: Signer, hash_secret: str,
              codes_per_batch: int = 20) -> int:
    """Create whatever of the demo data is missing; return how many batches were added.

    The pearls (a high-value item) are issued with scratch-off PINs.
    """
    added = 0
    for number, entry in enumerate(DEMO):
        name, credit_code = entry["supplier"]
        contact = catalog.Contact.typed(*entry["contact"])
        try:
            supplier = catalog.add_supplier(db, name, credit_code, contact=contact)
        except Conflict:  # seeded before: only what a newer demo added
            existing = catalog.find_supplier(db, credit_code)
            if not existing.phone:
                catalog.set_contact(db, existing, contact)
            continue
        photo = product_photos.store_photo(db, _necklace_picture()) if number == 0 else None
        product = catalog.add_product(db, supplier, photo=photo, **entry["product"])
        batch = catalog.new_batch(db, product.gtin, **entry["batch"])
        issue_codes(db, signer, product.gtin, batch.lot, codes_per_batch,
                    pin_secret=hash_secret if number == 0 else None)
        added += 1
        if number == 0:
            _copied_and_claimed(db, batch, hash_secret)
        if number == 2:
            _recalled_batch(db, signer, product.gtin, codes_per_batch)
            added += 1
    return added


def _necklace_picture() -> bytes:
    """A drawn stand-in for the pearl supplier's photo (a demo has no camera): a
    strand of 41 white pearls on dark velvet, each shaded and with a highlight."""
    width, height = 1600, 1200
    picture = Image.new("RGB", (width, height), (40, 44, 60))
    draw = ImageDraw.Draw(picture)
    for n in range(41):
        x = int(width * (0.15 + 0.7 * n / 40))
        y = int(height * (0.25 + 0.45 * math.sin(math.pi * n / 40)))
        for radius in range(30, 0, -1):  # darker at the rim, as light falls on a sphere
            shade = 200 + 55 * (30 - radius) // 30
            draw.ellipse((x - radius, y - radius, x + radius, y + radius),
                         fill=(shade, shade - 4, shade - 12))
        draw.ellipse((x - 14, y - 16, x - 6, y - 8), fill="white")
    out = io.BytesIO()
    picture.filter(ImageFilter.GaussianBlur(1)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _copied_and_claimed(db: sqlite_utils.Database, batch: catalog.Batch, secret: str) -> None:
    """The batch's third item has been scanned as a copied label is; its fourth is
    claimed by a buyer (a browser that is not yours)."""
    third, fourth = [row[0] for row in db.execute(
        "SELECT id FROM items WHERE batch_id = ? ORDER BY id LIMIT 2 OFFSET 2", [batch.id])]
    # Scanned as the seed runs, after the codes were issued: scans dated days before
    # showed a first look before the code existed (a trial).
    for n in range(COPIED_NETWORKS):
        seen = scans.Observer(network=scans.network_hash(secret, f"10.{n}.7.1"),
                              device=scans.device_hash(secret, f"demo-copy-{n}"))
        scans.record_scan(db, third, seen)
    owner = scans.Observer(network=scans.network_hash(secret, "10.200.0.1"),
                           device=scans.device_hash(secret, "demo-owner"))
    scans.record_scan(db, fourth, owner)
    row = next(db.query("SELECT * FROM items WHERE id = ?", [fourth]))
    claims.claim_item(db, row, owner, claims.item_pin(secret, row["gtin"], row["serial"]),
                      secret)


def _recalled_batch(db: sqlite_utils.Database, signer: Signer, gtin: str, count: int) -> None:
    batch = catalog.new_batch(db, gtin, **RECALLED)
    issue_codes(db, signer, gtin, batch.lot, count)
    recalls.recall_batch(db, gtin, batch.lot, RECALL_REASON, actor="demo")


def _first_item(db: sqlite_utils.Database, where: str, offset: int = 0) -> ItemCode | None:
    row = db.execute(
        "SELECT b.gtin, b.lot, i.serial, i.kid, i.sig FROM items i "
        f"JOIN batches b ON b.id = i.batch_id WHERE {where} ORDER BY i.id LIMIT 1 OFFSET ?",
        [offset]).fetchone()
    return ItemCode(*row) if row else None


def try_urls(db: sqlite_utils.Database, base_url: str) -> list[tuple[str, str]]:
    """(label, URL) pairs to try: a genuine code of each product (a room's 选品 needs a
    sample of each: the huyou's sellable batch had none printed), a forged one, and,
    once seeded, the copied (suspicious), claimed and recalled ones."""
    pearl_lot, tea_lot = DEMO[0]["batch"]["lot"], DEMO[1]["batch"]["lot"]
    tries = [("genuine", _first_item(db, f"b.lot = '{pearl_lot}'")),
             ("failed", _first_item(db, f"b.lot = '{tea_lot}'"))]  # its lab found 联苯菊酯 over
    if tries[0][1] is None or tries[1][1] is None:
        return []
    tries += [("genuine", _first_item(db, f"b.lot = '{entry['batch']['lot']}'"))
              for entry in DEMO[2:]]
    original = tries[0][1]
    flipped = "A" if original.sig[40] != "A" else "B"
    tries.append(("forged", ItemCode(original.gtin, original.lot, original.serial, original.kid,
                                     original.sig[:40] + flipped + original.sig[41:])))
    tries += [("suspicious", _first_item(db, f"b.lot = '{pearl_lot}'", 2)),
              ("claimed", _first_item(db, f"b.lot = '{pearl_lot}'", 3)),
              ("recalled", _first_item(db, f"b.lot = '{RECALLED['lot']}'"))]
    urls = [(label, code.url(base_url)) for label, code in tries if code]
    typed = _first_item(db, f"b.lot = '{tea_lot}'", 1)
    if typed:  # what a buyer types from under the QR code
        urls.append(("typed", f"{base_url}/verify?q={group_serial(typed.serial)}"))
    return urls


def demo_pin(db: sqlite_utils.Database, secret: str, code: ItemCode) -> str:
    """The scratch-off PIN printed on ``code``'s label ('' if it has none), so the
    demo's 这件是我买的 can be tried without printing the labels."""
    row = db.execute("SELECT i.pin_hash FROM items i JOIN batches b ON b.id = i.batch_id "
                     "WHERE b.gtin = ? AND i.serial = ?", [code.gtin, code.serial]).fetchone()
    return claims.stored_pin(secret, code.gtin, code.serial, row[0] if row else None)


DEMO_AGENCY = dict(name="浙江省珍珠及制品质量检验中心（演示）", cma="231012340099", cnas="L9901",
                   address="浙江省诸暨市山下湖镇（演示地址）", scope="珍珠、珍珠饰品、贵金属饰品",
                   phone="0575-87000099")
DEMO_ROOM = dict(name="山下湖珍珠源头直播间（演示）", platform="douyin", room_id="7700001234",
                 green_cert="ZJLS-2026-0001")
DEMO_ACCOUNTS = (("admin", "admin@demo.trace.example.cn"),
                 ("supplier", "pearls@demo.trace.example.cn"),
                 ("agency", "lab@demo.trace.example.cn"),
                 ("streamer", "live@demo.trace.example.cn"))


def seed_organisations(db: sqlite_utils.Database, keys_dir: str,
                       passphrase: str | None = None) -> dict[str, str | None]:
    """The demo agency (with its signing key) and room, once: role -> its org."""
    try:
        agency = agencies.find_agency(db, DEMO_AGENCY["cma"])
    except NotFound:
        agency, _key = agencies.add_agency(db, **DEMO_AGENCY, keys_dir=keys_dir,
                                           passphrase=passphrase)
    room = _demo_room(db) or rooms.add_room(db, **DEMO_ROOM)
    return {"admin": None, "supplier": DEMO[0]["supplier"][1], "agency": str(agency.id),
            "streamer": str(room.id)}


def api_example(db: sqlite_utils.Database) -> tuple[str, str]:
    """(a new API token of the demo pearl supplier, the path of its first batch to
    read): a path, since the same database may later be served on another port."""
    _role, email = DEMO_ACCOUNTS[1]
    _id, token = accounts.new_token(db, email, name="demo")
    product, batch = DEMO[0]["product"], DEMO[0]["batch"]
    return token, f"/api/v1/batches/{product['gtin']}/{batch['lot']}"


def seed_selections(db: sqlite_utils.Database, base_url: str) -> int:
    """The demo room's 选品 records, once: the pearls chosen (with their on-camera
    page), the tea turned down for its failed residue test."""
    room = _demo_room(db)
    pearl = _first_item(db, f"b.lot = '{DEMO[0]['batch']['lot']}'", 4)
    tea = _first_item(db, f"b.lot = '{DEMO[1]['batch']['lot']}'", 2)
    if room is None or pearl is None or tea is None:
        return 0
    added = 0
    if not db.execute("SELECT 1 FROM selections LIMIT 1").fetchone():
        for code, decision, note in (
                (pearl, "选用", "样品光泽、珠径与报告一致；商家承诺七天无理由退换"),
                (tea, "不选用", "监督抽检联苯菊酯超标，待复检合格后再议")):
            result = selection.check_sample(db, code.url(base_url), base_url)
            selection.record_selection(db, room, result, decision, actor=DEMO_ACCOUNTS[3][1],
                                       note=note)
            added += 1
    if live.latest_decision(db, room.id, catalog.get_batch(db, pearl.gtin, pearl.lot).id) \
            == "选用":
        live.open_live(db, room, pearl.gtin, pearl.lot, actor=DEMO_ACCOUNTS[3][1])
        if screens.screen_of(db, room).showing is None:  # the room's one address shows it
            screens.put_on_air(db, room, pearl.gtin, pearl.lot, actor=DEMO_ACCOUNTS[3][1])
    return added


def _demo_room(db: sqlite_utils.Database) -> rooms.Room | None:
    return next((r for r in rooms.list_rooms(db) if r.room_id == DEMO_ROOM["room_id"]), None)


def live_url(db: sqlite_utils.Database, base_url: str) -> str | None:
    """The demo room's on-camera page, once it has one."""
    room = _demo_room(db)
    pages = [b for b in live.selected_batches(db, room) if b["live_id"]] if room else []
    return f"{base_url}/live/{pages[0]['live_id']}" if pages else None


def screen_url(db: sqlite_utils.Database, base_url: str) -> str | None:
    """The demo room's one on-camera address, for OBS."""
    room = _demo_room(db)
    return screens.screen_of(db, room).url(base_url) if room else None


# The food and textile lab's sign-in: a supplier trying the demo with tea, huyou or a
# duvet commissions it, and someone must be able to sign the report.
FOOD_LAB_EMAIL = "foodlab@demo.trace.example.cn"


def seed_accounts(db: sqlite_utils.Database, keys_dir: str,
                  passphrase: str | None = None) -> dict[str, str]:
    """Demo sign-ins, one a role (the operator, the pearl supplier, the pearl lab and
    the demo room) and one for the food and textile lab once its reports are seeded,
    that do not exist yet: e-mail -> generated password."""
    orgs = seed_organisations(db, keys_dir, passphrase)
    wanted = [(role, email, orgs[role]) for role, email in DEMO_ACCOUNTS]
    try:
        food_lab = agencies.find_agency(db, demo_reports.SECOND_AGENCY["cma"])
        wanted.append(("agency", FOOD_LAB_EMAIL, str(food_lab.id)))
    except NotFound:
        pass
    created = {}
    for role, email, org in wanted:
        if accounts.find_user(db, email, missing_ok=True) is None:
            # A demo's own: whoever tries the demo goes straight to the workspace.
            created[email] = accounts.add_user(db, role, email, org=org, temporary=False)[1]
    return created
