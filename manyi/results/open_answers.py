"""Open (free-text) answers of a campaign for the keyword panel, the word cloud and the report.

Which answers: those of the analysed rows (`filters.analysed`: the filters' responses, one voice
per customer, valid under the questionnaire's rule), as every other figure reads. Seed 000:
"遗漏2项以上评分的调查表按无效卷不予统计" — an invalid questionnaire is not counted, so its open
text is no keyword either, and a customer's earlier answer, set aside for their latest, says
nothing twice.

What of them: keywords, sentiment groups and word clouds are shown to every reader of the
analysis, also to one without the right to personal data, so they are made of the texts without
personal data (`customers.masking.NameMask.strip`: phones, e-mail addresses, the names of the
campaign's customers and their contacts, names people write as their own).

Segmenting many answers takes seconds, so results are cached per campaign, filter and data
state (the dataset's size and newest response), in Django's cache.
"""

import hashlib
import json

import numpy as np
from django.core.cache import cache

from manyi.analytics import text
from manyi.campaigns.models import Answer
from manyi.customers.masking import NameMask
from manyi.surveys.choices import QuestionKind

from .filters import analysed

CACHE_SECONDS = 3600


def _key(dataset, selection, what):
    state = json.dumps([dataset.campaign_id, dataset.size, dataset.last_id, selection.cache_key(), what])
    return "manyi:open-answers:" + hashlib.sha256(state.encode()).hexdigest()


def analysed_answers(dataset, selection, questions=None):
    """(response id, question id, text) of each non-blank open answer of the analysed rows
    (`filters.analysed`), in response order, as written (`questions`: only these questions'
    answers). The one reading of which open answers count, for keywords and for the report's
    list alike."""
    keep = analysed(dataset, selection)
    chosen = set(dataset.ids[keep].tolist())
    rows = Answer.objects.filter(
        response__campaign_id=dataset.campaign_id, question__kind=QuestionKind.TEXT, text__gt=""
    )
    if questions is not None:
        rows = rows.filter(question__in=questions)
    rows = rows.order_by("response_id", "pk").values_list("response_id", "question_id", "text")
    for response_id, question, answer in rows.iterator(chunk_size=10_000):
        if response_id in chosen:
            yield response_id, question, answer


def open_answers(dataset, selection):
    """(texts, index of each text's response, question id of each text) for the analysed rows
    the selection keeps. The texts are without personal data (`NameMask.strip`): they are what
    keywords and word clouds are made of, and would show it to every reader."""
    keep = analysed(dataset, selection)
    names = NameMask.of_customers(set(dataset.customer[keep].tolist()) - {-1})
    position = {int(pk): i for i, pk in enumerate(dataset.ids.tolist())}
    texts, indices, questions = [], [], []
    for response_id, question, answer in analysed_answers(dataset, selection):
        texts.append(names.strip(answer))
        indices.append(dataset.index[position[response_id]])
        questions.append(question)
    return texts, np.asarray(indices, float), questions


def _question_groups(question_ids):
    """The group of each open question's answers: its dimension (several questions of one
    dimension go together), else the question itself."""
    from manyi.surveys.models import Question

    groups = {}
    for question in Question.objects.filter(pk__in=set(question_ids)).select_related("dimension"):
        groups[question.pk] = question.dimension.title if question.dimension_id else question.text
    return groups


def keyword_panel(dataset, selection, top=20):
    """Keywords of all open answers, by the sentiment label of each answer's text (the sentiment
    model, analytics/sentiment.py: positive, neutral, negative, mixed — what the customer wrote,
    as the topic panel counts it) and by open question (or the question's dimension)."""
    key = _key(dataset, selection, "panel-by-label")
    found = cache.get(key)
    if found is not None:
        return found
    texts, _indices, questions = open_answers(dataset, selection)
    groups = [text.text_sentiment(answer).label or None for answer in texts]
    topics = _question_groups(questions)
    panel = {
        "all": text.summarise_answers(texts, top=top),
        "by_sentiment": text.keywords_by_group(texts, groups, top=10),
        # One group would only repeat the totals.
        "by_question": text.keywords_by_group(texts, [topics.get(q) for q in questions], top=10)
        if len(set(topics.values())) > 1
        else {},
    }
    cache.set(key, panel, CACHE_SECONDS)
    return panel


def word_cloud(dataset, selection):
    """PNG bytes of the word cloud of the selection's open answers (None without keywords)."""
    key = _key(dataset, selection, "cloud")
    found = cache.get(key)
    if found is not None:
        return found
    texts, _indices, _questions = open_answers(dataset, selection)
    keywords = text.summarise_answers(texts, top=150).keywords
    if not keywords:
        return None
    png = text.word_cloud_png(keywords, width=800, height=420)
    cache.set(key, png, CACHE_SECONDS)
    return png
