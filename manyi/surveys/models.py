import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    CHOICE_KINDS,
    TABLE_DEFAULT_ROWS,
    TABLE_MAX_ROWS_LIMIT,
    IndexMethod,
    QuestionKind,
    ScaleMethod,
    TableColumnKind,
    ValidityRule,
)

DEFAULT_BANDS = [[90, "很满意"], [75, "满意"], [60, "一般"], [40, "不满意"], [0, "很不满意"]]


def default_bands():
    return [list(band) for band in DEFAULT_BANDS]


class QuestionnaireQuerySet(models.QuerySet):
    def current(self):
        """The newest version of each questionnaire family, archived ones left out."""
        newest = Questionnaire.objects.filter(family=models.OuterRef("family")).order_by("-version")
        return self.filter(is_archived=False, pk=models.Subquery(newest.values("pk")[:1]))


class Questionnaire(models.Model):
    """A questionnaire (调查问卷) with its scoring scheme.

    Versions: all versions of one questionnaire share `family`. A version that has answers is
    frozen; editing it creates the next version (see `editable_version`), so every response and
    report names the exact questions it was given.
    """

    family = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    intro = models.TextField(
        _("introduction for respondents"),
        blank=True,
        help_text=_("Purpose, how long it takes and the confidentiality promise."),
    )
    thanks = models.TextField(_("thank-you text"), blank=True)
    scale_method = models.CharField(
        _("scale to 0-100"), max_length=20, choices=ScaleMethod.choices, default=ScaleMethod.RATIO
    )
    validity_rule = models.CharField(
        _("validity rule"),
        max_length=30,
        choices=ValidityRule.choices,
        default=ValidityRule.ONE_MISSING_NEUTRAL,
    )
    index_method = models.CharField(
        _("overall index of a group"),
        max_length=20,
        choices=IndexMethod.choices,
        default=IndexMethod.ITEM_FIRST,
        help_text=_(
            "How the index of a group of answers is formed. The two differ only when valid "
            "answers leave items out (under the 2/3 or any-answer rule)."
        ),
    )
    satisfied_threshold = models.FloatField(
        _("satisfied customer threshold"),
        default=70,
        help_text=_("A customer whose index reaches this is satisfied."),
    )
    bands = models.JSONField(_("grade bands"), default=default_bands)
    # Market position survey (seed 000, 市场地位调查): items that ask how the main competitor
    # does on the same scale name it like this to respondents.
    competitor_name = models.CharField(
        _("competitor as respondents see it"),
        max_length=100,
        blank=True,
        help_text=_("For items that also ask about the competitor, e.g. 您目前合作的其他主要供应商."),
    )
    template_key = models.CharField(_("template"), max_length=60, blank=True, editable=False)
    # A second language's texts (issue 21: the English of a bilingual LimeSurvey import), shown
    # when the page is in that language: {"en": {"title", "description", "intro", "thanks",
    # "pages": {position: {"title", "description"}}, "dimensions": {code: title}, "questions":
    # {code: {"text", "help_text", "options": {code: label}, "rows": {code: text}}}}}. Texts
    # missing there (a question added later) are shown in the questionnaire's own language.
    translations = models.JSONField(_("texts in other languages"), default=dict, blank=True, editable=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="questionnaire_family_version")
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("surveys:detail", args=[self.pk])

    @property
    def is_frozen(self):
        """Answers exist: the questions may no longer change in place."""
        return self.responses.exists()

    def questions_in_order(self):
        """Questions as respondents see them: page by page (questions on no page first, when
        there are pages: surveys/pages.py), within a page by dimension, then those outside any
        dimension."""
        questions = list(
            self.questions.select_related("dimension", "page").prefetch_related("options", "rows", "columns")
        )
        dimension_order = {d.pk: d.position for d in self.dimensions.all()}
        big = 10**6
        return sorted(
            questions,
            key=lambda q: (
                (q.page.position, q.page.pk) if q.page_id else (-1, 0),
                dimension_order.get(q.dimension_id, big),
                q.position,
                q.pk,
            ),
        )

    def rated_items(self, questions=None):
        """(key, question, row) for every scored rated item: questions, and rows of matrices."""
        items = []
        for question in self.questions_in_order() if questions is None else questions:
            if not question.scored or question.kind not in (*CHOICE_KINDS, QuestionKind.MATRIX):
                continue
            if question.kind == QuestionKind.MATRIX:
                items.extend((row.code, question, row) for row in question.rows.all())
            elif question.kind != QuestionKind.MULTIPLE:
                items.append((question.code, question, None))
        return items

    def scoring_scheme(self, questions=None):
        """The questionnaire as the pure scoring engine sees it (manyi.analytics.scoring)."""
        from manyi.analytics import scoring

        items = []
        for key, question, _row in self.rated_items(questions):
            points = [o.points for o in question.options.all() if o.points is not None]
            if len(points) < 2:
                continue
            neutral = next((o.points for o in question.options.all() if o.is_neutral), None)
            items.append(
                scoring.ItemSpec(
                    key=key,
                    dimension=question.dimension.code if question.dimension else None,
                    weight=question.weight,
                    min_points=min(points),
                    max_points=max(points),
                    neutral_points=neutral,
                    outcome=question.outcome,
                )
            )
        return scoring.ScoringScheme(
            items=tuple(items),
            dimensions=tuple(
                scoring.DimensionSpec(key=d.code, weight=d.weight) for d in self.dimensions.all()
            ),
            scale_method=self.scale_method,
            validity_rule=self.validity_rule,
            index_method=self.index_method,
            satisfied_threshold=self.satisfied_threshold,
            bands=tuple(scoring.Band(min_score=float(low), label=label) for low, label in self.bands),
        )

    def layout(self):
        """The questions, options and scoring scheme, read from the database once per process.

        Answering reads the same questionnaire thousands of times; any change to it or to its
        dimensions, questions, options or rows moves `updated_at` (see signals.py), which
        makes the next call read it again.
        """
        stamp = (self.family, self.version, self.updated_at)
        cached = _layouts.get(self.pk)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        layout = QuestionnaireLayout(self)
        if len(_layouts) >= LAYOUT_CACHE_SIZE:
            _layouts.clear()
        _layouts[self.pk] = (stamp, layout)
        return layout

    @transaction.atomic
    def duplicate(self, *, by=None, new_version=False, title=None):
        """A deep copy: the next version of this family, or (new_version=False) a new family."""
        copy = Questionnaire.objects.get(pk=self.pk)
        copy.pk = None
        copy.created_by = by
        copy.created_at = timezone.now()
        if new_version:
            latest = Questionnaire.objects.filter(family=self.family).aggregate(v=models.Max("version"))["v"]
            copy.version = latest + 1
        else:
            copy.family = uuid.uuid4()
            copy.version = 1
            copy.title = title or self.title
        copy.save()
        dimension_map = {}
        for dimension in self.dimensions.all():
            old_pk = dimension.pk
            dimension.pk = None
            dimension.questionnaire = copy
            dimension.save()
            dimension_map[old_pk] = dimension
        page_map = {}
        for page in self.pages.all():
            old_pk = page.pk
            page.pk = None
            page.questionnaire = copy
            page.save()
            page_map[old_pk] = page
        for question in self.questions.prefetch_related("options", "rows", "columns"):
            options, rows = list(question.options.all()), list(question.rows.all())
            columns = list(question.columns.all())
            question.pk = None
            question.questionnaire = copy
            question.dimension = dimension_map.get(question.dimension_id)
            question.page = page_map.get(question.page_id)
            question.save()
            for child in options + rows + columns:
                child.pk = None
                child.question = question
            Option.objects.bulk_create(options)
            MatrixRow.objects.bulk_create(rows)
            TableColumn.objects.bulk_create(columns)
        return copy

    def newest_version(self):
        """The newest version of this questionnaire's family, the only one that is changed.

        Older versions are kept as they were answered and shown read-only: an edit asked of v1
        would otherwise land in a draft v2 whose questions may already differ.
        """
        return Questionnaire.objects.filter(family=self.family).order_by("-version").first()

    def editable_version(self, *, by=None):
        """This questionnaire if it can still change, otherwise a new version to edit."""
        if not self.is_frozen:
            return self
        newest = self.newest_version()
        if newest.pk != self.pk and not newest.is_frozen:
            return newest
        return self.duplicate(by=by, new_version=True)


