"""Demo lab reports: two invented agencies test the four demo batches with the rows
of reference/domain.md §3. The pearl report is corrected once; the tea's
supervision sample fails a pesticide residue, so its pages show the warning::

    seed_reports(db, "keys/")        # idempotent: once a report exists, nothing more
"""

from __future__ import annotations

import hashlib
import io
from datetime import date

import sqlite_utils
from reportlab.pdfgen import canvas

from . import agencies, textfit
from .errors import NotFound
from .inspections import report as reports_format
from .inspections import commissions, display, signing, store
from .inspections.results import with_reading

SECOND_AGENCY = dict(name="浙江省食品与纺织品检验研究院（演示）", cma="231012340188",
                     cnas="L9902", address="浙江省杭州市（演示地址）",
                     scope="食品、茶叶、水果、纺织品、家纺", phone="0571-86000188")


def _item(name: str, result: str, unit: str = "", limit: str = "", verdict: str = "合格",
          method: str = "") -> dict:
    row = {"name": name, "result": result, "verdict": verdict}
    row.update({key: value for key, value in
                (("unit", unit), ("limit", limit), ("method", method)) if value})
    return with_reading(row)


PEARL_ITEMS = [
    _item("鉴定结论", "淡水养殖珍珠", verdict="符合", method="GB/T 16553"),
    _item("处理情况", "未见染色、辐照", limit="处理须标注", verdict="符合", method="GB/T 16553"),
    _item("大小(范围)", "8.0–8.5", "mm", "标称 8–9", "符合", "GB/T 18781 §6.2"),
    _item("形状", "圆 A2", verdict="—", method="GB/T 18781 §6.3"),
    _item("光泽", "强 B", verdict="—", method="GB/T 18781 §6.4"),
    _item("光洁度", "微瑕 B", verdict="—", method="GB/T 18781 §6.5"),
    _item("珍珠等级", "珠宝级", verdict="—", method="GB/T 18781 §5"),
]
TEA_ITEMS = [
    _item("水分", "5.8", "%", "≤6.5", method="GB 5009.3"),
    _item("铅(以Pb计)", "0.62", "mg/kg", "≤5.0", method="GB 5009.12"),
    _item("联苯菊酯", "5.8", "mg/kg", "≤5", "不合格", "GB 23200.113"),
    _item("吡虫啉", "<0.01", "mg/kg", "≤0.5", method="GB/T 20769"),
    _item("草甘膦", "未检出", "mg/kg", "≤1", method="GB/T 23750"),
]
HUYOU_ITEMS = [
    _item("单果重", "328", "g", method="GB/T 12947"),
    _item("可溶性固形物", "11.2", "%", "≥10.0", method="NY/T 2637"),
    _item("克百威", "未检出", "mg/kg", "≤0.02", method="GB 23200.113"),
    _item("咪鲜胺", "0.42", "mg/kg", "≤5", method="GB 23200.113"),
    _item("铅(以Pb计)", "0.02", "mg/kg", "≤0.1", method="GB 5009.12"),
]
BEDDING_ITEMS = [
    _item("甲醛含量", "18", "mg/kg", "≤75", method="GB/T 2912.1"),
    _item("pH值", "6.3", "", "4.0–8.5", method="GB/T 7573"),
    _item("耐水色牢度（沾色）", "3-4", "级", "≥3", method="GB/T 5713"),
    _item("耐干摩擦色牢度", "4", "级", "≥3", method="GB/T 3920"),
    _item("异味", "无", "", "无", method="GB 18401 §6.7"),
    _item("可分解致癌芳香胺染料", "未检出", "mg/kg", "≤20", method="GB/T 17592"),
]


def _demo_pdf(record: dict) -> bytes:
    """A one-page stand-in for the lab's PDF, in Chinese with the label font embedded;
    reportlab's invariant mode gives the same bytes each time."""
    textfit.use_font()
    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=1, invariant=1, initialFontName=textfit.FONT)
    page.setTitle(f"检测报告 {record['report_no']}")
    lines = [(16, f"检 测 报 告（演示）  {record['report_no']}"),
             (10, f"{record['agency']['name']}  CMA {record['agency']['cma']}"),
             (10, f"检验类别：{record['type']}    签发日期：{record['issued_on']}"),
             (10, f"样品批次：{record['batch']['gtin']} / {record['batch']['lot']}"),
             (10, "")]
    lines += [(10, f"{item['name']}：{display.shown_result(item)}  要求 {display.shown_limit(item)}  "
                   f"{item['verdict']}") for item in record["items"]]
    lines += [(10, ""), (10, f"检验结论：{record['conclusion']}"), (10, ""),
              (9, "本报告为 Trace 演示数据，机构与数据均为虚构。")]
    y = 780
    for size, text in lines:
        page.setFont(textfit.FONT, size)
        page.drawString(60, y, text)
        y -= size + 10
    page.save()
    return out.getvalue()


