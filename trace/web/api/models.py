"""The JSON API's request and response bodies (pydantic). spectree validates every
request against these and generates /api/v1/openapi.json from the same classes,
so the document cannot drift from what the server accepts::

    ProductIn.model_validate({"gtin": "6901234567892", "name": "龙井茶"})
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ...catalog import MAX_BATCH_QUANTITY, MAX_SHELF_LIFE_DAYS, MAX_SHELF_LIFE_MONTHS
from ...verification import REASON_CODES

GTIN = Field(pattern=r"^[0-9]{8}$|^[0-9]{12,14}$",
             description="GTIN-8, -12, -13 (EAN-13) or -14; shorter ones are padded to 14")
LOT_PATTERN = r"^[0-9A-Za-z-]{1,20}$"
MAX_API_TOPUP = 100_000
MONTHS = ("shelf life in months, as labels print 保质期18个月: the expiry date is the "
          "production date that many calendar months on; give it or shelf_life_days, not both")
FIBRE = "a textile's fibre content (纤维含量, GB/T 5296.4), e.g. 面料 100%棉"
CARE = "how to wash and keep a textile (洗涤和保养), e.g. 30℃以下机洗，不可漂白"
IN_ENGLISH = "the same detail in English, shown to buyers reading the page in English"


def _calendar_date(value: Any) -> Any:
    """A date as the web form reads one (2026-11-03 or 20261103); pydantic alone read
    '20261103' as seconds since 1970 and refused it in words no one could act on."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("date_format", "'{value}' is not a date: write YYYY-MM-DD",
                                      {"value": value[:40]}) from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("date_type", "a date is a string, YYYY-MM-DD, not a number")
    return value


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApiError(BaseModel):
    """Every error: a stable code, and what went wrong in English and Chinese."""

    error: str = Field(description="stable code, e.g. NotFound, Unauthorized, InvalidInput")
    message: str
    message_zh: str
    details: list[dict[str, Any]] | None = None


class ProductIn(Strict):
    gtin: str = GTIN
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    specification: str | None = Field(None, max_length=200)
    category: str | None = Field(None, max_length=50)
    origin: str | None = Field(None, max_length=200)
    standard: str | None = Field(None, max_length=100, description="执行标准, e.g. GB/T 18781")
    shelf_life_days: int | None = Field(None, ge=1, le=MAX_SHELF_LIFE_DAYS, strict=True)
    shelf_life_months: int | None = Field(None, ge=1, le=MAX_SHELF_LIFE_MONTHS, strict=True,
                                          description=MONTHS)
    storage: str | None = Field(None, max_length=100)
    licence_no: str | None = Field(None, max_length=50, description="e.g. the SC number")
    fibre_content: str | None = Field(None, max_length=100, description=FIBRE)
    care: str | None = Field(None, max_length=100, description=CARE)
    specification_en: str | None = Field(None, max_length=200, description=IN_ENGLISH)
    origin_en: str | None = Field(None, max_length=200, description=IN_ENGLISH)
    storage_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)
    care_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)
    fibre_content_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)
    category_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)


class ProductChange(Strict):
    """The fields to change, and only those (a field given as null is cleared). Once
    the product has a batch, buyers see each change beside the product, with the
    reason, since labels already printed show the old details."""
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    specification: str | None = Field(None, max_length=200)
    category: str | None = Field(None, max_length=50)
    origin: str | None = Field(None, max_length=200)
    standard: str | None = Field(None, max_length=100)
    shelf_life_days: int | None = Field(None, ge=1, le=MAX_SHELF_LIFE_DAYS, strict=True)
    shelf_life_months: int | None = Field(None, ge=1, le=MAX_SHELF_LIFE_MONTHS, strict=True,
                                          description=MONTHS)
    storage: str | None = Field(None, max_length=100)
    licence_no: str | None = Field(None, max_length=50)
    fibre_content: str | None = Field(None, max_length=100, description=FIBRE)
    care: str | None = Field(None, max_length=100, description=CARE)
    specification_en: str | None = Field(None, max_length=200, description=IN_ENGLISH)
    origin_en: str | None = Field(None, max_length=200, description=IN_ENGLISH)
    storage_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)
    care_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)
    fibre_content_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)
    category_en: str | None = Field(None, max_length=100, description=IN_ENGLISH)
    # A request is at most 20 MB; base64 is a third larger than the picture.
    photo_base64: str | None = Field(None, max_length=20_000_000, description=(
        "a new photo of the product (JPEG or PNG, base64, at most 15 MB): stored "
        "without its camera metadata, at most 1,600 px; null or \"\" takes the photo off"))
    reason: str | None = Field(None, max_length=200,
                               description="why, shown to buyers; needed once it has a "
                               "batch, unless only English details change")


