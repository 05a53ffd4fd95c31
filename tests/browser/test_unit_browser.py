"""Organisation units in a real browser: a regional supervisor sees only their region on the
customer list and the dashboard; the group compares its regions."""

import statistics

import pytest

from manyi.customers.models import Customer
from manyi.dashboards.tests.test_dashboard import ANSWERS, fresh_datasets, hand_index, survey  # noqa: F401
from manyi.organisation.tests.conftest import tree  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_regional_supervisor_sees_only_their_region(page, login, tree, survey, screenshot):  # noqa: F811
    Customer.objects.filter(region="华东").update(unit=tree.garden)
    Customer.objects.filter(region="华北").update(unit=tree.river)
    login(tree.eva)
    page.goto(page.base_url + "/customers/")
    table = page.inner_text("#customer-table")
    assert "华东客户" in table and "华南客户" not in table and "总部客户" not in table
    east = Customer.objects.filter(unit__in=[tree.east, tree.garden]).count()
    assert page.locator("#customer-table tbody tr").count() == east
    screenshot("units-customer-list-region")

    page.goto(page.base_url + f"/dashboards/campaigns/{survey.pk}/")
    expected = [hand_index(points) for region, points, _nps in ANSWERS if region == "华东"]
    assert page.inner_text("#index") == f"{statistics.mean(expected):.1f}"
    assert page.inner_text("#responses") == str(len(expected))
    page.wait_for_selector("#chart-dimensions svg")
    # Their unit filter offers their region and its project only.
    options = page.locator("select[name=unit] option").all_inner_texts()
    assert any("华东区域公司" in o for o in options) and not any("华南" in o for o in options)
    screenshot("units-dashboard-region")


def test_the_group_compares_its_regions(page, login, tree, survey, screenshot):  # noqa: F811
    Customer.objects.filter(region="华东").update(unit=tree.garden)
    Customer.objects.filter(region="华北").update(unit=tree.river)
    login(tree.gus)
    page.goto(page.base_url + f"/dashboards/campaigns/{survey.pk}/")
    page.wait_for_selector("#unit-comparison")
    rows = page.locator("#unit-comparison tbody tr")
    assert rows.count() == 2
    page.locator("#unit-comparison").scroll_into_view_if_needed()
    screenshot("units-dashboard-group-comparison")
    page.select_option("select[name=unit]", str(tree.south.pk))
    south = [hand_index(points) for region, points, _nps in ANSWERS if region == "华北"]
    page.wait_for_function(
        "expected => document.querySelector('#index').textContent.trim() === expected",
        arg=f"{statistics.mean(south):.1f}",
    )
    assert "unit=" in page.url
