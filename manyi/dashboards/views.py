"""Dashboard pages: thin views over results.summary (figures), results.filters and
dashboards.path_model (the satisfaction model, a PLS path model)."""

import numpy as np
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.campaigns.answering import can_see_individual_answers
from manyi.campaigns.models import Campaign, Response
from manyi.campaigns.workflow import campaign_counts
from manyi.customers.models import Product
from manyi.organisation.access import assignable_units, sees_everything, visible_unit_ids
from manyi.organisation.models import Unit
from manyi.results import open_answers, table_summary, topics
from manyi.results.dataset import campaign_dataset
from manyi.results.filters import Selection, mask, rows_behind
from manyi.results.summary import QUADRANT_LABELS, dashboard_summary
from manyi.results.unit_comparison import unit_comparison, units_to_compare

from . import crosstabs, path_model, path_model_forms
from .forms import DashboardFilterForm
from .pls_messages import pls_error_message
from .preparing import figures_prepared

# The keyword panel's groups: the sentiment model's label of each answer's text (results/topics.py
# names them once for the topic panel and the report too).
SENTIMENT_LABELS = topics.SENTIMENT_NAMES


def _campaign(request, pk):
    """The campaign, if the user's organisation unit sees it (organisation/access.py), else 404."""
    campaigns = Campaign.objects.for_user(request.user).select_related("questionnaire")
    return get_object_or_404(campaigns, pk=pk)


def _filters(request, campaign, dataset):
    """The filters' selection; always within the units the user sees (a region's staff read only
    their region's answers, whatever the query string says)."""
    units = visible_unit_ids(request.user)
    # The choices name only what the viewer's own rows hold: a region's staff are not shown the
    # account managers, interviewers or products of another region's customers.
    visible = None if units is None else mask(dataset, Selection(units=units), every_answer=True)
    present = [pk for pk, rows in dataset.products.items() if visible is None or visible[rows].any()]
    products = Product.objects.filter(pk__in=present).order_by("name").values_list("pk", "name")
    form = DashboardFilterForm(
        request.GET or None, dataset, list(products), units=assignable_units(request.user), rows=visible
    )
    if form.is_bound and form.is_valid():
        selection = Selection.from_form(form.cleaned_data, units=units)
        return form, selection, form.cleaned_data.get("segment") or "region"
    return form, Selection(units=units), "region"


def _unit_comparison(request, campaign, dataset, selection):
    """The units compared (below the chosen unit, or the viewer's): [] in a company without units."""
    own = None if sees_everything(request.user) else request.user.unit
    chosen = Unit.objects.filter(pk=selection.unit).first() if selection.unit else None
    units = units_to_compare(chosen, own)
    return unit_comparison(campaign, dataset, selection, units) if units else []


@capability_required(permissions.VIEW_ANALYSIS)
@figures_prepared
def campaign_dashboard(request, pk):
    """One campaign (one wave): headline, dimensions, items, trend, segments, importance."""
    campaign = _campaign(request, pk)
    dataset = campaign_dataset(campaign)
    form, selection, segment = _filters(request, campaign, dataset)
    lines = {}
    if form.is_bound and form.is_valid():
        lines = {name: form.cleaned_data.get(name) for name in ("importance_line", "performance_line")}
    summary = dashboard_summary(campaign, selection, segment=segment, dataset=dataset, **lines)
    context = {
        "campaign": campaign,
        "form": form,
        "selection": selection,
        "summary": summary,
        "counts": campaign_counts(campaign, request.user),
        "can_drill": can_see_individual_answers(request.user, campaign),
        "can_raise_improvement": request.user.can(permissions.MANAGE_IMPROVEMENTS),
        "chart_data": _chart_data(summary),
        "tables": table_summary.table_summaries(campaign, dataset, selection),
        "unit_rows": _unit_comparison(request, campaign, dataset, selection),
        "chart_text": {
            "index": _("Index"),
            "importance": _("Importance"),
            "performance": _("Performance"),
            "quadrants": {key: str(label) for key, label in QUADRANT_LABELS.items()},
            "promoters": _("Promoters"),
            "passives": _("Passives"),
            "detractors": _("Detractors"),
        },
    }
    template = "dashboards/_body.html" if request.htmx else "dashboards/campaign.html"
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def _chart_data(summary):
    """What the charts draw (json_script): plain numbers and labels."""
    importance = summary["importance"]
    return {
        "dimensions": [
            {"name": d["title"], "value": None if d["mean"] is None else round(d["mean"], 1)}
            for d in summary["dimensions"]
        ],
        "trend": [
            {"period": f"{p.label // 100}-{p.label % 100:02d}", "n": p.n, "mean": round(p.mean, 2)}
            for p in summary["trend"]
        ],
        "waves": [
            {"label": w["label"], "mean": round(w["summary"].mean, 2), "n": w["summary"].n}
            for w in summary["waves"]
            if w["summary"] is not None
        ],
        "nps": None
        if summary["headline"]["nps"] is None
        else {
            "promoters": summary["headline"]["nps"].promoters,
            "passives": summary["headline"]["nps"].passives,
            "detractors": summary["headline"]["nps"].detractors,
        },
        "importance": None
        if importance is None
        else {key: value for key, value in importance.items() if key != "drivers"},
    }


