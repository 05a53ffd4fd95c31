"""The dashboard in a real browser: charts drawn, filters updating the page in place."""

import pytest

from manyi.dashboards.tests.test_dashboard import ANSWERS, fresh_datasets, hand_index, survey  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_analyst_filters_the_dashboard_and_opens_the_model(page, login, people, screenshot, survey):  # noqa: F811
    login(people.ana)
    page.goto(page.base_url + f"/dashboards/campaigns/{survey.pk}/")
    all_indices = [hand_index(points) for _region, points, _nps in ANSWERS]
    assert page.inner_text("#index") == f"{sum(all_indices) / len(all_indices):.1f}"
    # ECharts drew the dimension bars and the importance chart (SVG renderer).
    page.wait_for_selector("#chart-dimensions svg")
    page.wait_for_selector("#chart-importance svg")
    page.wait_for_selector("#keywords")
    screenshot("dashboard")

    page.select_option("select[name=region]", "华北")
    north = [hand_index(points) for region, points, _nps in ANSWERS if region == "华北"]
    page.wait_for_function(
        "expected => document.querySelector('#index').textContent.trim() === expected",
        arg=f"{sum(north) / len(north):.1f}",
    )
    assert "region=" in page.url  # the filter is in the address, so the view can be shared
    assert page.inner_text("#responses") == str(len(north))
    page.wait_for_selector("#chart-dimensions svg")  # charts redrawn after the swap
    screenshot("dashboard-filtered")

    page.click("#model-link")
    page.wait_for_selector("#model-form")
    screenshot("satisfaction-model")
