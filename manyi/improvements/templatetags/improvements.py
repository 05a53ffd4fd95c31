"""``{% improvements_of_ticket ticket as linked %}`` for the ticket page's include, so the
tickets app needs no change to its view."""

from django import template

from manyi.accounts import permissions

from ..choices import OPEN_STATUSES, Status
from ..home import actions_today
from ..models import ImprovementAction

register = template.Library()


@register.simple_tag(takes_context=True)
def improvements_of_ticket(context, ticket):
    user = context["request"].user
    if not user.can(permissions.VIEW_IMPROVEMENTS):
        return {"visible": False}
    visible = ImprovementAction.objects.for_user(user)
    may_raise = user.can(permissions.MANAGE_IMPROVEMENTS)
    linked = list(visible.filter(tickets=ticket))
    others = []
    if may_raise:
        others = list(
            visible.filter(status__in=[*OPEN_STATUSES, Status.DONE]).exclude(pk__in=[i.pk for i in linked])[
                :100
            ]
        )
    return {"visible": True, "improvements": linked, "may_raise": may_raise, "open_improvements": others}


@register.inclusion_tag("improvements/_home.html", takes_context=True)
def actions_today_panel(context):
    """The home page's part on the actions the signed-in user owns."""
    return {"actions": actions_today(context["request"].user)}
