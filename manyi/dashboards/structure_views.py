"""The structure analysis page (结构分析) of a campaign: factor analysis of its items, the
reliability of its dimensions and customer segments, over results.structure."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.results.dataset import campaign_dataset
from manyi.results.structure import Options, structure_analysis

from .preparing import figures_prepared
from .views import _campaign, _filters

MAX_FACTORS = 10
SELECT = {"class": "form-select"}


class StructureForm(forms.Form):
    """The analyst's choices; every field has SPSS's default when left empty."""

    method = forms.ChoiceField(
        label=gettext_lazy("Extraction"),
        choices=[
            ("pc", gettext_lazy("Principal components")),
            ("paf", gettext_lazy("Principal axis factoring")),
        ],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    rotation = forms.ChoiceField(
        label=gettext_lazy("Rotation"),
        choices=[("varimax", "Varimax"), ("promax", "Promax")],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    factors = forms.TypedChoiceField(
        label=gettext_lazy("Factors"),
        choices=[("", gettext_lazy("Eigenvalue > 1"))] + [(n, n) for n in range(1, MAX_FACTORS + 1)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    clustering = forms.ChoiceField(
        label=gettext_lazy("Clustering"),
        choices=[("kmeans", gettext_lazy("K-means")), ("ward", gettext_lazy("Ward hierarchical"))],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    clusters = forms.TypedChoiceField(
        label=pgettext_lazy("cluster analysis", "Segments"),
        choices=[("", gettext_lazy("By silhouette"))] + [(n, n) for n in range(2, 7)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def options(self):
        data = self.cleaned_data
        return Options(
            method=data.get("method") or "pc",
            rotation=data.get("rotation") or "varimax",
            factors=data.get("factors"),
            clustering=data.get("clustering") or "kmeans",
            clusters=data.get("clusters"),
        )


# Kaiser (1974) on the KMO measure, as SPSS manuals quote him.
VERDICTS = {
    "marvelous": gettext_lazy("marvellous"),
    "meritorious": gettext_lazy("meritorious"),
    "middling": gettext_lazy("middling"),
    "mediocre": gettext_lazy("mediocre"),
    "miserable": gettext_lazy("miserable"),
    "unacceptable": gettext_lazy("unacceptable"),
}
METHOD_NAMES = dict(StructureForm.base_fields["method"].choices)


def _chart_text():
    return {
        "eigenvalue": _("Eigenvalue"),
        "random": _("Random data (95th percentile)"),
        "component": _("Component"),
        "kaiser": _("Eigenvalue = 1"),
    }


@capability_required(permissions.VIEW_ANALYSIS)
@figures_prepared
def structure(request, pk):
    """Factor analysis, reliability and segments of the campaign's analysed responses under the
    dashboard's filters; a small sample or a singular correlation matrix is said, not drawn."""
    campaign = _campaign(request, pk)
    dataset = campaign_dataset(campaign)
    filters, selection, _segment = _filters(request, campaign, dataset)
    choices = {name: request.GET.get(name, "") for name in StructureForm.base_fields}
    form = StructureForm(choices)
    analysis, status = None, 200
    if form.is_valid() and not filters.errors:
        analysis = structure_analysis(campaign, dataset, selection, form.options())
    else:
        status = 400
    factor = (analysis or {}).get("factor")
    context = {
        "kmo_verdict": VERDICTS.get(factor["kmo_verdict"], "") if factor else "",
        "method_name": METHOD_NAMES.get(analysis["options"].method, "") if analysis else "",
        "rotation_name": (analysis["options"].rotation.capitalize()) if analysis else "",
        "campaign": campaign,
        "filters": filters,
        "form": form,
        "selection": selection,
        "analysis": analysis,
        "chart_text": _chart_text(),
    }
    return render(request, "dashboards/structure.html", context, status=status)
