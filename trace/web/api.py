"""The JSON API under /api/v1/, for a supplier's ERP or a lab's LIMS.

Every call carries ``Authorization: Bearer TOKEN`` (``python -m trace tokens
new``); the organisation comes from the token, never from the request. Bodies
are validated by spectree against the pydantic models in ``api_models``, and the
OpenAPI 3.1 document at /api/v1/openapi.json is generated from the same models::

    curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
         -d '{"count": 50}' https://trace.example.cn/api/v1/batches/09521234000013/ZJ-2611-A/issue

spectree was chosen over flask-smorest and APIFlask: it validates with pydantic
v2, whose JSON Schema 2020-12 is what OpenAPI 3.1 uses (no translation layer),
and it decorates plain Flask blueprints without replacing the app class or
taking over the app's error pages.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Mapping, TypeVar

from flask import Blueprint, Response, current_app, g, request, url_for
from pydantic import ValidationError
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree import Response as Responses
from spectree.models import SecureType
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import abort

from .. import (accounts, agencies, catalog, corrections, downloads, issuing, keys,
                product_photos, recalls, verification)
from ..inspections import report as report_format
from ..inspections import signing
from ..inspections import store as inspection_store
from ..errors import Forbidden, InvalidInput, Unauthorized
from . import api_models as m
from . import attachment, get_db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
Body = TypeVar("Body", bound=m.BaseModel)


def errors(*statuses: int) -> dict:
    """The error answers an operation can give, each in the one error format."""
    return {f"HTTP_{status}": m.ApiError for status in statuses}


WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)
PATH_DOCS = {"gtin": "the product's GTIN (14 digits; 8, 12 and 13 are padded)",
             "lot": "the batch number (批次号)"}


# pydantic's error types a caller meets, in Chinese (ctx fills the braces); any other
# says the field's format is wrong, with pydantic's English beside it.
SCHEMA_ERRORS_ZH = {
    "missing": "缺少这个字段", "extra_forbidden": "没有这个字段，请去掉",
    "string_type": "应为文本（字符串）", "int_type": "应为整数（JSON 数字，不加引号）",
    "bool_type": "应为 true 或 false", "dict_type": "应为 JSON 对象", "list_type": "应为数组",
    "model_type": "应为 JSON 对象", "int_from_float": "应为整数",
    "greater_than_equal": "不能小于 {ge}", "less_than_equal": "不能大于 {le}",
    "greater_than": "应大于 {gt}", "less_than": "应小于 {lt}",
    "string_too_short": "至少 {min_length} 个字符", "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不对，应符合 {pattern}", "literal_error": "只能是 {expected}",
    "int_parsing": "应为整数", "bool_parsing": "应为 true 或 false", "json_invalid": "不是有效的 JSON",
    "date_format": "不是有效日期，请写成 YYYY-MM-DD（如 2026-11-03）",
    "date_type": "日期应为文本 YYYY-MM-DD", "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
}


def _in_chinese(item: Mapping[str, Any]) -> str:
    said = SCHEMA_ERRORS_ZH.get(str(item.get("type", "")))
    if said is None:
        return f"格式不对：{item.get('msg', '')}"
    context = {key: str(value).replace(" or ", " 或 ")  # literal_error: 'void' or 'recall'
               for key, value in (item.get("ctx") or {}).items()}
    try:
        return said.format(**context)
    except (KeyError, IndexError):
        return said.split("{")[0].rstrip() or "格式不对"


class InvalidRequest(InvalidInput):
    """The request body or query does not match the API's schema."""

    status = 422
    details: list[dict] | None = None

    def to_json(self) -> dict:
        return super().to_json() | ({"details": self.details} if self.details else {})


def _schema_errors(req: Any, resp: Any, error: Exception | None, instance: Any,
                   adapter: Any) -> None:
    """spectree found the request invalid: answer in our one error format."""
    if error is not None:
        if req.get_data() and req.mimetype != "application/json":
            raise InvalidRequest("send the body as JSON, with Content-Type: application/json",
                                 message_zh="请以 JSON 格式提交（Content-Type: application/json）")
        # pydantic's own list keeps each error's context (the limit a number broke),
        # which spectree's adapter leaves out.
        items = error.errors(include_url=False) if isinstance(error, ValidationError) \
            else adapter.validation_errors(error)
        details = [{"loc": [str(part) for part in item.get("loc", ())],
                    "msg": str(item.get("msg", "")), "msg_zh": _in_chinese(item)}
                   for item in items]
        where = "; ".join(f"{'.'.join(d['loc']) or 'body'}: {d['msg']}" for d in details[:5])
        fields = "、".join(dict.fromkeys(".".join(d["loc"]) or "body" for d in details))
        raised = InvalidRequest(f"the request does not match the API schema: {where}",
                                message_zh=f"请求内容不符合接口规范（字段：{fields}），详见 details")
        raised.details = details
        raise raised


spec = SpecTree(
    "flask", title="Trace API", version="1",
    description="Signed one-item-one-code traceability: products, batches, issuing, codes "
    "and verification. Authenticate with `Authorization: Bearer TOKEN`.\n\n"
    "- Dates (`produced_on`, `expires_on`, `issued_on`) are calendar days in China "
    "(Asia/Shanghai): 'today' and 'expired' are Beijing's. Moments (`*_at`) are UTC, ISO "
    "8601.\n"
    "- Errors are one shape (`ApiError`): `error` names the kind, `message` and "
    "`message_zh` say what to fix; a 422 adds `details`, one per field.\n"
    "- A batch's public record, as buyers see it, needs no token: "
    "`GET /01/{gtin}/10/{lot}` with `Accept: application/json` (`PublicBatch`).\n"
    "- Token calls are not rate-limited; sign-in and buyers' forms are, with 429 and "
    "`Retry-After`.",
    # spectree serves no page or document of its own (its pages load scripts from a
    # CDN); /api/v1/openapi.json below serves what it generates.
    mode="strict", page_templates={},
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    validation_error_status=422, validation_error_model=m.ApiError, before=_schema_errors,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer",
        description="a token from: python -m trace tokens new --email E"))],
    security={"bearer": []})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the validating models (no token needed).
    No ``servers``: the calls are on the host that served the document."""
    return current_app.json.response(_with_idempotency(_with_public_batch(_with_csv(spec.spec))))


def _with_csv(document: dict) -> dict:
    """The codes' other answer, which spectree has no way to declare: all of them as
    one CSV file, for ``Accept: text/csv``."""
    codes = document["paths"]["/api/v1/batches/{gtin}/{lot}/codes"]["get"]["responses"]["200"]
    codes["content"].setdefault("text/csv", {"schema": {
        "type": "string", "description": "every code of the batch: seq, gtin, lot, serial, "
        "kid, status, issued_at, url, pin"}})
    return document


PUBLIC_PATH_DOCS = {"gtin": "the GTIN-14, as a code's URL carries it",
                    "lot": "the batch number, as printed"}


def _with_idempotency(document: dict) -> dict:
    """The issue call's retry header and its answer's mark, which spectree's models
    cannot declare beside a JSON body."""
    issue = document["paths"]["/api/v1/batches/{gtin}/{lot}/issue"]["post"]
    if not any(p["name"] == "Idempotency-Key" for p in issue["parameters"]):
        issue["parameters"].append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "retry safely: the same key answers the first issuance again",
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,100}$"}})
    issue["responses"]["201"].setdefault("headers", {"Idempotent-Replayed": {
        "description": "\"true\" when this answers an earlier request with the same key",
        "schema": {"type": "string", "enum": ["true"]}}})
    return document


def _with_public_batch(document: dict) -> dict:
    """The batch page's JSON, outside /api/v1 (no token), in the same document."""
    document["components"]["schemas"].setdefault("PublicBatch", m.PublicBatch.model_json_schema(
        ref_template="#/components/schemas/{model}"))
    answer = {"content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/PublicBatch"}}}}
    document["paths"].setdefault("/01/{gtin}/10/{lot}", {"get": {
        "summary": "A batch's public record, as its page shows buyers (send Accept: "
                   "application/json; without it the answer is the HTML page)",
        "description": m.PublicBatch.__doc__, "security": [],
        "parameters": [{"name": name, "in": "path", "required": True,
                        "schema": {"type": "string"}, "description": described}
                       for name, described in PUBLIC_PATH_DOCS.items()],
        "responses": {"200": {"description": "the record", **answer},
                      "404": {"description": "no such batch", "content": {
                          "application/json": {"schema": {
                              "$ref": "#/components/schemas/ApiError"}}}}}}})
    return document