class BootstrapForm(forms.Form):
    resamples = forms.TypedChoiceField(
        label=gettext_lazy("Bootstrap resamples"),
        choices=[(n, n) for n in path_model.RESAMPLE_CHOICES],
        coerce=int,
        initial=path_model.BOOTSTRAP,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Random seed"),
        min_value=0,
        max_value=2**31 - 1,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control w-8em"}),
    )


def _model_page(request, campaign, dataset, start, posted=None):
    """The satisfaction model page: the model `start` (path_model.current) or the `posted` one
    (path_model_forms.read), estimated on the selection unless refused. A refused post is 400, as
    is a posted model the data cannot estimate; a GET the data cannot estimate says why."""
    filters, selection, _segment = _filters(request, campaign, dataset)
    indicators = path_model.indicator_choices(campaign)
    chosen = {"resamples": path_model.BOOTSTRAP, "seed": 1}  # what an empty field or a GET means
    if posted is None:
        checked, error = None, ""
        if start.spec is not None:
            try:
                checked = path_model.check(start.spec, {key for key, _label in indicators})
            except ValueError as problem:  # a proposal always fits; said, never a server error
                error = pls_error_message(problem)
        editor, text = (
            path_model_forms.ModelEditor(indicators, spec=start.spec),
            path_model_forms.as_text(start.spec),
        )
    else:
        chosen |= {name: request.POST[name] for name in chosen if request.POST.get(name, "") != ""}
        checked, error, editor, text = posted.model, posted.error, posted.editor, posted.text
    options = BootstrapForm(chosen)
    if not error and not options.is_valid():
        error = " ".join(f"{options[name].label}: {' '.join(e)}" for name, e in options.errors.items())
    result = None
    if checked is not None and not error:
        try:
            result = path_model.estimate(
                campaign,
                dataset,
                selection,
                checked,
                options.cleaned_data["resamples"],
                options.cleaned_data["seed"],
            )
        except ValueError as problem:
            error = pls_error_message(problem)
    context = {
        "campaign": campaign,
        "form": filters,
        "options": options,
        "selection": selection,
        "start": start,
        "editor": editor,
        "spec_json": text,
        "result": result,
        "error": error,
        "can_save": request.user.can(permissions.EDIT_SURVEYS),
    }
    status = 400 if error and request.method == "POST" else 200
    return render(request, "dashboards/model.html", context, status=status)


@capability_required(permissions.VIEW_ANALYSIS)
@figures_prepared
def satisfaction_model(request, pk):
    """The PLS path model of the campaign: the model saved for its questionnaire, else the
    one proposed from it (?proposed shows the proposal); an edited model posted here is
    estimated, not stored (see save_satisfaction_model)."""
    campaign = _campaign(request, pk)
    dataset = campaign_dataset(campaign)
    start = path_model.current(campaign, proposed="proposed" in request.GET)
    posted = None
    if request.method == "POST":
        posted = path_model_forms.read(request.POST, path_model.indicator_choices(campaign), start.spec)
    return _model_page(request, campaign, dataset, start, posted)


@require_POST
@capability_required(permissions.VIEW_ANALYSIS, permissions.EDIT_SURVEYS)
def save_satisfaction_model(request, pk):
    """Keep the posted model (form or JSON) as the questionnaire's model; a refused one
    changes nothing and the page says why."""
    campaign = _campaign(request, pk)
    start = path_model.current(campaign)
    posted = path_model_forms.read(request.POST, path_model.indicator_choices(campaign), start.spec)
    if posted.error:
        return _model_page(request, campaign, campaign_dataset(campaign), start, posted)
    path_model.save(campaign.questionnaire, posted.spec, by=request.user)
    messages.success(
        request, _("Model saved: every campaign of this questionnaire is now estimated with it.")
    )
    query = request.GET.urlencode()
    return redirect(reverse("dashboards:model", args=[campaign.pk]) + (f"?{query}" if query else ""))


