from django import template

register = template.Library()


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (rounded up), for messages like “try again in 15 minutes”."""
    if delta is None:
        return ""
    return -(-int(delta.total_seconds()) // 60)
