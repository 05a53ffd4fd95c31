"""The figures of a campaign's dashboard, from its dataset and the analysis functions.

`dashboard_summary` is what the dashboard page, its partial updates, the drill-down links and
the benchmark use. All statistics come from `manyi.analytics` (pure functions); this module
only picks the rows the filters keep and turns arrays into those functions' inputs. Item
figures are computed from counts per option (the same path SQL aggregates would take), so a
million responses cost one comparison pass over the points.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.analytics import stats
from manyi.campaigns.models import Campaign

from .dataset import campaign_dataset, rated_items
from .filters import BREAKDOWNS, analysed, category_names, mask

# importance.quadrants' keys as the seed 001 CSR report names them.
QUADRANT_LABELS = {
    "improve": gettext_lazy("Improve urgently"),  # 急需改进
    # Below the line, but its interval reaches the line: not shown to be low (待定).
    "undecided": gettext_lazy("Undecided: its interval reaches the line"),
    "keep": gettext_lazy("Keep it up"),  # 继续保持
    "secondary": gettext_lazy("Secondary"),  # 次要
    "bonus": gettext_lazy("Nice to have"),  # 锦上添花
}

# Rows used for derived importance on very large campaigns: a correlation from 50,000 rows is
# within ±0.01 of the full data's (95%), far finer than the quadrant chart can show.
DERIVED_SAMPLE = 50_000
MIN_DERIVED_ROWS = 5  # fewer valid responses: no derived importance (correlations mean little)


def _score(spec, mean_points):
    """The mean 0-100 score of an item: the scheme's scaling is linear, so it maps the mean."""
    if spec is None:
        return None
    method, low, high = spec
    if method == "ratio":
        return mean_points * 100.0 / high
    return (mean_points - low) * 100.0 / (high - low)


# Option points that whole_points() can hold: answers are then counted with np.bincount.
WHOLE_POINTS = 254


def _option_counts(dataset, keep, column, option_points):
    """How many of the kept responses chose each option of the item in `column` (by points)."""
    if all(float(p).is_integer() and 0 <= p <= WHOLE_POINTS for p in option_points):
        values = dataset.whole_points()[column]
        if keep is not None:
            values = values[keep]
        tally = np.bincount(values, minlength=256)
        return [int(tally[int(p)]) for p in option_points]
    values = dataset.points[:, column] if keep is None else dataset.points[keep, column]
    return [int(np.count_nonzero(values == p)) for p in option_points]


def target_status(index, ci, target):
    """ "reached", "not_reached" or "undecided" against the target index (None without one).

    Seed 000 compares the index with the target ("综合满意度为78.4分……未达到公司85%的目标"): an
    index below the target has not reached it. An index at or above it is an estimate from a
    sample, so the target counts as reached only when the whole 95% interval is at or above it;
    an interval reaching below (a small sample: 2 answers give 0-100) is "undecided", never
    已达成."""
    if target is None or index is None:
        return None
    if index < target:
        return "not_reached"
    if ci is not None and np.isfinite(ci.low) and ci.low >= target:
        return "reached"
    return "undecided"


def item_table(dataset, keep, items, scheme):
    """Per item over the rows `keep` (filters.analysed: valid questionnaires only): n, mean
    points, mean 0-100 score, sd, top-2-box and the distribution. An item a valid questionnaire
    left unanswered under seed 000's rule counts as its neutral answer ("遗漏一项的按'一般'记3分"),
    as the index of that questionnaire does: `imputed` says how many."""
    spec_of = {item.key: item for item in scheme.items}
    imputed_rows = dataset.imputed_rows(scheme)
    everyone = keep.all()
    rows = []
    for column, (key, label, dimension, options) in enumerate(items):
        values = [value for _label, value in options]
        counts = _option_counts(dataset, None if everyone else keep, column, values)
        imputed = imputed_rows.get(column)
        imputed = int(keep[imputed].sum()) if imputed is not None else 0
        summary_values, summary_counts = list(values), list(counts)
        if imputed:
            neutral = spec_of[key].neutral
            if neutral in summary_values:
                summary_counts[summary_values.index(neutral)] += imputed
            else:  # a neutral value that is no option's (a custom scale): counted, not shown
                summary_values.append(neutral)
                summary_counts.append(imputed)
        summary = stats.summarize_counts(summary_values, summary_counts)
        spec = spec_of.get(key)
        scale = (scheme.scale_method, spec.min_points, spec.max_points) if spec else None
        rows.append(
            {
                "key": key,
                "label": label,
                "dimension": dimension,
                "imputed": imputed,
                "summary": summary,
                "score": _score(scale, summary.mean) if summary.n else None,
                "score_high": _score(scale, summary.mean_interval()[1]) if summary.n > 1 else None,
                "distribution": [
                    {"label": option, "points": value, "count": count}
                    for (option, value), count in zip(options, summary_counts[: len(options)], strict=True)
                ],
            }
        )
    return rows


