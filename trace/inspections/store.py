"""Signed reports and their PDFs: stored, served, found, withdrawn.

A report is stored only for a batch its agency may sign for (see
:mod:`.commissions`) and only when its signature, made with that agency's own
key, checks out. Nothing is edited
or deleted: a correction is a new signed version naming the one it supersedes::

    stored = store_report(db, record, kid, sig, pdf=pdf_bytes)
    for shown in served_reports(db, batch_id): shown["signature_ok"], shown["current"]
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from .. import agencies, catalog, clock, keys
from ..bounded import BoundedCache
from ..db import utc_now
from ..transparency import leaves
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, TraceError
from . import report as reports
from .commissions import may_sign_for

MAX_PDF_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class StoredReport:
    id: int
    agency_id: int
    batch_id: int
    report_no: str
    version: str
    kid: str


def _agency_key(db: sqlite_utils.Database, kid: str, agency: agencies.Agency) -> keys.KeyRecord:
    record = keys.get_key(db, kid)
    if record is None:
        raise InvalidInput(f"key {kid} is not in the key set", message_zh=f"密钥 {kid} 不在本平台密钥集中")
    if record.role != agency.key_role:
        raise Forbidden(f"key {kid} has role {record.role}; only {agency.name}'s own key "
                        f"({agency.key_role}) signs its reports",
                        message_zh=f"密钥 {kid} 不是 {agency.name} 的签名密钥")
    if record.status != "active":
        raise Forbidden(f"key {kid} is {record.status}", message_zh=f"密钥 {kid} 已停用或吊销")
    return record


def _check_pdf(record: dict, pdf: bytes | None, db: sqlite_utils.Database) -> None:
    want = record["pdf_sha256"]
    if pdf is None:
        if want and not db.execute("SELECT 1 FROM report_pdfs WHERE sha256 = ?",
                                   [want]).fetchone():
            raise InvalidInput("the report names a PDF (pdf_sha256) but none was given",
                               message_zh="报告含有 PDF 哈希，但没有提供 PDF 文件")
        return
    if len(pdf) > MAX_PDF_BYTES:
        raise InvalidInput(f"the PDF is larger than {MAX_PDF_BYTES // 2**20} MB: save a "
                           "smaller copy (a lower scan resolution) and choose it again",
                           message_zh=f"PDF 文件超过 {MAX_PDF_BYTES // 2**20} MB：请另存一份较小的 "
                           "PDF（扫描分辨率调低一些）后重新选择")
    if not pdf:
        raise InvalidInput("the PDF file is empty (0 bytes): upload the report's PDF again",
                           message_zh="上传的 PDF 文件是空的（0 字节），请重新选择报告的 PDF",
                           field="pdf")
    if not pdf.startswith(b"%PDF-"):
        raise InvalidInput("the file is not a PDF", message_zh="上传的文件不是 PDF", field="pdf")
    if hashlib.sha256(pdf).hexdigest() != want:
        raise InvalidInput("the PDF's SHA-256 is not the pdf_sha256 the report signs",
                           message_zh="PDF 文件与报告签名中的哈希不一致")


def _check_pdf_is_its_own(db: sqlite_utils.Database, agency: agencies.Agency,
                          record: dict) -> None:
    """A report's document is its own: one PDF under two reports (a file chosen by
    mistake) sent a buyer of one batch to another batch's report. Versions of one
    report may share it, and so may a report the same lab withdrew (signed to the
    wrong batch) and the one it signs in its place: the paper report is the same."""
    if not record["pdf_sha256"]:
        return
    for agency_id, report_no, lot in db.execute(
            "SELECT DISTINCT r.agency_id, r.report_no, b.lot FROM inspection_reports r "
            "JOIN batches b ON b.id = r.batch_id WHERE r.pdf_sha256 = ?",
            [record["pdf_sha256"]]):
        if agency_id == agency.id and reports.is_withdrawn(
                current_version(db, agency_id, report_no)):
            continue
        if (agency_id, report_key(report_no)) != (agency.id, report_key(record["report_no"])):
            raise Conflict(f"this PDF is already the document of report {report_no} (batch "
                           f"{lot}): each report's PDF is its own; check the file chosen",
                           field="pdf",
                           message_zh=f"这个 PDF 已经是报告 {report_no}（批次 {lot}）的原件：每份"
                                      "报告的原件应是它自己的文件，请核对是否选错了文件")


def store_report(db: sqlite_utils.Database, record: dict, kid: str, sig: str, *,
                 pdf: bytes | None = None, by: str | None = None,
                 prepared_by: str | None = None) -> StoredReport:
    """Check and store one signed report (and its PDF), all or nothing; ``by`` is
    the account that uploaded it (an e-mail, ``api:`` or ``cli:`` one), and
    ``prepared_by`` the engineer whose draft a signatory signed."""
    record = reports.check_record(record)
    agency = _signing_agency(db, record)
    key = _agency_key(db, kid, agency)
    if not reports.verify_record(key.public_bytes, kid, record, sig):
        raise InvalidInput(f"the signature of report {record['report_no']} does not verify "
                           f"with key {kid}", message_zh="报告签名验证失败")
    batch = _storable(db, record, agency, pdf)
    with db.atomic():
        _check_version(db, agency, record, batch)  # again, under the write lock
        _check_pdf_is_its_own(db, agency, record)
        if pdf is not None:
            db.execute("INSERT OR IGNORE INTO report_pdfs (sha256, size, data) VALUES (?, ?, ?)",
                       [record["pdf_sha256"], len(pdf), pdf])
        cursor = db.execute(
            "INSERT INTO inspection_reports (agency_id, batch_id, report_no, version, "
            "supersedes, record, kid, sig, pdf_sha256, created_at, uploaded_by, prepared_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [agency.id, batch.id, record["report_no"], record["version"], record["supersedes"],
             reports.canonical_bytes(record).decode(), kid, sig, record["pdf_sha256"],
             utc_now(), by, prepared_by])
        leaves.record(db, f"inspection_reports:{cursor.lastrowid}")
    return StoredReport(cursor.lastrowid or 0, agency.id, batch.id, record["report_no"],
                        record["version"], kid)


def check_storable(db: sqlite_utils.Database, record: dict, pdf: bytes | None = None) -> None:
    """Every check ``store_report`` makes of an unsigned record, bar the signature:
    a lab's form shows what would be refused before it signs anything."""
    record = reports.check_record(record)
    agency = _signing_agency(db, record)
    batch = _storable(db, record, agency, pdf)
    _check_version(db, agency, record, batch)
    _check_pdf_is_its_own(db, agency, record)


