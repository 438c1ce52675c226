"""Suppliers (统一社会信用代码), products (GTIN), batches (lots)."""

import pytest

from trace import catalog
from trace.errors import Conflict, InvalidInput, NotFound

from conftest import CREDIT_CODE, GTIN


def test_supplier_product_batch(db):
    supplier = catalog.add_supplier(db, " 诸暨珍珠 ", CREDIT_CODE)
    assert supplier.name == "诸暨珍珠"
    assert catalog.find_supplier(db, CREDIT_CODE) == catalog.find_supplier(db, supplier.id)
    product = catalog.add_product(db, supplier, GTIN, "淡水珍珠项链", category="珍珠饰品")
    assert catalog.get_product(db, GTIN) == product
    batch = catalog.new_batch(db, GTIN, "zj-1", produced_on="2026-01-02", quantity=5)
    assert batch.lot == "ZJ-1"
    assert catalog.get_batch(db, GTIN, "ZJ-1") == batch
    assert catalog.issued_count(db, batch.id) == 0


def test_duplicates_conflict_and_change_nothing(db):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(Conflict) as twice:
        catalog.add_supplier(db, "B", CREDIT_CODE)
    assert "请用已有账号登录" in twice.value.message_zh  # a second clerk of the same company
    catalog.add_product(db, supplier, GTIN, "P")
    with pytest.raises(Conflict):
        catalog.add_product(db, supplier, GTIN, "Q")
    catalog.new_batch(db, GTIN, "L1")
    with pytest.raises(Conflict):
        catalog.new_batch(db, GTIN, "L1")
    assert db.execute("SELECT count(*) FROM suppliers").fetchone()[0] == 1
    assert catalog.get_product(db, GTIN).name == "P"


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(gtin="09521234000014", name="P"), InvalidInput, "does not add up"),
    (dict(gtin=GTIN, name="  "), InvalidInput, "must not be empty"),
    (dict(gtin=GTIN, name="P" * 101), InvalidInput, "longer than"),
    (dict(gtin=GTIN, name="60支全棉贡缎四件套<b>爆款</b>"), InvalidInput, "no HTML tags"),
])
def test_bad_products(db, kwargs, error, message):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(error, match=message):
        catalog.add_product(db, supplier, **kwargs)
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == 0


@pytest.mark.parametrize("lot, kwargs, message", [
    ("ZJ 1", {}, "has spaces"), ("批次1", {}, "not '批', '次'"),
    ("SJT丝被批", {}, "not '丝', '被', '批'"), ("A" * 21, {}, "at most 20 .* has 21"),
    ("", {}, "enter the lot"), ("L", {"produced_on": "2026-13-01"}, "year first"),
    ("L", {"produced_on": "2999-01-01"}, "future"), ("L", {"quantity": 0}, "quantity"),
])
def test_bad_batches(db, lot, kwargs, message):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    catalog.add_product(db, supplier, GTIN, "P")
    with pytest.raises(InvalidInput, match=message):
        catalog.new_batch(db, GTIN, lot, **kwargs)
    assert db.execute("SELECT count(*) FROM batches").fetchone()[0] == 0


def test_not_found_messages_say_what_to_do_only_to_the_operator(db):
    with pytest.raises(NotFound) as caught:
        catalog.get_product(db, GTIN)
    assert "product add" in caught.value.hint and "python" not in caught.value.message
    with pytest.raises(NotFound) as caught:
        catalog.get_batch(db, GTIN, "L1")
    assert "batch new" in caught.value.hint and "python" not in caught.value.message
    with pytest.raises(NotFound, match="no supplier"):
        catalog.find_supplier(db, "42")


@pytest.mark.parametrize("name", [
    "诸暨\x1b[31m珍珠", "珍珠\x07", "珍珠\n公司", "珍珠\r公司", "\u202e司公珠珍", "珍\u200b珠", "珍珠\x00",
    "珍珠\u2028公司", "珍\x85珠",
])
def test_control_characters_in_names_are_refused_and_nothing_is_stored(db, name):
    with pytest.raises(InvalidInput, match=r"supplier name contains control characters \(U\+"):
        catalog.add_supplier(db, name, CREDIT_CODE)
    assert db.execute("SELECT count(*) FROM suppliers").fetchone()[0] == 0


def test_control_characters_in_product_fields_are_refused(db, make_batch):
    make_batch()
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    message = r"specification contains control characters \(U\+001B\)"
    with pytest.raises(InvalidInput, match=message):
        catalog.add_product(db, supplier, "09521234000020", "茶叶", specification="\x1b[2J")


