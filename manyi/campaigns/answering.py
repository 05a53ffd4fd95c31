"""Answering a questionnaire: the answer form, saving a response safely, and scoring it.

Plain functions, testable without HTTP. The public answer page, the agents' phone/paper entry
and the Excel import all go through `AnswerForm` and `save_response`.

Field names follow the shared include ``surveys/_question_input.html`` (prefix "q"):
``q-<question pk>`` (option pk, several for multiple choice, 0-10 for NPS, text),
``q-<question pk>-<row pk>`` (matrix rows), ``q-<question pk>-other`` and
``q-<question pk>[-<row pk>]-importance``.

Idempotency: `save_response` runs in one short transaction. A personal invitation has at most
one response (OneToOne) and an anonymous form carries a unique ``submission_id``; a repeated
submit finds the existing response (locked with select_for_update) instead of creating a
second one, and if two requests race, the loser's IntegrityError is caught and the winner's
response returned. A completed response is never overwritten.
"""

from __future__ import annotations

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from manyi.surveys.choices import QuestionKind
from manyi.surveys.logic.visibility import apply_to_form, hidden_items, respondent_context
from manyi.surveys.naming import field_name

from . import hot_sql, quotas, table_answers
from .choices import AnswerRefusal, Channel, InvitationStatus, ResponseStatus
from .models import Answer, Invitation, Response

TEXT_MAX = 2000
OTHER = "other"
CHOICE_ONE = (QuestionKind.RATING, QuestionKind.SINGLE, QuestionKind.YES_NO)


def _label(question):
    return question.code or question.text


def _question_field(question, options, errors):
    """The answer field of a question other than a matrix (None for a kind without one)."""
    kind = question.kind
    if kind in CHOICE_ONE:
        return forms.ChoiceField(choices=options, required=False, error_messages=errors)
    if kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(choices=options, required=False, error_messages=errors)
    if kind == QuestionKind.NPS:
        return forms.TypedChoiceField(
            choices=[(str(n), str(n)) for n in range(11)],
            coerce=int,
            empty_value=None,
            required=False,
            error_messages=errors,
        )
    if kind == QuestionKind.TEXT:
        return forms.CharField(
            max_length=TEXT_MAX,
            required=False,
            widget=forms.Textarea,
            error_messages={
                "max_length": _("Question %(code)s: please write at most %(max)s characters.")
                .replace("%(code)s", _label(question))
                .replace("%(max)s", str(TEXT_MAX))
            },
        )
    return None


class SummaryLine(str):
    """A line of the error summary: its text, and the id of the question it is about."""

    def __new__(cls, text, anchor):
        line = super().__new__(cls, text)
        line.anchor = anchor
        return line


