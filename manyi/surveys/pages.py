"""Pages of a questionnaire and the order each respondent sees (issue 21).

A questionnaire's questions are split onto its pages (`plan`): the questions on no page first,
on a page of their own, then each `Page` in order; a questionnaire without pages is one page.
The layout's question order is already this order (Questionnaire.questions_in_order), so the
conditions' walk (surveys/logic/visibility.py), the scoring and the exports see the questions
as respondents meet them.

A page is shown when at least one of its questions is shown: a page's own condition is part
of each of its questions' conditions (visibility.Compiled), so a page whose condition does not
hold has no question shown and is skipped by "next" and "back".

Order: a page with `randomise_questions` shows its questions, and a question with
`randomise_options` its options, in an order of the respondent's own. The order is drawn from
a seed of the respondent (the invitation's token, an anonymous form's submission id), so it
stays the same when the page is shown again, and is stored on the response (`Response.order`,
see `respondent_order`) so a review or an export can show it again. Options marked
`anchored` (不适用, 说不清) keep their place; "other (please specify)" always comes last.
Staff entry forms (phone, paper) keep the designed order: the agent reads from a script and
the paper form is printed in one order.
"""

from __future__ import annotations

import copy
import hashlib
import random
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class PageSpec:
    """One page as respondents meet it: its number in the plan, the Page (None for the
    questions on no page) and its questions in the designed order."""

    index: int
    page: object = None
    questions: list = field(default_factory=list)

    @property
    def title(self):
        return self.page.title if self.page is not None else ""

    @property
    def description(self):
        return self.page.description if self.page is not None else ""

    @property
    def shuffled(self):
        return bool(self.page is not None and self.page.randomise_questions)


def plan(layout):
    """The pages of a layout in order (at least one, even for a questionnaire with no question)."""
    pages = list(getattr(layout, "pages", []))
    loose = [q for q in layout.questions if q.page_id is None]
    specs = []
    if loose or not pages:
        specs.append(PageSpec(0, None, loose))
    for page in pages:
        questions = [q for q in layout.questions if q.page_id == page.pk]
        specs.append(PageSpec(len(specs), page, questions))
    return specs


def shown_pages(specs, shown_questions):
    """Indices of the pages with at least one shown question (pks in `shown_questions`)."""
    return [spec.index for spec in specs if any(q.pk in shown_questions for q in spec.questions)]


def page_of_question(specs):
    """{question pk: page index}."""
    return {q.pk: spec.index for spec in specs for q in spec.questions}


def next_shown(shown, index):
    """The first shown page after `index`, or None."""
    return next((i for i in shown if i > index), None)


def previous_shown(shown, index):
    """The last shown page before `index`, or None."""
    return next((i for i in reversed(shown) if i < index), None)


def current_page(shown, index):
    """The page to show for a stored index: itself when shown, else the next shown page, else
    the last shown page (a page hidden since, by a changed answer)."""
    if index in shown:
        return index
    following = next_shown(shown, index)
    if following is not None:
        return following
    return shown[-1] if shown else 0


# ------------------------------------------------------------------------------------------
# The respondent's order


