"""Downloads: the codes CSV as Excel opens it, and label parts of at most 5,000."""

from __future__ import annotations

import csv
import io

import pypdfium2
import pytest

from trace import downloads, stocks
from trace.errors import NotFound
from trace.issuing import issue_codes

from conftest import BASE_URL, GTIN, LOT


def test_the_csv_has_a_bom_crlf_and_every_code(db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 2_500, workers=1)
    text = "".join(downloads.codes_csv(db, GTIN, LOT, BASE_URL, None))
    assert text.startswith("\ufeffseq,gtin,lot,serial") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [int(r["seq"]) for r in rows] == list(range(1, 2_501))


def test_an_unknown_batch_fails_before_any_output(db, make_batch):
    make_batch()
    with pytest.raises(NotFound, match="no batch NOPE"):
        downloads.codes_csv(db, GTIN, "NOPE", BASE_URL, None)


def test_a_label_part_holds_its_positions_only(app, db, issuer, make_batch):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 30, workers=1)
    stock = stocks.load_stock("a4-3x8", app.config["LABELS_DIR"])
    pdf = downloads.label_part_pdf(db, GTIN, LOT, stock, 1, base_url=BASE_URL,
                                   domain="trace.example.cn")
    assert len(pypdfium2.PdfDocument(pdf)) == 2  # 30 labels, 24 a sheet
    with pytest.raises(NotFound, match="1 label part"):
        downloads.label_part_pdf(db, GTIN, LOT, stock, 2, base_url=BASE_URL,
                                 domain="trace.example.cn")
