"""A ticket's topic (issue 18): suggested from the customer's words when it is recorded, confirmed
or changed by a person, and those choices given to the topic rule as examples.

The rule is ``results.topics`` (over ``analytics.topics``); the customer's words are the ones
``feedback_classifier.customer_words`` reads for the actionable flag (a survey ticket's open
answers, not the description the system wrote; phones and e-mail addresses left out), so topic
and actionable are decided on the same text.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.results import topics as topic_rule
from manyi.results.models import Topic

from .choices import EventKind
from .feedback_classifier import customer_words
from .models import Ticket, TicketError

MAX_EXAMPLES = 20_000  # the newest choices a retraining learns from


def suggested_topic(ticket):
    """The active topic the rule suggests for the ticket's customer words (None: no words)."""
    return topic_rule.suggest(customer_words(ticket))


def apply_suggestion(ticket, topic=None, by=None, now=None):
    """Set the topic of a ticket being recorded (not saved here): the suggestion, kept as such;
    or ``topic`` when the person recording it chose one (kept as their choice)."""
    if topic is not None and not (isinstance(topic, Topic) and topic.is_active):
        raise TicketError(_("Choose an active topic."))
    suggestion = suggested_topic(ticket)
    ticket.topic_suggested = suggestion
    ticket.topic = topic or suggestion
    if topic is not None and by is not None:
        ticket.topic_chosen_by = by
        ticket.topic_chosen_at = now or timezone.now()


def choose_topic(ticket, by, topic, now=None):
    """A person confirms the suggested topic or changes it (the "classify" change of
    workflow.CHANGES: who may classify the ticket, while it is open). Records the change."""
    from .workflow import _locked_for, _refuse, change_refusal

    now = now or timezone.now()
    _refuse(change_refusal(ticket, by, "classify"))
    if not (isinstance(topic, Topic) and topic.is_active):
        raise TicketError(_("Choose an active topic."))
    with transaction.atomic():
        t = _locked_for(ticket, by, "classify")
        confirmed = topic.pk == t.topic_suggested_id
        t.topic, t.topic_chosen_by, t.topic_chosen_at = topic, by, now
        t.save(update_fields=["topic", "topic_chosen_by", "topic_chosen_at"])
        note = (_("Topic confirmed: %(value)s") if confirmed else _("Topic: %(value)s")) % {
            "value": topic.name
        }
        t.record_event(EventKind.CHANGE, note, by=by, at=now)
    ticket.take_values_of(t)
    return ticket


def confirmed_examples(until):
    """(customer words, topic code) of the tickets whose topic a person chose up to ``until``,
    newest first: the examples the topic rule's retraining learns from."""
    tickets = (
        Ticket.objects.filter(topic__isnull=False, topic_chosen_by__isnull=False, topic_chosen_at__lte=until)
        .select_related("topic", "response")
        .prefetch_related("response__answers")
        .order_by("-topic_chosen_at", "-pk")[:MAX_EXAMPLES]
    )
    for ticket in tickets:
        words = customer_words(ticket)
        if words and words.strip():
            yield words, ticket.topic.code