LAYOUT_CACHE_SIZE = 256
_layouts = {}  # questionnaire pk -> ((family, version, updated_at), QuestionnaireLayout)


class QuestionnaireLayout:
    """A read-only snapshot of one questionnaire for answering and scoring.

    `questions` in respondent order with their options, rows and dimension loaded; `options`
    maps question pk -> {option pk as text: option}; `scheme` is the scoring scheme.
    """

    def __init__(self, questionnaire):
        self.questions = questionnaire.questions_in_order()
        self.options = {q.pk: {str(o.pk): o for o in q.options.all()} for q in self.questions}
        self.rows = {q.pk: list(q.rows.all()) for q in self.questions}
        self.scheme = questionnaire.scoring_scheme(self.questions)
        self.scored_keys = frozenset(item.key for item in self.scheme.items)
        # Pages (issue 21): the questionnaire's pages that hold a question, in order (read with
        # the questions); surveys/pages.py splits the questions onto them.
        pages = {q.page_id: q.page for q in self.questions if q.page_id}
        self.pages = sorted(pages.values(), key=lambda page: (page.position, page.pk))
        # The answer form's fields, per language (campaigns.answering.AnswerForm fills it).
        self.answer_fields = {}


# Weights are relative (0.3, 30 and 3 weigh alike against their siblings); the largest a
# seed uses is 100 (a percentage). A bigger number is a typing slip (1e9), and would make
# every other item's weight vanish from the index.
MAX_WEIGHT = 100