def test_notes_may_have_lines_but_no_escapes(db, make_batch):
    make_batch()
    batch = catalog.new_batch(db, GTIN, "NOTES-1", notes="第一行\n第二行\t备注")
    assert batch.notes == "第一行\n第二行\t备注"
    with pytest.raises(InvalidInput, match="notes contains control characters"):
        catalog.new_batch(db, GTIN, "NOTES-2", notes="ok\x1b]0;title\x07")


@pytest.mark.parametrize("given, gtin14", [
    ("6901234567892", "06901234567892"),     # EAN-13 as printed on the pack
    (" 06901234567892 ", "06901234567892"),
    ("012345678905", "00012345678905"),      # GTIN-12 (UPC-A)
    ("96385074", "00000096385074"),          # GTIN-8
    ("６９０１２３４５６７８９２", "06901234567892"),  # typed with a Chinese keyboard
])
def test_short_gtins_are_written_as_fourteen_digits(given, gtin14):
    assert catalog.normalise_gtin(given) == gtin14


@pytest.mark.parametrize("given, message", [
    ("6901234567893", "does not add up"), ("690123456789", "does not add up"),
    ("1234567", "8, 12, 13 or 14 digits"),
    ("6901234567\U00010A41\U00010A42", "8, 12, 13 or 14 digits"),  # isdigit(), not int()
    ("69012345678٣", "8, 12, 13 or 14 digits"),  # Arabic-Indic: a digit, not ours
    ("0952123400005¹", "8, 12, 13 or 14 digits"),  # a superscript is no digit of it
    ("无", "apply for a company prefix at GS1 China"),  # a co-op without one: what to do
    (" None ", "apply for a company prefix at GS1 China"),
])
def test_bad_gtins_are_refused(given, message):
    with pytest.raises(InvalidInput, match=message):
        catalog.normalise_gtin(given)


def test_a_product_registered_by_its_ean13_is_found_by_either_spelling(db):
    supplier = catalog.add_supplier(db, "常山胡柚合作社", CREDIT_CODE)
    product = catalog.add_product(db, supplier, "6901234567892", "常山胡柚")
    assert product.gtin == "06901234567892"
    assert catalog.get_product(db, "6901234567892") == product
    batch = catalog.new_batch(db, "6901234567892", "CS-1")
    assert catalog.get_batch(db, "06901234567892", "CS-1") == batch


@pytest.mark.parametrize("change, message_zh", [
    (dict(name=" "), "请填写商品名称"),
    (dict(name="长" * 101), "商品名称不能超过 100 个字"),
    (dict(specification="长" * 201), "规格不能超过 200 个字"),
    (dict(shelf_life_days=-5), "保质期须为 1–"),
    (dict(name="玥珑珍珠项链💎"), "标签字体里没有“💎”"),  # never printable on a label
    (dict(name="𠮷祥珍珠"), "标签字体里没有“𠮷”"),
])
def test_product_form_problems_are_told_in_chinese(db, change, message_zh):
    supplier = catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE)
    fields = dict(name="诸暨淡水珍珠项链") | change
    name = fields.pop("name")
    with pytest.raises(InvalidInput) as refused:
        catalog.add_product(db, supplier, "09521234000013", name, **fields)
    assert refused.value.message_zh.startswith(message_zh)


@pytest.mark.parametrize("change, message_zh", [
    (dict(produced_on="2026-13-45"), "生产日期“2026-13-45”不是日期"),
    (dict(produced_on="2099-01-01"), "生产日期 2099-01-01 晚于今天"),
    (dict(produced_on="2026-01-02", expires_on="2026-01-01"), "到期日 2026-01-01 早于生产日期"),
    (dict(notes="长" * 501), "备注不能超过 500 个字"),
    (dict(quantity=0), "计划数量须为 1–"),
])
def test_batch_form_problems_are_told_in_chinese(db, make_batch, change, message_zh):
    make_batch()
    with pytest.raises(InvalidInput) as refused:
        catalog.new_batch(db, GTIN, "NEW-1", **change)
    assert refused.value.message_zh.startswith(message_zh)


@pytest.mark.parametrize("lot", ["---", "-"])
def test_a_lot_of_dashes_alone_is_refused(lot):
    with pytest.raises(InvalidInput) as refused:
        catalog.normalise_lot(lot)
    assert refused.value.message_zh == "批次号至少要有一个数字或字母"


def test_a_gtin_of_zeros_is_refused():
    with pytest.raises(InvalidInput) as refused:
        catalog.normalise_gtin("00000000000000")
    assert refused.value.message_zh == "全为 0 的商品条码不是有效的商品条码"


