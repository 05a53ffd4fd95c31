"""The structure analysis page (结构分析): who may see it, what it shows on demo-like answers,
what it says on a small sample, and what it does with bad input."""

import json
import re

import pytest
from django.urls import reverse

from manyi.results.tests.conftest import fresh_datasets  # noqa: F401
from manyi.results.tests.test_structure import make_survey, simulated_points

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]


@pytest.fixture
def campaign():
    points, groups = simulated_points()
    return make_survey(points, groups, text={"Q6": "维修<script>alert(1)</script>质量"})


def page(client, campaign, **query):
    return client.get(reverse("dashboards:structure", args=[campaign.pk]), query)


def test_only_roles_that_see_the_dashboard_see_the_structure(client_as, people, campaign):
    for person in (people.alice, people.sam, people.ana):
        assert page(client_as(person), campaign).status_code == 200
    for person in (people.amy, people.hank):
        assert page(client_as(person), campaign).status_code == 403
    anonymous = page(client_as(None), campaign)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_dashboard_links_to_it(client_as, people, campaign):
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[campaign.pk])).content.decode()
    assert reverse("dashboards:structure", args=[campaign.pk]) in html and 'id="structure-link"' in html


def test_it_shows_adequacy_the_scree_loadings_reliability_and_segments(client_as, people, campaign):
    response = page(client_as(people.ana), campaign)
    html = response.content.decode()
    figures = response.context["analysis"]
    assert f'data-value="{figures["factor"]["kmo"]}"' in html
    assert 'id="chart-scree"' in html and 'id="structure-data"' in html
    data = json.loads(re.search(r'id="structure-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["eigenvalues"] == [e["value"] for e in figures["factor"]["eigenvalues"]]
    assert len(data["random"]) == 6
    assert html.count("data-loading=") == 6 * len(figures["factor"]["factors"])
    assert "table-warning" in html  # loadings of 0.4 or more
    assert "产品质量" in html and 'id="reliability"' in html
    assert html.count("data-size=") == figures["segments"]["k"]
    assert "空调A" in html and "华东" in html
    # Item texts are escaped wherever shown, also inside the chart's data.
    assert "<script>alert(1)</script>" not in html and "维修&lt;script&gt;" in html


def test_the_analysts_choices_change_the_figures(client_as, people, campaign):
    client = client_as(people.ana)
    promax = page(client, campaign, method="paf", rotation="promax", factors="2", clusters="3")
    assert promax.status_code == 200
    analysis = promax.context["analysis"]
    assert analysis["options"].rotation == "promax" and analysis["factor"]["phi"] is not None
    assert len(analysis["factor"]["factors"]) == 2 and analysis["segments"]["k"] == 3
    assert 'id="phi"' in promax.content.decode()


def test_a_small_sample_says_why_instead_of_figures(client_as, people, campaign, settings):
    settings.ANALYSIS_MIN_RESPONSES = 500
    html = page(client_as(people.ana), campaign).content.decode()
    assert 'id="structure-problem"' in html and "500" in html
    assert 'id="chart-scree"' not in html and 'id="loadings"' not in html


@pytest.mark.parametrize(
    "query",
    [{"rotation": "oblimin"}, {"factors": "99"}, {"clusters": "1"}, {"method": "<b>"}, {"date_from": "x"}],
)
def test_bad_choices_are_refused_with_a_message(client_as, people, campaign, query):
    response = page(client_as(people.ana), campaign, **query)
    html = response.content.decode()
    assert response.status_code == 400 and 'id="structure-errors"' in html
    assert response.context["analysis"] is None and "<b>" not in html.split('id="structure-errors"')[1][:500]
