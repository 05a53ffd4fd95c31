"""Who sees and who may assign which visit: the rule of manyi/visits/access.py, pinned role by role.

Each case gives one person one task of one kind (their own, their team's, the unassigned pool's,
another team's) and asks every page and verb that decides access what the person may do with it:

- see: the call screen opens, the worklist lists the task (in a tab, or under its agent in the
  agent filter), the page of its done twin's record opens;
- assign: the assign form hands the task to another agent of the person's team;
- review: the done twin's submitted record is in the review queue and the person's approval sticks;
- plan: the task is in the plan table (its row's edit page opens when it was planned in the table);
- report: the monthly report counts the task (and its done twin).

Each right is asked of several pages at once: a page that disagrees with the others fails the case.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.testing import make_customer, make_user
from manyi.visits.choices import Method, ReviewStatus, TaskStatus
from manyi.visits.models import VisitPlan
from manyi.visits.planner import plan_by_hand

from .factories import make_record, make_task

pytestmark = pytest.mark.django_db

KINDS = ("own", "team", "pool", "other team")
# What each person may do with a task of each kind (the table of access.py's docstring).
ALL = "see assign review plan report"
EXPECTED = {
    "amy, an agent": ("see", "", "", ""),
    "sam, a supervisor with a team": (
        "see assign plan report",  # his own record is not his to review
        ALL,
        "see assign review",  # the pool has no team: outside the team's plan and report
        "",
    ),
    "lone, a supervisor without a team": ("see", "", "", ""),
    "alice, the administrator": ("see assign plan report", ALL, "see assign plan review report", ALL),
    "ana, the analyst (quality department)": ("report", "report", "report", "report"),
    "hank, a handler": ("", "", "", ""),
    "ivan, a disabled agent": ("", "", "", ""),
}


def _case(who, kind, rights):
    return pytest.param(who, kind, set(rights.split()), id=f"{who.split(',')[0]}-{kind}")


CASES = [_case(who, kind, rights[n]) for who, rights in EXPECTED.items() for n, kind in enumerate(KINDS)]


@pytest.fixture
def world(team):
    """team plus lone (a supervisor without a department), nomad and rover (agents without one),
    cleo (a third agent of the service team) and quinn and qiu (agents of the quality department)."""
    return SimpleNamespace(
        **vars(team),
        lone=make_user("lone", Role.SUPERVISOR, department=None),
        nomad=make_user("nomad", Role.AGENT, department=None),
        rover=make_user("rover", Role.AGENT, department=None),
        cleo=make_user("cleo", Role.AGENT, department=team.service),
        quinn=make_user("quinn", Role.AGENT, department=team.quality),
        qiu=make_user("qiu", Role.AGENT, department=team.quality),
    )


def _people(world, who):
    """(person, the teammate whose task is 'team', the agent the person assigns to)."""
    name = who.split(",")[0]
    person = getattr(world, name)
    teammate, target = {
        "amy": (world.bob, world.cleo),
        "lone": (world.nomad, world.rover),
        "hank": (world.quinn, world.qiu),
    }.get(name, (world.bob, world.cleo))
    return person, teammate, target


def _task(world, kind, person, teammate, name):
    """An open task due today (through a plan row unless it is the pool's) and a done twin with a
    record waiting for review, both planned today."""
    owner = {"own": person, "team": teammate, "pool": None, "other team": world.otto}[kind]
    today = timezone.localdate()
    if owner is None:
        task = make_task(make_customer(name=name))
    else:
        plan = VisitPlan.objects.create(
            customer=make_customer(name=name),
            method=Method.PHONE_FIRST,
            purpose="例行回访",
            planned_on=today,
            agent=owner,
        )
        task = plan_by_hand(plan)
    twin = make_task(
        make_customer(name=f"{name}（已回访）"),
        agent=owner,
        status=TaskStatus.DONE,
        closed_at=timezone.now(),
    )
    return task, make_record(twin)


def _rights(client, task, record, target):
    """What the pages let the logged-in person do with the task, each right asked of every page
    that decides it: {right: [answer of each page]}."""
    month = f"?month={timezone.localdate():%Y-%m}"
    answers = {}
    listed = False
    # The tabs, and the list of the task's agent chosen in the supervisor's agent filter.
    for query in ("?tab=today", "?tab=unassigned", f"?tab=today&agent={task.agent_id or ''}"):
        page = client.get(reverse("visits:list") + query)
        listed |= page.status_code == 200 and task in page.context["rows"]
    answers["see"] = [
        client.get(reverse("visits:task", args=[task.pk])).status_code == 200,
        listed,
        client.get(reverse("visits:record", args=[record.pk])).status_code == 200,
    ]
    page = client.get(reverse("visits:plans") + month)
    answers["plan"] = [page.status_code == 200 and task in page.context["rows"]]
    if task.plan_id is not None:
        answers["plan"].append(
            client.get(reverse("visits:plan_edit", args=[task.plan_id])).status_code == 200
        )
    page = client.get(reverse("visits:report") + month)
    answers["report"] = [page.status_code == 200 and page.context["report"].total.planned == 2]
    page = client.get(reverse("visits:review"))
    queued = page.status_code == 200 and record in page.context["records"]
    client.post(reverse("visits:record_review", args=[record.pk]), {"decision": "approve"})
    record.refresh_from_db()
    answers["review"] = [queued, record.review_status == ReviewStatus.APPROVED]
    client.post(reverse("visits:assign", args=[task.pk]), {"as-agent": target.pk})
    task.refresh_from_db()
    answers["assign"] = [task.agent_id == target.pk]
    return answers


@pytest.mark.parametrize("who, kind, expected", CASES)
def test_each_role_sees_and_assigns_what_the_rule_says(world, client_as, who, kind, expected):
    person, teammate, target = _people(world, who)
    task, record = _task(world, kind, person, teammate, name=f"{kind}的客户")
    answers = _rights(client_as(person), task, record, target)
    wrong = {right: pages for right, pages in answers.items() if pages != [right in expected] * len(pages)}
    assert not wrong, f"{who}, {kind} task: expected {sorted(expected)}; the pages answered {answers}"