class AnswerForm(forms.Form):
    """A form built from the questionnaire's questions.

    complete=True (final submit) enforces required questions; complete=False (a draft) does
    not. Posted option ids are only accepted when they belong to that question (and row).
    """

    def __init__(self, questionnaire, data=None, initial=None, complete=True, required=None, context=None):
        super().__init__(data=data, initial=initial)
        self.questionnaire = questionnaire
        self.complete = complete
        # The respondent's fields conditions read (surveys/logic/context.py), None: all null.
        self.condition_context = context
        # The questions whose "required" is enforced (pks; None: all): one page's at its "next".
        self.required = required
        self.layout = questionnaire.layout()
        self.questions = self.layout.questions
        # The fields depend only on the layout and the language (their messages): built once
        # per layout and language and shared by later forms, which never change a field.
        language = translation.get_language()
        built = self.layout.answer_fields.get(language)
        if built is None:
            self._owner = {}  # field name -> question pk
            for question in self.questions:
                self._add_fields(question)
            self.layout.answer_fields[language] = (dict(self.fields), self._owner)
        else:
            fields, self._owner = built
            self.fields = dict(fields)

    # -- building ------------------------------------------------------------------------
    def _add(self, name, question, field):
        self.fields[name] = field
        self._owner[name] = question.pk

    def _invalid(self, question):
        return {
            "invalid_choice": _("Question %(code)s: that answer is not one of its options.").replace(
                "%(code)s", _label(question)
            ),
            "invalid_list": _("Question %(code)s: that answer is not one of its options.").replace(
                "%(code)s", _label(question)
            ),
        }

    def _add_fields(self, question):
        kind = question.kind
        options = [(key, o.label) for key, o in self.layout.options[question.pk].items()]
        if question.allow_other and kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options.append((OTHER, _("Other (please specify)")))
        errors = self._invalid(question)
        if kind == QuestionKind.MATRIX:
            self._add_matrix_rows(question, options, errors)
        elif kind == QuestionKind.TABLE:
            for name, field in table_answers.fields(question):
                self._add(name, question, field)
        else:
            field = _question_field(question, options, errors)
            if field is not None:
                self._add(field_name(question), question, field)
        if question.allow_other and kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            self._add(
                field_name(question, suffix=OTHER), question, forms.CharField(max_length=300, required=False)
            )
        if question.ask_importance and kind != QuestionKind.MATRIX:
            self._add(field_name(question, suffix="importance"), question, self._importance(question))
        if question.ask_competitor and kind in CHOICE_ONE:
            # The competitor is rated on the item's own options ("other" is not one of them).
            scale = [(key, label) for key, label in options if key != OTHER]
            self._add(
                field_name(question, suffix="competitor"),
                question,
                forms.ChoiceField(choices=scale, required=False, error_messages=errors),
            )

    def _add_matrix_rows(self, question, options, errors):
        """A matrix's fields: an option per row, with its importance and competitor if asked."""
        for row in question.rows.all():
            self._add(
                field_name(question, row),
                question,
                forms.ChoiceField(choices=options, required=False, error_messages=errors),
            )
            if question.ask_importance:
                self._add(field_name(question, row, "importance"), question, self._importance(question))
            if question.ask_competitor:
                self._add(
                    field_name(question, row, "competitor"),
                    question,
                    forms.ChoiceField(choices=options, required=False, error_messages=errors),
                )

    def _importance(self, question):
        return forms.TypedChoiceField(
            choices=[(str(n), str(n)) for n in range(1, 6)],
            coerce=int,
            empty_value=None,
            required=False,
            error_messages=self._invalid(question),
        )

    # -- validation ----------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        self.shown = apply_to_form(self, cleaned)  # conditions: hidden answers discarded (issue 21)
        for question in self.questions:
            if question.pk not in self.shown.questions:
                continue  # required means required when shown
            if question.kind == QuestionKind.TABLE:
                table_answers.clean(self, question, cleaned)
                continue
            name = field_name(question)
            if question.allow_other and question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                value = cleaned.get(name)
                chose_other = value == OTHER or (isinstance(value, list) and OTHER in value)
                if chose_other and not (cleaned.get(field_name(question, suffix=OTHER)) or "").strip():
                    self.add_error(
                        name, _("Question %(code)s: please say what “other” is.") % {"code": _label(question)}
                    )
            if self._must_answer(question) and not self._answered(question, cleaned):
                target = name
                if question.kind == QuestionKind.MATRIX:
                    rows = list(question.rows.all())
                    if not rows:
                        continue
                    target = field_name(question, rows[0])
                if target in self.errors:
                    continue
                self.add_error(target, _("Please answer question %(code)s.") % {"code": _label(question)})
        return cleaned

    def _must_answer(self, question):
        return self.complete and question.required and (self.required is None or question.pk in self.required)

    def _answered(self, question, cleaned):
        if question.kind == QuestionKind.MATRIX:
            rows = list(question.rows.all())
            return all(cleaned.get(field_name(question, row)) for row in rows)
        value = cleaned.get(field_name(question))
        if question.kind == QuestionKind.NPS:
            return value is not None
        if isinstance(value, str):
            return bool(value.strip())
        return bool(value)

    # -- for templates -------------------------------------------------------------------
    def question_errors(self):
        """{question pk: [messages]} after validation."""
        errors = {}
        if not self.is_bound:
            return errors
        for name, messages in self.errors.items():
            owner = self._owner.get(name)
            if owner is not None:
                errors.setdefault(owner, []).extend(messages)
        return errors

    def _raw(self, name, multi=False):
        if self.is_bound:
            if multi and hasattr(self.data, "getlist"):
                return self.data.getlist(name)
            return self.data.get(name)
        return self.initial.get(name)

    def blocks(self):
        """[(dimension or None, [question context dicts])] in the order respondents see them."""
        groups, index = [], {}
        for question, context in zip(self.questions, self.question_contexts(), strict=True):
            key = question.dimension_id
            if key not in index:
                index[key] = len(groups)
                groups.append((question.dimension, []))
            groups[index[key]][1].append(context)
        return groups

    def question_contexts(self):
        """A context dict per question (question, errors, value, other, importance, competitor:
        what surveys/_question_input.html takes), in questionnaire order."""
        errors = self.question_errors()
        contexts = []
        for question in self.questions:
            context = {"question": question, "errors": errors.get(question.pk, [])}
            if question.kind == QuestionKind.MATRIX:
                rows = list(question.rows.all())
                context["value"] = {row.pk: self._raw(field_name(question, row)) for row in rows}
                context["importance"] = {
                    row.pk: self._raw(field_name(question, row, "importance")) for row in rows
                }
                context["competitor"] = {
                    row.pk: self._raw(field_name(question, row, "competitor")) for row in rows
                }
            elif question.kind == QuestionKind.TABLE:
                context["value"] = table_answers.raw_values(question, self._raw)
            else:
                context["value"] = self._raw(
                    field_name(question), multi=question.kind == QuestionKind.MULTIPLE
                )
                context["importance"] = self._raw(field_name(question, suffix="importance"))
                context["competitor"] = self._raw(field_name(question, suffix="competitor"))
            context["other"] = self._raw(field_name(question, suffix=OTHER))
            contexts.append(context)
        return contexts

    def error_summary(self):
        """One line per question with a problem, in question order; each line knows the id of
        its question on the page (`anchor`), so the summary links to it."""
        errors = self.question_errors()
        return [
            SummaryLine(message, f"question-{question.pk}")
            for question in self.questions
            for message in errors.get(question.pk, [])[:1]
        ]

    def answered_count(self):
        count = 0
        for question in self.questions:
            if question.kind == QuestionKind.MATRIX:
                rows = list(question.rows.all())
                if rows and all(self._raw(field_name(question, row)) for row in rows):
                    count += 1
            elif question.kind == QuestionKind.TABLE:
                count += table_answers.has_filled_row(question, self._raw)
            else:
                value = self._raw(field_name(question), multi=question.kind == QuestionKind.MULTIPLE)
                if value not in (None, "", []):
                    count += 1
        return count


