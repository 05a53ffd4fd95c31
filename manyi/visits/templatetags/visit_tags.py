from django import template

from ..models import VisitPreference

register = template.Library()


@register.simple_tag
def visits_after_warranty(customer):
    """Whether the customer asked for routine visits after the warranty (seed 000)."""
    return VisitPreference.objects.filter(customer=customer, visits_after_warranty=True).exists()
