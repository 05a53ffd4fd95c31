from django import template
from django.utils import timezone

from ..home import visits_today
from ..models import VisitPreference

register = template.Library()


@register.simple_tag
def visits_after_warranty(customer):
    """Whether the customer asked for routine visits after the warranty (seed 000)."""
    return VisitPreference.objects.filter(customer=customer, visits_after_warranty=True).exists()


@register.inclusion_tag("visits/_home.html", takes_context=True)
def visits_today_panel(context):
    """The home page's part on return visits: what the signed-in user has to do today."""
    today = timezone.localdate()
    return {"visits": visits_today(context["request"].user, today), "today": today, "can": context.get("can")}
