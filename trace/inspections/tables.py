"""Reports from a spreadsheet: one CSV row per tested item, the report's header
repeated on each of its rows (what a LIMS export or an Excel sheet gives)::

    records = records_from_csv(text, agency, "results.csv")

Columns (headings in any order, in English or as Chinese labs write them):
``report_no, version, supersedes, type, gtin, lot, issued_on, conclusion, item,
result, unit, limit, method, verdict``, and for a correction ``reason``.
``version`` defaults to 1 and ``supersedes`` to empty; ``unit``, ``limit`` and
``method`` may be empty. What
Excel and WPS save is read: a workbook (.xlsx, its first sheet), UTF-8 with or
without a BOM, UTF-16, GBK/GB 18030, title rows above the headings, empty rows,
and dates as date cells, 2026/11/3 or 2026年11月3日.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time

import openpyxl
from openpyxl.utils.datetime import from_excel

from ..agencies import Agency
from ..clock import year_first_date
from ..errors import InvalidInput
from . import report as reports
from .results import as_maximum, as_typed

HEADER = ("report_no", "version", "supersedes", "type", "gtin", "lot", "issued_on",
          "conclusion", "reason")
ITEM = ("item", "result", "unit", "limit", "method", "verdict")
REQUIRED = ("report_no", "type", "gtin", "lot", "issued_on", "conclusion", "item", "result",
            "verdict")
ITEM_REQUIRED = ("item", "result", "verdict")


# Headings as Chinese lab sheets write them.
ALIASES = {"报告编号": "report_no", "版本": "version", "报告版本": "version",
           "所替代的版本": "supersedes", "替代版本": "supersedes", "检验类别": "type",
           "商品条码": "gtin", "批次号": "lot", "批号": "lot", "签发日期": "issued_on",
           "报告日期": "issued_on", "结论": "conclusion", "检验结论": "conclusion",
           "检测项目": "item", "检验项目": "item", "项目": "item", "结果": "result",
           "检测结果": "result", "实测值": "result", "单位": "unit", "限值": "limit",
           "标准要求": "limit", "技术要求": "limit", "检测方法": "method", "检验方法": "method",
           "方法": "method", "判定": "verdict", "单项判定": "verdict",
           # and as other labs write them
           "报告号": "report_no", "更正的版本": "supersedes", "被更正版本": "supersedes",
           "条码": "gtin", "样品批号": "lot", "检验结果": "result", "检测值": "result",
           "计量单位": "unit", "结果单位": "unit", "限量值": "limit", "限量": "limit",
           "标准值": "limit", "标准限值": "limit", "指标": "limit", "标准指标": "limit",
           "最大残留限量": "limit", "最大限量": "limit",
           "单项结论": "verdict", "结果判定": "verdict", "判定结果": "verdict",
           "更正原因": "reason", "修改原因": "reason",
           # a lab's own row numbers: read, never signed
           "序号": "row_number", "行号": "row_number", "No.": "row_number"}
KNOWN = HEADER + ITEM + ("pdf_sha256", "row_number")
# Each column named as a Chinese lab sheet heads it, for messages to lab staff.
NAMES_ZH = {"report_no": "报告编号", "version": "版本", "supersedes": "所替代的版本",
            "type": "检验类别", "gtin": "商品条码", "lot": "批次号", "issued_on": "签发日期",
            "conclusion": "检验结论", "item": "检测项目", "result": "检测结果", "unit": "单位",
            "limit": "标准要求", "method": "检测方法", "verdict": "判定",
            "reason": "更正原因", "pdf_sha256": "pdf_sha256", "row_number": "序号"}
# Headings that say their limits are maxima: a bare 0.02 under 限量值 is ≤0.02 (a sheet's
# 0.05 residue against it was signed 合格, its limit read as a figure alone).
MAXIMUM_HEADINGS = frozenset({"限量值", "限量", "限值", "标准限值", "最大残留限量", "最大限量"})
MAX_SHEET_ROWS = 20_000  # a lab's batch of reports, not a database dump
_FIXED_DECIMALS = re.compile(r"0\.?(0*)")  # Excel's 0, 0.0, 0.00 ... number formats


def decode_sheet(data: bytes, name: str) -> str:
    """A CSV file's text as Excel or WPS saved it: a BOM says UTF-8 or UTF-16;
    without one, UTF-8, else GB 18030 (GBK's superset, a Chinese Windows'
    'CSV (逗号分隔)')."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{name}: not a sheet that can be read (not text in UTF-8, UTF-16 "
                       "or GBK): save it as .xlsx or CSV",
                       message_zh=f"{name} 不是能读取的表格（既不是 Excel 的 .xlsx，也不是 CSV）："
                                  "请在 Excel 或 WPS 里另存为 .xlsx 或 CSV")


