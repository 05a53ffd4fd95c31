"""A ticket's topic (issue 18): suggested from the customer's words when it is recorded, confirmed
or changed by a person, and those choices given to the topic rule as examples.

The rule is ``results.topics`` (over ``analytics.topics``); the customer's words are the ones
``feedback_classifier.customer_words`` reads for the actionable flag (a survey ticket's open
answers, not the description the system wrote; phones and e-mail addresses left out), so topic
and actionable are decided on the same text.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.results import topics as topic_rule
from manyi.results.models import Topic

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
