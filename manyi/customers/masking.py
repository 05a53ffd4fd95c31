"""Masking of personal data for readers without the right to see it, and other cell hygiene."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; 0571-88886666 -> 0571-****6666."""
    if not phone:
        return ""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(phone)
    # Keep what says little about the person: a landline's area code (before the hyphen)
    # or a mobile's first three digits, and the last four digits.
    area = phone.index("-") if phone.startswith("0") and "-" in phone else 3
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
