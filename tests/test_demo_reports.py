"""Demo lab reports: signed by two agencies, one corrected, one withdrawn, the tea failing
a residue."""

import pypdfium2

from trace import agencies, demo, demo_reports
from trace.inspections import store


def test_demo_reports_are_signed_stored_once_and_the_tea_fails(app, db, issuer):
    demo.seed_demo(db, issuer, "s")
    orgs = demo.seed_organisations(db, app.config["KEYS_DIR"])
    lab = agencies.get_agency(db, int(orgs["agency"]))
    assert demo_reports.seed_reports(db, demo.DEMO, lab, app.config["KEYS_DIR"]) == 7
    assert demo_reports.seed_reports(db, demo.DEMO, lab, app.config["KEYS_DIR"]) == 0
    served = {row[0]: store.served_reports(db, row[0]) for row in
              db.execute("SELECT DISTINCT batch_id FROM inspection_reports")}
    everything = [shown for batch in served.values() for shown in batch]
    assert len(everything) == 7 and all(shown["signature_ok"] for shown in everything)
    assert len({shown["report"]["agency"]["id"] for shown in everything}) == 2
    assert [s["current"] for s in everything if s["report"]["report_no"] ==
            "ZJPQ-2026-0815"] == [True, False]
    pearl = [s["report"] for s in everything if s["report"]["report_no"] == "ZJPQ-2026-0815"]
    current_pdf = db.execute("SELECT data FROM report_pdfs WHERE sha256 = ?",
                             [pearl[0]["pdf_sha256"]]).fetchone()[0]
    assert pearl[0]["pdf_sha256"] != pearl[1]["pdf_sha256"]  # the correction's own original
    assert pearl[0]["reason"] == "原报告漏填链长项目"
    text = "".join(page.get_textpage().get_text_range()
                   for page in pypdfium2.PdfDocument(current_pdf))
    assert "链长" in text and "2026-11-14" in text
    bedding = next(batch for batch in served.values()
                   if batch[0]["report"]["report_no"] == "ZJFZ-2026-B1101")
    assert [s["report"]["report_no"] for s in store.standing(bedding)] == ["ZJFZ-2026-B1103"]
    tea = next(s for s in everything if s["report"]["report_no"] == "ZJSP-2026-J0417")
    assert tea["report"]["type"] == "监督抽检"
    assert [item["name"] for item in tea["report"]["items"] if item["verdict"] == "不合格"] \
        == ["联苯菊酯"]


def test_demo_pdfs_are_the_same_bytes_each_time_with_the_font_embedded():
    record = {"report_no": "X-1", "agency": {"name": "演示检测所", "cma": "231012340099"},
              "type": "委托检验", "issued_on": "2026-11-12",
              "batch": {"gtin": "09521234000013", "lot": "ZJ-2611-A"}, "conclusion": "合格",
              "items": [{"name": "铅", "result": "0.02", "verdict": "合格"}]}
    pdf = demo_reports._demo_pdf(record)
    assert pdf == demo_reports._demo_pdf(record) and b"FontFile2" in pdf


def test_demo_room_keeps_two_selection_records(app, db, issuer):
    demo.seed_demo(db, issuer, "s")
    orgs = demo.seed_organisations(db, app.config["KEYS_DIR"])
    demo_reports.seed_reports(db, demo.DEMO, agencies.get_agency(db, int(orgs["agency"])),
                              app.config["KEYS_DIR"])
    assert demo.seed_selections(db, "https://trace.example.cn") == 2
    assert demo.seed_selections(db, "https://trace.example.cn") == 0
    rows = db.execute("SELECT decision, passed FROM selections ORDER BY id").fetchall()
    assert rows == [("选用", 1), ("不选用", 0)]
