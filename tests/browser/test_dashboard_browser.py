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


def test_a_series_shows_the_waves_and_this_wave_month_by_month(page, login, people, survey):  # noqa: F811
    from django.utils import timezone

    from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
    from manyi.testing import make_campaign, make_response

    year_ago = timezone.now() - timezone.timedelta(days=365)
    earlier = make_campaign(
        survey.questionnaire, state=CampaignState.CLOSED, channels=[Channel.EMAIL], series=survey.series,
        wave="2025", invite_at=year_ago,
    )  # fmt: skip
    for index in (70.0, 74.0, 78.0):
        make_response(
            survey.questionnaire, earlier, status=ResponseStatus.COMPLETED, completed_at=year_ago,
            valid=True, index=index, satisfied=index >= 70,
        )  # fmt: skip
    login(people.ana)
    page.goto(page.base_url + f"/dashboards/campaigns/{survey.pk}/")
    page.wait_for_selector("#chart-trend svg")
    page.wait_for_selector("#chart-trend-months svg")
    assert "2025" in page.inner_text("#chart-trend")
    # Beside the waves, this wave month by month (its answers all came in this month).
    assert timezone.localdate().strftime("%Y-%m") in page.inner_text("#chart-trend-months")
