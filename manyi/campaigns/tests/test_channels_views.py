"""What staff see of the channels: the campaign page's counts by channel and delivery status,
each invitation's channel and delivery in the list, and the invitation page with the personal
link and its QR code to copy into WeChat or show in person."""

import io

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState, Channel, DeliveryStatus, InvitationStatus
from manyi.campaigns.models import Invitation, OptOut
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire

SHARERS = ["alice", "sam", "amy"]  # see campaigns and customers' contact details
NOT_SHARERS = ["hank", "ana"]


@pytest.fixture
def campaign(db):
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire)
    return make_campaign(
        questionnaire,
        name="2026年第四季度",
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL, Channel.SMS],
    )


@pytest.fixture
def shared(campaign):
    customer = make_customer(name="宁波东方泵业", phone="13811110001", preferred_contact_method="wechat")
    return Invitation.objects.create(campaign=campaign, customer=customer, channel=Channel.WEB)


def invitations(campaign, channel, delivery, count, status=InvitationStatus.SENT):
    for _ in range(count):
        Invitation.objects.create(
            campaign=campaign,
            customer=make_customer(),
            channel=channel,
            delivery_status=delivery,
            status=status,
        )


@pytest.mark.parametrize("name", SHARERS)
def test_the_invitation_page_shows_the_personal_link_and_its_qr_code(people, client_as, shared, name):
    client = client_as(getattr(people, name))

    page = client.get(reverse("campaigns:invitation", args=[shared.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    link = f"http://127.0.0.1:8000/s/{shared.token}/"
    assert f'value="{link}"' in text
    assert 'data-copy="#personal-link"' in text and "js/copy_link.js" in text
    qr = client.get(reverse("campaigns:invitation_qr", args=[shared.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    assert qr["Cache-Control"] == "private, no-store"
    assert qr.content.startswith(b"\x89PNG")


def test_the_qr_code_holds_the_personal_link(people, client_as, shared):
    """Decoded from the image: the modules drawn are the link's QR code (segno, drawn again)."""
    import segno
    from PIL import Image

    qr = client_as(people.amy).get(reverse("campaigns:invitation_qr", args=[shared.pk]))
    image = Image.open(io.BytesIO(qr.content)).convert("1")
    expected = segno.make(f"http://127.0.0.1:8000/s/{shared.token}/", error="m", micro=False)
    out = io.BytesIO()
    expected.save(out, kind="png", scale=8, border=2)
    assert image.tobytes() == Image.open(out).convert("1").tobytes()


@pytest.mark.parametrize("name", NOT_SHARERS)
def test_roles_without_contact_details_get_no_personal_link(people, client_as, shared, name):
    client = client_as(getattr(people, name))

    assert client.get(reverse("campaigns:invitation", args=[shared.pk])).status_code == 403
    assert client.get(reverse("campaigns:invitation_qr", args=[shared.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, shared):
    response = client.get(reverse("campaigns:invitation_qr", args=[shared.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_link_of_a_customer_who_opted_out_is_not_offered(people, client_as, shared):
    OptOut.objects.create(customer=shared.customer)
    client = client_as(people.amy)

    page = client.get(reverse("campaigns:invitation", args=[shared.pk])).content.decode()

    assert shared.token not in page and 'id="share-refused"' in page
    assert client.get(reverse("campaigns:invitation_qr", args=[shared.pk])).status_code == 404


def test_the_short_link_of_an_sms_is_shown_too(people, client_as, shared):
    code = shared.give_short_code()
    page = client_as(people.amy).get(reverse("campaigns:invitation", args=[shared.pk])).content.decode()
    assert f"http://127.0.0.1:8000/s/{code}</code>" in page


def test_the_campaign_page_counts_invitations_by_channel_and_delivery(people, client_as, campaign):
    invitations(campaign, Channel.SMS, DeliveryStatus.DELIVERED, 3)
    invitations(campaign, Channel.SMS, DeliveryStatus.PENDING, 2)
    invitations(campaign, Channel.SMS, DeliveryStatus.FAILED, 1, status=InvitationStatus.FAILED)
    invitations(campaign, Channel.EMAIL, DeliveryStatus.ACCEPTED, 4)
    invitations(campaign, Channel.WEB, DeliveryStatus.NONE, 2, status=InvitationStatus.ISSUED)

    for url in (
        reverse("campaigns:detail", args=[campaign.pk]),
        reverse("campaigns:counts", args=[campaign.pk]),
    ):
        page = client_as(people.sam).get(url).content.decode()
        rows = _delivery_rows(page)
        assert rows["email"] == {
            "total": 4,
            "none": 0,
            "pending": 0,
            "accepted": 4,
            "delivered": 0,
            "failed": 0,
        }
        assert rows["sms"] == {
            "total": 6,
            "none": 0,
            "pending": 2,
            "accepted": 0,
            "delivered": 3,
            "failed": 1,
        }
        assert rows["web"] == {
            "total": 2,
            "none": 2,
            "pending": 0,
            "accepted": 0,
            "delivered": 0,
            "failed": 0,
        }


def _delivery_rows(page):
    import re

    table = page[page.index('id="delivery-counts"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for channel, cells in re.findall(r'<tr data-channel="(\w+)">(.*?)</tr>', table, re.S):
        rows[channel] = {
            name: int(value) for name, value in re.findall(r'<td class="(\w+)">(\d+)</td>', cells)
        }
    return rows


def test_the_invitation_list_shows_each_channel_and_delivery_with_a_link_for_sharers(
    people, client_as, campaign
):
    invitations(campaign, Channel.SMS, DeliveryStatus.DELIVERED, 1)
    invitation = Invitation.objects.get()

    page = client_as(people.amy).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "短信邀请" in page or "SMS invitation" in page
    assert reverse("campaigns:invitation", args=[invitation.pk]) in page

    page = client_as(people.ana).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert reverse("campaigns:invitation", args=[invitation.pk]) not in page


@pytest.mark.parametrize("name", SHARERS)
def test_staff_mark_a_link_they_sent_by_hand_as_sent_once(people, client_as, shared, name):
    client = client_as(getattr(people, name))
    url = reverse("campaigns:invitation_shared", args=[shared.pk])
    page = client.get(reverse("campaigns:invitation", args=[shared.pk])).content.decode()
    assert f'action="{url}"' in page

    response = client.post(url)

    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.status == InvitationStatus.SENT and shared.sent_at is not None
    sent_at = shared.sent_at
    client.post(url)
    shared.refresh_from_db()
    assert shared.sent_at == sent_at
    assert (
        f'action="{url}"'
        not in client.get(reverse("campaigns:invitation", args=[shared.pk])).content.decode()
    )


@pytest.mark.parametrize("name", NOT_SHARERS)
def test_roles_without_contact_details_cannot_mark_a_link_sent(people, client_as, shared, name):
    assert (
        client_as(getattr(people, name))
        .post(reverse("campaigns:invitation_shared", args=[shared.pk]))
        .status_code
        == 403
    )
    shared.refresh_from_db()
    assert shared.status == InvitationStatus.ISSUED


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_an_invitation_a_channel_sends_is_not_marked_by_hand(people, client_as, campaign, channel):
    invitation = Invitation.objects.create(campaign=campaign, customer=make_customer(), channel=channel)

    response = client_as(people.amy).post(
        reverse("campaigns:invitation_shared", args=[invitation.pk]), follow=True
    )

    assert "标记为已发送" in response.content.decode() or "marked as sent" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ISSUED and invitation.sent_at is None


def test_an_opted_out_customers_link_is_not_marked_sent(people, client_as, shared):
    OptOut.objects.create(customer=shared.customer)
    client_as(people.amy).post(reverse("campaigns:invitation_shared", args=[shared.pk]))
    shared.refresh_from_db()
    assert shared.status == InvitationStatus.ISSUED


def test_guessing_short_links_is_stopped_per_network(client, shared, settings):
    """A short code is 8 characters: a client that tries many unknown codes is refused (429) for
    a while, even for a code that exists, so the links cannot be found by trying; another
    network is not affected, and a customer's own clicks never count."""
    settings.PUBLIC_SUBMIT_RATE = "3/600"
    code = shared.give_short_code()
    assert [client.get(f"/s/{code}").status_code for _ in range(5)] == [302] * 5  # hits do not count

    misses = [client.get(f"/s/zzzzzzz{n}").status_code for n in range(2, 6)]

    assert misses == [404, 404, 404, 429]
    assert client.get(f"/s/{code}").status_code == 429
    assert client.get(f"/s/{code}", REMOTE_ADDR="10.0.0.9").status_code == 302
