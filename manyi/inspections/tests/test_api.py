"""GET /api/inspections: the same rows as the pages, for a token of each role."""

import pytest

from manyi.accounts.choices import Role
from manyi.api.models import ApiToken
from manyi.inspections import workflow
from manyi.testing import make_user

from .factories import EXAMPLE_ITEMS, due, make_checklist, make_unit

pytestmark = pytest.mark.django_db


def get(client, user, **params):
    _row, key = ApiToken.issue(user, name="test")
    return client.get("/api/inspections", params, headers={"authorization": f"Bearer {key}"})


@pytest.fixture
def two_regions(people):
    group = make_unit("集团", kind="group")
    east, west = make_unit("华东区域公司", group, "region"), make_unit("华西区域公司", group, "region")
    template = make_checklist(EXAMPLE_ITEMS)
    jobs = {
        name: workflow.plan(
            by=people.sam,
            template=template,
            unit=make_unit(project, region),
            inspector=people.amy,
            due_on=due(),
        )
        for name, project, region in (("east", "翠湖花园", east), ("west", "西岭雅苑", west))
    }
    return east, jobs


def test_each_role_lists_the_inspections_its_capabilities_and_unit_allow(client, people, two_regions):
    east, jobs = two_regions
    assert get(client, people.amy).status_code == 403  # inspectors work on the phone form only
    assert get(client, people.hank).status_code == 403
    for user in (people.alice, people.sam, people.ana):
        answer = get(client, user).json()
        assert {row["id"] for row in answer["results"]} == {jobs["east"].pk, jobs["west"].pk}
    people.ana.unit = east
    people.ana.save()
    rows = get(client, people.ana).json()["results"]
    assert [row["unit_name"] for row in rows] == ["翠湖花园"]
    assert rows[0]["checklist_version"] == 1 and rows[0]["status"] == "planned" and rows[0]["score"] is None


def test_filters_and_bad_filters(client, people, two_regions):
    _east, jobs = two_regions
    answer = get(client, people.sam, unit=jobs["west"].unit.code).json()
    assert [row["id"] for row in answer["results"]] == [jobs["west"].pk]
    assert get(client, people.sam, status="submitted").json()["count"] == 0
    assert get(client, people.sam, status="nonsense").status_code == 422
    assert get(client, people.sam, page=0).status_code == 422
    assert get(client, make_user("ida", Role.AGENT, is_active=False)).status_code == 401
