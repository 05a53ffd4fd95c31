"""Telling customers what changed (seed 004: 向客户反馈改进成果).

The customers are those of the improvement's linked tickets: one message per customer (the
ticket's contact e-mail first, then the customer's primary contact, then the customer's own
address). Customers without an e-mail address are listed to be told by phone; customers who
withdrew their consent to be contacted (or whose data was erased) are not contacted. Each
customer told is recorded as a ``CustomerNotice``, so a second click sends nothing twice.

An improvement raised from a survey score (a survey item or dimension of a campaign) also
tells the customers who answered that campaign. Seed 004 (向客户反馈改进成果) says whom:
"向参与调查的客户发送改进进展或成果通知，让客户感受到被重视" — every customer who took part,
not only those who scored the item low (they all were asked, and a customer who scored it
well is told too that what others found wanting changed) — and what: "尊敬的*总，感谢您此前
提出的建议，我们已优化售后响应流程，目前平均响应时间缩短至1.5小时内，欢迎继续监督。" They are
reached as the campaign reached them (the invitation's contact first): not those who opted
out of surveys, withdrew their consent to be contacted, or were erased, as for invitations
(campaigns.channels.contactable).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from manyi.accounts import permissions as perms
from manyi.customers.masking import mask_email, mask_phone
from manyi.emails import build_email, send_each
from manyi.links import absolute_url

from .choices import DELIVERED_STATUSES, SURVEY_SOURCES, EventKind, NoticeChannel
from .models import CustomerNotice, ImprovementAction, ImprovementEvent
from .workflow import ImprovementError, may_manage


@dataclass
class Recipient:
    """One customer (or anonymous contact) of the linked tickets."""

    # "c<customer pk>", or "t<ticket pk>" (the first ticket of a contact without a customer
    # record): it goes into pages, so it shows no address or phone number.
    key: str
    customer: object  # Customer or None
    name: str
    email: str
    phone: str
    tickets: list = field(default_factory=list)  # references of their tickets
    may_contact: bool = True
    told: object = None  # the CustomerNotice once told
    answered: bool = False  # answered the survey campaign the improvement was raised from

    @property
    def by_phone(self):
        return not self.email


def _primary_contact(customer):
    contacts = sorted(customer.contacts.all(), key=lambda c: (not c.is_primary, c.pk))
    return contacts[0] if contacts else None


def recipients(improvement):
    """The customers to tell, in the order their tickets were received."""
    tickets = improvement.tickets.select_related("customer").prefetch_related("customer__contacts")
    notices = list(improvement.notices.all())
    by_customer = {n.customer_id: n for n in notices if n.customer_id}
    by_address = {(n.email.lower(), n.phone): n for n in notices if not n.customer_id}
    found, anonymous = {}, {}
    for ticket in tickets.order_by("received_at", "pk"):
        customer = ticket.customer
        if customer is not None:
            key = f"c{customer.pk}"
            if key not in found:
                contact = _primary_contact(customer)
                email = ticket.contact_email or (contact.email if contact else "") or customer.email
                phone = ticket.contact_phone or (contact.phone if contact else "") or customer.phone
                found[key] = Recipient(
                    key=key,
                    customer=customer,
                    name=ticket.contact_name or (contact.name if contact else "") or customer.name,
                    email=email,
                    phone=phone,
                    may_contact=customer.consent_to_contact and customer.erased_at is None,
                    told=by_customer.get(customer.pk),
                )
        elif ticket.contact_email or ticket.contact_phone:
            email = ticket.contact_email.lower()
            phone = "" if email else ticket.contact_phone
            address = (email, phone)
            if address not in anonymous:
                anonymous[address] = f"t{ticket.pk}"
            key = anonymous[address]
            if key not in found:
                found[key] = Recipient(
                    key=key,
                    customer=None,
                    name=ticket.contact_name,
                    email=email,
                    phone=ticket.contact_phone,
                    told=by_address.get((email, phone)),
                )
        else:
            continue  # anonymous and no way to reach them
        found[key].tickets.append(ticket.reference)
    _add_survey_respondents(improvement, found, by_customer)
    return list(found.values())


def _add_survey_respondents(improvement, found, by_customer):
    """The customers who answered the campaign a survey-raised improvement names, after the
    customers of its tickets, in the order they answered.

    Read as rows, not model instances (20,000 respondents: 0.5 s instead of 8 s on SQLite):
    the page counts them on every view."""
    if improvement.source not in SURVEY_SOURCES or improvement.campaign_id is None:
        return
    from manyi.campaigns.models import Response
    from manyi.customers.models import Contact, Customer

    answered = Response.objects.completed().filter(
        campaign_id=improvement.campaign_id, customer__isnull=False
    )
    # A unit's improvement on a campaign run above it (the group's) tells the unit's
    # respondents, not every region's (organisation/access.py: a region's rows are its own).
    answered = answered.of_unit(improvement.unit)
    rows = answered.order_by("completed_at", "pk").values_list(
        "customer_id",
        "customer__name",
        "customer__email",
        "customer__phone",
        "customer__consent_to_contact",
        "customer__erased_at",
        "customer__survey_opt_out__id",
        "invitation__contact__name",
        "invitation__contact__email",
        "invitation__contact__phone",
    )
    primary = {}
    contacts = Contact.objects.filter(customer_id__in=answered.values("customer_id"))
    for customer_id, *contact in contacts.order_by("customer_id", "-is_primary", "pk").values_list(
        "customer_id", "name", "email", "phone"
    ):
        primary.setdefault(customer_id, contact)
    for customer_id, name, email, phone, consent, erased_at, opted_out, *invited in rows:
        key = f"c{customer_id}"
        if key in found:
            found[key].answered = True
            continue
        # The invitation's contact (who was asked) first, then the primary contact, as tickets.
        contact = invited if invited[0] is not None else primary.get(customer_id, ("", "", ""))
        found[key] = Recipient(
            key=key,
            customer=Customer(pk=customer_id, name=name, email=email, phone=phone),
            name=contact[0] or name,
            email=contact[1] or email,
            phone=contact[2] or phone,
            may_contact=consent and erased_at is None and opted_out is None,
            told=by_customer.get(customer_id),
            answered=True,
        )


@dataclass
class Preview:
    """What "tell the customers" will do, counted before it is done (the page shows it)."""

    email: int = 0  # to be e-mailed now
    phone: int = 0  # no e-mail address: to be told by phone
    not_contacted: int = 0  # do not wish to be contacted
    told: int = 0  # told already
    answered: int = 0  # of all these, customers who answered the survey


def preview(recipient_list):
    counts = Preview()
    for recipient in recipient_list:
        counts.answered += recipient.answered
        if recipient.told is not None:
            counts.told += 1
        elif not recipient.may_contact:
            counts.not_contacted += 1
        elif recipient.by_phone:
            counts.phone += 1
        else:
            counts.email += 1
    return counts


def names(recipient_list, limit=10):
    """The first `limit` names (an address masked where no name is known), then how many more."""
    shown = "、".join(r.name or mask_email(r.email) or mask_phone(r.phone) for r in recipient_list[:limit])
    more = len(recipient_list) - limit
    return shown if more <= 0 else _("%(names)s and %(count)s more") % {"names": shown, "count": more}


@dataclass
class NotifyResult:
    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    by_phone: list = field(default_factory=list)
    already: list = field(default_factory=list)
    not_contacted: list = field(default_factory=list)


def notify_refusal(improvement, user):
    if not may_manage(user):
        return _("Your role does not allow telling customers.")
    if improvement.status not in DELIVERED_STATUSES:
        return _("Customers are told once the improvement is done.")
    if not improvement.customer_message.strip():
        return _("Write what we tell customers first.")
    return None


def improvement_email(improvement, recipient):
    context = {
        "name": recipient.name,
        "improvement": improvement,
        "message": improvement.customer_message,
        "tickets": recipient.tickets,
        "answered": recipient.answered,
        "feedback_url": absolute_url(reverse("feedback:form")),
        "company": _company(),
    }
    return build_email(
        "improvement_notice",
        context,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Manyi-Improvement": improvement.reference},
    )


def _company():
    from django.conf import settings

    return getattr(settings, "COMPANY_NAME", "")


def notify_customers(improvement, by, now=None):
    """E-mail every customer not told yet; returns who was told, who failed, who to phone."""
    now = now or timezone.now()
    reason = notify_refusal(improvement, by)
    if reason:
        raise ImprovementError(reason)
    result = NotifyResult()
    # The row lock makes a second click wait for the first and then find everyone told.
    with transaction.atomic():
        locked = ImprovementAction.objects.select_for_update().get(pk=improvement.pk)
        reason = notify_refusal(locked, by)
        if reason:
            raise ImprovementError(reason)
        pending = []
        for recipient in recipients(locked):
            if recipient.told is not None:
                result.already.append(recipient)
            elif not recipient.may_contact:
                result.not_contacted.append(recipient)
            elif recipient.by_phone:
                result.by_phone.append(recipient)
            else:
                pending.append(recipient)
        if pending:
            _send(locked, pending, by, now, result)
        if result.sent:
            # Who told them, when and how many (the timeline is read by handlers too, who may
            # not see personal data: names, no addresses).
            ImprovementEvent.objects.create(
                improvement=locked,
                by=by,
                at=now,
                kind=EventKind.NOTIFIED,
                from_status=locked.status,
                to_status=locked.status,
                note=ngettext(
                    "By e-mail to %(count)s customer: %(names)s",
                    "By e-mail to %(count)s customers: %(names)s",
                    len(result.sent),
                )
                % {"count": len(result.sent), "names": names(result.sent)},
            )
    return result


def _send(improvement, pending, by, now, result):
    def record_told(index):
        _remember(improvement, pending[index], NoticeChannel.EMAIL, by, now)
        result.sent.append(pending[index])

    send_each([improvement_email(improvement, recipient) for recipient in pending], on_sent=record_told)
    # Refused by the server or never reached (no mail server): not recorded as told.
    told = {recipient.key for recipient in result.sent}
    result.failed.extend(recipient for recipient in pending if recipient.key not in told)


def _remember(improvement, recipient, channel, by, now):
    # Without a customer record the address (else the phone number) is what makes it once only.
    anonymous_by_email = recipient.customer is None and recipient.email
    return CustomerNotice.objects.create(
        improvement=improvement,
        customer=recipient.customer,
        name=recipient.name[:200],
        email=recipient.email,
        phone="" if anonymous_by_email else recipient.phone[:30],
        channel=channel,
        told_at=now,
        by=by,
    )


def may_record_call(user):
    return may_manage(user) or (user.is_authenticated and user.can(perms.REPLY_TICKETS))


def record_phone_call(improvement, by, key, now=None):
    """An agent phoned the customer ``key`` (a Recipient key) and told them what changed."""
    now = now or timezone.now()
    if not may_record_call(by):
        raise ImprovementError(_("Your role does not allow recording calls to customers."))
    if improvement.status not in DELIVERED_STATUSES:
        raise ImprovementError(_("Customers are told once the improvement is done."))
    with transaction.atomic():
        locked = ImprovementAction.objects.select_for_update().get(pk=improvement.pk)
        recipient = next((r for r in recipients(locked) if r.key == key), None)
        if recipient is None:
            raise ImprovementError(_("That customer is not among the linked tickets' customers."))
        if recipient.told is not None:
            raise ImprovementError(_("That customer has been told already."))
        if not recipient.may_contact:
            raise ImprovementError(_("That customer does not wish to be contacted."))
        notice = _remember(locked, recipient, NoticeChannel.PHONE, by, now)
        ImprovementEvent.objects.create(
            improvement=locked,
            by=by,
            at=now,
            kind=EventKind.NOTIFIED,
            from_status=locked.status,
            to_status=locked.status,
            note=_("By phone: %(name)s") % {"name": recipient.name or mask_phone(recipient.phone)},
        )
    return notice
