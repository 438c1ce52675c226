"""Commissions, signed reports and their PDFs, and what a page shows of them.

An agency signs only for a batch a supplier commissioned it for (委托) or, for
监督抽检 and 神秘抽检, one an operator assigned it; a report is stored only when
its signature, made with that agency's own key, checks out. Nothing is edited
or deleted: a correction is a new signed version naming the one it supersedes::

    commission(db, "09521234000013", "ZJ-2611-A", agency_id=1, actor="qc@pearl.cn")
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
from pathlib import Path

import sqlite_utils

from .. import agencies, catalog, clock, keys
from ..bounded import BoundedCache
from ..db import utc_now
from ..transparency import leaves
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, TraceError
from . import report as reports
from .results import plain, read_limit, read_result, with_reading

MAX_PDF_BYTES = 20 * 1024 * 1024
_PLUS_MINUS = re.compile(r"-?\d+(?:\.\d+)?\s*±\s*\d+(?:\.\d+)?")
KINDS = {"commission": "委托", "assignment": "指派抽检"}


@dataclass(frozen=True)
class StoredReport:
    id: int
    agency_id: int
    batch_id: int
    report_no: str
    version: str
    kid: str


def commission(db: sqlite_utils.Database, gtin: str, lot: str, agency_id: int | str, *,
               actor: str, kind: str = "commission") -> None:
    """Let an agency sign for a batch: a supplier's commission, or (``kind=
    'assignment'``) an operator's assignment for 监督抽检 and 神秘抽检."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    catalog.require_not_cancelled(db, batch)
    agency = agencies.find_agency(db, agency_id)
    if not agency.approved:
        raise Forbidden(f"{agency.name} is not approved yet", message_zh="该检测机构尚未通过审核")
    if not catalog.supplier_of(db, catalog.get_product(db, batch.gtin)).approved:
        # a lab's signed report is public and logged; a sign-up may yet be turned down
        raise Forbidden(f"batch {batch.lot}'s supplier is not approved yet; labs are "
                        "commissioned once it is",
                        message_zh="供货商通过平台审核后，才能委托或指派检测机构")
    db.execute("INSERT OR IGNORE INTO commissions (batch_id, agency_id, kind, actor, at) "
               "VALUES (?, ?, ?, ?, ?)", [batch.id, agency.id, kind, actor, utc_now()])


def may_sign_for(db: sqlite_utils.Database, batch: catalog.Batch, agency: agencies.Agency,
                 report_type: str) -> None:
    """Raise unless the agency was commissioned (or, for 监督抽检 and 神秘抽检,
    assigned) for this batch."""
    kind = "assignment" if report_type in reports.ASSIGNED_TYPES else "commission"
    held = {row[0] for row in db.execute("SELECT kind FROM commissions WHERE batch_id = ? AND "
                                         "agency_id = ?", [batch.id, agency.id])}
    if kind not in held:
        who = "an operator assigned it" if kind == "assignment" else "its supplier commissioned it"
        # The type chosen was the wrong one of two the lab may sign: say which to choose.
        other = "监督抽检 or 神秘抽检" if kind == "commission" else "委托检验"
        other_zh = "“监督抽检”或“神秘抽检”" if kind == "commission" else "“委托检验”"
        hint = f"; the batch was {'assigned' if kind == 'commission' else 'commissioned'}: " \
            f"choose {other}" if held else ""
        hint_zh = f"；该批次是{KINDS['assignment' if kind == 'commission' else 'commission']}的，" \
            f"请把报告类型选为{other_zh}" if held else ""
        raise Forbidden(f"{agency.name} may sign a {report_type} report for batch {batch.lot} "
                        f"only once {who}{hint}",
                        message_zh=f"{agency.name} 未获{KINDS[kind]}，不能为批次 {batch.lot} 签发"
                        f"{report_type}报告{hint_zh}")


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
        raise InvalidInput(f"the PDF is larger than {MAX_PDF_BYTES // 2**20} MB",
                           message_zh="PDF 文件超过 20 MB")
    if not pdf:
        raise InvalidInput("the PDF file is empty (0 bytes): upload the report's PDF again",
                           message_zh="上传的 PDF 文件是空的（0 字节），请重新选择报告的 PDF")
    if not pdf.startswith(b"%PDF-"):
        raise InvalidInput("the file is not a PDF", message_zh="上传的文件不是 PDF")
    if hashlib.sha256(pdf).hexdigest() != want:
        raise InvalidInput("the PDF's SHA-256 is not the pdf_sha256 the report signs",
                           message_zh="PDF 文件与报告签名中的哈希不一致")


