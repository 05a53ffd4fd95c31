"""Pages that read customers, campaigns and answers follow the unit rule (issue 19 point 1): a
region's staff see their region's rows and counts only, the group sees them all. One test per
page found counting or listing every region's rows (organisation/access.py decides the rule)."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Response
from manyi.customers.models import Customer
from manyi.reports.tests.conftest import fresh_datasets, survey  # noqa: F401 -- the report tests' campaign
from manyi.testing import (
    make_campaign,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
    make_response,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_campaign(tree):
    """A running campaign of the group: two of the east's customers and one of the south's
    invited, each of them answered (the east's two, the south's one)."""
    campaign = make_campaign(make_questionnaire(), unit=tree.group, state=CampaignState.RUNNING)
    east_two = make_customer(name="华东客户二", code="C-E2", unit=tree.garden)
    for customer in (tree.east_customer, east_two, tree.south_customer):
        invitation = make_invitation(campaign, customer)
        make_response(
            campaign.questionnaire,
            campaign,
            invitation=invitation,
            customer=customer,
            status=ResponseStatus.COMPLETED,
            completed_at=timezone.now(),
        )
    return campaign


def region_analyst(tree):
    return make_user("rana", Role.ANALYST, unit=tree.east, last_name="冉")


def test_the_home_page_counts_the_customers_of_the_readers_units(tree, client_as):
    for user, count in ((tree.eva, 1), (tree.sid, 1), (tree.gus, 3), (region_analyst(tree), 1)):
        html = client_as(user).get(reverse("home")).content.decode()
        total = re.search(r'id="total-customers">([^<]*)<', html).group(1)
        assert total == str(count), (user, total)


def test_the_home_pages_running_surveys_count_the_answers_of_the_readers_units(
    tree, group_campaign, client_as
):
    for user, shown in ((region_analyst(tree), "2 / 2"), (tree.sid, "1 / 1"), (tree.gus, "3 / 3")):
        html = client_as(user).get(reverse("home")).content.decode()
        table = html[html.index('id="home-campaigns-table"') :]
        row = table[table.index(group_campaign.name) :]
        answers = re.search(r'<td class="text-end">([^<]*)</td>', row).group(1)
        assert answers == shown, (user, answers)


def test_the_home_page_lists_no_other_regions_campaign(tree, client_as):
    south = make_campaign(
        make_questionnaire(), name="华南专项调查", unit=tree.south, state=CampaignState.RUNNING
    )
    assert south.name not in client_as(region_analyst(tree)).get(reverse("home")).content.decode()
    assert south.name in client_as(tree.gus).get(reverse("home")).content.decode()


def test_the_campaign_list_counts_the_invitations_and_answers_of_the_readers_units(
    tree, group_campaign, client_as
):
    for user, counts in ((tree.eva, ("2", "2")), (tree.sid, ("1", "1")), (tree.gus, ("3", "3"))):
        html = client_as(user).get(reverse("campaigns:list")).content.decode()
        row = html[html.index(group_campaign.name) :]
        cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)[:2]
        assert tuple(cells) == counts, (user, cells)


def test_a_campaigns_delivery_counts_are_of_the_readers_units(tree, group_campaign, client_as):
    for user, count in ((tree.eva, "2"), (tree.sid, "1"), (tree.gus, "3")):
        for name in ("campaigns:detail", "campaigns:counts"):
            html = client_as(user).get(reverse(name, args=[group_campaign.pk])).content.decode()
            table = html[html.index('id="delivery-counts"') :]
            total = re.search(r'<td class="total">([^<]*)</td>', table).group(1)
            assert total == count, (user, name, total)


@pytest.fixture
def phone_survey(tree):
    """A running phone campaign of the group, one question, the east's and the south's customers
    invited and not yet answered."""
    questionnaire = make_questionnaire(title="电话回访")
    make_question(questionnaire, code="Q1", text="总体满意度")
    campaign = make_campaign(
        questionnaire, unit=tree.group, state=CampaignState.RUNNING, channels=[Channel.PHONE]
    )
    return SimpleNamespace(
        campaign=campaign,
        east=make_invitation(campaign, tree.east_customer),
        south=make_invitation(campaign, tree.south_customer),
    )


def east_agent(tree):
    from manyi.accounts.models import User

    return User.objects.filter(username="eda").first() or make_user("eda", Role.AGENT, unit=tree.east)


def test_the_phone_entry_list_shows_the_readers_units_customers_only(tree, phone_survey, client_as):
    url = reverse("entry:invitations", args=[phone_survey.campaign.pk])
    html = client_as(east_agent(tree)).get(url).content.decode()
    assert "C-E" in html and "C-S" not in html
    assert "C-S" in client_as(make_user("gaby", Role.AGENT, unit=tree.group)).get(url).content.decode()
    south_only = make_campaign(make_questionnaire(), unit=tree.south, state=CampaignState.RUNNING)
    assert (
        client_as(east_agent(tree)).get(reverse("entry:invitations", args=[south_only.pk])).status_code == 404
    )


def test_an_agent_cannot_enter_answers_for_another_regions_customer(tree, phone_survey, client_as):
    client = client_as(east_agent(tree))
    url = reverse("entry:enter", args=[phone_survey.south.pk, "phone"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "submit"}).status_code == 404
    assert client.get(reverse("entry:enter", args=[phone_survey.east.pk, "phone"])).status_code == 200


def test_a_paper_file_cannot_answer_for_another_regions_customer(tree, phone_survey, client_as, tmp_path):
    path = tmp_path / "paper.csv"
    path.write_text("客户编号,Q1\nC-E,很满意\nC-S,很满意\n", encoding="utf-8")
    with path.open("rb") as upload:
        result = client_as(east_agent(tree)).post(
            reverse("entry:import", args=[phone_survey.campaign.pk]), {"file": upload}
        )
    assert result.status_code == 400
    assert "C-S" in result.content.decode()
    assert not Response.objects.exists()


def test_another_regions_response_is_not_found(tree, group_campaign, client_as):
    south = Response.objects.get(customer=tree.south_customer)
    east = Response.objects.get(customer=tree.east_customer)
    client = client_as(tree.eva)
    assert client.get(reverse("entry:response", args=[south.pk])).status_code == 404
    assert client.get(reverse("entry:response", args=[east.pk])).status_code == 200
    assert client_as(tree.gus).get(reverse("entry:response", args=[south.pk])).status_code == 200


def test_a_region_cannot_preview_the_sample_of_a_group_campaign(tree, client_as):
    draft = make_campaign(make_questionnaire(), unit=tree.group)
    own = make_campaign(make_questionnaire(), unit=tree.east)
    client = client_as(tree.eva)
    assert client.get(reverse("campaigns:preview", args=[draft.pk])).status_code == 404
    assert client.get(reverse("campaigns:preview", args=[own.pk])).status_code == 200
    assert client_as(tree.gus).get(reverse("campaigns:preview", args=[draft.pk])).status_code == 200


def test_a_region_cannot_set_the_quotas_of_a_group_campaign(tree, client_as):
    from manyi.campaigns.models import Quota

    group = make_campaign(make_questionnaire(), unit=tree.group)
    own = make_campaign(make_questionnaire(), unit=tree.east)
    quota = Quota.objects.create(campaign=group, name="VIP", stratum="customer_type", value="vip", limit=50)
    new = {"name": "普通", "stratum": "customer_type", "value": "normal", "limit": "20"}
    client = client_as(tree.eva)
    assert client.post(reverse("campaigns:quota_create", args=[group.pk]), new).status_code == 404
    assert client.post(reverse("campaigns:quota_delete", args=[group.pk, quota.pk])).status_code == 404
    assert list(group.quotas.all()) == [quota]
    assert client.post(reverse("campaigns:quota_create", args=[own.pk]), new).status_code == 302
    assert own.quotas.count() == 1


def test_a_region_cannot_switch_another_regions_customers_visits_after_warranty(tree, client_as):
    from manyi.visits.models import VisitPreference

    client = client_as(tree.eva)
    south = reverse("visits:customer_after_warranty", args=[tree.south_customer.pk])
    assert client.post(south, {"wanted": "1"}).status_code == 404
    assert not VisitPreference.objects.exists()
    east = reverse("visits:customer_after_warranty", args=[tree.east_customer.pk])
    assert client.post(east, {"wanted": "1"}).status_code == 302
    assert VisitPreference.objects.get().customer == tree.east_customer


def test_the_product_list_counts_the_purchases_of_the_readers_units_customers(tree, client_as):
    from manyi.testing import make_product, make_purchase

    product = make_product(code="P-1", name="空调")
    for customer in (tree.east_customer, tree.south_customer, tree.south_customer, tree.company_customer):
        make_purchase(customer, product)
    for user, count in ((tree.eva, "1"), (tree.sid, "2"), (tree.gus, "4")):
        html = client_as(user).get(reverse("customers:products")).content.decode()
        row = html[html.index("P-1") :]
        counted = re.findall(r'<td class="text-end">([^<]*)</td>', row)[1]
        assert counted == count, (user, counted)


def test_the_visits_still_to_come_are_counted_over_the_readers_units_customers(tree, client_as):
    from manyi.customers.choices import Lifecycle
    from manyi.visits.choices import RuleKind
    from manyi.visits.models import VisitRule
    from manyi.visits.planner import add_months

    # A monthly rule visits each active customer once a month; two months ahead is beyond the
    # planner's window, so every active customer's visit is still to come: the east's 3, the
    # south's 3 and the company's 1 (every owner in the same team).
    for n in range(2):
        make_customer(code=f"C-E-{n}", unit=tree.garden)
        make_customer(code=f"C-S-{n}", unit=tree.river)
    Customer.objects.update(lifecycle=Lifecycle.ACTIVE, owner=tree.gus)
    VisitRule.objects.create(name="月度例行回访", kind=RuleKind.MONTHLY, purpose="例行回访")
    month = add_months(timezone.localdate().replace(day=1), 2)
    url = reverse("visits:plans_coming") + f"?month={month:%Y-%m}"
    for user, count in ((tree.eva, 3), (tree.sid, 3), (tree.gus, 7)):
        coming = client_as(user).get(url).context["coming"]
        assert [(name, visits) for name, visits, _joined, _first in coming] == [("月度例行回访", count)], user


def test_a_regions_improvement_on_a_group_survey_tells_the_regions_respondents_only(
    tree, people, group_campaign
):
    import datetime

    from manyi.improvements import notify, workflow
    from manyi.improvements.choices import Source
    from manyi.improvements.models import ImprovementAction

    improvement = workflow.raise_improvement(
        by=tree.eva,
        title="缩短售后响应时间",
        problem="客户反映售后响应慢。",
        measures="增设客服专线。",
        owner=tree.eva,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert improvement.unit == tree.east
    ImprovementAction.objects.filter(pk=improvement.pk).update(
        source=Source.SURVEY_ITEM, campaign=group_campaign
    )
    improvement.refresh_from_db()
    told = {recipient.customer.pk for recipient in notify.recipients(improvement)}
    assert told == {tree.east_customer.pk, Customer.objects.get(code="C-E2").pk}
    ImprovementAction.objects.filter(pk=improvement.pk).update(unit=tree.group)
    improvement.refresh_from_db()
    assert len(notify.recipients(improvement)) == 3


def test_a_ticket_cannot_be_closed_as_a_duplicate_of_another_regions_ticket(tree, people, client_as):
    from manyi.tickets import workflow
    from manyi.tickets.choices import Channel as TicketChannel
    from manyi.tickets.choices import TicketState

    def ticket_for(customer):
        return workflow.open_ticket(
            by=people.alice,
            channel=TicketChannel.PHONE,
            subject="设备漏油",
            description="设备漏油",
            customer=customer,
        )

    east, east_again, south = (
        ticket_for(tree.east_customer),
        ticket_for(tree.east_customer),
        ticket_for(tree.south_customer),
    )
    client = client_as(tree.eva)
    url = reverse("tickets:transition", args=[east.pk, "close_duplicate"])
    client.post(url, {"original": south.reference})
    east.refresh_from_db()
    assert east.state != TicketState.DUPLICATE and east.duplicate_of is None
    client.post(url, {"original": east_again.reference})
    east.refresh_from_db()
    assert east.state == TicketState.DUPLICATE and east.duplicate_of == east_again


def test_a_regions_visit_plan_offers_only_the_surveys_the_region_sees(tree):
    from manyi.visits.forms import PlanForm

    south = make_campaign(
        make_questionnaire(), name="华南专项调查", unit=tree.south, state=CampaignState.RUNNING
    )
    group = make_campaign(
        make_questionnaire(), name="集团年度调查", unit=tree.group, state=CampaignState.RUNNING
    )
    east = make_campaign(
        make_questionnaire(), name="华东回访调查", unit=tree.east, state=CampaignState.RUNNING
    )
    assert set(PlanForm(user=tree.eva).fields["campaign"].queryset) == {group, east}
    assert set(PlanForm(user=tree.gus).fields["campaign"].queryset) == {group, east, south}
    form = PlanForm(data={"customer_code": "C-E", "campaign": south.pk}, user=tree.eva)
    form.is_valid()
    assert "campaign" in form.errors


def test_a_scheduled_report_of_the_whole_campaign_is_not_mailed_to_a_region(tree, survey, smtp_server):  # noqa: F811
    from datetime import date

    from manyi.reports.choices import Frequency
    from manyi.reports.delivery import send_due_reports
    from manyi.reports.models import ReportSchedule

    survey.unit = tree.group
    survey.save()
    analysts = []
    for name, unit in (("eve", tree.east), ("gil", tree.group)):
        analysts.append(make_user(name, Role.ANALYST, unit=unit, email=f"{name}@example.com"))
    schedule = ReportSchedule.objects.create(
        campaign=survey, frequency=Frequency.MONTHLY, next_run=date(2026, 12, 1)
    )
    schedule.recipients.set(analysts)
    assert send_due_reports(today=date(2026, 12, 1)) == (1, 1)
    assert [recipients for _sender, recipients, _message in smtp_server.messages] == [["gil@example.com"]]


def test_a_regions_supervisor_is_mailed_only_their_regions_escalated_tickets(tree, people, smtp_server):
    from datetime import timedelta

    from manyi.tickets import workflow
    from manyi.tickets.choices import Channel as TicketChannel
    from manyi.tickets.escalation import escalate_breaches
    from manyi.tickets.models import Ticket

    for user in (tree.eva, tree.sid, tree.gus):
        user.email = f"{user.username}@example.com"
        user.save()
    received = timezone.now() - timedelta(days=3)
    tickets = {}
    for name, customer in (("east", tree.east_customer), ("south", tree.south_customer), ("company", None)):
        ticket = workflow.open_ticket(
            by=None,
            channel=TicketChannel.PHONE,
            subject="设备漏油",
            description="设备漏油",
            customer=customer,
        )
        Ticket.objects.filter(pk=ticket.pk).update(
            department=people.service, received_at=received, response_due=received + timedelta(hours=1)
        )
        tickets[name] = ticket.reference
    escalate_breaches()
    mails = {
        tuple(rcpt): message.get_body(preferencelist=("plain",)).get_content()
        for _sender, rcpt, message in smtp_server.messages
    }
    told = {
        address: {name for name, reference in tickets.items() if reference in body}
        for (address,), body in mails.items()
    }
    assert told == {
        "eva@example.com": {"east"},
        "sid@example.com": {"south"},
        "gus@example.com": {"east", "south", "company"},
    }


def test_a_regions_campaign_form_counts_the_target_list_among_its_own_customers(tree):
    from manyi.campaigns.forms import CampaignForm
    from manyi.campaigns.tests.test_views import form_data

    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire)
    for n in range(3):
        make_customer(code=f"C-S-{n}", unit=tree.river)  # the south has 4 customers, the east 1

    def refusal(user, unit, size):
        data = form_data(questionnaire, sampling_method="simple", sample_size=str(size), unit=unit.pk)
        form = CampaignForm(data=data, user=user)
        form.is_valid()
        found = re.findall(r"\d+", " ".join(form.errors.get("sample_size", [])))
        return int(found[0]) if found else None  # the target list's size the refusal names

    # The east's sample of 2 is larger than its 1 customer; the south's 4 are not counted in.
    assert refusal(tree.eva, tree.east, 2) == 1
    assert refusal(tree.sid, tree.south, 4) is None
    assert refusal(tree.gus, tree.group, 7) == 5  # the group's subtree: not the customer of no unit


def test_a_regions_ticket_cannot_be_assigned_to_another_regions_handler(tree, people, client_as):
    from manyi.tickets import workflow
    from manyi.tickets.choices import Channel as TicketChannel
    from manyi.tickets.models import Ticket

    south_handler = make_user("shen", Role.HANDLER, department=people.quality, unit=tree.south)
    east_handler = make_user("eric", Role.HANDLER, department=people.quality, unit=tree.east)
    east = workflow.open_ticket(
        by=people.alice,
        channel=TicketChannel.PHONE,
        subject="设备漏油",
        description="设备漏油",
        customer=tree.east_customer,
    )
    workflow.acknowledge(east, people.alice)  # assigned from then on
    client = client_as(tree.eva)
    page = client.get(reverse("tickets:detail", args=[east.pk])).content.decode()
    select = page[page.index('name="assignee"') :]
    offered = set(re.findall(r'<option value="(\d+)"', select[: select.index("</select>")]))
    assert str(east_handler.pk) in offered and str(south_handler.pk) not in offered
    url = reverse("tickets:transition", args=[east.pk, "assign"])
    client.post(url, {"department": people.quality.pk, "assignee": south_handler.pk})
    east.refresh_from_db()
    assert east.assignee is None
    assert not Ticket.objects.for_user(south_handler).filter(pk=east.pk).exists()
    client.post(url, {"department": people.quality.pk, "assignee": east_handler.pk})
    east.refresh_from_db()
    assert east.assignee == east_handler


def test_a_regions_improvement_cannot_be_given_to_another_regions_owner(tree, people):
    import datetime

    from manyi.improvements import workflow
    from manyi.improvements.models import ImprovementAction
    from manyi.improvements.workflow import ImprovementError

    south_handler = make_user("shen", Role.HANDLER, department=people.quality, unit=tree.south)
    east_handler = make_user("eric", Role.HANDLER, department=people.quality, unit=tree.east)

    def raise_one(by, owner):
        return workflow.raise_improvement(
            by=by,
            title="缩短售后响应时间",
            problem="客户反映售后响应慢。",
            measures="增设客服专线。",
            owner=owner,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
        )

    with pytest.raises(ImprovementError):
        raise_one(tree.eva, south_handler)
    assert not ImprovementAction.objects.exists()
    east = raise_one(tree.eva, east_handler)
    with pytest.raises(ImprovementError):
        workflow.update_improvement(east, tree.eva, {"owner": south_handler})
    east.refresh_from_db()
    assert east.owner == east_handler
    assert not ImprovementAction.objects.for_user(south_handler).exists()
    # The group's improvement concerns every region: a region's handler may carry it out.
    assert raise_one(tree.gus, south_handler).owner == south_handler


def test_a_regions_ticket_action_cannot_be_given_to_another_regions_owner(tree, people):
    import datetime

    from manyi.tickets import workflow
    from manyi.tickets.choices import Channel as TicketChannel
    from manyi.tickets.models import Ticket, TicketError

    south_handler = make_user("shen", Role.HANDLER, department=people.quality, unit=tree.south)
    east_handler = make_user("eric", Role.HANDLER, department=people.quality, unit=tree.east)
    ticket = workflow.open_ticket(
        by=people.alice,
        channel=TicketChannel.PHONE,
        subject="设备漏油",
        description="设备漏油",
        customer=tree.east_customer,
    )
    workflow.acknowledge(ticket, people.alice)
    workflow.assign(ticket, people.alice, people.quality, east_handler)
    workflow.start_investigation(ticket, east_handler)
    due = timezone.localdate() + datetime.timedelta(days=7)
    with pytest.raises(TicketError):
        workflow.add_action(ticket, tree.eva, description="更换密封圈", owner=south_handler, deadline=due)
    assert not Ticket.objects.for_user(south_handler).filter(pk=ticket.pk).exists()
    action = workflow.add_action(ticket, tree.eva, description="更换密封圈", owner=east_handler, deadline=due)
    assert action.owner == east_handler


def test_a_region_reads_a_group_campaign_without_its_quotas_or_its_buttons(tree, client_as):
    """The group's quotas count every region's answers and the group runs the campaign: a
    region's page of it has neither (its own counts are on it: test_unit_figures)."""
    from manyi.campaigns.models import Quota

    group = make_campaign(make_questionnaire(), unit=tree.group, state=CampaignState.RUNNING)
    Quota.objects.create(campaign=group, name="贵宾配额", stratum="customer_type", value="vip", limit=50)
    url = reverse("campaigns:detail", args=[group.pk])
    region = client_as(tree.eva).get(url).content.decode()
    assert "贵宾配额" not in region and 'id="quotas"' not in region
    assert reverse("campaigns:edit", args=[group.pk]) not in region and 'id="close"' not in region
    own = client_as(tree.gus).get(url).content.decode()
    assert "贵宾配额" in own and 'id="close"' in own