# ------------------------------------------------------------------------------------------
# Drafts: a saved response back into form values


def initial_from_response(response):
    """Form values (field name -> value) of a saved response, to show a draft filled in."""
    initial = {}
    for answer in response.answers.select_related("question", "row").prefetch_related("question__columns"):
        if answer.question.kind == QuestionKind.MATRIX and answer.row_id:
            _matrix_row_initial(initial, answer)
        elif answer.table_row is not None:
            table_answers.initial_cell(initial, answer)
        else:
            _question_initial(initial, answer)
    return initial


def _matrix_row_initial(initial, answer):
    question, row = answer.question, answer.row
    initial[field_name(question, row)] = str(answer.option_id) if answer.option_id else None
    if answer.importance:
        initial[field_name(question, row, "importance")] = str(answer.importance)
    if answer.competitor_option_id:
        initial[field_name(question, row, "competitor")] = str(answer.competitor_option_id)


def _question_initial(initial, answer):
    question = answer.question
    name = field_name(question)
    if question.kind == QuestionKind.MULTIPLE:
        value = str(answer.option_id) if answer.option_id else OTHER
        initial.setdefault(name, []).append(value)
        if not answer.option_id:
            initial[field_name(question, suffix=OTHER)] = answer.text
    elif question.kind == QuestionKind.NPS:
        initial[name] = str(int(answer.number)) if answer.number is not None else None
    elif question.kind == QuestionKind.TEXT:
        initial[name] = answer.text
    elif answer.option_id:
        initial[name] = str(answer.option_id)
    elif answer.text:
        initial[name] = OTHER
        initial[field_name(question, suffix=OTHER)] = answer.text
    if answer.importance:
        initial[field_name(question, suffix="importance")] = str(answer.importance)
    if answer.competitor_option_id:
        initial[field_name(question, suffix="competitor")] = str(answer.competitor_option_id)