class Product(BaseModel):
    gtin: str
    name: str
    name_en: str | None
    specification: str | None
    category: str | None
    origin: str | None
    standard: str | None
    shelf_life_days: int | None
    shelf_life_months: int | None = Field(None, description=MONTHS)
    storage: str | None
    licence_no: str | None
    fibre_content: str | None = Field(None, description=FIBRE)
    care: str | None = Field(None, description=CARE)
    specification_en: str | None = Field(None, description=IN_ENGLISH)
    origin_en: str | None = Field(None, description=IN_ENGLISH)
    storage_en: str | None = Field(None, description=IN_ENGLISH)
    care_en: str | None = Field(None, description=IN_ENGLISH)
    fibre_content_en: str | None = Field(None, description=IN_ENGLISH)
    category_en: str | None = Field(None, description=IN_ENGLISH)
    photo: str | None = Field(None, description="the photo's SHA-256: /photos/{photo}/large.jpg "
                              "and /photos/{photo}/thumb.jpg (a 360 px square)")


class BatchIn(Strict):
    gtin: str = GTIN
    lot: str = Field(pattern=LOT_PATTERN, description="digits, letters and '-'; upper-cased")
    produced_on: CalendarDate | None = None
    expires_on: CalendarDate | None = Field(None, description="default: produced_on + shelf life")
    quantity_planned: int | None = Field(None, ge=1, le=MAX_BATCH_QUANTITY, strict=True)
    notes: str | None = Field(None, max_length=500)


class Batch(BaseModel):
    gtin: str
    lot: str
    product: str
    produced_on: str | None
    expires_on: str | None
    quantity_planned: int | None
    notes: str | None
    status: Literal["open", "recalled"]
    status_reason: str | None
    issued: int = Field(description="codes issued so far")
    pin_codes: int = Field(description="active codes with a scratch-off PIN. A top-up must "
                           "be of the kind the batch's active codes are: `with_pin` true when "
                           "this is above 0, false when it is 0 and the batch has codes")
    url: str = Field(description="the public batch page")
    cancelled: Cancellation | None = Field(
        None, description="set when the batch was cancelled (opened by mistake, before any "
        "code): its lot stays taken, and nothing can be issued for it")


class Cancellation(BaseModel):
    reason: str
    at: str = Field(description="when, ISO 8601 UTC")


class CancelIn(Strict):
    reason: str = Field(min_length=1, max_length=200,
                        description="why, e.g. 批次号录错; shown on the batch's public page")


class ProductList(BaseModel):
    products: list[Product]


class BatchesQuery(Strict):
    gtin: str | None = Field(None, description="only this product's batches")


class BatchList(BaseModel):
    batches: list[Batch]


class ItemStatusIn(Strict):
    action: Literal["void", "recall"] = Field(
        description="void: a damaged or reprinted label, never valid again; recall: this "
        "one item is recalled. Neither is undone; a recalled item may still be voided "
        "(destroyed after the recall), and then reads void")
    reason: str = Field(min_length=1, max_length=200, description="shown to buyers who scan it")


class ItemStatus(BaseModel):
    serial: str
    status: Literal["active", "void", "recalled"]
    status_reason: str | None


