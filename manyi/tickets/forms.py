from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import Department, User
from manyi.customers.models import Customer
from manyi.forms import StyledFormMixin

from .choices import Channel, Demand, Severity, Validity
from .models import Category, Ticket
from .workflow import MAX_NOTE

# What an agent records by hand; e-mail, web form, survey and API tickets arrive by themselves.
RECORDED_CHANNELS = (Channel.PHONE, Channel.ON_SITE, Channel.WECHAT, Channel.SOCIAL, Channel.EMAIL)


class IntakeForm(StyledFormMixin, forms.Form):
    """The agent's intake form (客户投诉记录单)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in RECORDED_CHANNELS])
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    customer_code = forms.CharField(
        label=_("Customer code"),
        max_length=50,
        required=False,
        help_text=_("Leave empty for an anonymous caller."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL)
    demand = forms.ChoiceField(
        label=_("Customer demand"), choices=[("", "—"), *Demand.choices], required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent")
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_customer_code(self):
        code = self.cleaned_data["customer_code"].strip()
        if not code:
            return None
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this code."))
        return customer


class NoteForm(forms.Form):
    note = forms.CharField(max_length=MAX_NOTE, required=False)


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.filter(is_active=True))
    assignee = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    note = forms.CharField(max_length=MAX_NOTE, required=False)


class InvalidForm(forms.Form):
    note = forms.CharField(max_length=MAX_NOTE)
    validity = forms.ChoiceField(
        choices=[
            (Validity.INVALID.value, Validity.INVALID.label),
            (Validity.ABNORMAL.value, Validity.ABNORMAL.label),
        ]
    )


class DuplicateForm(forms.Form):
    original = forms.CharField(max_length=20)
    note = forms.CharField(max_length=MAX_NOTE, required=False)

    def clean_original(self):
        reference = self.cleaned_data["original"].strip().upper()
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is None:
            raise forms.ValidationError(_("No ticket has this reference."))
        return ticket


# The form each transition posts (None: nothing but the button).
TRANSITION_FORMS = {
    "acknowledge": NoteForm,
    "assign": AssignForm,
    "investigate": NoteForm,
    "plan_actions": NoteForm,
    "reply": NoteForm,
    "verify": NoteForm,
    "close": NoteForm,
    "reopen": NoteForm,
    "close_invalid": InvalidForm,
    "close_duplicate": DuplicateForm,
}

# The transitions whose note is required (the verb says so too; this only shapes the page).
NOTE_REQUIRED = {"plan_actions", "reply", "reopen", "close_invalid"}