def _previous_waves(campaign):
    """The previous wave of the series and the wave about a year earlier (either may be None)."""
    if not campaign.series:
        return None, None
    anchor = campaign.invite_at or campaign.created_at
    earlier = (
        Campaign.objects.waves_of(campaign)
        .exclude(pk=campaign.pk)
        .select_related("questionnaire")
        .order_by("-invite_at", "-created_at")
    )
    waves = [c for c in earlier if (c.invite_at or c.created_at) < anchor]
    previous = waves[0] if waves else None
    year_ago = None
    for wave in waves:
        days = (anchor - (wave.invite_at or wave.created_at)).days
        if 300 <= days <= 430:
            year_ago = wave
            break
    return previous, year_ago


def _compare(current, other_campaign, selection):
    """The change of the index and of the satisfied rate against another wave, with tests."""
    other = campaign_dataset(other_campaign)
    keep = analysed(other, selection)
    before = other.group_index(other_campaign.questionnaire.layout().scheme, keep).values
    if before.size == 0 or current["index_values"].size == 0:
        return None
    means = stats.compare_means(current["index_values"], before)
    rates = stats.compare_proportions(
        int(current["satisfied_count"]),
        int(current["rated"]),
        int(other.satisfied[keep].sum()),
        int(keep.sum()),
    )
    return {
        "campaign": other_campaign,
        "index": float(before.mean()),
        "change": float(current["index_values"].mean() - before.mean()),
        "means": means,
        "satisfied_rate": 100.0 * other.satisfied[keep].sum() / keep.sum(),
        "rates": rates,
        "satisfied_change": 100.0 * rates.difference,  # percentage points
    }


def dashboard_summary(
    campaign, selection, segment="region", dataset=None, importance_line=None, performance_line=None
):
    """Everything the dashboard shows for the responses the selection keeps (`dataset`: the
    campaign's, when the caller has it already). The importance-performance quadrants split
    at the items' means unless `importance_line` / `performance_line` (0-100) are given."""
    dataset = dataset or campaign_dataset(campaign)
    items = rated_items(campaign)
    keep = mask(dataset, selection)
    valid = analysed(dataset, selection, kept=keep)
    questionnaire = campaign.questionnaire
    scheme = questionnaire.layout().scheme
    group = dataset.group_index(scheme, valid)
    months = dataset.months()[valid]
    table = item_table(dataset, valid, items, scheme)
    importance_figures, importance_missing = _importance(
        dataset,
        keep,
        valid,
        items,
        table,
        scheme,
        questionnaire,
        importance_line,
        performance_line,
    )
    return {
        "dataset_size": dataset.size,
        "headline": _headline(campaign, selection, dataset, keep, valid, group),
        "dimensions": _dimensions(questionnaire, dataset, valid, group),
        "items": table,
        "trend": stats.by_period(dataset.group_values(scheme, valid, months), months),
        "waves": _waves(campaign, selection, group.values),
        "segment": segment,
        "segment_label": BREAKDOWNS.get(segment, segment),
        "segments": _segments(dataset, valid, segment, scheme),
        "importance": importance_figures,
        "importance_missing": importance_missing,
        "competitor": _competitor(dataset, keep, items, questionnaire),
    }


