"""Call scripts (话术) are stored texts with {{ placeholders }}, filled in without a template engine.

Only plain placeholders from PLACEHOLDERS are accepted (no tags, no filters). The result is built
from escaped pieces only: the supervisor's literal text and the values alike, so neither a
script nor a customer's name ever turns into markup on the call screen.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

PLACEHOLDERS = ("customer_name", "contact_name", "agent_name", "product", "purpose")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def validate_script(text):
    """Raise ValidationError unless the text uses only {{ known_placeholder }}."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. Use %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join("{{ " + p + " }}" for p in PLACEHOLDERS)}
        )
    rest = _PLACEHOLDER.sub("", text)
    if any(mark in rest for mark in ("{{", "}}", "{%", "%}", "{#", "#}")):
        raise ValidationError(_("Only placeholders like {{ customer_name }} are allowed in a script."))


def script_context(task, agent=None):
    contact = task.contact or next(iter(task.customer.contacts.all()), None)
    product = task.purchase.product.name if task.purchase_id else ""
    agent = agent or task.agent
    return {
        "customer_name": task.customer.name,
        "contact_name": contact.name if contact else task.customer.name,
        "agent_name": agent.display_name if agent else "",
        "product": product,
        "purpose": task.purpose,
    }


def render_script(text, context):
    """The script with the placeholders filled in, all of it escaped (a SafeString made only of
    escaped pieces); '' when the text is not valid."""
    try:
        validate_script(text)
    except ValidationError:
        return ""
    # re.split with one group: literal text at even indexes, placeholder names at odd ones.
    pieces = _PLACEHOLDER.split(text)
    filled = (str(context.get(piece, "")) if i % 2 else piece for i, piece in enumerate(pieces))
    return format_html_join("", "{}", ((piece,) for piece in filled))
