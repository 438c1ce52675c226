"""GTIN check digits and strict GS1 Digital Link path parsing."""

import pytest

from trace.errors import InvalidCode
from trace.gs1 import (DigitalLink, gtin_check_digit, parse_path_and_query, percent_decode,
                       validate_gtin14)


@pytest.mark.parametrize("data, check", [
    ("0952123400001", 3), ("0690123456789", 2), ("0400638133393", 1), ("0000000000000", 0),
])
def test_check_digit(data, check):
    assert gtin_check_digit(data) == check


@pytest.mark.parametrize("gtin, message", [
    ("09521234000014", "wrong check digit"),
    ("9521234000013", "exactly 14 digits"),
    ("0952123400001A", "exactly 14 digits"),
    ("", "exactly 14 digits"),
])
def test_validate_gtin_rejects(gtin, message):
    with pytest.raises(InvalidCode, match=message):
        validate_gtin14(gtin)


def test_parse_full_path_and_query():
    link = parse_path_and_query("/01/09521234000013/22/V1/10/ZJ%2F1/21/S-1?k=K&s=x&17=261231")
    assert link == DigitalLink("09521234000013", lot="ZJ/1", serial="S-1", cpv="V1",
                               query={"k": "K", "s": "x", "17": "261231"})
    assert link.path == "/01/09521234000013/22/V1/10/ZJ%2F1/21/S-1"


@pytest.mark.parametrize("path, message", [
    ("/01/09521234000013/21/S/10/L", "order"),
    ("/01/09521234000013/10/L/10/L", "order"),
    ("/02/09521234000013/10/L", "start with AI 01"),
    ("/01/09521234000013/10/L/", "path is not of the form"),
    ("01/09521234000013/10/L", "path is not of the form"),
    ("/01/09521234000013/10/" + "A" * 21, "1-20 characters"),
    ("/01/09521234000013/10/A%", "malformed"),
    ("/01/09521234000013/10/A%G1", "malformed"),
    ("/01/09521234000013/10/A%7E", "GS1 does not allow"),
    ("/01/09521234000013/10/L?10=L", "belongs in the path"),
    ("/01/09521234000013/10/L?01=09521234000013", "belongs in the path"),
    ("/01/09521234000013/10/L?4321=1", "not a GS1 data attribute"),
    ("/01/09521234000013/10/L?17=1", "malformed"),
    ("/01/09521234000013/10/L?k=a&k=b", "more than once"),
])
def test_parse_rejects(path, message):
    with pytest.raises(InvalidCode, match=message):
        parse_path_and_query(path)


def test_percent_decode_is_strict():
    assert percent_decode("%41b%2d", "x") == "Ab-"
    with pytest.raises(InvalidCode, match="not ASCII"):
        percent_decode("%C3%A9", "x")
    with pytest.raises(InvalidCode, match="not allowed in a URL"):
        percent_decode("a b", "x")
