"""Reports from a spreadsheet: one CSV row per tested item, the report's header
repeated on each of its rows (what a LIMS export or an Excel sheet gives)::

    records = records_from_csv(text, agency, "results.csv")

Columns (UTF-8, with or without a BOM; headings in this order or any order):
``report_no, version, supersedes, type, gtin, lot, issued_on, conclusion, item,
result, unit, limit, method, verdict``. ``version`` defaults to 1 and
``supersedes`` to empty; ``unit``, ``limit`` and ``method`` may be empty.
"""

from __future__ import annotations

import csv
import io

from ..agencies import Agency
from ..errors import InvalidInput
from . import report as reports
from .results import with_reading

HEADER = ("report_no", "version", "supersedes", "type", "gtin", "lot", "issued_on",
          "conclusion")
ITEM = ("item", "result", "unit", "limit", "method", "verdict")
REQUIRED = ("report_no", "type", "gtin", "lot", "issued_on", "conclusion", "item", "result",
            "verdict")


def records_from_csv(text: str, agency: Agency, name: str) -> list[dict]:
    """The reports in the file, in the order they first appear; ``InvalidInput``
    naming the file, row and field of the first problem."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in REQUIRED if column not in (rows.fieldnames or [])]
    if missing:
        raise InvalidInput(f"{name}: no column {missing[0]!r} (columns: "
                           f"{', '.join(HEADER + ITEM)})",
                           message_zh=f"{name}：缺少列 {missing[0]}")
    records: dict[tuple[str, str], dict] = {}
    for number, row in enumerate(rows, 2):  # row 1 is the headings
        values = {key: (value or "").strip() for key, value in row.items() if key}
        values["version"] = values.get("version") or "1"
        for column in REQUIRED:
            if not values.get(column):
                raise InvalidInput(f"{name} row {number}: {column} is empty",
                                   message_zh=f"{name} 第 {number} 行：{column} 为空")
        key = (values["report_no"], values["version"])
        header = _header(values, agency)
        record = records.setdefault(key, dict(header, items=[]))
        if header != {k: v for k, v in record.items() if k != "items"}:
            raise InvalidInput(f"{name} row {number}: report {key[0]} has a different header "
                               "(type, batch, date or conclusion) than its first row",
                               message_zh=f"{name} 第 {number} 行：同一报告的表头与第一行不一致")
        record["items"].append(_item(values))
    if not records:
        raise InvalidInput(f"{name}: no rows", message_zh=f"{name}：没有数据行")
    return list(records.values())


def _header(values: dict, agency: Agency) -> dict:
    return {"v": reports.VERSION,
            "agency": {"id": str(agency.id), "name": agency.name, "cma": agency.cma_no,
                       "cnas": agency.cnas_no or ""},
            "report_no": values["report_no"], "version": values["version"],
            "type": values["type"], "batch": {"gtin": values["gtin"], "lot": values["lot"]},
            "issued_on": values["issued_on"], "conclusion": values["conclusion"],
            "pdf_sha256": values.get("pdf_sha256", ""),
            "supersedes": values.get("supersedes", "")}


def _item(values: dict) -> dict:
    item = {"name": values["item"], "result": values["result"], "verdict": values["verdict"]}
    item.update({key: values[key] for key in ("unit", "limit", "method") if values.get(key)})
    return with_reading(item)
