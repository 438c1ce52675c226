import pytest

from trace.errors import InvalidInput
from trace.phones import tel_href, written_phone


def written(text):
    return written_phone(text, what="customer service phone", what_zh="客服电话")


@pytest.mark.parametrize("typed, expected", [
    ("0575-87123456", "0575 8712 3456"),
    ("(0575)87123456", "0575 8712 3456"),
    ("０５７５－８７１２３４５６", "0575 8712 3456"),        # full-width, as some IMEs type
    ("+86 575 8712 3456", "0575 8712 3456"),
    ("13805751234", "138 0575 1234"),
    ("4008208820", "400 820 8820"),
    ("0575-87123456 转 8021", "0575 8712 3456 转 8021"),
    ("0575 8712 3456 分机21", "0575 8712 3456 转 21"),
    ("0573-87012345-8021", "0573 8701 2345 转 8021"),   # as business cards write it
    ("0575-8712-3456", "0575 8712 3456"),               # dashes inside, no extension
    ("+852 2345 6789", "+852 2345 6789"),                    # abroad: with its country
])
def test_numbers_are_written_one_dialable_way(typed, expected):
    assert written(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_an_empty_number_is_none(typed):
    assert written(typed) is None


@pytest.mark.parametrize("typed", ["0571-8888666", "12315", "852 2345 6789", "138 0575 123",
                                   "call us", "13805751234 13905751234"])
def test_a_number_no_phone_could_dial_is_refused_with_examples(typed):
    with pytest.raises(InvalidInput) as refused:
        written(typed)
    assert "客服电话" in refused.value.message_zh and "0575-8712 3456" in refused.value.message_zh
    assert "customer service phone" in str(refused.value)


@pytest.mark.parametrize("shown, href", [
    ("0575 8712 3456", "tel:+8657587123456"),  # dialled from abroad too
    ("138 0575 1234", "tel:+8613805751234"),
    ("+852 2345 6789", "tel:+85223456789"),
    ("400 820 8820 转 21", "tel:4008208820,21"),
])
def test_links_dial_the_number_then_the_extension(shown, href):
    assert tel_href(shown) == href
