"""The public answer page page by page (issue 21): back / next, save and resume, piping, order.

Every page's form carries all the respondent's answers: the current page's questions shown,
the other pages' questions in a block with the `hidden` attribute (so "back" and "next" keep
the answers, the conditions' script reads earlier answers, and all this works without
JavaScript). The server decides everything again from what is posted:

- "next" checks the current page (required when shown, on this page only) and, on a personal
  link, saves the answers as the unfinished response with the page reached, so the same link
  reopens on that page; "back" checks nothing but that the answers are possible ones;
- "submit" completes only on the last page shown: with a later page shown it acts as "next",
  and a required question left empty elsewhere takes the respondent to its page;
- a page with no question shown (its condition, or its questions') is skipped both ways.
"""

from __future__ import annotations

from manyi.surveys import pages, piping, translations
from manyi.surveys.logic.visibility import respondent_context

from .answering import AnswerForm, _QueryDict

NEXT, BACK, SAVE, SUBMIT = "next", "back", "save", "submit"


class PagedAnswer:
    """One respondent's pass through a questionnaire's pages.

    seed: what their order is drawn from (the invitation's token, an anonymous submission id);
    order: the order stored on their response, if any; invitation: for the conditions' and
    piping's respondent fields (None on the anonymous link)."""

    def __init__(self, questionnaire, *, seed, order=None, invitation=None, channel=None):
        self.questionnaire = questionnaire
        self.layout = questionnaire.layout()
        self.specs = pages.plan(self.layout)
        self.order = pages.valid_order(self.layout, order) or pages.respondent_order(self.layout, seed)
        self.invitation = invitation
        self.context = respondent_context(questionnaire, invitation, channel=channel)
        self.respondent = (
            piping.respondent_values(invitation, channel=channel, own_name=invitation is not None)
            if piping.pipes(self.layout)
            else {}
        )
        self.page_of = pages.page_of_question(self.specs)
        # the questionnaire's English texts when the page is in English (surveys/translations.py)
        self.texts = translations.texts_for(questionnaire)

    # -- forms -----------------------------------------------------------------------------
    def form(self, data, *, complete=False, required=None):
        """The bound answer form over all the answers (validated: `form.shown` is set)."""
        form = AnswerForm(
            self.questionnaire, data=data, complete=complete, required=required, context=self.context
        )
        form.is_valid()
        return form

    def saved_form(self, initial):
        """The form of a saved response's values (initial_from_response), or of none."""
        return self.form(_QueryDict(initial or {}))

    def page_form(self, data, action, index):
        """The posted form checked as `action` asks on page `index`."""
        if action == SUBMIT:
            return self.form(data, complete=True)
        if action in (NEXT,):
            page = {q.pk for q in self.specs[index].questions} if index < len(self.specs) else set()
            return self.form(data, complete=True, required=page)
        return self.form(data)

    # -- pages -----------------------------------------------------------------------------
    def shown(self, form):
        return pages.shown_pages(self.specs, form.shown.questions)

    def clamp(self, form, index):
        return pages.current_page(self.shown(form), index)

    def following(self, form, index):
        return pages.next_shown(self.shown(form), index)

    def preceding(self, form, index):
        return pages.previous_shown(self.shown(form), index)

    def first_error_page(self, form):
        """The page of the first question with an error, or None."""
        errors = form.question_errors()
        for question in self.layout.questions:
            if errors.get(question.pk):
                return self.page_of.get(question.pk, 0)
        return None

    # -- rendering -------------------------------------------------------------------------
    def context_for(self, form, index):
        """The template's view of page `index`: its heading, its questions (piped, in the
        respondent's order, grouped by dimension) and the other pages' questions (hidden)."""
        shown = self.shown(form)
        index = pages.current_page(shown, index)
        spec = self.specs[index] if self.specs else pages.PageSpec(0)
        contexts = dict(zip((q.pk for q in form.questions), form.question_contexts(), strict=True))
        live = frozenset(q.code for q in spec.questions)
        values = (
            piping.values_for(self.layout, form._raw, form.shown.questions, self.respondent)
            if piping.pipes(self.layout)
            else {}
        )
        current = []
        for question in pages.in_order(spec.questions, self.order):
            current.append(self._item(contexts[question.pk], question, values, live, form))
        others = [
            self._item(contexts[q.pk], q, values, frozenset(), form)
            for q in self.layout.questions
            if self.page_of.get(q.pk) != index
        ]
        title, description = translations.page_texts(self.texts, spec.page)
        number = shown.index(index) + 1 if index in shown else 1
        total = max(len(shown), 1)
        return {
            "page_index": index,
            "page_number": number,
            "page_total": total,
            "page_title": title,
            "page_description": description,
            "paged": len(self.specs) > 1,
            "blocks": pages.blocks(current),
            "other_pages": others,
            "has_previous": pages.previous_shown(shown, index) is not None,
            "has_next": pages.next_shown(shown, index) is not None,
        }

    def _item(self, context, question, values, live, form):
        item = dict(context)
        shown_question = translations.translated_question(
            pages.with_option_order(question, self.order), self.texts
        )
        item["question"] = piping.piped_question(shown_question, values, live)
        item["hidden"] = question.pk not in form.shown.questions
        return item