def store_report(db: sqlite_utils.Database, record: dict, kid: str, sig: str, *,
                 pdf: bytes | None = None) -> StoredReport:
    """Check and store one signed report (and its PDF), all or nothing."""
    record = reports.check_record(record)
    agency = agencies.find_agency(db, record["agency"]["id"])
    if not agency.approved:
        raise Forbidden(f"{agency.name} is not approved by the operator",
                        message_zh=f"{agency.name} 尚未通过平台审核，不能签发报告")
    key = _agency_key(db, kid, agency)
    if not reports.verify_record(key.public_bytes, kid, record, sig):
        raise InvalidInput(f"the signature of report {record['report_no']} does not verify "
                           f"with key {kid}", message_zh="报告签名验证失败")
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
    with db.atomic():
        _check_version(db, agency, record, batch)
        if pdf is not None:
            db.execute("INSERT OR IGNORE INTO report_pdfs (sha256, size, data) VALUES (?, ?, ?)",
                       [record["pdf_sha256"], len(pdf), pdf])
        cursor = db.execute(
            "INSERT INTO inspection_reports (agency_id, batch_id, report_no, version, "
            "supersedes, record, kid, sig, pdf_sha256, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [agency.id, batch.id, record["report_no"], record["version"], record["supersedes"],
             reports.canonical_bytes(record).decode(), kid, sig, record["pdf_sha256"],
             utc_now()])
        leaves.record(db, f"inspection_reports:{cursor.lastrowid}")
    return StoredReport(cursor.lastrowid or 0, agency.id, batch.id, record["report_no"],
                        record["version"], kid)


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
    if record["version"] in versions:
        raise Conflict(f"report {number} version {record['version']} is stored "
                       "already; a correction needs a new version",
                       message_zh="该版本报告已存在；更正请签发新版本")
    if versions and not replaced:
        raise Conflict(f"report {number} exists; a new version must name the one "
                       "it supersedes", message_zh="报告已存在；新版本须注明所更正的版本")
    if replaced and replaced not in versions:
        raise Conflict(f"report {number} has no version {replaced} to supersede",
                       message_zh=f"报告 {number} 没有第 {replaced} 版")
    earlier = standing_record.get("issued_on", "")
    if record["issued_on"] < earlier:
        raise InvalidInput(f"report {number} version {record['version']} is dated "
                           f"{record['issued_on']}, before the version it replaces ({earlier})",
                           message_zh=f"新版本的签发日期 {record['issued_on']} 早于它所替代的版本"
                                      f"（{earlier}），请核对日期")


def load_pdf(db: sqlite_utils.Database, sha256: str) -> bytes:
    """The PDF stored under ``sha256``; one whose bytes have changed is never served."""
    row = db.execute("SELECT data FROM report_pdfs WHERE sha256 = ?", [sha256]).fetchone()
    if row is None:
        raise NotFound("no such report PDF", message_zh="未找到该报告 PDF")
    if hashlib.sha256(row[0]).hexdigest() != sha256:
        raise Conflict("this report PDF has been changed since it was signed",
                       message_zh="该报告 PDF 在签名后被改动过，不再提供下载")
    return row[0]


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
    return [{"report": record, "kid": kid, "sig": sig, "signature_ok": not problem,
             "current": problem is not None or (agency_id, record["report_no"],
                                                record["version"]) not in replaced,
             "withdrawn": not problem and reports.is_withdrawn(record),
             **({"problem": problem} if problem else {})}
            for agency_id, record, kid, sig, problem in served]


def standing(served: list[dict]) -> list[dict]:
    """The served reports a batch stands on: current versions, not withdrawn ones
    (those whose signature fails stay, for callers to show as such)."""
    return [entry for entry in served if entry["current"] and not entry["withdrawn"]]


def nothing_but_withdrawals(served: list[dict]) -> bool:
    """True when the batch had a report its lab withdrew and none stands in its place:
    a report a livestream may have shown is gone, and buyers are told at once."""
    return any(entry["withdrawn"] for entry in served) and not standing(served)


def _parsed(stored: str) -> dict | None:
    """The stored record if it still has the report's shape, else None."""
    try:
        return reports.check_record(json.loads(stored), future_ok=True)
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


def complete_unsigned(record: dict, agency: agencies.Agency, pdf: bytes | None,
                      kept_pdf: str = "") -> dict:
    """An unsigned report the platform will sign, with what it can fill in itself:
    the format version, the agency block, the PDF's hash (``kept_pdf``, the
    superseded version's, when no PDF comes), version 1 and no superseded version
    (a record signed elsewhere is never touched)."""
    filled = {"v": reports.VERSION, "version": "1", "supersedes": "", **record}
    filled["agency"] = {"id": str(agency.id), "name": agency.name, "cma": agency.cma_no,
                        "cnas": agency.cnas_no or ""}
    if isinstance(filled.get("batch"), dict):
        filled["batch"] = _as_registered(filled["batch"])
    if isinstance(filled.get("report_no"), str):
        filled["report_no"] = written_report_no(filled["report_no"])
    if not filled.get("pdf_sha256"):
        filled["pdf_sha256"] = hashlib.sha256(pdf).hexdigest() if pdf is not None else kept_pdf
    if isinstance(filled.get("items"), list):
        filled["items"] = [with_reading(item) if isinstance(item, dict) and
                           isinstance(item.get("result"), str) else item
                           for item in filled["items"]]
    return filled