@bp.before_request
def _token():
    """The account behind the bearer token (a session cookie never counts here, so
    no page can be made to call the API on a signed-in user's behalf)."""
    if request.endpoint == "api.openapi":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = accounts.user_for_token(get_db(), token.strip()) if scheme.lower() == "bearer" \
        else None
    if user is None:
        raise Unauthorized("send a valid API token: Authorization: Bearer TOKEN",
                           message_zh="请提供有效的接口令牌（Authorization: Bearer TOKEN）")
    g.api_user = user
    _readable_body()


def _readable_body() -> None:
    """Refuse a JSON body that parses but is no text, before the schema sees it: a
    lone surrogate (``"\\ud800"``) cannot be stored or even echoed back in an error,
    and nesting thousands deep exhausts the parser. A name given twice in one
    object is refused too: which one a parser keeps is its own choice. The one
    parse of the body that can fail: spectree reads it only once it is known good."""
    if request.mimetype != "application/json" or not request.get_data():
        return
    try:
        parsed = json.loads(request.get_data(), object_pairs_hook=_once_each)
        json.dumps(parsed, ensure_ascii=False).encode()
    except (RecursionError, UnicodeEncodeError):  # the latter is a ValueError too
        raise InvalidRequest("the body is JSON, but unreadable: it holds a lone surrogate "
                             "escape (\\ud800-\\udfff) or nests too deep",
                             message_zh="请求内容含有无法识别的字符或嵌套过深") from None
    except ValueError:  # not JSON at all (null is; a 5,000-digit number is not)
        raise InvalidRequest("the body is not valid JSON",
                             message_zh="请求内容不是有效的 JSON") from None


