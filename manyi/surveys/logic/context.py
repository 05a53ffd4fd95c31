"""What a condition (and a piped text) may read of the respondent: `customer.*` and `invitation.*`.

Conditions name earlier answers (Q3, Q5.R2.points) and, besides them, a short whitelist of the
respondent's fields. Only these can be read, nothing else of a customer; personal data (name,
phone, e-mail, address) is never among them, and the answer page receives only the fields its
conditions name (`page_values`).

    reference               value                                   from
    customer.type           "vip", "key" or "normal"                Customer.customer_type
    customer.kind           "person" or "company"                   Customer.kind
    customer.lifecycle      "new", "active", "dormant" or "lost"    Customer.lifecycle
    customer.region         text, e.g. "华东" ("" when not known)    Customer.region
    customer.province       text                                    Customer.province
    customer.city           text                                    Customer.city
    customer.industry       text                                    Customer.industry
    customer.tags           list of tag names, e.g. ["老客户"]       Customer.tags
    customer.purchases      number of purchases                     Customer.purchase_count
    invitation.channel      "web", "email", "sms", "phone", "paper", Invitation.channel; without an
                            "anonymous" or "visit"                  invitation, the response's channel

Conditions compare codes. The builder also takes a choice field's label, in Chinese or English
(customer.type == "VIP", "VIP客户", "大客户", invitation.channel == "电话访问"), and saves the
code (`value_code`, check.with_field_codes); anything else is refused with the values named.

Without a customer (an anonymous link) every customer field reads null, so a condition such as
`customer.type == "vip"` is false there and `customer.type != "vip"` true.

The same values everywhere: the answer page's script (static/js/conditions.js reads them from
the page's logic data), the phone and paper entry forms and the visit call screen, the server at
submit (`surveys.logic.visibility`), the validity rule, the builder's preview (a sample customer
chosen on the page) and the logic check (an unknown field, or a value the field never has, is
reported). This module reads the objects it is given by their attributes: it imports neither the
customers nor the campaigns app (surveys sits beside customers, below campaigns).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    """One readable field: its label, the values it can have (empty: free text or a number) and
    how each value is shown (the choices' labels, in the same order)."""

    label: str
    values: tuple[str, ...] = ()
    kind: str = "text"  # "choice", "text", "list", "number"
    labels: tuple = ()


# The values are the customers' and campaigns' choice codes; a test holds them equal to
# customers.choices.CustomerType / CustomerKind / Lifecycle and campaigns.choices.Channel.
FIELDS = {
    "customer.type": Field(
        _("customer type"),
        ("vip", "key", "normal"),
        "choice",
        (_("VIP"), _("Key account"), _("Normal")),
    ),
    "customer.kind": Field(
        _("person or company"), ("person", "company"), "choice", (_("Person"), _("Company"))
    ),
    "customer.lifecycle": Field(
        _("lifecycle"),
        ("new", "active", "dormant", "lost"),
        "choice",
        (_("New"), _("Active"), _("Dormant"), _("Lost")),
    ),
    "customer.region": Field(_("region")),
    "customer.province": Field(_("province")),
    "customer.city": Field(_("city")),
    "customer.industry": Field(_("industry")),
    "customer.tags": Field(_("tags"), (), "list"),
    "customer.purchases": Field(_("number of purchases"), (), "number"),
    "invitation.channel": Field(
        _("invitation channel"),
        ("web", "email", "sms", "phone", "paper", "anonymous", "visit"),
        "choice",
        (
            _("Personal web link"),
            _("E-mail invitation"),
            _("SMS invitation"),
            _("Phone interview"),
            _("Paper / Excel"),
            _("Anonymous public link"),
            _("On-site visit"),
        ),
    ),
}

# A survey designer writes what they see: customer.type == "VIP" or == "大客户". The builder
# saves the code (value_code), so conditions compare codes everywhere else.
LABEL_LANGUAGES = ("zh-hans", "en")


def value_code(key, value):
    """The code of a choice field's value written as its code or as its label in Chinese or
    English (any case, spaces around ignored), or None when it is neither."""
    from django.utils import translation

    field = FIELDS.get(key)
    if field is None or field.kind != "choice" or not isinstance(value, str):
        return None
    wanted = value.strip().casefold()
    for code, label in zip(field.values, field.labels, strict=False):
        if wanted == code.casefold():
            return code
        for language in LABEL_LANGUAGES:
            with translation.override(language):
                if wanted == str(label).strip().casefold():
                    return code
    return None


_CUSTOMER_ATTRIBUTES = {
    "customer.type": "customer_type",
    "customer.kind": "kind",
    "customer.lifecycle": "lifecycle",
    "customer.region": "region",
    "customer.province": "province",
    "customer.city": "city",
    "customer.industry": "industry",
    "customer.purchases": "purchase_count",
}


def fields_of(root):
    """The field names readable under `root` ("customer" or "invitation"), in table order."""
    return tuple(key.split(".", 1)[1] for key in FIELDS if key.startswith(root + "."))


def _tags(customer):
    cache = getattr(customer, "_prefetched_objects_cache", {})
    tags = cache["tags"] if "tags" in cache else customer.tags.all()
    return sorted(tag.name for tag in tags)


def _customer_value(customer, key):
    if customer is None:
        return None
    if key == "customer.tags":
        return _tags(customer) if getattr(customer, "pk", None) else []
    value = getattr(customer, _CUSTOMER_ATTRIBUTES[key], None)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return value


def condition_context(invitation=None, customer=None, *, channel=None, fields=None):
    """{"customer.type": "vip", "invitation.channel": "email", …}: the whitelisted fields of the
    respondent as conditions read them (see the module's table).

    invitation: the Invitation answered (its customer is used when `customer` is not given);
    channel: the channel when there is no invitation ("anonymous" for the public link, a
    response's channel); fields: only these keys (others of FIELDS are left out; unknown keys
    are ignored). Never raises for a missing part: what is not known reads None.
    """
    if customer is None and invitation is not None:
        customer = getattr(invitation, "customer", None)
    wanted = FIELDS.keys() if fields is None else [key for key in fields if key in FIELDS]
    values = {}
    for key in wanted:
        if key == "invitation.channel":
            values[key] = getattr(invitation, "channel", None) or channel or None
        else:
            values[key] = _customer_value(customer, key)
    return values


def response_context(response, fields=None):
    """The condition context of a saved (or about to be saved) Response: its invitation and
    customer, or its channel when it came without an invitation."""
    if response is None:
        return condition_context(fields=fields)
    invitation = getattr(response, "invitation", None) if getattr(response, "invitation_id", None) else None
    customer = getattr(response, "customer", None) if getattr(response, "customer_id", None) else None
    return condition_context(invitation, customer, channel=getattr(response, "channel", None), fields=fields)


def referenced_fields(trees):
    """The whitelisted keys ("customer.type", …) the syntax trees name, in table order."""
    from .parser import references

    named = set()
    for tree in trees:
        if tree is not None:
            named.update(".".join(parts) for parts in references(tree))
    return tuple(key for key in FIELDS if key in named)