class CrossTabForm(forms.Form):
    rows = forms.ChoiceField(
        label=pgettext_lazy("cross tab", "Rows"), widget=forms.Select(attrs={"class": "form-select"})
    )
    columns = forms.ChoiceField(
        label=pgettext_lazy("cross tab", "Columns"), widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, data, choices):
        super().__init__(data)
        self.fields["rows"].choices = self.fields["columns"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rows") and cleaned.get("rows") == cleaned.get("columns"):
            raise forms.ValidationError(_("Choose two different variables."))
        return cleaned


@capability_required(permissions.VIEW_ANALYSIS)
@figures_prepared
def crosstab(request, pk):
    """A cross tab of two variables with the chi-square test of independence."""
    campaign = _campaign(request, pk)
    dataset = campaign_dataset(campaign)
    filters, selection, _segment = _filters(request, campaign, dataset)
    choices = crosstabs.variables(campaign)
    data = {"rows": request.GET.get("rows", "region"), "columns": request.GET.get("columns", "grade")}
    form = CrossTabForm(data, choices)
    result, status = None, 200
    if form.is_valid():
        result = crosstabs.crosstab(
            campaign, dataset, selection, form.cleaned_data["rows"], form.cleaned_data["columns"]
        )
    else:
        status = 400
    context = {
        "campaign": campaign,
        "form": form,
        "filters": filters,
        "selection": selection,
        "result": result,
    }
    return render(request, "dashboards/crosstab.html", context, status=status)


@capability_required(permissions.VIEW_ANALYSIS)
def keywords(request, pk):
    """The open-answer keyword panel (loaded after the page: segmentation takes a moment)."""
    campaign = _campaign(request, pk)
    dataset = campaign_dataset(campaign)
    _form, selection, _segment = _filters(request, campaign, dataset)
    panel = open_answers.keyword_panel(dataset, selection)
    query = selection.as_query()
    return render(
        request,
        "dashboards/_keywords.html",
        {"campaign": campaign, "panel": panel, "query": query, "sentiments": SENTIMENT_LABELS},
    )


@capability_required(permissions.VIEW_ANALYSIS)
def word_cloud(request, pk):
    """The word cloud (词云图) of the open answers as a PNG image."""
    campaign = _campaign(request, pk)
    dataset = campaign_dataset(campaign)
    _form, selection, _segment = _filters(request, campaign, dataset)
    png = open_answers.word_cloud(dataset, selection)
    if png is None:
        raise Http404(_("There are no open answers to show."))
    return HttpResponse(png, content_type="image/png")


@capability_required(permissions.VIEW_ANALYSIS, permissions.VIEW_RESPONSES)
@figures_prepared
def drill_down(request, pk):
    """The responses behind a figure: filters, plus an item's option or a segment's group."""
    campaign = _campaign(request, pk)
    if not can_see_individual_answers(request.user, campaign):
        raise PermissionDenied
    dataset = campaign_dataset(campaign)
    _form, selection, segment = _filters(request, campaign, dataset)
    try:
        points = float(request.GET.get("points", ""))
    except ValueError:
        points = None
    keep, imputed, described = rows_behind(
        dataset,
        selection,
        campaign.questionnaire.layout().scheme,
        segment,
        item=request.GET.get("item", ""),
        points=points,
        group=request.GET.get("group", ""),
        without=bool(request.GET.get("without")),
    )
    ids = dataset.ids[np.flatnonzero(keep)].tolist()
    page = Paginator(ids, 50).get_page(request.GET.get("page"))
    responses = Response.objects.filter(pk__in=list(page.object_list)).select_related("customer", "agent")
    return render(
        request,
        "dashboards/drill_down.html",
        {
            "campaign": campaign,
            "page": page,
            "responses": sorted(responses, key=lambda r: r.pk),
            "imputed": set(dataset.ids[imputed].tolist()),
            "total": len(ids),
            "described": described,
            "query": request.GET.urlencode(),
        },
    )