def _signing_agency(db: sqlite_utils.Database, record: dict) -> agencies.Agency:
    agency = agencies.find_agency(db, record["agency"]["id"])
    if not agency.approved:
        raise Forbidden(f"{agency.name} is not approved by the operator",
                        message_zh=f"{agency.name} 尚未通过平台审核，不能签发报告")
    return agency


def _storable(db: sqlite_utils.Database, record: dict, agency: agencies.Agency,
              pdf: bytes | None) -> catalog.Batch:
    """The batch the record is for, once the record may stand on it."""
    _check_agency_block(record, agency)
    batch = catalog.get_batch(db, record["batch"]["gtin"],
                              catalog.normalise_lot(record["batch"]["lot"]))
    _check_batch_written_as_stored(record, batch)
    catalog.require_not_cancelled(db, batch)  # opened by mistake: nothing stands on it
    may_sign_for(db, batch, agency, record["type"])
    if batch.produced_on and record["issued_on"] < batch.produced_on:
        raise InvalidInput(  # a slip of the date or of the batch: the buyer would trust it
            f"report {record['report_no']} is dated {record['issued_on']}, before batch "
            f"{batch.lot} was produced ({batch.produced_on}); check the date and the batch",
            message_zh=f"报告签发日期 {record['issued_on']} 早于批次 {batch.lot} 的生产日期"
                       f"（{batch.produced_on}），请核对签发日期和批次号")
    _check_pdf(record, pdf, db)
    return batch


def _check_agency_block(record: dict, agency: agencies.Agency) -> None:
    block = record["agency"]
    if (block["name"], block["cma"], block.get("cnas") or None) != \
            (agency.name, agency.cma_no, agency.cnas_no):
        raise InvalidInput("the report's agency block (name, cma, cnas) is not the registered "
                           f"agency {agency.id}'s", message_zh="报告中的机构名称或资质编号与登记信息不符")


def _check_batch_written_as_stored(record: dict, batch: catalog.Batch) -> None:
    """The signed record names its batch exactly as registered: every later check of
    the signature compares the two, so 'wq11' for WQ11 would show as tampered."""
    named = record["batch"]
    if (named["gtin"], named["lot"]) != (batch.gtin, batch.lot):
        raise InvalidInput(
            f"report {record['report_no']} names the batch as GTIN {named['gtin']!r}, lot "
            f"{named['lot']!r}; write it exactly as registered (GTIN {batch.gtin}, lot "
            f"{batch.lot}) and sign it again",
            message_zh=f"报告中的批次写法与登记不一致：商品条码请写成 {batch.gtin}，批次号请写成 "
                       f"{batch.lot}，改正后重新签名")


