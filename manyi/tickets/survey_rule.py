"""Tickets from survey answers (issue 5 §1, seed 004: "若客户反馈负面评价或紧急问题，需1小时内响应，
同步相关负责人并启动问题处理流程，24小时内给予初步解决方案").

:func:`ticket_triggers` is pure: given a completed response's item scores (0-100), its NPS answer
(0-10) and its index (0-100), it lists what calls for a ticket under a :class:`SurveyRule`:

- any rated item scored at or below ``max_item_score`` (default 40: "2 of 5" on a 1-5 scale
  scored by ratio, 不满意 on seed 000's 10/8/6/4/2 scale; a 1-5 scale scored by range puts 2 at 25);
- an NPS answer at or below ``max_nps`` (default 6: a detractor);
- an index below ``min_index`` (default 60).

Each threshold can be switched off with None. Comparisons forgive float noise the way scoring
does (``EDGE_TOLERANCE``): an item at 40.00000000001 still counts as 40.

:func:`open_ticket_for_response` opens the ticket linked to the response, on the channel
"survey answer" (its SLA policy has seed 004's 1 hour / 24 hours), at most once per response:
the link is unique, so a second call (or a concurrent one) returns the ticket already there.
The thresholds come from the rule an administrator edits (``SurveyTicketRule``, in the admin);
without one from ``settings.TICKET_SURVEY_RULE`` (a dict with the field names) when set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from manyi.analytics.scoring import EDGE_TOLERANCE

ITEM, NPS, INDEX = "item", "nps", "index"


@dataclass(frozen=True)
class SurveyRule:
    max_item_score: float | None = 40.0
    max_nps: int | None = 6
    min_index: float | None = 60.0

    def __post_init__(self):
        for name, low, high in (("max_item_score", 0, 100), ("max_nps", 0, 10), ("min_index", 0, 100)):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
                raise ValueError(f"{name} must be a number or None")
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low} and {high}")

    @classmethod
    def from_settings(cls) -> SurveyRule:
        configured = getattr(settings, "TICKET_SURVEY_RULE", None) or {}
        known = {f.name for f in fields(cls)}
        unknown = set(configured) - known
        if unknown:
            raise ValueError(f"Unknown TICKET_SURVEY_RULE keys: {', '.join(sorted(unknown))}")
        return cls(**configured)

    @classmethod
    def current(cls) -> SurveyRule:
        """The administrator's rule when there is one, else the settings' (one query)."""
        from .models import SurveyTicketRule

        row = SurveyTicketRule.objects.values(*(f.name for f in fields(cls))).first()
        return cls(**row) if row is not None else cls.from_settings()


@dataclass(frozen=True)
class Trigger:
    kind: str  # ITEM / NPS / INDEX
    value: float
    item: str = ""  # the item key for ITEM


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def ticket_triggers(
    item_scores: Mapping[str, float | None],
    nps: int | None,
    index: float | None,
    rule: SurveyRule = SurveyRule(),  # frozen, so one shared default is safe
) -> list[Trigger]:
    """What in one response calls for a ticket (empty: nothing). Items in key order."""
    triggers = []
    if rule.max_item_score is not None:
        for key in sorted(item_scores or {}, key=str):
            score = _number(item_scores[key])
            if score is not None and score <= rule.max_item_score + EDGE_TOLERANCE:
                triggers.append(Trigger(ITEM, score, str(key)))
    nps_value = _number(nps)
    if rule.max_nps is not None and nps_value is not None and nps_value <= rule.max_nps:
        triggers.append(Trigger(NPS, nps_value))
    index_value = _number(index)
    if (
        rule.min_index is not None
        and index_value is not None
        and index_value < rule.min_index - EDGE_TOLERANCE
    ):
        triggers.append(Trigger(INDEX, index_value))
    return triggers


def describe(trigger: Trigger, item_names: Mapping[str, str] | None = None) -> str:
    if trigger.kind == ITEM:
        name = (item_names or {}).get(trigger.item) or trigger.item
        return _("%(item)s scored %(score)s of 100") % {"item": name, "score": f"{trigger.value:g}"}
    if trigger.kind == NPS:
        return _("Would recommend us %(score)s of 10") % {"score": f"{trigger.value:g}"}
    return _("Satisfaction index %(index)s") % {"index": f"{trigger.value:.1f}"}


def _item_names(response):
    """Item key (question or matrix row code, as in ``item_scores``) → the text respondents saw."""
    names = {}
    for question in response.questionnaire.questions.prefetch_related("rows"):
        names[question.code or str(question.pk)] = question.text
        for row in question.rows.all():
            names[row.code] = f"{question.text} — {row.text}"
    return names


def _open_answers(response):
    return [
        f"{answer.question.text}: {answer.text.strip()}"
        for answer in response.answers.select_related("question").order_by("question__position", "pk")
        if answer.text and answer.text.strip()
    ]


def _contact(response):
    """(name, phone, e-mail) to answer the customer within the hour: the invited contact, else
    the customer's primary contact, else the customer's own phone and e-mail."""
    invitation, customer = response.invitation, response.customer
    contact = invitation.contact if invitation is not None else None
    if contact is None and customer is not None:
        contact = customer.contacts.first()  # the primary contact first
    name = contact.name if contact else ""
    phone = (contact.phone if contact else "") or (customer.phone if customer else "")
    email = (
        (invitation.email if invitation else "")
        or (contact.email if contact else "")
        or (customer.email if customer else "")
    )
    return name, phone, email


def calls_for_ticket(response, rule=None):
    """True when the scored response's answers call for a ticket (checked in memory)."""
    rule = rule or SurveyRule.current()
    return bool(ticket_triggers(response.item_scores, response.nps, response.index, rule))


