"""Masking of personal data for readers without the right to see it, and other cell hygiene.

The stored data stays whole; it is masked where it is shown, for the reader: pages through the
`phone`, `email` and `private_text` template filters, the API, exports and reports through the
functions here.

Names are masked the way seed 004 records customers (“记录时用‘*客户’‘A公司’代替真实名称，保护
隐私”): a company becomes “A公司”, “B公司” … (one letter per company, fixed for one export or
report: see NameMask), a person keeps the surname and loses the given name (张伟 → 张*,
王小明 → 王**: `mask_person_name`).
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


def mask_person_name(name: str) -> str:
    """张伟 -> 张*, 王小明 -> 王**: the first character (the surname) and one * for each other
    character (spaces kept: "Li Lei" -> "L* ***")."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "".join(ch if ch.isspace() else "*" for ch in name[1:]) if len(name) > 1 else "*"


def company_alias(number: int) -> str:
    """The `number`-th company (0, 1, …) as seed 004 writes it: A公司, B公司, … Z公司, AA公司 …"""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}公司"


class NameMask:
    """The names of some customers and of their contacts as a reader without the right to
    personal data sees them: a company as “A公司”, “B公司” … (by customer code, so one export
    or report names each company alike wherever it appears), a person (a customer of the kind
    person, or a contact) as its surname and stars (`mask_person_name`).

    `customer(pk)` is the masked name of one of them; `text(t)` masks free text: the phones and
    e-mail addresses in it (`mask_text`) and these customers' and contacts' names written in
    it (names of two characters or more, the longest first).
    """

    def __init__(self, customers, contacts=()):
        """`customers`: (pk, code, name, kind) rows; `contacts`: contact names."""
        from .choices import CustomerKind

        self.by_pk = {}
        replacements = {}
        companies = 0
        for pk, _code, name, kind in sorted(customers, key=lambda row: row[1]):
            if kind == CustomerKind.PERSON:
                masked = mask_person_name(name)
            else:
                masked, companies = company_alias(companies), companies + 1
            self.by_pk[pk] = masked
            replacements.setdefault((name or "").strip(), masked)
        for name in contacts:
            replacements.setdefault((name or "").strip(), mask_person_name(name))
        self.replacements = {name: masked for name, masked in replacements.items() if len(name) >= 2}
        names = sorted(self.replacements, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, names))) if names else None

    @classmethod
    def of_customers(cls, customer_ids):
        """The NameMask of these customers (pks) and all their contacts: two queries."""
        from .models import Contact, Customer

        ids = set(customer_ids)
        return cls(
            Customer.objects.filter(pk__in=ids).values_list("pk", "code", "name", "kind"),
            Contact.objects.filter(customer_id__in=ids).values_list("name", flat=True),
        )

    def customer(self, pk) -> str:
        return self.by_pk.get(pk, "")

    def text(self, text: str) -> str:
        if not text:
            return text
        text = mask_text(text)
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.replacements[m.group(0)], text)


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
