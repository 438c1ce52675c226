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
    ("91110108551385082A", "check character"),
    ("9111010855138508", "18 characters"),
    ("91110108551385O82Q", "never uses"),
])
def test_invalid_credit_codes(code, message):
    with pytest.raises(InvalidInput, match=message):
        uscc.validate_credit_code(code)