def test_a_production_date_a_century_ago_is_a_typo(db, make_batch):
    make_batch()
    with pytest.raises(InvalidInput) as refused:
        catalog.new_batch(db, GTIN, "OLD-1", produced_on="1900-01-01")
    assert refused.value.message_zh == "生产日期 1900-01-01 早于 2000-01-01，请核对"


def test_what_people_type_for_gtins_dates_and_lots_is_read_as_meant(db, make_batch):
    assert catalog.normalise_gtin("6 901234 567892") == "06901234567892"  # as under a barcode
    assert catalog.normalise_gtin("６９０１２３４５６７８９２") == "06901234567892"
    make_batch()
    for number, typed in enumerate(("2026/11/3", "2026年11月3日", "２０２６-１１-０３")):
        batch = catalog.new_batch(db, GTIN, f"L-{number}", produced_on=typed)
        assert batch.produced_on == "2026-11-03"
    with pytest.raises(InvalidInput, match="year first"):
        catalog.new_batch(db, GTIN, "L-X", produced_on="03/11/2026")  # day or month first?
    # A lot typed in a Chinese input mode, or with a word processor's dash.
    assert [catalog.normalise_lot(typed) for typed in ("ＺＭ－２６１１－０７", "zm–2611—06")] \
        == ["ZM-2611-07", "ZM-2611-06"]
    assert catalog.printed_gtin("06901234567892") == "6901234567892"  # as under the barcode


def test_a_chinese_barcode_one_digit_short_is_not_registered_as_another(db):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(InvalidInput, match="starting with 69 .* have 13") as refused:
        catalog.add_product(db, supplier, "695123450001", "珍珠项链")  # 6951234500016
    assert "漏输了一位" in refused.value.message_zh
    assert catalog.add_product(db, supplier, "6951234500016", "珍珠项链").gtin == "06951234500016"
    with pytest.raises(Conflict) as again:
        catalog.add_product(db, supplier, "6951234500016", "珍珠项链")
    assert again.value.message_zh == "您已登记过商品条码 6951234500016（珍珠项链），" \
        "在工作台首页的商品里可以找到它，在那里修改信息或新建批次"
    other = catalog.add_supplier(db, "B", "91330100MA27XL0Y34")
    with pytest.raises(Conflict) as taken:  # another's: not named, and whom to ask
        catalog.add_product(db, other, "6951234500016", "珍珠项链")
    assert "已由另一家单位登记" in taken.value.message_zh and "A" not in taken.value.message_zh
    assert "联系平台运营者核实" in taken.value.message_zh


@pytest.mark.parametrize("typed, kept", [
    ("SC 114 3301 0600 123", "SC11433010600123"), ("sc-11433010600123", "SC11433010600123"),
    ("ＳＣ１１４３３０１０６００１２３", "SC11433010600123"),  # typed full-width
    ("XK16-108-00001", "XK16-108-00001"),  # another kind of licence: as written
    ("", None)])
def test_a_food_licence_number_is_written_one_way(db, typed, kept):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    assert catalog.add_product(db, supplier, GTIN, "龙井茶", licence_no=typed,
                               shelf_life_days=540).licence_no == kept


@pytest.mark.parametrize("details", [{"category": "新鲜水果"}, {"licence_no": "SC11433010600123"}])
def test_food_is_saved_only_with_its_shelf_life(db, details):
    """A trial's 常山胡柚 saved without one, though the form said 食品、生鲜必填; its
    page then told buyers the seller had left it off."""
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(InvalidInput) as refused:
        catalog.add_product(db, supplier, GTIN, "常山胡柚", **details)
    assert refused.value.message_zh.startswith("食品、生鲜要填保质期")
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == 0
    assert catalog.add_product(db, supplier, GTIN, "常山胡柚", shelf_life_days="常温30天",
                               **details).shelf_life_days == 30
    assert catalog.add_product(db, supplier, "06901234567892", "淡水珍珠项链",
                               category="珍珠饰品").shelf_life_days is None  # not food


@pytest.mark.parametrize("typed", ["SC123", "SC 1143 3010 6001 2", "SC114330106001234", "SCX"])
def test_a_food_licence_number_that_is_not_sc_and_14_digits_is_refused(db, typed):
    """'SC123' was shown to buyers as the product's 生产许可证编号."""
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(InvalidInput) as refused:
        catalog.add_product(db, supplier, GTIN, "龙井茶", licence_no=typed)
    assert "SC 加 14 位数字" in refused.value.message_zh
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == 0


@pytest.mark.parametrize("typed, period", [
    ("540", (540, None)), ("540天", (540, None)), ("18个月", (None, 18)), ("2 年", (None, 24)),
    ("１８ 个月", (None, 18)), ("1,000", (1000, None)), ("", (None, None)), (365, (365, None))])