def answers_for_reader(response, reader):
    """A saved response's form values to show (read-only) to `reader`: the open texts and
    "other" texts with the phones and e-mail addresses in them masked unless the reader may
    see personal data. Never for a form that is saved again: the masks would be stored."""
    from manyi.customers.masking import may_see_personal_data, private_text

    initial = initial_from_response(response)
    if may_see_personal_data(reader):
        return initial
    texts = set()
    for question in response.questionnaire.questions.all():
        if question.kind == QuestionKind.TEXT:
            texts.add(field_name(question))
        texts.add(field_name(question, suffix=OTHER))
        texts.update(table_answers.text_field_names(question))
    return {
        name: private_text(value, False) if name in texts and isinstance(value, str) else value
        for name, value in initial.items()
    }


# ------------------------------------------------------------------------------------------
# Saving


def build_answers(questionnaire, cleaned_data, response=None):
    """Unsaved Answer objects for the form's cleaned data (only answered questions)."""
    layout = questionnaire.layout()
    answers = []
    for question in layout.questions:
        build = _ANSWER_BUILDERS.get(question.kind, _choice_answers)
        answers.extend(build(question, layout.options[question.pk], cleaned_data, response))
    return answers


def _matrix_answers(question, options, cleaned_data, response):
    """An answer per matrix row with an option, an importance or a competitor's option."""
    answers = []
    for row in question.rows.all():
        chosen = options.get(str(cleaned_data.get(field_name(question, row)) or ""))
        importance = cleaned_data.get(field_name(question, row, "importance"))
        rival = options.get(str(cleaned_data.get(field_name(question, row, "competitor")) or ""))
        if chosen or importance or rival:
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    row=row,
                    option=chosen,
                    importance=importance,
                    competitor_option=rival,
                )
            )
    return answers


def _multiple_answers(question, options, cleaned_data, response):
    """An answer per option chosen ("other" with its text); the importance on the last one."""
    other = (cleaned_data.get(field_name(question, suffix=OTHER)) or "").strip()
    answers = []
    for item in cleaned_data.get(field_name(question)) or []:
        if item == OTHER:
            answers.append(Answer(response=response, question=question, text=other))
        elif item in options:
            answers.append(Answer(response=response, question=question, option=options[item]))
    importance = cleaned_data.get(field_name(question, suffix="importance"))
    if answers and importance:
        answers[-1].importance = importance
    return answers


def _nps_answers(question, options, cleaned_data, response):
    value = cleaned_data.get(field_name(question))
    if value is None:
        return []
    importance = cleaned_data.get(field_name(question, suffix="importance"))
    return [Answer(response=response, question=question, number=value, importance=importance)]


def _text_answers(question, options, cleaned_data, response):
    value = cleaned_data.get(field_name(question))
    if not (value and value.strip()):
        return []
    return [Answer(response=response, question=question, text=value.strip())]