def _rng(seed):
    digest = hashlib.sha256(str(seed).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def shuffle_options(options, rng):
    """The options in a shuffled order; anchored options keep their places."""
    movable = [o for o in options if not o.anchored]
    rng.shuffle(movable)
    picked = iter(movable)
    return [o if o.anchored else next(picked) for o in options]


def respondent_order(layout, seed):
    """{"questions": [pk, ...], "options": {"<question pk>": [pk, ...]}}: the order of the
    questions of every shuffled page (all questions, in the order shown) and of the options of
    every shuffled question; {} when nothing is shuffled. The same seed gives the same order."""
    rng = _rng(seed)
    specs = plan(layout)
    order = {}
    if any(spec.shuffled for spec in specs):
        questions = []
        for spec in specs:
            pks = [q.pk for q in spec.questions]
            if spec.shuffled:
                rng.shuffle(pks)
            questions.extend(pks)
        order["questions"] = questions
    options = {}
    for question in layout.questions:
        if question.randomise_options:
            options[str(question.pk)] = [o.pk for o in shuffle_options(list(question.options.all()), rng)]
    if options:
        order["options"] = options
    return order


def valid_order(layout, order):
    """The stored order if it still names exactly the layout's questions and options, else None
    (a response of another version, or one stored before the questionnaire shuffled)."""
    if not isinstance(order, dict):
        return None
    questions = order.get("questions")
    if questions is not None and sorted(questions) != sorted(q.pk for q in layout.questions):
        return None
    for key, pks in (order.get("options") or {}).items():
        known = {o.pk for o in layout.options.get(int(key), {}).values()} if key.isdigit() else None
        if known is None or sorted(pks) != sorted(known):
            return None
    return order


def in_order(questions, order):
    """The questions sorted as `order` says (unchanged when it does not shuffle questions)."""
    sequence = (order or {}).get("questions")
    if not sequence:
        return list(questions)
    rank = {pk: n for n, pk in enumerate(sequence)}
    return sorted(questions, key=lambda q: rank.get(q.pk, len(rank)))


def with_option_order(question, order):
    """The question itself, or a copy whose options come in the respondent's order (the
    question's prefetched options are reordered on the copy; the layout is never changed)."""
    sequence = ((order or {}).get("options") or {}).get(str(question.pk))
    if not sequence:
        return question
    options = list(question.options.all())
    rank = {pk: n for n, pk in enumerate(sequence)}
    return replace_options(question, sorted(options, key=lambda o: rank.get(o.pk, len(rank))))


def replace_options(question, options):
    """A shallow copy of `question` whose `options.all()` gives `options` (a list)."""
    clone = copy.copy(question)
    cache = dict(getattr(question, "_prefetched_objects_cache", {}))
    queryset = question.options.all()._chain()
    queryset._result_cache = list(options)
    queryset._prefetch_done = True
    cache["options"] = queryset
    clone._prefetched_objects_cache = cache
    return clone


def page_heading(spec, number, total):
    """The page's heading: its title, else "Page 2 of 3"."""
    if spec.title:
        return spec.title
    return _("Page %(number)s of %(total)s") % {"number": number, "total": total}


# ------------------------------------------------------------------------------------------
# The order a respondent saw, for reviews and exports


def blocks(items):
    """[(dimension or None, [items])]: consecutive items (dicts with "question") of one
    dimension under its title."""
    groups = []
    for item in items:
        dimension = item["question"].dimension
        if groups and groups[-1][0] == dimension:
            groups[-1][1].append(item)
        else:
            groups.append((dimension, [item]))
    return groups


def seen_blocks(layout, contexts, order):
    """The answer form's question contexts (AnswerForm.question_contexts(), in the layout's
    order) as the respondent saw them: questions in their order, each question's options in
    theirs (a stored `order` that does not fit the layout is the designed order), grouped by
    dimension like the answer page."""
    order = valid_order(layout, order) or {}
    by_pk = {context["question"].pk: context for context in contexts}
    seen = []
    for question in in_order(layout.questions, order):
        context = dict(by_pk[question.pk])
        context["question"] = with_option_order(context["question"], order)
        seen.append(context)
    return blocks(seen)


def shuffled(layout):
    """(whether a page shuffles its questions, the questions whose options are shuffled)."""
    return (
        any(page.randomise_questions for page in getattr(layout, "pages", [])),
        [q for q in layout.questions if q.randomise_options],
    )


ORDER_SEPARATOR = "|"


def seen_codes(layout, order):
    """The respondent's order as codes for an export: ("Q3|Q1|Q2", {question pk: "A2|A1|A3"})
    of every question and of each question with shuffled options (the designed order when the
    stored order does not fit the layout: staff entry keeps the designed order)."""
    order = valid_order(layout, order) or {}
    questions = ORDER_SEPARATOR.join(q.code for q in in_order(layout.questions, order))
    options = {
        question.pk: ORDER_SEPARATOR.join(o.code for o in with_option_order(question, order).options.all())
        for question in layout.questions
        if question.randomise_options
    }
    return questions, options


def staff_form(layout, form, respondent):
    """(blocks, page sections) of an answer form that shows every question at once to staff
    (phone and paper entry, the visit call screen): earlier answers and the respondent's
    fields (piping.respondent_values, never the name) piped into later texts, and a heading
    before each page of a questionnaire with pages (entry_sections)."""
    from .piping import piped_contexts

    contexts = piped_contexts(layout, form.question_contexts(), form._raw, respondent)
    return blocks(contexts), entry_sections(layout, contexts)


def entry_sections(layout, contexts):
    """The staff's entry forms (phone, paper) of a questionnaire with pages: one section per
    page in the designed order, [{"index", "heading", "description", "blocks"}], so the agent
    reads out where a page begins; [] for a questionnaire of one page. `contexts`: the answer
    form's question contexts (AnswerForm.question_contexts())."""
    specs = plan(layout)
    if len(specs) < 2:
        return []
    by_pk = {context["question"].pk: context for context in contexts}
    return [
        {
            "index": spec.index,
            "heading": page_heading(spec, number, len(specs)),
            "description": spec.description,
            "blocks": blocks([by_pk[q.pk] for q in spec.questions]),
        }
        for number, spec in enumerate(specs, start=1)
    ]