def _headline(campaign, selection, dataset, keep, valid, group):
    """The headline figures: answers, valid questionnaires, the index (group: the analysed
    rows' GroupIndex) with its interval and target, satisfied customers, NPS, bands, and the
    change from the previous wave and from a year before."""
    questionnaire = campaign.questionnaire
    scheme = questionnaire.layout().scheme
    index_values = group.values
    # A customer's own index decides whether they are satisfied and their band (seed 000:
    # "4家客户满意度≥70分,为满意客户"), whatever way the group's index is formed.
    own_index = dataset.index[valid]
    own_index = own_index[~np.isnan(own_index)]
    satisfied_count = int(dataset.satisfied[valid].sum())
    nps_values = dataset.nps[valid]
    nps_values = nps_values[~np.isnan(nps_values)]
    headline = {
        "responses": int(keep.sum()),
        # Earlier answers of customers who answered again: set aside by the voice rule.
        "set_aside": int(mask(dataset, selection, every_answer=True).sum() - keep.sum()),
        "valid": int(valid.sum()),
        "index": group.index if index_values.size else None,
        "index_ci": stats.mean_ci(index_values) if index_values.size > 1 else None,
        "index_method": scheme.index_method,
        "satisfied": _percent(stats.proportion(satisfied_count, int(own_index.size)))
        if own_index.size
        else None,
        "threshold": questionnaire.satisfied_threshold,
        "target": campaign.target_index,
        "nps": stats.nps(nps_values) if nps_values.size else None,
        "bands": stats.band_counts(own_index, scheme.bands) if own_index.size else None,
    }
    headline["target_status"] = target_status(headline["index"], headline["index_ci"], campaign.target_index)
    headline["small_sample"] = headline["valid"] < settings.ANALYSIS_MIN_RESPONSES
    headline["min_responses"] = settings.ANALYSIS_MIN_RESPONSES
    current = {"index_values": index_values, "satisfied_count": satisfied_count, "rated": own_index.size}
    previous, year_ago = _previous_waves(campaign)
    headline["previous"] = _compare(current, previous, selection) if previous else None
    headline["last_year"] = _compare(current, year_ago, selection) if year_ago else None
    return headline


def _dimensions(questionnaire, dataset, valid, group):
    """Each dimension's score over the analysed rows and how many rated it."""
    titles = {d.code: d.title for d in questionnaire.dimensions.all()}
    answered = np.count_nonzero(~np.isnan(dataset.dimensions[valid]), axis=0)
    return [
        {
            "key": key,
            "title": titles.get(key, key),
            "n": int(answered[column]),
            "mean": group.dimension_scores.get(key),
        }
        for column, key in enumerate(dataset.dimension_keys)
    ]


def _percent(share):
    """A Proportion with its rate and interval in per cent, for display."""
    return {
        "count": share.count,
        "n": share.n,
        "percent": 100.0 * share.rate,
        "low": 100.0 * share.low,
        "high": 100.0 * share.high,
    }


def _waves(campaign, selection, current_index):
    """Index per wave of the campaign's series (this one included), oldest first."""
    if not campaign.series:
        return []
    series = Campaign.objects.waves_of(campaign).select_related("questionnaire")
    waves = []
    for wave in sorted(series, key=lambda c: (c.invite_at or c.created_at, c.pk)):
        if wave.pk == campaign.pk:
            values = current_index
        else:
            other = campaign_dataset(wave)
            values = other.group_index(wave.questionnaire.layout().scheme, analysed(other, selection)).values
        waves.append(
            {
                "campaign": wave,
                "label": wave.wave or wave.name,
                "current": wave.pk == campaign.pk,
                "summary": stats.mean_ci(values) if values.size > 1 else None,
            }
        )
    return waves


def _segments(dataset, valid, segment, scheme):
    """Index by group of the segment, each row with its `name` for the page and the `group`
    the drill-down link asks for (the stored value; "" for the responses without one)."""
    if segment == "product":
        return _product_segments(dataset, valid, scheme)
    # Integer codes go in (grouping a million strings is slow); labels are put back after.
    if segment == "month":
        codes = dataset.months()[valid]
        groups = {int(m): f"{int(m) // 100}-{int(m) % 100:02d}" for m in np.unique(codes)}
        names = groups
    else:
        codes = dataset.codes[segment][valid]
        values = dataset.labels[segment]
        groups = dict(enumerate(values)) | {-1: ""}
        names = dict(enumerate(category_names(segment, values))) | {-1: _("(none)")}
    report = stats.segment_comparison(dataset.group_values(scheme, valid, codes), codes)
    return [
        {"stat": row, "group": groups.get(int(row.label), ""), "name": names.get(int(row.label), row.label)}
        for row in report.segments
    ]


def _product_segments(dataset, valid, scheme):
    """Index of the buyers of each product (customers with several products count under
    each), against all other valid responses: the same test as any segment's."""
    from manyi.customers.models import Product

    names = dict(Product.objects.filter(pk__in=list(dataset.products)).values_list("pk", "name"))
    overall = dataset.group_index(scheme, valid).index
    rows = []
    for product, positions in dataset.products.items():
        bought = np.zeros(dataset.size, np.int8)
        bought[positions] = 1
        report = stats.segment_comparison(dataset.group_values(scheme, valid, bought[valid]), bought[valid])
        buyers = next((row for row in report.segments if int(row.label) == 1), None)
        if buyers is None:
            continue
        # The test is buyers against the rest; the difference is from the overall index.
        stat = replace(buyers, label=product, difference=buyers.mean - overall)
        rows.append({"stat": stat, "group": str(product), "name": names.get(product, str(product))})
    rows.sort(key=lambda row: (-row["stat"].mean, row["name"]))
    return rows