def open_pending_tickets(now=None, limit=1000):
    """Open the tickets of responses marked `ticket_pending` and clear the mark; returns how
    many tickets were opened. Run by `manage.py periodic`; safe to run twice or at once."""
    from manyi.campaigns.models import Response

    opened = 0
    pending = (
        Response.objects.filter(ticket_pending=True)
        .select_related("campaign", "customer", "invitation__contact")
        .order_by("pk")[:limit]
    )
    rule = SurveyRule.current()
    for response in pending:
        _ticket, created = open_ticket_for_response(response, rule=rule, now=now)
        opened += int(created)
        Response.objects.filter(pk=response.pk).update(ticket_pending=False)
    return opened


def open_ticket_for_response(response, rule=None, now=None):
    """(ticket, created): the ticket of a completed response that calls for one, else (None, False)."""
    from manyi.campaigns.choices import ResponseStatus

    from .choices import Channel
    from .models import Ticket
    from .workflow import open_ticket

    existing = Ticket.objects.filter(response=response).first()
    if existing is not None:
        return existing, False
    if response.status != ResponseStatus.COMPLETED:
        return None, False
    rule = rule or SurveyRule.current()
    triggers = ticket_triggers(response.item_scores, response.nps, response.index, rule)
    if not triggers:
        return None, False
    names = _item_names(response)
    lines = [
        _("Survey “%(campaign)s”, response #%(pk)s.") % {"campaign": response.campaign, "pk": response.pk}
    ]
    lines += [f"- {describe(trigger, names)}" for trigger in triggers]
    answers = _open_answers(response)
    if answers:
        lines.append(_("Open answers:"))
        lines += [f"- {text}" for text in answers]
    contact_name, contact_phone, contact_email = _contact(response)
    try:
        with transaction.atomic():
            ticket = open_ticket(
                by=None,
                channel=Channel.SURVEY,
                subject=_("Low score in “%(campaign)s”") % {"campaign": response.campaign},
                description="\n".join(lines),
                received_at=response.completed_at,
                customer=response.customer,
                contact_name=contact_name,
                contact_phone=contact_phone,
                contact_email=contact_email,
                response=response,
                now=now,
            )
    except IntegrityError:
        # Opened meanwhile by another worker: the response link is unique.
        return Ticket.objects.get(response=response), False
    return ticket, True