class IssueIn(Strict):
    # Strict: codes cannot be taken back, so "5" or true is refused, never guessed at.
    count: int = Field(ge=1, le=MAX_API_TOPUP, strict=True)
    with_pin: bool = Field(False, strict=True,
                           description="give each item a scratch-off PIN")
    over_plan: bool = Field(False, strict=True, description="issue even if the batch then "
                            "has more codes than its planned quantity (refused otherwise: "
                            "codes can be voided, never taken back)")


class Issuance(BaseModel):
    id: int
    gtin: str
    lot: str
    kid: str
    count: int
    issued_at: str
    first_seq: int = Field(description="the first `seq` of these codes in the batch's code "
                           "list (GET …/codes: page (first_seq - 1) // per_page + 1)")
    last_seq: int = Field(description="the last `seq` of these codes")


class CodesQuery(Strict):
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(1000, ge=1, le=5000)


class Code(BaseModel):
    seq: int
    serial: str
    kid: str
    status: Literal["active", "void", "recalled"]
    issued_at: str
    url: str
    pin: str = Field(description="the scratch-off PIN, '' for items issued without one")


class CodesPage(BaseModel):
    gtin: str
    lot: str
    total: int
    page: int
    per_page: int
    next: str | None = Field(description="the next page's path, null on the last page")
    codes: list[Code]


class VerifyIn(Strict):
    url: str = Field(min_length=1, max_length=2048,
                     description="a scanned code URL, or the 追溯码 printed under the QR")


class Verdict(BaseModel):
    """As the scan page's JSON (Accept: application/json on a code URL); a look-up
    through the API is never counted as a scan, and is no buyer: a claimed item
    (`scans.claimed_at`) is `genuine` here, while a phone other than the claimer's
    is told `suspicious` (`claimed_elsewhere`). For a registered batch, `failed_tests`
    names the items a standing signed report fails, `supplier_suspended` says the
    platform suspended its supplier and `expired` says the batch is past its date;
    `caution` names the first of these that holds (altered: the batch's records
    differ from the ledger, then failed, suspended, expired): the page then heads a
    `genuine` verdict with that warning. `reason_code` is the stable name of
    `reason`; dates are days in China (Asia/Shanghai), moments (`*_at`) UTC."""

    verdict: Literal["genuine", "suspicious", "registered", "recalled", "void", "forged",
                     "invalid"]
    reason: str
    reason_en: str
    reason_code: str = Field(json_schema_extra={"enum": list(REASON_CODES)})
    detail: str | None
    detail_en: str | None = None
    gtin: str | None
    lot: str | None
    serial: str | None
    kid: str | None
    product: str | None
    supplier: str | None
    verified_at: str
    product_info: dict[str, Any] | None = None
    supplier_info: dict[str, Any] | None = None
    batch: dict[str, Any] | None = None
    item: dict[str, Any] | None = None
    scans: dict[str, Any] | None = None
    events: list[dict[str, Any]] | None = None
    inspections: list[dict[str, Any]] | None = Field(
        None, description="the batch's signed lab reports, every version, newest first: "
        "each with report (the signed record: report_no, type, issued_on, conclusion, items "
        "[{name, result, unit, limit, method, verdict}]), signature_ok, current and withdrawn")
    failed_tests: list[str] | None = None
    supplier_suspended: bool | None = None
    expired: bool | None = None
    caution: Literal["altered", "failed", "suspended", "expired"] | None = None


class PublicBatch(BaseModel):
    """A batch's public record, as its page shows buyers (no token; never a scan):
    ``GET /01/{gtin}/10/{lot}`` with ``Accept: application/json``. An unknown batch, or
    one of a supplier not yet approved, is 404 ``NotFound``."""

    batch: dict[str, Any] = Field(description="gtin, lot, produced_on, expires_on, status "
                                  "(open, recalled), status_reason ...")
    product: dict[str, Any] = Field(description="name, specification, standard, origin ...")
    supplier: dict[str, Any] = Field(description="name, credit_code, phone, address, "
                                     "suspended_at, suspended_reason")
    issued: int = Field(description="codes issued for the batch")
    items_recalled: int = Field(description="items recalled one by one")
    items_void: int = Field(description="codes voided (damaged labels, issued by mistake)")
    events: list[dict[str, Any]] = Field(description="recalls, corrections, suspensions, "
                                         "oldest first")
    inspections: list[dict[str, Any]] = Field(description="as in Verdict")
    cancelled: dict[str, Any] | None = Field(description="reason and at, if cancelled")
    records_altered: bool
    caution: Literal["recalled", "cancelled", "altered", "failed", "suspended",
                     "expired"] | None = Field(
        description="as an item's Verdict.caution; a recalled batch reads `recalled` first, "
        "a cancelled one (no codes, `cancelled` set; its status stays open) `cancelled`")