def sheet_text(data: bytes, name: str) -> str:
    """A sheet as CSV text: an Excel or WPS workbook's (.xlsx) first sheet, or a
    CSV/TSV file as :func:`decode_sheet` reads it."""
    if data.startswith(b"PK\x03\x04"):  # .xlsx is a zip of XML
        return _workbook_csv(data, name)
    if data.startswith(b"%PDF-"):
        raise InvalidInput(f"{name} is a PDF, not a sheet (the report's PDF goes apart)",
                           message_zh=f"{name} 是 PDF 文件，不是表格；报告原件 PDF 请另行选择")
    if name.lower().endswith(".xlsx"):  # renamed, or saved as .xls and renamed
        raise InvalidInput(f"{name} is not an Excel workbook: save it again as .xlsx or CSV",
                           message_zh=f"{name} 不是 Excel 文件，请在 Excel 或 WPS 里另存为 .xlsx 或 CSV")
    return decode_sheet(data, name)


def _workbook_csv(data: bytes, name: str) -> str:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InvalidInput(f"{name}: not an Excel workbook that can be read (save it again "
                           "as .xlsx or as CSV)",
                           message_zh=f"{name}：无法读取这个 Excel 文件，请重新另存为 .xlsx 或 CSV") \
            from None
    out = io.StringIO()
    writer = csv.writer(out)
    date_column = None  # where 签发日期 is, once the headings are passed
    for number, row in enumerate(book.worksheets[0].iter_rows(), 1):
        if number > MAX_SHEET_ROWS:
            raise InvalidInput(f"{name}: more than {MAX_SHEET_ROWS:,} rows",
                               message_zh=f"{name}：超过 {MAX_SHEET_ROWS:,} 行")
        values = [getattr(cell, "value", None) for cell in row]
        texts = [_cell_text(value, getattr(cell, "number_format", "General"))
                 for value, cell in zip(values, row)]
        if date_column is not None and date_column < len(values):
            texts[date_column] = _day_number(values[date_column], book.epoch) or \
                texts[date_column]
        elif date_column is None:
            date_column = next((index for index, text in enumerate(texts)
                                if _heading(text) == "issued_on"), None)
        writer.writerow(texts)
    book.close()
    return out.getvalue()


def _day_number(value, epoch: datetime) -> str | None:
    """A date typed into a cell formatted as a plain number: Excel keeps it as the
    day number (46329), which this workbook's own date system (1900, or 1904 on
    an old Mac) reads exactly. Only within 2000-2099, so a stray figure is no date."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not float(value).is_integer():
        return None
    day = from_excel(value, epoch)
    return day.date().isoformat() if date(2000, 1, 1) <= day.date() < date(2100, 1, 1) \
        else None


def _cell_text(value, number_format: str = "General") -> str:
    """A cell as the sheet shows it: a date cell as 2026-11-03, a number with the
    decimals its format shows (0.60 stays 0.60, as the report prints it), a
    whole number without '.0', an empty cell as nothing.

    >>> _cell_text(0.6, "0.00"), _cell_text(12.0, "General"), _cell_text(0.125, "General")
    ('0.60', '12', '0.125')
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    decimals = _FIXED_DECIMALS.fullmatch(number_format or "")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and decimals:
        return f"{value:.{len(decimals.group(1) or '')}f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _heading(cell: str) -> str:
    plain = (cell or "").strip().lstrip("\ufeff").strip()
    return ALIASES.get(plain, plain.lower().replace(" ", "_"))


_LABELLED = re.compile(r"([^：:]{2,12})[：:]\s*(\S.*)")


