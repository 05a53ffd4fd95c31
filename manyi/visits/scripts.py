"""Call scripts (话术) are stored texts with placeholders, rendered with Django's template engine.

Only plain placeholders from PLACEHOLDERS are accepted (no tags, no filters): a script is
written by a supervisor, and a template tag could otherwise include files or dump the context.
The values are escaped, so a customer's name never turns into markup.
"""

import re

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template
from django.utils.translation import gettext as _

PLACEHOLDERS = ("customer_name", "contact_name", "agent_name", "product", "purpose")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_ENGINE = Engine(dirs=[], app_dirs=False, libraries={}, builtins=[])


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
    """The script with the placeholders filled in (escaped); '' when the text is not valid."""
    try:
        validate_script(text)
    except ValidationError:
        return ""
    values = {name: str(context.get(name, "")) for name in PLACEHOLDERS}
    return Template(text, engine=_ENGINE).render(Context(values, autoescape=True))
