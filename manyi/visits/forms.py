import calendar
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from manyi.accounts.models import User
from manyi.campaigns.choices import CampaignState
from manyi.campaigns.models import Campaign
from manyi.forms import parse_id

from .access import VisitScope
from .choices import RuleKind
from .models import VisitPlan, VisitRecord, VisitRule, VisitScript
from .scripts import validate_script

DATETIME_INPUT = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)
DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class _Styled:
    """Bootstrap classes on every widget."""

    def style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def running_campaigns(user=None):
    """The surveys a visit may ask: running, and not a survey's visit results (results.py).
    `user`: of the campaigns the user sees by organisation unit (organisation/access.py)."""
    campaigns = Campaign.objects.all() if user is None else Campaign.objects.for_user(user)
    return campaigns.filter(state=CampaignState.RUNNING, visit_results_of__isnull=True)


class RecordForm(_Styled, forms.ModelForm):
    """《客户回访记录表》."""

    class Meta:
        model = VisitRecord
        fields = [
            "visitee",
            "visitee_title",
            "method",
            "visited_at",
            "purchased_on",
            "about_usage",
            "about_problems",
            "about_service",
            "about_staff",
            "about_other",
            "notes",
            "problem",
            "handling",
            "remarks",
            "customer_confirmed",
        ]
        widgets = {
            "visited_at": DATETIME_INPUT,
            "purchased_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 2}),
            "handling": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
        for name in ("notes", "problem", "handling", "remarks"):
            self.fields[name].max_length = 4000
            self.fields[name].validators.append(forms.fields.validators.MaxLengthValidator(4000))

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in VisitRecord.CONTENTS):
            raise forms.ValidationError(_("Tick what the visit was about (at least one item)."))
        visited_at = cleaned.get("visited_at")
        if visited_at and visited_at > timezone.now() + timezone.timedelta(minutes=5):
            self.add_error("visited_at", _("The visit cannot have taken place in the future."))
        elif visited_at and visited_at.year < 2000:
            # A typing mistake; year 1 could not even be stored (no UTC time before it).
            self.add_error("visited_at", _("The visit cannot have taken place before 2000."))
        return cleaned


