from hypothesis import given
from hypothesis import strategies as st

from manyi.customers.masking import mask_email, mask_phone, neutralise_formula


def test_a_mobile_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"


def test_a_landline_keeps_its_area_code_and_last_four_digits():
    assert mask_phone("0571-88886666") == "0571-****6666"
    assert mask_phone("010-66668888") == "010-****8888"


def test_short_numbers_are_hidden_entirely():
    assert mask_phone("1234") == "****"


def test_an_email_shows_only_its_first_letter_and_domain():
    assert mask_email("zhang.wei@example.com") == "z***@example.com"
    assert mask_email("") == ""


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_no_mobile_number_survives_masking(number):
    masked = mask_phone(number)
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]
    assert masked[3:7] == "****"


def test_cells_that_start_like_a_formula_are_neutralised():
    for dangerous in ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"]:
        assert neutralise_formula(dangerous).startswith("'")
    assert neutralise_formula("杭州精工") == "杭州精工"
    assert neutralise_formula(42) == 42