def _choice_answers(question, options, cleaned_data, response):
    """One option (or "other" with its text), with the importance and competitor's option
    asked alongside; an answer with only those when no option was chosen."""
    value = cleaned_data.get(field_name(question))
    paired = {
        "importance": cleaned_data.get(field_name(question, suffix="importance")),
        "competitor_option": options.get(
            str(cleaned_data.get(field_name(question, suffix="competitor")) or "")
        ),
    }
    if value == OTHER:
        other = (cleaned_data.get(field_name(question, suffix=OTHER)) or "").strip()
        return [Answer(response=response, question=question, text=other, **paired)]
    if value in options:
        return [Answer(response=response, question=question, option=options[value], **paired)]
    if paired["importance"] or paired["competitor_option"]:
        return [Answer(response=response, question=question, **paired)]
    return []


# How each kind of question becomes answers; the single-choice kinds (rating, single, yes/no) by
# _choice_answers.
_ANSWER_BUILDERS = {
    QuestionKind.MATRIX: _matrix_answers,
    QuestionKind.MULTIPLE: _multiple_answers,
    QuestionKind.NPS: _nps_answers,
    QuestionKind.TEXT: _text_answers,
    QuestionKind.TABLE: table_answers.build_answers,
}


def _existing(invitation, submission_id, lock=True):
    queryset = Response.objects.select_for_update() if lock else Response.objects
    if invitation is not None:
        found = queryset.filter(invitation=invitation).first()
        if found:
            return found
    if submission_id:
        return queryset.filter(submission_id=submission_id).first()
    return None


def save_response(
    *,
    campaign,
    questionnaire,
    cleaned_data,
    channel,
    invitation=None,
    customer=None,
    agent=None,
    submission_id=None,
    complete=True,
    order=None,
    page=0,
    enforce_quotas=False,
):
    """Create or update the response; returns (response, created).

    `order` (the order the respondent was shown, surveys/pages.py) and `page` (the page an
    unfinished response is on) are stored with it. A completed response counts toward the
    campaign's quotas of its stratum (campaigns/quotas.py) in the same transaction; with
    `enforce_quotas` (the public pages) a full quota raises quotas.QuotaFull and nothing is
    stored, otherwise (staff entry) a full quota is left as it is.

    `created` is True when this call stored the answers (a new response, or a draft updated
    or completed), False when a completed response already existed and was returned unchanged
    (a second submit, a double click, the same anonymous submission_id again).

    The usual case, a first submission, is one short transaction: insert the response with
    its scores, its answers, and mark the invitation. When a response already exists for the
    invitation or submission_id (a draft, a repeat, or a request racing this one), the unique
    constraint stops the insert and the existing response is locked and looked at instead.
    """
    now = timezone.now()
    answers = build_answers(questionnaire, cleaned_data)
    if customer is not None:
        customer_id = customer.pk
    else:
        customer_id = invitation.customer_id if invitation is not None else None
    response = Response(
        campaign=campaign,
        questionnaire=questionnaire,
        invitation=invitation,
        customer_id=customer_id,
        channel=channel,
        agent=agent,
        submission_id=submission_id,
        started_at=now,
        order=order or {},
        page=page,
    )
    quota = (campaign, enforce_quotas)
    try:
        with transaction.atomic():
            _store(response, answers, complete, now, quota)
            if invitation is not None:
                _update_invitation(invitation, complete, now)
        return response, True
    except IntegrityError as error:
        if invitation is None and submission_id is None:
            raise
        conflict = error
    with transaction.atomic():
        existing = _existing(invitation, submission_id)
        if existing is None:
            raise conflict
        if existing.status == ResponseStatus.COMPLETED:
            return existing, False
        existing.answers.all().delete()
        existing.channel = channel
        if agent is not None:
            existing.agent = agent
        existing.order = order or existing.order or {}
        existing.page = page
        _store(existing, answers, complete, now, quota)
        if invitation is not None:
            _update_invitation(invitation, complete, now)
    return existing, True


