"""Cross tabs of the dashboard: any two of segment, month, grade and item answers.

Each variable becomes numeric codes (NaN = no answer) with a label per code: statistics
work on numbers (fast on a million rows) and the page shows the labels.
"""

import numpy as np
from django.utils.translation import gettext_lazy as _

from manyi.analytics import stats
from manyi.analytics.scoring import band_for
from manyi.results.dataset import rated_items
from manyi.results.filters import SEGMENTS, analysed, category_names

GRADE = "grade"


def variables(campaign):
    """(key, label) of every variable a cross tab can use."""
    choices = [(key, label) for key, label in SEGMENTS.items()]
    choices.append((GRADE, _("Grade")))
    choices += [(key, f"{key} {label}") for key, label, *_rest in rated_items(campaign)]
    return choices


def _codes(campaign, dataset, keep, variable):
    """(float codes over the kept rows, {code: label})."""
    if variable == "month":
        months = dataset.months()[keep].astype(float)
        return months, {m: f"{int(m) // 100}-{int(m) % 100:02d}" for m in np.unique(months)}
    if variable in dataset.codes:
        codes = dataset.codes[variable][keep].astype(float)
        codes[codes < 0] = np.nan
        return codes, dict(enumerate(category_names(variable, dataset.labels[variable])))
    if variable == GRADE:
        bands = campaign.questionnaire.layout().scheme.bands
        index = dataset.index[keep]
        codes = np.full(index.shape, np.nan)
        labels = {}
        for position, band in enumerate(sorted(bands, key=lambda b: -b.min_score)):
            labels[position] = band.label
        for row in np.flatnonzero(~np.isnan(index)):
            band = band_for(float(index[row]), bands)
            if band is not None:
                codes[row] = list(labels.values()).index(band.label)
        return codes, labels
    for key, _label, _dimension, options in rated_items(campaign):
        if key == variable:
            scheme = campaign.questionnaire.layout().scheme
            column = dataset.item_points(scheme, dataset.item_keys.index(key), keep)
            return column, {float(points): label for label, points in options}
    raise ValueError(variable)


def crosstab(campaign, dataset, selection, row_variable, column_variable):
    keep = analysed(dataset, selection)
    rows, row_labels = _codes(campaign, dataset, keep, row_variable)
    columns, column_labels = _codes(campaign, dataset, keep, column_variable)
    table = stats.crosstab(rows, columns)
    row_names = [row_labels.get(float(code), str(code)) for code in table.rows]
    column_names = [column_labels.get(float(code), str(code)) for code in table.cols]
    totals = table.observed.sum(axis=1)
    lines = [
        {
            "label": name,
            "cells": [
                {"count": int(count), "percent": 100.0 * count / total if total else None}
                for count in table.observed[i]
            ],
            "total": int(total),
        }
        for i, (name, total) in enumerate(zip(row_names, totals, strict=True))
    ]
    return {"table": table, "columns": column_names, "lines": lines, "n": int(table.observed.sum())}
