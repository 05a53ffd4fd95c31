"""Visit tasks and a questionnaire campaign for the tests."""

import itertools
from datetime import date

from django.utils import timezone

from manyi.campaigns.choices import CampaignState
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire
from manyi.visits.choices import Method
from manyi.visits.models import VisitRecord, VisitTask

_keys = itertools.count(1)


def make_task(customer=None, agent=None, **kwargs):
    kwargs.setdefault("purpose", "交付后一个月回访")
    day = kwargs.pop("due_on", date.today())
    kwargs.setdefault("planned_on", day)
    if agent is not None:
        kwargs.setdefault("department", agent.department)
    return VisitTask.objects.create(
        customer=customer or make_customer(),
        agent=agent,
        source_key=f"test{next(_keys)}",
        due_on=day,
        **kwargs,
    )


def make_record(task, **kwargs):
    """A record of the task's visit, by its agent, made now, waiting for review unless told."""
    kwargs.setdefault("agent", task.agent)
    kwargs.setdefault("visitee", "张工")
    kwargs.setdefault("method", Method.PHONE_FIRST)
    kwargs.setdefault("visited_at", timezone.now())
    kwargs.setdefault("about_usage", True)
    return VisitRecord.objects.create(task=task, customer=task.customer, **kwargs)


def make_visit_campaign():
    """A running campaign with two rated questions (5 levels, 10..2 points) and a text question."""
    questionnaire = make_questionnaire(title="回访满意度")
    make_question(questionnaire, code="Q1", text="产品质量", required=True)
    make_question(questionnaire, code="Q2", text="服务响应速度", required=True)
    make_question(questionnaire, code="Q3", text="意见和建议", kind="text", options=(), required=False)
    return make_campaign(questionnaire, state=CampaignState.RUNNING)
