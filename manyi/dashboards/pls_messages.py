"""The PLS engine's error messages in the user's language.

manyi.analytics.pls has no Django, so it raises ModelError with a fixed English template
and its params; the templates are marked here (gettext_noop: makemessages extracts them,
the translation happens per request) and filled again after translating.
tests/test_pls_messages.py fails when pls.py raises a template missing here.
"""

from django.utils.translation import gettext, gettext_noop, pgettext

from manyi.analytics import pls

TEMPLATES = frozenset(
    {
        # PathModel.from_dict
        gettext_noop("The model must be a JSON object."),
        gettext_noop("Unknown model key(s): %(keys)s."),
        gettext_noop('The model needs a non-empty "constructs" object.'),
        gettext_noop('Construct "%(name)s" must be an object with "indicators".'),
        gettext_noop('Unknown key(s) in construct "%(name)s": %(keys)s.'),
        gettext_noop('The indicators of construct "%(name)s" must be a list.'),
        gettext_noop('The lower-order constructs of "%(name)s" must be a list.'),
        gettext_noop(
            'Construct "%(name)s" has both indicators and lower-order constructs; give one of them.'
        ),
        gettext_noop('"paths" must be a list of [from, to] pairs.'),
        gettext_noop('"scale" must be a pair of numbers [min, max].'),
        # the model's structure
        gettext_noop("The model has no constructs."),
        gettext_noop("Every construct needs a non-empty name."),
        gettext_noop('Construct "%(name)s" has no indicators.'),
        gettext_noop('The indicators of construct "%(name)s" must be non-empty names.'),
        gettext_noop('Construct "%(name)s" has mode "%(mode)s"; use "A" or "B".'),
        gettext_noop("Construct name(s) used twice: %(names)s."),
        gettext_noop("Indicator(s) used twice: %(names)s."),
        gettext_noop(
            'Higher-order construct "%(name)s" needs two or more different lower-order '
            "constructs, each listed once."
        ),
        gettext_noop('Higher-order construct "%(name)s" names an unknown construct "%(other)s".'),
        gettext_noop(
            'Higher-order construct "%(name)s" can only be built on constructs measured by '
            'indicators, not on "%(other)s".'
        ),
        gettext_noop('Unknown inner weighting scheme "%(scheme)s"; use %(choices)s.'),
        gettext_noop("The model has no paths between constructs."),
        gettext_noop('Path "%(source)s -> %(target)s" names an unknown construct "%(name)s".'),
        gettext_noop("A path is listed twice."),
        gettext_noop('A path leads from "%(name)s" to itself.'),
        gettext_noop("Construct(s) not connected by any path: %(names)s."),
        gettext_noop("The paths form a cycle through: %(names)s."),
        gettext_noop("The scale must be [min, max] with min < max."),
        # the data
        gettext_noop("Indicator column(s) not in the data: %(names)s."),
        gettext_noop('Column "%(name)s" is not numeric (found %(value)s).'),
        gettext_noop('Column "%(name)s" must be a list of numbers.'),
        gettext_noop("The indicator columns have different lengths."),
        gettext_noop('Column "%(name)s" contains an infinite value.'),
        gettext_noop(
            "Too few complete rows: %(rows)s after dropping %(dropped)s incomplete row(s); "
            "this model needs at least %(needed)s."
        ),
        gettext_noop("Too few complete rows: %(rows)s; this model needs at least %(needed)s."),
        gettext_noop("Column(s) with the same value in every row: %(names)s."),
        # the estimation and the bootstrap
        gettext_noop('The indicators of formative construct "%(name)s" are collinear.'),
        gettext_noop("The estimation failed (a construct score has no variance)."),
        gettext_noop("The number of bootstrap resamples must be an integer of at least 2."),
        gettext_noop("The confidence level must be between 0 and 1."),
        gettext_noop("Fewer than 2 bootstrap resamples could be estimated."),
    }
)


def list_separator():
    """Between the names of a list in a sentence: ", " in English, "、" in Chinese."""
    return pgettext("separator between the names of a list", ", ")


def pls_error_message(error: ValueError) -> str:
    """The error's message in the active language (its English text when not catalogued)."""
    if isinstance(error, pls.ModelError) and error.template in TEMPLATES:
        return error.fill(gettext(error.template), list_separator())
    return str(error)
