"""Chasing non-responders by phone (电话催收, seed 000): the list agents call, and each call's
outcome recorded on the invitation."""

import pytest
from django.utils import timezone, translation

from manyi.campaigns import chasing
from manyi.campaigns.choices import CampaignState, Channel, ChaseOutcome, InvitationStatus
from manyi.campaigns.models import ChaseCall, OptOut
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def campaign():
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1")
    return make_campaign(
        questionnaire,
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL],
        deadline=timezone.now() + timezone.timedelta(days=5),
    )


@pytest.fixture
def invitations(campaign):
    """Six invitations: three not answered, one answered, one opted out, one whose customer
    withdrew consent."""
    made = {
        name: make_invitation(campaign, make_customer(name=name, code=code, phone=phone), status=status)
        for name, code, phone, status in [
            ("甲", "K1", "13800000001", InvitationStatus.SENT),
            ("乙", "K2", "13800000002", InvitationStatus.OPENED),
            ("丙", "K3", "", InvitationStatus.ISSUED),
            ("丁", "K4", "13800000004", InvitationStatus.COMPLETED),
            ("戊", "K5", "13800000005", InvitationStatus.SENT),
            ("己", "K6", "13800000006", InvitationStatus.SENT),
        ]
    }
    OptOut.objects.create(customer=made["戊"].customer)
    made["己"].customer.set_consent(False)
    made["己"].customer.save()
    return made


def test_the_list_holds_who_has_not_answered_and_may_be_contacted(campaign, invitations, people):
    assert [i.customer.name for i in chasing.non_responders(campaign)] == ["甲", "乙", "丙"]
    chasing.record_chase_call(invitations["甲"], by=people.amy, outcome=ChaseOutcome.NO_ANSWER)
    chasing.record_chase_call(invitations["甲"], by=people.amy, outcome=ChaseOutcome.WILL_ANSWER)
    listed = list(chasing.non_responders(campaign))
    # Those not called yet come first; 甲 was called twice, the last call counts.
    assert [(i.customer.name, i.calls, i.last_outcome) for i in listed] == [
        ("乙", 0, None),
        ("丙", 0, None),
        ("甲", 2, ChaseOutcome.WILL_ANSWER),
    ]


def test_the_page_lists_the_numbers_to_call_and_records_a_call(client_as, people, campaign, invitations):
    client = client_as(people.amy)
    page = client.get(f"/campaigns/{campaign.pk}/non-responders/").content.decode()
    assert "13800000001" in page and "13800000002" in page
    assert "13800000004" not in page and "13800000005" not in page and "13800000006" not in page

    response = client.post(
        f"/campaigns/invitations/{invitations['乙'].pk}/chase/",
        {"outcome": ChaseOutcome.REFUSED, "note": "<b>太忙</b>"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/non-responders/"
    call = ChaseCall.objects.get()
    assert (call.invitation, call.by, call.outcome, call.note) == (
        invitations["乙"],
        people.amy,
        ChaseOutcome.REFUSED,
        "<b>太忙</b>",
    )
    page = client.get(f"/campaigns/{campaign.pk}/non-responders/").content.decode()
    row = page[page.index(">乙</a>") :]
    last_call = row[row.index('class="last-call"') : row.index("</tr>")]
    with translation.override("zh-hans"):  # the page speaks the user's language
        assert str(ChaseOutcome.REFUSED.label) in last_call
    assert "&lt;b&gt;太忙&lt;/b&gt;" in last_call and "<b>太忙</b>" not in page


@pytest.mark.parametrize("outcome", ["", "angry", "x" * 50])
def test_a_call_without_a_known_outcome_records_nothing(client_as, people, campaign, invitations, outcome):
    response = client_as(people.amy).post(
        f"/campaigns/invitations/{invitations['甲'].pk}/chase/", {"outcome": outcome}
    )
    assert response.status_code == 302
    assert not ChaseCall.objects.exists()


@pytest.mark.parametrize("name", ["丁", "戊", "己"])
def test_no_call_is_recorded_for_who_answered_opted_out_or_withdrew_consent(people, invitations, name):
    with pytest.raises(chasing.ChaseError):
        chasing.record_chase_call(invitations[name], by=people.amy, outcome=ChaseOutcome.REACHED)
    assert not ChaseCall.objects.exists()


def test_no_call_is_recorded_once_the_campaign_is_closed(client_as, people, campaign, invitations):
    campaign.state = CampaignState.CLOSED
    campaign.save()
    client = client_as(people.amy)
    page = client.get(f"/campaigns/{campaign.pk}/non-responders/").content.decode()
    assert 'id="chase-refusal"' in page and "/chase/" not in page
    client.post(f"/campaigns/invitations/{invitations['甲'].pk}/chase/", {"outcome": ChaseOutcome.REACHED})
    assert not ChaseCall.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("sam", 200), ("amy", 200), ("hank", 403), ("ana", 403)]
)
def test_who_may_see_the_non_responders_and_record_calls(
    client_as, people, campaign, invitations, who, status
):
    client = client_as(getattr(people, who))
    assert client.get(f"/campaigns/{campaign.pk}/non-responders/").status_code == status
    response = client.post(
        f"/campaigns/invitations/{invitations['甲'].pk}/chase/", {"outcome": ChaseOutcome.REACHED}
    )
    assert response.status_code == (302 if status == 200 else 403)
    assert ChaseCall.objects.count() == (1 if status == 200 else 0)


def test_the_campaign_page_links_agents_to_the_non_responders(client_as, people, campaign):
    assert (
        'id="non-responders-link"' in client_as(people.amy).get(f"/campaigns/{campaign.pk}/").content.decode()
    )
    assert (
        'id="non-responders-link"'
        not in client_as(people.ana).get(f"/campaigns/{campaign.pk}/").content.decode()
    )
