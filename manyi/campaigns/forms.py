import copy
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts import permissions
from manyi.accounts.models import User
from manyi.customers.forms import CustomerFilterForm
from manyi.customers.models import Product, Tag
from manyi.forms import StyledFormMixin, parse_id
from manyi.organisation.access import assignable_units, sees_everything, visible_people
from manyi.organisation.forms import UnitChoiceField
from manyi.surveys.models import Questionnaire

from .choices import CampaignState, Channel, ChaseOutcome, SamplingMethod, VoiceRule
from .models import MAX_NOTICE_DAYS, Campaign
from .targeting import (
    FILTER_FIELDS,
    PURCHASE_FIELDS,
    TARGET_FIELDS,
    TargetingError,
    clean_filters,
    population_size,
    purchase_rule,
)

STRATIFY_CHOICES = [
    ("", _("No stratification")),
    ("customer_type", _("Customer type")),
    ("region", _("Region")),
    ("province", _("Province")),
    ("lifecycle", _("Lifecycle")),
    ("kind", _("Kind")),
    ("owner", _("Owner")),
]

# Targeting and sampling: fixed once the campaign has started.
TARGETING_FIELDS = ("sampling_method", "sample_size", "sampling_seed", "stratify_by", "volume_share")
NEEDS_SIZE = (SamplingMethod.SIMPLE, SamplingMethod.SYSTEMATIC, SamplingMethod.STRATIFIED)


# A reminder later than this is no reminder; a day count beyond timedelta's range stopped the
# periodic job (OverflowError) for every campaign.
MAX_REMINDER_DAYS = 365


def parse_reminder_days(text):
    """'3,5' or '3，5' -> [3, 5]; ValueError for anything but whole numbers 1..MAX_REMINDER_DAYS."""
    text = (text or "").replace("，", ",").replace("、", ",")
    days = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        day = parse_id(part)
        if day is None or not 0 < day <= MAX_REMINDER_DAYS:
            raise ValueError(part)
        days.append(day)
    return sorted(set(days))


