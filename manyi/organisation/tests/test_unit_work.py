"""Tickets, visits and improvement actions follow the unit rule; the unit tree's pages."""

import pytest
from django.urls import reverse

from manyi.organisation.models import Unit
from manyi.tickets import workflow
from manyi.tickets.choices import Channel
from manyi.tickets.models import Ticket
from manyi.visits.access import VisitScope
from manyi.visits.tests.factories import make_task

pytestmark = pytest.mark.django_db


def ticket_for(customer, by, **kwargs):
    return workflow.open_ticket(
        by=by, channel=Channel.PHONE, subject="设备漏油", description="设备漏油", customer=customer, **kwargs
    )


def test_a_ticket_belongs_to_its_customers_unit_and_a_region_sees_only_its_own(tree, people):
    east = ticket_for(tree.east_customer, people.alice)
    south = ticket_for(tree.south_customer, people.alice)
    nobody = ticket_for(None, people.alice)
    assert (east.unit, south.unit, nobody.unit) == (tree.garden, tree.river, None)
    assert list(Ticket.objects.for_user(tree.eva)) == [east]
    assert set(Ticket.objects.for_user(tree.gus)) == {east, south, nobody}


def test_an_inspections_ticket_takes_the_inspected_unit(tree, people):
    finding = ticket_for(None, people.alice, unit=tree.garden)
    assert finding.unit == tree.garden
    assert list(Ticket.objects.for_user(tree.sid)) == []


def test_naming_the_customer_later_moves_the_ticket_to_their_unit(tree, people):
    ticket = ticket_for(None, people.alice)
    workflow.update_contact(ticket, people.alice, customer=tree.south_customer)
    ticket.refresh_from_db()
    assert ticket.unit == tree.river


def test_another_regions_ticket_is_not_found(tree, people, client_as):
    south = ticket_for(tree.south_customer, people.alice)
    client = client_as(tree.eva)
    assert client.get(reverse("tickets:detail", args=[south.pk])).status_code == 404
    assert south.reference not in client.get(reverse("tickets:list")).content.decode()
    assert client_as(tree.sid).get(reverse("tickets:detail", args=[south.pk])).status_code == 200


def test_a_regions_supervisor_sees_and_assigns_only_their_regions_visits(tree, people):
    east = make_task(tree.east_customer)
    south = make_task(tree.south_customer)
    scope = VisitScope(tree.eva)
    assert list(scope.tasks()) == [east]
    assert list(scope.pool()) == [east]
    assert not scope.allows(south)
    assert set(VisitScope(tree.gus).tasks()) == {east, south}
    # They assign to their region's staff only (eva herself here), not the group's.
    assert list(scope.assignable_agents()) == [tree.eva]


def test_another_regions_visit_is_not_found(tree, client_as):
    south = make_task(tree.south_customer)
    assert client_as(tree.eva).get(reverse("visits:task", args=[south.pk])).status_code == 404


def test_administrators_add_move_and_deactivate_units(tree, people, client_as):
    client = client_as(people.alice)
    assert "华东区域公司" in client.get(reverse("operations:units")).content.decode()
    client.post(
        reverse("operations:unit_create"),
        {"name": "西湖店", "code": "E2", "kind": "store", "parent": tree.east.pk, "is_active": "on"},
    )
    store = Unit.objects.get(code="E2")
    assert store.path == f"{tree.east.path}{store.pk}/"
    # Moving the east region under the south moves its projects too.
    edit = {"name": "华东区域公司", "code": "E", "kind": "region", "parent": tree.south.pk, "is_active": "on"}
    assert client.post(reverse("operations:unit_edit", args=[tree.east.pk]), edit).status_code == 302
    tree.garden.refresh_from_db()
    assert tree.garden.path.startswith(tree.south.path)


