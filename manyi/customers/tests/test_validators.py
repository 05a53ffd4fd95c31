import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from manyi.customers.validators import normalize_phone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("057188886666", "0571-88886666"),
        ("0571-88886666", "0571-88886666"),
        ("01088886666", "010-88886666"),
        ("(021) 6666 8888", "021-66668888"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "2381234567", "abc", "1381234567", "138123456789"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


@given(st.text(max_size=30))
def test_normalising_any_text_either_fails_cleanly_or_is_stable(text):
    try:
        once = normalize_phone(text)
    except ValidationError:
        return
    assert normalize_phone(once) == once


def test_full_width_digits_as_typed_with_a_chinese_input_method_are_read():
    assert normalize_phone("１３８ １２３４ ５６７８") == "13812345678"
    assert normalize_phone("＋８６ １３８１２３４５６７８") == "13812345678"
    assert normalize_phone("０５７１－８８８８６６６６") == "0571-88886666"


def test_digits_of_other_scripts_are_no_phone_number():
    with pytest.raises(ValidationError):
        normalize_phone("138١٢٣٤٥٦٧٨")
