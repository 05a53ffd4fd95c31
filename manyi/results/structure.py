"""The structure of a campaign's answers: factor analysis of its items, reliability of its
dimensions and customer segments (seed 001: "可以利用SPSS进行因子分析和聚类分析,将客户满意度得分
进行归纳和分类,进一步提出客户可能出现的问题和改善建议等").

The arithmetic is analytics.factor_analysis, analytics.reliability and analytics.segments; this
module turns the dataset into the matrix they read and their results into what a page shows.

The rows: the analysed responses (results.filters.analysed: valid questionnaires, one voice per
customer) with each item's points as CampaignDataset.item_points gives them (the validity
rule's neutral answer filled in), scored 0-100 by the questionnaire's scheme; a response that
still leaves an item unanswered is left out (listwise deletion, as SPSS's default), and the
page says how many. The items: the scored items that are no outcome (overall satisfaction,
recommendation), as they are what the index is made of.

Results are cached per campaign, filters, options and data state (the dataset's size and
newest response), in Django's cache, as the open answers are.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache

from manyi.analytics import factor_analysis, reliability, scoring, segments

from .dataset import rated_items
from .filters import analysed, category_names

CACHE_SECONDS = 3600
HIGHLIGHT = 0.4  # |loading| shown as salient
TOP_PRODUCTS = 5


@dataclass(frozen=True)
class Options:
    """What the analyst chose: extraction, rotation, number of factors (None: Kaiser's
    criterion), clustering method and number of segments (None: by silhouette)."""

    method: str = "pc"
    rotation: str = "varimax"
    factors: int | None = None
    clustering: str = "kmeans"
    clusters: int | None = None
    seed: int = 1


@dataclass
class ItemMatrix:
    """The analysed responses with every chosen item answered: `scores` (rows × items, 0-100),
    `rows` their positions in the dataset; `analysed` rows before listwise deletion."""

    keys: list[str]
    labels: list[str]
    dimensions: list[str | None]
    scores: np.ndarray
    rows: np.ndarray
    analysed: int

    @property
    def dropped(self):
        return self.analysed - len(self.rows)


def structure_items(campaign, scheme):
    """(key, label, dimension) of the items the analysis reads: scored, no outcome, in the
    questionnaire's order."""
    labels = {key: label for key, label, _dimension, _options in rated_items(campaign)}
    return [
        (item.key, labels.get(item.key, item.key), item.dimension)
        for item in scheme.items
        if item.scored and not item.outcome and item.key in labels
    ]


def item_matrix(campaign, dataset, selection) -> ItemMatrix:
    """The matrix the analysis reads (see the module's docstring)."""
    scheme = campaign.questionnaire.layout().scheme
    chosen = structure_items(campaign, scheme)
    keep = analysed(dataset, selection)
    points = np.full((int(keep.sum()), len(scheme.items)), np.nan)
    unasked = np.zeros(points.shape, bool)
    for column, item in enumerate(scheme.items):
        if item.key in dataset.item_keys:
            at = dataset.item_keys.index(item.key)
            points[:, column] = dataset.item_points(scheme, at, keep)
            unasked[:, column] = dataset.unasked_mask(np.flatnonzero(keep), [at])[:, 0]
    # Items a condition hid stay unanswered (the row is left out as incomplete), never 一般.
    scores = scoring.score_matrix(scheme, points, unasked).item_scores
    columns = [[item.key for item in scheme.items].index(key) for key, _label, _dim in chosen]
    scores = scores[:, columns]
    complete = ~np.isnan(scores).any(axis=1)
    return ItemMatrix(
        keys=[key for key, _label, _dim in chosen],
        labels=[label for _key, label, _dim in chosen],
        dimensions=[dim for _key, _label, dim in chosen],
        scores=scores[complete],
        rows=np.flatnonzero(keep)[complete],
        analysed=int(keep.sum()),
    )


def _key(dataset, selection, options):
    state = json.dumps(
        [
            dataset.campaign_id,
            dataset.size,
            dataset.last_id,
            dataset.voice,
            selection.cache_key(),
            asdict(options),
            settings.ANALYSIS_MIN_RESPONSES,
        ],
        default=str,
    )
    return "manyi:structure:" + hashlib.sha256(state.encode()).hexdigest()