def _once_each(pairs: list[tuple[str, Any]]) -> dict:
    names = [name for name, _value in pairs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InvalidRequest(f"the body gives {', '.join(map(repr, twice))} more than once",
                             message_zh=f"请求内容中的字段重复：{'、'.join(twice)}")
    return dict(pairs)


def _supplier() -> catalog.Supplier:
    user = g.api_user
    if user.role != "supplier" or user.org_id is None:
        raise Forbidden("this call is for supplier tokens", message_zh="此接口仅供供货商使用")
    return catalog.find_supplier(get_db(), user.org_id)


def _json_body(body: Body | None) -> Body:
    if body is None:  # spectree reads JSON only when the body says it is JSON
        raise InvalidRequest("send a JSON body with Content-Type: application/json",
                             message_zh="请以 JSON 格式提交（Content-Type: application/json）")
    return body


@bp.post("/products")
@spec.validate(json=m.ProductIn,
               resp=Responses(HTTP_201=m.Product, **errors(400, 401, 403, 409, 422)),
               operation_id="createProduct", tags=["catalog"])
def create_product(json: m.ProductIn):
    """Register a product of the token's supplier."""
    body = _json_body(json).model_dump()
    product = catalog.add_product(get_db(), _supplier(), body.pop("gtin"), body.pop("name"),
                                  **body)
    return _product_json(product), 201


@bp.patch("/products/<gtin>")
@spec.validate(json=m.ProductChange,
               resp=Responses(HTTP_200=m.Product, **WRITE_ERRORS),
               operation_id="changeProduct", tags=["catalog"])
def change_product(gtin: str, json: m.ProductChange):
    """Correct a product of the token's supplier, or set or take off its photo. Only
    the fields sent change; once the product has a batch a `reason` is needed, and
    buyers see what changed and why."""
    given = _json_body(json).model_dump(exclude_unset=True)
    reason = given.pop("reason", None)
    db = get_db()
    catalog.require_not_suspended(_supplier())  # as on the web: buyers read what changes
    with db.atomic():  # a refused change keeps no photo either
        if "photo_base64" in given:
            encoded = given.pop("photo_base64")
            given["photo"] = product_photos.store_photo(db, _decoded(encoded, "photo_base64")) \
                if encoded else ""
        product, _changed = corrections.edit_product(
            db, _supplier(), gtin, actor=f"api:{g.api_user.email}", reason=reason, **given)
    return _product_json(product)


@bp.get("/products")
@spec.validate(resp=Responses(HTTP_200=m.ProductList, **errors(401, 403)),
               operation_id="listProducts", tags=["catalog"])
def list_products():
    """The token's supplier's products."""
    db = get_db()
    return m.ProductList(products=[
        _product_json(catalog.get_product(db, row["gtin"]))
        for row in catalog.list_products(db, _supplier())])


def _product_json(product: catalog.Product) -> m.Product:
    return m.Product.model_validate(product.public_json() | {"name_en": product.name_en})


@bp.get("/batches")
@spec.validate(query=m.BatchesQuery,
               resp=Responses(HTTP_200=m.BatchList, **errors(400, 401, 403, 404, 422)),
               operation_id="listBatches", tags=["catalog"])
def list_batches(query: m.BatchesQuery):
    """The token's supplier's batches, newest first (one product's with `gtin`)."""
    db = get_db()
    supplier = _supplier()
    if query.gtin:
        catalog.owned_product(db, supplier.id, query.gtin)
    return m.BatchList(batches=[
        _batch_json(catalog.get_batch(db, row["gtin"], row["lot"]))
        for row in catalog.list_batches(db, query.gtin, supplier_id=supplier.id)])


@bp.post("/batches")
@spec.validate(json=m.BatchIn, resp=Responses(HTTP_201=m.Batch, **WRITE_ERRORS),
               operation_id="createBatch", tags=["catalog"])
def create_batch(json: m.BatchIn):
    """Open a batch of one of the token's supplier's products."""
    body = _json_body(json)
    db = get_db()
    catalog.owned_product(db, _supplier().id, body.gtin)
    made = catalog.new_batch(
        db, body.gtin, body.lot,
        produced_on=body.produced_on.isoformat() if body.produced_on else None,
        expires_on=body.expires_on.isoformat() if body.expires_on else None,
        quantity=body.quantity_planned, notes=body.notes)
    return _batch_json(made), 201


@bp.get("/batches/<gtin>/<lot>")
@spec.validate(resp=Responses(HTTP_200=m.Batch, **errors(400, 401, 403, 404)),
               operation_id="getBatch", tags=["catalog"], path_parameter_descriptions=PATH_DOCS)
def get_batch(gtin: str, lot: str):
    """A batch of the token's supplier, with how many codes it has."""
    return _batch_json(catalog.owned_batch(get_db(), _supplier().id, gtin, lot))


def _batch_json(batch: catalog.Batch) -> m.Batch:
    db = get_db()
    base = current_app.config["BASE_URL"]
    return m.Batch(gtin=batch.gtin, lot=batch.lot, product=catalog.get_product(db, batch.gtin).name,
                   produced_on=batch.produced_on, expires_on=batch.expires_on,
                   quantity_planned=batch.quantity_planned, notes=batch.notes,
                   status=batch.status,  # type: ignore[arg-type]
                   status_reason=batch.status_reason, issued=catalog.issued_count(db, batch.id),
                   pin_codes=issuing.active_kinds(db, batch.id)[0],
                   url=f"{base}/01/{batch.gtin}/10/{batch.lot}",
                   cancelled=_cancellation(db, batch))


def _cancellation(db, batch: catalog.Batch) -> m.Cancellation | None:
    found = catalog.cancellation(db, batch.id)
    return m.Cancellation(reason=found["reason"], at=found["at"]) if found else None


@bp.post("/batches/<gtin>/<lot>/cancel")
@spec.validate(json=m.CancelIn, resp=Responses(HTTP_200=m.Batch, HTTP_204=None, **WRITE_ERRORS),
               operation_id="cancelBatch", tags=["catalog"],
               path_parameter_descriptions=PATH_DOCS)
def cancel_batch(gtin: str, lot: str, json: m.CancelIn):
    """Cancel a batch opened by mistake (a wrong lot), before any code is issued or lab
    asked: its lot stays taken, and the cancellation is logged and shown on its page.
    A batch with codes is refused (409): void codes or recall it instead. A batch of a
    supplier still waiting for approval, never logged or shown, is removed (204)."""
    body = _json_body(json)
    db = get_db()
    supplier = _supplier()
    batch = catalog.owned_batch(db, supplier.id, gtin, lot)
    corrections.cancel_batch(db, supplier, batch, reason=body.reason,
                             actor=f"api:{g.api_user.email}")
    if not supplier.approved:  # a sign-up's batch, never shown, is simply gone
        return "", 204
    return _batch_json(batch)


@bp.post("/batches/<gtin>/<lot>/issue")
@spec.validate(json=m.IssueIn, resp=Responses(HTTP_201=m.Issuance, **WRITE_ERRORS),
               operation_id="issueCodes", tags=["codes"], path_parameter_descriptions=PATH_DOCS)
def issue(gtin: str, lot: str, json: m.IssueIn):
    """Issue `count` signed codes into the batch: all of them or none.

    Send an `Idempotency-Key` header (1 to 100 letters, digits, `-`, `_`, `.`; a
    UUID, say) to retry safely: a request with a key the batch has seen answers the
    first request's issuance again (with `Idempotent-Replayed: true`), never new
    codes; the same key with another count or PIN choice is refused (409)."""
    body = _json_body(json)
    db = get_db()
    supplier = _supplier()
    batch = catalog.owned_batch(db, supplier.id, gtin, lot)
    catalog.require_approved(supplier)  # before what the request itself got wrong
    config = current_app.config
    key = _idempotency_key()
    earlier = issuing.replayed(db, batch, key, body.count, body.with_pin)
    if earlier:
        return _issuance(db, batch, earlier), 201, {"Idempotent-Replayed": "true"}
    issuing.check_plan(db, batch, body.count, over_plan=body.over_plan)
    issuing.check_same_kind(db, batch, body.with_pin)
    signer = keys.load_signer(db, config["KEYS_DIR"], config["KEY_PASSPHRASE"])
    done = issuing.issue_codes(db, signer, batch.gtin, batch.lot, body.count, workers=1,
                               pin_secret=config["HASH_SECRET"] if body.with_pin else None,
                               request_key=key)
    return _issuance(db, batch, done), 201


def _issuance(db, batch: catalog.Batch, done: issuing.Issuance) -> m.Issuance:
    """The issuance with where its codes are in the batch's list (their `seq`)."""
    first, last = issuing.positions(db, batch.id, done)
    return m.Issuance.model_validate(done.to_json() | {"first_seq": first, "last_seq": last})


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", key):
        raise InvalidInput("Idempotency-Key: 1 to 100 letters, digits, '-', '_' or '.'",
                           message_zh="Idempotency-Key 应为 1 到 100 个字母、数字或 - _ .")
    return key


@bp.post("/batches/<gtin>/<lot>/items/<serial>/status")
@spec.validate(json=m.ItemStatusIn, resp=Responses(HTTP_200=m.ItemStatus, **WRITE_ERRORS),
               operation_id="setItemStatus", tags=["codes"],
               path_parameter_descriptions=PATH_DOCS | {"serial": "the item's 追溯码 (dashes "
                                                        "and case do not matter)"})
def item_status(gtin: str, lot: str, serial: str, json: m.ItemStatusIn):
    """Void one item's code (a damaged or reprinted label) or recall the item. Neither
    can be undone; an item already in that state, or void, is refused (409). A
    recalled item may still be voided (destroyed after the recall)."""
    body = _json_body(json)
    db = get_db()
    batch = catalog.owned_batch(db, _supplier().id, gtin, lot)
    code = recalls.issued_code(db, batch, serial)
    change = recalls.void_item if body.action == "void" else recalls.recall_item
    item = change(db, code, body.reason, f"api:{g.api_user.email}")
    return m.ItemStatus(serial=code.serial, status=item["status"],
                        status_reason=item["status_reason"])


@bp.get("/batches/<gtin>/<lot>/codes")
@spec.validate(query=m.CodesQuery,
               resp=Responses(HTTP_200=m.CodesPage, **errors(400, 401, 403, 404, 422)),
               operation_id="listCodes", tags=["codes"], path_parameter_descriptions=PATH_DOCS)
def codes(gtin: str, lot: str, query: m.CodesQuery):
    """The batch's codes in issue order, a page at a time.

    With `Accept: text/csv` the answer is all of them as one CSV file instead, with
    the columns of `codes export` (seq, gtin, lot, serial, kid, status, issued_at,
    url, pin)."""
    db = get_db()
    supplier = _supplier()
    batch = catalog.owned_batch(db, supplier.id, gtin, lot)
    catalog.require_not_suspended(supplier)  # the codes' list is what labels are printed from
    config = current_app.config
    if _wants_csv():
        chunks = downloads.codes_csv(db, batch.gtin, batch.lot, config["BASE_URL"],
                                     config["HASH_SECRET"], for_excel=False)
        # Past spectree's response check, which knows JSON only: CSV is the whole answer.
        abort(Response(chunks, mimetype="text/csv",
                       headers=attachment(f"codes-{batch.gtin}-{batch.lot}.csv")))
    total = catalog.issued_count(db, batch.id)
    offset = (query.page - 1) * query.per_page
    rows = list(issuing.export_rows(db, batch.gtin, batch.lot, config["BASE_URL"],
                                    config["HASH_SECRET"], offset=offset, limit=query.per_page))
    more = offset + len(rows) < total
    return m.CodesPage(
        gtin=batch.gtin, lot=batch.lot, total=total, page=query.page, per_page=query.per_page,
        next=url_for("api.codes", gtin=batch.gtin, lot=batch.lot, page=query.page + 1,
                     per_page=query.per_page) if more else None,
        codes=[m.Code.model_validate(row) for row in rows])


def _wants_csv() -> bool:
    accept = MIMEAccept([(value.split(";", 1)[0].strip(), quality)
                         for value, quality in request.accept_mimetypes])
    return accept.best_match(["application/json", "text/csv"]) == "text/csv"


@bp.post("/verify")
@spec.validate(json=m.VerifyIn, resp=Responses(HTTP_200=m.Verdict, **errors(401, 422)),
               operation_id="verifyCode", tags=["verify"])
def verify(json: m.VerifyIn):
    """What a scan of `url` would say (or of a 追溯码 typed from a label), without
    counting as a scan."""
    body = _json_body(json)
    verdict = verification.verify_text(get_db(), body.url, current_app.config["BASE_URL"])
    return m.Verdict.model_validate(verdict.to_json())


@bp.post("/inspections")
@spec.validate(json=m.InspectionIn, resp=Responses(HTTP_201=m.Inspection, **WRITE_ERRORS),
               operation_id="createInspection", tags=["inspections"])
def create_inspection(json: m.InspectionIn):
    """Store an inspection report of the token's agency, with its PDF.

    Unsigned, only `report_no`, `type`, `batch` {gtin, lot}, `issued_on`,
    `conclusion` and `items` (each `name`, `result` as printed, `verdict`, and
    optionally `unit`, `limit`, `method`) are needed: the platform fills in the
    format version, the agency block and the PDF hash, and signs with the
    agency's key. A correction also gives `version`, `supersedes` and `reason`
    (it keeps the PDF it corrects unless it brings one). To withdraw a report
    signed in error, for good, send only `report_no`, `status` "withdrawn" and
    `reason`. Signed offline (`kid`, `sig`), the record must be complete."""
    body = _json_body(json)
    db, config = get_db(), current_app.config
    agency = _agency()
    pdf = _pdf(body.pdf_base64)
    if bool(body.kid) != bool(body.sig):
        raise InvalidInput("give kid and sig together (a report signed offline), or neither",
                           message_zh="kid 与 sig 须同时提供（离线签名的报告），或都不提供")
    named = body.report.get("agency")
    named_id = named.get("id", str(agency.id)) if isinstance(named, dict) else str(agency.id)
    if str(named_id) != str(agency.id):
        raise Forbidden("an agency stores only its own reports (agency.id)",
                        message_zh="只能提交本机构的报告（agency.id）")
    if body.kid and body.sig:
        record, kid, sig = body.report, body.kid, body.sig
    else:  # the platform signs, and fills in what it knows
        record = _unsigned(db, body.report, agency, pdf)
        kid, sig = signing.sign_with_agency_key(
            db, config["KEYS_DIR"], agency.id, record, config["KEY_PASSPHRASE"])
    stored = inspection_store.store_report(db, record, kid, sig, pdf=pdf,
                                           by=f"api:{g.api_user.email}")
    batch = catalog.get_batch_by_id(db, stored.batch_id)
    return m.Inspection(report_no=stored.report_no, version=stored.version, kid=stored.kid,
                        gtin=batch.gtin, lot=batch.lot,
                        url=f"{config['BASE_URL']}/01/{batch.gtin}/10/{batch.lot}",
                        withdrawn=report_format.is_withdrawn(record)), 201


def _unsigned(db, report: dict, agency: agencies.Agency, pdf: bytes | None) -> dict:
    """The record the platform signs: a withdrawal of the named report as it now
    stands, or the report completed (a correction keeping the PDF it corrects)."""
    status = report.get("status")
    if isinstance(status, str) and status.strip().lower() == report_format.WITHDRAWN:
        return _withdrawal(db, report, agency)
    kept = "" if pdf is not None else inspection_store.previous_pdf(
        db, agency.id, report.get("report_no"), report.get("supersedes"))
    return signing.complete_unsigned(report, agency, pdf, kept)


WITHDRAWAL_FIELDS = {"report_no", "status", "reason"}


def _withdrawal(db, report: dict, agency: agencies.Agency) -> dict:
    """A withdrawal for the platform to sign: the report's number and the reason,
    nothing else (a withdrawal is for good: findings sent with it would be lost)."""
    extra = sorted(set(report) - WITHDRAWAL_FIELDS)
    if extra:
        raise InvalidInput(
            f"a withdrawal holds only report_no, status and reason, not {', '.join(extra)}: "
            "the platform writes the rest from the report as it stands (to change findings, "
            "send a correction instead)",
            message_zh=f"撤回只需 report_no、status 和 reason，不能带 {'、'.join(extra)}；"
                       "要改检测数据请提交更正版")
    number, reason = report.get("report_no"), report.get("reason")
    if not isinstance(number, str):
        raise InvalidInput("a withdrawal names the report: report_no, as text",
                           message_zh="撤回须写明报告编号（report_no，文字）")
    if not isinstance(reason, str):
        raise InvalidInput("a withdrawal says why: reason, as text",
                           message_zh="撤回须写明撤回原因（reason，文字）")
    return inspection_store.withdrawal(db, agency.id, number, reason)


def _agency() -> agencies.Agency:
    user = g.api_user
    if user.role != "agency" or user.org_id is None:
        raise Forbidden("this call is for testing agency tokens",
                        message_zh="此接口仅供检测机构使用")
    agency = agencies.get_agency(get_db(), user.org_id)
    if not agency.approved:
        raise Forbidden(f"{agency.name} is waiting for the operator's approval",
                        message_zh="贵机构尚未通过平台审核，不能签发报告")
    if not user.signs_reports:  # ISO/IEC 17025 7.8.1: signatories release reports
        raise Forbidden(f"{user.email} is not an authorised signatory of {agency.name}: use "
                        "a signatory's token, or hand the report over on the web",
                        message_zh=f"{user.email} 不是本机构的授权签字人，不能签发：请用授权签字人"
                                   "账号的令牌，或在网页上提交授权签字人审核")
    return agency


def _pdf(encoded: str | None) -> bytes | None:
    return _decoded(encoded, "pdf_base64") if encoded else None


def _decoded(encoded: str, field: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field} is not valid base64",
                           message_zh=f"{field} 不是有效的 base64") from None


def register_api(app, csrf) -> None:
    """The blueprint, its OpenAPI document, and no CSRF check: a bearer token is not
    sent by a browser on its own, so no other site can forge a call."""
    app.register_blueprint(bp)
    csrf.exempt(bp)
