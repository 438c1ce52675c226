"""统一社会信用代码 (GB 32100): check characters of published codes, and what is wrong."""

import pytest

from trace import uscc
from trace.errors import InvalidInput

from conftest import CREDIT_CODE


@pytest.mark.parametrize("code", [
    "91110108551385082Q",   # published codes of real companies
    "91440300708461136T",
    CREDIT_CODE.lower(),
])
def test_valid_credit_codes(code):
    assert uscc.validate_credit_code(code) == code.upper()


@pytest.mark.parametrize("code, message", [
    ("91110108551385082A", "does not add up"),
    ("9111010855138508", "18 characters"),
    ("91110108551385O82Q", "never uses"),
])
def test_invalid_credit_codes(code, message):
    with pytest.raises(InvalidInput, match=message):
        uscc.validate_credit_code(code)


def test_a_code_typed_full_width_or_in_groups_is_read_as_meant():
    assert uscc.validate_credit_code("９１１１０１０８ ５５１３８５０８２ｑ") == "91110108551385082Q"
    with pytest.raises(InvalidInput) as refused:
        uscc.validate_credit_code("91110108551385082A")
    assert "应为" not in refused.value.message_zh  # no "last one should be …" to copy