def _record(agency: agencies.Agency, report_no: str, kind: str, demo: dict, items: list,
            conclusion: str, issued_on: str, with_pdf: bool) -> tuple[dict, bytes | None]:
    product, batch = demo["product"], demo["batch"]
    record = {"v": "trace-report-v1", "agency": {
        "id": str(agency.id), "name": agency.name, "cma": agency.cma_no,
        "cnas": agency.cnas_no or ""}, "report_no": report_no, "version": "1", "type": kind,
        "batch": {"gtin": product["gtin"], "lot": batch["lot"]}, "issued_on": issued_on,
        "conclusion": conclusion, "items": items, "pdf_sha256": "", "supersedes": ""}
    pdf = _demo_pdf(record) if with_pdf else None
    if pdf:
        record["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
    return record, pdf


def _store(db: sqlite_utils.Database, keys_dir: str, passphrase: str | None, record: dict,
           pdf: bytes | None) -> None:
    kid, sig = signing.sign_with_agency_key(db, keys_dir, int(record["agency"]["id"]), record,
                                            passphrase)
    store.store_report(db, record, kid, sig, pdf=pdf, by="cli:demo")


def seed_reports(db: sqlite_utils.Database, demo: list[dict], pearl_lab: agencies.Agency,
                 keys_dir: str, passphrase: str | None = None) -> int:
    """Sign and store the demo reports unless some exist; how many were stored."""
    if db.execute("SELECT 1 FROM inspection_reports LIMIT 1").fetchone():
        return 0
    try:
        lab = agencies.find_agency(db, SECOND_AGENCY["cma"])
    except NotFound:
        lab, _key = agencies.add_agency(db, **SECOND_AGENCY, keys_dir=keys_dir,
                                        passphrase=passphrase)
    pearl, tea, huyou, bedding = demo
    for entry, agency, kind in ((pearl, pearl_lab, "commission"), (huyou, lab, "commission"),
                                (bedding, lab, "commission"), (tea, lab, "assignment")):
        commissions.commission(db, entry["product"]["gtin"], entry["batch"]["lot"], agency.id,
                               actor="demo", kind=kind)
    reports = [
        _record(pearl_lab, "ZJPQ-2026-0815", "委托检验", pearl, PEARL_ITEMS,
                "淡水养殖珍珠，所检项目符合 GB/T 18781-2023 珠宝级要求", "2026-11-12", True),
        _record(lab, "ZJSP-2026-J0417", "监督抽检", tea, TEA_ITEMS,
                "经抽样检验，联苯菊酯项目不符合 GB 2763-2021 要求，判定不合格", "2026-04-20", True),
        _record(lab, "ZJSP-2026-H1108", "委托检验", huyou, HUYOU_ITEMS,
                "所检项目符合 GB 2763-2021 及 GB/T 12947 要求", "2026-11-08", False),
        _record(lab, "ZJFZ-2026-B1103", "委托检验", bedding, BEDDING_ITEMS,
                "所检项目符合 GB 18401-2010 B类要求", "2026-11-03", False),
    ]
    for record, pdf in reports:
        _store(db, keys_dir, passphrase, record, pdf)
    # The pearl lab corrects its report once: the strand length was left out. Its new
    # version comes with its own PDF, so the original a buyer downloads is this one.
    corrected = dict(reports[0][0], version="2", supersedes="1", issued_on="2026-11-14",
                     items=PEARL_ITEMS + [_item("链长", "45", "cm", "标称 45", "符合")],
                     reason="原报告漏填链长项目")
    pdf = _demo_pdf(corrected)
    _store(db, keys_dir, passphrase, dict(corrected, pdf_sha256=hashlib.sha256(pdf).hexdigest()),
           pdf)
    # The textile lab once signed a report for the bedding batch from another client's
    # sample, and withdrew it two days later: its page shows both.
    mistaken, pdf = _record(lab, "ZJFZ-2026-B1101", "委托检验", bedding, BEDDING_ITEMS,
                            "所检项目符合 GB 18401-2010 B类要求", "2026-11-03", True)
    _store(db, keys_dir, passphrase, mistaken, pdf)
    _store(db, keys_dir, passphrase, reports_format.withdrawal_of(
        mistaken, "样品登记错误：所检样品并非取自本批次。本批次以报告 ZJFZ-2026-B1103 为准",
        date(2026, 11, 5)), None)
    return len(reports) + 3
