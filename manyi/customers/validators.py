import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s().\u3000]")
# ASCII digits only: other scripts' digits are no phone number a gateway or an agent can dial.
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$", re.ASCII)
_INTERNATIONAL = re.compile(r"^\+\d{7,15}$", re.ASCII)


def normalize_phone(raw: str) -> str:
    """Return a canonical phone number or raise ValidationError.

    Mainland mobiles become 11 digits (a +86 / 0086 prefix is dropped); landlines keep one
    hyphen after the area code (0571-88886666); other countries keep their + prefix.
    """
    # NFKC: full-width digits and signs as typed with a Chinese input method (１３８…, ＋８６).
    value = (
        _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")).replace("－", "-").replace("＋", "+")
    )
    if not value:
        return ""
    for prefix in ("+86", "0086"):
        rest = value[len(prefix) :].replace("-", "")
        if value.startswith(prefix) and _MOBILE.match(rest):
            value = rest
    if _MOBILE.match(value.replace("-", "")):
        return value.replace("-", "")
    if _LANDLINE.match(value):
        if "-" not in value:
            area = 3 if value[:3] in ("010", "020") or value[1] == "2" else 4
            value = f"{value[:area]}-{value[area:]}"
        return value
    if _INTERNATIONAL.match(value.replace("-", "")):
        return value.replace("-", "")
    raise ValidationError(
        _("“%(value)s” is not a valid phone number (e.g. 13812345678 or 0571-88886666)."),
        code="invalid_phone",
        params={"value": raw},
    )
