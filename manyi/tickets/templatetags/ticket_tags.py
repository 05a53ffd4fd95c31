from django import template

from ..home import tickets_today

register = template.Library()


@register.inclusion_tag("tickets/_home.html", takes_context=True)
def tickets_today_panel(context):
    """The home page's part on complaints: the signed-in user's ticket queues and next tickets."""
    return {"tickets": tickets_today(context["request"].user)}
