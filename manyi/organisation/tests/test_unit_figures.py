"""Survey figures by organisation unit: a region's staff read their region's answers only, the
group compares its units; numbers checked against hand computations (seed 000's index rule)."""

import statistics

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState
from manyi.customers.models import Customer
from manyi.dashboards.tests.test_dashboard import ANSWERS, figure, hand_index, survey  # noqa: F401
from manyi.results.tests.conftest import fresh_datasets  # noqa: F401
from manyi.testing import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def units_survey(tree, survey):  # noqa: F811
    """The dashboard tests' survey, its 华东 respondents in the east's project, 华北 in the south's."""
    Customer.objects.filter(region="华东").update(unit=tree.garden)
    Customer.objects.filter(region="华北").update(unit=tree.river)
    return survey


def indices_of(region):
    return [hand_index(points) for where, points, _nps in ANSWERS if where == region]


def test_a_regions_staff_read_only_their_regions_answers_of_a_group_campaign(units_survey, tree, client_as):
    for user, region in ((tree.eva, "华东"), (tree.sid, "华北")):
        html = client_as(user).get(reverse("dashboards:campaign", args=[units_survey.pk])).content.decode()
        expected = indices_of(region)
        assert figure(html, "index") == f"{statistics.mean(expected):.1f}"
        assert figure(html, "responses") == str(len(expected))
        assert figure(html, "issued") == str(len(expected))  # 发放: their customers' invitations


def test_the_group_sees_every_answer_and_compares_its_regions(units_survey, tree, client_as):
    html = client_as(tree.gus).get(reverse("dashboards:campaign", args=[units_survey.pk])).content.decode()
    assert figure(html, "responses") == str(len(ANSWERS))
    table = html[html.index('id="unit-comparison"') :]
    for unit, region in ((tree.east, "华东"), (tree.south, "华北")):
        row = table[table.index(f'data-unit="{unit.code}"') :]
        row = row[: row.index("</tr>")]
        expected = indices_of(region)
        satisfied = sum(1 for x in expected if x >= 70)
        assert f">{len(expected)}<" in row
        assert f">{statistics.mean(expected):.1f}<" in row
        assert f">{100 * satisfied / len(expected):.1f}%<" in row
        assert "small sample" in row or "样本" in row  # 4 < ANALYSIS_MIN_RESPONSES


def test_the_unit_filter_keeps_a_units_subtree(units_survey, tree, client_as):
    url = reverse("dashboards:campaign", args=[units_survey.pk])
    html = client_as(tree.gus).get(url, {"unit": tree.east.pk}).content.decode()
    assert figure(html, "index") == f"{statistics.mean(indices_of('华东')):.1f}"
    # A region cannot choose another region: refused, and none of its figures are shown.
    html = client_as(tree.eva).get(url, {"unit": tree.south.pk}).content.decode()
    assert figure(html, "responses") == str(len(indices_of("华东")))


def test_another_regions_campaign_is_not_found(units_survey, tree, client_as):
    south_campaign = make_campaign(units_survey.questionnaire, unit=tree.south, state=CampaignState.RUNNING)
    client = client_as(tree.eva)
    assert south_campaign.name not in client.get(reverse("campaigns:list")).content.decode()
    for name in (
        "campaigns:detail",
        "campaigns:edit",
        "campaigns:counts",
        "dashboards:campaign",
        "dashboards:crosstab",
    ):
        assert client.get(reverse(name, args=[south_campaign.pk])).status_code == 404, name
    assert (
        client_as(tree.sid).get(reverse("dashboards:campaign", args=[south_campaign.pk])).status_code == 200
    )


def test_a_region_sees_but_does_not_run_the_groups_campaign(units_survey, tree, client_as):
    client = client_as(tree.eva)
    assert client.get(reverse("campaigns:detail", args=[units_survey.pk])).status_code == 200
    assert client.get(reverse("campaigns:edit", args=[units_survey.pk])).status_code == 404
    page = client.get(reverse("campaigns:detail", args=[units_survey.pk])).content.decode()
    assert "客户0" in page and "客户4" not in page  # invitations: only their region's customers


