"""The evaluation scorecard in a real browser: the group's customer department sees every unit
ranked with the arithmetic in a details row; a regional supervisor sees only their region."""

import pytest

from manyi.evaluation import publishing
from manyi.evaluation.tests.conftest import evaluation_data, scheme_2025  # noqa: F401
from manyi.organisation.tests.conftest import tree  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_scorecard_ranks_units_and_shows_the_arithmetic(
    page,
    login,
    people,
    scheme_2025,  # noqa: F811
    tree,  # noqa: F811
    screenshot,
):
    publishing.publish(scheme_2025, people.alice)
    login(tree.gus)
    page.goto(page.base_url + f"/evaluation/{scheme_2025.pk}/")
    rows = page.locator("#scorecard tbody.evaluation-unit")
    assert rows.count() == 4
    first_project = rows.nth(2).inner_text()
    assert "滨江府" in first_project and "1/2" in first_project
    details = rows.nth(3).locator("details")
    assert not details.locator("table").is_visible()
    details.locator("summary").click()
    assert details.locator("table").is_visible()
    assert "1 ÷ 4 × 100 = 25" in details.inner_text()
    screenshot("evaluation-scorecard-group")

    page.context.clear_cookies()
    login(tree.eva)
    page.goto(page.base_url + f"/evaluation/{scheme_2025.pk}/")
    text = page.inner_text("#scorecard")
    assert "翠湖花园" in text and "滨江府" not in text and "华南区域公司" not in text
    screenshot("evaluation-scorecard-region")
