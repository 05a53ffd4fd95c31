from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import Department, User
from manyi.customers.models import Customer
from manyi.forms import StyledFormMixin

from .callback import MAX_COMMENT
from .choices import ActionKind, CallbackRating, Channel, Demand, ReplyMethod, Severity, Validity
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


class ReplyForm(forms.Form):
    method = forms.ChoiceField(label=_("Reply"), choices=ReplyMethod.choices)
    note = forms.CharField(label=_("Reply to the customer"), max_length=MAX_NOTE)


# The form each transition posts (None: nothing but the button).
TRANSITION_FORMS = {
    "acknowledge": NoteForm,
    "assign": AssignForm,
    "investigate": NoteForm,
    "plan_actions": NoteForm,
    "reply": ReplyForm,
    "verify": NoteForm,
    "close": NoteForm,
    "reopen": NoteForm,
    "close_invalid": InvalidForm,
    "close_duplicate": DuplicateForm,
}

# The transitions whose note is required (the verb says so too; this only shapes the page).
NOTE_REQUIRED = {"plan_actions", "reply", "reopen", "close_invalid"}


# --------------------------------------------------------------------------- the detail page's other forms


class ActionForm(StyledFormMixin, forms.Form):
    """A corrective or preventive action: what, who, by when."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices, initial=ActionKind.CORRECTIVE)
    description = forms.CharField(
        label=_("Action"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).select_related("department")
        self.fields["owner"].label_from_instance = lambda user: " · ".join(
            str(part) for part in (user.display_name, user.department) if part
        )


class ActionResultForm(forms.Form):
    result = forms.CharField(label=_("What was done"), max_length=MAX_NOTE)


class ActionVerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Effective"),
        choices=[("yes", _("Effective")), ("no", _("Not effective"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=_("Note"), max_length=MAX_NOTE, required=False)


class ActionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_NOTE)


class ClassifyForm(StyledFormMixin, forms.Form):
    """Category, severity, validity (判定) with its reason, and what the customer asks for."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    validity = forms.ChoiceField(label=_("Validity"), choices=[("", "—"), *Validity.choices], required=False)
    validity_reason = forms.CharField(
        label=_("Reason for the validity"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    demand = forms.ChoiceField(
        label=_("Customer demand"), choices=[("", "—"), *Demand.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related("parent")

    @classmethod
    def for_ticket(cls, ticket):
        return cls(
            initial={
                "category": ticket.category_id,
                "severity": ticket.severity,
                "validity": ticket.validity,
                "validity_reason": ticket.validity_reason,
                "demand": ticket.demand,
            },
            auto_id="classify_%s",
        )


class CallbackAnswerForm(forms.Form):
    """The one question of the satisfaction callback (on the public page and from a phone call)."""

    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling of your feedback?"),
        choices=CallbackRating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to add? (optional)"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BulkAssignForm(forms.Form):
    tickets = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Select the tickets to assign.")}
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True),
        error_messages={"required": _("Choose a department.")},
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    note = forms.CharField(max_length=MAX_NOTE, required=False)

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Any id is accepted here; the view looks each one up among the visible tickets. Not
        # more digits than a database id has: SQLite cannot even compare a larger number.
        self.fields["tickets"].valid_value = lambda value: str(value).isdigit() and len(str(value)) <= 18