def written_report_no(report_no: str) -> str:
    """A report number as the platform writes what it signs: full-width forms read as
    ASCII (ＺＪ－０４ is ZJ-04), upper case, no surrounding spaces."""
    return unicodedata.normalize("NFKC", report_no).strip().upper()


def report_key(report_no: str) -> str:
    """What two report numbers must differ in to be two reports: not case, width, or
    the dash or space between their parts (ZJ 04, ZJ–04 and zj-04 are one)."""
    return re.sub(r"[\s\-‐‑‒–—−_]+", "-", written_report_no(report_no))


def _check_version(db: sqlite_utils.Database, agency: agencies.Agency, record: dict,
                   batch: catalog.Batch) -> None:
    key = report_key(record["report_no"])
    twin = next((stored for (stored,) in db.execute(
        "SELECT DISTINCT report_no FROM inspection_reports WHERE agency_id = ?", [agency.id])
        if stored != record["report_no"] and report_key(stored) == key), None)
    if twin:  # zjsp-0417 beside ZJSP-0417: buyers would read two reports of one number
        raise Conflict(f"report {record['report_no']} is report {twin} written differently "
                       f"(case, width, dashes or spaces); write it {twin}",
                       message_zh=f"报告编号 {record['report_no']} 与已有的 {twin} 只差大小写、全角、"
                       f"连字符或空格；请写成 {twin}")
    number = record["report_no"]
    rows = db.execute("SELECT version, supersedes, batch_id, record FROM inspection_reports "
                      "WHERE agency_id = ? AND report_no = ?", [agency.id, number]).fetchall()
    versions = {row[0]: row[1] for row in rows}
    if any(row[2] != batch.id for row in rows):
        if reports.is_withdrawn(current_version(db, agency.id, number)):
            # Signed to the wrong batch and withdrawn: its number stays with that batch.
            raise Conflict(
                f"report {number} was signed to another batch and withdrawn; a number "
                f"stays with its batch: sign this one as {number}-R (say so in the "
                "conclusion); its PDF may be the same file",
                message_zh=f"报告 {number} 签到了别的批次并已撤回，同一编号不能再用于另一个批次："
                           f"请以新编号（例如 {number}-R）签发，并在检验结论里注明原报告编号；"
                           "PDF 可以用同一个文件")
        raise Conflict(f"report {number} is for another batch; a correction "
                       "stays on its batch", message_zh="该报告编号属于另一个批次；更正版须针对同一批次")
    current = next((row for row in rows if row[0] not in versions.values()), None)
    standing_record = json.loads(current[3]) if current is not None else {}
    replaced = record["supersedes"]
    if reports.is_withdrawn(standing_record):
        raise Conflict(f"report {number} was withdrawn by your agency, for good; a new test "
                       "is signed as a new report, under its own number",
                       message_zh=f"报告 {number} 已经撤回，撤回后不能再更正或撤回；"
                                  "如需重新检测，请签发新编号的报告")
    if replaced and not rows:
        raise Conflict(f"your agency has no report {number} to correct",
                       message_zh=f"贵机构没有编号为 {number} 的报告可更正")
    if replaced and replaced in versions.values() and current is not None:  # a stale form
        raise Conflict(f"report {number} has been corrected since: version {current[0]} is "
                       "current; correct that one",
                       message_zh=f"报告 {number} 已有更新的版本（现行为第 {current[0]} 版），"
                                  "请从工作台重新打开“签发更正版”")
    if record["version"] in versions or (versions and not replaced):
        # sent twice (the browser's resubmit), or a new report given a used number
        latest = current[0] if current is not None else record["version"]
        raise Conflict(f"report {number} is signed already (version {latest} is current): to "
                       "correct it, use 签发更正版 on the workspace; another report needs "
                       "its own number",
                       message_zh=f"报告 {number} 已经签发（现行为第 {latest} 版），不用再提交。"
                                  "如要更正，请在工作台点“签发更正版”；如果这是另一份报告，"
                                  "请换一个报告编号")
    if replaced and replaced not in versions:
        raise Conflict(f"report {number} has no version {replaced} to supersede",
                       message_zh=f"报告 {number} 没有第 {replaced} 版")
    earlier = standing_record.get("issued_on", "")
    if record["issued_on"] < earlier:
        raise InvalidInput(f"report {number} version {record['version']} is dated "
                           f"{record['issued_on']}, before the version it replaces ({earlier})",
                           message_zh=f"新版本的签发日期 {record['issued_on']} 早于它所替代的版本"
                                      f"（{earlier}），请核对日期")
    _check_cleared_failure_brings_its_pdf(record, standing_record)
    _check_correction_changes_something(record, standing_record)


# What a correction may leave as it was: which version it is and why it came.
_VERSION_FIELDS = ("version", "supersedes", "reason")


def _check_correction_changes_something(record: dict, standing: dict) -> None:
    """A correction identical to what it corrects would show buyers a correction
    with nothing corrected, under a reason such as '无'."""
    if not standing or reports.is_withdrawn(record):
        return
    if {k: v for k, v in record.items() if k not in _VERSION_FIELDS} == \
            {k: v for k, v in standing.items() if k not in _VERSION_FIELDS}:
        raise InvalidInput(
            f"version {record['version']} of report {record['report_no']} is the same as "
            f"version {standing.get('version')}: change what is to be corrected",
            message_zh=f"这次更正与第 {standing.get('version')} 版的内容完全相同："
                       "请改正需要更正的内容后再提交")


def _check_cleared_failure_brings_its_pdf(record: dict, standing: dict) -> None:
    """A correction turning a failed report into a passing one brings the corrected
    report's PDF: the one it would keep still says the item failed, and a buyer who
    opens it would read the opposite of the page (a decimal point, or a cover-up)."""
    failed = [item.get("name", "") for item in reports.failed_items(standing)] \
        if standing and not reports.is_withdrawn(standing) else []
    if not failed or reports.is_withdrawn(record) or reports.failed_items(record) or \
            record["pdf_sha256"] != standing.get("pdf_sha256"):
        return
    names = "、".join(failed)
    raise InvalidInput(
        f"report {record['report_no']} version {record['version']} clears what version "
        f"{standing.get('version')} failed ({', '.join(failed)}) but keeps its PDF, which "
        "still says it failed: attach the corrected report's PDF",
        message_zh=f"这次更正把不合格项目（{names}）改成了合格，但沿用了原版本的 PDF，原 PDF 上"
                   "写的仍是不合格：请上传更正后的报告 PDF")


def load_pdf(db: sqlite_utils.Database, sha256: str) -> bytes:
    """The PDF stored under ``sha256``; one whose bytes have changed is never served."""
    row = db.execute("SELECT data FROM report_pdfs WHERE sha256 = ?", [sha256]).fetchone()
    if row is None:
        raise NotFound("no such report PDF", message_zh="未找到该报告 PDF")
    if hashlib.sha256(row[0]).hexdigest() != sha256:
        raise Conflict("this report PDF has been changed since it was signed",
                       message_zh="该报告 PDF 在签名后被改动过，不再提供下载")
    return row[0]


def signed_with_pdf(db: sqlite_utils.Database, agency_id: int,
                    sha256: str) -> tuple[str, str] | None:
    """(report number, version) of the agency's newest report that signs the PDF."""
    row = db.execute("SELECT report_no, version FROM inspection_reports WHERE agency_id = ? "
                     "AND pdf_sha256 = ? ORDER BY id DESC LIMIT 1", [agency_id, sha256]).fetchone()
    return (row[0], row[1]) if row else None


def report_of_pdf(db: sqlite_utils.Database, sha256: str) -> tuple[dict, str] | None:
    """The newest stored report that signs the PDF ``sha256`` and still checks out
    (signature, key, batch, PDF), and how it stands: "current", "superseded" (by a
    correction) or "withdrawn"; None if none does."""
    for (batch_id,) in db.execute("SELECT DISTINCT batch_id FROM inspection_reports WHERE "
                                  "pdf_sha256 = ? ORDER BY id DESC", [sha256]).fetchall():
        served = served_reports(db, batch_id)
        for entry in served:
            record = entry["report"]
            if entry["signature_ok"] and record["pdf_sha256"] == sha256:
                same = [other for other in served if other["signature_ok"] and
                        other["report"]["report_no"] == record["report_no"] and
                        other["report"]["agency"]["id"] == record["agency"]["id"]]
                withdrawn = any(other["withdrawn"] for other in same)
                return record, "withdrawn" if withdrawn else \
                    "current" if entry["current"] else "superseded"
    return None


