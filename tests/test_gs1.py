"""GTIN check digits and strict GS1 Digital Link path parsing."""

import re

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


@pytest.mark.parametrize("path, message, message_zh", [
    ("/01/09521234000013/99/X", "AI '99' is not a key qualifier of GTIN", "不是 GTIN 的限定符"),
    ("/01/09521234000013/10/L?3103=25", "value of AI 3103 is malformed", "AI 3103 的值格式错误"),
    ("/01/09521234000013/10/L?3103=0000250", "value of AI 3103", "格式错误"),
    ("/01/09521234000013/10/L?91=", "value of AI 91 is malformed", "AI 91 的值格式错误"),
    ("/01/09521234000013/10/L?91=" + "x" * 91, "value of AI 91 is malformed", "格式错误"),
    ("/01/09521234000013/10/L?370=1", "'370' is not a GS1 data attribute AI", "不是 GS1 数据属性"),
    ("/01/09521234000013/10/L?s=a&s=b", "query key 's' appears more than once", "参数 's' 重复"),
    ("/01/09521234000013/10/L?17=261231&17=261231", "'17' appears more than once", "重复"),
    ("01/09521234000013/10/L", "path is not of the form", "路径格式不符合"),
    ("/01", "path is not of the form", "路径格式"),
    ("/02/09521234000013", "must start with AI 01", "必须以 AI 01"),
    ("/01/09521234000013/10/%80", "lot (AI 10) is not ASCII", "批号含有非 ASCII 字符"),
    ("/01/09521234000013/21/S%2", "serial (AI 21) has a malformed %-escape", "序列号的百分号编码有误"),
    ("/01/09521234000013/10/" + "A" * 21, "lot (AI 10) must be 1-20", "批号长度应为 1–20"),
    ("/01/09521234000013/10/L?k%=x", "a query key has a malformed %-escape", "网址参数名"),
    ("/01/09521234000013/10/L?k=%FF", "query value of 'k' is not ASCII", "网址参数 k 的值"),
])
def test_each_rejection_says_what_is_wrong_in_both_languages(path, message, message_zh):
    with pytest.raises(InvalidCode, match=re.escape(message)) as caught:
        parse_path_and_query(path)
    assert message_zh in caught.value.message_zh


@pytest.mark.parametrize("path, message, message_zh", [
    ("/01/09521234000013/10/L?10=L", "AI 10 belongs in the path, not the query",
     "AI 10 只能出现在路径中"),
    ("/01/09521234000013/21/S/10/L",
     "key qualifiers must appear once each, in the order 22, 10, 21",
     "限定符须按 22、10、21 顺序且各出现一次"),
    ("/01/09521234000013/10/A%7E", "lot (AI 10) contains characters GS1 does not allow: '~'",
     "批号含有 GS1 不允许的字符"),
    ("/01/09521234000013/10/A%7E%7E%5E",
     "lot (AI 10) contains characters GS1 does not allow: '^~'", "批号含有 GS1 不允许的字符"),
    ("/01/09521234000013/10/A B", "lot (AI 10) contains a character not allowed in a URL",
     "批号含有网址中不允许的字符"),
    ("/01/9521234000013", "GTIN must be exactly 14 digits, got '9521234000013'",
     "GTIN 必须是 14 位数字：'9521234000013'"),
    ("/01/09521234000014", "GTIN 09521234000014 has a wrong check digit; re-check the number",
     "GTIN 09521234000014 校验位错误，请核对"),
    ("/01/09521234000013/10/L/",
     "the path is not of the form /01/{GTIN}/10/{LOT}/21/{SERIAL}",
     "路径格式不符合 /01/{GTIN}/10/{批号}/21/{序列号}"),
    ("/02/09521234000013", "the path must start with AI 01 (GTIN)", "路径必须以 AI 01（GTIN）开头"),
    ("x/01/09521234000013", "the path is not of the form /01/{GTIN}/10/{LOT}/21/{SERIAL}",
     "路径格式不符合 /01/{GTIN}/10/{批号}/21/{序列号}"),
])
def test_whole_messages_in_both_languages(path, message, message_zh):
    with pytest.raises(InvalidCode) as caught:
        parse_path_and_query(path)
    assert (caught.value.message, caught.value.message_zh) == (message, message_zh)


@pytest.mark.parametrize("query, expected", [
    ("3103=000250", {"3103": "000250"}),            # net weight: six digits
    ("3600=000001", {"3600": "000001"}),
    ("91=Ab-1", {"91": "Ab-1"}),                    # company internal: 1-90 characters
    ("99=" + "x" * 90, {"99": "x" * 90}),
    ("7003=2611301200", {"7003": "2611301200"}),
    ("&&k=K&&s=x&", {"k": "K", "s": "x"}),          # empty pieces are skipped, not the end
    ("x=a=b", {"x": "a=b"}),                        # only the first '=' separates
    ("x=%7F", {"x": "\x7f"}),                       # DEL is still ASCII
    ("lang=en&lang=zh", {"lang": "zh"}),            # non-AI, non-k/s keys may repeat
])
def test_query_values_that_are_allowed(query, expected):
    link = parse_path_and_query(f"/01/09521234000013/10/L?{query}")
    assert link.query == expected


def test_a_bare_gtin_path_and_twenty_character_qualifiers_parse():
    assert parse_path_and_query("/01/09521234000013") == DigitalLink("09521234000013")
    link = parse_path_and_query("/01/09521234000013/10/" + "A" * 20 + "/21/" + "B" * 20)
    assert (link.lot, link.serial) == ("A" * 20, "B" * 20)


@pytest.mark.parametrize("gtin", ["09521234000013\n", "0952123400001\n3", " 09521234000013"])
def test_a_gtin_with_a_newline_or_space_is_not_fourteen_digits(gtin):
    with pytest.raises(InvalidCode, match="exactly 14 digits"):
        validate_gtin14(gtin)


def test_encoded_path_spells_qualifiers_that_need_it():
    link = DigitalLink("09521234000013", lot="A/B", serial="X%Y")
    assert link.path == "/01/09521234000013/10/A%2FB/21/X%25Y"
    assert parse_path_and_query(link.path) == link
