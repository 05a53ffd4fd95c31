"""A customer's timeline: every purchase, change, survey answer, visit and ticket in one list.

Each part of the product registers a provider: a function (customer, user) that returns
TimelineEntry items. The detail page merges them newest first. Later apps (campaigns,
visits, feedback) call `register(...)` from their AppConfig.ready().
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    kind: str  # short machine name: "purchase", "change", "survey", "visit", "ticket" …
    title: str
    detail: str = ""
    url: str = ""
    actor: str = ""
    changes: list = field(default_factory=list)  # [(field label, old, new)] for changes


_providers = []


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def timeline_for(customer, user, limit=200):
    entries = []
    for provider in _providers:
        entries.extend(provider(customer, user))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def _start_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def purchases(customer, user):
    for purchase in customer.purchases.select_related("product"):
        yield TimelineEntry(
            when=_start_of_day(purchase.purchased_on),
            kind="purchase",
            title=_("Bought %(product)s") % {"product": purchase.product.name},
            detail=_("Quantity %(quantity)s, amount ¥%(amount)s")
            % {"quantity": purchase.quantity.normalize(), "amount": purchase.amount},
        )


def record_changes(customer, user):
    """The audit trail of the customer record and its contacts, with old → new values."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from .masking import mask_email, mask_phone
    from .models import Contact, Customer

    personal = user.can("personal_data.view")
    customer_type = ContentType.objects.get_for_model(Customer)
    contact_type = ContentType.objects.get_for_model(Contact)
    contact_ids = [str(pk) for pk in customer.contacts.values_list("pk", flat=True)]
    entries = LogEntry.objects.filter(
        content_type=customer_type, object_pk=str(customer.pk)
    ) | LogEntry.objects.filter(content_type=contact_type, object_pk__in=contact_ids)
    labels = {
        f.name: str(f.verbose_name) for model in (Customer, Contact) for f in model._meta.fields
    }
    masks = {"phone": mask_phone, "email": mask_email}
    for entry in entries.select_related("actor").order_by("-timestamp")[:100]:
        changes = []
        for name, values in (entry.changes_dict or {}).items():
            if not isinstance(values, list | tuple) or len(values) != 2:
                continue
            old, new = values
            if name in masks and not personal:
                old, new = masks[name](old or ""), masks[name](new or "")
            changes.append((labels.get(name, name), old, new))
        action = {0: _("Created"), 1: _("Changed"), 2: _("Deleted")}.get(entry.action, "")
        is_contact = entry.content_type_id == contact_type.pk
        yield TimelineEntry(
            when=entry.timestamp,
            kind="change",
            title=f"{action} {_('contact') if is_contact else _('customer record')}"
            + (f" {entry.object_repr}" if is_contact else ""),
            actor=str(entry.actor) if entry.actor else _("system"),
            changes=changes,
        )


def register_builtin_providers():
    register(purchases)
    register(record_changes)
