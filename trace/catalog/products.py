"""Products: a GTIN a supplier registers, with what its labels and pages say of it
(name, standard, shelf life, licence, photo)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, replace
from typing import Callable

import sqlite_utils

from ..db import utc_now
from ..digits import ascii_digits, is_number
from ..errors import Conflict, InvalidInput, LabelFontProblem, NotFound, all_problems
from ..gs1 import gtin_check_digit, validate_gtin14
from ..textfit import check_printable
from .records import Product, Supplier
from .suppliers import require_not_suspended
from .text import clean_text, required_text


_SHORT_GTIN = re.compile(r"[0-9]{8}|[0-9]{12,13}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_SHELF_LIFE_DAYS = 36_500
MAX_SHELF_LIFE_MONTHS = 1_200


def add_product(db: sqlite_utils.Database, supplier: Supplier, gtin: str, name: str,
                **details) -> Product:
    """Register a product (``details``: the other ``Product`` fields, as typed)."""
    require_not_suspended(supplier)
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
                           message_zh=f"您已登记过商品条码 {shown}（{taken[1]}），"
                                      "在工作台首页的商品里可以找到它，在那里修改信息或新建批次")
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
                      photo: str | None = None,
                      shelf_life_months: int | None = None,
                      fibre_content: str | None = None, care: str | None = None,
                      **in_english: str | None) -> Product:
    """The product as described, every field checked and every problem said at once
    (``Problems``), the name printable on labels; a shelf life typed on a form
    ('540', '18个月', '2 年') is read in the unit typed (days or months).
    ``in_english``: ``specification_en`` and the others of ``Product.IN_ENGLISH``."""
    checked: dict = {}
    unknown = set(in_english) - set(Product.ENGLISH_FIELDS)
    if unknown:  # a caller's slip, never a user's: said plainly all the same
        raise InvalidInput(f"no such product detail: {', '.join(sorted(unknown))}")

    def field(key: str, check) -> Callable[[], None]:
        return lambda: checked.__setitem__(key, check())
    all_problems(
        field("name", lambda: _printable_name(
            required_text(name, "product name", what_zh="商品名称"))),
        field("name_en", lambda: clean_text(name_en, "English name", what_zh="英文名称",
                                            limit=100)),
        field("specification", lambda: clean_text(specification, "specification",
                                                  what_zh="规格")),
        field("category", lambda: clean_text(category, "category", what_zh="类别", limit=50)),
        field("origin", lambda: clean_text(origin, "origin", what_zh="产地")),
        field("standard", lambda: clean_text(standard, "executed standard", what_zh="执行标准",
                                             limit=100)),
        field("shelf_life", lambda: _shelf_life(shelf_life_days, shelf_life_months)),
        field("storage", lambda: clean_text(storage, "storage conditions", what_zh="贮存条件",
                                            limit=100)),
        field("licence_no", lambda: _licence_no(licence_no)),
        field("photo", lambda: _photo(photo)),
        field("fibre_content", lambda: clean_text(fibre_content, "fibre content",
                                                  what_zh="纤维含量", limit=100)),
        field("care", lambda: clean_text(care, "care instructions", what_zh="洗涤和保养",
                                         limit=100)),
        *(_english_field(checked, key, in_english.get(f"{key}_en"))
          for key in Product.IN_ENGLISH))
    checked["shelf_life_days"], checked["shelf_life_months"] = checked.pop("shelf_life")
    if checked["shelf_life_days"] is None and checked["shelf_life_months"] is None and (
            (checked["licence_no"] or "").upper().startswith("SC") or names_food(
                checked["category"])):
        # Saved without it, a fruit's page told buyers the seller had left it off.
        raise InvalidInput(
            "food needs its shelf life, as the package gives it (18 months, 540 days, "
            "chilled about 30 days): buyers read the date it runs out",
            message_zh="食品、生鲜要填保质期，按包装上写的填（如 18个月、540天、冷藏约30天）："
                       "买家扫码会看到到期日", field="shelf_life_days")
    if checked["fibre_content"] is None and (
            names_textile_safety(checked["standard"]) or names_textile(checked["category"])):
        # Saved without it, a bedsheet's hang tag printed none (GB/T 5296.4 needs it).
        raise InvalidInput(
            "textiles need their fibre content, as the sewn-in label gives it (100% cotton): "
            "it is printed on the hang tag and shown to buyers",
            message_zh="纺织品要填纤维含量，按缝在商品上的耐久性标签写（如 100%棉、"
                       "面料：100%桑蚕丝）：吊牌上要印，买家扫码也会看到",
            field="fibre_content")
    kept = _kept_under(shelf_life_days)
    if checked["storage"] is None:  # 冷藏约30天 says how it keeps, where buyers read it
        checked["storage"] = kept
    elif kept in _COLD and kept not in checked["storage"]:  # never dropped without a word
        raise InvalidInput(
            f"the shelf life is for goods kept {_COLD[kept]}, but the storage conditions do "
            f"not say {kept}: write it there (such as {kept} 0–4℃), where buyers read it",
            message_zh=f"保质期写的是{kept}时的期限，贮存条件里却没有写{kept}：请在贮存条件里写明"
                       f"（如 {kept} 0–4℃），买家才知道要{kept}", field="storage")
    return Product(gtin=gtin, supplier_id=supplier_id, **checked)


_ENGLISH_ZH = {"specification": "英文规格", "origin": "英文产地", "storage": "英文贮存条件",
               "care": "英文洗涤和保养", "fibre_content": "英文纤维含量",
               "category": "英文类别"}


def _english_field(checked: dict, key: str, text: str | None) -> Callable[[], None]:
    """A detail in English: any text a buyer reads, as long as its Chinese one allows."""
    limit = 200 if key in ("specification", "origin") else 100
    return lambda: checked.__setitem__(f"{key}_en", clean_text(
        text, f"{key} in English", what_zh=_ENGLISH_ZH[key], limit=limit))


# The conditions a buyer must keep to (常温 is where anything keeps).
_COLD = {"冷藏": "chilled", "冷冻": "frozen"}


def _kept_under(shelf_life: int | str | None) -> str | None:
    """The storage condition a shelf life was typed with (冷藏 of 冷藏约30天), if any."""
    if not isinstance(shelf_life, str):
        return None
    said = _KEPT_UNDER.match(shelf_life.strip())
    return said.group(1) if said else None


def _photo(photo: str | None) -> str | None:
    if photo and not _SHA256.fullmatch(photo):
        raise InvalidInput("photo must name a stored photo (its SHA-256)",
                           message_zh="商品照片无效，请重新上传")
    return photo or None


# 540, 540天, 18个月, 2年, 冷藏约30天 (the condition goes to the storage field)
_KEPT_UNDER = re.compile(r"(常温|室温|冷藏|冷冻)")
_SHELF_LIFE_TYPED = re.compile(r"(?:常温|室温|冷藏|冷冻)?\s*(?:约|大约|about\s*)?(\d+)\s*"
                               r"(天|日|个月|月|年|days?|months?|years?)?\s*(?:左右)?",
                               re.IGNORECASE)
# A count in Chinese numerals, as a co-op writes it (一个月, 两年, 十八个月, 三十天).
_CHINESE_COUNT = re.compile(r"[一二两三四五六七八九十百]+(?=\s*(?:天|日|个月|月|年))")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}


def _arabic(text: str) -> str:
    """Chinese counts before a unit written in digits: 十八个月 is 18个月.

    >>> _arabic("一个月"), _arabic("冷藏约十八个月"), _arabic("三百六十五天"), _arabic("两年")
    ('1个月', '冷藏约18个月', '365天', '2年')
    """
    def count(found: re.Match) -> str:
        total, digit = 0, 0
        for char in found.group(0):
            if char in ("十", "百"):
                total += (digit or 1) * (10 if char == "十" else 100)
                digit = 0
            else:
                digit = _CHINESE_DIGITS[char]
        return str(total + digit)
    return _CHINESE_COUNT.sub(count, text)


# Half years as labels write them: 半年 is 6个月, 一年半 (1年半) 18个月.
_YEARS_AND_A_HALF = re.compile(r"(\d*)\s*年半|半年")


def _halves(text: str) -> str:
    """A half year written out in months.

    >>> _halves("半年"), _halves("1年半"), _halves("冷藏约2年半")
    ('6个月', '18个月', '冷藏约30个月')
    """
    return _YEARS_AND_A_HALF.sub(lambda found: f"{int(found.group(1) or 0) * 12 + 6}个月", text)


# What a clerk of goods that keep writes for "no shelf life" (a duvet, a necklace).
_NO_SHELF_LIFE = {"无", "没有", "长期", "不适用", "不限", "-", "—", "/", "／", "none", "n/a"}
_PERIOD = re.compile(r"\d+\s*(?:天|日|个月|月|年)")


# Each unit as (days, months): a label's 18个月 ends on a calendar date, not 540 days on.
_PERIOD_OF = {"天": (1, 0), "日": (1, 0), "day": (1, 0), "days": (1, 0),
              "个月": (0, 1), "月": (0, 1), "month": (0, 1), "months": (0, 1),
              "年": (0, 12), "year": (0, 12), "years": (0, 12)}


# Words of a product's category that say it is eaten or drunk: its shelf life is
# what keeps an old batch off sale (GB 7718 asks food labels for it).
# Whole words only: 乳 alone would take a 乳胶枕 (latex pillow) for food, 面 a 面料.
FOOD_WORDS = ("食品", "食用", "水果", "鲜果", "果品", "果干", "生鲜", "蔬菜", "茶叶", "绿茶",
              "红茶", "白茶", "黑茶", "乌龙茶", "花茶", "龙井", "肉类", "肉制品", "禽蛋", "鸡蛋",
              "乳制品", "奶制品", "牛奶", "粮食", "大米", "面粉", "面条", "食用油", "食糖", "蜂蜜",
              "饮料", "饮品", "调味", "调料", "零食", "糕点", "饼干", "月饼", "水产", "海鲜",
              "坚果", "炒货", "干货", "柑橘", "柑桔", "胡柚",
              # the province's own, a trial found folded away: 苹果 alone is also a phone
              "杨梅", "猕猴桃", "火腿", "黄酒", "鱼干", "笋干", "山核桃", "粽子", "巧克力",
              "奶粉", "鲜奶", "酸奶")


# What the product form suggests for its category: common goods of the province,
# each said in words the food rules above recognise or rightly do not.
CATEGORY_EXAMPLES = ("绿茶", "新鲜水果", "糕点", "淡水珍珠饰品", "家纺床品", "服装")


def names_food(category: str | None) -> bool:
    """Whether a category names something eaten or drunk (新鲜水果, 绿茶, 糕点)."""
    return any(word in (category or "") for word in FOOD_WORDS)


# Words of a name or category that say the goods are textiles, whose labels give fibre
# content and care (GB/T 5296.4); the hang-tag stock is offered for the same words.
TEXTILE_WORDS = ("家纺", "纺织", "床品", "床上用品", "四件套", "三件套", "被", "枕", "床单",
                 "床笠", "毛巾", "浴巾", "毯", "窗帘", "丝绸", "真丝", "蚕丝", "服装", "围巾",
                 "睡衣", "家居服", "面料",
                 # clothes named by their kind (a trial's 纯棉T恤 and 羽绒服 stayed folded)
                 "衬衫", "T恤", "卫衣", "毛衣", "针织", "外套", "羽绒", "连衣裙", "半身裙", "裤",
                 "内衣", "袜")


# GB 18401's safety class as suppliers write it in 执行标准: GB 18401-2010 B类.
_SAFETY_CLASS = re.compile(r"GB\s*18401[^ABC]{0,12}?([ABC])\s*类", re.IGNORECASE)


# GB 18401 named at all, as typed (GB18401, gb 18401—2010): textiles' safety standard.
_TEXTILE_SAFETY = re.compile(r"GB\s*18401(?!\d)", re.IGNORECASE)


def names_textile_safety(standard: str | None) -> bool:
    """Whether a 执行标准 names GB 18401, with its class or without.

    >>> names_textile_safety("gb18401—2010"), names_textile_safety("GB 184012")
    (True, False)
    """
    return bool(_TEXTILE_SAFETY.search(unicodedata.normalize("NFKC", standard or "")))


def textile_safety_class(standard: str | None) -> str | None:
    """The GB 18401 safety class (A, B or C) a product's 执行标准 names, if any.

    >>> textile_safety_class("GB/T 22844-2009 合格品；GB 18401-2010 B类")
    'B'
    >>> textile_safety_class("GB 18401—2010 A 类"), textile_safety_class("GB/T 18781-2023")
    ('A', None)
    """
    found = _SAFETY_CLASS.search(standard or "")
    return found.group(1).upper() if found else None


def names_textile(name: str | None) -> bool:
    """Whether a name or category names a textile (家纺床品, 蚕丝被, 纯棉t恤 as typed)."""
    folded = unicodedata.normalize("NFKC", name or "").upper()
    return any(word in folded for word in TEXTILE_WORDS)


def looks_like_food(product: Product) -> bool:
    """Whether the product is food, as far as its record says: a food production
    licence (SC), or a category naming food."""
    return (product.licence_no or "").upper().startswith("SC") or names_food(product.category)


def _shelf_life(given: int | str | None,
                months: int | None = None) -> tuple[int | None, int | None]:
    """(days, months) of shelf life, one of them None: a number of days, a number of
    months, or text typed as a label prints it ('540', '18个月', '2 年')."""
    if given is not None and months is not None:
        raise InvalidInput("give the shelf life once: in days or in months",
                           message_zh="保质期只填一个：按天或按月")
    if isinstance(given, str):
        given, months = _typed_shelf_life(given)
    if given is not None and not 1 <= given <= MAX_SHELF_LIFE_DAYS:
        raise InvalidInput(f"shelf life must be 1-{MAX_SHELF_LIFE_DAYS} days",
                           message_zh=f"保质期须为 1–{MAX_SHELF_LIFE_DAYS} 天")
    if months is not None and not 1 <= months <= MAX_SHELF_LIFE_MONTHS:
        raise InvalidInput(f"shelf life must be 1-{MAX_SHELF_LIFE_MONTHS} months",
                           message_zh=f"保质期须为 1–{MAX_SHELF_LIFE_MONTHS} 个月")
    return given, months


def _typed_shelf_life(given: str) -> tuple[int | None, int | None]:
    shown = given.strip()  # as the clerk typed it, in what the form says back
    typed = _halves(_arabic(unicodedata.normalize("NFKC", shown).replace(",", "")))
    if not typed or typed.lower() in _NO_SHELF_LIFE:
        return None, None
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
    days, months = _PERIOD_OF[(read.group(2) or "天").lower()]
    count = int(read.group(1))
    return (count * days if days else None), (count * months if months else None)


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
    if re.search(r"<\s*/?\s*[A-Za-z!]", name):  # <b>爆款</b>: shown and printed as typed
        raise InvalidInput("a product name holds no HTML tags: buyers and labels show them "
                           "as typed (<b>…</b>); write the words alone",
                           message_zh="商品名称不能带网页代码（如 <b>…</b>）：消费者页面和标签会"
                                      "原样显示这些符号，请只写文字")
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


# What a supplier without a barcode types in the box (a trial's co-op typed 无).
_NO_BARCODE = {"无", "没有", "暂无", "没", "none", "n/a", "na", "no", "-", "/"}


def normalise_gtin(gtin: str) -> str:
    """A GTIN as the 14 digits GS1 Digital Link writes: the 13-digit EAN-13 printed on
    Chinese retail goods (and GTIN-8, GTIN-12) gain leading zeros.

    >>> normalise_gtin(" 6901234567892 ")
    '06901234567892'
    """
    # A Chinese keyboard's ６９０…, and the spaces printed under a barcode (6 901234 567892).
    text = re.sub(r"[\s-]", "", ascii_digits(gtin or ""))
    if text.lower() in _NO_BARCODE:  # a co-op selling produce: what to do, not the format
        raise InvalidInput("goods without a GTIN cannot be registered: their codes carry it "
                           "(GS1 Digital Link); apply for a company prefix at GS1 China "
                           "(www.ancc.org.cn) first",
                           message_zh="没有商品条码的商品还不能登记：每个追溯码里都要带上商品条码。"
                           "请先向中国物品编码中心申请厂商识别代码（网站 www.ancc.org.cn，"
                           "也可到当地市场监管部门下属的编码分支机构办理），拿到条码后再来登记",
                           field="gtin")
    if _SHORT_GTIN.fullmatch(text):
        text = text.zfill(14)
    elif not (is_number(text) and len(text) == 14):
        stray = "".join(dict.fromkeys(c for c in text if not ("0" <= c <= "9")))[:5]
        said = f"（里面有数字以外的字符：{stray}）" if stray else f"（您输入了 {len(text)} 位）"
        raise InvalidInput(f"a GTIN is 8, 12, 13 or 14 digits, not {text[:20]!r}",
                           message_zh=f"商品条码应为 8、12、13 或 14 位数字{said}", field="gtin")
    if not text.strip("0"):  # its check digit holds, but GS1 never assigns it
        raise InvalidInput("a GTIN of zeros names no product",
                           message_zh="全为 0 的商品条码不是有效的商品条码", field="gtin")
    expected = gtin_check_digit(text[:13])
    if int(text[13]) != expected:  # in the digits as typed, not the padded 14
        typed = text.lstrip("0") if len(text.lstrip("0")) >= 8 else text
        raise InvalidInput(
            f"GTIN {typed} does not add up (its last digit is a check on the others): "
            "compare every digit with the barcode on the package; a typo or a missing "
            "digit is usually in the middle, not at the end",
            message_zh=f"商品条码 {typed} 核对不上（最后一位是校验位）：请对照包装上的条码逐位"
            "核对，输错或漏输的多半是中间某一位", field="gtin")
    return validate_gtin14(text)


def get_product(db: sqlite_utils.Database, gtin: str) -> Product:
    gtin = normalise_gtin(gtin)
    rows = list(db.query("SELECT * FROM products WHERE gtin = ?", [gtin]))
    if not rows:
        raise _not_registered(gtin)
    return Product.from_row(rows[0])


def _not_registered(gtin: str) -> NotFound:
    return NotFound(f"no product with GTIN {gtin} is registered",
                    hint="register it first: python -m trace product add ...",
                    message_zh=f"本平台没有登记商品条码为 {gtin} 的商品；请先登记商品")


def owned_product(db: sqlite_utils.Database, supplier_id: int, gtin: str) -> Product:
    """The product, if this supplier owns it; another's and one nobody registered are
    alike 'not yours' (not 'register it first', which another's could not be)."""
    try:
        product = get_product(db, gtin)
    except NotFound:
        product = None
    if product is None or product.supplier_id != supplier_id:
        shown = normalise_gtin(gtin)
        raise NotFound(f"you have no product with GTIN {shown} registered; if it is a new "
                       "product of yours, register it first",
                       message_zh=f"贵单位没有登记商品条码为 {shown} 的商品；如是贵单位的新商品，"
                       "请先登记商品")
    return product


def find_products(db: sqlite_utils.Database, words: str, limit: int = 10) -> list[dict]:
    """Products whose name or supplier's name holds ``words`` (as typed: full-width
    folded), for the operator asked about '珍珠项链' or a company by phone."""
    text = unicodedata.normalize("NFKC", words or "").strip()
    if not text:
        return []
    return list(db.query(
        "SELECT p.gtin, p.name, s.name AS supplier FROM products p "
        "JOIN suppliers s ON s.id = p.supplier_id "
        "WHERE instr(p.name, ?) OR instr(s.name, ?) ORDER BY p.name, p.gtin LIMIT ?",
        [text, text, limit]))


def list_products(db: sqlite_utils.Database, supplier: Supplier | None = None) -> list[dict]:
    sql = ("SELECT p.gtin, p.name, p.specification, s.id AS supplier_id, s.name AS supplier "
           "FROM products p JOIN suppliers s ON s.id = p.supplier_id")
    params: list = []
    if supplier:
        sql += " WHERE s.id = ?"
        params.append(supplier.id)
    return list(db.query(sql + " ORDER BY p.gtin", params))
