"""The dashboard's topic panel in a real browser (issue 18): the chart drawn after the panel is
swapped in (under the strict CSP), the table beside it, and a click through to the answers."""

import pytest

from manyi.results.tests.conftest import fresh_datasets  # noqa: F401
from manyi.results.tests.test_topics import ANSWERS, questionnaire, wave  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_reads_the_topics_and_opens_the_complaints_behind_one(
    page,
    login,
    people,
    screenshot,
    questionnaire,  # noqa: F811
    fresh_datasets,  # noqa: F811
):
    campaign = wave(questionnaire, "2026", ANSWERS)
    login(people.sam)
    page.goto(page.base_url + f"/dashboards/campaigns/{campaign.pk}/")
    page.wait_for_selector("#topic-table")
    page.wait_for_selector("#chart-topics svg")  # drawn by topics.js after the htmx swap
    row = page.locator('#topic-table tr[data-topic="delivery"]')
    assert row.locator("td[data-problems]").inner_text() == "3"
    assert "物流配送" in page.inner_text("#chart-topics")
    page.locator("#topics").scroll_into_view_if_needed()
    screenshot("topics-panel")

    row.locator("td[data-problems] a").click()
    page.wait_for_selector("#topic-answers")
    listed = page.inner_text("#topic-answers")
    assert "东西不错，就是物流太慢了" in listed and "快递太慢了" in listed
    assert "价格太贵了" not in listed
    assert page.locator("#topic-answers tbody tr").count() == 3
    screenshot("topic-answers")
