"""A customer's timeline: every purchase, change, survey answer, visit and ticket in one list.

Each part of the product registers a provider: a function (customer, user) that returns
TimelineEntry items. The detail page merges them newest first. Later apps (campaigns,
visits, feedback) call `register(...)` from their AppConfig.ready().
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .templatetags.money import yuan


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    kind: str  # short machine name: "purchase", "change", "survey", "visit", "ticket" …
    title: str
    detail: str = ""
    url: str = ""
    actor: str = ""
    changes: list = field(default_factory=list)  # [(field label, old, new)] for changes
    all_day: bool = False  # the event has a date but no time of day (a purchase)


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
            all_day=True,
            title=_("Bought %(product)s") % {"product": purchase.product.name},
            detail=_("Quantity %(quantity)s, amount %(amount)s")
            % {"quantity": purchase.quantity.normalize(), "amount": yuan(purchase.amount)},
        )


def record_changes(customer, user):
    """The audit trail of the customer record and its contacts, with old → new values."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from manyi.accounts.audit import describe_changes

    from .masking import mask_email, mask_phone
    from .models import Contact, Customer

    masks = {} if user.can("personal_data.view") else {"phone": mask_phone, "email": mask_email}
    customer_type = ContentType.objects.get_for_model(Customer)
    contact_type = ContentType.objects.get_for_model(Contact)
    contact_ids = [str(pk) for pk in customer.contacts.values_list("pk", flat=True)]
    entries = LogEntry.objects.filter(
        content_type=customer_type, object_pk=str(customer.pk)
    ) | LogEntry.objects.filter(content_type=contact_type, object_pk__in=contact_ids)
    titles = {
        (customer_type.pk, LogEntry.Action.CREATE): _("Customer record created"),
        (customer_type.pk, LogEntry.Action.UPDATE): _("Customer record changed"),
        (contact_type.pk, LogEntry.Action.CREATE): _("Contact %(name)s added"),
        (contact_type.pk, LogEntry.Action.UPDATE): _("Contact %(name)s changed"),
        (contact_type.pk, LogEntry.Action.DELETE): _("Contact %(name)s removed"),
    }
    for entry in entries.select_related("actor", "content_type").order_by("-timestamp")[:100]:
        title = titles.get((entry.content_type_id, entry.action))
        if title is None:
            continue
        changes = describe_changes(entry, masks)
        if entry.action == LogEntry.Action.UPDATE and not changes:
            continue
        yield TimelineEntry(
            when=entry.timestamp,
            kind="change",
            title=title % {"name": entry.object_repr},
            actor=str(entry.actor) if entry.actor else _("system"),
            changes=changes,
        )


def register_builtin_providers():
    register(purchases)
    register(record_changes)
