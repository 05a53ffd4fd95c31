from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from manyi.accounts import permissions
from manyi.accounts.models import Department, User
from manyi.customers.models import Customer
from manyi.customers.validators import normalize_phone
from manyi.forms import StyledFormMixin, parse_id
from manyi.organisation.access import limit_to_units, visible_people
from manyi.results.models import Topic

from .callback import MAX_COMMENT
from .choices import (
    ActionKind,
    CallbackRating,
    Channel,
    Demand,
    Priority,
    ReplyMethod,
    Severity,
    TicketState,
    Validity,
)
from .models import Category, Ticket
from .public_forms import category_choices
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
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        required=False,
        help_text=_("Leave empty to take the topic suggested from the description; the handler confirms it."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # who records it: customers are looked up within their unit
        self.fields["topic"].queryset = Topic.objects.active()
        # The suggestion under the form follows the description as it is typed (topic_views).
        self.fields["description"].widget.attrs |= {
            "hx-get": reverse("tickets:topic_suggestion"),
            "hx-trigger": "input changed delay:600ms, change",
            "hx-target": "#topic-suggestion",
            "hx-swap": "outerHTML",
        }
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        # In tree order (物业管理 then its branches), not by position across all levels.
        self.fields["category"].choices = [("", "—"), *category_choices()]
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_customer_code(self):
        code = self.cleaned_data["customer_code"].strip()
        if not code:
            return None
        # An erased customer (personal data removed on request) takes no new feedback, as in the API.
        # Another organisation unit's customer is no customer of this user's (organisation/access.py).
        user = getattr(self, "user", None)
        customers = Customer.objects.for_user(user) if user is not None else Customer.objects.all()
        customer = customers.filter(code=code, erased_at__isnull=True).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this code."))
        return customer

    def clean_contact_phone(self):
        # One spelling (13812345678, 0571-88886666), as the public form and the API store it:
        # the queue search finds the caller whichever way the number was typed.
        return normalize_phone(self.cleaned_data["contact_phone"])


class NoteForm(forms.Form):
    note = forms.CharField(max_length=MAX_NOTE, required=False)


# The transition forms' errors are shown one line above the page (labels name the field when
# the message alone would not); a browser's `required` does not stop a note of spaces.


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.filter(is_active=True),
        error_messages={"required": _("Choose a department.")},
    )
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none(), required=False)
    note = forms.CharField(max_length=MAX_NOTE, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Another region's staff are not offered, nor accepted when posted (organisation/access.py).
        self.fields["assignee"].queryset = visible_people(user)


class InvalidForm(forms.Form):
    note = forms.CharField(
        max_length=MAX_NOTE, error_messages={"required": _("Give the reason the feedback is not valid.")}
    )
    validity = forms.ChoiceField(
        label=_("Validity"),
        choices=[
            (Validity.INVALID.value, Validity.INVALID.label),
            (Validity.ABNORMAL.value, Validity.ABNORMAL.label),
        ],
    )


class DuplicateForm(forms.Form):
    original = forms.CharField(
        max_length=20, error_messages={"required": _("Give the reference of the ticket this one repeats.")}
    )
    note = forms.CharField(max_length=MAX_NOTE, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_original(self):
        """A ticket of the organisation units the user sees (organisation/access.py): another
        region's ticket is not found, as on its page."""
        reference = self.cleaned_data["original"].strip().upper()
        tickets = limit_to_units(Ticket.objects.all(), self.user, "unit")
        ticket = tickets.filter(reference=reference).first()
        if ticket is None:
            raise forms.ValidationError(_("No ticket has this reference."))
        return ticket


class ReplyForm(forms.Form):
    method = forms.ChoiceField(label=_("Reply"), choices=ReplyMethod.choices)
    note = forms.CharField(
        max_length=MAX_NOTE, error_messages={"required": _("Write the reply to the customer.")}
    )


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

    field_order = ["kind", "owner", "deadline", "description"]

    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices, initial=ActionKind.CORRECTIVE)
    description = forms.CharField(
        label=pgettext_lazy("corrective action", "Action details"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = visible_people(user).select_related("department")
        self.fields["owner"].label_from_instance = lambda user: " · ".join(
            str(part) for part in (user.display_name, user.department) if part
        )


class InternalNoteForm(forms.Form):
    note = forms.CharField(max_length=MAX_NOTE, error_messages={"required": _("Write the note.")})


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
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["category"].choices = [("", "—"), *category_choices()]

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


class ContactForm(StyledFormMixin, forms.Form):
    """The customer and contact of a ticket, corrected after intake."""

    customer_code = IntakeForm.base_fields["customer_code"]
    contact_name = IntakeForm.base_fields["contact_name"]
    contact_phone = IntakeForm.base_fields["contact_phone"]
    contact_email = IntakeForm.base_fields["contact_email"]

    clean_customer_code = IntakeForm.clean_customer_code
    clean_contact_phone = IntakeForm.clean_contact_phone

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    @classmethod
    def for_ticket(cls, ticket):
        return cls(
            initial={
                "customer_code": ticket.customer.code if ticket.customer else "",
                "contact_name": ticket.contact_name,
                "contact_phone": ticket.contact_phone,
                "contact_email": ticket.contact_email,
            },
            auto_id="contact_%s",
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
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    note = forms.CharField(max_length=MAX_NOTE, required=False)

    def __init__(self, data, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["assignee"].queryset = visible_people(user)
        # Any id is accepted here; the view looks each one up among the visible tickets.
        self.fields["tickets"].valid_value = lambda value: parse_id(str(value)) is not None


class TicketFilterForm(forms.Form):
    """The queue page's filters; every field optional, all of them combine."""

    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Reference, subject or customer")}),
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *TicketState.choices], required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("All")), *Severity.choices], required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("All")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All")), *Channel.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("All"),
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is None or not user.can(permissions.VIEW_PERSONAL_DATA):
            self.fields["q"].widget.attrs["title"] = _(
                "Reference, subject or customer; phone numbers and e-mail addresses are not searched."
            )
        self.fields["category"].queryset = Category.objects.all()
        self.fields["category"].choices = [("", _("All")), *category_choices(active=False)]
        for field in self.fields.values():
            widget = field.widget
            widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        for name in ("received_from", "received_to"):
            value = cleaned.get(name)
            # Outside these years a day has no neighbour (date.max + 1 day is an error).
            if value is not None and not 1900 <= value.year <= 2999:
                self.add_error(name, _("Choose dates from 1900 to 2999."))
        if start and end and start > end:
            self.add_error("received_to", _("The end date must not be before the start date."))
        return cleaned

    def chosen(self):
        """The filters that are set, as query-string pairs (for links that keep them)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: self.data[name] for name in self.fields if self.data.get(name)}

    def apply(self, tickets):
        """``tickets`` narrowed by the valid filters (call after is_valid())."""
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            personal = self.user is not None and self.user.can(permissions.VIEW_PERSONAL_DATA)
            found = (
                Q(reference__icontains=text)
                | Q(customer__name__icontains=text)
                | Q(customer__code__iexact=text)
                | Q(customer_given__icontains=text)
            )
            # A subject can quote a phone or an address (public feedback): searched by digits or
            # an @ only by who may see them, or the search would tell whose number it is.
            if personal or not any(ch.isdigit() or ch == "@" for ch in text):
                found |= Q(subject__icontains=text)
            if personal:
                found |= Q(contact_name__icontains=text) | Q(contact_phone__icontains=text)
            tickets = tickets.filter(found)
        for name in ("state", "severity", "channel", "department"):
            if data.get(name):
                tickets = tickets.filter(**{name: data[name]})
        if data.get("priority") is not None:
            tickets = tickets.filter(priority=data["priority"])
        if data.get("category"):
            # A category stands for its whole branch: 物业管理 finds 物业管理 › 房屋管理 too.
            branch = _category_branch(data["category"])
            tickets = tickets.filter(category__in=branch)
        zone = timezone.get_current_timezone()
        if data.get("received_from"):
            tickets = tickets.filter(
                received_at__gte=datetime.combine(data["received_from"], time.min, tzinfo=zone)
            )
        if data.get("received_to"):
            end = data["received_to"] + timedelta(days=1)
            tickets = tickets.filter(received_at__lt=datetime.combine(end, time.min, tzinfo=zone))
        return tickets


def _category_branch(root):
    """The ids of ``root`` and every category below it (the tree is small: one query)."""
    children = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    branch, todo = set(), [root.pk]
    while todo:
        pk = todo.pop()
        if pk not in branch:
            branch.add(pk)
            todo.extend(children.get(pk, ()))
    return branch
