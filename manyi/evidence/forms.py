from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.forms import StyledFormMixin

from .scope import Period, choosable_units, may_choose_whole_company

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
MAX_SPAN = timedelta(days=10 * 366)


class PackForm(StyledFormMixin, forms.Form):
    """The period (both days included; the last twelve months unless chosen) and the unit."""

    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label=gettext_lazy("Organisation unit"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        default = Period.default()
        kwargs.setdefault("initial", {"start": default.start, "end": default.end, "unit": user.unit_id})
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["unit"]
        field.queryset = choosable_units(user)
        field.label_from_instance = lambda unit: "\u2003" * max(unit.depth, 0) + unit.name
        if may_choose_whole_company(user):
            field.empty_label = _("Whole company")
        else:
            field.required = True
            field.empty_label = None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is not None and not FIRST_DAY <= value <= LAST_DAY:
                self.add_error(name, _("Choose dates from 1900 to 2999."))
                return cleaned
        if start and end:
            if start > end:
                self.add_error("end", _("The end date must not be before the start date."))
            elif end - start > MAX_SPAN:
                self.add_error("start", _("Choose a period of at most ten years."))
        return cleaned

    def period(self):
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