def _as_registered(named: dict) -> dict:
    """The batch block with the GTIN and lot written as the catalogue writes them
    (13 digits padded, lower case raised), so what the platform signs matches."""
    written = dict(named)
    for field, canonical in (("gtin", catalog.normalise_gtin), ("lot", catalog.normalise_lot)):
        if isinstance(named.get(field), str):
            try:
                written[field] = canonical(named[field])
            except InvalidInput:
                pass  # refused with the field named when the record is checked
    return written


def own_key(db: sqlite_utils.Database, keys_dir: str | Path,
            agency: agencies.Agency) -> str | None:
    """The id of the agency's active key when the agency keeps its private half
    itself (``agency key add``): the platform cannot sign for it."""
    record = keys.active_key(db, agency.key_role)
    return record.kid if record is not None and keys.kept_by_owner(keys_dir, record) else None


def lost_key(db: sqlite_utils.Database, keys_dir: str | Path,
             agency: agencies.Agency) -> str | None:
    """The id of the agency's active key when the platform holds it and its private
    half is missing from ``keys_dir``: nothing can be signed until the operator
    restores it or gives the agency a new one."""
    record = keys.active_key(db, agency.key_role)
    return record.kid if record is not None and keys.lost_here(keys_dir, record) else None


def sign_with_agency_key(db: sqlite_utils.Database, keys_dir: str | Path, agency_id: int,
                         record: dict, passphrase: str | None = None) -> tuple[str, str]:
    """Sign with the agency's server-held key: (kid, sig). An agency whose key is
    its own (``agency key add``) is told to sign itself: the platform cannot."""
    agency = agencies.get_agency(db, agency_id)
    own = own_key(db, keys_dir, agency)
    if own is not None:
        raise Conflict(
            f"{agency.name} keeps its own signing key ({own}): sign the report on your "
            "machine ('python -m trace inspection sign') and send it with its kid and sig; "
            "the platform cannot sign for you",
            message_zh=f"贵机构的签名密钥（{own}）由贵机构自行保管，平台无法代为签名："
                       "请在本机构电脑上用 inspection sign 签名，再提交签好的报告"
                       "（inspection import，或在接口里带上 kid 和 sig）")
    lost = lost_key(db, keys_dir, agency)
    if lost is not None:  # the lab's to hear in full (a KeyProblem is told only vaguely)
        raise Conflict(
            f"the platform cannot find {agency.name}'s signing key ({lost}) on the server, so "
            "nothing can be signed for now: ask the platform's operator to restore it from "
            f"the key backup, or to give you a new one (keys rotate --role {agency.key_role})",
            message_zh=f"平台服务器上找不到贵机构的签名密钥（{lost}），暂时无法签名："
                       "请联系平台运营者从密钥备份中恢复，或为贵机构换发新密钥")
    signer = keys.load_signer(db, keys_dir, passphrase, role=agency.key_role)
    signer.require_role(agency.key_role)
    return signer.kid, reports.sign_record(signer.private_key, signer.kid,
                                           reports.check_record(record))


def for_display(served: list[dict], valid_days: int, today: date | None = None) -> list[dict]:
    """The served reports with what a page adds: the names of failed items, how many
    days old a report is once it is older than ``valid_days``, and whether its lab
    withdrew it (those go last: what the batch stands on comes first)."""
    today = today or date.today()
    shown = []
    for entry in served:
        if not entry["signature_ok"]:  # nothing of it is read: only that it fails
            shown.append(dict(entry, failed=[], stale=0, results=[], limits=[]))
            continue
        report = entry["report"]
        age = (today - date.fromisoformat(report["issued_on"])).days
        shown.append(dict(entry, failed=[item["name"] for item in reports.failed_items(report)],
                          stale=age if age > valid_days else 0,
                          results=[shown_result(item) for item in report["items"]],
                          limits=[shown_limit(item) for item in report["items"]]))
    return sorted(shown, key=lambda entry: entry["withdrawn"])


def shown_result(item: dict) -> str:
    """The result as printed, with its unit where the unit belongs to a number
    ('0.62 mg/kg', but '未检出' and '强 B' alone)."""
    result, unit = item["result"], item.get("unit", "")
    if unit and unit not in result and read_result(result).qualifier != "ND" and \
            re.search(r"\d", plain(result)):
        return f"{result} {unit}"  # a figure, a range, a grade such as 4-5 级
    return result


def shown_limit(item: dict) -> str:
    """The limit as printed, with the item's unit when it is a figure without one
    ('≤0.1 mg/kg'): beside 未检出 the unit is written nowhere else."""
    limit, unit = item.get("limit") or "", item.get("unit", "")
    if not limit:
        return "—"
    figure = read_limit(limit).qualifier in ("=", "<", ">", "≤", "≥", "range") or \
        _PLUS_MINUS.fullmatch(plain(limit))
    if unit and figure and re.search(r"\d\s*$", plain(limit)):
        return f"{limit} {unit}"
    return limit


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
