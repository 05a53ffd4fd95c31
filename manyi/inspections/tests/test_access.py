"""Who sees which inspections (access.InspectionScope), through the pages as well."""

import pytest
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.inspections import workflow
from manyi.inspections.access import InspectionScope
from manyi.testing import make_user

from .factories import EXAMPLE_ITEMS, due, make_checklist, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(people):
    """The group with two regions, a project each, and an inspection of each project."""
    group = make_unit("集团", kind="group")
    east, west = make_unit("华东区域公司", group, "region"), make_unit("华西区域公司", group, "region")
    east_project, west_project = make_unit("翠湖花园", east), make_unit("西岭雅苑", west)
    template = make_checklist(EXAMPLE_ITEMS)
    other_inspector = make_user("ian", Role.AGENT, department=people.service)
    plan = {"template": template, "due_on": due()}
    east_job = workflow.plan(by=people.sam, unit=east_project, inspector=people.amy, **plan)
    west_job = workflow.plan(by=people.sam, unit=west_project, inspector=other_inspector, **plan)
    return {
        "group": group,
        "east": east,
        "west": west,
        "east_job": east_job,
        "west_job": west_job,
        "ian": other_inspector,
    }


def test_an_inspector_sees_only_their_own_assignments(people, regions, client_as):
    scope = InspectionScope(people.amy)
    assert list(scope.inspections()) == [regions["east_job"]]
    assert list(scope.mine()) == [regions["east_job"]]
    client = client_as(people.amy)
    page = client.get(reverse("inspections:mine"))
    assert (
        page.status_code == 200
        and "翠湖花园" in page.content.decode()
        and "西岭雅苑" not in page.content.decode()
    )
    assert client.get(reverse("inspections:form", args=[regions["east_job"].pk])).status_code == 200
    assert client.get(reverse("inspections:form", args=[regions["west_job"].pk])).status_code == 404
    # Without inspections.view, the list of everyone's inspections is closed to them.
    assert client.get(reverse("inspections:list")).status_code == 403
    assert client.get(reverse("inspections:detail", args=[regions["west_job"].pk])).status_code == 403


def test_a_supervisor_who_is_also_an_inspector_fills_in_only_their_own(people, regions, client_as):
    client = client_as(people.sam)
    assert client.get(reverse("inspections:form", args=[regions["east_job"].pk])).status_code == 404
    assert client.get(reverse("inspections:detail", args=[regions["east_job"].pk])).status_code == 200


def test_a_regions_staff_never_see_another_regions_inspections(people, regions, client_as):
    people.sam.unit = regions["east"]
    people.sam.save()
    people.ana.unit = regions["east"]
    people.ana.save()
    for user in (people.sam, people.ana):
        scope = InspectionScope(user)
        assert list(scope.inspections()) == [regions["east_job"]]
        client = client_as(user)
        listing = client.get(reverse("inspections:list")).content.decode()
        assert "翠湖花园" in listing and "西岭雅苑" not in listing
        assert client.get(reverse("inspections:detail", args=[regions["west_job"].pk])).status_code == 404
        results = client.get(reverse("inspections:results")).content.decode()
        assert "西岭雅苑" not in results
    # Nor may the region's manager plan or review one of another region.
    assert not InspectionScope(people.sam).may_manage(regions["west_job"])
    assert not InspectionScope(people.sam).may_plan_for(regions["west"])
    with pytest.raises(workflow.InspectionError):
        workflow.cancel(regions["west_job"], by=people.sam, reason="不是本区域")


def test_the_groups_customer_department_sees_every_region(people, regions):
    people.ana.unit = regions["group"]
    people.ana.save()
    assert set(InspectionScope(people.ana).inspections()) == {regions["east_job"], regions["west_job"]}


def test_handlers_see_no_inspections(people, regions, client_as):
    assert not InspectionScope(people.hank).inspections().exists()
    client = client_as(people.hank)
    for name in (
        "inspections:list",
        "inspections:mine",
        "inspections:results",
        "inspections:findings",
        "inspections:templates",
    ):
        assert client.get(reverse(name)).status_code == 403, name