def structure_analysis(campaign, dataset, selection, options=None):
    """What the structure page shows (a dict), or why it cannot: `problem` is "too_few"
    (fewer complete analysed rows than ANALYSIS_MIN_RESPONSES), "items" (fewer than three
    items), "singular" (the items' correlation matrix cannot be inverted) or "" when the
    figures are there."""
    options = options or Options()
    key = _key(dataset, selection, options)
    found = cache.get(key)
    if found is not None:
        return found
    matrix = item_matrix(campaign, dataset, selection)
    found = {
        "n": len(matrix.rows),
        "analysed": matrix.analysed,
        "dropped": matrix.dropped,
        "items": len(matrix.keys),
        "min_responses": settings.ANALYSIS_MIN_RESPONSES,
        "options": options,
        "problem": "",
    }
    if len(matrix.keys) < 3:
        found["problem"] = "items"
    elif len(matrix.rows) < max(settings.ANALYSIS_MIN_RESPONSES, len(matrix.keys) + 2):
        found["problem"] = "too_few"
    else:
        try:
            result = factor_analysis.explore(
                matrix.scores,
                n_factors=_factors(options.factors, len(matrix.keys)),
                method=options.method,
                rotation=options.rotation,
                seed=options.seed,
            )
        except factor_analysis.SingularCorrelation:
            found["problem"] = "singular"
        else:
            found["factor"] = _factor_figures(result, matrix)
            found["reliability"] = _reliability(campaign, matrix)
            found["segments"] = _segments(campaign, dataset, matrix, options)
    cache.set(key, found, CACHE_SECONDS)
    return found


def _factors(asked, items):
    """The number of factors asked for, kept below the number of items (None: Kaiser)."""
    return None if asked is None else max(1, min(int(asked), items - 1))


def _number(value, digits=3):
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _factor_figures(result, matrix):
    """The factor analysis as plain numbers and labels, items in SPSS's sorted order."""
    loadings = result.loadings
    rows = []
    for i in result.order:
        main = int(np.abs(loadings[i]).argmax())
        rows.append(
            {
                "key": matrix.keys[i],
                "label": matrix.labels[i],
                "loadings": [
                    {"value": _number(v), "salient": abs(v) >= HIGHLIGHT, "main": j == main}
                    for j, v in enumerate(loadings[i])
                ],
                "structure": None if result.structure is None else [_number(v) for v in result.structure[i]],
                "initial": _number(result.initial_communalities[i]),
                "communality": _number(result.communalities[i]),
                "kmo": _number(result.kmo_items[i]),
            }
        )
    cumulative = np.cumsum(result.eigenvalues) / len(result.eigenvalues) * 100
    return {
        "kmo": _number(result.kmo),
        "kmo_verdict": factor_analysis.kmo_verdict(result.kmo),
        "kaiser": result.kaiser_factors,
        "parallel": result.parallel_factors,
        "not_converged": not result.converged,
        "heywood": result.heywood,
        "bartlett": {
            "chi2": _number(result.bartlett_chi2, 2),
            "df": result.bartlett_df,
            "p": result.bartlett_p,
        },
        "eigenvalues": [
            {
                "number": j + 1,
                "value": _number(v),
                "percent": _number(v / len(result.eigenvalues) * 100, 2),
                "cumulative": _number(cumulative[j], 2),
                "random": _number(result.parallel[j]),
                "kept": j < result.n_factors,
            }
            for j, v in enumerate(result.eigenvalues)
        ],
        "factors": [
            {
                "number": j + 1,
                "extraction": _number(result.extraction_ss[j]),
                "extraction_percent": _number(result.extraction_percent[j], 2),
                "rotation": _number(result.rotation_ss[j]),
                "rotation_percent": _number(result.rotation_percent[j], 2),
            }
            for j in range(result.n_factors)
        ],
        "explained": _number(result.extraction_percent.sum(), 2),
        "rows": rows,
        "phi": None if result.phi is None else [[_number(v) for v in row] for row in result.phi],
        "chart": {
            "eigenvalues": [_number(v) for v in result.eigenvalues],
            "random": [_number(v) for v in result.parallel],
        },
    }