def _outcome(questionnaire, dataset, rows, scheme):
    """(label, values over the rows) of what derived importance explains, or None: the
    questionnaire's outcome question (overall satisfaction, recommendation), else its NPS
    question. Never the index: it is a weighted sum of the items, so regressing it on them
    gives R² = 1 and measures the questionnaire's weights, not what matters to customers."""
    question = next((q for q in questionnaire.layout().questions if q.outcome), None)
    if question is not None and question.code in dataset.item_keys:
        return question.text, dataset.item_points(scheme, dataset.item_keys.index(question.code), rows)
    nps = dataset.nps[rows]
    if np.any(~np.isnan(nps)):
        return _("the recommendation (NPS)"), nps
    return None


@dataclass(frozen=True)
class Weights:
    """How important each item is (`values`, aligned with the rated items; NaN for an item
    that does not drive the index): "stated" by respondents, or "derived" from the answers
    (correlation with `outcome`, with each driver's relative weight `shares` and standardised
    coefficient `betas` by item key, and the drivers' `r2`)."""

    source: str
    values: np.ndarray
    outcome: str | None = None
    shares: dict = field(default_factory=dict)
    betas: dict = field(default_factory=dict)
    r2: float | None = None


def _stated_weights(dataset, keep, items):
    """The mean importance respondents stated for each item, or None unless every item has
    at least one statement among the kept rows."""
    stated = dataset.importance[keep] if dataset.states_importance() else np.empty((0, len(items)))
    if stated.size and np.sum(~np.isnan(stated), axis=0).min() > 0:
        return Weights("stated", np.nanmean(stated, axis=0))
    return None


def _derived_weights(dataset, valid, items, scheme, questionnaire):
    """(Weights derived from the valid responses (a sample when large), None), or (None, why
    not: "items" when nothing is rated toward the index, "outcome" when there is nothing but
    the index to explain, "rows" when too few complete answers)."""
    from manyi.analytics import importance

    rows = np.flatnonzero(valid)
    if rows.size > DERIVED_SAMPLE:
        rows = np.sort(np.random.default_rng(0).choice(rows, DERIVED_SAMPLE, replace=False))
    # The drivers: the items the index is built from (not the outcome, not unscored ones).
    in_index = {item.key for item in scheme.items if not item.outcome}
    drivers = [column for column, (key, *_rest) in enumerate(items) if key in in_index]
    if not drivers:
        return None, "items"
    sample = np.zeros(dataset.size, bool)
    sample[rows] = True
    outcome = _outcome(questionnaire, dataset, sample, scheme)
    if outcome is None:
        return None, "outcome"
    outcome_label, outcome_values = outcome
    points = np.column_stack([dataset.item_points(scheme, column, sample) for column in drivers])
    complete = ~np.isnan(points).any(axis=1) & ~np.isnan(outcome_values)
    if int(complete.sum()) < MIN_DERIVED_ROWS:
        return None, "rows"
    # Correlation with the outcome places the items; the key-driver list ranks them by
    # relative weights (Johnson), the share of the outcome's R² each item explains.
    rxx, rxy, _n = importance.correlations(points, outcome_values)
    values = np.full(len(items), np.nan)
    values[drivers] = rxy
    keys = [items[c][0] for c in drivers]
    # Standardised regression coefficients, as SPSS prints them beside the correlations.
    betas, r2, _condition = importance.standardized_betas(rxx, rxy)
    weights = Weights(
        "derived",
        values,
        outcome=outcome_label,
        shares=dict(zip(keys, importance.relative_weights(rxx, rxy), strict=True)),
        betas=dict(zip(keys, betas, strict=True)),
        r2=float(r2),
    )
    return weights, None


def _key_drivers(weights, items, performance, high, quadrants):
    """The items that drive the index, most important first, for the key-driver list."""
    from manyi.analytics import importance

    labels = {key: label for key, label, *_rest in items}
    derived = weights.source == "derived"
    return [
        {
            "driver": driver,
            "label": labels[driver.item],
            "share": float(weights.shares[driver.item]) if derived else None,
            "beta": float(weights.betas[driver.item]) if derived else None,
            "quadrant_label": QUADRANT_LABELS.get(driver.quadrant, ""),
        }
        for driver in importance.key_drivers(
            [key for key, *_rest in items],
            weights.values,
            performance,
            importance_line=quadrants.importance_line,
            performance_line=quadrants.performance_line,
            performance_high=high,
        )
        if np.isfinite(driver.importance)  # not the outcome, nor an item outside the index
    ]


