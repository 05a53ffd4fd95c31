"""Forms of the public feedback pages (/feedback/): what a customer is asked, and the status check.

Seed 002's 客户投诉记录单 asks for the customer, how to reach them, what happened and what they
want (客户诉求: 派人到现场、补货、换货、退货、索赔); the rest (severity, validity, department) is
decided by the staff afterwards.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from manyi.customers.validators import normalize_phone
from manyi.forms import StyledFormMixin, parse_id

from . import attachments
from .choices import Demand
from .models import REFERENCE_PREFIX, Category

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
# The honeypot: a field people never see (hidden by the page's style) but form-filling bots do.
HONEYPOT = "website"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by ``attachments.check_uploads``."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


def category_choices(active=True, customers=False):
    """The active category tree as (pk, "产品质量" / "物业管理 › 房屋管理"), in tree order.

    A child of an inactive parent is left out: the tree shown is the one in use. ``active``
    False: every category (the queue filters find tickets of retired categories too).
    ``customers``: the choices of the public form, without the staff-only categories.
    """
    categories = Category.objects.select_related("parent")
    if active:
        categories = categories.filter(is_active=True)
    if customers:
        categories = categories.for_customers()
    categories = list(categories)
    by_pk = {category.pk: category for category in categories}
    rows = []
    for category in categories:
        chain = category.ancestors_and_self()
        if any(node.pk not in by_pk for node in chain):
            continue
        rows.append(([(node.position, node.code) for node in chain], category.pk, str(category)))
    rows.sort()
    return [(str(pk), label) for _key, pk, label in rows]


class FeedbackForm(StyledFormMixin, forms.Form):
    """The customer's feedback: who, how to reach them, what happened, what they want."""

    contact_name = forms.CharField(label=_("Your name"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Mobile or telephone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("For example 13812345678 or 0571-88886666."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Give a phone number, an e-mail address or both."),
    )
    customer_code = forms.CharField(
        label=_("Company or customer code"),
        max_length=200,
        required=False,
        help_text=_("Optional: your company's name, or the customer code on your contract or invoice."),
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=(),
        error_messages={"invalid_choice": _("Choose one of the listed topics.")},
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX}),
        help_text=_("What, when and where, in at least 10 characters."),
    )
    demand = forms.ChoiceField(
        label=_("What would you like us to do?"),
        choices=[("", _("Nothing in particular")), *Demand.choices],
        required=False,
    )
    order = forms.CharField(
        label=_("Order number or product"),
        max_length=200,
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        help_text=_("Optional: up to %(count)s photos (JPEG, PNG, WebP) or PDF files, %(size)s MB each."),
    )
    submission_id = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This form is incomplete. Please send it again."),
            "invalid": _("This form is incomplete. Please send it again."),
        },
    )
    website = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = category_choices(customers=True)
        self.fields["category"].choices = [("", "—"), *choices]
        # Without an active category there is nothing to choose; the staff classify later.
        self.fields["category"].required = bool(choices)
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())
        field = self.fields["attachments"]
        field.help_text = field.help_text % {
            "count": attachments.max_files(),
            "size": attachments.max_bytes() // (1024 * 1024),
        }

    @property
    def honeypot(self):
        return self[HONEYPOT]

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != HONEYPOT]

    def clean_contact_name(self):
        name = " ".join(self.cleaned_data["contact_name"].split())
        if not name:
            raise ValidationError(_("Please tell us your name."))
        return name

    def clean_contact_phone(self):
        return normalize_phone(self.cleaned_data["contact_phone"])

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_customer_code(self):
        return " ".join(self.cleaned_data["customer_code"].split())

    def clean_category(self):
        value = self.cleaned_data["category"]
        if not value:
            return None
        pk = parse_id(value)
        listed = Category.objects.filter(is_active=True).for_customers()
        category = listed.filter(pk=pk).first() if pk is not None else None
        if category is None:
            raise ValidationError(_("Choose one of the listed topics."))
        return category

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if len(text) < DESCRIPTION_MIN:
            raise ValidationError(
                _("Please describe what happened in at least %(count)s characters.")
                % {"count": DESCRIPTION_MIN}
            )
        return text

    def clean_attachments(self):
        """The checked files (``attachments.CheckedFile``); a refused file refuses the form."""
        try:
            return attachments.check_uploads(self.cleaned_data["attachments"])
        except attachments.AttachmentError as error:
            raise ValidationError(" ".join((str(error), str(_("Please choose the files again."))))) from error

    def clean_order(self):
        return " ".join(self.cleaned_data["order"].split())

    def clean_website(self):
        if self.cleaned_data[HONEYPOT].strip():
            raise ValidationError(_("Your feedback could not be accepted. Please try again."))
        return ""

    def clean(self):
        data = super().clean()
        phone_given = (self.data.get("contact_phone") or "").strip()
        email_given = (self.data.get("contact_email") or "").strip()
        if not phone_given and not email_given:
            raise ValidationError(
                _("Give a phone number or an e-mail address so that we can reply to you."),
                code="no_contact",
            )
        return data

    def error_summary(self):
        """Every message once, field order, for the box at the top of the page."""
        messages = []
        for errors in self.errors.values():
            for message in errors:
                if message not in messages:
                    messages.append(message)
        return messages


def normalize_reference(value):
    """“fk-2026-123”, “FK2026000123” → “FK-2026-000123”; anything else is returned upper-cased."""
    text = "".join((value or "").split()).upper().replace("－", "-")
    prefix = REFERENCE_PREFIX
    rest = text.removeprefix(prefix).strip("-")
    year, _dash, number = rest.partition("-")
    if not _dash and len(rest) > 4:
        year, number = rest[:4], rest[4:]
    serial = parse_id(number) if len(number) <= 6 else None
    if len(year) == 4 and parse_id(year) is not None and serial is not None:
        return f"{prefix}-{year}-{serial:06d}"
    return text


class StatusForm(StyledFormMixin, forms.Form):
    """The acknowledgement number and something only the customer knows."""

    reference = forms.CharField(
        label=_("Acknowledgement number"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "FK-2026-000123", "autocapitalize": "characters"}),
    )
    secret = forms.CharField(
        label=_("Check code, or the phone or e-mail you gave"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
        help_text=_("The check code was shown after you sent your feedback and sent to your e-mail."),
    )

    def clean_reference(self):
        return normalize_reference(self.cleaned_data["reference"])

    def clean_secret(self):
        return self.cleaned_data["secret"].strip()
