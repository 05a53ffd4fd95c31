"""Forms of the questionnaire builder, and the builder's small rules (codes, order, checks).

Saving is separate from validating: a view validates against the questionnaire the user
looked at, then asks `Questionnaire.editable_version()` for the version to change (a new one
when the questionnaire already has answers) and saves there. Objects are matched across
versions by their codes, which are unique inside a questionnaire.
"""

import itertools
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from manyi.forms import LabelledRowsFormSet, StyledFormMixin

from . import table_forms
from .choices import QuestionKind, ScaleMethod, ValidityRule
from .logic import builder as logic_builder
from .logic.check import with_field_codes
from .logic.parser import ROOTS, ExpressionError, parse, references
from .models import (
    Dimension,
    MatrixRow,
    Option,
    Page,
    Question,
    Questionnaire,
    fill_option_codes,
    validate_weight,
)

# Quick-fill scales of the options editor, from the seed documents: (key, name, options) with
# options as (label, points, neutral). The labels are the Chinese wording of the seeds.
SEED_SCALES = [
    (
        "five_10",
        _("5 levels: 10/8/6/4/2"),
        [
            ("很满意", 10, False),
            ("满意", 8, False),
            ("可以接受", 6, True),
            ("不满意", 4, False),
            ("很不满意", 2, False),
        ],
    ),
    (
        "five_50",
        _("5 levels: 50/30/20/0/−10"),
        [
            ("非常满意", 50, False),
            ("满意", 30, False),
            ("一般", 20, True),
            ("不满意", 0, False),
            ("非常不满意", -10, False),
        ],
    ),
    (
        "likert5",
        _("Likert 1–5"),
        [
            ("非常不满意", 1, False),
            ("不满意", 2, False),
            ("一般", 3, True),
            ("满意", 4, False),
            ("非常满意", 5, False),
        ],
    ),
    ("three", _("3 levels"), [("满意", 3, False), ("较满意", 2, True), ("不满意", 1, False)]),
    (
        "seven",
        _("7-point"),
        [
            ("非常不满意", 1, False),
            ("不满意", 2, False),
            ("有点不满意", 3, False),
            ("一般", 4, True),
            ("有点满意", 5, False),
            ("满意", 6, False),
            ("非常满意", 7, False),
        ],
    ),
    (
        "ten",
        _("10-point"),
        [("1 非常不满意", 1, False)]
        + [(str(p), p, p == 5) for p in range(2, 10)]
        + [("10 非常满意", 10, False)],
    ),
]

# Quick fill of a yes/no question (seed 000: 是否存在乱收费现象).
YES_NO_OPTIONS = [("是", None, False), ("否", None, False)]

SCALE_KINDS = {QuestionKind.RATING, QuestionKind.MATRIX}
NO_OPTION_KINDS = {QuestionKind.NPS, QuestionKind.TEXT}  # tables too: table_forms.check_columns
SCORABLE_KINDS = {QuestionKind.RATING, QuestionKind.MATRIX, QuestionKind.SINGLE}
OTHER_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}


def used_codes(questionnaire, *, exclude_question=None):
    """Question and matrix row codes in use, leaving out one question (the one being edited)."""
    questions = Question.objects.filter(questionnaire=questionnaire)
    rows = MatrixRow.objects.filter(question__questionnaire=questionnaire)
    if exclude_question is not None and exclude_question.pk:
        questions = questions.exclude(pk=exclude_question.pk)
        rows = rows.exclude(question=exclude_question)
    return set(questions.values_list("code", flat=True)) | set(rows.values_list("code", flat=True))


def suggest_code(questionnaire, prefix="Q"):
    """The next free code Q1, Q2 …: one more than the highest number in use."""
    codes = used_codes(questionnaire)
    numbers = [int(m.group(1)) for c in codes if (m := re.fullmatch(rf"{prefix}(\d+)", c))]
    n = max(numbers, default=0) + 1
    while f"{prefix}{n}" in codes:
        n += 1
    return f"{prefix}{n}"