def _reliability(campaign, matrix):
    """Cronbach's α of each dimension's items (two or more), and of all the items."""
    titles = {d.code: d.title for d in campaign.questionnaire.dimensions.all()}
    groups = {}
    for column, dimension in enumerate(matrix.dimensions):
        if dimension:
            groups.setdefault(dimension, []).append(column)
    scales = [(titles.get(key, key), columns) for key, columns in groups.items() if len(columns) > 1]
    scales.append((None, list(range(len(matrix.keys)))))  # None: all the items
    out = []
    for title, columns in scales:
        found = reliability.reliability(matrix.scores[:, columns])
        out.append(
            {
                "title": title,
                "alpha": _number(found.alpha),
                "standardised": _number(found.standardised),
                "items": [
                    {
                        "label": matrix.labels[column],
                        "item_total": _number(item_total),
                        "if_deleted": _number(if_deleted),
                    }
                    for column, item_total, if_deleted in zip(
                        columns, found.item_total, found.alpha_if_deleted, strict=True
                    )
                ],
            }
        )
    return out


def _distribution(codes, labels, name):
    """[(name, count)] of a category's values among rows (codes), most frequent first."""
    names = category_names(name, labels)
    counts = np.bincount(codes + 1, minlength=len(labels) + 1)  # +1: -1 (none) counts at 0
    pairs = [(names[j], int(counts[j + 1])) for j in range(len(labels)) if counts[j + 1]]
    pairs.sort(key=lambda pair: (-pair[1], pair[0]))
    return pairs


def _segments(campaign, dataset, matrix, options):
    """Segments of the customers by their item scores, each described by its mean scores, mean
    index, and its customers' type, region and products."""
    from manyi.customers.models import Product

    found = segments.segment(matrix.scores, k=options.clusters, method=options.clustering, seed=options.seed)
    # Each dataset row's segment (-1: not in the matrix), so that a product's buyers are
    # counted by segment in one pass over its rows.
    segment_of = np.full(dataset.size, -1)
    segment_of[matrix.rows] = found.labels
    bought = {}
    for product, positions in dataset.products.items():
        chosen = segment_of[positions]
        counts = np.bincount(chosen[chosen >= 0], minlength=found.k)
        if counts.any():
            bought[product] = counts
    names = dict(Product.objects.filter(pk__in=list(bought)).values_list("pk", "name"))
    overall = matrix.scores.mean(axis=0)
    groups = []
    for j in range(found.k):
        members = found.labels == j
        rows = matrix.rows[members]
        size = int(members.sum())
        products = [(names.get(p, str(p)), int(counts[j])) for p, counts in bought.items() if counts[j]]
        products.sort(key=lambda pair: (-pair[1], pair[0]))
        groups.append(
            {
                "number": j + 1,
                "size": size,
                "share": _number(size / len(matrix.rows) * 100, 1),
                "index": _number(np.nanmean(dataset.index[rows]) if size else math.nan, 1),
                "customer_type": _shares(
                    _distribution(
                        dataset.codes["customer_type"][rows], dataset.labels["customer_type"], "customer_type"
                    ),
                    size,
                ),
                "region": _shares(
                    _distribution(dataset.codes["region"][rows], dataset.labels["region"], "region"), size
                ),
                "products": _shares(products[:TOP_PRODUCTS], size),
            }
        )
    return {
        "method": found.method,
        "k": found.k,
        "suggested": found.suggested,
        "silhouettes": [{"k": k, "value": _number(v)} for k, v in found.silhouettes.items()],
        "fitted_rows": found.fitted_rows,
        "index": _number(np.nanmean(dataset.index[matrix.rows]), 1),
        "groups": groups,
        # One row per item: its mean over everyone and in each segment (the segment's centre).
        "rows": [
            {
                "key": key,
                "label": label,
                "overall": _number(overall[i], 1),
                "cells": [
                    {"value": _number(centre[i], 1), "difference": _number(centre[i] - overall[i], 1)}
                    for centre in found.centres
                ],
            }
            for i, (key, label) in enumerate(zip(matrix.keys, matrix.labels, strict=True))
        ],
    }


def _shares(pairs, size):
    return [
        {"name": name, "count": count, "percent": _number(count / size * 100, 1)} for name, count in pairs
    ]