def _importance(
    dataset, keep, valid, items, table, scheme, questionnaire, importance_line=None, performance_line=None
):
    """(importance-performance points for the items, None) — stated when respondents gave it,
    else derived (correlation with the outcome, see _outcome) — or (None, why not: see
    _derived_weights). Marks each row of the item `table` with its quadrant."""
    from manyi.analytics import importance

    weights = _stated_weights(dataset, keep, items)
    if weights is None:
        weights, missing = _derived_weights(dataset, valid, items, scheme, questionnaire)
        if weights is None:
            return None, missing
    performance = np.array([np.nan if row["score"] is None else row["score"] for row in table], float)
    # The upper end of each item's 95% interval: an important item below the line whose
    # interval reaches it is "undecided", not urgent on noise.
    high = np.array([np.nan if row["score_high"] is None else row["score_high"] for row in table], float)
    quadrants = importance.quadrants(
        weights.values,
        performance,
        importance_line=importance_line,
        performance_line=performance_line,
        performance_high=high,
    )
    for row, quadrant in zip(table, quadrants.keys, strict=True):
        row["quadrant"] = quadrant
        row["quadrant_label"] = QUADRANT_LABELS.get(quadrant, "")
    figures = {
        "source": weights.source,
        "outcome": weights.outcome,
        "r2": weights.r2,
        "points": [
            {
                "key": key,
                "label": label,
                "importance": float(weights.values[i]),
                "performance": float(performance[i]),
                "quadrant": quadrants.keys[i],
            }
            for i, (key, label, *_rest) in enumerate(items)
            if not np.isnan(weights.values[i]) and not np.isnan(performance[i])
        ],
        "drivers": _key_drivers(weights, items, performance, high, quadrants),
        "importance_line": quadrants.importance_line,
        "performance_line": quadrants.performance_line,
        "chosen_lines": importance_line is not None or performance_line is not None,
    }
    return figures, None


MIN_PAIRS = 2  # a paired test needs two complete pairs; fewer: the item shows its counts only


def _competitor(dataset, keep, items, questionnaire):
    """Market position (seed 000, 市场地位调查): per item that also asks about the main
    competitor, our 0-100 score against theirs from the same respondents, with a paired test
    (Wilcoxon signed-rank on rating scales, paired t otherwise) of ours − theirs."""
    if not dataset.competitor_keys:
        return None
    scheme = questionnaire.layout().scheme
    scale = {item.key: (scheme.scale_method, item.min_points, item.max_points) for item in scheme.items}
    labels = {key: label for key, label, *_rest in items}
    columns = {key: i for i, key in enumerate(dataset.item_keys)}
    rows = []
    for column, key in enumerate(dataset.competitor_keys):
        ours = dataset.points[keep, columns[key]].astype(np.float64)
        theirs = dataset.competitor[keep, column].astype(np.float64)
        spec = scale.get(key)
        both = ~(np.isnan(ours) | np.isnan(theirs))
        pairs = int(both.sum())
        test = stats.compare_paired(ours, theirs) if pairs >= MIN_PAIRS else None
        our_score = _score(spec, float(ours[both].mean())) if pairs else None
        their_score = _score(spec, float(theirs[both].mean())) if pairs else None
        if test is None or not test.significant:
            verdict = "level"
        else:
            verdict = "ahead" if test.difference > 0 else "behind"
        rows.append(
            {
                "key": key,
                "label": labels.get(key, key),
                "pairs": pairs,
                "ours": our_score,
                "theirs": their_score,
                "gap": None if our_score is None else our_score - their_score,
                "test": test,
                "verdict": verdict,
                "verdict_label": VERDICT_LABELS[verdict],
            }
        )
    return {
        "name": questionnaire.competitor_name or _("the main competitor"),
        "rows": rows,
        "ahead": sum(row["verdict"] == "ahead" for row in rows),
        "behind": sum(row["verdict"] == "behind" for row in rows),
    }


# The 彩管 report's words: 优于对手 / 差于对手 / 与对手相当 (not significantly different).
VERDICT_LABELS = {
    "ahead": gettext_lazy("Better than the competitor"),
    "behind": gettext_lazy("Worse than the competitor"),
    "level": gettext_lazy("On a par with the competitor"),
}