# Rules asked of each response as it is completed (scored, in memory, not saved yet): one
# that answers True marks it ``ticket_pending`` for the periodic job. The tickets app registers
# its low-score rule from TicketsConfig.ready(); campaigns sits below tickets and never imports it.
_follow_up_rules = []


def register_follow_up_rule(rule):
    """Add ``rule(response) -> bool`` to the rules asked of every completed response."""
    if rule not in _follow_up_rules:
        _follow_up_rules.append(rule)
    return rule


def calls_for_follow_up(response):
    return any(rule(response) for rule in _follow_up_rules)


def _store(response, answers, complete, now, quota=(None, False)):
    if complete:
        # Scored here, in memory, from the cached layout: the response row is written once.
        response.status = ResponseStatus.COMPLETED
        response.completed_at = now
        apply_scores(response, answers)
        response.ticket_pending = calls_for_follow_up(response)  # the periodic job opens it
        campaign, enforce = quota
        if campaign is not None:
            quotas.count_completed(campaign, response, answers, enforce=enforce)
    if response.pk is None:
        hot_sql.insert([response])
    else:
        response.save()
    for answer in answers:
        answer.response = response
    hot_sql.insert(answers)


def _update_invitation(invitation, complete, now):
    fields = []
    if invitation.started_at is None:
        invitation.started_at = now
        fields.append("started_at")
    if complete:
        invitation.status = InvitationStatus.COMPLETED
        invitation.completed_at = now
        fields += ["status", "completed_at"]
    elif invitation.status != InvitationStatus.COMPLETED:
        invitation.status = InvitationStatus.STARTED
        fields.append("status")
    hot_sql.update(invitation, fields)


# ------------------------------------------------------------------------------------------
# Scoring


def _item_key(answer):
    return answer.row.code if answer.row_id else answer.question.code


def answer_points(answers):
    """Item key (question code or matrix row code) -> points, from Answer objects."""
    points = {}
    for answer in answers:
        if answer.option is None or answer.option.points is None:
            continue
        if answer.question.kind in (*CHOICE_ONE, QuestionKind.MATRIX):
            points[_item_key(answer)] = answer.option.points
    return points


def answer_importance(answers):
    """Item key -> stated importance (1-5), from Answer objects."""
    return {_item_key(answer): answer.importance for answer in answers if answer.importance}


def answer_competitor(answers):
    """Item key -> points of the option chosen for the main competitor, from Answer objects."""
    return {
        _item_key(answer): answer.competitor_option.points
        for answer in answers
        if answer.competitor_option_id and answer.competitor_option.points is not None
    }


def _stored_answers(response):
    """The stored answers in questionnaire order."""
    order = {q.pk: n for n, q in enumerate(response.questionnaire.layout().questions)}
    answers = response.answers.select_related("question", "row", "option", "competitor_option").order_by("pk")
    return sorted(answers, key=lambda answer: order.get(answer.question_id, len(order)))


def _score_points(response, points, hidden=frozenset()):
    from manyi.analytics import scoring

    layout = response.questionnaire.layout()
    if not layout.scheme.items:
        return None
    scored = {key: value for key, value in points.items() if key in layout.scored_keys}
    return scoring.score_response(layout.scheme, scored, not_applicable=hidden)


def apply_scores(response, answers=None):
    """Compute and set (not save) the stored scores and the NPS answer of a response.

    The stored points hold the scored items a condition hid from the respondent as null (not
    asked): the campaign's figures then neither count them missing nor fill them in."""
    answers = _stored_answers(response) if answers is None else answers
    hidden = hidden_items(response.questionnaire.layout(), answers, response=response)
    response.points = {**answer_points(answers), **dict.fromkeys(sorted(hidden))}
    result = _score_points(response, response.points, hidden)
    response.nps = _nps(answers)
    response.importance = answer_importance(answers)
    response.competitor = answer_competitor(answers)
    if result is None:  # nothing to score (only choices without points, texts, NPS)
        return None
    response.valid = result.valid
    response.invalid_reason = result.invalid_reason or ""
    response.index = result.index
    response.grade = result.grade or ""
    response.satisfied = result.satisfied
    response.dimension_scores = dict(result.dimension_scores)
    response.item_scores = dict(result.item_scores)
    return result


