"""Resident IDs, passports and bank cards (beside phones and e-mail addresses) written inside
free text: found in the text's NFKC form wherever they stand, taken out of what keywords, word
clouds and topic examples are made of (`strip_contacts`, `NameMask.strip`) and masked for readers
without the right to personal data (`mask_text`)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.analytics import text as text_analysis
from manyi.customers.masking import NameMask, mask_text, personal_data_in_text, strip_contacts

ID_18 = "330102199001011234"
ID_18_X = "11010519491231002X"
ID_15 = "330102900101123"
UNIONPAY_19 = "6222021234567890123"  # UnionPay: masked whether or not the Luhn check holds
VISA = "4111111111111111"  # the well-known test number: passes the Luhn check
FULL_WIDTH = str.maketrans("0123456789X- ", "０１２３４５６７８９Ｘ－\u3000")


def kinds(text):
    return [(text[start:end], kind) for start, end, kind in personal_data_in_text(text)]


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        (ID_18, "resident_id"),
        (ID_18_X, "resident_id"),
        (ID_18_X.lower(), "resident_id"),
        ("330102 19900101 1234", "resident_id"),
        ("330102-19900101-123X", "resident_id"),
        (ID_15, "resident_id"),
        (UNIONPAY_19, "bank_card"),
        ("6222 0212 3456 7890", "bank_card"),
        ("6222-0212-3456-7890-123", "bank_card"),
        ("4111 1111 1111 1111", "bank_card"),
        ("E12345678", "passport"),
        ("EA1234567", "passport"),
        ("G12345678", "passport"),
        ("13812345678", "phone"),
        ("zhang.wei@example.com", "email"),
    ],
)
@pytest.mark.parametrize("where", ["{}", "身份证号{}请核实", "请核实：{}", "{}。", "核对 {} 后回电"])
def test_each_kind_is_found_wherever_it_stands(written, kind, where):
    text = where.format(written)
    assert kinds(text) == [(written, kind)]
    assert written not in strip_contacts(text)
    assert written not in mask_text(text)
    assert strip_contacts(text) == where.format(" ")


@pytest.mark.parametrize("written", [ID_18_X, "330102-19900101-123X", "6222 0212 3456 7890", "E12345678"])
def test_full_width_digits_letters_and_separators_are_read_as_their_ascii_forms(written):
    typed = written.translate(FULL_WIDTH).replace("E", "Ｅ")
    assert unicodedata.normalize("NFKC", typed) == written.replace("\u3000", " ")
    text = f"我的号码是{typed}，谢谢"
    ((found, _kind),) = kinds(text)
    assert found == typed  # positions in the text as written, not in its normalised form
    assert strip_contacts(text) == "我的号码是 ，谢谢"


def test_full_width_at_sign_makes_an_address():
    assert strip_contacts("邮箱zhang＠example.com谢谢") == "邮箱 谢谢"


def test_masked_forms_keep_little():
    assert mask_text(f"身份证{ID_18_X}") == "身份证1****************X"
    assert mask_text("卡号6222 0212 3456 7890") == "卡号**** **** **** 7890"
    assert mask_text("护照E12345678") == "护照E********"
    assert mask_text("电话13812345678") == "电话138****5678"
    assert mask_text("邮箱 zhang.wei@example.com") == "邮箱 z***@example.com"


def test_several_in_one_text_each_in_place():
    text = f"电话13812345678，身份证{ID_18}，卡号{UNIONPAY_19}，邮箱a@b.cn，护照G12345678。包装破损"
    assert [kind for _found, kind in kinds(text)] == [
        "phone",
        "resident_id",
        "bank_card",
        "email",
        "passport",
    ]
    assert strip_contacts(text) == "电话 ，身份证 ，卡号 ，邮箱 ，护照 。包装破损"


@pytest.mark.parametrize(
    "kept",
    [
        "订单号 2026112300001234 无需遮盖",  # an order number: starts with 2, no card
        "订单1234567890123456已签收",  # starts with 1
        "4111111111111112",  # a Visa-like number failing the Luhn check
        "62220212345678901234",  # 20 digits: no card, and no ID or phone inside a longer run
        "3301021990130112345",  # 19 digits and month 13: no ID
        "型号AE12345678X",  # a passport-like part inside a longer code
        "2024年12月31日，共花费1999元",
    ],
)
def test_numbers_that_are_none_of_these_stay(kept):
    assert personal_data_in_text(kept) == []
    assert strip_contacts(kept) == kept == mask_text(kept)


def test_no_id_reaches_the_keywords():
    """The open answers' keywords (and word clouds, topic examples) are made of NameMask.strip's
    text (results.open_answers): nothing of the number is left to count."""
    answers = [f"身份证{ID_18_X.translate(FULL_WIDTH)}包装破损", f"卡号{UNIONPAY_19}，快递太慢"]
    stripped = [NameMask([]).strip(answer) for answer in answers]
    words = {k.word for k in text_analysis.keyword_frequencies(stripped)}
    assert {"包装破损", "快递"} & words
    assert not [w for w in words if any(ch.isdigit() for ch in unicodedata.normalize("NFKC", w))]


def _check_digit(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


@given(
    region=st.integers(110000, 829999),
    born=st.dates(),
    serial=st.integers(0, 999),
    before=st.text(alphabet="包装破损很好快递。，！ ", max_size=8),
    after=st.text(alphabet="包装破损很好快递。，！ ", max_size=8),
    full_width=st.booleans(),
)
def test_no_valid_resident_id_survives(region, born, serial, before, after, full_width):
    if not 1800 <= born.year <= 2099:
        return
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    number = first17 + _check_digit(first17)
    if full_width:
        number = number.translate(FULL_WIDTH)
    stripped = strip_contacts(before + number + after)
    assert number not in stripped and number[-6:] not in stripped
    assert mask_text(before + number + after).count("*") == 16