def test_a_unit_cannot_go_under_itself_and_a_refusal_changes_nothing(tree, people, client_as):
    client = client_as(people.alice)
    edit = {
        "name": "华东区域公司",
        "code": "E",
        "kind": "region",
        "parent": tree.garden.pk,
        "is_active": "on",
    }
    response = client.post(reverse("operations:unit_edit", args=[tree.east.pk]), edit)
    assert response.status_code == 400
    tree.east.refresh_from_db()
    assert tree.east.parent == tree.group
    taken = {"name": "新单位", "code": "s", "kind": "project", "parent": tree.group.pk}
    assert client.post(reverse("operations:unit_create"), taken).status_code == 400
    assert not Unit.objects.filter(name="新单位").exists()
    # A unit with active units below it is not deactivated.
    off = {"name": "华东区域公司", "code": "E", "kind": "region", "parent": tree.group.pk}
    assert client.post(reverse("operations:unit_edit", args=[tree.east.pk]), off).status_code == 400
    tree.east.refresh_from_db()
    assert tree.east.is_active


@pytest.mark.parametrize("who", ["sam", "amy", "hank", "ana", "ivan"])
def test_only_administrators_edit_the_tree(tree, people, client_as, who):
    client = client_as(getattr(people, who))
    response = client.get(reverse("operations:units"))
    assert response.status_code in (302, 403)
    response = client.post(reverse("operations:unit_create"), {"name": "X", "code": "X", "kind": "site"})
    assert response.status_code in (302, 403)
    assert not Unit.objects.filter(code="X").exists()


def test_the_customer_import_places_customers_by_unit_code(tree, people):
    from manyi.customers.importing import CustomerImporter

    headers = ["客户编码", "客户名称", "单位"]
    importer = CustomerImporter(headers, ["code", "name", "unit"], user=tree.eva)
    importer.clean_row(2, ["N1", "新客户一", "e1"])  # a code in any case
    importer.clean_row(3, ["N2", "新客户二", ""])  # blank: the importer's own unit
    assert not importer.errors
    importer.commit()
    from manyi.customers.models import Customer

    assert Customer.objects.get(code="N1").unit == tree.garden
    assert Customer.objects.get(code="N2").unit == tree.east
    # Another region's unit, and another region's customer by its code, are refused.
    refused = CustomerImporter(headers, ["code", "name", "unit"], user=tree.eva, update_existing=True)
    refused.clean_row(2, ["N3", "新客户三", "S1"])
    refused.clean_row(3, ["C-S", "改名", ""])
    assert len(refused.errors) == 2


def test_a_region_cannot_record_feedback_for_another_regions_customer(tree, client_as):
    client = client_as(tree.eva)
    response = client.post(
        reverse("tickets:create"),
        {"channel": "phone", "customer_code": "C-S", "description": "设备漏油", "severity": "general"},
    )
    assert response.status_code in (200, 400)
    assert not Ticket.objects.exists()


def test_a_region_cannot_plan_a_visit_for_another_regions_customer(tree):
    from manyi.visits.forms import PlanForm

    form = PlanForm(data={"customer_code": "C-S"}, user=tree.eva)
    form.is_valid()
    assert "customer_code" in form.errors
    form = PlanForm(data={"customer_code": "C-E"}, user=tree.eva)
    form.is_valid()
    assert "customer_code" not in form.errors


def test_a_regions_ticket_statistics_count_its_own_tickets_only(tree, people, client_as):
    import io
    import re

    from openpyxl import load_workbook

    for _ in range(2):
        ticket_for(tree.east_customer, people.alice)
    ticket_for(tree.south_customer, people.alice)
    ticket_for(None, people.alice)  # the whole company's
    for user, count in ((tree.eva, 2), (tree.sid, 1), (tree.gus, 4)):
        client = client_as(user)
        page = client.get(reverse("ticket_stats:page")).content.decode()
        summary = re.search(r'<p class="text-muted" id="summary">([^<]*)</p>', page).group(1)
        assert f"共收到 {count} 个工单" in summary, (user, summary)
        workbook = load_workbook(
            io.BytesIO(b"".join(client.get(reverse("ticket_stats:export")).streaming_content))
        )
        first = workbook.worksheets[0]
        counted = [row[1] for row in first.iter_rows(min_row=2, values_only=True) if isinstance(row[1], int)]
        assert sum(counted) == count, (user, counted)