def _nps(answers):
    """The first NPS question's answer in questionnaire order (answers come in that order)."""
    for answer in answers:
        if answer.question.kind == QuestionKind.NPS and answer.number is not None:
            return int(answer.number)
    return None


def can_see_individual_answers(user, campaign):
    """Confidential campaigns: only VIEW_CONFIDENTIAL_RESPONSES; otherwise VIEW_RESPONSES."""
    from manyi.accounts import permissions

    if not getattr(user, "is_authenticated", False):
        return False
    if campaign.confidential:
        return user.can(permissions.VIEW_CONFIDENTIAL_RESPONSES)
    return user.can(permissions.VIEW_RESPONSES)


__all__ = [
    "AnswerForm",
    "answers_for_reader",
    "apply_scores",
    "build_answers",
    "can_see_individual_answers",
    "field_name",
    "initial_from_response",
    "save_response",
]


# ------------------------------------------------------------------------------------------
# Excel / CSV import of paper questionnaires


class PaperImportResult:
    def __init__(self):
        self.imported = 0
        self.errors = []  # [(row number, message)]


def _cell_to_option(question, text):
    """An option pk from a label or from points ("很满意", "10"); None when nothing matches."""
    options = list(question.options.all())
    for option in options:
        if option.label == text:
            return str(option.pk)
    try:
        number = float(text)
    except ValueError:
        return None
    matches = [o for o in options if o.points is not None and o.points == number]
    return str(matches[0].pk) if len(matches) == 1 else None


def paper_columns(questionnaire):
    """(code, question, matrix row or None) of each answer column of a paper file, in order.

    A question has one column named by its code; a matrix one per row, named by the row's code;
    a table one per cell, "Q21.1.company" (table_answers.paper_cells).
    """
    return [
        (row.code if row else question.code, question, row)
        for question in questionnaire.layout().questions
        for row in (
            list(question.rows.all())
            if question.kind == QuestionKind.MATRIX
            else table_answers.paper_cells(question)
            if question.kind == QuestionKind.TABLE
            else [None]
        )
    ]


def _paper_refusal(code, refusal):
    """A row's error when none of its customer's invitations may be answered (the campaign's
    own refusals stop the whole file before any row)."""
    if refusal == AnswerRefusal.OPTED_OUT:
        return _("Customer %(code)s has asked not to be surveyed.") % {"code": code}
    return _("Customer %(code)s has already answered.") % {"code": code}


def import_paper_answers(campaign, path, *, agent=None, now=None, reader=None):
    """One row per respondent: customer code, then one column per question (or matrix row) code.
    `reader`: the user importing, who answers for the customers of their organisation units
    only (another region's customer code is not one of the campaign's; organisation/access.py).

    Options by label or points; several choices separated by ";". Every row is checked
    first; any error and nothing is imported (errors name the row and the column). Who may
    answer is the invitation's rule (Invitation.refusal_to_answer): a campaign that takes no
    answers refuses the whole file, a customer who opted out or answered already their row.
    """
    from manyi.customers.importing import ImportFileError, open_sheet

    now = now or timezone.now()
    refusal = campaign.refusal_to_answer(now)
    if refusal is not None:
        raise ImportFileError(refusal.label)
    result = PaperImportResult()
    with open_sheet(path) as sheet:
        ready = _PaperSheet(campaign, sheet, now, reader).read(result)
    if result.errors:
        return result
    with transaction.atomic():
        for invitation, cleaned in ready:
            save_response(
                campaign=campaign,
                questionnaire=campaign.questionnaire,
                cleaned_data=cleaned,
                channel=Channel.PAPER,
                invitation=invitation,
                agent=agent,
            )
            result.imported += 1
    return result


