"""Check codes: what a customer types with the acknowledgement number to see their feedback.

The code is random, shown once (and e-mailed); the ticket keeps only a keyed hash of it, bound
to its number. Used by the feedback page and by tickets opened from e-mail.
"""

import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

# No 0/O, 1/I/L, so that they can be read out and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# Named after the module the codes were first made in: changing it would make every stored
# hash unmatchable.
_HASH_SALT = "manyi.tickets.public_views.check-code"


def new_check_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_check_code(code):
    return f"{code[:5]}-{code[5:]}"


def _normalize_code(value):
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def hash_check_code(reference, code, secret=None):
    """A keyed hash (HMAC-SHA256 with the SECRET_KEY) of the code, bound to the ticket."""
    digest = salted_hmac(
        _HASH_SALT, f"{reference}:{_normalize_code(code)}", secret=secret, algorithm="sha256"
    ).hexdigest()
    return f"hmac-sha256${digest}"


def check_code_matches(ticket, code):
    if not ticket.check_code_hash or not _normalize_code(code):
        return False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if hmac.compare_digest(ticket.check_code_hash, hash_check_code(ticket.reference, code, secret)):
            return True
    return False