def test_a_shelf_life_is_read_in_the_unit_labels_print_it(db, typed, period):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    product = catalog.add_product(db, supplier, GTIN, "龙井茶", shelf_life_days=typed)
    assert (product.shelf_life_days, product.shelf_life_months) == period


@pytest.mark.parametrize("typed, period", [("无", (None, None)), ("长期", (None, None)),
                                           ("/", (None, None)), ("冷藏约1个月", (None, 1)),
                                           ("约30天", (30, None)),
                                           # a trial's co-op: all three were refused
                                           ("一个月", (None, 1)), ("30天左右", (30, None)),
                                           ("冷藏约一个月", (None, 1)), ("两年", (None, 24)),
                                           ("十八个月", (None, 18)),
                                           # refused until trial 4's co-op wrote them
                                           ("半年", (None, 6)), ("一年半", (None, 18)),
                                           ("1年半", (None, 18)), ("冷藏约两年半", (None, 30))])
def test_a_shelf_life_as_growers_and_textile_clerks_write_it(db, typed, period):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    product = catalog.add_product(db, supplier, GTIN, "常山胡柚", shelf_life_days=typed)
    assert (product.shelf_life_days, product.shelf_life_months) == period


@pytest.mark.parametrize("typed, said", [("0", "1–36500 天"), ("0个月", "1–1200 个月"),
                                         ("0年", "1–1200 个月")])
def test_a_shelf_life_of_nothing_is_refused_in_its_unit(db, typed, said):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(InvalidInput) as refused:
        catalog.add_product(db, supplier, GTIN, "龙井茶", shelf_life_days=typed)
    assert said in refused.value.message_zh


def test_a_shelf_life_is_given_once(db):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(InvalidInput) as refused:
        catalog.add_product(db, supplier, GTIN, "龙井茶", shelf_life_days=540, shelf_life_months=18)
    assert "保质期只填一个" in refused.value.message_zh


@pytest.mark.parametrize("produced, months, last_day", [
    ("2026-01-15", 18, "2027-07-15"), ("2026-01-31", 1, "2026-02-28"),
    ("2023-08-31", 6, "2024-02-29"), ("2025-03-01", 24, "2027-03-01")])
def test_a_shelf_life_in_months_ends_on_the_calendar_date(db, produced, months, last_day):
    """保质期18个月 from 15 January ends on 15 July, as the buyer reads the label; as
    540 days it fell on 9 July, and a good box read 已过期 for six days."""
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    catalog.add_product(db, supplier, GTIN, "龙井茶", shelf_life_months=months)
    batch = catalog.new_batch(db, GTIN, "L1", produced_on=produced)
    assert batch.expires_on == last_day


def test_a_shelf_life_of_several_periods_asks_for_the_shortest(db):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(InvalidInput) as refused:
        catalog.add_product(db, supplier, GTIN, "常山胡柚", shelf_life_days="常温15天，冷藏30天")
    assert "保质期“常温15天，冷藏30天”写了几个期限：请只写最短的一个" in refused.value.message_zh


@pytest.mark.parametrize("category, licence, food", [
    ("新鲜水果", None, True), ("绿茶", None, True), (None, "SC11433010600012", True),
    ("家纺", None, False), ("珍珠饰品", None, False), (None, None, False),
    ("乳胶枕", None, False), ("床品面料", None, False), ("油画", None, False),  # not eaten
    ("糕点", None, True), ("乳制品", None, True),
    # a trial's Zhejiang foods that read as goods; an Apple phone case must not
    ("东魁杨梅礼盒", None, True), ("金华火腿", None, True), ("婴儿奶粉", None, True),
    ("绍兴黄酒", None, True), ("苹果手机壳", None, False)])
def test_food_is_told_by_its_category_or_its_sc_licence(category, licence, food):
    product = catalog.Product(gtin=GTIN, supplier_id=1, name="x", category=category,
                              licence_no=licence)
    assert catalog.looks_like_food(product) is food


def test_a_chilled_shelf_life_beside_a_storage_without_it_is_refused_never_dropped(db):
    """A trial typed 冷藏约一个月 and 阴凉干燥处: buyers read 阴凉干燥处, nothing cold."""
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    with pytest.raises(InvalidInput) as refused:
        catalog.add_product(db, supplier, GTIN, "东魁杨梅", shelf_life_days="冷藏约一个月",
                            storage="阴凉干燥处")
    assert "贮存条件里却没有写冷藏" in refused.value.message_zh
    assert refused.value.field == "storage"
    assert db.execute("SELECT count(*) FROM products").fetchone()[0] == 0
    product = catalog.add_product(db, supplier, GTIN, "东魁杨梅", shelf_life_days="冷藏约一个月",
                                  storage="冷藏 0–4℃")
    assert (product.shelf_life_months, product.storage) == (1, "冷藏 0–4℃")
    plain = catalog.add_product(db, supplier, "06901234567892", "龙井茶",
                                shelf_life_days="常温18个月", storage="阴凉干燥处")
    assert plain.storage == "阴凉干燥处"  # 常温 is where anything keeps


