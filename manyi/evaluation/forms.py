"""The scheme editor's and the rewards' forms; every error is a message in the user's language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from manyi.campaigns.models import Campaign
from manyi.organisation.choices import UnitKind

from .choices import CAMPAIGN_KINDS, RewardKind
from .models import EvaluationScheme, Indicator, RewardPenalty


class SchemeForm(forms.ModelForm):
    class Meta:
        model = EvaluationScheme
        fields = ["name", "period_start", "period_end"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after the day it starts."))
        return cleaned


class IndicatorForm(forms.ModelForm):
    unit_kinds = forms.MultipleChoiceField(
        label=_("Unit kinds"),
        choices=UnitKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every kind of unit."),
    )
    campaigns = forms.ModelMultipleChoiceField(
        label=_("Campaigns"), queryset=Campaign.objects.none(), required=False
    )

    class Meta:
        model = Indicator
        fields = ["kind", "weight", "target", "direction", "unit_kinds", "campaigns"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The campaigns the user sees by organisation unit (organisation/access.py): a posted id
        # of another region's campaign is refused as any unknown choice.
        campaigns = Campaign.objects.all() if user is None else Campaign.objects.for_user(user)
        self.fields["campaigns"].queryset = campaigns.order_by("-pk")

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is None or not 0 < weight <= 100:
            raise forms.ValidationError(_("A weight is a number above 0 and at most 100."))
        return weight

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target is None or not 0 <= target <= 1000:
            raise forms.ValidationError(_("A target is a number from 0 to 1000."))
        return target

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in CAMPAIGN_KINDS and not cleaned.get("campaigns"):
            self.add_error("campaigns", _("Choose the survey campaigns this indicator reads."))
        if kind and kind not in CAMPAIGN_KINDS:
            cleaned["campaigns"] = []
        return cleaned


class RewardForm(forms.ModelForm):
    class Meta:
        model = RewardPenalty
        fields = ["kind", "person", "amount", "title", "reason", "approver", "approved_on"]
        widgets = {
            "approved_on": forms.DateInput(attrs={"type": "date"}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["person"].queryset = users
            self.fields["approver"].queryset = users

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("An amount is a positive number of yuan."))
        return amount

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == RewardKind.BONUS and cleaned.get("amount") is None:
            self.add_error("amount", _("A bonus needs its amount."))
        if kind == RewardKind.TITLE and not cleaned.get("title"):
            self.add_error("title", _("An honorary title needs its title."))
        return cleaned
