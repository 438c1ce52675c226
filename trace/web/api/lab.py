"""A testing agency's call: a report stored, corrected or withdrawn::

    POST  /api/v1/inspections   signed by the platform with the agency's key, or offline
"""

from __future__ import annotations

from flask import current_app, g
from spectree import Response as Responses

from ... import agencies, catalog
from ...errors import Forbidden, InvalidInput
from ...inspections import report as report_format
from ...inspections import signing
from ...inspections import store as inspection_store
from .. import get_db
from . import WRITE_ERRORS, _json_body, bp, decoded, spec
from . import models as m


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
    return decoded(encoded, "pdf_base64") if encoded else None
