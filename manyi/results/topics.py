"""Topics of open answers and tickets: the company's list (``results.Topic``), the rule over it
(:mod:`manyi.analytics.topics`), its retraining, and the topic figures of a campaign.

The rule's learned part is fitted from examples: the shipped labelled reviews' training part
(``analytics/text_data/topic_labels.tsv``) and the examples other apps provide — the tickets
app registers the topics its handlers chose (:func:`register_examples`, from its
``AppConfig.ready()``: results may not import tickets). A handler's choice is used from the
next retraining on (:func:`retrain`: ``manage.py retrain_topics`` or the button on the topic
list page), never silently: until then the rule stays as it was measured.

Figures (:func:`campaign_topics`, :func:`topic_panel`): each open answer of the analysed rows
(``open_answers.open_answers``: valid questionnaires, one voice per customer, seed 000) gets its
sentiment label (:mod:`manyi.analytics.sentiment`: positive, negative, mixed, neutral), its
topic and whether it is actionable (seed 002: "挺好, 不错, 赞" are not; "包装破损, 快递慢" are).
A mixed answer's topic is the topic of its complaint clauses ("东西不错，就是物流太慢了" is a
delivery problem): its complaint still counts as a problem (issue 18). A *problem* is an
actionable answer that is negative or mixed. The texts are the ones without personal data
(``NameMask.strip``), the same the keywords and word clouds are made of, so the examples shown
beside the figures carry no phone, e-mail address, ID number or name.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from manyi.analytics import sentiment
from manyi.analytics import topics as rule
from manyi.analytics.sentiment import MIXED, NEGATIVE, NEUTRAL, POSITIVE

from .models import Topic, TopicTraining

SENTIMENTS = (NEGATIVE, MIXED, NEUTRAL, POSITIVE)
# The sentiment model's labels (analytics/sentiment.py) as pages and reports name them.
SENTIMENT_NAMES = {
    NEGATIVE: pgettext_lazy("sentiment", "Negative"),
    MIXED: pgettext_lazy("sentiment", "Mixed"),
    NEUTRAL: pgettext_lazy("sentiment", "Neutral"),
    POSITIVE: pgettext_lazy("sentiment", "Positive"),
}
PROBLEM_SENTIMENTS = (NEGATIVE, MIXED)
CACHE_SECONDS = 3600
EXAMPLES_PER_CELL = 3

_PROVIDERS = []
_LOCK = threading.Lock()
_FITTED: dict = {}


def register_examples(provider):
    """``provider(until)`` gives (text, topic code) pairs a person confirmed up to ``until`` (a
    datetime): the examples the next retraining learns from. Called from an AppConfig.ready()."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def definitions(topics=None):
    """The active topics as the rule reads them."""
    topics = list(Topic.objects.active()) if topics is None else topics
    return [rule.TopicDef(t.code, tuple(t.keyword_list()), t.name_zh) for t in topics]


def _version(topics, training):
    state = [[t.code, t.keywords, t.is_active, t.updated_at.isoformat()] for t in topics]
    state.append([training.pk, training.trained_at.isoformat()] if training else None)
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]


def _examples(training):
    examples = rule.training_examples()
    if training is not None:
        for provider in _PROVIDERS:
            examples.extend(provider(training.trained_at))
    return examples


def current():
    """(classifier, version) for the active topics and the latest retraining, fitted once per
    process and version (thread-safe)."""
    topics = list(Topic.objects.active())
    training = TopicTraining.objects.first()
    version = _version(topics, training)
    with _LOCK:
        found = _FITTED.get(version)
        if found is None:
            found = rule.TopicClassifier(definitions(topics), _examples(training))
            _FITTED.clear()
            _FITTED[version] = found
    return found, version


def classifier():
    return current()[0]


def confirmed_count(until=None):
    """How many confirmed examples the providers hold up to ``until`` (default: now)."""
    until = until or timezone.now()
    return sum(len(list(provider(until))) for provider in _PROVIDERS)


def retrain(by=None):
    """Refit the learned part on the shipped examples and every confirmed one up to now, and
    measure it on the held-out reviews (those of topics the list still has). Returns the
    :class:`TopicTraining` written."""
    now = timezone.now()
    topics = list(Topic.objects.active())
    confirmed = [pair for provider in _PROVIDERS for pair in provider(now)]
    shipped = rule.training_examples()
    fitted = rule.TopicClassifier(definitions(topics), shipped + confirmed)
    codes = {t.code for t in topics}
    held_out = [
        row for row in rule.read_labelled() if rule.labelled_split(row.text) == "test" and row.topic in codes
    ]
    accuracy = None
    if held_out:
        accuracy = rule.score_topics(held_out, fitted.codes_of(row.text for row in held_out)).accuracy
    return TopicTraining.objects.create(
        trained_at=now,
        trained_by=by,
        shipped_examples=len(shipped),
        confirmed_examples=len(confirmed),
        held_out_accuracy=accuracy,
    )


def suggest(text):
    """The active topic the rule suggests for a text (a new ticket), or None for a blank one."""
    code = classifier().topic(text).code
    if not code:
        return None
    return Topic.objects.active().filter(code=code).first()