class CampaignForm(StyledFormMixin, forms.ModelForm):
    """Create or edit a draft campaign; the target filters are the customer list's filters.

    `user` is who saves it: without SET_CAMPAIGN_CONFIDENTIALITY the form has no `confidential`
    field, so whatever they post the stored value is kept (a supervisor re-posting the form
    without the box must not lift what an administrator set).
    """

    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    stratify_by = forms.ChoiceField(label=_("Stratify by"), choices=STRATIFY_CHOICES, required=False)
    reminder_days_text = forms.CharField(
        label=_("Reminders (days after the invitation)"),
        required=False,
        max_length=100,
        help_text=_("For example 3,5. Leave empty for no reminders."),
    )
    invite_at = forms.DateTimeField(
        label=_("Invitations go out at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: when the campaign is started."),
    )
    notice_days = forms.IntegerField(
        label=_("Advance notice (days before the invitation)"),
        required=False,
        help_text=Campaign._meta.get_field("notice_days").help_text,
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: seven days after the invitations go out."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "series",
            "wave",
            "recurrence",
            "questionnaire",
            "purpose",
            "channels",
            "sampling_method",
            "sample_size",
            "sampling_seed",
            "stratify_by",
            "volume_share",
            "invite_at",
            "notice_days",
            "deadline",
            "target_response_rate",
            "target_index",
            "voice",
            "confidential",
            "unit",
        ]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_set_confidentiality = user.can(permissions.SET_CAMPAIGN_CONFIDENTIALITY)
        if not self.may_set_confidentiality:
            del self.fields["confidential"]
        self.fields["questionnaire"].queryset = Questionnaire.objects.current().order_by("title")
        self._set_up_unit(user)
        # A form posted without it (an older page, the API of a script) keeps what is stored.
        self.fields["voice"].required = False
        # The customer list's filter fields, prefixed with target_.
        filters = CustomerFilterForm()
        for name in FILTER_FIELDS:
            field = copy.deepcopy(filters.fields[name])
            field.required = False
            self.fields[f"target_{name}"] = field
            if self.instance.pk:
                field.initial = (self.instance.target_filters or {}).get(name, "")
        # The owner filter offers the staff the user may pick, not another region's; the
        # stored one stays (a started campaign shows its filters as they were).
        stored_owner = parse_id(str(self.fields["target_owner"].initial or ""))
        self.fields["target_owner"].queryset = visible_people(user, User.objects.all(), keep=stored_owner)
        self._add_purchase_fields()
        self.fields["channels"].widget.attrs["class"] = "form-check-input"
        self.fields["sample_size"].help_text = _("Required for random, systematic and stratified samples.")
        self.fields["volume_share"].help_text = _("For top customers by business volume: 0.8 means 80%.")
        if self.instance.pk:
            self.fields["reminder_days_text"].initial = ",".join(
                str(d) for d in self.instance.reminder_days or []
            )
        else:
            self.fields["reminder_days_text"].initial = "3,5"
        self.locked = self.instance.pk is not None and self.instance.state != CampaignState.DRAFT
        if self.locked:
            for name in [*TARGETING_FIELDS, *(f"target_{n}" for n in TARGET_FIELDS)]:
                self.fields[name].disabled = True
            if "unit" in self.fields:
                self.fields["unit"].disabled = True  # whom it asks was drawn from the unit

    def _set_up_unit(self, user):
        """The organisation unit that runs it: its customers are asked, its staff see it. A
        region's staff run their region's campaigns (organisation/access.py)."""
        unit = self.fields["unit"]
        unit.queryset = assignable_units(user).order_by("path")
        unit.error_messages["invalid_choice"] = _("Choose one of the listed organisation units.")
        unit.help_text = _("Only this unit's customers (and those of the units below it) are asked.")
        if not unit.queryset.exists() and not self.instance.unit_id:
            del self.fields["unit"]  # a company without units
        elif not sees_everything(user):
            unit.required = True
            if not self.instance.pk:
                unit.initial = user.unit_id

    GROUPS = [
        (_("Campaign"), ["name", "series", "wave", "recurrence", "questionnaire", "unit", "purpose"]),
        (
            _("Target list (customers who may not be contacted are always left out)"),
            [f"target_{name}" for name in TARGET_FIELDS],
        ),
        (_("Sampling"), ["sampling_method", "sample_size", "sampling_seed", "stratify_by", "volume_share"]),
        (
            _("Schedule and goals"),
            [
                "invite_at",
                "notice_days",
                "deadline",
                "reminder_days_text",
                "target_response_rate",
                "target_index",
                "voice",
                "confidential",
            ],
        ),
    ]

    def _add_purchase_fields(self):
        """The purchase rules of the target list (targeting.purchase_rule)."""

        def day(label):
            return forms.DateField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            )

        categories = (
            Product.objects.exclude(category="")
            .order_by("category")
            .values_list("category", flat=True)
            .distinct()
        )
        fields = {
            "purchased_from": day(_("Purchased from")),
            "purchased_to": day(_("Purchased until")),
            "delivered_from": day(_("Delivered from")),
            "delivered_to": day(_("Delivered until")),
            "product": forms.ModelChoiceField(
                label=_("Bought the product"),
                queryset=Product.objects.order_by("code"),
                to_field_name="code",
                required=False,
                empty_label=_("Any product"),
            ),
            "product_category": forms.ChoiceField(
                label=_("Bought a product of the category"),
                choices=[("", _("Any category")), *((c, c) for c in categories)],
                required=False,
            ),
        }
        fields["purchased_from"].help_text = _(
            "Purchase rules ask one purchase to meet them all: a product bought in the period."
        )
        stored = self.instance.target_filters or {} if self.instance.pk else {}
        for name in PURCHASE_FIELDS:
            fields[name].initial = stored.get(name, "")
            # Added after StyledFormMixin styled the form's own fields.
            select = isinstance(fields[name].widget, forms.Select)
            fields[name].widget.attrs["class"] = "form-select" if select else "form-control"
            self.fields[f"target_{name}"] = fields[name]

    def groups(self):
        """(title, bound fields) for each fieldset of the page; channels are laid out separately."""
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in self.GROUPS
        ]

    def clean_voice(self):
        return self.cleaned_data["voice"] or self.instance.voice or VoiceRule.CUSTOMER

    def clean_notice_days(self):
        """0 (no notice) to MAX_NOTICE_DAYS; a form posted without it keeps what is stored."""
        days = self.cleaned_data["notice_days"]
        if days is None:
            return self.instance.notice_days or 0
        if not 0 <= days <= MAX_NOTICE_DAYS:
            raise forms.ValidationError(
                _("The advance notice must be from 0 (no notice) to %(limit)s days.")
                % {"limit": MAX_NOTICE_DAYS}
            )
        return days

    def clean_reminder_days_text(self):
        try:
            return parse_reminder_days(self.cleaned_data["reminder_days_text"])
        except ValueError:
            raise forms.ValidationError(
                _("Reminder days must be whole numbers from 1 to %(limit)s, separated by commas.")
                % {"limit": MAX_REMINDER_DAYS}
            ) from None

    def clean_volume_share(self):
        share = self.cleaned_data["volume_share"]
        if share is None or not 0 < share <= 1:
            raise forms.ValidationError(_("The share must be more than 0 and at most 1 (for example 0.8)."))
        return share

    def clean_target_response_rate(self):
        rate = self.cleaned_data["target_response_rate"]
        if rate is None or not 0 < rate <= 100:
            raise forms.ValidationError(_("The target response rate must be between 1 and 100 (%)."))
        return rate

    def clean(self):
        data = super().clean()
        method = data.get("sampling_method")
        size = data.get("sample_size")
        if method in NEEDS_SIZE and not size:
            self.add_error("sample_size", _("Enter the sample size for this sampling method."))
        if method == SamplingMethod.STRATIFIED and not data.get("stratify_by"):
            self.add_error("stratify_by", _("Choose the customer field to stratify by."))
        invite_at, deadline = data.get("invite_at"), data.get("deadline")
        if data.get("notice_days") and not invite_at:
            # The link would go when the campaign starts: no notice could come before it.
            self.add_error(
                "notice_days",
                _("An advance notice needs the date the invitations go out: set it, or choose 0 days."),
            )
        if deadline and deadline <= (invite_at or timezone.now()):
            self.add_error(
                "deadline",
                _("The deadline must be after the invitations go out.")
                if invite_at
                else _("The deadline must be in the future."),
            )
        filters = clean_filters(
            {name: self._filter_value(data.get(f"target_{name}")) for name in TARGET_FIELDS}
        )
        self.target_filters = filters
        if not self.locked:
            try:
                purchase_rule(filters)
            except TargetingError as error:
                self.add_error(f"target_{error.field or 'purchased_from'}", str(error))
        if method in NEEDS_SIZE and size and not self.errors:
            try:
                # counted among the customers of the unit that runs it (one the user sees)
                unit = data.get("unit") if "unit" in self.fields else self.instance.unit
                population = population_size(filters, unit=unit)
            except TargetingError as error:
                raise forms.ValidationError(str(error)) from error
            if size > population:
                self.add_error(
                    "sample_size",
                    _("The sample size cannot be larger than the target list (%(population)s customers).")
                    % {"population": population},
                )
        return data

    @staticmethod
    def _filter_value(value):
        if value is None or value == "":
            return ""
        if isinstance(value, Tag):  # the filter form selects tags by name
            return value.name
        if isinstance(value, Product):  # kept by its code, which a person can read
            return value.code
        if hasattr(value, "isoformat"):  # a date
            return value.isoformat()
        if hasattr(value, "pk"):  # owner
            return value.pk
        return value

    def save(self, commit=True):
        campaign = super().save(commit=False)
        if not self.locked:
            campaign.target_filters = self.target_filters
        campaign.reminder_days = self.cleaned_data["reminder_days_text"]
        if campaign.sampling_method != SamplingMethod.STRATIFIED:
            campaign.stratify_by = ""
        if commit:
            campaign.save()
        return campaign


class CloseForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Reason (optional)"), "aria-label": _("Reason")}),
    )


class ReopenForm(StyledFormMixin, forms.Form):
    deadline = forms.DateTimeField(
        label=_("New deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Reason (optional)"), "aria-label": _("Reason")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = (timezone.now() + timedelta(days=7)).replace(
            second=0, microsecond=0
        )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The new deadline must be in the future."))
        return deadline


class ChaseCallForm(StyledFormMixin, forms.Form):
    """A chase call's outcome (电话催收), recorded on the invitation."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("Outcome of the call")), *ChaseOutcome.choices]
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Note (optional)"), "aria-label": _("Note")}),
    )
