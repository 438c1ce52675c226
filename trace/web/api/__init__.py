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
from typing import Any, Mapping, TypeVar

from flask import Blueprint, current_app, g, request
from pydantic import ValidationError
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree import Response as Responses
from spectree.models import SecureType

from ... import accounts, verification
from ...errors import InvalidInput, Unauthorized
from .. import get_db
from . import models as m

bp = Blueprint("api", __name__, url_prefix="/api/v1")
Body = TypeVar("Body", bound=m.BaseModel)


def errors(*statuses: int) -> dict:
    """The error answers an operation can give, each in the one error format."""
    return {f"HTTP_{status}": m.ApiError for status in statuses}


WRITE_ERRORS = errors(400, 401, 403, 404, 409, 415, 422)
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


class NotJson(InvalidRequest):
    """A body sent as something other than JSON (HTTP's own status for it)."""

    status = 415


def _schema_errors(req: Any, resp: Any, error: Exception | None, instance: Any,
                   adapter: Any) -> None:
    """spectree found the request invalid: answer in our one error format."""
    if error is not None:
        if req.get_data() and req.mimetype != "application/json":
            raise NotJson("send the body as JSON, with Content-Type: application/json",
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
        description="a token from the workspace's 系统对接（API 令牌） page (/account/tokens), "
                    "or: python -m trace tokens new --email E"))],
    security={"bearer": []})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the validating models (no token needed);
    /api/v1/docs shows it as a page."""
    return current_app.json.response(openapi_document())


def openapi_document() -> dict:
    """The document, whose ``servers`` names the host that served it, where the calls
    go: client generators want an absolute address, not the relative one the
    standard assumes."""
    document = _with_idempotency(_with_public_batch(_with_label_files(_with_csv(spec.spec))))
    return dict(document, servers=[
        {"url": request.url_root.rstrip("/"), "description": "this Trace server"}])


def _with_csv(document: dict) -> dict:
    """The codes' other answer, which spectree has no way to declare: all of them as
    one CSV file, for ``Accept: text/csv``."""
    codes = document["paths"]["/api/v1/batches/{gtin}/{lot}/codes"]["get"]["responses"]["200"]
    codes["content"].setdefault("text/csv", {"schema": {
        "type": "string", "description": "every code of the batch: seq, gtin, lot, serial, "
        "kid, status, issued_at, url, pin"}})
    return document


def _with_label_files(document: dict) -> dict:
    """The label call's answer, a file, which spectree declares with no body."""
    answers = document["paths"]["/api/v1/batches/{gtin}/{lot}/labels"]["get"]["responses"]
    binary = {"schema": {"type": "string", "format": "binary"}}
    answers["200"] = {"description": "the labels: a PDF, or a roll printer's TSPL or ZPL",
                      "content": {"application/pdf": binary,
                                  "application/octet-stream": binary}}
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
        "operationId": "publicBatch", "tags": ["public"],
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
    if request.endpoint in ("api.openapi", "api.docs"):  # the API's own description
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


def _json_body(body: Body | None) -> Body:
    if body is None:  # spectree reads JSON only when the body says it is JSON
        kind = NotJson if request.get_data() else InvalidRequest  # sent otherwise, or none
        raise kind("send a JSON body with Content-Type: application/json",
                   message_zh="请以 JSON 格式提交（Content-Type: application/json）")
    return body


@bp.post("/verify")
@spec.validate(json=m.VerifyIn, resp=Responses(HTTP_200=m.Verdict, **errors(401, 422)),
               operation_id="verifyCode", tags=["verify"])
def verify(json: m.VerifyIn):
    """What a scan of `url` would say (or of a 追溯码 typed from a label), without
    counting as a scan."""
    body = _json_body(json)
    verdict = verification.verify_text(get_db(), body.url, current_app.config["BASE_URL"])
    return m.Verdict.model_validate(verdict.to_json())


def register_api(app, csrf) -> None:
    """The blueprint, its OpenAPI document, and no CSRF check: a bearer token is not
    sent by a browser on its own, so no other site can forge a call."""
    app.register_blueprint(bp)
    csrf.exempt(bp)


def decoded(encoded: str, field: str) -> bytes:
    """A file sent inside the JSON body (a product photo, a report's PDF)."""
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field} is not valid base64",
                           message_zh=f"{field} 不是有效的 base64") from None


# Their routes are the blueprint's too.
from . import docs, lab, labels, supply  # noqa: E402,F401
