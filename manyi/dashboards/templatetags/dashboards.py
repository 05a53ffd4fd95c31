"""Number formatting for dashboards: fixed decimals, signed changes, filter query strings, and
the names of significance tests and effect sizes as analysts read them."""

import math

from django import template
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

register = template.Library()


def _number(value):
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@register.filter
def decimal(value, places=1):
    """12.345|decimal:1 → "12.3"; None or NaN → "" (so |default can show a dash)."""
    number = _number(value)
    return "" if number is None else f"{number:.{int(places)}f}"


@register.filter
def signed(value, places=1):
    """A change with its sign: +1.2, −0.4, 0.0."""
    number = _number(value)
    if number is None:
        return ""
    text = f"{abs(number):.{int(places)}f}"
    if float(text) == 0:
        return text
    return ("+" if number > 0 else "−") + text


@register.filter
def urlencode_pairs(pairs):
    """A dict of filter values as a query string."""
    return urlencode(pairs or {})


@register.filter
def percent(value, places=1):
    """A share on 0..1 as per cent: 0.256|percent:1 → "25.6%"."""
    number = _number(value)
    return "" if number is None else f"{100 * number:.{int(places)}f}%"


@register.filter
def clamp_index(value):
    """An interval end on the 0-100 index scale: a t interval on few answers can pass the ends."""
    number = _number(value)
    return None if number is None else min(100.0, max(0.0, number))


# analytics.stats.TestResult names its test and effect size by identifiers; pages show these.
TEST_NAMES = {
    "welch_t": _("Welch's t-test"),
    "mann_whitney_u": _("Mann-Whitney U test"),
    "paired_t": _("paired t-test"),
    "wilcoxon": _("Wilcoxon signed-rank test"),
    "two_proportion_z": _("two-proportion z-test"),
    "chi2": _("chi-square test"),
    "chi2_yates": _("chi-square test (Yates' correction)"),
    "anova": _("one-way ANOVA"),
    "kruskal": _("Kruskal-Wallis test"),
    "fisher_exact": _("Fisher's exact test"),
}
EFFECT_NAMES = {
    "hedges_g": _("Hedges' g"),
    "rank_biserial": _("rank-biserial r"),
    "cohens_dz": _("Cohen's d_z"),
    "cohen_h": _("Cohen's h"),
    "eta_squared": "η²",
    "epsilon_squared": "ε²",
    "cramers_v": _("Cramér's V"),
    "odds_ratio": _("odds ratio"),
}


@register.filter
def test_name(method):
    """welch_t → "Welch's t-test" in the page's language (unknown names as they are)."""
    return TEST_NAMES.get(method, method)


@register.filter
def effect_name(name):
    """rank_biserial → "rank-biserial r" in the page's language (unknown names as they are)."""
    return EFFECT_NAMES.get(name, name)
