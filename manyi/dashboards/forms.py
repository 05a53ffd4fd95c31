"""The dashboard's filter form: the selection read and validated from the query string."""

import numpy as np
from django import forms
from django.utils.translation import gettext_lazy as _

from manyi.organisation.forms import UnitChoiceField
from manyi.organisation.models import Unit
from manyi.results.filters import BREAKDOWNS, category_names


class DashboardFilterForm(forms.Form):
    """Every field optional; choices come from the values present in the campaign's data."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    customer_type = forms.ChoiceField(label=_("Customer type"), required=False)
    owner = forms.ChoiceField(label=_("Account manager"), required=False)
    agent = forms.ChoiceField(label=_("Interviewer"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    product = forms.ChoiceField(label=_("Product"), required=False)
    # The unit and the units below it; the choices are the units the viewer sees (none offered
    # in a company without units). Set by the view (`units`).
    unit = UnitChoiceField(
        label=_("Organisation unit"), required=False, queryset=Unit.objects.none(), empty_label=_("All")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    segment = forms.ChoiceField(label=_("Break down by"), required=False, choices=list(BREAKDOWNS.items()))
    # Where the importance-performance quadrants split (empty: at the mean of the items), e.g.
    # the target score, or a correlation of 0.5: an analyst's chosen line, as in SPSS charts.
    importance_line = forms.FloatField(
        label=_("Quadrant split: importance"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "placeholder": _("mean"), "class": "w-8em"}),
    )
    performance_line = forms.FloatField(
        label=_("Quadrant split: score"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "any", "placeholder": _("mean"), "class": "w-8em"}),
    )

    def __init__(self, data, dataset, products, units=None, rows=None):
        """`rows`: a mask of the rows the viewer may see (None: all); a value only other rows
        hold is not offered."""
        super().__init__(data)
        if units is not None and units.exists():
            self.fields["unit"].queryset = units.order_by("path")
            self.fields["unit"].error_messages["invalid_choice"] = _(
                "Choose one of the listed organisation units."
            )
        else:
            del self.fields["unit"]
        everyone = [("", _("All"))]
        for name in ("region", "customer_type", "owner", "agent", "channel"):
            values = dataset.labels[name]
            if rows is not None:
                held = set(np.unique(dataset.codes[name][rows]).tolist())
                values = [value for code, value in enumerate(values) if code in held]
            pairs = zip(values, category_names(name, values), strict=True)
            self.fields[name].choices = everyone + sorted(pairs, key=lambda pair: pair[1])
        self.fields["product"].choices = everyone + [(str(pk), name) for pk, name in products]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned
