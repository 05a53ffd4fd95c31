"""The survey figure an improvement is about: one rated item's or dimension's mean score.

The same numbers as the campaign dashboard (``manyi.results``): an item's mean 0-100 score
and a dimension's score over the valid responses, formed as the dashboard forms them.
"""

from dataclasses import dataclass

from .choices import Source


@dataclass(frozen=True)
class SurveyFigure:
    key: str
    label: str
    score: float | None  # None: nobody answered it yet


def survey_targets(campaign):
    """{source: {key: label}}: the items and dimensions of the campaign's questionnaire."""
    from manyi.results.dataset import rated_items

    items = {key: label for key, label, *_rest in rated_items(campaign)}
    dimensions = {d.code: d.title for d in campaign.questionnaire.dimensions.all()}
    return {Source.SURVEY_ITEM: items, Source.SURVEY_DIMENSION: dimensions}


def survey_figure(campaign, source, key, unit=None):
    """The item's or dimension's score in ``campaign``; None if the campaign has no such key.
    ``unit``: over the answers of that organisation unit's customers (and its subtree's) only,
    as the unit's dashboard shows it; None: over every answer."""
    from manyi.results.dataset import campaign_dataset, rated_items
    from manyi.results.filters import Selection, analysed
    from manyi.results.summary import item_table

    labels = survey_targets(campaign).get(source, {})
    if key not in labels:
        return None
    dataset = campaign_dataset(campaign)
    keep = analysed(dataset, Selection(unit=getattr(unit, "pk", unit)))
    if source == Source.SURVEY_ITEM:
        items = rated_items(campaign)
        rows = item_table(dataset, keep, items, campaign.questionnaire.layout().scheme)
        score = next((row["score"] for row in rows if row["key"] == key), None)
    else:
        scheme = campaign.questionnaire.layout().scheme
        score = dataset.group_index(scheme, keep).dimension_scores.get(key)
    return SurveyFigure(key, labels[key], None if score is None else float(score))


def later_waves(campaign):
    """The campaigns of the same series that started after ``campaign`` (the next wave first)."""
    from manyi.campaigns.models import Campaign

    if campaign is None or not campaign.series:
        return []
    anchor = campaign.invite_at or campaign.created_at
    waves = Campaign.objects.waves_of(campaign).exclude(pk=campaign.pk)
    return sorted(
        (c for c in waves if (c.invite_at or c.created_at) > anchor),
        key=lambda c: c.invite_at or c.created_at,
    )


def survey_overview(campaign, units=None):
    """The campaign's items (score, importance-performance quadrant) and dimensions (mean), as
    the dashboard shows them, to pick what an improvement is about; the 急需改进 items first.
    ``units``: the ids of the units whose answers the viewer sees (None: every answer)."""
    from manyi.results.filters import Selection
    from manyi.results.summary import dashboard_summary

    summary = dashboard_summary(campaign, Selection(units=units))
    items = [
        {
            "key": row["key"],
            "label": row["label"],
            "score": row["score"],
            "quadrant": row.get("quadrant") or "",
            "quadrant_label": row.get("quadrant_label") or "",
        }
        for row in summary["items"]
    ]
    items.sort(key=lambda row: (row["quadrant"] != "improve", row["score"] is None, row["score"] or 0))
    dimensions = [{"key": d["key"], "label": d["title"], "score": d["mean"]} for d in summary["dimensions"]]
    return {"items": items, "dimensions": dimensions}