def move(obj, siblings, direction):
    """Swap `obj` with its neighbour among `siblings` (a queryset in display order)."""
    ordered = list(siblings)
    i = next(i for i, o in enumerate(ordered) if o.pk == obj.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, o in enumerate(ordered, start=1):
        if o.position != position:
            o.position = position
            o.save(update_fields=["position"])


def question_siblings(question):
    return Question.objects.filter(
        questionnaire=question.questionnaire, dimension=question.dimension
    ).order_by("position", "pk")


def bands_to_text(bands):
    return "\n".join(
        f"{low:g} {label}" if isinstance(low, int | float) else f"{low} {label}" for low, label in bands
    )


def parse_bands(text):
    """Lines "90 很满意" → [[90, "很满意"], …]; ValidationError with the line that is wrong."""
    bands = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.split(None, 1)
        try:
            low = float(parts[0])
        except ValueError:
            raise ValidationError(
                _("Line %(n)s: start with the lowest score of the band, then its name, as in “90 很满意”."),
                params={"n": number},
            ) from None
        if len(parts) < 2:
            raise ValidationError(
                _("Line %(n)s: the band needs a name after the score."), params={"n": number}
            )
        if not 0 <= low <= 100:
            raise ValidationError(_("Line %(n)s: scores go from 0 to 100."), params={"n": number})
        bands.append([int(low) if low.is_integer() else low, parts[1].strip()])
    if not bands:
        raise ValidationError(_("Give at least one band, the last one starting at 0."))
    lows = [low for low, _label in bands]
    if any(a <= b for a, b in itertools.pairwise(lows)):
        raise ValidationError(
            _("List the bands from the highest score down, each lower than the one before.")
        )
    if lows[-1] != 0:
        raise ValidationError(_("The last band must start at 0."))
    labels = [label for _low, label in bands]
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Each band needs its own name."))
    return bands


class QuestionnaireForm(StyledFormMixin, forms.ModelForm):
    bands_text = forms.CharField(
        label=_("Grade bands"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One band a line: lowest score, then the name, from the highest down, e.g. “90 很满意”."),
    )

    class Meta:
        model = Questionnaire
        fields = [
            "title",
            "description",
            "intro",
            "thanks",
            "scale_method",
            "validity_rule",
            "index_method",
            "satisfied_threshold",
            "competitor_name",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "intro": forms.Textarea(attrs={"rows": 3}),
            "thanks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bands_text"].initial = bands_to_text(self.instance.bands)

    def clean_satisfied_threshold(self):
        value = self.cleaned_data["satisfied_threshold"]
        if not 0 <= value <= 100:
            raise ValidationError(_("The threshold is an index from 0 to 100."))
        return value

    def clean_bands_text(self):
        return parse_bands(self.cleaned_data["bands_text"])

    def save_to(self, questionnaire):
        for name in self._meta.fields:
            setattr(questionnaire, name, self.cleaned_data[name])
        questionnaire.bands = self.cleaned_data["bands_text"]
        questionnaire.save()
        return questionnaire


class NewQuestionnaireForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class DimensionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Dimension
        fields = ["code", "title", "weight"]

    def __init__(self, *args, questionnaire, **kwargs):
        self.questionnaire = questionnaire
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.is_bound:
            n = questionnaire.dimensions.count() + 1
            while questionnaire.dimensions.filter(code=f"D{n}").exists():
                n += 1
            self.initial["code"] = f"D{n}"

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        others = self.questionnaire.dimensions.exclude(pk=self.instance.pk)
        if others.filter(code=code).exists():
            raise ValidationError(
                _("Another dimension already has the code %(code)s."), params={"code": code}
            )
        return code

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        validate_weight(weight)
        return weight

    def validate_unique(self):
        # The questionnaire is not a form field; clean_code checked uniqueness.
        pass

    def save_to(self, questionnaire, dimension=None):
        if dimension is None:
            last = questionnaire.dimensions.aggregate(p=models.Max("position"))["p"]
            dimension = Dimension(questionnaire=questionnaire, position=(last or 0) + 1)
        for name in self._meta.fields:
            setattr(dimension, name, self.cleaned_data[name])
        dimension.save()
        return dimension


class QuestionForm(StyledFormMixin, table_forms.TableFieldsMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "kind",
            "code",
            "text",
            "help_text",
            "dimension",
            "page",
            "required",
            "weight",
            "scored",
            "ask_importance",
            "ask_competitor",
            "allow_other",
            "outcome",
            "table_max_rows",
            "table_shares_within_100",
            "randomise_options",
            "condition",
        ]
        widgets = {"condition": forms.Textarea(attrs={"rows": 2, "spellcheck": "false"})}

    def __init__(self, *args, questionnaire, **kwargs):
        self.questionnaire = questionnaire
        super().__init__(*args, **kwargs)
        self.fields["dimension"].queryset = questionnaire.dimensions.all()
        self.fields["dimension"].empty_label = _("(outside any dimension)")
        self.fields["page"].queryset = questionnaire.pages.all()
        self.fields["page"].empty_label = _("(first, before any page)")
        if not questionnaire.pages.exists():
            self.fields["page"].widget = forms.HiddenInput()
        if not self.instance.pk and not self.is_bound:
            self.initial["code"] = suggest_code(questionnaire)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code in used_codes(self.questionnaire, exclude_question=self.instance):
            raise ValidationError(
                _(
                    "The code %(code)s is already used in this questionnaire (by a question or a matrix item)."
                ),
                params={"code": code},
            )
        return code

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        validate_weight(weight)
        return weight

    def clean_condition(self):
        return logic_builder.clean_condition(self.cleaned_data["condition"], **self._placement())

    def _placement(self):
        """Where the question stands, for its conditions: only earlier questions may be named."""
        return {
            "questionnaire": self.questionnaire,
            "code": self.cleaned_data.get("code") or self.instance.code,
            "dimension": self.cleaned_data.get("dimension"),
            "instance": self.instance,
        }

    def validate_unique(self):
        pass

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if data.get("scored") and kind not in SCORABLE_KINDS:
            self.add_error(
                "scored", _("Only rating, matrix and single-choice questions can count toward the index.")
            )
        if data.get("ask_importance") and not data.get("scored"):
            self.add_error(
                "ask_importance", _("Importance is asked only for questions that count toward the index.")
            )
        if data.get("ask_competitor") and not data.get("scored"):
            self.add_error(
                "ask_competitor",
                _("The competitor is rated only on questions that count toward the index."),
            )
        if data.get("allow_other") and kind not in OTHER_KINDS:
            self.add_error(
                "allow_other", _("“Other (please specify)” is only for single and multiple choice.")
            )
        if data.get("outcome"):
            if kind not in (QuestionKind.RATING, QuestionKind.SINGLE):
                self.add_error("outcome", _("The outcome of the key drivers is a rating or a single choice."))
            if data.get("dimension") is not None:
                self.add_error(
                    "dimension",
                    _(
                        "The outcome of the key drivers stands outside the dimensions: it is not part of the index."
                    ),
                )
            other = self.questionnaire.questions.filter(outcome=True).exclude(pk=self.instance.pk).first()
            if other is not None:
                self.add_error(
                    "outcome",
                    _("%(code)s is the outcome of the key drivers already; a questionnaire has one.")
                    % {"code": other.code},
                )
        return data


def counterpart_page(page, questionnaire):
    """The page of `questionnaire` (a new version) that stands where `page` stood in its own."""
    older = list(page.questionnaire.pages.values_list("pk", flat=True))
    newer = list(questionnaire.pages.all())
    return newer[older.index(page.pk)]


class PageForm(StyledFormMixin, forms.ModelForm):
    """A page of the questionnaire: its title, description, display condition and shuffling."""

    class Meta:
        model = Page
        fields = ["title", "description", "condition", "randomise_questions"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "condition": forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        }

    def __init__(self, *args, questionnaire, **kwargs):
        self.questionnaire = questionnaire
        super().__init__(*args, **kwargs)

    def clean_condition(self):
        """A condition that reads (the expression language); the logic check on the
        questionnaire's page says when it names a question that is not on an earlier page."""
        text = with_field_codes((self.cleaned_data["condition"] or "").strip())
        if not text:
            return text
        try:
            tree = parse(text)
        except ExpressionError as error:
            raise ValidationError(error.message) from error
        named = {parts[0] for parts in references(tree) if parts and parts[0] not in ROOTS}
        earlier = self.questionnaire.questions.all()
        if self.instance.pk:
            earlier = earlier.filter(
                models.Q(page__isnull=True) | models.Q(page__position__lt=self.instance.position)
            )
        not_earlier = sorted(named - set(earlier.values_list("code", flat=True)))
        if not_earlier:
            raise ValidationError(
                _("A page's condition may name only questions on earlier pages, not %(codes)s."),
                params={"codes": ", ".join(not_earlier)},
            )
        return text

    def save_to(self, questionnaire, page=None):
        if page is None:
            last = questionnaire.pages.aggregate(p=models.Max("position"))["p"]
            page = Page(questionnaire=questionnaire, position=0 if last is None else last + 1)
        for name in self._meta.fields:
            setattr(page, name, self.cleaned_data[name])
        page.save()
        return page


class OptionForm(StyledFormMixin, forms.Form):
    label = forms.CharField(label=_("Label"), max_length=300, required=False)
    points = forms.FloatField(label=_("Points"), required=False)
    is_neutral = forms.BooleanField(label=_("Neutral"), required=False)
    anchored = forms.BooleanField(label=_("Keep in place"), required=False)
    code = forms.CharField(label=_("Code"), max_length=20, required=False)
    condition = forms.CharField(label=_("Display condition"), max_length=2000, required=False)


class RowForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, required=False)
    text = forms.CharField(label=_("Item"), max_length=300, required=False)


# A question's options and matrix rows: far more than any questionnaire asks; the bound caps
# the forms a posted TOTAL_FORMS makes (Django's default lets it make 1,000).
MAX_OPTIONS = 100
OptionFormSet = forms.formset_factory(
    OptionForm,
    formset=LabelledRowsFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_OPTIONS,
    absolute_max=MAX_OPTIONS,
    validate_max=True,
)
RowFormSet = forms.formset_factory(
    RowForm,
    formset=LabelledRowsFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_OPTIONS,
    absolute_max=MAX_OPTIONS,
    validate_max=True,
)


def _kept(formset, *keys):
    """The filled-in, not deleted rows of a formset, as dicts."""
    kept = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE"):
            continue
        if any(data.get(k) not in (None, "") for k in keys):
            kept.append(data)
    return kept


def check_question(*, kind, scored, options, rows, validity_rule, scale_method, codes_in_use=(), code=""):
    """The builder's rules for one question; a list of messages, empty when it is fine.

    options: dicts with label, points, is_neutral; rows: dicts with code, text.
    """
    errors = _option_count_errors(kind, options)
    if kind in SCALE_KINDS or (kind == QuestionKind.SINGLE and scored):
        errors += _rated_option_errors(options, validity_rule, scale_method)
    elif any(o.get("is_neutral") for o in options) and kind != QuestionKind.SINGLE:
        errors.append(_("Only rated questions have a neutral option."))
    if kind == QuestionKind.MATRIX:
        errors += _matrix_row_errors(rows, codes_in_use, code)
    elif rows:
        errors.append(_("Only matrix questions have items."))
    return errors


def _option_count_errors(kind, options):
    """Labels on every option, and as many options as the kind of question has."""
    errors = []
    if any(not (o.get("label") or "").strip() for o in options):
        errors.append(_("Every option needs a label."))
    if kind in NO_OPTION_KINDS and options:
        errors.append(_("NPS and open-text questions have no options; remove them."))
    if kind == QuestionKind.YES_NO and len(options) != 2:
        errors.append(_("A yes/no question has exactly two options."))
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
        errors.append(_("Give at least two options."))
    return errors


def _rated_option_errors(options, validity_rule, scale_method):
    """A rated question's points (two different at least, on each option, not negative for the
    ratio scale) and its neutral option (exactly one when a missing answer counts as neutral)."""
    errors = []
    with_points = [o for o in options if o.get("points") is not None]
    if len(with_points) < 2 or len(with_points) != len(options):
        errors.append(_("A rated question needs at least two options, each with points."))
    elif max(o["points"] for o in with_points) == min(o["points"] for o in with_points):
        errors.append(_("The highest and lowest points must differ."))
    elif scale_method == ScaleMethod.RATIO and any(o["points"] < 0 for o in with_points):
        errors.append(
            _("Negative points need the scale method “linear from lowest to highest” in the settings.")
        )
    neutral = sum(1 for o in options if o.get("is_neutral"))
    if validity_rule == ValidityRule.ONE_MISSING_NEUTRAL and neutral != 1:
        errors.append(
            _("Mark exactly one option as neutral: the validity rule counts one missing answer as neutral.")
        )
    return errors


def _matrix_row_errors(rows, codes_in_use, code):
    """Two items at least, each with a code and a text, the codes unique in the questionnaire."""
    errors = []
    if len(rows) < 2:
        errors.append(_("A matrix needs at least two items."))
    row_codes = [(r.get("code") or "").strip() for r in rows]
    if any(not c for c in row_codes) or any(not (r.get("text") or "").strip() for r in rows):
        errors.append(_("Every matrix item needs a code and a text."))
    clashes = sorted({c for c in row_codes if c and (c in codes_in_use or c == code)})
    if clashes or len(set(row_codes)) != len(row_codes):
        errors.append(
            _("Matrix item codes must be unique in the questionnaire: %(codes)s")
            % {
                "codes": ", ".join(clashes)
                or ", ".join(sorted({c for c in row_codes if row_codes.count(c) > 1}))
            }
        )
    return errors


class QuestionEditor:
    """The question form, its options and its matrix items, validated and saved together."""

    def __init__(self, questionnaire, question=None, data=None):
        self.questionnaire = questionnaire
        self.question = question
        self.form = QuestionForm(
            data, instance=question or Question(questionnaire=questionnaire), questionnaire=questionnaire
        )
        initial_options = initial_rows = None
        if question is not None and data is None:
            initial_options = [
                {
                    "label": o.label,
                    "points": o.points,
                    "is_neutral": o.is_neutral,
                    "anchored": o.anchored,
                    "code": o.code,
                    "condition": o.condition,
                }
                for o in question.options.all()
            ]
            initial_rows = [{"code": r.code, "text": r.text} for r in question.rows.all()]
        self.options = OptionFormSet(data, prefix="options", initial=initial_options)
        self.rows = RowFormSet(data, prefix="rows", initial=initial_rows)
        self.columns = table_forms.column_formset(data, question)
        self.errors = []

    def is_valid(self):
        # Each is validated (a list, not a generator) so that every one shows its errors.
        valid = all(
            [self.form.is_valid(), self.options.is_valid(), self.rows.is_valid(), self.columns.is_valid()]
        )
        if not valid:
            return False
        data = self.form.cleaned_data
        self.errors = check_question(
            kind=data["kind"],
            scored=data["scored"],
            options=self.kept_options(),
            rows=self.kept_rows(),
            validity_rule=self.questionnaire.validity_rule,
            scale_method=self.questionnaire.scale_method,
            codes_in_use=used_codes(self.questionnaire, exclude_question=self.question),
            code=data["code"],
        ) + table_forms.check_columns(
            kind=data["kind"],
            columns=table_forms.kept_columns(self.columns),
            options=self.kept_options(),
            shares_within_100=data["table_shares_within_100"],
            max_rows=data["table_max_rows"],
        )
        self.errors += logic_builder.option_problems(self.kept_options(), **self.form._placement())
        return not self.errors

    def kept_options(self):
        return _kept(self.options, "label", "points")

    def kept_rows(self):
        return _kept(self.rows, "code", "text")

    @transaction.atomic
    def save_to(self, questionnaire, question=None):
        """Save into `questionnaire` (maybe a new version); `question` is the one to change there."""
        data = self.form.cleaned_data
        if question is None:
            last = questionnaire.questions.aggregate(p=models.Max("position"))["p"]
            question = Question(questionnaire=questionnaire, position=(last or 0) + 1)
        for name in QuestionForm._meta.fields:
            setattr(question, name, data[name])
        if data["dimension"] is not None and data["dimension"].questionnaire_id != questionnaire.pk:
            question.dimension = questionnaire.dimensions.get(code=data["dimension"].code)
        if data["page"] is not None and data["page"].questionnaire_id != questionnaire.pk:
            question.page = counterpart_page(data["page"], questionnaire)
        question.save()
        question.options.all().delete()
        question.rows.all().delete()
        Option.objects.bulk_create(
            fill_option_codes(
                [
                    Option(
                        question=question,
                        position=i,
                        label=o["label"].strip(),
                        points=o["points"],
                        is_neutral=o["is_neutral"],
                        anchored=bool(o.get("anchored")),
                        code=(o.get("code") or "").strip(),
                        condition=with_field_codes((o.get("condition") or "").strip()),
                    )
                    for i, o in enumerate(self.kept_options())
                ]
            )
        )
        MatrixRow.objects.bulk_create(
            MatrixRow(question=question, position=i, code=r["code"].strip(), text=r["text"].strip())
            for i, r in enumerate(self.kept_rows())
        )
        table_forms.save_columns(question, table_forms.kept_columns(self.columns))
        return question
