"""The campaigns offered where a campaign is chosen follow the unit rule (organisation/access.py):
an evaluation indicator's campaigns and a visit rule's survey list a region's and the group's
campaigns, never another region's, and a posted id of another region's campaign is refused."""

import datetime

import pytest
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.campaigns.choices import CampaignState
from manyi.evaluation.models import EvaluationScheme, Indicator
from manyi.testing import make_campaign, make_questionnaire, make_user
from manyi.visits.models import VisitRule


@pytest.fixture
def campaigns(tree):
    questionnaire = make_questionnaire()
    return {
        unit: make_campaign(
            questionnaire, name=f"{unit}调查", unit=getattr(tree, unit), state=CampaignState.RUNNING
        )
        for unit in ("group", "east", "south")
    }


def offered(html, campaigns):
    """The units whose campaign the page names (as a choice: the pages name no campaign else)."""
    return {unit for unit, campaign in campaigns.items() if campaign.name in html}


def test_an_indicator_reads_only_campaigns_its_editor_sees(tree, campaigns, client_as):
    scheme = EvaluationScheme.objects.create(
        name="2026年度考评", period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31)
    )
    east_admin = make_user("ada", Role.ADMINISTRATOR, unit=tree.east)
    client = client_as(east_admin)
    page = client.get(reverse("evaluation:scheme", args=[scheme.pk])).content.decode()
    assert offered(page, campaigns) == {"group", "east"}
    url = reverse("evaluation:indicator_add", args=[scheme.pk])
    fields = {"kind": "survey_index", "weight": "50", "target": "80", "direction": "higher"}
    client.post(url, {**fields, "campaigns": [campaigns["south"].pk]})
    assert not Indicator.objects.exists()
    client.post(url, {**fields, "campaigns": [campaigns["east"].pk]})
    assert list(Indicator.objects.get().campaigns.all()) == [campaigns["east"]]
    # The group's administrator sees every campaign.
    page = client_as(make_user("gad", Role.ADMINISTRATOR, unit=tree.group)).get(
        reverse("evaluation:scheme", args=[scheme.pk])
    )
    assert offered(page.content.decode(), campaigns) == {"group", "east", "south"}


def test_a_visit_rule_asks_only_a_survey_its_editor_sees(tree, campaigns, client_as):
    client = client_as(tree.eva)
    url = reverse("visits:rule_new")
    assert offered(client.get(url).content.decode(), campaigns) == {"group", "east"}
    fields = {"name": "交付回访", "kind": "after_delivery", "days": "30", "purpose": "了解使用情况"}
    fields |= {"method": "phone_routine", "priority": "2", "catch_up_days": "7", "is_active": "on"}
    response = client.post(url, {**fields, "campaign": campaigns["south"].pk})
    assert response.status_code == 400 and not VisitRule.objects.exists()
    response = client.post(url, {**fields, "campaign": campaigns["east"].pk})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert VisitRule.objects.get().campaign == campaigns["east"]
