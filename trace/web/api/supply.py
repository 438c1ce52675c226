"""A supplier's calls: its products, batches, codes issued and items withdrawn::

    GET|POST  /api/v1/products            PATCH /api/v1/products/{gtin}
    GET|POST  /api/v1/batches             GET   /api/v1/batches/{gtin}/{lot}
    POST      /api/v1/batches/{gtin}/{lot}/cancel | issue
    POST      /api/v1/batches/{gtin}/{lot}/items/{serial}/status
    GET       /api/v1/batches/{gtin}/{lot}/codes   JSON, or CSV by Accept
"""

from __future__ import annotations

import re

from flask import Response, current_app, g, request, url_for
from spectree import Response as Responses
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import abort

from ... import catalog, corrections, downloads, issuing, keys, product_photos, recalls
from ...errors import Forbidden, InvalidInput
from .. import attachment, get_db
from . import PATH_DOCS, WRITE_ERRORS, _json_body, bp, decoded, errors, spec
from . import models as m


def token_supplier() -> catalog.Supplier:
    user = g.api_user
    if user.role != "supplier" or user.org_id is None:
        raise Forbidden("this call is for supplier tokens", message_zh="此接口仅供供货商使用")
    return catalog.find_supplier(get_db(), user.org_id)


@bp.post("/products")
@spec.validate(json=m.ProductIn,
               resp=Responses(HTTP_201=m.Product, **errors(400, 401, 403, 409, 415, 422)),
               operation_id="createProduct", tags=["catalog"])
def create_product(json: m.ProductIn):
    """Register a product of the token's supplier."""
    body = _json_body(json).model_dump()
    product = catalog.add_product(get_db(), token_supplier(), body.pop("gtin"), body.pop("name"),
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
    catalog.require_not_suspended(token_supplier())  # as on the web: buyers read what changes
    with db.atomic():  # a refused change keeps no photo either
        if "photo_base64" in given:
            encoded = given.pop("photo_base64")
            given["photo"] = product_photos.store_photo(db, decoded(encoded, "photo_base64")) \
                if encoded else ""
        product, _changed = corrections.edit_product(
            db, token_supplier(), gtin, actor=f"api:{g.api_user.email}", reason=reason, **given)
    return _product_json(product)


@bp.get("/products")
@spec.validate(resp=Responses(HTTP_200=m.ProductList, **errors(401, 403)),
               operation_id="listProducts", tags=["catalog"])
def list_products():
    """The token's supplier's products."""
    db = get_db()
    return m.ProductList(products=[
        _product_json(catalog.get_product(db, row["gtin"]))
        for row in catalog.list_products(db, token_supplier())])


def _product_json(product: catalog.Product) -> m.Product:
    return m.Product.model_validate(product.public_json() | {"name_en": product.name_en})


@bp.get("/batches")
@spec.validate(query=m.BatchesQuery,
               resp=Responses(HTTP_200=m.BatchList, **errors(400, 401, 403, 404, 422)),
               operation_id="listBatches", tags=["catalog"])
def list_batches(query: m.BatchesQuery):
    """The token's supplier's batches, newest first (one product's with `gtin`)."""
    db = get_db()
    supplier = token_supplier()
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
    catalog.owned_product(db, token_supplier().id, body.gtin)
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
    return _batch_json(catalog.owned_batch(get_db(), token_supplier().id, gtin, lot))


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
    supplier = token_supplier()
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
    supplier = token_supplier()
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
    batch = catalog.owned_batch(db, token_supplier().id, gtin, lot)
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
    supplier = token_supplier()
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