def test_a_shelf_life_typed_with_its_condition_gives_the_storage_when_none_is_given(db):
    supplier = catalog.add_supplier(db, "A", CREDIT_CODE)
    chilled = catalog.described_product(supplier.id, GTIN, "常山胡柚", shelf_life_days="冷藏约30天")
    assert (chilled.shelf_life_days, chilled.storage) == (30, "冷藏")
    said = catalog.described_product(supplier.id, GTIN, "常山胡柚", shelf_life_days="冷藏约30天",
                                     storage="0–4 °C 冷藏")
    assert said.storage == "0–4 °C 冷藏"  # the clerk's own words stand
    assert catalog.described_product(supplier.id, GTIN, "龙井茶",
                                     shelf_life_days="18个月").storage is None


def test_products_are_found_by_their_name_or_their_suppliers(db):
    supplier = catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE)
    catalog.add_product(db, supplier, GTIN, "淡水珍珠项链")
    assert [p["name"] for p in catalog.find_products(db, "珍珠项链")] == ["淡水珍珠项链"]
    assert [p["supplier"] for p in catalog.find_products(db, "山下湖")] == [supplier.name]
    assert catalog.find_products(db, "龙井") == [] and catalog.find_products(db, "  ") == []
    assert catalog.find_products(db, "％") == []  # no LIKE wildcard: found as written


def test_a_suspended_supplier_gets_nothing_new_until_reinstated(db, issuer, make_batch):
    from trace.errors import Forbidden
    from trace.issuing import issue_codes
    make_batch()
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    with pytest.raises(InvalidInput, match="say why"):
        catalog.suspend_supplier(db, supplier.id, "  ", actor="ops")
    suspended = catalog.suspend_supplier(db, supplier.id, "销售假冒珍珠，已移交市场监管",
                                         actor="ops")
    assert suspended.suspended and suspended.suspended_reason == "销售假冒珍珠，已移交市场监管"
    with pytest.raises(Conflict, match="suspended already"):
        catalog.suspend_supplier(db, supplier.id, "again", actor="ops")
    for refused in (lambda: issue_codes(db, issuer, GTIN, "ZJ-2611-A", 1),
                    lambda: catalog.new_batch(db, GTIN, "ZJ-2612-B"),
                    lambda: catalog.add_product(db, suspended, "09521234000020", "龙井")):
        with pytest.raises(Forbidden, match="platform suspended"):
            refused()
    assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0  # nothing slipped in
    back = catalog.reinstate_supplier(db, supplier.id, "市场监管核查不属实", actor="ops")
    assert not back.suspended and back.suspended_reason is None
    issue_codes(db, issuer, GTIN, "ZJ-2611-A", 1)  # issues again
    assert [(row["action"], row["reason"]) for row in catalog.standing_history(
        db, supplier.id)[supplier.id]] == [("suspend", "销售假冒珍珠，已移交市场监管"),
                                           ("reinstate", "市场监管核查不属实")]
    with pytest.raises(Conflict, match="is not suspended"):
        catalog.reinstate_supplier(db, supplier.id, "x", actor="ops")
    waiting = catalog.add_supplier(db, "待审核公司", "91330100MA27XL0Y34", approved=False)
    with pytest.raises(Conflict, match="turn its sign-up down"):
        catalog.suspend_supplier(db, waiting.id, "x", actor="ops")


def test_the_hang_tag_is_offered_for_whatever_the_product_form_reads_as_a_textile():
    """A trial's 贡缎床品套件 (category 床品) had textile fields' words but no hang tag."""
    from pathlib import Path

    from trace.stocks import load_stock
    tag = load_stock("tag-50x90", Path(__file__).resolve().parents[1] / "labels")
    assert set(tag.goods) == set(catalog.TEXTILE_WORDS)
    assert tag.suits("贡缎床品套件", "床品") and catalog.names_textile("床品")
    for typed in ("纯棉t恤", "纯棉Ｔ恤"):  # as a Chinese keyboard writes it
        assert catalog.names_textile(typed) and tag.suits(typed), typed
    assert not catalog.names_textile("东魁杨梅礼盒")
