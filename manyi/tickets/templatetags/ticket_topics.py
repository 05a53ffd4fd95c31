from django import template

from manyi.results.models import Topic

register = template.Library()


@register.inclusion_tag("tickets/_topic.html", takes_context=True)
def ticket_topic(context, ticket):
    """The ticket page's topic row: the topic, whether a person chose it or the rule suggested
    it, and (for who may classify the open ticket) the form to confirm or change it."""
    allowed = context.get("allowed") or ()
    may_choose = "classify" in allowed
    return {
        "ticket": ticket,
        "may_choose": may_choose,
        "topics": list(Topic.objects.active()) if may_choose else [],
        "csrf_token": context.get("csrf_token"),
    }
