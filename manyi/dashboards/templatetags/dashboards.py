"""Number formatting for dashboards: fixed decimals, signed changes, filter query strings."""

import math

from django import template
from django.utils.http import urlencode

register = template.Library()


def _number(value):
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@register.filter
def decimal(value, places=1):
    """12.345|decimal:1 → "12.3"; None or NaN → "" (so |default can show a dash)."""
    number = _number(value)
    return "" if number is None else f"{number:.{int(places)}f}"


@register.filter
def signed(value, places=1):
    """A change with its sign: +1.2, −0.4, 0.0."""
    number = _number(value)
    if number is None:
        return ""
    text = f"{abs(number):.{int(places)}f}"
    if float(text) == 0:
        return text
    return ("+" if number > 0 else "−") + text


@register.filter
def urlencode_pairs(pairs):
    """A dict of filter values as a query string."""
    return urlencode(pairs or {})


@register.filter
def percent(value, places=1):
    """A share on 0..1 as per cent: 0.256|percent:1 → "25.6%"."""
    number = _number(value)
    return "" if number is None else f"{100 * number:.{int(places)}f}%"


@register.filter
def clamp_index(value):
    """An interval end on the 0-100 index scale: a t interval on few answers can pass the ends."""
    number = _number(value)
    return None if number is None else min(100.0, max(0.0, number))