def _block_fields(rows: list[list[str]]) -> dict[str, str]:
    """Report fields written above the table as label and value side by side
    (报告编号 | ZJPQ-2026-0920, 签发日期： | 2026-11-27) or in one cell
    (报告编号：ZJPQ-2026-0920), as lab sheets head a report."""
    found: dict[str, str] = {}
    for row in rows[:20]:
        cells = [cell.strip() for cell in row if cell.strip()]
        joined = [_LABELLED.fullmatch(cell) for cell in cells]
        if cells and all(joined):  # 报告编号：ZJPQ-0920 in one cell, as many sheets head it
            pairs = {_heading(m.group(1)): m.group(2).strip() for m in joined if m}
            if all(label in HEADER for label in pairs):
                found.update(pairs)
            continue
        if len(cells) < 2 or len(cells) % 2:
            continue
        labels = [_heading(cell.rstrip("：:")) for cell in cells[::2]]
        values = cells[1::2]
        if all(label in HEADER for label in labels) and \
                not any(_heading(value) in KNOWN for value in values):  # not the headings row
            found.update(zip(labels, values))
    return found


def _headings_row(rows: list[list[str]], name: str, given: dict | None,
                  block: dict | None = None) -> int:
    """The index of the headings: the first row naming every required column that
    neither the form nor the block above the table gives (title rows above it are
    skipped); ``given`` is None for a file imported with no form beside it."""
    needed = [column for column in REQUIRED
              if not (given or {}).get(column) and not (block or {}).get(column)]
    for index, row in enumerate(rows[:20]):
        if set(needed) <= {_heading(cell) for cell in row}:
            return index
    if given is not None:  # the form takes what the table lacks: the table of items will do
        for index, row in enumerate(rows[:20]):
            if set(ITEM_REQUIRED) <= {_heading(cell) for cell in row}:
                return index
    # Told against the table's own headings (检测项目 | 检测结果 ...), not against a
    # title row above it: the sheet's items were read as missing beside its title.
    index, found = max(((index, {_heading(cell) for cell in row})
                        for index, row in enumerate(rows[:20])),
                       key=lambda pair: (len(pair[1] & set(KNOWN)), -pair[0]),
                       default=(0, set()))
    shown = [cell.strip() for cell in (rows[index] if rows else []) if cell.strip()]
    lacking = [column for column in needed if column not in found]
    missing = lacking[0]
    # A report's own fields may come from the form instead: say so, and list only the
    # columns still needed (a clerk who had filled the form read all nine as needed).
    or_form = given is not None and missing in HEADER
    row_en, row_zh = (f"row {index + 1}", f"第 {index + 1} 行") if index else \
        ("the first row", "第一行")
    raise InvalidInput(f"{name}: no column {missing!r}"
                       + (", and the form below does not give it either" if or_form else "")
                       + f"; {row_en} has {', '.join(shown[:8]) or 'nothing'} "
                       f"(columns still needed: {', '.join(lacking)})",
                       message_zh=f"{name}：缺少列“{NAMES_ZH[missing]}”"
                                  + ("：请在表格里加上这一列，或在下面的表单里填好" if or_form else "")
                                  + f"（{row_zh}是：{'、'.join(shown[:8]) or '空'}；表格里还缺的列："
                                  f"{'、'.join(NAMES_ZH[column] for column in lacking)}）")


def sheet_date(text: str, name: str, number: int) -> str:
    """2026-11-03 from 2026-11-3, 2026/11/3 or 2026年11月3日; a day-first or
    month-first date, or an Excel day number in a CSV, is refused as ambiguous (a
    workbook's own day numbers are read where it is opened)."""
    day = year_first_date(text)
    if day:
        return day.isoformat()
    if text.strip().isdigit():  # a CSV does not say whose day 46329 is (1900 or 1904)
        raise InvalidInput(f"{name} row {number}: issued_on {text!r} is an Excel day number; "
                           "format the column as a date, or send the workbook (.xlsx)",
                           message_zh=f"{name} 第 {number} 行：签发日期“{text}”是 Excel 的日期序号，"
                                      "请把这一列设为日期格式，或直接上传 .xlsx 文件")
    raise InvalidInput(f"{name} row {number}: issued_on {text!r} is not a date written "
                       "year first (2026-11-03, 2026/11/3 or 2026年11月3日); an Excel day "
                       "number or 11/03/2026 could be read two ways",
                       message_zh=f"{name} 第 {number} 行：签发日期“{text}”请写成 2026-11-03、"
                                  "2026/11/3 或 2026年11月3日")


