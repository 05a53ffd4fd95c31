"""Masking of personal data for readers without the right to see it, and other cell hygiene.

The stored data stays whole; it is masked where it is shown, for the reader: pages through the
`phone`, `email` and `private_text` template filters, the API, exports and reports through the
functions here.
"""

import re

from manyi.accounts import permissions

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Phones and e-mail addresses written inside free text (open answers, feedback, notes): a
# mobile (13812345678, 138 1234 5678, 138-1234-5678, +86 138...), a landline with its area
# code (0571-88886666, 057188886666, (0571) 88886666), an address. An order number is no phone:
# the digits around a match must not be digits. Full-width digits and hyphens (１３８－…), as
# Chinese keyboards type them, count too (\d matches them).
PHONE_IN_TEXT = re.compile(
    r"(?<![\d+＋])(?:(?:[+＋]|00)86[ \-－]?)?[1１][3-9３-９]\d(?:[ \-－]?\d{4}){2}(?!\d)"
    r"|(?<!\d)(?:[0０]\d{2,3}[ \-－]?|[(（][0０]\d{2,3}[)）] ?)\d{7,8}(?!\d)"
)
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; 0571-88886666 -> 0571-****6666."""
    if not phone:
        return ""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(phone)
    # Keep what says little about the person: a landline's area code (before the hyphen)
    # or a mobile's first three digits, and the last four digits.
    hyphen = next((i for i, ch in enumerate(phone) if ch in "-－"), None)
    area = hyphen if phone[:1] in "0０" and hyphen is not None else 3
    hidden = {i for i in digits[:-4] if i >= area} if len(digits) > 7 else set(digits[:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(phone))


def mask_email(email: str) -> str:
    """zhang.wei@example.com -> z***@example.com."""
    if not email:
        return ""
    local, sep, domain = email.partition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


def neutralise_formula(value):
    """Stop spreadsheet programs from running a cell as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def mask_text(text: str) -> str:
    """Free text with the phones and e-mail addresses in it masked."""
    if not text:
        return text
    text = PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    return EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)


def strip_contacts(text: str) -> str:
    """Free text without the phones and e-mail addresses in it (for keyword counts)."""
    return EMAIL_IN_TEXT.sub(" ", PHONE_IN_TEXT.sub(" ", text)) if text else text


def may_see_personal_data(reader) -> bool:
    """`reader` is a user (or a bool already decided): may they see phones and e-mail addresses?"""
    if isinstance(reader, bool):
        return reader
    return bool(getattr(reader, "is_authenticated", False) and reader.can(permissions.VIEW_PERSONAL_DATA))


def private_text(text, reader):
    """Free text as `reader` may see it: whole, or with its phones and e-mail addresses masked."""
    if not text:
        return text or ""
    return text if may_see_personal_data(reader) else mask_text(str(text))
