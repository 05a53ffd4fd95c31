"""The staff pages of campaigns: who may see and change what, validation, and query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns import workflow
from manyi.campaigns.choices import CampaignState, Channel, SamplingMethod
from manyi.campaigns.models import Campaign, CampaignEvent, Invitation
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire

VIEWERS = ["alice", "sam", "amy", "ana"]
MANAGERS = ["alice", "sam"]
EVERYONE = ["alice", "sam", "amy", "hank", "ana"]


@pytest.fixture
def questionnaire(db):
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire)
    return questionnaire


@pytest.fixture
def campaign(questionnaire):
    return make_campaign(questionnaire, name="2026年第四季度", channels=[Channel.EMAIL, Channel.ANONYMOUS])


def form_data(questionnaire, **overrides):
    data = {
        "name": "年度满意度调查",
        "series": "年度调查",
        "wave": "2026",
        "questionnaire": questionnaire.pk,
        "purpose": "",
        "channels": ["email", "web"],
        "sampling_method": "all",
        "sample_size": "",
        "sampling_seed": "1",
        "stratify_by": "",
        "volume_share": "0.8",
        "invite_at": "",
        "deadline": "",
        "reminder_days_text": "3,5",
        "target_response_rate": "70",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("name", EVERYONE)
@pytest.mark.parametrize("page", ["list", "detail", "preview", "counts"])
def test_campaign_pages_are_for_roles_that_view_campaigns(people, client_as, campaign, name, page):
    url = reverse("campaigns:list") if page == "list" else reverse(f"campaigns:{page}", args=[campaign.pk])
    response = client_as(getattr(people, name)).get(url)
    assert response.status_code == (200 if name in VIEWERS else 403)


@pytest.mark.parametrize("name", EVERYONE)
@pytest.mark.parametrize("page", ["create", "edit"])
def test_the_campaign_form_is_for_administrators_and_supervisors(people, client_as, campaign, name, page):
    url = reverse("campaigns:create") if page == "create" else reverse("campaigns:edit", args=[campaign.pk])
    response = client_as(getattr(people, name)).get(url)
    assert response.status_code == (200 if name in MANAGERS else 403)


@pytest.mark.parametrize("name", ["amy", "hank", "ana"])
@pytest.mark.parametrize("action", ["start", "close", "reopen"])
def test_other_roles_cannot_change_a_campaigns_state(people, client_as, campaign, name, action):
    response = client_as(getattr(people, name)).post(reverse(f"campaigns:{action}", args=[campaign.pk]))
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


@pytest.mark.parametrize(
    "url", ["campaigns:list", "campaigns:create", "campaigns:detail", "campaigns:preview", "campaigns:edit"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, campaign, url):
    args = [] if url in ("campaigns:list", "campaigns:create") else [campaign.pk]
    response = client.get(reverse(url, args=args))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_anonymous_visitors_cannot_start_a_campaign(client, campaign):
    response = client.post(reverse("campaigns:start", args=[campaign.pk]))
    assert response.url.startswith("/accounts/login/")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


def test_starting_needs_a_post(people, client_as, campaign):
    assert client_as(people.sam).get(reverse("campaigns:start", args=[campaign.pk])).status_code == 405


# --------------------------------------------------------------------------- create, edit, validation


def test_a_supervisor_creates_a_campaign_and_sees_the_sample_preview(people, client_as, questionnaire):
    make_customer(customer_type="vip")
    make_customer(customer_type="normal")
    client = client_as(people.sam)
    response = client.post(
        reverse("campaigns:create"),
        form_data(questionnaire, target_customer_type="vip", reminder_days_text="2，4"),
    )
    campaign = Campaign.objects.get()
    assert response.url == reverse("campaigns:preview", args=[campaign.pk])
    assert campaign.target_filters == {"customer_type": "vip"}
    assert campaign.reminder_days == [2, 4]
    assert campaign.created_by == people.sam
    assert campaign.state == CampaignState.DRAFT
    preview = client.get(response.url)
    assert preview.context["preview"]["population"] == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"sampling_method": "simple"}, "sample_size"),
        ({"sampling_method": "stratified", "sample_size": "1"}, "stratify_by"),
        ({"sampling_method": "simple", "sample_size": "5"}, "sample_size"),  # only 2 customers
        ({"volume_share": "1.5"}, "volume_share"),
        ({"volume_share": "0"}, "volume_share"),
        ({"reminder_days_text": "3,-1"}, "reminder_days_text"),
        ({"reminder_days_text": "三"}, "reminder_days_text"),
        ({"invite_at": "2030-01-10T09:00", "deadline": "2030-01-09T09:00"}, "deadline"),
        ({"channels": []}, "channels"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_gets_a_message_and_creates_nothing(people, client_as, questionnaire, overrides, field):
    make_customer()
    make_customer()
    response = client_as(people.sam).post(reverse("campaigns:create"), form_data(questionnaire, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Campaign.objects.exists()


def test_an_old_questionnaire_version_cannot_be_chosen(people, client_as, questionnaire):
    newer = questionnaire.duplicate(new_version=True)
    response = client_as(people.sam).post(reverse("campaigns:create"), form_data(questionnaire))
    assert "questionnaire" in response.context["form"].errors
    assert client_as(people.sam).post(reverse("campaigns:create"), form_data(newer)).status_code == 302


def test_a_started_campaigns_sampling_can_no_longer_change(people, client_as, campaign):
    make_customer(email="a@example.com")
    workflow.start(campaign, by=people.sam)
    campaign.refresh_from_db()
    data = form_data(
        campaign.questionnaire,
        name=campaign.name,
        channels=campaign.channels,
        deadline=timezone.localtime(campaign.deadline).strftime("%Y-%m-%dT%H:%M"),
        sampling_method="simple",
        sample_size="1",
    )
    client = client_as(people.sam)
    edit_page = client.get(reverse("campaigns:edit", args=[campaign.pk])).content.decode()
    assert "目标名单和抽样设置不能再修改" in edit_page
    # The targeting fields are disabled: a posted change is ignored, the rest is saved.
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), {**data, "wave": "第二波"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.wave == "第二波"
    assert campaign.sampling_method == SamplingMethod.ALL
    assert campaign.sample_size is None


def test_a_started_campaigns_targets_can_still_change(people, client_as, campaign):
    """The response-rate and index targets are goals, not targeting: they stay editable."""
    make_customer(email="a@example.com")
    workflow.start(campaign, by=people.sam)
    campaign.refresh_from_db()
    data = form_data(
        campaign.questionnaire,
        name=campaign.name,
        channels=campaign.channels,
        deadline=timezone.localtime(campaign.deadline).strftime("%Y-%m-%dT%H:%M"),
        target_response_rate="60",
        target_index="85",
    )
    response = client_as(people.sam).post(reverse("campaigns:edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.target_response_rate, campaign.target_index) == (60, 85)


# --------------------------------------------------------------------------- state changes


def test_the_start_button_starts_the_campaign(people, client_as, campaign):
    make_customer(email="a@example.com")
    response = client_as(people.sam).post(reverse("campaigns:start", args=[campaign.pk]))
    assert response.url == campaign.get_absolute_url()
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RUNNING
    assert campaign.invitations.count() == 1


def test_a_campaign_that_cannot_start_says_why_and_stays_a_draft(people, client_as, questionnaire):
    campaign = make_campaign(make_questionnaire(), channels=[Channel.EMAIL])
    response = client_as(people.sam).post(reverse("campaigns:start", args=[campaign.pk]), follow=True)
    assert "该问卷还没有题目" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT
    assert not CampaignEvent.objects.exists()


def test_close_and_reopen_through_the_buttons(people, client_as, campaign):
    workflow.start(campaign, by=people.sam)
    client = client_as(people.alice)
    client.post(reverse("campaigns:close", args=[campaign.pk]), {"note": "提前结束"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED
    later = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("campaigns:reopen", args=[campaign.pk]), {"deadline": later, "note": "延期"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RUNNING
    assert list(campaign.events.values_list("note", flat=True))[1:] == ["提前结束", "延期"]


def test_reopening_with_a_past_deadline_is_refused(people, client_as, campaign):
    workflow.start(campaign, by=people.sam)
    workflow.close(campaign, by=people.sam)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(people.sam).post(
        reverse("campaigns:reopen", args=[campaign.pk]), {"deadline": past}, follow=True
    )
    assert "新的截止时间必须晚于当前时间" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED


# --------------------------------------------------------------------------- pages


def test_the_detail_page_polls_the_counts_and_shows_the_anonymous_link(people, client_as, campaign):
    page = client_as(people.amy).get(campaign.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 10s"' in page
    assert reverse("campaigns:counts", args=[campaign.pk]) in page
    assert f"/s/a/{campaign.public_token}/" in page


def test_phone_numbers_are_masked_for_roles_without_personal_data(people, client_as, campaign):
    customer = make_customer(phone="13812345678", email="a@example.com")
    Invitation.objects.create(campaign=campaign, customer=customer, email=customer.email)
    assert "13812345678" in client_as(people.amy).get(campaign.get_absolute_url()).content.decode()
    analyst_view = client_as(people.ana).get(campaign.get_absolute_url()).content.decode()
    assert "13812345678" not in analyst_view
    assert "138****5678" in analyst_view
    preview = client_as(people.ana).get(reverse("campaigns:preview", args=[campaign.pk])).content.decode()
    assert "138****5678" in preview


def test_the_detail_page_with_200_invitations_needs_few_queries(
    people, client_as, campaign, django_assert_max_num_queries
):
    workflow.start(campaign, by=people.sam)
    now = timezone.now()
    from manyi.customers.models import Customer

    customers = Customer.objects.bulk_create(
        [Customer(code=f"Q{n:04d}", name=f"客户{n}", created_at=now) for n in range(200)]
    )
    Invitation.objects.bulk_create([Invitation(campaign=campaign, customer=c) for c in customers])
    client = client_as(people.sam)
    with django_assert_max_num_queries(13):  # a fixed number: 12, and the campaign's quotas (issue 21)
        response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 200


def test_the_list_needs_the_same_few_queries_for_many_campaigns(
    people, client_as, questionnaire, django_assert_max_num_queries
):
    for n in range(30):
        make_campaign(questionnaire, name=f"调查{n}")
    client = client_as(people.sam)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("campaigns:list"))
    assert len(response.context["page"]) == 30


def test_the_counts_partial_shows_the_current_counts_for_htmx(people, client_as, campaign):
    Invitation.objects.create(campaign=campaign, customer=make_customer(), status="sent")
    response = client_as(people.ana).get(
        reverse("campaigns:counts", args=[campaign.pk]), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert '<div id="counts"' in page
    assert "<html" not in page
    assert response.context["counts"]["sent"] == 1


def test_editing_a_draft_shows_the_saved_target_filters(people, client_as, questionnaire):
    make_customer(customer_type="vip", region="华东")
    client = client_as(people.sam)
    client.post(
        reverse("campaigns:create"),
        form_data(questionnaire, target_customer_type="vip", target_region="华东"),
    )
    campaign = Campaign.objects.get()
    form = client.get(reverse("campaigns:edit", args=[campaign.pk])).context["form"]
    assert form["target_customer_type"].value() == "vip"
    assert form["target_region"].value() == "华东"
