"""The inspection commands: commission, offline signing on the lab's machine,
import (all or nothing, errors naming file and field) and verify."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trace import agencies, keys

from conftest import GTIN, LOT
from test_inspections_store import PDF, pearl_report


def lab_with_own_key(run_cli, db, tmp_path):
    """An agency that keeps its private key itself: only the public half is registered
    (with 'agency key add')."""
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234")
    agencies.approve_agency(db, agency.id, str(tmp_path / "server-keys"))  # a server key too
    private = Ed25519PrivateKey.generate()
    pem = tmp_path / "lab.pem"
    pem.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public = tmp_path / "lab-public.pem"
    public.write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    added = run_cli("agency", "key", "add", "--agency", agency.cma_no, "--public-key",
                    str(public))
    assert added.exit_code == 0, added.output
    kid = keys.kid_of(private)
    assert f"Registered key {kid} (agency:{agency.id})" in added.output
    assert "Retired the platform-held key" in added.output
    assert [k.kid for k in keys.list_keys(db)
            if k.role == f"agency:{agency.id}" and k.status == "active"] == [kid]
    refused = run_cli("agency", "key", "add", "--agency", str(agency.id), "--public-key",
                      str(pem))  # the private key by mistake
    assert refused.exit_code == 1 and "not a PEM public key" in refused.output
    return agencies.get_agency(db, agency.id), pem, kid


def test_sign_offline_then_import_against_the_registered_key(run_cli, db, make_batch,
                                                             tmp_path):
    make_batch()
    agency, pem, kid = lab_with_own_key(run_cli, db, tmp_path)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(pearl_report(agency), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "signed.json"
    signed = run_cli("inspection", "sign", str(report), "--key", str(pem), "--agency",
                     str(agency.id), "--out", str(out))
    assert signed.exit_code == 0 and f"with key {kid}" in signed.output
    (tmp_path / "r.pdf").write_bytes(PDF)
    refused = run_cli("inspection", "import", str(out), "--agency", str(agency.id),
                      "--pdf", str(tmp_path / "r.pdf"))
    assert refused.exit_code == 1 and "commissioned" in refused.output
    assert run_cli("batch", "commission", "--gtin", GTIN, "--lot", LOT, "--agency",
                   str(agency.id)).exit_code == 0
    stored = run_cli("inspection", "import", str(out), "--agency", str(agency.id),
                     "--pdf", str(tmp_path / "r.pdf"))
    assert stored.exit_code == 0 and "Stored report ZJPQ-2026-0815 version 1" in stored.output
    verified = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert verified.exit_code == 0 and "current  ok" in verified.output


def test_a_list_is_imported_all_or_nothing_and_errors_name_file_and_field(
        run_cli, app, db, make_batch, tmp_path):
    make_batch()
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234",
                                    keys_dir=app.config["KEYS_DIR"])
    run_cli("batch", "commission", "--gtin", GTIN, "--lot", LOT, "--agency", str(agency.id))
    good = pearl_report(agency, pdf_sha256="")
    bad = pearl_report(agency, report_no="ZJPQ-2", pdf_sha256="")
    del bad["items"][1]["verdict"]
    path = tmp_path / "many.json"
    path.write_text(json.dumps([good, bad], ensure_ascii=False), encoding="utf-8")
    result = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
    assert result.exit_code == 1
    assert f"{path}[1]: report field items[1].verdict: is missing" in result.output
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    path.write_text("[{", encoding="utf-8")
    broken = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
    assert broken.exit_code == 1 and "not valid JSON (line 1" in broken.output
    path.write_bytes(b"%PDF-1.7\n\x93\xff\xfe binary")  # the PDF picked by mistake
    pdf = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
    assert pdf.exit_code == 1 and "not JSON text (is it the PDF?" in pdf.output
    assert "Traceback" not in pdf.output
    for encoding in ("utf-16", "utf-8-sig"):  # as Windows Notepad saves it
        report = pearl_report(agency, report_no=f"ZJPQ-{encoding}", pdf_sha256="")
        path.write_text(json.dumps([report], ensure_ascii=False), encoding=encoding)
        assert run_cli("inspection", "import", str(path), "--agency",
                       str(agency.id)).exit_code == 0
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 2


def test_verify_names_a_tampered_report_and_exits_1(run_cli, app, db, make_batch, tmp_path):
    make_batch()
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234",
                                    keys_dir=app.config["KEYS_DIR"])
    run_cli("batch", "commission", "--gtin", GTIN, "--lot", LOT, "--agency", str(agency.id))
    path = tmp_path / "r.json"
    path.write_text(json.dumps(pearl_report(agency, pdf_sha256=""), ensure_ascii=False),
                    encoding="utf-8")
    assert run_cli("inspection", "import", str(path), "--agency", str(agency.id)).exit_code == 0
    db.execute("DROP TRIGGER inspection_reports_no_update")
    db.execute("UPDATE inspection_reports SET record = replace(record, '0.42', '0.62')")
    result = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert result.exit_code == 1 and "ZJPQ-2026-0815 v1" in result.output
    assert "SIGNATURE FAILS" in result.output
    assert "(claims to be 浙江省珍珠检测中心, unproven)" in result.output


CSV_HEAD = "report_no,version,supersedes,type,gtin,lot,issued_on,conclusion,item,result,unit," \
           "limit,method,verdict\n"


def csv_row(report_no="ZJSP-1", item="联苯菊酯", result="0.08", verdict="合格",
            conclusion="所检项目合格") -> str:
    return (f"{report_no},1,,委托检验,{GTIN},{LOT},2026-11-20,{conclusion},{item},{result},"
            f"mg/kg,≤5,GB 23200.113,{verdict}\n")


def commissioned_lab(run_cli, app, db, make_batch):
    make_batch()
    agency, _ = agencies.add_agency(db, "浙江省食品检验院", "231012340188",
                                    keys_dir=app.config["KEYS_DIR"])
    run_cli("batch", "commission", "--gtin", GTIN, "--lot", LOT, "--agency", str(agency.id))
    return agency


def test_a_csv_of_many_reports_is_imported_a_row_per_item(run_cli, app, db, make_batch,
                                                          tmp_path):
    agency = commissioned_lab(run_cli, app, db, make_batch)
    path = tmp_path / "results.csv"
    path.write_text("\ufeff" + CSV_HEAD + csv_row() + csv_row(item="吡虫啉", result="<0.01")
                    + csv_row("ZJSP-2", item="铅", result="0.6"), encoding="utf-8")
    result = run_cli("inspection", "import", str(path), "--agency", agency.cma_no)
    assert result.exit_code == 0, result.output
    rows = db.execute("SELECT report_no, record FROM inspection_reports ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["ZJSP-1", "ZJSP-2"]
    assert [i["result"] for i in json.loads(rows[0][1])["items"]] == ["0.08", "<0.01"]


def test_bad_csv_rows_are_named_and_nothing_is_stored(run_cli, app, db, make_batch, tmp_path):
    agency = commissioned_lab(run_cli, app, db, make_batch)
    path = tmp_path / "results.csv"
    cases = [(CSV_HEAD + csv_row() + csv_row(verdict=""), "row 3: verdict is empty"),
             (CSV_HEAD + csv_row() + csv_row(conclusion="不同"), "row 3: report ZJSP-1 has a "
              "different header"),
             ("report_no,item\nX,Y\n", "no column 'type'"),
             (CSV_HEAD + csv_row().replace("2026-11-20", "20/11/2026"), "written year first"),
             (CSV_HEAD + csv_row().replace("2026-11-20", "46346"), "Excel day number"),
             (CSV_HEAD + csv_row() + csv_row("ZJSP-2", item="铅", result="0.6", verdict="不合格",
                                             conclusion="所检项目合格"), "results.csv[1]"),
             # a column read as nothing would sign its values away: 6.2 mg/kg lead 合格
             (CSV_HEAD.replace("limit", "限量标准") + csv_row(), "unknown column(s) 限量标准"),
             (CSV_HEAD.replace("\n", ",限量值\n") + csv_row().replace("\n", ",≤0.5\n"),
              "two columns say the same field (limit")]
    for text, message in cases:
        path.write_text(text, encoding="utf-8")
        result = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
        assert result.exit_code == 1 and message in result.output, (message, result.output)
        assert "Stored report" not in result.output  # nothing stored, nothing said stored
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


CHINESE_HEAD = "报告编号,版本,所替代的版本,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,检测结果," \
               "单位,标准要求,检测方法,判定\n"


@pytest.mark.parametrize("encoding, text", [
    ("gb18030", CSV_HEAD + csv_row()),                       # WPS / Excel 'CSV (逗号分隔)'
    ("utf-16", CSV_HEAD + csv_row()),                        # UTF-16 with its BOM
    ("utf-16", (CSV_HEAD + csv_row()).replace(",", "\t")),   # Excel's 'Unicode text'
    ("utf-8", (CSV_HEAD + csv_row() + ",,,,,,,,,,,,,\n,,,,\n").replace("\n", "\r\n")),
    ("utf-8", "浙江省食品检验院 检测结果汇总,,,\n\n" + CSV_HEAD + csv_row()),  # a title row
    ("utf-8", CHINESE_HEAD + csv_row().replace("2026-11-20", "2026/11/20")),
    ("gb18030", CHINESE_HEAD + csv_row().replace("2026-11-20", "2026年11月20日")),
    ("gb18030", CHINESE_HEAD.replace("标准要求", "限量值").replace("单位", "计量单位")
     + csv_row()),                                           # another lab's words
])
def test_a_csv_as_excel_or_wps_saves_it_is_read(run_cli, app, db, make_batch, tmp_path,
                                                encoding, text):
    agency = commissioned_lab(run_cli, app, db, make_batch)
    path = tmp_path / ("results.txt" if "\t" in text else "results.csv")  # as Excel names it
    path.write_bytes(text.encode(encoding))
    result = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
    assert result.exit_code == 0 and "Stored report ZJSP-1 version 1" in result.output, \
        result.output
    record = json.loads(db.execute("SELECT record FROM inspection_reports").fetchone()[0])
    assert record["issued_on"] == "2026-11-20" and record["items"][0]["name"] == "联苯菊酯"
    assert (record["items"][0]["limit"], record["items"][0]["unit"]) == ("≤5", "mg/kg")


def test_a_csv_report_takes_its_pdf(run_cli, app, db, make_batch, tmp_path):
    agency = commissioned_lab(run_cli, app, db, make_batch)
    path = tmp_path / "one.csv"
    path.write_text(CSV_HEAD + csv_row(), encoding="utf-8")
    (tmp_path / "r.pdf").write_bytes(PDF)
    result = run_cli("inspection", "import", str(path), "--agency", str(agency.id),
                     "--pdf", str(tmp_path / "r.pdf"))
    assert result.exit_code == 0, result.output
    assert db.execute("SELECT count(*) FROM report_pdfs").fetchone()[0] == 1


def test_a_csv_correction_without_a_pdf_keeps_its_reports_pdf(run_cli, app, db, make_batch,
                                                              tmp_path):
    """As the agency's web form does: 'leave it empty to keep the earlier PDF'."""
    agency = commissioned_lab(run_cli, app, db, make_batch)
    (tmp_path / "r.pdf").write_bytes(PDF)
    first, correction = tmp_path / "one.csv", tmp_path / "two.csv"
    first.write_text(CSV_HEAD + csv_row(), encoding="utf-8")
    correction.write_text(CSV_HEAD + csv_row(result="0.09").replace(",1,,", ",2,1,"),
                          encoding="utf-8")
    assert run_cli("inspection", "import", str(first), "--agency", str(agency.id),
                   "--pdf", str(tmp_path / "r.pdf")).exit_code == 0
    result = run_cli("inspection", "import", str(correction), "--agency", str(agency.id))
    assert result.exit_code == 0, result.output
    hashes = [row[0] for row in db.execute(
        "SELECT pdf_sha256 FROM inspection_reports ORDER BY id")]
    assert hashes == [hashlib.sha256(PDF).hexdigest()] * 2
    verified = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert verified.exit_code == 0 and "v2" in verified.output


