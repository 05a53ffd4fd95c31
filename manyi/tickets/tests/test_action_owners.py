"""The owner of a corrective or preventive action in another department (issue 16, why 4).

吴磊 of 技术部 owns a 预防措施 on a ticket of 质量部: he sees that ticket (and only through his
action), finds the action on his list of actions (improvements:mine, reachable from the ticket
queue) and reports it done there; his colleagues in 技术部 still see nothing of the ticket.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.testing import make_department, make_user
from manyi.tickets import workflow
from manyi.tickets.choices import ActionKind, ActionStatus, Channel, TicketState
from manyi.tickets.models import CorrectiveAction, Ticket

from .conftest import in_english

pytestmark = pytest.mark.django_db

MINE = "/improvements/mine/"


@pytest.fixture
def tech(people):
    """技术部 with 吴磊 (who will own the action) and his colleague 郑洁 (who will not)."""
    department = make_department(name="技术部", code="TECH")
    wu = make_user("wulei", Role.HANDLER, department=department, last_name="吴", first_name="磊")
    zheng = make_user("zhengjie", Role.HANDLER, department=department, last_name="郑", first_name="洁")
    return department, wu, zheng


def quality_ticket(people, subject="外壳开裂"):
    """A ticket of 质量部 under investigation, as hank (质量部) has it."""
    ticket = workflow.open_ticket(
        by=people.amy, channel=Channel.PHONE, subject=subject, description="客户反映外壳在低温下开裂。"
    )
    workflow.acknowledge(ticket, people.amy)
    workflow.assign(ticket, people.sam, people.quality)
    workflow.start_investigation(ticket, people.hank)
    return ticket


def preventive(ticket, people, owner, deadline=None, text="修改注塑工艺参数并验证低温强度"):
    return workflow.add_action(
        ticket,
        people.hank,
        kind=ActionKind.PREVENTIVE,
        description=text,
        owner=owner,
        deadline=deadline or timezone.localdate() + timedelta(days=7),
    )


def test_the_owner_in_another_department_sees_the_ticket_and_reports_the_action_done(people, tech, client_as):
    _department, wu, _zheng = tech
    ticket = quality_ticket(people)
    action = preventive(ticket, people, wu)
    client = in_english(client_as(wu))

    page = client.get(ticket.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "修改注塑工艺参数并验证低温强度" in body
    assert f'id="complete-{action.pk}"' in body
    # He owns an action, he does not work the ticket: no transitions, no new actions.
    assert 'id="transitions"' not in body and 'id="action-form"' not in body

    done = client.post(
        reverse("tickets:action_complete", args=[ticket.pk, action.pk]), {"result": "参数已改，低温试验通过"}
    )
    assert done.status_code == 302 and done["Location"] == ticket.get_absolute_url()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.result == "参数已改，低温试验通过"
    assert ticket.events.filter(by=wu, note__contains="参数已改").exists()


def test_the_owners_colleagues_and_other_handlers_still_cannot_see_the_ticket(people, tech, client_as):
    _department, wu, zheng = tech
    ticket = quality_ticket(people)
    action = preventive(ticket, people, wu)

    client = client_as(zheng)
    assert client.get(ticket.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("tickets:list") + "?queue=open").context["page"].object_list) == []
    refused = client.post(
        reverse("tickets:action_complete", args=[ticket.pk, action.pk]), {"result": "我来报完成"}
    )
    assert refused.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED and action.result == ""
    assert zheng.ticket_actions.count() == 0
    assert not Ticket.objects.for_user(zheng).exists()


def test_owning_an_action_shows_the_ticket_once_and_nothing_else_of_the_department(people, tech):
    _department, wu, _zheng = tech
    ticket = quality_ticket(people)
    other = quality_ticket(people, subject="包装破损")
    preventive(ticket, people, wu)
    preventive(ticket, people, wu, text="培训装配工")

    assert list(Ticket.objects.for_user(wu)) == [ticket]
    assert other not in Ticket.objects.for_user(wu)
    assert list(Ticket.objects.queue("open", wu, timezone.now())) == [ticket]


def test_a_handler_without_a_department_sees_only_what_is_given_to_them(people):
    """department None must not read as “every ticket without a department”."""
    loner = make_user("loner", Role.HANDLER)
    unassigned = workflow.open_ticket(
        by=people.amy, channel=Channel.PHONE, subject="无部门", description="未分派的工单"
    )
    assert unassigned.department_id is None

    assert not Ticket.objects.for_user(loner).exists()


def test_every_role_that_sees_all_tickets_still_does(people, tech):
    ticket = quality_ticket(people)
    for user in (people.alice, people.sam, people.amy, people.ana):
        assert list(Ticket.objects.for_user(user)) == [ticket], user.username
    assert list(Ticket.objects.for_user(people.hank)) == [ticket]
    assert not Ticket.objects.for_user(people.ivan).exists()


# --------------------------------------------------------------------------- the owner's list


def test_the_list_shows_the_owners_actions_open_and_due_first(people, tech, client_as):
    _department, wu, _zheng = tech
    today = timezone.localdate()
    ticket = quality_ticket(people)
    later = preventive(ticket, people, wu, deadline=today + timedelta(days=20), text="措施B：二十天后")
    sooner = preventive(ticket, people, wu, deadline=today + timedelta(days=2), text="措施A：两天后")
    finished = preventive(ticket, people, wu, deadline=today, text="措施C：已完成")
    workflow.complete_action(finished, wu, "已做")
    late = preventive(ticket, people, wu, deadline=today, text="措施D：已过期")
    CorrectiveAction.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=3))
    preventive(ticket, people, people.hank, text="何强自己的措施")

    page = in_english(client_as(wu)).get(MINE)

    assert page.status_code == 200
    rows = [action.pk for action in page.context["ticket_actions"]]
    assert rows == [late.pk, sooner.pk, later.pk, finished.pk]
    body = page.content.decode()
    assert "何强自己的措施" not in body
    assert body.index("措施D") < body.index("措施A") < body.index("措施B") < body.index("措施C")
    assert f'id="complete-{late.pk}"' in body and f'id="complete-{finished.pk}"' not in body
    assert body.count('class="table-danger late"') == 1


def test_reporting_done_from_the_list_comes_back_to_the_list(people, tech, client_as):
    _department, wu, _zheng = tech
    ticket = quality_ticket(people)
    action = preventive(ticket, people, wu)
    client = client_as(wu)

    response = client.post(
        reverse("tickets:action_complete", args=[ticket.pk, action.pk]), {"result": "已完成", "next": MINE}
    )

    assert response.status_code == 302 and response["Location"] == MINE
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_a_next_address_off_the_site_goes_to_the_ticket(people, tech, client_as, target):
    _department, wu, _zheng = tech
    ticket = quality_ticket(people)
    action = preventive(ticket, people, wu)

    response = client_as(wu).post(
        reverse("tickets:action_complete", args=[ticket.pk, action.pk]), {"result": "已完成", "next": target}
    )

    assert response["Location"] == ticket.get_absolute_url()


@pytest.mark.parametrize("name", ["alice", "sam", "amy", "hank", "ana"])
def test_every_role_has_its_list_and_reaches_it_from_the_ticket_queue(people, client_as, name):
    client = client_as(getattr(people, name))
    assert client.get(MINE).status_code == 200
    assert f'href="{MINE}"' in client.get(reverse("tickets:list")).content.decode()
    assert f'href="{MINE}"' in client.get(reverse("improvements:list")).content.decode()


def test_anonymous_and_disabled_users_get_no_list(people, client_as):
    anonymous = client_as(None).get(MINE)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_as(people.ivan).get(MINE).status_code in (302, 403)


def test_the_queue_counts_the_open_actions_the_user_owns(people, tech, client_as):
    _department, wu, _zheng = tech
    ticket = quality_ticket(people)
    preventive(ticket, people, wu)
    done = preventive(ticket, people, wu)
    workflow.complete_action(done, wu, "已做")

    page = client_as(wu).get(reverse("tickets:list"))

    assert page.context["open_actions"] == 1


def test_the_list_shows_the_improvements_the_user_owns(people, tech, client_as):
    from manyi.improvements import workflow as improvements

    _department, wu, _zheng = tech
    deadline = timezone.localdate() + timedelta(days=30)
    mine, _other = (
        improvements.raise_improvement(
            by=people.sam,
            title=title,
            problem="冬季开裂投诉增多",
            measures="更换材料",
            owner=owner,
            deadline=deadline,
        )
        for title, owner in (("低温开裂专项改进", wu), ("别人的改进", people.hank))
    )

    body = client_as(wu).get(MINE).content.decode()

    assert mine.reference in body and "低温开裂专项改进" in body
    assert "别人的改进" not in body


def test_a_closed_ticket_keeps_the_action_on_the_list_without_the_button(people, tech, client_as):
    _department, wu, _zheng = tech
    ticket = quality_ticket(people)
    action = preventive(ticket, people, wu)
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.CLOSED)

    body = client_as(wu).get(MINE).content.decode()

    assert f'id="action-{action.pk}"' in body and f'id="complete-{action.pk}"' not in body
