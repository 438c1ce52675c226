"""Downloads: the codes CSV as Excel opens it, and label parts of at most 5,000."""

from __future__ import annotations

import csv
import io

import openpyxl
import pypdfium2
import pytest

from trace import downloads, stocks
from trace.errors import NotFound
from trace.issuing import issue_codes

from conftest import BASE_URL, GTIN, LOT


def test_the_csv_for_excel_has_a_bom_crlf_and_chinese_headings(db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 2_500, workers=1)
    text = "".join(downloads.codes_csv(db, GTIN, LOT, BASE_URL, None))
    assert text.startswith("\ufeff序号,商品条码,批次号,追溯码") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [int(r["序号"]) for r in rows] == list(range(1, 2_501))
    assert rows[0]["状态"] == "有效" and len(rows[0]["追溯码"]) == 14  # XXXX-XXXX-XXXX
    assert rows[0]["密钥编号（可公开）"] == issuer.kid  # an id anyone may see, not a secret
    machine = "".join(downloads.codes_csv(db, GTIN, LOT, BASE_URL, None, for_excel=False))
    assert machine.startswith("seq,gtin,lot,serial,kid,status,issued_at,url,pin\r\n")


def test_the_workbook_keeps_leading_zeros_as_text(app, db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 30, workers=1, pin_secret=app.config["HASH_SECRET"])
    book = openpyxl.load_workbook(io.BytesIO(downloads.codes_xlsx(
        db, GTIN, LOT, BASE_URL, app.config["HASH_SECRET"])))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "商品条码", "批次号", "追溯码") and len(rows) == 31
    assert all(row[1] == GTIN and isinstance(row[8], str) and len(row[8]) == 6
               for row in rows[1:])  # 09521234000013 and a PIN such as 012345 stay whole


def test_an_unknown_batch_fails_before_any_output(db, make_batch):
    make_batch()
    with pytest.raises(NotFound, match="no batch NOPE"):
        downloads.codes_csv(db, GTIN, "NOPE", BASE_URL, None)


def test_a_label_part_holds_its_positions_only(app, db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 30, workers=1)
    stock = stocks.load_stock("a4-3x8", app.config["LABELS_DIR"])
    pdf = downloads.label_part_file(db, GTIN, LOT, stock, 1, base_url=BASE_URL,
                                    domain="trace.example.cn")
    assert len(pypdfium2.PdfDocument(pdf)) == 2  # 30 labels, 24 a sheet
    with pytest.raises(NotFound, match="1 label part"):
        downloads.label_part_file(db, GTIN, LOT, stock, 2, base_url=BASE_URL,
                                  domain="trace.example.cn")


def test_only_a_top_up_issued_since_the_last_download_is_offered_as_new():
    """Part 1 of a big batch downloaded is not 'codes issued since': only a later top-up
    whose labels nobody downloaded is, and one too big for a file is left to the parts."""
    from trace.downloads import PART_SIZE, TopUp, new_since_download
    size = 2 * PART_SIZE
    first = TopUp(1, size, size, "2026-11-20T08:00:00+00:00", False, size)
    later = TopUp(2 * PART_SIZE + 1, 2 * PART_SIZE + 5, 5, "2026-11-21T08:00:00+00:00", False, 5)
    downloaded = "2026-11-20T09:00:00+00:00"
    assert new_since_download([first], [(1, PART_SIZE)], downloaded) == []
    assert new_since_download([first, later], [(1, PART_SIZE)], downloaded) == \
        [(2 * PART_SIZE + 1, 2 * PART_SIZE + 5)]
    assert new_since_download([first, later], [], None) == []  # nothing printed yet
    voided = TopUp(later.first, later.last, 5, later.issued_at, False, 0)
    assert new_since_download([first, voided], [(1, PART_SIZE)], downloaded) == []
