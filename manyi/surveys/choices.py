from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating scale")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    NPS = "nps", _("Recommendation (NPS 0-10)")
    TEXT = "text", _("Open text")
    MATRIX = "matrix", _("Matrix (several items on one scale)")
    TABLE = "table", _("Table (rows the respondent fills in)")


# Kinds whose answers are option choices; a matrix chooses one option per row.
CHOICE_KINDS = {QuestionKind.RATING, QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.YES_NO}


class ScaleMethod(models.TextChoices):
    RATIO = "ratio", _("Points ÷ highest points × 100 (10/8/6/4/2 → 100/80/60/40/20)")
    RANGE = "range", _("Linear from lowest (0) to highest (100)")


class IndexMethod(models.TextChoices):
    # Seed 000 (彩管 report): 综合满意度 = 100% × Σ(各评估小项满意度 × 权重) / Σ(权重).
    ITEM_FIRST = "item_first", _("Item first: each item's mean, then their weighted mean (seed 000)")
    RESPONDENT_MEAN = "respondent_mean", _("Respondent first: the mean of each respondent's index")


class ValidityRule(models.TextChoices):
    ALL_REQUIRED = "all_required", _("Every scored item must be answered")
    ONE_MISSING_NEUTRAL = (
        "one_missing_neutral",
        _("One missing item counts as neutral; two or more make the questionnaire invalid"),
    )
    TWO_THIRDS = "two_thirds", _("Valid when at least 2/3 of the scored items are answered")
    ANY_ANSWER = "any_answer", _("Valid with at least one answered item")


class TableColumnKind(models.TextChoices):
    """What one column of a table question holds (seed 000's 快递公司 / 件量占比 / 优势 / 劣势)."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percentage (0-100)")


# How many rows a table question may offer the respondent.
TABLE_MAX_ROWS_LIMIT = 20
TABLE_DEFAULT_ROWS = 5