# --------------------------------------------------------------------------- a campaign's answers


@dataclass(frozen=True)
class AnswerTopic:
    """One analysed open answer with what the figures count."""

    response_id: int
    question_id: int
    text: str  # without personal data (NameMask.strip)
    sentiment: str
    topic: str
    actionable: bool

    @property
    def problem(self):
        return self.actionable and self.sentiment in PROBLEM_SENTIMENTS


def label_answer(model, text):
    """(sentiment label, topic code, actionable) of one answer (rules: the module doc)."""
    found = sentiment.classify(text)
    about = text
    if found.label == MIXED and found.negative_clauses:
        about = "，".join(found.negative_clauses)
    topic = model.topic(about)
    actionable = model.classify(text).actionable if topic.code else False
    return found.label, topic.code, actionable


def _key(dataset, selection, version, what):
    from .open_answers import _key as answers_key

    return answers_key(dataset, selection, f"topics:{version}:{what}")


def campaign_topics(dataset, selection):
    """Every analysed open answer of the selection as an :class:`AnswerTopic` (cached per
    campaign, filter, data state and topic version)."""
    from .open_answers import analysed_answers, open_answers

    model, version = current()
    key = _key(dataset, selection, version, "answers")
    found = cache.get(key)
    if found is not None:
        return found
    texts, _indices, questions = open_answers(dataset, selection)
    ids = [response_id for response_id, _question, _text in analysed_answers(dataset, selection)]
    rows = []
    for response_id, question, text in zip(ids, questions, texts, strict=True):
        label, code, actionable = label_answer(model, text)
        if code:
            rows.append(AnswerTopic(response_id, question, text, label, code, actionable))
    cache.set(key, rows, CACHE_SECONDS)
    return rows


def _names():
    return {t.code: t.name for t in Topic.objects.all()}


def _ordered_codes(counts):
    order = {t.code: i for i, t in enumerate(Topic.objects.all())}
    return sorted(counts, key=lambda code: (order.get(code, len(order)), code))


def topic_table(rows):
    """Topics × sentiment: per topic (the list's order) its answers by label, problems, and up to
    three problem examples (different texts, in answer order); only topics with answers."""
    names = _names()
    by_topic = {}
    for row in rows:
        by_topic.setdefault(row.topic, []).append(row)
    table = []
    total = len(rows)
    for code in _ordered_codes(by_topic):
        answers = by_topic[code]
        counts = Counter(row.sentiment for row in answers)
        problems = [row for row in answers if row.problem]
        table.append(
            {
                "code": code,
                "name": names.get(code, code),
                "answers": len(answers),
                "share": len(answers) / total if total else 0.0,
                "by_sentiment": [(label, counts.get(label, 0)) for label in SENTIMENTS],
                "actionable": sum(row.actionable for row in answers),
                "problems": len(problems),
                "examples": list(dict.fromkeys(row.text for row in problems))[:EXAMPLES_PER_CELL],
            }
        )
    return table


def main_problems(rows, top=None):
    """Topics by their number of problems (actionable negative or mixed answers), most first,
    with examples; topics without a problem are left out."""
    table = [row for row in topic_table(rows) if row["problems"]]
    table.sort(key=lambda row: -row["problems"])
    return table if top is None else table[:top]


def wave_trend(campaign, selection):
    """Per wave of the campaign's series (oldest first): the answers and problems per topic.
    A campaign without a series is its own only wave."""
    from manyi.campaigns.models import Campaign

    from .dataset import campaign_dataset

    waves = [campaign]
    if campaign.series:
        waves = sorted(
            Campaign.objects.waves_of(campaign),
            key=lambda c: (c.invite_at or c.created_at, c.pk),
        )
    trend = []
    for wave in waves:
        rows = campaign_topics(campaign_dataset(wave), selection)
        trend.append(
            {
                "campaign": wave,
                "label": wave.wave or wave.name,
                "current": wave.pk == campaign.pk,
                "answers": len(rows),
                "topics": Counter(row.topic for row in rows),
                "problems": Counter(row.topic for row in rows if row.problem),
            }
        )
    return trend


def topic_panel(campaign, dataset, selection):
    """What the dashboard's topic panel shows: the topics × sentiment table, the trend by wave,
    and the labels in their order."""
    rows = campaign_topics(dataset, selection)
    trend = wave_trend(campaign, selection)
    codes = _ordered_codes({code for wave in trend for code in wave["topics"]})
    names = _names()
    return {
        "answers": len(rows),
        "problems": sum(row.problem for row in rows),
        "table": topic_table(rows),
        "sentiments": SENTIMENTS,
        "trend": trend,
        "trend_topics": [(code, names.get(code, code)) for code in codes],
    }


def answers_of(dataset, selection, topic, label=""):
    """The analysed answers of one topic (and sentiment label, when given), for the drill-down."""
    return [
        row
        for row in campaign_topics(dataset, selection)
        if row.topic == topic and (not label or row.sentiment == label)
    ]