def served_reports(db: sqlite_utils.Database, batch_id: int) -> list[dict]:
    """Every stored version for the batch as DESIGN §7 serves it, newest first, each
    re-checked now: its signature, key, batch and PDF, and ``withdrawn`` when it is a
    valid withdrawal (current, yet nothing stands on it). Which version is current
    comes from the signed records alone: a version is superseded only by a valid
    newer one that names it (no unsigned column can hide a failed report)."""
    batch = catalog.get_batch_by_id(db, batch_id)
    rows = db.execute("SELECT agency_id, record, kid, sig, pdf_sha256, created_at "
                      "FROM inspection_reports WHERE batch_id = ? ORDER BY id DESC",
                      [batch_id]).fetchall()
    served = []
    checked_pdfs: dict[str, bool] = {}
    for agency_id, stored, kid, sig, pdf_sha256, stored_at in rows:
        record = _parsed(stored)
        problem = "content" if record is None else _problem(
            db, batch, agency_id, record, kid, sig, pdf_sha256, checked_pdfs, stored, stored_at)
        served.append((agency_id, record if record is not None else stored, kid, sig, problem))
    replaced = {(agency_id, record["report_no"], record["supersedes"])
                for agency_id, record, _kid, _sig, problem in served
                if not problem and record["supersedes"]}
    holders = {kid: _held_by(db, kid) for _agency, _record, kid, _sig, _problem in served}
    return [{"report": record, "kid": kid, "sig": sig, "signature_ok": not problem,
             "held_by": holders[kid],
             "current": problem is not None or (agency_id, record["report_no"],
                                                record["version"]) not in replaced,
             "withdrawn": not problem and reports.is_withdrawn(record),
             **({"problem": problem} if problem else {})}
            for agency_id, record, kid, sig, problem in served]


def _held_by(db: sqlite_utils.Database, kid: str | None) -> str | None:
    """Who holds the signing key: "owner" (the lab), "platform" (signing for the lab
    when its signatory releases a report), or None when not known."""
    record = keys.get_key(db, kid) if kid else None
    return record.held_by if record else None


def as_it_will_be_served(db: sqlite_utils.Database, record: dict,
                         batch_id: int) -> list[dict]:
    """An unsigned record among its report's stored versions, as the batch's pages
    will serve them once it is signed: a lab checks that before signing for good."""
    agency, number = record["agency"]["id"], record["report_no"]
    earlier = [dict(entry, current=False) for entry in served_reports(db, batch_id)
               if entry["signature_ok"] and entry["report"]["agency"]["id"] == agency
               and entry["report"]["report_no"] == number]
    return [{"report": record, "kid": "", "sig": "", "signature_ok": True, "current": True,
             "withdrawn": reports.is_withdrawn(record)}, *earlier]


def standing(served: list[dict]) -> list[dict]:
    """The served reports a batch stands on: current versions, not withdrawn ones
    (those whose signature fails stay, for callers to show as such)."""
    return [entry for entry in served if entry["current"] and not entry["withdrawn"]]


def signed_standing(served: list[dict]) -> list[dict]:
    """The records of the standing reports whose signature holds: what a batch's
    results are read from (a failing signature is shown, never relied on)."""
    return [entry["report"] for entry in standing(served) if entry["signature_ok"]]


def failed_tests(served: list[dict]) -> list[str]:
    """The items the batch's signed standing reports fail, once each."""
    return reports.failed_names(signed_standing(served))


def nothing_but_withdrawals(served: list[dict]) -> bool:
    """True when the batch had a report its lab withdrew and none stands in its place:
    a report a livestream may have shown is gone, and buyers are told at once."""
    return any(entry["withdrawn"] for entry in served) and not standing(served)


def _parsed(stored: str) -> dict | None:
    """The stored record if it still has the report's shape, else None."""
    try:
        return reports.check_record(json.loads(stored), stored=True)
    except (ValueError, TraceError):
        return None


def _problem(db: sqlite_utils.Database, batch: catalog.Batch, agency_id: int, record: dict,
             kid: str, sig: str, pdf_sha256: str, checked_pdfs: dict[str, bool],
             stored: str, stored_at: str) -> str | None:
    """None when signed by the agency's own key, valid when the report was stored
    (a report stored before a revocation keeps counting, as codes do), for this very
    batch, with its PDF; otherwise "key" (the key was not valid when it came in) or
    "content" (it does not match what the agency signed, or is on another batch)."""
    key = keys.get_key(db, kid)
    if key is None or key.role != f"agency:{agency_id}":
        return "content"
    named = record.get("batch", {})
    if (named.get("gtin"), named.get("lot")) != (batch.gtin, batch.lot) or \
            record.get("agency", {}).get("id") != str(agency_id):
        return "content"  # a genuine report moved onto another batch proves nothing
    if record.get("pdf_sha256", "") != pdf_sha256:
        return "content"
    if pdf_sha256 and not _pdf_intact(db, pdf_sha256, checked_pdfs):
        return "content"
    if not _signature_holds(key.public_bytes, kid, record, sig, stored):
        return "content"
    return None if key.valid_at(stored_at) else "key"