def validate_weight(weight):
    """A dimension's or a question's weight: greater than 0 and at most MAX_WEIGHT."""
    if weight is None or not 0 < weight <= MAX_WEIGHT:
        raise ValidationError(
            _("The weight must be greater than 0 and at most %(max)s."), params={"max": MAX_WEIGHT}
        )


WEIGHT_IN_RANGE = models.Q(weight__gt=0, weight__lte=MAX_WEIGHT)


class Dimension(models.Model):
    """A section of the questionnaire and a dimension of the index (质量水平 30% …)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    weight = models.FloatField(_("weight"), default=1, validators=[validate_weight])
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="dimension_code_unique"),
            models.CheckConstraint(condition=WEIGHT_IN_RANGE, name="dimension_weight_in_range"),
        ]

    def __str__(self):
        return self.title


class Page(models.Model):
    """A page of the questionnaire (LimeSurvey's question group, Qualtrics' block): respondents
    answer it and go on with "next"; each "next" saves their answers so far (issue 21).

    Questions on no page come first, on a page of their own; a questionnaire without pages is
    one page. A page whose condition does not hold is skipped, its questions hidden."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="pages")
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("page title"), max_length=200, blank=True)
    description = models.TextField(_("page description"), blank=True)
    condition = models.TextField(
        _("display condition"),
        blank=True,
        help_text=_('Show this page only when this holds, e.g. Q1 == "A1". Empty: always shown.'),
    )
    randomise_questions = models.BooleanField(
        _("shuffle the questions of this page"),
        default=False,
        help_text=_(
            "Each respondent sees this page's questions in an order of their own, kept on their response."
        ),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title or _("Page %(number)s") % {"number": self.position + 1}


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey(
        Page,
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("dimension"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=500, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.RATING
    )
    required = models.BooleanField(_("required"), default=True)
    weight = models.FloatField(_("weight"), default=1, validators=[validate_weight])
    scored = models.BooleanField(_("counts toward the index"), default=True)
    ask_importance = models.BooleanField(_("also ask how important this is"), default=False)
    ask_competitor = models.BooleanField(_("also ask how the main competitor does"), default=False)
    allow_other = models.BooleanField(_("offer “other (please specify)”"), default=False)
    # The outcome the key drivers explain (derived importance): an index regressed on its own
    # items only measures the questionnaire's weights (R² = 1).
    outcome = models.BooleanField(
        _("outcome of the key drivers"),
        default=False,
        help_text=_(
            "The question the items are compared with in the key-driver analysis: overall "
            "satisfaction (整体满意度), or the willingness to recommend or to buy again. It never "
            "counts toward the index built from the items."
        ),
    )
    # Table questions (seed 000, 快递调查 四): how many rows the respondent may fill, and whether
    # the percentage columns of one respondent's rows may add up to more than 100.
    table_max_rows = models.PositiveSmallIntegerField(
        _("rows the respondent may fill"),
        default=TABLE_DEFAULT_ROWS,
        validators=[MinValueValidator(1), MaxValueValidator(TABLE_MAX_ROWS_LIMIT)],
    )
    table_shares_within_100 = models.BooleanField(
        _("percentages add up to at most 100%"),
        default=False,
        help_text=_(
            "A table's percentage column: the shares of one respondent's rows add up to at most 100%."
        ),
    )
    randomise_options = models.BooleanField(
        _("shuffle the options"),
        default=False,
        help_text=_(
            "Each respondent sees the options in an order of their own; options marked "
            "“keep in place” (不适用, 其他) stay where they are."
        ),
    )
    # Questionnaire logic (issue 21): shown only when this condition on earlier answers holds
    # (syntax: /work/tools/EXPRESSIONS.md, manyi/surveys/logic/); empty = always shown.
    condition = models.TextField(
        _("display condition"),
        blank=True,
        help_text=_(
            'Ask this question only when this holds, e.g. Q3 == "A4" or Q3 == "A5". Empty: always asked.'
        ),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique"),
            models.CheckConstraint(condition=WEIGHT_IN_RANGE, name="question_weight_in_range"),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def is_rated(self):
        return self.kind in (QuestionKind.RATING, QuestionKind.MATRIX) or (
            self.kind == QuestionKind.SINGLE and any(o.points is not None for o in self.options.all())
        )


class Option(models.Model):
    """A choice (很满意 10分 …); rating scales and matrices are options with points."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=300)
    points = models.FloatField(_("points"), null=True, blank=True)
    is_neutral = models.BooleanField(
        _("neutral"),
        default=False,
        help_text=_("Counted for one missing answer when the validity rule says so."),
    )
    anchored = models.BooleanField(
        _("keep in place"),
        default=False,
        help_text=_("When the options are shuffled this one stays where it is (不适用, 说不清)."),
    )
    # The answer code conditions compare with (Q3 == "A4"); LimeSurvey's codes are kept.
    code = models.CharField(_("code"), max_length=20, blank=True)
    condition = models.TextField(
        _("display condition"),
        blank=True,
        help_text=_("Offer this option only when this holds. Empty: always offered."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "code"], condition=~models.Q(code=""), name="option_code_unique"
            )
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        if not self.code and self.question_id:
            used = set(Option.objects.filter(question_id=self.question_id).values_list("code", flat=True))
            self.code = fill_option_codes([self], used=used)[0].code
        super().save(*args, **kwargs)


def fill_option_codes(options, used=()):
    """Give each option without a code the next free "A<n>" (A1, A2 … in the given order)."""
    taken = set(used) | {o.code for o in options if o.code}
    n = 0
    for option in options:
        if option.code:
            continue
        n += 1
        while f"A{n}" in taken:
            n += 1
        option.code = f"A{n}"
        taken.add(option.code)
    return options


class MatrixRow(models.Model):
    """One item of a matrix question, rated on the question's options."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("item"), max_length=300)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("matrix item")
        verbose_name_plural = _("matrix items")

    def __str__(self):
        return self.text


class TableColumn(models.Model):
    """One column of a table question (快递公司 / 件量占比 / 优势 / 劣势); each respondent fills
    up to `Question.table_max_rows` rows of them."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("heading"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=TableColumnKind.choices, default=TableColumnKind.TEXT
    )
    required = models.BooleanField(
        _("required in a filled row"),
        default=False,
        help_text=_("A row the respondent starts must have this cell filled."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("table column")
        verbose_name_plural = _("table columns")
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="table_column_code_unique")]

    def __str__(self):
        return self.label
