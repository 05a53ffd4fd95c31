from django import template

from .. import masking

register = template.Library()


@register.filter
def phone(value, show_personal):
    """{{ customer.phone|phone:show_personal }}: the number, or 138****5678."""
    return value if show_personal else masking.mask_phone(value or "")


@register.filter
def email(value, show_personal):
    return value if show_personal else masking.mask_email(value or "")


@register.filter
def private_text(value, reader):
    """{{ ticket.description|private_text:user|linebreaksbr }}: free text a customer or staff
    member wrote, with the phones and e-mail addresses in it masked unless `reader` (the user,
    or an already decided show_personal) may see personal data. The result is plain text, so
    it is escaped like any other; put it before filters such as linebreaksbr."""
    return masking.private_text(value, reader)
