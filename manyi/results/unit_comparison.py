"""Survey figures compared across organisation units (issue 19: "every dashboard and report can
be cut and compared by unit"): one row per unit with its index, satisfied rate and number of
valid questionnaires, each read through `filters.analysed()` like every other figure."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from django.conf import settings

from manyi.analytics import stats
from manyi.organisation.models import Unit

from .filters import analysed


def units_to_compare(chosen=None, own=None):
    """The units a comparison lists: those directly below the chosen unit (the dashboard's unit
    filter), else below the viewer's own unit when they are bound to one (`own`), else the top
    units — or, for a company with one group at the top, the units directly below the group.
    Active units only, in tree order."""
    start = chosen or own
    if start is not None:
        return list(Unit.objects.filter(parent=start, is_active=True).order_by("path"))
    roots = list(Unit.objects.filter(parent__isnull=True, is_active=True).order_by("path"))
    if len(roots) == 1:
        return list(Unit.objects.filter(parent=roots[0], is_active=True).order_by("path"))
    return roots


def unit_comparison(campaign, dataset, selection, units):
    """One row per unit: `n` valid questionnaires of its customers (the unit and the units below
    it), the group's `index` (CampaignDataset.group_index over those analysed rows, the
    questionnaire's index method, as the headline), the `satisfied` rate (seed 000: a customer is
    satisfied when their own index reaches the threshold, "4家客户满意度≥70分,为满意客户": the
    satisfied valid answers over those with an index, in per cent, with its Wilson interval) and
    `small_sample` when n is below ANALYSIS_MIN_RESPONSES (the figure is shown, with a warning).
    When the units share a parent whose own customers answered (the group's 集团直属 customers,
    a region's customers of no project), a last row (`direct`) counts those, so the rows add up
    to the parent's figures. The viewer's own visibility (`selection.units`) holds for every row."""
    scheme = campaign.questionnaire.layout().scheme
    rows, covered = [], np.zeros(dataset.size, bool)
    for unit in units:
        valid = analysed(dataset, replace(selection, unit=unit.pk))
        covered |= valid
        rows.append(_row(dataset, scheme, unit, valid))
    parents = {unit.parent_id for unit in units}
    if len(parents) == 1 and None not in parents:
        parent = units[0].parent
        direct = analysed(dataset, replace(selection, unit=parent.pk)) & ~covered
        if direct.any():
            rows.append(_row(dataset, scheme, parent, direct, direct=True))
    return rows


def _row(dataset, scheme, unit, valid, direct=False):
    n = int(valid.sum())
    index = None
    if n:
        group = dataset.group_index(scheme, valid)
        index = group.index if group.values.size else None
    own_index = dataset.index[valid]
    rated = int(np.count_nonzero(~np.isnan(own_index)))
    satisfied = None
    if rated:
        share = stats.proportion(int(dataset.satisfied[valid].sum()), rated)
        satisfied = {"percent": 100.0 * share.rate, "low": 100.0 * share.low, "high": 100.0 * share.high}
    return {
        "unit": unit,
        "direct": direct,
        "n": n,
        "index": index,
        "satisfied": satisfied,
        "small_sample": n < settings.ANALYSIS_MIN_RESPONSES,
    }