class BusyForm(_Styled, forms.Form):
    callback_at = forms.DateTimeField(label=gettext_lazy("Agreed callback time"), widget=DATETIME_INPUT)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class NoAnswerForm(_Styled, forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class RefusedForm(_Styled, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class CancelForm(_Styled, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is the visit cancelled?"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ReviewForm(_Styled, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("return", gettext_lazy("Return to the agent"))]
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments (指导意见)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class AssignForm(_Styled, forms.Form):
    agent = forms.ModelChoiceField(label=gettext_lazy("Agent"), queryset=User.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = VisitScope(user).assignable_agents()
        self.style()


SEASON_LINE = re.compile(r"^(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?:\s+(.*))?$")
MAX_SEASONS = 12
MAX_SEASON_LABEL = 40


def parse_season_days(text):
    """[{"month", "day", "label"}] of a seasonal rule's days of the year, one a line: "5月1日 雨季前",
    "05-01 雨季前" or "5/1". Raises ValidationError naming the first bad line."""
    seasons, seen = [], set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = SEASON_LINE.match(line)
        if match is None:
            raise forms.ValidationError(
                _("“%(line)s” is not a day of the year: write it as 5月1日 or 05-01, then a name.")
                % {"line": line[:60]}
            )
        month, day, label = int(match[1]), int(match[2]), (match[3] or "").strip()
        # 29 February is not in every year: a rule falls due every year.
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2025, month)[1]:
            raise forms.ValidationError(_("“%(line)s” is not a day of every year.") % {"line": line[:60]})
        if len(label) > MAX_SEASON_LABEL:
            raise forms.ValidationError(
                _("Please write at most %(max)s characters.") % {"max": MAX_SEASON_LABEL}
            )
        if (month, day) in seen:
            raise forms.ValidationError(_("%(month)s/%(day)s is given twice.") % {"month": month, "day": day})
        seen.add((month, day))
        seasons.append({"month": month, "day": day, "label": label})
    if len(seasons) > MAX_SEASONS:
        raise forms.ValidationError(_("Give at most %(max)s days of the year.") % {"max": MAX_SEASONS})
    return sorted(seasons, key=lambda season: (season["month"], season["day"]))


def format_season_days(seasons):
    """The text of parse_season_days for a rule's stored days."""
    return "\n".join(f"{s['month']:02d}-{s['day']:02d} {s['label']}".strip() for s in seasons)


class IdChoicesField(forms.ModelMultipleChoiceField):
    """Choices by id, refusing a value that is no id (parse_id: 30 digits overflow the database)."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:30]},
                )
        return super()._check_values(value)


class RuleForm(_Styled, forms.ModelForm):
    seasons = forms.CharField(
        label=gettext_lazy("Days of the year (seasonal rules)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "05-01 雨季前\n10-15 入冬前"}),
        help_text=gettext_lazy(
            "One a line: the day (5月1日 or 05-01), then its name. The visit falls due on that day every year."
        ),
    )

    class Meta:
        model = VisitRule
        fields = [
            "name",
            "kind",
            "days",
            "purpose",
            "method",
            "priority",
            "campaign",
            "script",
            "catch_up_days",
            "products",
            "is_active",
        ]
        labels = {"purpose": pgettext_lazy("visit", "Purpose of the visit")}
        field_classes = {"products": IdChoicesField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "kind", "days", "seasons", "products"])
        if self.instance.pk:
            self.initial.setdefault("seasons", format_season_days(self.instance.season_days))
        self.fields["products"].widget.attrs["size"] = 6
        self.fields["campaign"].queryset = running_campaigns(user)
        self.fields["script"].queryset = VisitScript.objects.filter(is_active=True)
        self.style()

    def clean_seasons(self):
        return parse_season_days(self.cleaned_data["seasons"])

    def clean(self):
        cleaned = super().clean()
        kind, days = cleaned.get("kind"), cleaned.get("days")
        if kind == RuleKind.SEASONAL and "seasons" in cleaned and not cleaned["seasons"]:
            self.add_error("seasons", _("Give the days of the year a seasonal rule falls due."))
        if kind != RuleKind.SEASONAL and cleaned.get("products"):
            self.add_error("products", _("Only seasonal rules are limited to products."))
        if days is None:
            return cleaned
        if (
            kind in (RuleKind.AFTER_DELIVERY, RuleKind.AFTER_PURCHASE, RuleKind.TICKET_CLOSED)
            and not 0 <= days <= 3650
        ):
            self.add_error("days", _("Give a number of days from 0 to 3650."))
        if kind == RuleKind.WARRANTY_END and not -365 <= days <= 365:
            self.add_error("days", _("Give a number of days from -365 to 365."))
        if cleaned.get("catch_up_days") is not None and cleaned["catch_up_days"] > 90:
            self.add_error("catch_up_days", _("Give at most 90 days."))
        return cleaned

    def save(self, commit=True):
        rule = super().save(commit=False)
        # Only a seasonal rule keeps days of the year (another kind never reads them).
        rule.season_days = self.cleaned_data["seasons"] if rule.kind == RuleKind.SEASONAL else []
        if commit:
            rule.save()
            self.save_m2m()
        return rule


class ScriptForm(_Styled, forms.ModelForm):
    class Meta:
        model = VisitScript
        fields = ["name", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > 8000:
            raise forms.ValidationError(_("Please write at most %(max)s characters.") % {"max": 8000})
        validate_script(body)
        return body


class PlanForm(_Styled, forms.ModelForm):
    """A row of 《客户回访计划表》; the customer is given by its code."""

    customer_code = forms.CharField(label=gettext_lazy("Customer code"), max_length=40)

    class Meta:
        model = VisitPlan
        fields = ["method", "purpose", "topic", "planned_on", "agent", "priority", "campaign", "script"]
        widgets = {"planned_on": DATE_INPUT}
        labels = {"purpose": pgettext_lazy("visit", "Purpose of the visit")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("customer_code", self.instance.customer.code)
        self.order_fields(["customer_code"])
        self.user = user
        self.fields["agent"].queryset = VisitScope(user).assignable_agents()
        self.fields["campaign"].queryset = running_campaigns(user)
        self.fields["script"].queryset = VisitScript.objects.filter(is_active=True)
        self.style()

    def clean_customer_code(self):
        from manyi.customers.models import Customer

        code = self.cleaned_data["customer_code"].strip()
        # A customer of the planner's organisation unit (organisation/access.py).
        customers = Customer.objects.for_user(self.user).filter(erased_at__isnull=True)
        customer = customers.filter(code__iexact=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer with the code %(code)s.") % {"code": code})
        self.customer = customer
        return code

    def clean_planned_on(self):
        planned_on = self.cleaned_data["planned_on"]
        today = timezone.localdate()
        if planned_on < today - timezone.timedelta(days=30) or planned_on > today + timezone.timedelta(
            days=366
        ):
            raise forms.ValidationError(_("Plan the visit from 30 days ago to a year ahead."))
        return planned_on
