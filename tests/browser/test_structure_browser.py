"""The structure analysis page in a real browser: Chinese text, the scree plot drawn, and no
script refused by the page's Content-Security-Policy."""

import pytest

from manyi.results.tests.conftest import fresh_datasets  # noqa: F401
from manyi.results.tests.test_structure import make_survey, simulated_points

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_datasets")]


def test_an_analyst_opens_the_structure_page_from_the_dashboard(page, login, people, screenshot):
    points, groups = simulated_points()
    campaign = make_survey(points, groups)
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    login(people.ana)
    page.goto(page.base_url + f"/dashboards/campaigns/{campaign.pk}/")
    page.click("#structure-link")
    page.wait_for_selector("#chart-scree svg")
    # The scree plot: one point per item's eigenvalue, and the Kaiser line labelled.
    assert page.locator("#chart-scree svg path").count() > 3
    assert "特征值" in page.inner_text("#chart-scree")
    assert page.inner_text("h1").startswith("结构分析")
    assert "KMO" in page.inner_text("#adequacy")
    assert page.locator("#loadings td.table-warning").count() >= 6
    assert "产品质量" in page.inner_text("#reliability")
    assert page.locator("#segments [data-size]").count() == 2
    screenshot("structure-analysis")
    assert refused == []
