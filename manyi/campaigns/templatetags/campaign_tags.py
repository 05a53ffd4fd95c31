from django import template

from ..home import running_campaigns

register = template.Library()


@register.inclusion_tag("campaigns/_home.html", takes_context=True)
def campaigns_today_panel(context):
    """The home page's part on surveys: the campaigns taking answers now."""
    return {"campaigns": running_campaigns(context["request"].user), "can": context.get("can")}
