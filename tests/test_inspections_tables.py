"""Lab sheets read as their staff typed them: workbooks and CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from trace.errors import InvalidInput
from trace.inspections import tables

HEAD = ["报告编号", "检验类别", "商品条码", "批次号", "签发日期", "检验结论", "检测项目", "检测结果",
        "判定"]


def workbook(issued_on, *, mac: bool = False) -> bytes:
    book = openpyxl.Workbook()
    if mac:
        book.epoch = CALENDAR_MAC_1904  # an old Mac Excel's date system
    book.active.append(["浙江省食品检验院 检测结果汇总"])  # a title row above the headings
    book.active.append(HEAD)
    book.active.append(["ZJSP-1", "委托检验", "09521234000013", "ZJ-2611-A", issued_on,
                        "所检项目合格", "铅", "0.02", "合格"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def issued_on(data: bytes) -> str:
    rows = list(csv.reader(io.StringIO(tables.sheet_text(data, "结果.xlsx"))))
    return rows[2][4]


@pytest.mark.parametrize("value, mac", [
    (datetime(2026, 11, 3), False),   # a date cell
    (46329, False),                   # typed into a General cell: the day number
    (46329 - 1462, True),             # the same day in the 1904 system
])
def test_a_workbooks_issue_date_is_read_whatever_the_cell_keeps(value, mac):
    assert issued_on(workbook(value, mac=mac)) == "2026-11-03"


def test_a_stray_number_in_the_date_column_is_left_for_the_check_to_refuse():
    assert issued_on(workbook(12)) == "12"
    with pytest.raises(InvalidInput) as refused:
        tables.sheet_date("12", "结果.xlsx", 3)
    assert "日期序号" in refused.value.message_zh


def test_a_day_number_in_a_csv_is_refused_with_what_to_do():
    with pytest.raises(InvalidInput) as refused:
        tables.sheet_date("46329", "结果.csv", 2)
    assert "请把这一列设为日期格式，或直接上传 .xlsx" in refused.value.message_zh
    assert tables.sheet_date("2026年11月3日", "结果.csv", 2) == "2026-11-03"


def test_a_sheet_of_items_alone_takes_the_report_from_the_form_and_its_row_numbers_are_read():
    """A lab's export (序号, 检验项目, 单位, 标准要求, 检验结果, 单项判定) was refused twice:
    序号 unknown, then every report field missing from every row."""
    from trace import agencies
    lab = agencies.Agency(1, "浙江省食品检验院", "231012345678", None, None, "", "")
    text = "序号,检验项目,单位,标准要求,检验结果,单项判定\n1,联苯菊酯,mg/kg,≤5,0.08,合格\n"
    given = {"report_no": "ZJSP-0417", "type": "委托检验", "gtin": "09521234000020",
             "lot": "SF-2604-T", "issued_on": "2026-04-20", "conclusion": "所检项目符合要求"}
    [record] = tables.records_from_csv(text, lab, "导出.csv", given)
    assert record["report_no"] == "ZJSP-0417" and record["batch"]["lot"] == "SF-2604-T"
    assert record["items"] == [{"name": "联苯菊酯", "result": "0.08", "verdict": "合格",
                                "unit": "mg/kg", "limit": "≤5", "qualifier": "=",
                                "value": "0.08"}]
    # The form left empty: what the sheet holds fills it, the rest is the form's to say.
    [bare] = tables.records_from_csv(text, lab, "导出.csv", {})
    assert (bare["report_no"], bare["issued_on"], bare["items"][0]["name"]) == ("", "", "联苯菊酯")
    with pytest.raises(InvalidInput) as refused:  # imported on its own: there is no form
        tables.records_from_csv(text, lab, "导出.csv")
    assert "缺少列“报告编号”（" in refused.value.message_zh and "表单" not in \
        refused.value.message_zh and "form" not in refused.value.message
    partly = dict(given, issued_on="")
    with pytest.raises(InvalidInput) as refused:  # imported alone: every column is needed
        tables.records_from_csv(text.replace("检验项目", "项目名"), lab, "导出.csv", partly)
    assert "项目名" in refused.value.message_zh


def test_report_fields_above_the_table_are_read_as_the_sheet_heads_them():
    """A lab's sheet heads a report with 报告编号 | ZJPQ-0920 above the items: it was
    refused as lacking those columns."""
    from trace import agencies
    lab = agencies.Agency(1, "浙江省珍珠检测中心", "231012341234", None, None, "", "")
    text = ("浙江省珍珠检测中心 检测结果,,,\n"
            "报告编号：,ZJPQ-2026-0920,签发日期,2026/11/27\n"
            "检验类别,委托检验,检验结论,所检项目符合要求\n"
            ",,,\n"
            "检测项目,检测结果,单位,判定\n"
            "珠层厚度,0.42,mm,合格\n")
    given = {"gtin": "09521234000013", "lot": "ZJ-2611-A", "report_no": "TYPED-1"}
    [record] = tables.records_from_csv(text, lab, "结果.csv", given)
    assert (record["report_no"], record["issued_on"], record["type"], record["conclusion"]) \
        == ("ZJPQ-2026-0920", "2026-11-27", "委托检验", "所检项目符合要求")  # the sheet's own
    assert record["batch"] == {"gtin": "09521234000013", "lot": "ZJ-2611-A"}
    assert [item["name"] for item in record["items"]] == ["珠层厚度"]


def test_a_sheet_under_a_title_is_told_what_its_own_table_lacks():
    """A lab's sheet with its title and report number above the table was told it
    lacked 检测项目, 检测结果 and 判定, which its fourth row heads. With the form
    beside it, the sheet fills what it holds and the form says the rest."""
    from trace import agencies
    lab = agencies.Agency(1, "浙江省纺织品检验院", "231012345678", None, None, "", "")
    text = ("浙江省纺织品检验研究院 检验报告 附表,,,,,,\n报告编号,ZJFZ-2026-S1121,,,,,\n,,,,,,\n"
            "序号,检测项目,单位,技术要求,检测结果,单项判定,检测方法\n"
            "1,甲醛含量,mg/kg,≤75,20,合格,GB/T 2912.1-2009\n")
    with pytest.raises(InvalidInput) as refused:  # imported alone, on the command line
        tables.records_from_csv(text, lab, "附表.csv")
    said = refused.value.message_zh
    assert "第 4 行是：序号、检测项目、单位、技术要求、检测结果、单项判定、检测方法" in said
    assert said.endswith("表格里还缺的列：检验类别、商品条码、批次号、签发日期、检验结论）")
    assert "row 4 has" in refused.value.message
    chosen = {"gtin": "06941234560011", "lot": "SJT-2611"}  # the batch chosen in the form
    [record] = tables.records_from_csv(text, lab, "附表.csv", chosen)
    assert record["report_no"] == "ZJFZ-2026-S1121" and record["items"][0]["name"] == "甲醛含量"
    assert (record["type"], record["issued_on"], record["conclusion"]) == ("", "", "")


def test_a_report_number_in_one_cell_above_the_table_is_read():
    from trace import agencies
    lab = agencies.Agency(1, "浙江省食品检验院", "231012345678", None, None, "", "")
    text = ("报告编号：ZJSP-2026-H1205\n签发日期: 2026-11-20\n"
            "检测项目,检测结果,判定\n多菌灵,0.12,合格\n")
    [record] = tables.records_from_csv(text, lab, "附表.csv", {})
    assert (record["report_no"], record["issued_on"]) == ("ZJSP-2026-H1205", "2026-11-20")


@pytest.mark.parametrize("heading, limit, signed", [
    ("限量值", "0.02", "≤0.02"), ("最大残留限量", "0.02 mg/kg", "≤0.02 mg/kg"),
    ("限量值", "≥36", "≥36"), ("限量", "不得检出", "不得检出"),
    ("标准要求", "0.02", "0.02"),  # says neither: left for the check to ask which
])
def test_a_limit_under_a_maximums_heading_is_signed_as_a_maximum(heading, limit, signed):
    """A 胡柚 sheet's 克百威 0.05 under 限量值 0.02 was signed 合格: the figure alone was
    read as no bound at all."""
    from trace import agencies
    from trace.inspections.report import check_record
    lab = agencies.Agency(1, "浙江省食品检验院", "231012345678", None, None, "", "")
    text = f"序号,检验项目,单位,{heading},检验结果,单项判定\n1,克百威,mg/kg,{limit},0.05,合格\n"
    given = {"report_no": "ZJSP-0417", "type": "委托检验", "gtin": "09521234000020",
             "lot": "SF-2604-T", "issued_on": "2026-04-20", "conclusion": "所检项目符合要求"}
    [record] = tables.records_from_csv(text, lab, "导出.csv", given)
    assert record["items"][0]["limit"] == signed
    if signed.startswith("≤0.02"):
        with pytest.raises(InvalidInput) as refused:  # and the check holds the result to it
            check_record(dict(record, pdf_sha256="0" * 64))
        assert "不在标准要求" in refused.value.message_zh
