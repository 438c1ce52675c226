"""Where labels come from: positions, recalled batches, PIN counts."""

from __future__ import annotations

import pytest

from trace import label_sources
from trace.errors import InvalidInput
from trace.issuing import issue_codes

from conftest import GTIN, LOT

LOCAL = "http://127.0.0.1:5000"


@pytest.mark.parametrize("text, expected", [
    ("1-500", (1, 500)), ("7", (7, 7)), (" 2 - 3 ", (2, 3)),
])
def test_parse_range(text, expected):
    assert label_sources.parse_range(text) == expected


@pytest.mark.parametrize("text", ["", "a-b", "0-5", "5-2", "1-2-3"])
def test_parse_range_rejects(text):
    with pytest.raises(InvalidInput, match="serials"):
        label_sources.parse_range(text)


def test_a_batch_source_counts_its_codes_and_their_pins(db, issuer, make_batch, app):
    make_batch()
    issue_codes(db, issuer, GTIN, LOT, 3, pin_secret="s")
    issue_codes(db, issuer, GTIN, LOT, 2)
    source = label_sources.BatchSource(db, GTIN, LOT, LOCAL, pin_secret="s")
    assert (source.count, source.with_pins) == (5, 3)
    items = source.slice(0, 5)
    assert [bool(item.pin) for item in items] == [True] * 3 + [False] * 2
    assert label_sources.BatchSource(db, GTIN, LOT, LOCAL, (4, 5)).with_pins == 0
