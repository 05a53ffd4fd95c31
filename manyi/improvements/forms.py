import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from manyi.accounts import permissions as perms
from manyi.accounts.models import Department, User
from manyi.forms import StyledFormMixin
from manyi.organisation.access import assignable_units, sees_everything, visible_people
from manyi.organisation.forms import UnitChoiceField
from manyi.organisation.models import Unit
from manyi.tickets.models import Category, Ticket
from manyi.tickets.public_forms import category_choices

from .choices import OPEN_STATUSES, Source, Status
from .workflow import MAX_TEXT, MAX_TICKETS, OWNER_FIELDS

REFERENCE = re.compile(r"FK-\d{4}-\d{6}", re.IGNORECASE)


def improvement_owners(user, keep=None):
    """Active people who may carry out improvements (handlers, supervisors, administrators),
    among those the user may pick: their units' and the group's, never another region's (the
    workflow still refuses an owner who would not see the improvement's unit). `keep`: the
    current owner stays listed. A queryset, to validate a posted choice against."""
    roles = {*perms.roles_with(perms.WORK_IMPROVEMENTS), *perms.roles_with(perms.MANAGE_IMPROVEMENTS)}
    owners = User.objects.filter(is_active=True, role__in=sorted(roles))
    return visible_people(user, owners, keep=keep).select_related("department")


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.display_name} · {user.department}" if user.department else user.display_name


def _text(label, required=False, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ImprovementForm(StyledFormMixin, forms.Form):
    """Raise (or, for a manager, edit) an improvement action."""

    title = forms.CharField(label=pgettext_lazy("improvement", "Title"), max_length=200)
    problem = _text(_("Problem statement"), required=True)
    source = forms.ChoiceField(label=_("Raised from"), choices=Source.choices, initial=Source.OTHER)
    tickets = forms.CharField(
        label=_("Linked tickets"),
        required=False,
        max_length=MAX_TICKETS * 20,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ticket references, e.g. FK-2026-000012, separated by spaces or commas."),
    )
    category = forms.ModelChoiceField(
        label=_("Complaint category"), queryset=Category.objects.none(), required=False
    )
    campaign = forms.ModelChoiceField(label=_("Survey campaign"), queryset=None, required=False)
    item_key = forms.CharField(
        label=_("Item or dimension code"),
        max_length=40,
        required=False,
        help_text=_("The question, matrix row or dimension code as the dashboard shows it, e.g. Q3 or D2."),
    )
    root_cause = _text(_("Root cause"))
    measures = _text(_("Planned measures"), required=True)
    owner = OwnerField(label=_("Owner"), queryset=User.objects.none())
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        help_text=_("Leave empty for the owner's department."),
    )
    unit = UnitChoiceField(
        label=_("Organisation unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole company"),
        help_text=_("Who sees it: the unit's staff and those above it."),
    )
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    expected_effect = _text(_("Expected effect"), rows=2)
    target_score = forms.FloatField(
        label=_("Target score (0-100)"), required=False, min_value=0, max_value=100
    )
    evidence = _text(
        _("Evidence"), help_text=_("What shows it was done: records, photos kept where, figures.")
    )
    customer_message = _text(
        _("What we tell customers"),
        help_text=_("For example: 我们已优化售后响应流程，目前平均响应时间缩短至1.5小时内。"),
    )

    # Only when editing; raising starts without evidence or a message for customers.
    EDIT_ONLY = ("evidence", "customer_message")
    SOURCE_FIELDS = ("source", "category", "campaign", "item_key", "unit")

    def __init__(self, *args, user, editing=False, owner_only=False, current_owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        from manyi.campaigns.models import Campaign

        self.user = user
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        # In tree order (物业管理 then its branches), as on the ticket pages.
        self.fields["category"].choices = [("", "—"), *category_choices()]
        # Another organisation unit's campaigns are not the user's to see (organisation/access.py).
        self.fields["campaign"].queryset = Campaign.objects.for_user(user).order_by("-created_at")
        self._set_up_unit(user)
        self.fields["owner"].queryset = improvement_owners(user, keep=current_owner)
        if editing:
            for name in self.SOURCE_FIELDS:
                self.fields.pop(name, None)
        else:
            for name in self.EDIT_ONLY:
                del self.fields[name]
        if owner_only:
            for name in list(self.fields):
                if name not in OWNER_FIELDS:
                    del self.fields[name]

    def _set_up_unit(self, user):
        unit = self.fields["unit"]
        unit.queryset = assignable_units(user).order_by("path")
        unit.error_messages["invalid_choice"] = _("Choose one of the listed organisation units.")
        if not unit.queryset.exists():
            del self.fields["unit"]  # a company without units
        elif not sees_everything(user):
            unit.required = True  # a region's improvement is its region's
            unit.initial = user.unit_id

    def clean_tickets(self):
        text = self.cleaned_data.get("tickets", "")
        references = list(dict.fromkeys(ref.upper() for ref in REFERENCE.findall(text)))
        leftover = REFERENCE.sub(" ", text).replace(",", " ").replace("，", " ").replace("、", " ").split()
        if leftover:
            raise forms.ValidationError(
                _("Not a ticket reference: %(text)s") % {"text": " ".join(leftover[:5])}
            )
        if len(references) > MAX_TICKETS:
            raise forms.ValidationError(_("Link at most %(count)s tickets.") % {"count": MAX_TICKETS})
        found = {t.reference: t for t in Ticket.objects.for_user(self.user).filter(reference__in=references)}
        missing = [ref for ref in references if ref not in found]
        if missing:
            raise forms.ValidationError(
                _("No ticket you may see has the reference %(refs)s.") % {"refs": ", ".join(missing)}
            )
        return [found[ref] for ref in references]


class TransitionForm(forms.Form):
    note = forms.CharField(max_length=MAX_TEXT, required=False)


class EffectForm(StyledFormMixin, forms.Form):
    campaign = forms.ModelChoiceField(label=_("Later wave"), queryset=None, required=False)
    note = forms.CharField(
        label=_("Measured effect"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from manyi.campaigns.models import Campaign

        # Another organisation unit's campaigns are not the user's to see (organisation/access.py).
        self.fields["campaign"].queryset = Campaign.objects.for_user(user).order_by("-created_at")


class PhoneCallForm(forms.Form):
    key = forms.CharField(max_length=300)


class LinkTicketForm(forms.Form):
    improvement = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ImprovementAction

        self.fields["improvement"].queryset = ImprovementAction.objects.for_user(user).filter(
            status__in=[*OPEN_STATUSES, Status.DONE]
        )


class FilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    OPEN = "open"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), (self.OPEN, _("Open")), *Status.choices]
        # Owners of improvements, former staff too, but not another region's.
        owners = User.objects.filter(improvements__isnull=False).distinct()
        self.fields["owner"].queryset = visible_people(user, owners)
