"""A unit's share of a group campaign, counted in one place (Invitation/Response.objects.of_unit):
the unit's and its subtree's customers, never another region's or the whole company's."""

from django.utils import timezone

from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Invitation, Response
from manyi.campaigns.workflow import campaign_counts
from manyi.testing import make_campaign, make_customer, make_invitation, make_questionnaire, make_response


def test_a_units_counts_are_of_its_subtrees_customers(tree):
    campaign = make_campaign(make_questionnaire())
    east_project = tree.east_customer  # in 翠湖花园, below 华东
    east_office = make_customer(name="华东本部客户", code="C-E0", unit=tree.east)
    now = timezone.now()
    for customer, answered in (
        (east_project, True),
        (east_office, False),
        (tree.south_customer, True),
        (tree.company_customer, True),
    ):
        invitation = make_invitation(campaign, customer)
        if answered:
            make_response(
                campaign.questionnaire,
                campaign,
                invitation=invitation,
                customer=customer,
                status=ResponseStatus.COMPLETED,
                completed_at=now,
            )

    east = Invitation.objects.filter(campaign=campaign).of_unit(tree.east)
    assert set(east.values_list("customer", flat=True)) == {east_project.pk, east_office.pk}
    assert set(Response.objects.of_unit(tree.garden).values_list("customer", flat=True)) == {east_project.pk}
    assert Invitation.objects.of_unit(None).count() == 4

    counts = campaign_counts(campaign, unit=tree.east)
    assert (counts["issued"], counts["returned"], counts["response_rate"]) == (2, 1, 50.0)
    whole = campaign_counts(campaign)
    assert (whole["issued"], whole["returned"]) == (4, 3)
