"""统一社会信用代码 check digits (GB 32100-2015), on codes of real companies."""

import pytest

from app.accounts.credit_code import check_character, is_valid_credit_code, normalise_credit_code

REAL_CODES = [
    "91350100M000100Y43",  # the example printed in GB 32100-2015
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert is_valid_credit_code(code)
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_any_single_character_change_is_caught(code):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    position = 5  # inside the administrative division
    for replacement in alphabet.replace(code[position], "")[:10]:
        changed = code[:position] + replacement + code[position + 1 :]
        assert not is_valid_credit_code(changed)


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038217",  # last character wrong
        "91440300192203821",  # 17 characters
        "9144030019220382160",  # 19 characters
        "91440300I922038216",  # I is not in the alphabet
        "9144O3001922038216",  # O in the administrative division
        "914403001922038216\n",
        "",
        "91350100M000100Y4３",  # full-width digit
    ],
)
def test_malformed_or_wrong_codes_are_invalid(code):
    assert not is_valid_credit_code(code)


def test_embedded_organisation_code_check_character_is_checked():
    """A code whose final check fits but whose GB 11714 organisation code check does not."""
    body = "91440300708461137"  # organisation code 70846113-7 instead of -6
    code = body + check_character(body)
    assert not is_valid_credit_code(code)


def test_normalising_accepts_how_people_type_it():
    assert normalise_credit_code(" 9144 0300-7084 6113 6t ") == "91440300708461136T"
