"""The people a user may see and pick (organisation.access.visible_people, issue 19): every list
of staff to choose from — an owner, an assignee, an inspector, a host, a filter by person — offers
a region's user their region's staff and the group's (and those of no unit), never another
region's; a form posted with another region's person is refused and changes nothing. A user of
the group (or of no unit) still picks from everyone."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.customers.models import Customer
from manyi.organisation import access
from manyi.testing import make_user

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def staff(tree, people):
    """Handlers and inspectors around the tree: eric (east), pete (east's project 翠湖花园),
    shen (south), gina (the group); ella an inspector of the east, sue of the south."""
    from types import SimpleNamespace

    def make(name, role, unit, last_name):
        return make_user(name, role, department=people.quality, unit=unit, last_name=last_name)

    return SimpleNamespace(
        eric=make("eric", Role.HANDLER, tree.east, "艾东"),
        pete=make("pete", Role.HANDLER, tree.garden, "裴园"),
        shen=make("shen", Role.HANDLER, tree.south, "沈南"),
        gina=make("gina", Role.HANDLER, tree.group, "季团"),
        ella=make("ella", Role.AGENT, tree.east, "叶东"),
        sue=make("sue", Role.AGENT, tree.south, "苏南"),
    )


def offered(html, name):
    """The ids the page's <select name=...> elements offer (all of them with that name)."""
    ids = set()
    for select in re.findall(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', html, re.DOTALL):
        ids |= {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}
    assert re.search(rf'<select[^>]*\bname="{name}"', html), f"no select named {name}"
    return ids


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def ids(*users):
    return {user.pk for user in users}


# ------------------------------------------------------------------------- the rule itself


def test_a_regions_user_sees_their_regions_the_groups_and_no_units_people_not_anothers(tree, people, staff):
    seen = set(access.visible_people(tree.eva))
    assert {tree.eva, staff.eric, staff.pete, staff.ella, tree.gus, staff.gina, people.sam} <= seen
    assert not seen & {tree.sid, staff.shen, staff.sue}
    assert people.ivan not in seen  # by default the active ones only
    south = set(access.visible_people(tree.sid))
    assert staff.shen in south and staff.gina in south and not south & {tree.eva, staff.eric, staff.pete}


def test_the_group_and_a_user_of_no_unit_see_everyone(tree, people, staff):
    active = set(type(tree.gus).objects.filter(is_active=True))
    assert set(access.visible_people(tree.gus)) == active
    assert set(access.visible_people(people.sam)) == active


def test_the_given_queryset_keeps_its_conditions_and_a_kept_person_stays(tree, people, staff):
    everyone = type(tree.eva).objects.all()
    handlers = everyone.filter(role=Role.HANDLER)
    assert set(access.visible_people(tree.eva, handlers)) == {staff.eric, staff.pete, staff.gina, people.hank}
    assert people.ivan in access.visible_people(tree.eva, everyone)  # former staff, when asked for
    kept = access.visible_people(tree.eva, handlers, keep=staff.shen.pk)
    assert staff.shen in kept and staff.sue not in kept  # kept, but still only among handlers
    assert staff.sue not in access.visible_people(tree.eva, handlers, keep=staff.sue)


# ------------------------------------------------------------------------- customers


def customer_form(customer, **changes):
    data = {
        "kind": customer.kind,
        "code": customer.code,
        "name": customer.name,
        "customer_type": customer.customer_type,
        "unit": customer.unit_id,
        "owner": "",
        "preferred_contact_method": "phone",
        "consent_to_contact": "on",
        "tag_names": "",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_the_customer_form_offers_and_accepts_only_the_people_the_region_sees(tree, staff, client_as):
    customer = tree.east_customer
    url = reverse("customers:edit", args=[customer.pk])
    client = client_as(tree.eva)
    html = page(client, url)
    owners = offered(html, "owner")
    assert ids(staff.eric, staff.pete, tree.gus, staff.gina) <= owners
    assert not owners & ids(tree.sid, staff.shen, staff.sue)
    assert "沈南" not in html
    refused = client.post(url, customer_form(customer, owner=staff.shen.pk))
    assert refused.status_code == 200 and "owner" in refused.context["form"].errors
    customer.refresh_from_db()
    assert customer.owner is None
    assert client.post(url, customer_form(customer, owner=staff.gina.pk)).status_code == 302
    customer.refresh_from_db()
    assert customer.owner == staff.gina
    # The group picks from everyone.
    assert ids(tree.sid, staff.shen, staff.eric) <= offered(page(client_as(tree.gus), url), "owner")


def test_a_customer_owned_by_another_regions_person_still_saves_unchanged(tree, staff, client_as):
    customer = tree.east_customer
    Customer.objects.filter(pk=customer.pk).update(owner=staff.shen)  # given by the group
    url = reverse("customers:edit", args=[customer.pk])
    client = client_as(tree.eva)
    owners = offered(page(client, url), "owner")
    assert staff.shen.pk in owners and staff.sue.pk not in owners
    response = client.post(url, customer_form(customer, owner=staff.shen.pk, name="华东客户(改)"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.owner) == ("华东客户(改)", staff.shen)


def test_the_customer_lists_owner_filter_names_no_other_regions_staff(tree, staff, client_as):
    client = client_as(tree.eva)
    url = reverse("customers:list")
    owners = offered(page(client, url), "owner")
    assert ids(tree.eva, staff.eric, tree.gus) <= owners
    assert not owners & ids(tree.sid, staff.shen)
    response = client.get(url, {"owner": staff.shen.pk})
    assert "owner" in response.context["form"].errors
    assert ids(tree.sid, staff.shen) <= offered(page(client_as(tree.gus), url), "owner")


def test_the_campaign_forms_owner_filter_names_no_other_regions_staff(tree, staff, client_as):
    url = reverse("campaigns:create")
    owners = offered(page(client_as(tree.eva), url), "target_owner")
    assert ids(staff.eric, tree.gus) <= owners and not owners & ids(tree.sid, staff.shen)
    assert staff.shen.pk in offered(page(client_as(tree.gus), url), "target_owner")


# ------------------------------------------------------------------------- tickets


@pytest.fixture
def east_ticket(tree, people):
    from manyi.tickets import workflow
    from manyi.tickets.choices import Channel

    ticket = workflow.open_ticket(
        by=people.alice,
        channel=Channel.PHONE,
        subject="设备漏油",
        description="设备漏油",
        customer=tree.east_customer,
    )
    workflow.acknowledge(ticket, people.alice)
    return ticket


def test_the_ticket_assign_forms_offer_and_accept_only_the_regions_and_the_groups_staff(
    tree, people, staff, east_ticket, client_as
):
    client = client_as(tree.eva)
    detail = page(client, reverse("tickets:detail", args=[east_ticket.pk]))
    workers = offered(detail, "assignee")
    assert ids(staff.eric, staff.pete, staff.gina, people.hank) <= workers
    assert not workers & ids(staff.shen, tree.sid)
    queue = page(client, reverse("tickets:list"))
    workers = offered(queue, "assignee")  # the queue's assign-the-selected form
    assert ids(staff.eric, staff.gina) <= workers and not workers & ids(staff.shen, tree.sid)
    assert "沈南" not in queue
    events = east_ticket.events.count()
    client.post(
        reverse("tickets:transition", args=[east_ticket.pk, "assign"]),
        {"department": people.quality.pk, "assignee": staff.shen.pk},
    )
    client.post(
        reverse("tickets:bulk_assign"),
        {"tickets": [east_ticket.pk], "department": people.quality.pk, "assignee": staff.shen.pk},
    )
    east_ticket.refresh_from_db()
    assert east_ticket.assignee is None and east_ticket.events.count() == events
    client.post(
        reverse("tickets:bulk_assign"),
        {"tickets": [east_ticket.pk], "department": people.quality.pk, "assignee": staff.gina.pk},
    )
    east_ticket.refresh_from_db()
    assert east_ticket.assignee == staff.gina
    assert staff.shen.pk in offered(page(client_as(tree.gus), reverse("tickets:list")), "assignee")


def test_the_ticket_action_form_offers_and_accepts_only_the_people_the_region_sees(
    tree, people, staff, east_ticket, client_as
):
    from manyi.tickets import workflow

    workflow.assign(east_ticket, people.alice, people.quality, staff.eric)
    workflow.start_investigation(east_ticket, staff.eric)
    client = client_as(tree.eva)
    owners = offered(page(client, reverse("tickets:detail", args=[east_ticket.pk])), "owner")
    assert ids(staff.eric, staff.pete, staff.gina) <= owners
    assert not owners & ids(staff.shen, tree.sid)
    action = {
        "kind": "corrective",
        "description": "更换密封圈",
        "owner": staff.shen.pk,
        "deadline": (timezone.localdate() + 7 * DAY).isoformat(),
    }
    refused = client.post(reverse("tickets:action_add", args=[east_ticket.pk]), action)
    assert refused.status_code == 400 and not east_ticket.actions.exists()
    client.post(reverse("tickets:action_add", args=[east_ticket.pk]), {**action, "owner": staff.pete.pk})
    assert east_ticket.actions.get().owner == staff.pete


# ------------------------------------------------------------------------- improvements


def improvement_form(owner, unit, **changes):
    return {
        "title": "缩短售后响应时间",
        "problem": "客户反映售后响应慢。",
        "source": "other",
        "tickets": "",
        "measures": "增设客服专线。",
        "owner": owner.pk,
        "deadline": (timezone.localdate() + 20 * DAY).isoformat(),
        "unit": unit.pk,
        **changes,
    }


def test_the_improvement_owner_is_picked_among_the_people_the_region_sees(tree, people, staff, client_as):
    from manyi.improvements.models import ImprovementAction

    client = client_as(tree.eva)
    url = reverse("improvements:create")
    owners = offered(page(client, url), "owner")
    assert ids(staff.eric, staff.pete, staff.gina, people.hank) <= owners
    assert not owners & ids(staff.shen, tree.sid)
    refused = client.post(url, improvement_form(staff.shen, tree.east))
    assert refused.status_code == 200 and "owner" in refused.context["form"].errors
    assert not ImprovementAction.objects.exists()
    assert client.post(url, improvement_form(staff.gina, tree.east)).status_code == 302
    assert ImprovementAction.objects.get().owner == staff.gina
    assert staff.shen.pk in offered(page(client_as(tree.gus), url), "owner")


def test_the_improvement_lists_owner_filter_names_no_other_regions_staff(tree, staff, client_as):
    from manyi.improvements import workflow

    for owner, unit in ((staff.eric, tree.east), (staff.shen, tree.south)):
        workflow.raise_improvement(
            by=tree.gus,
            title="缩短售后响应时间",
            problem="慢",
            measures="专线",
            owner=owner,
            deadline=timezone.localdate() + 30 * DAY,
            unit=unit,
        )
    url = reverse("improvements:list")
    owners = offered(page(client_as(tree.eva), url), "owner")
    assert owners == ids(staff.eric)
    response = client_as(tree.eva).get(url, {"owner": staff.shen.pk})
    assert "owner" in response.context["form"].errors
    assert offered(page(client_as(tree.gus), url), "owner") == ids(staff.eric, staff.shen)


def test_a_forums_improvement_owner_and_host_are_picked_among_the_people_the_region_sees(
    tree, people, staff, client_as
):
    from manyi.forums import workflow
    from manyi.improvements.models import ImprovementAction

    client = client_as(tree.eva)
    hosts = offered(page(client, reverse("forums:new")), "host")
    assert ids(tree.eva, staff.eric, tree.gus) <= hosts and not hosts & ids(tree.sid, staff.shen)
    forum = workflow.save_forum(
        by=tree.eva,
        unit=tree.east,
        held_on=timezone.localdate() - DAY,
        title="华东客户座谈会",
        place="会议室",
        host=tree.eva,
    )
    opinion = workflow.add_opinion(forum, by=tree.eva, text="配件价格偏高")
    url = reverse("forums:opinion_improvement", args=[forum.pk, opinion.pk])
    owners = offered(page(client, url), "owner")
    assert ids(staff.eric, staff.gina) <= owners and not owners & ids(staff.shen, tree.sid)
    data = {"title": "公布价格", "measures": "官网公布", "owner": staff.shen.pk}
    data["deadline"] = (timezone.localdate() + 30 * DAY).isoformat()
    assert client.post(url, data).status_code == 200
    assert not ImprovementAction.objects.exists()


# ------------------------------------------------------------------------- inspections, evaluation


def test_the_inspector_is_picked_among_the_people_the_region_sees(tree, staff, client_as):
    from manyi.inspections.models import Inspection
    from manyi.inspections.tests.factories import EXAMPLE_ITEMS, due, make_checklist

    template = make_checklist(EXAMPLE_ITEMS)
    client = client_as(tree.eva)
    url = reverse("inspections:plan")
    inspectors = offered(page(client, url), "inspector")
    assert staff.ella.pk in inspectors and staff.sue.pk not in inspectors
    plan = {
        "template": template.pk,
        "unit": tree.garden.pk,
        "inspector": staff.sue.pk,
        "due_on": due().isoformat(),
    }
    refused = client.post(url, plan)
    assert refused.status_code == 200 and "inspector" in refused.context["form"].errors
    assert not Inspection.objects.exists()
    assert client.post(url, {**plan, "inspector": staff.ella.pk}).status_code == 302
    assert Inspection.objects.get().inspector == staff.ella
    assert staff.sue.pk in offered(page(client_as(tree.gus), url), "inspector")


def test_the_re_inspector_is_picked_among_the_people_the_region_sees(
    tree, staff, client_as, settings, tmp_path
):
    from manyi.inspections import workflow
    from manyi.inspections.models import Inspection
    from manyi.inspections.tests.factories import EXAMPLE_ITEMS, due, make_checklist, photo_upload
    from manyi.inspections.tests.test_views import form_data, photo_field

    settings.INSPECTION_PHOTO_ROOT = tmp_path / "inspections"
    inspection = workflow.plan(
        by=tree.eva,
        template=make_checklist(EXAMPLE_ITEMS),
        unit=tree.garden,
        inspector=staff.ella,
        due_on=due(),
    )
    filled = {**form_data(inspection), photo_field(inspection): photo_upload()}
    client_as(staff.ella).post(reverse("inspections:form", args=[inspection.pk]), filled)
    client = client_as(tree.eva)
    client.post(reverse("inspections:review", args=[inspection.pk]), {"note": "请整改"})
    inspectors = offered(page(client, reverse("inspections:detail", args=[inspection.pk])), "inspector")
    assert staff.ella.pk in inspectors and staff.sue.pk not in inspectors
    url = reverse("inspections:follow_up", args=[inspection.pk])
    client.post(url, {"inspector": staff.sue.pk, "due_on": due().isoformat()})
    assert not Inspection.objects.filter(follow_up_of=inspection).exists()
    client.post(url, {"inspector": staff.ella.pk, "due_on": due().isoformat()})
    assert Inspection.objects.get(follow_up_of=inspection).inspector == staff.ella


def test_a_reward_names_only_people_the_region_sees(tree, staff, client_as):
    from manyi.evaluation.choices import SchemeStatus
    from manyi.evaluation.models import EvaluationResult, EvaluationScheme, RewardPenalty

    scheme = EvaluationScheme.objects.create(
        name="2025年度考评",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        status=SchemeStatus.PUBLISHED,
    )
    result = EvaluationResult.objects.create(scheme=scheme, unit=tree.garden)
    rita = make_user("rita", Role.ADMINISTRATOR, unit=tree.east)  # the east's administrator
    client = client_as(rita)
    html = page(client, reverse("evaluation:result", args=[result.pk]))
    for name in ("person", "approver"):
        chosen = offered(html, name)
        assert ids(staff.eric, tree.gus) <= chosen and not chosen & ids(staff.shen, tree.sid)
    reward = {"kind": "commendation", "reason": "响应及时", "approver": rita.pk, "approved_on": "2026-01-15"}
    client.post(reverse("evaluation:reward_add", args=[result.pk]), {**reward, "person": staff.shen.pk})
    assert not RewardPenalty.objects.exists()
    client.post(reverse("evaluation:reward_add", args=[result.pk]), {**reward, "person": staff.pete.pk})
    assert RewardPenalty.objects.get().person == staff.pete
