"""The home page says what to do today about return visits (issue 16, deliverable 3): an agent's
calls due, overdue and agreed callbacks, the records returned to them and the next calls; a
supervisor's team, the unassigned pool, the records waiting for review, and who has work due."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.testing import make_customer
from manyi.visits.choices import Priority, ReviewStatus, TaskStatus

from .factories import make_record, make_task

pytestmark = pytest.mark.django_db


def badge(html, element_id):
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    return found and found.group(1)


@pytest.fixture
def day(team):
    """amy's day: two calls due today (one urgent), one overdue, a callback agreed for this
    afternoon, one next week, one done, a record returned to her; bob: one overdue, one
    waiting for review; the team's pool: one; the after-sales team: one overdue (otto)."""
    today = timezone.localdate()
    yesterday, next_week = today - timedelta(days=1), today + timedelta(days=7)
    afternoon = timezone.make_aware(datetime.combine(today, time(15, 30)))
    make_task(make_customer(name="今日客户"), agent=team.amy, due_on=today)
    make_task(make_customer(name="紧急客户"), agent=team.amy, due_on=today, priority=Priority.URGENT)
    make_task(make_customer(name="逾期客户"), agent=team.amy, due_on=yesterday - timedelta(days=2))
    make_task(
        make_customer(name="回电客户"),
        agent=team.amy,
        due_on=today,
        status=TaskStatus.CALLBACK,
        callback_at=afternoon,
        callback_reason="开会",
    )
    make_task(make_customer(name="下周客户"), agent=team.amy, due_on=next_week)
    make_task(make_customer(name="已访客户"), agent=team.amy, due_on=today, status=TaskStatus.DONE)
    returned = make_task(make_customer(name="退回客户"), agent=team.amy, status=TaskStatus.DONE)
    make_record(returned, review_status=ReviewStatus.RETURNED)
    make_task(make_customer(name="波的逾期客户"), agent=team.bob, due_on=yesterday)
    waiting = make_task(make_customer(name="待审客户"), agent=team.bob, status=TaskStatus.DONE)
    make_record(waiting)
    make_task(make_customer(name="无人客户"), due_on=today)  # the pool with no team
    make_task(make_customer(name="售后客户"), agent=team.otto, due_on=yesterday)
    return today


def test_an_agent_sees_her_calls_of_the_day(team, client_as, day):
    page = client_as(team.amy).get(reverse("home"))
    html = page.content.decode()
    assert 'id="home-visits"' in html and 'id="home-visits-team"' not in html
    counts = {name: badge(html, f"my-{name}") for name in ("today", "overdue", "callbacks", "returned")}
    assert counts == {"today": "2", "overdue": "1", "callbacks": "1", "returned": "1"}
    # The callback agreed first, then by priority; the visit made and next week's are not listed.
    assert [task.customer.name for task in page.context["visits"].next_calls] == [
        "回电客户",
        "紧急客户",
        "逾期客户",
        "今日客户",
    ]
    assert "约定" in html and "15:30" in html


def test_a_supervisor_sees_the_teams_day_and_the_reviews_waiting(team, client_as, day):
    page = client_as(team.sam).get(reverse("home"))
    html = page.content.decode()
    counts = {
        name: badge(html, f"team-{name}")
        for name in ("today", "overdue", "callbacks", "unassigned", "review")
    }
    # The service team (amy and bob), not after-sales; the pool with no team is the manager's.
    assert counts == {"today": "2", "overdue": "2", "callbacks": "1", "unassigned": "1", "review": "1"}
    agents = [(agent.username, due, overdue) for agent, due, overdue in page.context["visits"].agents]
    assert agents == [("amy", 2, 1), ("bob", 0, 1)]
    assert 'id="home-visits-mine"' not in html  # sam has no calls of his own
    # The links lead to the lists that count the same.
    assert client_as(team.sam).get(reverse("visits:review")).context["page"].paginator.count == 1


def test_another_teams_supervisor_sees_only_theirs(team, client_as, day):
    html = client_as(team.olga).get(reverse("home")).content.decode()
    assert badge(html, "team-overdue") == "1" and badge(html, "team-today") == "0"


@pytest.mark.parametrize("who", ["hank", "ana", "alice"])
def test_who_works_no_visits_sees_no_visits_part_and_the_administrator_sees_all(team, client_as, day, who):
    html = client_as(getattr(team, who)).get(reverse("home")).content.decode()
    if who == "alice":
        # Every team: amy's 2 today + the pool's 1; overdue amy 1, bob 1, otto 1.
        assert (badge(html, "team-today"), badge(html, "team-overdue")) == ("3", "3")
    else:
        assert 'id="home-visits"' not in html