# Ed25519 verification is a pure function of key, message and signature: its answer
# is kept for the process (bounded), so a batch page does not re-verify the same
# reports on every view. Everything that can change (the key's status, the batch,
# the agency, the PDF) is still checked each time above.
_VERIFIED = BoundedCache(4096)


def _signature_holds(public_raw: bytes, kid: str, record: dict, sig: str, stored: str) -> bool:
    key = (public_raw, kid, sig, stored)
    holds = _VERIFIED.get(key)
    if holds is None:
        holds = _VERIFIED.keep(key, reports.verify_record(public_raw, kid, record, sig))
    return holds


def _pdf_intact(db: sqlite_utils.Database, sha256: str, checked: dict[str, bool]) -> bool:
    """The PDF stored under ``sha256`` still has that hash; hashed once per page view,
    however many versions of a report share it."""
    if sha256 not in checked:
        row = db.execute("SELECT data FROM report_pdfs WHERE sha256 = ?", [sha256]).fetchone()
        checked[sha256] = bool(row and hashlib.sha256(row[0]).hexdigest() == sha256)
    return checked[sha256]


def find_report(db: sqlite_utils.Database, agency_id: int, report_no: str,
                version: str) -> tuple[dict, int]:
    """One stored version of an agency's report: (the record as signed, its batch id)."""
    row = db.execute("SELECT record, batch_id FROM inspection_reports WHERE agency_id = ? AND "
                     "report_no = ? AND version = ?", [agency_id, report_no, version]).fetchone()
    if row is None:
        raise NotFound(f"no report {report_no} version {version}", message_zh="未找到该报告")
    return json.loads(row[0]), row[1]


def previous_pdf(db: sqlite_utils.Database, agency_id: int, report_no: object,
                 supersedes: object) -> str:
    """The PDF hash of the version a correction supersedes ("" for a first version,
    or one not found: storing will name it). A correction keeps its report's PDF
    unless it brings a new one, from the web form and the command line alike."""
    if not (isinstance(report_no, str) and isinstance(supersedes, str) and supersedes.strip()):
        return ""
    try:
        previous, _batch_id = find_report(db, agency_id, report_no.strip(), supersedes.strip())
    except NotFound:
        return ""
    return previous.get("pdf_sha256", "")


def current_version(db: sqlite_utils.Database, agency_id: int, report_no: str) -> dict:
    """The record of an agency's report as it now stands (the version no other
    supersedes), its number as typed or written plainly."""
    report_no = written_report_no(report_no)
    if not report_no:
        raise InvalidInput("give the report's number (report_no)",
                           message_zh="请写明报告编号（report_no）")
    rows = db.execute("SELECT record, version, supersedes FROM inspection_reports WHERE "
                      "agency_id = ? AND report_no = ?", [agency_id, report_no]).fetchall()
    replaced = {supersedes for _record, _version, supersedes in rows if supersedes}
    current = [record for record, version, _supersedes in rows if version not in replaced]
    if not current:
        raise NotFound(f"your agency has no report {report_no}",
                       message_zh=f"贵机构没有编号为 {report_no} 的报告")
    return json.loads(current[0])


def withdrawal(db: sqlite_utils.Database, agency_id: int, report_no: str, reason: str,
               today: date | None = None) -> dict:
    """The unsigned record withdrawing an agency's report as it now stands, checked:
    a report is withdrawn once, and only with a reason."""
    record = current_version(db, agency_id, report_no)
    if reports.is_withdrawn(record):
        raise Conflict(f"report {record['report_no']} is withdrawn already",
                       message_zh=f"报告 {record['report_no']} 已经撤回")
    if not reason.strip():
        raise InvalidInput("say why the report is withdrawn: buyers and streamers read it",
                           message_zh="请写明撤回原因：消费者和主播都会看到")
    return reports.check_record(reports.withdrawal_of(record, reason,
                                                      today or clock.beijing_today()))
