"""The signed report (DESIGN §7, normative): a JSON object whose leaves are all
strings, signed by the agency's own Ed25519 key over its canonical bytes::

    record = check_record(json.loads(text))          # the shape, or InvalidInput
    sig = sign_record(private_key, "K7AB29XQ", record)
    verify_record(public_raw, "K7AB29XQ", record, sig)   # True / False

Canonical bytes are ``json.dumps(record, ensure_ascii=False, sort_keys=True,
separators=(",", ":"))`` in UTF-8 (RFC 8785 for string-only JSON); the signed
message is ``b"trace-report-v1|" + kid + b"|" + canonical``.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any, Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

from ..catalog.text import unprintable
from ..clock import beijing_today
from ..codes import decode_signature, encode_signature
from ..digits import is_number
from ..errors import InvalidCode, InvalidInput, all_problems
from .results import converted_limit, implausible, incomparable, undirected_limit, within_limit

VERSION = "trace-report-v1"
TYPES = ("委托检验", "监督抽检", "自检", "神秘抽检")
ASSIGNED_TYPES = ("监督抽检", "神秘抽检")     # an operator assigns these; others are commissioned
# What a lab's form offers: 自检 is a producer's test of its own goods, which no
# accredited lab signs; it stays a type a record may carry (DESIGN §7).
LAB_TYPES = ("委托检验", *ASSIGNED_TYPES)
FAILED = ("不合格", "不符合")
PASSED = ("合格", "符合")
# 不判定 and — for items reported without a judgement (a grade, a weight).
VERDICTS = (*PASSED, *FAILED, "不判定", "—")
MAX_TEXT = 500       # a conclusion; other fields are shorter still
MAX_ITEMS = 300
REQUIRED = ("v", "agency", "report_no", "version", "type", "batch", "issued_on", "conclusion",
            "items", "pdf_sha256", "supersedes")
# Optional, only on a version that supersedes another: "reason", why it replaces it
# (ISO/IEC 17025 7.8.8 asks a changed report to say why), and "status": "withdrawn",
# the agency's withdrawal of the report, which then holds no items.
WITHDRAWN = "withdrawn"
WITHDRAWN_CONCLUSION = "本报告已由检测机构撤回，不再作为检验依据"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def canonical_bytes(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def signed_message(kid: str, record: dict) -> bytes:
    return VERSION.encode() + b"|" + kid.encode() + b"|" + canonical_bytes(record)


def sign_record(private_key: Ed25519PrivateKey, kid: str, record: dict) -> str:
    return encode_signature(private_key.sign(signed_message(kid, record)))


def verify_record(public_raw: bytes, kid: str, record: dict, sig: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(
            decode_signature(sig), signed_message(kid, record))
    except (InvalidSignature, InvalidCode, ValueError):
        return False
    return True


FIELDS_ZH = {"v": "格式版本", "agency": "检测机构", "agency.id": "检测机构编号",
             "agency.name": "检测机构名称", "agency.cma": "CMA 编号", "batch": "批次",
             "batch.gtin": "商品条码", "batch.lot": "批次号", "report_no": "报告编号",
             "version": "报告版本", "supersedes": "所替代的版本", "type": "检验类别",
             "issued_on": "签发日期", "conclusion": "检验结论", "items": "检测项目",
             "pdf_sha256": "报告 PDF", "name": "项目名称", "result": "检测结果",
             "unit": "单位", "limit": "标准要求", "method": "检测方法", "verdict": "单项判定",
             "reason": "更正或撤回的原因", "status": "报告状态"}
_ITEM_FIELD = re.compile(r"items\[(\d+)\](?:\.(\w+))?")


def _where_zh(where: str, line: int | None = None) -> str:
    """A field as the lab's staff know it: 第 2 个检测项目的单项判定, not items[1].verdict
    (第 3 行的单项判定 for an item typed on the form's line 3)."""
    item = _ITEM_FIELD.fullmatch(where)
    if item:
        number, field = int(item.group(1)) + 1, item.group(2)
        place = f"第 {line} 行" if line else f"第 {number} 个检测项目"
        return place + (f"的{FIELDS_ZH.get(field, field)}" if field else "")
    return FIELDS_ZH.get(where, where)


def _bad(where: str, problem: str, problem_zh: str, line: int | None = None) -> InvalidInput:
    said = (f"item line {line} {where.partition('].')[2]}".rstrip() if line
            else f"report field {where}")
    return InvalidInput(f"{said}: {problem}",
                        message_zh=f"{_where_zh(where, line)}：{problem_zh}", field=where)


def _strings_only(value: Any, where: str) -> None:
    """Every leaf a string: numbers as the lab printed them ("0.012"), never 0.012."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _strings_only(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _strings_only(inner, f"{where}[{index}]")
    elif not isinstance(value, str):
        raise _bad(where, f"must be a string (write numbers as printed, e.g. \"0.012\"), "
                   f"not {json.dumps(value)}", "必须是字符串（数字请按报告原样写成字符串）")


# Free text of a report, where a lab may break a line.
_MULTILINE = ("conclusion", "reason")


def _printable(value: Any, where: str) -> None:
    """No control or format character in a new report: a NUL, or a right-to-left
    override reordering a report number on the buyer's page, would be signed and
    shown as the lab's own words."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _printable(inner, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _printable(inner, f"{where}[{index}]")
    elif isinstance(value, str):
        multiline = where in _MULTILINE  # a form's text box sends its breaks as \r\n
        bad = [code for code in unprintable(value, multiline) if not (multiline and
                                                                      code == "U+000D")]
        if bad:
            raise _bad(where, f"contains control characters ({', '.join(bad)}); type it "
                       "again without them", f"含有控制字符（{'、'.join(bad)}），请重新输入")


def _shape(record: dict) -> None:
    """Strings where strings belong: ``agency`` and ``batch`` objects of strings,
    ``items`` a list of such objects, every other field a string. (A list where a
    date belongs would otherwise reach the checks below as something else.)"""
    for name, value in record.items():
        if name in ("agency", "batch"):
            _flat_object(value, name)
        elif name == "items":
            if not isinstance(value, list):
                raise _bad(name, "must be a list of tested items", "应为检测项目的列表")
            for index, item in enumerate(value):
                _flat_object(item, f"items[{index}]")
        elif not isinstance(value, str):
            raise _bad(name, "must be a string", "必须是字符串")


def _flat_object(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise _bad(where, "must be an object", "应为对象")
    for key, inner in value.items():
        if not isinstance(inner, str):
            raise _bad(f"{where}.{key}", "must be a string, not a list or an object",
                       "必须是字符串，不能是列表或对象")


def check_record(record: Any, *, stored: bool = False) -> dict:
    """The report if it has the normative shape; otherwise ``InvalidInput`` naming
    the field. Says nothing about who signed it. (``stored`` when re-reading a
    stored report: its date, and whether its results are figures a lab could
    have measured, were judged on the day it came in.)"""
    if not isinstance(record, dict):
        raise _bad("(whole)", "a report is one JSON object", "报告必须是一个 JSON 对象")
    _strings_only(record, "report")
    _shape(record)
    if not stored:
        _printable(record, "")
    if record.get("status", WITHDRAWN) != WITHDRAWN:  # before what a withdrawal leaves out
        raise _bad("status", f"can only be {WITHDRAWN!r}", f"只能是 {WITHDRAWN}（撤回）")
    missing = [name for name in REQUIRED if name not in record]
    if missing:
        raise _bad(missing[0], "is missing", "缺失")
    if record["v"] != VERSION:
        raise _bad("v", f"must be {VERSION!r}", f"应为 {VERSION}")
    # Every field's problems at once (``Problems``): a lab fixes them in one go.
    all_problems(
        lambda: _object(record, "agency", ("id", "name", "cma", "cnas")),
        lambda: _object(record, "batch", ("gtin", "lot")),
        lambda: _type(record["type"]),
        lambda: _check_date(record["issued_on"], future_ok=stored),
        *(lambda name=name: _filled(record, name)
          for name in ("report_no", "version", "conclusion")),
        lambda: _pdf_hash(record["pdf_sha256"]),
        lambda: _lengths(record),
        lambda: _amendment(record),
        lambda: None if is_withdrawn(record) else _findings(record, stored))
    return record


def _type(kind: str) -> None:
    if kind not in TYPES:
        raise _bad("type", f"must be one of {', '.join(TYPES)}", f"应为 {'、'.join(TYPES)} 之一")


def _filled(record: dict, name: str) -> None:
    if not record[name].strip():
        raise _bad(name, "must not be empty", "不能为空")


def _pdf_hash(sha256: str) -> None:
    if sha256 and not _HEX64.fullmatch(sha256):
        raise _bad("pdf_sha256", "must be 64 lower-case hex digits or \"\"",
                   "应为 64 位小写十六进制或空字符串")


def _findings(record: dict, stored: bool) -> None:
    """The items, then the conclusion against them: judged only once they hold."""
    _items(record["items"], stored)
    _conclusion_agrees(record)


def is_withdrawn(record: dict) -> bool:
    return record.get("status") == WITHDRAWN


def _amendment(record: dict) -> None:
    """A reason and a withdrawal belong to a version that supersedes another; a
    withdrawal says why and holds no findings (its items were the mistake)."""
    reason, status = record.get("reason"), record.get("status")
    if status is not None:
        if not record["supersedes"] or reason is None:
            raise _bad("status", "a withdrawal names the version it withdraws (supersedes) "
                       "and says why (reason)", "撤回须注明撤回的版本（所替代的版本）和撤回原因")
        if record["items"]:
            raise _bad("items", "a withdrawal holds no tested items", "撤回不含检测项目")
    if reason is not None and not record["supersedes"]:
        raise _bad("reason", "belongs to a version that supersedes another; a first "
                   "version has nothing to explain", "只用于更正版或撤回，第一版报告不需要")
    if reason is not None and (not reason.strip() or len(reason) > MAX_TEXT):
        raise _bad("reason", f"must be 1-{MAX_TEXT} characters", f"应为 1–{MAX_TEXT} 个字符")


def next_version(version: str) -> str:
    """The version after ``version``: 2 after 1, 1a.1 after 1a; 1 for a first report."""
    if not version:
        return "1"
    return str(int(version) + 1) if is_number(version) else version + ".1"


def withdrawal_of(record: dict, reason: str, on: date) -> dict:
    """The unsigned record withdrawing ``record`` (its current version) on ``on``:
    the same report, batch and agency, a new version, no items and no PDF."""
    return dict(record, version=next_version(record["version"]), supersedes=record["version"],
                issued_on=on.isoformat(), conclusion=WITHDRAWN_CONCLUSION, items=[],
                pdf_sha256="", reason=reason.strip(), status=WITHDRAWN)


# "No item failed", as official conclusions word it: 未发现不合格项, 不合格项：无.
_NONE_FAILED = re.compile(r"(未发现|未见|未检出|无|没有|不存在)[^，。；,;]{0,3}?(不合格|不符合)"
                          r"|(不合格|不符合)[项目数]*\s*[:：]?\s*(无|0\s*项|零项)")


def says_something_failed(conclusion: str) -> bool:
    """Whether a conclusion reports a failure, not counting its words for none."""
    return any(word in _NONE_FAILED.sub("", conclusion) for word in FAILED)


def _conclusion_agrees(record: dict) -> None:
    """A conclusion saying the goods conform while an item failed (or the other way
    round) would put a green 合格 beside a red item on the buyer's page."""
    says_failed = says_something_failed(record["conclusion"])
    failed = [item.get("name", "") for item in failed_items(record)]
    if failed and not says_failed:
        raise _bad("conclusion", f"does not say anything failed, but {', '.join(failed)} did; "
                   "write which items do not conform",
                   f"没有写不合格，但{'、'.join(failed)}判定为不合格，请在结论里写明不合格的项目")
    if says_failed and not failed_items(record):
        raise _bad("conclusion", "says something failed, but every item passed",
                   "写有不合格或不符合，但没有一个单项判定为不合格")


def _check_date(text: str, future_ok: bool = False) -> None:
    """A real calendar date, not after tomorrow (a lab in any time zone)."""
    try:
        issued = date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        issued = None
    if not text.strip():
        raise _bad("issued_on", "must not be empty", "不能为空")
    if issued is None:
        raise _bad("issued_on", f"{text!r} is not a date YYYY-MM-DD",
                   f"{text} 不是有效日期（YYYY-MM-DD）")
    if not future_ok and issued > beijing_today() + timedelta(days=1):
        raise _bad("issued_on", f"{text} is in the future", f"{text} 是将来的日期")


def _lengths(record: dict) -> None:
    for name in ("report_no", "version", "supersedes", "type", "issued_on"):
        if len(record[name]) > 60:
            raise _bad(name, "is longer than 60 characters", "超过 60 个字符")
    if len(record["conclusion"]) > MAX_TEXT:
        raise _bad("conclusion", f"is longer than {MAX_TEXT} characters",
                   f"超过 {MAX_TEXT} 个字符")


def _object(record: dict, name: str, keys: tuple[str, ...]) -> None:
    value = record[name]
    if not isinstance(value, dict):
        raise _bad(name, "must be an object", "应为对象")
    for key in keys:
        if not value.get(key, "").strip() and not (name == "agency" and key == "cnas"):
            raise _bad(f"{name}.{key}", "is missing", "缺失")


def _items(items: Any, stored: bool) -> None:
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise _bad("items", f"must be a list of 1-{MAX_ITEMS} tested items",
                   f"应为 1–{MAX_ITEMS} 个检测项目")
    all_problems(*(lambda index=index, item=item: _item(index, item, stored=stored)
                   for index, item in enumerate(items)))


def check_item(item: dict, *, line: int) -> None:
    """One tested item typed on the form's ``line``, judged as a report's items are and
    named by its line (第 3 行的单项判定): the clerk reads lines, not item numbers."""
    _item(0, item, line)


def _item(index: int, item: Any, line: int | None = None, *, stored: bool = False) -> None:
    if not isinstance(item, dict):
        raise _bad(f"items[{index}]", "must be an object", "应为对象", line)
    for key in ("name", "result", "verdict"):
        if not item.get(key, "").strip():
            raise _bad(f"items[{index}].{key}", "is missing", "缺失", line)
    if any(len(value) > 200 for value in item.values()):
        raise _bad(f"items[{index}]", "has a field longer than 200 characters",
                   "有字段超过 200 个字符", line)
    if item["verdict"] not in VERDICTS:
        raise _bad(f"items[{index}].verdict", f"must be one of {' '.join(VERDICTS)} "
                   f"(not {item['verdict']!r}: a failed item is 不合格 or 不符合)",
                   f"应为 {'、'.join(VERDICTS)} 之一（超标等不合格项请写“不合格”）", line)
    if not stored:
        _measurable(item, index, line)
    _verdict_agrees(item, index, line)


def _measurable(item: dict, index: int, line: int | None) -> None:
    """A result a lab could have measured: "abc" against ≤0.5, or a moisture of
    -6.2 %, judged 合格 and signed, would be shown to buyers as a passed test."""
    problem = implausible(item) or incomparable(item)
    if problem:
        raise _bad(f"items[{index}].result", problem[0], problem[1], line)
    problem = undirected_limit(item)
    if problem:
        raise _bad(f"items[{index}].limit", problem[0], problem[1], line)


def _verdict_agrees(item: dict, index: int, line: int | None = None) -> None:
    """The item's verdict matches its result against its limit, where the text
    tells: 9.9 against ≤0.5 judged 合格 is a typing slip a buyer would trust."""
    within = within_limit(item["result"], item.get("limit"), item.get("unit"))
    verdict, shown = item["verdict"], f"{item['result']} {item.get('unit', '')}".strip()
    if within is False and verdict in PASSED:
        converted = converted_limit(item.get("limit"), item.get("unit"))
        # A unit typed wrong (% for mg/kg) reads as a figure far over: say the sum.
        said, said_zh = (f" ({item['limit']} is {converted}: is the unit right?)",
                         f"（{item['limit']} 换算成 {item['unit']} 是 {converted}，请核对单位）"
                         ) if converted else ("", "")
        raise _bad(f"items[{index}].verdict", f"is {verdict}, but {item['name']} {shown} is "
                   f"outside the limit {item['limit']}{said}",
                   f"写的是“{verdict}”，但{item['name']}的结果 {shown} 不在标准要求 {item['limit']} 之内"
                   f"{said_zh}", line)
    if within is True and verdict in FAILED:
        raise _bad(f"items[{index}].verdict", f"is {verdict}, but {item['name']} {shown} is "
                   f"within the limit {item['limit']}",
                   f"写的是“{verdict}”，但{item['name']}的结果 {shown} 在标准要求 {item['limit']} 之内",
                   line)


def failed_items(record: dict) -> list[dict]:
    return [item for item in record["items"] if item["verdict"] in FAILED]


def failed_names(records: Iterable[dict]) -> list[str]:
    """The failed items' names across ``records``, once each: a correction and a
    re-test may fail the same item."""
    return list(dict.fromkeys(item["name"] for record in records
                              for item in failed_items(record)))
