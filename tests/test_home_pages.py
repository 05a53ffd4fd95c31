"""Home pages per role answer "what do I do today" (issue 16, deliverable 3): a handler's
tickets and actions due, an agent's recorded tickets and callbacks, an analyst's running
campaigns (the agent's and supervisor's return visits: manyi/visits/tests/test_home.py).
Every count is checked against the list page it links to, or against the rows made here."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns.choices import CampaignState, InvitationStatus, ResponseStatus
from manyi.improvements.workflow import raise_improvement
from manyi.testing import make_campaign, make_customer, make_invitation, make_questionnaire, make_response
from manyi.tickets import workflow
from manyi.tickets.choices import Channel, TicketState
from manyi.tickets.models import CorrectiveAction, Ticket

pytestmark = pytest.mark.django_db


def badge(html, element_id):
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    return found and found.group(1).strip()


def make_ticket(department=None, state=TicketState.ASSIGNED, **kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("subject", "设备噪音大")
    kwargs.setdefault("description", "运行时噪音偏大。")
    ticket = workflow.open_ticket(by=None, **kwargs)
    Ticket.objects.filter(pk=ticket.pk).update(department=department, state=state)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def handler_day(people):
    """hank (质量部): two tickets assigned to him (one past its resolution deadline), one of
    his department's nobody took yet, one of another department, a closed one; he owns a late
    corrective action on the service department's ticket and an improvement action due next week."""
    now = timezone.now()
    late = make_ticket(people.quality, subject="逾期工单")
    Ticket.objects.filter(pk=late.pk).update(assignee=people.hank, resolution_due=now - timedelta(days=1))
    soon = make_ticket(people.quality, subject="本周工单")
    Ticket.objects.filter(pk=soon.pk).update(assignee=people.hank, resolution_due=now + timedelta(days=5))
    make_ticket(people.quality, subject="部门工单")
    service_ticket = make_ticket(people.service, subject="客服部工单")
    make_ticket(people.quality, state=TicketState.CLOSED, subject="已关闭")
    today = timezone.localdate()
    CorrectiveAction.objects.create(
        ticket=service_ticket,
        description="更换风机轴承",
        owner=people.hank,
        deadline=today - timedelta(days=2),
    )
    raise_improvement(
        by=people.sam,
        title="降低整机噪音",
        problem="多位客户反映噪音",
        measures="更换减震垫",
        owner=people.hank,
        department=people.quality,
        deadline=today + timedelta(days=7),
    )
    return late, soon


def test_a_handler_sees_his_tickets_and_the_actions_he_owns(people, client_as, handler_day):
    late, soon = handler_day
    client = client_as(people.hank)
    html = client.get(reverse("home")).content.decode()
    counts = {name: badge(html, f"queue-{name}") for name in ("mine", "department", "overdue", "due_soon")}
    # Each count is the ticket list's own for that queue.
    for name, shown in counts.items():
        listed = client.get(reverse("tickets:list"), {"queue": name}).context["page"].paginator.count
        assert shown == str(listed), name
    assert counts["mine"] == "2" and counts["department"] == "3" and counts["overdue"] == "1"
    assert 'id="queue-unassigned"' not in html  # a handler assigns nobody
    next_tickets = re.findall(r"(FK-\d{4}-\d{6})", html.split('id="home-tickets-next"')[1].split("</ol>")[0])
    assert next_tickets == [late.reference, soon.reference]
    # The actions: the corrective action on the other department's ticket (late) and the improvement.
    assert (badge(html, "actions-open"), badge(html, "actions-late")) == ("2", "1")
    actions = html.split('id="home-actions-next"')[1].split("</ol>")[0]
    assert actions.index("更换风机轴承") < actions.index("降低整机噪音")
    assert "客服部工单" not in html.split('id="home-tickets"')[1].split("</section>")[0]
    # No survey panel for a handler: he neither analyses nor runs campaigns.
    assert 'id="home-campaigns"' not in html


def test_an_agent_sees_the_tickets_she_recorded_and_the_callbacks(people, client_as):
    recorded = workflow.open_ticket(
        by=people.amy, channel=Channel.PHONE, subject="发票未到", description="发票未收到。"
    )
    html = client_as(people.amy).get(reverse("home")).content.decode()
    assert badge(html, "queue-mine") == "1" and recorded.reference in html
    assert badge(html, "queue-callback") == "0"
    assert 'id="queue-overdue"' not in html  # she records and replies; departments work tickets


def test_an_analyst_sees_the_campaigns_taking_answers(people, client_as):
    questionnaire = make_questionnaire()
    now = timezone.now()
    running = make_campaign(
        questionnaire,
        name="2026年度满意度调查",
        state=CampaignState.RUNNING,
        deadline=now + timedelta(days=3, hours=1),
    )
    make_campaign(questionnaire, name="草稿调查", state=CampaignState.DRAFT)
    for _n in range(4):
        make_invitation(running, make_customer(), status=InvitationStatus.SENT)
    make_response(
        questionnaire, running, status=ResponseStatus.COMPLETED, completed_at=now - timedelta(hours=2)
    )
    make_response(
        questionnaire, running, status=ResponseStatus.COMPLETED, completed_at=now - timedelta(days=2)
    )
    make_response(questionnaire, running, status=ResponseStatus.IN_PROGRESS)  # a draft is no answer
    page = client_as(people.ana).get(reverse("home"))
    html = page.content.decode()
    table = html.split('id="home-campaigns-table"')[1].split("</table>")[0]
    assert "2026年度满意度调查" in table and "草稿调查" not in table
    row = table.split("2026年度满意度调查")[1].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    days_left = (timezone.localdate(running.deadline) - timezone.localdate(now)).days
    assert cells[:4] == ["2 / 4", "50.0%", "1", f"还剩 {days_left} 天"]
    assert reverse("dashboards:campaign", args=[running.pk]) in row
    # An analyst works no tickets and no visits: those panels are not hers.
    assert 'id="home-tickets"' not in html and 'id="home-visits"' not in html


def test_a_campaign_without_invitations_shows_no_response_rate(people, client_as):
    questionnaire = make_questionnaire()
    make_campaign(questionnaire, name="匿名链接调查", state=CampaignState.RUNNING)
    html = client_as(people.sam).get(reverse("home")).content.decode()
    row = html.split("匿名链接调查")[1].split("</tr>")[0]
    assert "—" in row and "%" not in row


@pytest.mark.parametrize(
    ("who", "panels"),
    [
        ("alice", {"tickets", "actions", "campaigns", "visits"}),
        ("sam", {"tickets", "actions", "campaigns", "visits"}),
        ("amy", {"tickets", "visits"}),
        ("hank", {"tickets", "actions"}),
        ("ana", {"campaigns"}),
    ],
)
def test_each_role_gets_the_panels_of_its_work(people, client_as, who, panels):
    html = client_as(getattr(people, who)).get(reverse("home")).content.decode()
    shown = {name for name in ("tickets", "actions", "campaigns", "visits") if f'id="home-{name}"' in html}
    assert shown == panels