def test_a_regions_report_of_a_group_campaign_covers_its_region_only(units_survey, tree, client_as):
    from manyi.reports.models import Report
    from manyi.reports.rendering import figures_of

    client = client_as(tree.eva)
    response = client.post(reverse("reports:create", args=[units_survey.pk]), {"kind": "analysis"})
    report = Report.objects.get()
    assert response.status_code == 302 and report.unit == tree.east
    figures = figures_of(report)
    expected = indices_of("华东")
    assert figures["overall"]["valid"] == len(expected)
    assert figures["unit"]["name"] == "华东区域公司"
    # The technical and fieldwork parts count the region's invitations and answers only: one
    # invitation and one e-mail answer per 华东 respondent, no other region named.
    regions = {row["region"]: row for row in figures["technical"]["regions"]}
    assert set(regions) == {"华东"}
    assert (regions["华东"]["invited"], regions["华东"]["answered"]) == (len(expected), len(expected))
    assert regions["华东"]["answered_share"] == 100.0
    assert sum(row["count"] for row in figures["fieldwork"]["by_channel"]) == len(expected)
    assert sum(week["count"] for week in figures["fieldwork"]["weeks"]) == len(expected)
    # The other region neither reads it nor may report on the east.
    other = client_as(tree.sid)
    assert other.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    refused = other.post(
        reverse("reports:create", args=[units_survey.pk]), {"kind": "analysis", "unit": tree.east.pk}
    )
    assert refused.status_code == 400 and Report.objects.count() == 1
    assert client_as(tree.gus).get(reverse("reports:detail", args=[report.pk])).status_code == 200


def test_a_region_does_not_export_a_group_campaigns_answers(units_survey, tree, client_as):
    url = reverse("reports:export", args=[units_survey.pk])
    assert client_as(tree.eva).get(url, {"format": "csv"}).status_code == 404


def test_the_comparison_counts_a_parents_own_customers_on_a_row_of_their_own(units_survey, tree):
    from manyi.results.dataset import campaign_dataset
    from manyi.results.filters import Selection
    from manyi.results.unit_comparison import unit_comparison, units_to_compare

    # Two of the 华北 respondents belong to the group itself (集团直属), not to a region.
    north = Customer.objects.filter(region="华北").order_by("code")
    direct_codes = list(north.values_list("code", flat=True)[:2])
    Customer.objects.filter(code__in=direct_codes).update(unit=tree.group)
    dataset = campaign_dataset(units_survey)
    rows = unit_comparison(units_survey, dataset, Selection(), units_to_compare())
    assert [(row["unit"], row["direct"], row["n"]) for row in rows] == [
        (tree.east, False, 4),
        (tree.south, False, 2),
        (tree.group, True, 2),
    ]
    direct = [hand_index(points) for n, (_r, points, _nps) in enumerate(ANSWERS) if f"C{n}" in direct_codes]
    assert rows[2]["index"] == pytest.approx(statistics.mean(direct))


def _choices(html, name):
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return set(re.findall(r'<option value="([^"]*)"', select)) - {""}


def test_a_regions_filter_choices_name_only_what_its_own_answers_hold(units_survey, tree, client_as):
    url = reverse("dashboards:campaign", args=[units_survey.pk])
    group = client_as(tree.gus).get(url).content.decode()
    assert {"华东", "华北"} <= _choices(group, "region")
    east = client_as(tree.eva).get(url).content.decode()
    assert "华东" in _choices(east, "region") and "华北" not in _choices(east, "region")
    south = client_as(tree.sid).get(url).content.decode()
    assert "华北" in _choices(south, "region") and "华东" not in _choices(south, "region")


def test_a_regions_own_series_of_the_same_name_is_not_a_wave_of_the_groups(units_survey, tree):
    from manyi.campaigns.models import Campaign

    earlier_group = make_campaign(units_survey.questionnaire, series=units_survey.series)
    south_own = make_campaign(units_survey.questionnaire, series=units_survey.series, unit=tree.south)
    assert set(Campaign.objects.waves_of(units_survey)) == {units_survey, earlier_group}
    assert set(Campaign.objects.waves_of(south_own)) == {south_own}
