"""Pages that read customers, campaigns and answers follow the unit rule (issue 19 point 1): a
region's staff see their region's rows and counts only, the group sees them all. One test per
page found counting or listing every region's rows (organisation/access.py decides the rule)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.campaigns.choices import CampaignState, ResponseStatus
from manyi.testing import (
    make_campaign,
    make_customer,
    make_invitation,
    make_questionnaire,
    make_response,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_campaign(tree):
    """A running campaign of the group: two of the east's customers and one of the south's
    invited, each of them answered (the east's two, the south's one)."""
    campaign = make_campaign(make_questionnaire(), unit=tree.group, state=CampaignState.RUNNING)
    east_two = make_customer(name="华东客户二", code="C-E2", unit=tree.garden)
    for customer in (tree.east_customer, east_two, tree.south_customer):
        invitation = make_invitation(campaign, customer)
        make_response(
            campaign.questionnaire,
            campaign,
            invitation=invitation,
            customer=customer,
            status=ResponseStatus.COMPLETED,
            completed_at=timezone.now(),
        )
    return campaign


def region_analyst(tree):
    return make_user("rana", Role.ANALYST, unit=tree.east, last_name="冉")


def test_the_home_page_counts_the_customers_of_the_readers_units(tree, client_as):
    for user, count in ((tree.eva, 1), (tree.sid, 1), (tree.gus, 3), (region_analyst(tree), 1)):
        html = client_as(user).get(reverse("home")).content.decode()
        total = re.search(r'id="total-customers">([^<]*)<', html).group(1)
        assert total == str(count), (user, total)


def test_the_home_pages_running_surveys_count_the_answers_of_the_readers_units(
    tree, group_campaign, client_as
):
    for user, shown in ((region_analyst(tree), "2 / 2"), (tree.sid, "1 / 1"), (tree.gus, "3 / 3")):
        html = client_as(user).get(reverse("home")).content.decode()
        table = html[html.index('id="home-campaigns-table"') :]
        row = table[table.index(group_campaign.name) :]
        answers = re.search(r'<td class="text-end">([^<]*)</td>', row).group(1)
        assert answers == shown, (user, answers)


def test_the_home_page_lists_no_other_regions_campaign(tree, client_as):
    south = make_campaign(
        make_questionnaire(), name="华南专项调查", unit=tree.south, state=CampaignState.RUNNING
    )
    assert south.name not in client_as(region_analyst(tree)).get(reverse("home")).content.decode()
    assert south.name in client_as(tree.gus).get(reverse("home")).content.decode()


def test_the_campaign_list_counts_the_invitations_and_answers_of_the_readers_units(
    tree, group_campaign, client_as
):
    for user, counts in ((tree.eva, ("2", "2")), (tree.sid, ("1", "1")), (tree.gus, ("3", "3"))):
        html = client_as(user).get(reverse("campaigns:list")).content.decode()
        row = html[html.index(group_campaign.name) :]
        cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)[:2]
        assert tuple(cells) == counts, (user, cells)


def test_a_campaigns_delivery_counts_are_of_the_readers_units(tree, group_campaign, client_as):
    for user, count in ((tree.eva, "2"), (tree.sid, "1"), (tree.gus, "3")):
        for name in ("campaigns:detail", "campaigns:counts"):
            html = client_as(user).get(reverse(name, args=[group_campaign.pk])).content.decode()
            table = html[html.index('id="delivery-counts"') :]
            total = re.search(r'<td class="total">([^<]*)</td>', table).group(1)
            assert total == count, (user, name, total)