def records_from_csv(text: str, agency: Agency, name: str,
                     given: dict | None = None) -> list[dict]:
    """The reports in the file, in the order they first appear; ``InvalidInput``
    naming the file, row and field of the first problem. ``given``: report fields
    the form already holds (the batch chosen, the number typed), for a sheet of the
    tested items alone; the sheet says otherwise, in a column or in label and value
    pairs above its table."""
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Excel's 'Unicode text' separates with tabs; a sheet's CSV with commas.
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if first.count("\t") >
                           first.count(",") else ","))
    block = _block_fields(rows)
    top = _headings_row(rows, name, given, block)
    headings = [_heading(cell) for cell in rows[top]]
    _refuse_unknown(rows[top], headings, name)
    maxima = any(cell.strip().lstrip("\ufeff").strip() in MAXIMUM_HEADINGS for cell in rows[top])
    records: dict[tuple[str, str], dict] = {}
    for number, cells in enumerate(rows[top + 1:], top + 2):  # as the sheet numbers rows
        if not any(cell.strip() for cell in cells):
            continue  # an empty row, or one of only commas, as spreadsheets leave
        values = {key: value for key, value in (given or {}).items() if value}
        values.update(block)  # the sheet says otherwise than the form: the sheet's
        values.update({key: value.strip() for key, value in zip(headings, cells)
                       if key and value.strip()})
        values["version"] = values.get("version") or "1"
        for column in ITEM_REQUIRED if given is not None else REQUIRED:
            if not values.get(column):
                raise InvalidInput(f"{name} row {number}: {column} is empty",
                                   message_zh=f"{name} 第 {number} 行：{NAMES_ZH[column]}为空")
        if values.get("issued_on"):
            values["issued_on"] = sheet_date(values["issued_on"], name, number)
        key = (values.get("report_no", ""), values["version"])
        header = _header(values, agency)
        record = records.setdefault(key, dict(header, items=[]))
        if header != {k: v for k, v in record.items() if k != "items"}:
            raise InvalidInput(f"{name} row {number}: report {key[0]} has a different header "
                               "(type, batch, date or conclusion) than its first row",
                               message_zh=f"{name} 第 {number} 行：同一报告的表头与第一行不一致")
        record["items"].append(_item(values, maxima))
    if not records:
        raise InvalidInput(f"{name}: no rows", message_zh=f"{name}：没有数据行")
    return list(records.values())


def _refuse_unknown(cells: list[str], headings: list[str], name: str) -> None:
    """A column read as nothing would be signed as missing: a 限量值 dropped left a
    6.2 mg/kg lead result signed 合格 with no limit to judge it by."""
    named = [(cell.strip(), heading) for cell, heading in zip(cells, headings) if cell.strip()]
    twice = [heading for heading in dict.fromkeys(h for _c, h in named)
             if sum(1 for _c, h in named if h == heading) > 1]
    if twice:  # limit and 限量值 both: one would be signed, the other dropped unseen
        columns = "、".join(cell for cell, heading in named if heading in twice)
        raise InvalidInput(f"{name}: two columns say the same field ({', '.join(twice)}: "
                           f"{columns}); keep one",
                           message_zh=f"{name}：这几列是同一栏（{columns}），请只保留一列")
    unknown = [cell for cell, heading in named if heading not in KNOWN]
    if unknown:
        chinese = "、".join(dict.fromkeys(ALIASES))
        raise InvalidInput(f"{name}: unknown column(s) {', '.join(unknown)}; name each column "
                           f"as one of: {', '.join(KNOWN)} (or in Chinese: {chinese})",
                           message_zh=f"{name}：不认识的列：{'、'.join(unknown)}。"
                           "不需要签发的列（如备注）请删掉；要签发的请把列名改成下列之一："
                           f"{chinese}")


def _header(values: dict, agency: Agency) -> dict:
    return {"v": reports.VERSION,
            "agency": {"id": str(agency.id), "name": agency.name, "cma": agency.cma_no,
                       "cnas": agency.cnas_no or ""},
            "report_no": values.get("report_no", ""), "version": values["version"],
            "type": values.get("type", ""),
            "batch": {"gtin": values.get("gtin", ""), "lot": values.get("lot", "")},
            "issued_on": values.get("issued_on", ""), "conclusion": values.get("conclusion", ""),
            "pdf_sha256": values.get("pdf_sha256", ""),
            "supersedes": values.get("supersedes", ""),
            **({"reason": values["reason"]} if values.get("reason") else {})}


def _item(values: dict, maxima: bool) -> dict:
    item = {"name": values["item"], "result": values["result"], "verdict": values["verdict"]}
    item.update({key: values[key] for key in ("unit", "limit", "method") if values.get(key)})
    if maxima and "limit" in item:
        item["limit"] = as_maximum(item["limit"])
    return as_typed(item)