def test_revoking_a_labs_key_names_the_reports_it_costs(app, run_cli, db, issued_urls):
    from datetime import datetime
    from test_web_public import _stored_report
    _stored_report(app, db)
    kid, stored_at = db.execute("SELECT kid, created_at FROM inspection_reports").fetchone()
    born = datetime.fromisoformat(keys.get_key(db, kid).not_before)
    when = (born + (datetime.fromisoformat(stored_at) - born) / 2).isoformat()
    result = run_cli("keys", "revoke", kid, "--at", when)
    assert result.exit_code == 0
    assert "1 lab report(s) stored from then on now fail their signature check" in result.output
    verified = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert verified.exit_code == 1 and "KEY NOT VALID WHEN STORED" in verified.output


def test_a_file_of_many_reports_takes_each_pdf_from_a_folder(run_cli, app, db, make_batch,
                                                             tmp_path):
    agency = commissioned_lab(run_cli, app, db, make_batch)
    path = tmp_path / "two.csv"
    path.write_text(CSV_HEAD + csv_row("ZJSP-1") + csv_row("ZJSP-2"), encoding="utf-8")
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "zjsp-1.pdf").write_bytes(PDF)  # named as a lab's system saves it
    refused = run_cli("inspection", "import", str(path), "--agency", str(agency.id),
                      "--pdf", str(folder / "zjsp-1.pdf"))
    assert refused.exit_code == 1 and "--pdf-dir" in refused.output
    forgot = run_cli("inspection", "import", str(path), "--agency", str(agency.id),
                     "--pdf-dir", str(folder))
    assert forgot.exit_code == 1 and "no PDF for report ZJSP-2" in forgot.output
    assert "name it ZJSP-2.pdf" in forgot.output and "nothing was stored" in forgot.output
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    (folder / "ZJSP 2.PDF").write_bytes(PDF.replace(b"%PDF-1.4", b"%PDF-1.4 "))
    result = run_cli("inspection", "import", str(path), "--agency", str(agency.id),
                     "--pdf-dir", str(folder))
    assert result.exit_code == 0 and "Warning" not in result.output, result.output
    hashes = dict(db.execute("SELECT report_no, pdf_sha256 FROM inspection_reports"))
    assert hashes["ZJSP-1"] == hashlib.sha256(PDF).hexdigest() != hashes["ZJSP-2"]
    assert db.execute("SELECT count(*) FROM report_pdfs").fetchone()[0] == 2
    one = tmp_path / "three.csv"
    one.write_text(CSV_HEAD + csv_row("ZJSP-3"), encoding="utf-8")
    warned = run_cli("inspection", "import", str(one), "--agency", str(agency.id))
    assert warned.exit_code == 0 and "Warning: no PDF for ZJSP-3." in warned.output


