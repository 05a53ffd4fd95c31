from django import template

from ..masking import mask_email, mask_phone

register = template.Library()


@register.filter
def phone(value, show_personal):
    """{{ customer.phone|phone:show_personal }}: the number, or 138****5678."""
    return value if show_personal else mask_phone(value or "")


@register.filter
def email(value, show_personal):
    return value if show_personal else mask_email(value or "")
