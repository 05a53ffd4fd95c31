"""Writing an import plan (mapping.Plan) as a new questionnaire."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import QuestionKind
from ..models import Dimension, MatrixRow, Option, Page, Question, Questionnaire
from .mapping import SCALE_KINDS, neutral_points


def has_field(model, name):
    """Whether a model has a field (conditions and option codes arrive with migration 0007)."""
    return any(f.name == name for f in model._meta.get_fields())


@transaction.atomic
def create_questionnaire(plan, *, by=None):
    """A new questionnaire (version 1 of a new family) made from the plan."""
    questionnaire = Questionnaire.objects.create(
        title=plan.title,
        description=plan.description,
        intro=plan.intro,
        thanks=plan.thanks,
        translations=plan.translations,
        created_by=by,
    )
    dimensions = {}
    if plan.dimensions:  # our export's marks (marks.py): the dimensions as they were
        by_code = {
            mark.code: Dimension.objects.create(
                questionnaire=questionnaire,
                code=mark.code,
                title=mark.title,
                weight=mark.weight,
                position=mark.position,
            )
            for mark in plan.dimensions
        }
    elif plan.report.groups_as_dimensions:
        used = {q.group for q in plan.questions if q.in_dimension}
        for position, group in enumerate(plan.groups):
            if position in used:
                dimensions[position] = Dimension.objects.create(
                    questionnaire=questionnaire, code=group.code, title=group.title, position=position
                )
    pages = _pages(questionnaire, plan)
    with_conditions = has_field(Question, "condition")
    for position, planned in enumerate(plan.questions):
        question = Question(
            questionnaire=questionnaire,
            page=pages.get(planned.group),
            dimension=_dimension(planned, dimensions, by_code if plan.dimensions else None),
            position=position + 1,
            code=planned.code,
            text=planned.text,
            help_text=planned.help_text,
            kind=planned.kind,
            required=planned.required,
            scored=planned.scored,
            allow_other=planned.allow_other,
            randomise_options=planned.randomise_options,
        )
        if with_conditions:
            question.condition = planned.condition
        if planned.kind == getattr(QuestionKind, "TABLE", None):
            question.table_max_rows = planned.table_max_rows
        question.save()
        _children(question, planned)
    if not with_conditions and any(q.condition for q in plan.questions):
        plan.report.notes.append(
            _("Conditions are listed in this report; questions cannot hold conditions yet, so all are shown.")
        )
    return questionnaire


def _dimension(planned, by_group, by_code):
    """The question's dimension: by its mark when the file carries ours, else by its group."""
    if by_code is not None:
        return by_code.get(planned.dimension.code) if planned.dimension is not None else None
    return by_group.get(planned.group) if planned.in_dimension else None


def _pages(questionnaire, plan):
    """Group index -> Page: each LimeSurvey question group with a question becomes a page (its
    relevance the page's condition) when Plan.makes_pages() says so."""
    if not plan.makes_pages():
        return {}
    used = sorted({q.group for q in plan.questions})
    groups = [plan.groups[index] for index in used]
    return {
        index: Page.objects.create(
            questionnaire=questionnaire,
            position=position,
            title=group.title,
            description=group.description,
            condition=group.condition,
            randomise_questions=group.randomise,
        )
        for position, (index, group) in enumerate(zip(used, groups, strict=True))
    }


def _children(question, planned):
    neutral = neutral_points(planned.options) if planned.kind in SCALE_KINDS else None
    option_fields = {name for name in ("code", "condition") if has_field(Option, name)}
    options = []
    for position, planned_option in enumerate(planned.options):
        option = Option(
            question=question,
            position=position,
            label=planned_option.label,
            points=planned_option.points,
            is_neutral=neutral is not None and planned_option.points == neutral,
            anchored=planned_option.code in planned.anchored,
        )
        for name in option_fields:
            setattr(option, name, getattr(planned_option, name))
        options.append(option)
    if "code" in option_fields:
        from ..models import fill_option_codes

        fill_option_codes(options)
    Option.objects.bulk_create(options)
    MatrixRow.objects.bulk_create(
        MatrixRow(question=question, position=position, code=code, text=text)
        for position, (code, text, _lime) in enumerate(planned.rows)
    )
    if planned.columns:
        from ..models import TableColumn

        TableColumn.objects.bulk_create(
            TableColumn(question=question, position=position, code=code, label=label, kind=kind)
            for position, (code, label, kind) in enumerate(planned.columns)
        )
