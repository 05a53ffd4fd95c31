"""The dashboard's topic panel (issue 18): the open answers' topics × sentiment, their trend by
wave, and the answers behind a cell. Figures from results/topics.py; shown here only."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.campaigns.answering import can_see_individual_answers
from manyi.results import topics
from manyi.results.dataset import campaign_dataset
from manyi.results.models import Topic
from manyi.surveys.models import Question

from .views import _campaign, _filters


def _chart(panel):
    """What the charts draw (json_script): plain numbers and names."""
    names = {str(label): str(topics.SENTIMENT_NAMES[label]) for label in panel["sentiments"]}
    return {
        "topics": [row["name"] for row in panel["table"]],
        "sentiments": [
            {
                "label": label,
                "name": names[label],
                "counts": [dict(row["by_sentiment"])[label] for row in panel["table"]],
            }
            for label in panel["sentiments"]
        ],
        "waves": [wave["label"] for wave in panel["trend"]],
        "trend": [
            {
                "name": str(name),
                "shares": [
                    round(100 * wave["topics"].get(code, 0) / wave["answers"], 1) if wave["answers"] else None
                    for wave in panel["trend"]
                ],
            }
            for code, name in panel["trend_topics"]
        ],
        "text": {"answers": _("Answers"), "share": _("Share of the answers (%)")},
    }


def _trend_rows(panel):
    """The trend's text alternative: per wave, each topic's answers and share."""
    return [
        {
            "label": wave["label"],
            "current": wave["current"],
            "answers": wave["answers"],
            "cells": [
                (
                    wave["topics"].get(code, 0),
                    wave["topics"].get(code, 0) / wave["answers"] if wave["answers"] else None,
                )
                for code, _name in panel["trend_topics"]
            ],
        }
        for wave in panel["trend"]
    ]


@capability_required(permissions.VIEW_ANALYSIS)
def topic_panel(request, pk):
    """Topics × sentiment and the trend by wave (loaded after the page, as the keywords are)."""
    campaign = _campaign(request, pk)
    dataset = campaign_dataset(campaign)
    _form, selection, _segment = _filters(request, campaign, dataset)
    panel = topics.topic_panel(campaign, dataset, selection)
    return render(
        request,
        "dashboards/_topics.html",
        {
            "campaign": campaign,
            "panel": panel,
            "query": selection.as_query(),
            "sentiment_names": topics.SENTIMENT_NAMES,
            "chart": _chart(panel),
            "trend_rows": _trend_rows(panel),
            "can_drill": can_see_individual_answers(request.user, campaign),
            "can_edit_topics": request.user.can(permissions.SET_UP_COMPANY),
        },
    )


@capability_required(permissions.VIEW_ANALYSIS, permissions.VIEW_RESPONSES)
def topic_answers(request, pk):
    """The open answers behind a cell of the topic table: one topic, one sentiment label (or all),
    problems only when asked. The texts are without personal data, as the keywords' are."""
    campaign = _campaign(request, pk)
    if not can_see_individual_answers(request.user, campaign):
        raise PermissionDenied
    dataset = campaign_dataset(campaign)
    _form, selection, _segment = _filters(request, campaign, dataset)
    topic = Topic.objects.filter(code=request.GET.get("topic", "")[:40]).first()
    if topic is None:
        raise Http404(_("There is no such topic."))
    label = request.GET.get("sentiment", "")
    if label and label not in topics.SENTIMENT_NAMES:
        raise Http404(_("There is no such sentiment."))
    problems = bool(request.GET.get("problems"))
    rows = topics.answers_of(dataset, selection, topic.code, label)
    if problems:
        rows = [row for row in rows if row.problem]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    questions = dict(
        Question.objects.filter(pk__in={row.question_id for row in page}).values_list("pk", "text")
    )
    described = [topic.name]
    if label:
        described.append(str(topics.SENTIMENT_NAMES[label]))
    if problems:
        described.append(_("actionable complaints only"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboards/topic_answers.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": [(row, questions.get(row.question_id, "")) for row in page],
            "total": len(rows),
            "described": described,
            "sentiment_names": topics.SENTIMENT_NAMES,
            "query": query.urlencode(),
        },
    )