def test_an_excel_workbook_is_imported_as_its_sheet_reads(run_cli, app, db, make_batch,
                                                          tmp_path):
    from datetime import datetime
    import openpyxl
    agency = commissioned_lab(run_cli, app, db, make_batch)
    book = openpyxl.Workbook()
    book.active.append(CSV_HEAD.strip().split(","))
    book.active.append(["ZJSP-X", 1, None, "委托检验", int(GTIN), LOT, datetime(2026, 11, 20),
                        "所检项目合格", "联苯菊酯", 0.6, "mg/kg", "≤5", "GB 23200.113", "合格"])
    book.active["J2"].number_format = "0.00"  # shown, and printed on the report, as 0.60
    path = tmp_path / "results.xlsx"
    book.save(path)
    result = run_cli("inspection", "import", str(path), "--agency", str(agency.id))
    assert result.exit_code == 0 and "Stored report ZJSP-X version 1" in result.output, \
        result.output
    record = json.loads(db.execute("SELECT record FROM inspection_reports").fetchone()[0])
    assert (record["issued_on"], record["version"]) == ("2026-11-20", "1")
    assert (record["batch"]["gtin"], record["items"][0]["result"]) == (GTIN, "0.60")


def test_a_correction_with_its_reason_then_a_withdrawal_from_the_command_line(
        run_cli, app, db, make_batch, tmp_path):
    agency = commissioned_lab(run_cli, app, db, make_batch)
    first = tmp_path / "first.csv"
    first.write_text(CSV_HEAD + csv_row(), encoding="utf-8")
    assert run_cli("inspection", "import", str(first), "--agency", str(agency.id)).exit_code == 0
    corrected = tmp_path / "corrected.csv"  # as a lab sheet heads it, 更正原因 included
    corrected.write_text("报告编号,版本,所替代的版本,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,"
                         "检测结果,单位,标准要求,检测方法,判定,更正原因\n"
                         f"ZJSP-1,2,1,委托检验,{GTIN},{LOT},2026-11-21,所检项目合格,联苯菊酯,0.06,"
                         "mg/kg,≤5,GB 23200.113,合格,结果录入有误\n", encoding="utf-8")
    result = run_cli("inspection", "import", str(corrected), "--agency", str(agency.id))
    assert result.exit_code == 0, result.output
    refused = run_cli("inspection", "withdraw", "--agency", str(agency.id), "--report-no",
                      "ZJSP-9", "--reason", "x")
    assert refused.exit_code != 0 and "no report ZJSP-9" in refused.output
    done = run_cli("inspection", "withdraw", "--agency", str(agency.id), "--report-no",
                   "ZJSP-1", "--reason", "样品并非取自本批次", "--by", "cli:qm")
    assert done.exit_code == 0 and "version 3" in done.output and "supersedes version 2" in \
        done.output, done.output
    records = [json.loads(row[0]) for row in
               db.execute("SELECT record FROM inspection_reports ORDER BY id")]
    assert [r.get("reason") for r in records] == [None, "结果录入有误", "样品并非取自本批次"]
    user = os.environ.get("USER", "agency")
    assert [row[0] for row in db.execute("SELECT uploaded_by FROM inspection_reports "
                                         "ORDER BY id")] == [f"cli:{user}"] * 2 + ["cli:qm"]
    verified = run_cli("inspection", "verify", "--gtin", GTIN, "--lot", LOT)
    assert verified.exit_code == 0
    assert [line.split("  ")[2] for line in verified.output.splitlines()] == \
        ["withdrawn", "superseded", "superseded"]


def test_a_commission_or_assignment_is_withdrawn_from_the_command_line(run_cli, app, db,
                                                                       make_batch):
    agency = commissioned_lab(run_cli, app, db, make_batch)
    assert run_cli("batch", "assign", "--gtin", GTIN, "--lot", LOT, "--agency",
                   str(agency.id)).exit_code == 0
    done = run_cli("batch", "withdraw", "--gtin", GTIN, "--lot", LOT, "--agency",
                   agency.cma_no, "--assignment")
    assert done.exit_code == 0 and "(assignment withdrawn)" in done.output
    assert db.execute("SELECT kind FROM commissions").fetchall() == [("commission",)]
    again = run_cli("batch", "withdraw", "--gtin", GTIN, "--lot", LOT, "--agency",
                    str(agency.id), "--assignment")
    assert again.exit_code == 1 and "has no assignment" in again.output
    assert run_cli("batch", "withdraw", "--gtin", GTIN, "--lot", LOT, "--agency",
                   str(agency.id)).exit_code == 0
    assert db.execute("SELECT count(*) FROM commissions").fetchone()[0] == 0
