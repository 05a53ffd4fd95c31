from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value):
    """1234.5 -> ¥1,234.50: amounts in CNY, grouped by thousands as Chinese finance writes them."""
    try:
        return f"¥{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""