class InspectionIn(Strict):
    """A report for a batch the agency was commissioned or assigned for. Without
    ``kid`` and ``sig`` the platform signs it with the agency's server-held key;
    with them (from ``inspection sign`` on the lab's machine) the signature is
    checked against the agency's registered key."""

    report: dict[str, Any] = Field(
        description="the report: every leaf a string (numbers as printed, e.g. \"0.012\"); "
        "report_no, type (委托检验, 监督抽检, 自检, 神秘抽检), batch {gtin, lot}, "
        "issued_on (YYYY-MM-DD), conclusion, items [{name, result, unit, limit, method, "
        "verdict (合格, 不合格, 符合, 不符合, 不判定, —)}]; for a correction also version, "
        "supersedes and reason (why). To withdraw a report signed in error, for good, only "
        "{report_no, status: \"withdrawn\", reason}",
        examples=[{"report_no": "ZJSP-2026-J0417", "type": "委托检验",
                   "batch": {"gtin": "09521234000020", "lot": "SF-2604-T"},
                   "issued_on": "2026-04-20", "conclusion": "所检项目符合 GB 2763-2021 要求",
                   "items": [{"name": "联苯菊酯", "result": "0.08", "unit": "mg/kg",
                              "limit": "≤5", "method": "GB 23200.113", "verdict": "合格"}]}])
    kid: str | None = Field(None, max_length=16)
    sig: str | None = Field(None, max_length=100)
    # A request is at most MAX_CONTENT_LENGTH (20 MB), and base64 is a third larger
    # than the file: 20,000,000 characters hold a PDF of about 14 MB.
    pdf_base64: str | None = Field(None, max_length=20_000_000,
                                   description="the report PDF, base64: a PDF of at most "
                                   "about 14 MB (the whole request is limited to 20 MB)")


class Inspection(BaseModel):
    report_no: str
    version: str
    kid: str
    gtin: str
    lot: str
    url: str = Field(description="the batch page showing the report")
    withdrawn: bool = Field(False, description="this version withdraws the report: the batch "
                            "no longer stands on it")


class LabelsQuery(Strict):
    stock: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$",
                       description="the label stock (GET /api/v1/label-stocks), e.g. a4-3x8")
    first: int | None = Field(None, ge=1, description="the first label, by its place in "
                              "issue order (seq); with last, a range of at most 5,000")
    last: int | None = Field(None, ge=1, description="the last label; both left out: the "
                             "whole batch, when it has at most 5,000")
    format: Literal["pdf", "tspl", "zpl"] = Field(
        "pdf", description="a PDF, or a thermal roll printer's own commands (TSPL for TSC, "
        "佳博 and 芯烨; ZPL for Zebra)")
    slot: int | None = Field(None, ge=1, description="on a part-used sheet, the place of its "
                             "first free label (1 = top left, across then down)")
    reprint: bool = Field(False, description="print labels downloaded before again: one code "
                          "on two items reads 可疑 to buyers, so it must be asked for")


class LabelStock(BaseModel):
    name: str
    description: str
    description_zh: str
    label_w_mm: float
    label_h_mm: float
    per_page: int = Field(description="labels on one sheet; 1 for a roll")
    roll: bool = Field(description="a thermal roll: TSPL and ZPL may be asked for")
    prints_pin: bool = Field(description="prints the scratch-off PIN: for batches issued "
                             "with PINs")


class LabelStocks(BaseModel):
    stocks: list[LabelStock]