class _PaperSheet:
    """Reading a paper answer sheet: each row's invitation and form data, checked."""

    def __init__(self, campaign, sheet, now, reader=None):
        self.questionnaire = campaign.questionnaire
        self.sheet = sheet
        self.now = now
        self.columns = {code: (question, row) for code, question, row in paper_columns(self.questionnaire)}
        # A customer whose contacts were each invited has several invitations: each row of the
        # sheet with its code answers the next one that may still be answered.
        self.invitations = {}
        invitations = campaign.invitations.all()
        if reader is not None:
            invitations = Invitation.objects.for_user(reader).filter(campaign=campaign)
        for invitation in invitations.select_related("customer").order_by("pk"):
            self.invitations.setdefault(invitation.customer.code, []).append(invitation)
        self.seen = set()

    def read(self, result):
        """(invitation, cleaned data) of every row; the errors go to result.errors."""
        headers = self.sheet.headers
        unknown = [h for h in headers[1:] if h not in self.columns]
        if unknown:
            message = _("Unknown question codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            result.errors.append((self.sheet.header_row, message))
            return []
        ready = []
        for number, values in self.sheet.rows():
            answered, errors = self._row(headers, values)
            if answered:
                ready.append(answered)
            result.errors.extend((number, message) for message in errors)
        return ready

    def _row(self, headers, values):
        """((invitation, cleaned data), []) for a good row, (None, its errors) for another."""
        from manyi.customers.importing import as_text

        invitation, errors = self._invitation(as_text(values[0]))
        if errors:
            return None, errors
        data, errors = self._form_data(headers, values)
        if errors:
            return None, errors
        form = AnswerForm(
            self.questionnaire,
            data=_QueryDict(data),
            complete=True,
            context=respondent_context(self.questionnaire, invitation),
        )
        if not form.is_valid():
            return None, form.error_summary()
        return (invitation, form.cleaned_data), []

    def _invitation(self, code):
        """The invitation the customer's row answers, or the row's error."""
        if code not in self.invitations:
            return None, [_("Customer %(code)s is not invited in this campaign.") % {"code": code}]
        left = [i for i in self.invitations[code] if i.pk not in self.seen]  # not answered by earlier rows
        refusals = [i.refusal_to_answer(self.now) for i in left]
        if None not in refusals:
            return None, [_paper_refusal(code, refusals[0] if refusals else AnswerRefusal.ANSWERED)]
        invitation = left[refusals.index(None)]
        self.seen.add(invitation.pk)
        return invitation, []

    def _form_data(self, headers, values):
        """The row's answers as form data, and an error per cell that is not one of its options."""
        from manyi.customers.importing import as_text

        data, errors = {}, []
        for header, value in zip(headers[1:], values[1:], strict=False):
            text = as_text(value)
            if not text:
                continue
            question, row = self.columns[header]
            data[field_name(question, row)], fits = _paper_cell(question, text)
            if not fits:
                errors.append(
                    _("Column %(column)s: “%(value)s” is not one of its options.")
                    % {"column": header, "value": text}
                )
        return data, errors


def _paper_cell(question, text):
    """(form value, whether every option written fits the question) of one cell."""
    if question.kind in (*CHOICE_ONE, QuestionKind.MATRIX):
        value = _cell_to_option(question, text)
        return value, value is not None
    if question.kind == QuestionKind.MULTIPLE:
        picked = [_cell_to_option(question, part.strip()) for part in text.replace("；", ";").split(";")]
        return [p for p in picked if p], None not in picked
    return text, True


class _QueryDict(dict):
    """Enough of QueryDict for AnswerForm: getlist for multiple choices."""

    def getlist(self, key):
        value = self.get(key)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]
