"""Cross tabs: counts and the chi-square test against scipy on the same answers."""

import re

import numpy as np
import pytest
from django.urls import reverse
from scipy.stats import chi2_contingency

from manyi.dashboards.tests.test_dashboard import ANSWERS, fresh_datasets, hand_index, survey  # noqa: F401

pytestmark = pytest.mark.django_db


def test_region_by_grade_counts_and_test_equal_scipy(client_as, people, survey):  # noqa: F811
    response = client_as(people.ana).get(
        reverse("dashboards:crosstab", args=[survey.pk]), {"rows": "region", "columns": "Q1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    regions = sorted({region for region, *_rest in ANSWERS})
    points = sorted({p[0] for _r, p, _n in ANSWERS}, reverse=False)
    observed = np.array(
        [[sum(1 for r, p, _n in ANSWERS if r == region and p[0] == q) for q in points] for region in regions]
    )
    counts = [int(c) for c in re.findall(r'data-count="(\d+)"', html)]
    assert sorted(counts) == sorted(observed.ravel().tolist())
    expected_p = chi2_contingency(observed, correction=False).pvalue if observed.shape != (2, 2) else None
    shown = float(re.search(r'id="p-value">([^<]+)<', html).group(1))
    assert shown == pytest.approx(expected_p, abs=5e-5)
    assert 'id="low-expected"' in html  # 8 answers: expected counts are tiny


@pytest.mark.parametrize(
    "query", [{"rows": "region", "columns": "region"}, {"rows": "nonsense", "columns": "Q1"}]
)
def test_bad_variables_get_a_message(client_as, people, survey, query):  # noqa: F811
    response = client_as(people.ana).get(reverse("dashboards:crosstab", args=[survey.pk]), query)
    assert response.status_code == 400 and 'class="alert alert-danger"' in response.content.decode()


def test_agents_cannot_open_cross_tabs(client_as, people, survey):  # noqa: F811
    assert client_as(people.amy).get(reverse("dashboards:crosstab", args=[survey.pk])).status_code == 403
