"""Reports the platform signs for a lab with the lab's server-held key: the
record completed with what the platform knows, and the key's state (kept by
the lab itself, or lost from this server)::

    record = complete_unsigned(typed, agency, pdf_bytes)
    kid, sig = sign_with_agency_key(db, keys_dir, agency.id, record)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlite_utils

from .. import agencies, catalog, keys
from ..errors import Conflict, InvalidInput
from . import report as reports
from .results import with_reading
from .store import written_report_no


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
