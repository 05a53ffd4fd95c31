"""Issuing invitations, starting, closing and reopening a campaign, and its counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from manyi.campaigns import workflow
from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus, ResponseStatus, SamplingMethod
from manyi.campaigns.models import CampaignEvent, Invitation
from manyi.testing import (
    make_campaign,
    make_contact,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
    make_response,
)


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def questionnaire(db):
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire)
    return questionnaire


@pytest.fixture
def campaign(questionnaire):
    return make_campaign(questionnaire, channels=[Channel.EMAIL, Channel.PHONE])


def test_invitations_go_by_email_when_there_is_an_address_else_by_the_other_channel(campaign):
    with_email = make_customer(email="wang@example.com")
    contact_only = make_customer()
    contact = make_contact(contact_only, name="李经理", email="li@example.com", is_primary=True)
    phone_only = make_customer(phone="13812345678")
    assert workflow.issue_invitations(campaign) == 3
    by_customer = {i.customer_id: i for i in campaign.invitations.all()}
    assert (by_customer[with_email.pk].channel, by_customer[with_email.pk].email) == (
        "email",
        "wang@example.com",
    )
    assert (by_customer[contact_only.pk].channel, by_customer[contact_only.pk].email) == (
        "email",
        "li@example.com",
    )
    assert by_customer[contact_only.pk].contact == contact
    assert (by_customer[phone_only.pk].channel, by_customer[phone_only.pk].email) == ("phone", "")


def test_issuing_twice_never_duplicates_an_invitation(campaign):
    for _ in range(5):
        make_customer()
    workflow.issue_invitations(campaign)
    tokens = set(campaign.invitations.values_list("token", flat=True))
    assert workflow.issue_invitations(campaign) == 0
    assert set(campaign.invitations.values_list("token", flat=True)) == tokens
    assert Invitation.objects.count() == 5


def test_the_same_seed_gives_the_same_invitations(questionnaire):
    for _ in range(40):
        make_customer()
    design = {"sampling_method": SamplingMethod.SYSTEMATIC, "sample_size": 9, "sampling_seed": 42}
    one = make_campaign(questionnaire, channels=[Channel.WEB], **design)
    two = make_campaign(questionnaire, channels=[Channel.WEB], **design)
    workflow.issue_invitations(one)
    workflow.issue_invitations(two)
    customers = set(one.invitations.values_list("customer_id", flat=True))
    assert len(customers) == 9
    assert customers == set(two.invitations.values_list("customer_id", flat=True))


def test_starting_issues_invitations_sets_the_deadline_and_records_who_started_it(campaign, people):
    make_customer(email="a@example.com")
    workflow.start(campaign, by=people.sam)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RUNNING
    assert campaign.deadline - campaign.invite_at == timedelta(days=7)
    assert campaign.invitations.count() == 1
    event = CampaignEvent.objects.get(campaign=campaign)
    assert (event.by, event.from_state, event.to_state) == (people.sam, "draft", "running")


def test_starting_calls_the_sending_hook_once(campaign, people, monkeypatch):
    started = []
    monkeypatch.setattr(workflow, "on_started", started.append)
    workflow.start(campaign, by=people.sam)
    assert [c.pk for c in started] == [campaign.pk]


def test_a_campaign_without_questions_or_channels_does_not_start_and_nothing_changes(people):
    empty = make_campaign(make_questionnaire(), channels=[])
    make_customer()
    with pytest.raises(workflow.CampaignError) as refused:
        workflow.start(empty, by=people.sam)
    assert "no questions" in str(refused.value)
    assert "at least one channel" in str(refused.value)
    empty.refresh_from_db()
    assert empty.state == CampaignState.DRAFT
    assert not empty.invitations.exists()
    assert not empty.events.exists()


def test_a_deadline_in_the_past_stops_the_start(campaign, people):
    campaign.deadline = timezone.now() - timedelta(hours=1)
    campaign.save()
    with pytest.raises(workflow.CampaignError, match="future"):
        workflow.start(campaign, by=people.sam)


def test_close_and_reopen_are_recorded_with_the_reason(campaign, people):
    workflow.start(campaign, by=people.sam)
    workflow.close(campaign, by=people.alice, note="目标已达成")
    new_deadline = timezone.now() + timedelta(days=3)
    workflow.reopen(campaign, by=people.sam, deadline=new_deadline, note="补充回访")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RUNNING
    assert campaign.deadline == new_deadline
    history = list(campaign.events.values_list("from_state", "to_state", "note", "by__username"))
    assert history[1:] == [
        ("running", "closed", "目标已达成", "alice"),
        ("closed", "running", "补充回访", "sam"),
    ]


def test_illegal_transitions_are_refused_and_not_recorded(campaign, people):
    with pytest.raises(workflow.CampaignError, match="cannot be changed"):
        workflow.close(campaign, by=people.sam)
    with pytest.raises(workflow.CampaignError, match="cannot be changed"):
        workflow.reopen(campaign, by=people.sam, deadline=timezone.now() + timedelta(days=1))
    workflow.start(campaign, by=people.sam)
    with pytest.raises(workflow.CampaignError, match="cannot be changed"):
        workflow.start(campaign, by=people.sam)
    assert campaign.events.count() == 1


def test_reopening_needs_a_deadline_in_the_future(campaign, people):
    workflow.start(campaign, by=people.sam)
    workflow.close(campaign, by=people.sam)
    with pytest.raises(workflow.CampaignError, match="future"):
        workflow.reopen(campaign, by=people.sam, deadline=timezone.now() - timedelta(days=1))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED


def test_counts_and_rates_against_a_hand_built_campaign(questionnaire, django_assert_num_queries):
    campaign = make_campaign(questionnaire, channels=[Channel.EMAIL], target_response_rate=70)
    statuses = ["completed"] * 6 + ["opened", "started", "sent", "issued"]
    invitations = [
        Invitation.objects.create(campaign=campaign, customer=make_customer(), status=status)
        for status in statuses
    ]
    for n, invitation in enumerate(invitations[:6]):
        make_response(
            questionnaire, campaign, invitation=invitation, status=ResponseStatus.COMPLETED, valid=n < 5
        )
    make_response(questionnaire, campaign, invitation=invitations[7], status=ResponseStatus.IN_PROGRESS)
    # Answers nobody was invited to give: counted apart, never in the response rate.
    for channel, valid in ((Channel.ANONYMOUS, True), (Channel.ANONYMOUS, False), (Channel.VISIT, True)):
        make_response(questionnaire, campaign, channel=channel, status=ResponseStatus.COMPLETED, valid=valid)
    with django_assert_num_queries(3):
        counts = workflow.campaign_counts(campaign)
    assert (counts["issued"], counts["sent"], counts["opened"], counts["started"]) == (10, 9, 8, 7)
    assert (counts["returned"], counts["returned_valid"]) == (6, 5)
    assert (counts["completed"], counts["valid"]) == (9, 7)  # every answer the analysis reads
    assert [(row["channel"], row["completed"], row["valid"]) for row in counts["uninvited"]] == [
        ("anonymous", 2, 1),
        ("visit", 1, 1),
    ]
    assert counts["response_rate"] == 60.0  # 6 / 10, not 9 / 10
    assert counts["valid_rate"] == 83.3  # 5 / 6
    assert counts["progress"] == 85.7  # 60 / 70


def test_the_caiguan_report_counts_45_issued_28_returned_62_percent(questionnaire, client_as, people):
    """彩管 report (seed 000): "共发放问卷45份,实际收回28份,反馈率为62%,有效率为100%". The 28 come back
    by e-mail link, phone and paper; three more answers through the anonymous link do not
    raise the 反馈率."""
    from manyi.campaigns.answering import AnswerForm, save_response

    campaign = make_campaign(questionnaire, channels=[Channel.EMAIL, Channel.PHONE, Channel.ANONYMOUS])
    invitations = [make_invitation(campaign) for _ in range(45)]
    question = questionnaire.questions.get()
    data = {f"q-{question.pk}": str(question.options.order_by("position").first().pk)}

    def answer(**where):
        form = AnswerForm(questionnaire, data=data)
        assert form.is_valid(), form.errors
        save_response(campaign=campaign, questionnaire=questionnaire, cleaned_data=form.cleaned_data, **where)

    channels = [Channel.EMAIL] * 20 + [Channel.PHONE] * 5 + [Channel.PAPER] * 3
    for invitation, channel in zip(invitations, channels, strict=False):
        answer(channel=channel, invitation=invitation)
    for _ in range(3):
        answer(channel=Channel.ANONYMOUS)

    counts = workflow.campaign_counts(campaign)
    assert (counts["issued"], counts["returned"], counts["returned_valid"]) == (45, 28, 28)
    assert round(counts["response_rate"]) == 62  # 28 / 45 = 62.2%
    assert counts["valid_rate"] == 100.0
    assert counts["uninvited_completed"] == 3
    page = client_as(people.sam).get(f"/campaigns/{campaign.pk}/counts/").content.decode()
    assert 'id="count-returned">28<' in page and "62.2%" in page and 'id="count-uninvited"' in page


def test_counts_of_a_campaign_without_invitations_have_no_rates(campaign):
    counts = workflow.campaign_counts(campaign)
    assert counts["issued"] == 0
    assert counts["response_rate"] is None
    assert counts["valid_rate"] is None
    assert counts["progress"] is None


def test_invitation_statuses_count_as_the_furthest_step_reached(campaign):
    Invitation.objects.create(campaign=campaign, customer=make_customer(), status=InvitationStatus.FAILED)
    counts = workflow.campaign_counts(campaign)
    assert (counts["issued"], counts["sent"], counts["failed"]) == (1, 0, 1)


def test_a_campaign_that_asks_each_contact_invites_every_person_once(questionnaire):
    """彩管 report (seed 000): the questionnaires went to the key people of each customer
    (采购专员、工艺或技术人员), 45 for 9 customers. Under the per-contact voice rule each contact
    gets their own invitation at their own address; a customer without contacts gets one."""
    from manyi.campaigns.choices import VoiceRule

    campaign = make_campaign(questionnaire, channels=[Channel.EMAIL, Channel.PHONE], voice=VoiceRule.CONTACT)
    company = make_customer(email="office@example.com")
    buyer = make_contact(company, name="采购专员", email="buyer@example.com", is_primary=True)
    engineer = make_contact(company, name="工艺工程师")  # no address of their own
    alone = make_customer(phone="13812345678")
    assert workflow.issue_invitations(campaign) == 3
    by_contact = {i.contact_id: i for i in campaign.invitations.all()}
    assert (by_contact[buyer.pk].email, by_contact[buyer.pk].channel) == ("buyer@example.com", "email")
    assert by_contact[engineer.pk].email == "office@example.com"  # the company's, for want of theirs
    assert by_contact[None].customer == alone
    # A contact added later is invited on the next run; nobody twice.
    make_contact(company, name="质量经理", email="qa@example.com")
    assert workflow.issue_invitations(campaign) == 1
    assert workflow.issue_invitations(campaign) == 0
    assert campaign.invitations.count() == 4


def test_the_database_refuses_a_second_invitation_to_the_same_person(campaign):
    from django.db import IntegrityError, transaction

    customer = make_customer()
    contact = make_contact(customer, name="张三")
    Invitation.objects.create(campaign=campaign, customer=customer, contact=contact)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(campaign=campaign, customer=customer, contact=contact)
    Invitation.objects.create(campaign=campaign, customer=make_customer())
    other = Invitation.objects.last().customer
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(campaign=campaign, customer=other)
