"""Waves: "copy as next wave" and the recurrence the periodic job follows (REQUIREMENTS §3)."""

from datetime import datetime

import pytest
from django.utils import timezone

from manyi.campaigns import recurrence, tasks, workflow
from manyi.campaigns.choices import CampaignState, Channel, Recurrence, SamplingMethod
from manyi.campaigns.models import Campaign
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


def at(*parts):
    return timezone.make_aware(datetime(*parts))


@pytest.mark.parametrize(
    ("wave", "months", "expected"),
    [
        ("2026年", 12, "2027年"),
        ("2026年度", 12, "2027年度"),
        ("2026年第四季度", 3, "2027年第一季度"),
        ("2026年第二季度", 3, "2026年第三季度"),
        ("2026年第4季度", 3, "2027年第一季度"),
        ("2026年上半年", 6, "2026年下半年"),
        ("2026年下半年", 6, "2027年上半年"),
        ("2026年12月", 1, "2027年1月"),
        ("2026年3月", 1, "2026年4月"),
        ("2026年第四季度", 12, "2027年第四季度"),  # a yearly survey held each fourth quarter
        ("华东区2026年度回访", 12, "华东区2027年度回访"),
    ],
)
def test_a_wave_named_by_its_period_moves_on_by_the_step(wave, months, expected):
    assert recurrence.next_wave_label(wave, months) == expected


def test_a_wave_without_a_period_is_named_by_the_next_invitation_date():
    assert recurrence.next_wave_label("春季", 3, at(2027, 2, 10, 9)) == "2027年第一季度"
    assert recurrence.next_wave_label("", 12, at(2027, 2, 10, 9)) == "2027年"
    assert recurrence.next_wave_label("", 6, at(2027, 8, 1, 9)) == "2027年下半年"
    assert recurrence.next_wave_label("春季", None, at(2027, 2, 10, 9)) == ""


def test_months_are_added_to_the_last_day_of_short_months():
    assert recurrence.add_months(at(2026, 1, 31, 9), 1) == at(2026, 2, 28, 9)
    assert recurrence.add_months(at(2026, 11, 30, 18), 3) == at(2027, 2, 28, 18)
    assert recurrence.add_months(at(2026, 12, 15, 8, 30), 12) == at(2027, 12, 15, 8, 30)


@pytest.fixture
def closed_wave(people):
    questionnaire = make_questionnaire(title="季度满意度")
    make_question(questionnaire, code="Q1")
    campaign = make_campaign(
        questionnaire,
        name="2026年第四季度客户满意度调查",
        series="客户满意度",
        wave="2026年第四季度",
        channels=[Channel.EMAIL, Channel.PAPER],
        purpose="了解客户的想法",
        target_filters={"region": "华东"},
        sampling_method=SamplingMethod.SIMPLE,
        sample_size=2,
        sampling_seed=11,
        reminder_days=[3, 5],
        notice_days=4,
        target_response_rate=70,
        target_index=85,
        recurrence=Recurrence.QUARTERLY,
        state=CampaignState.CLOSED,
        invite_at=at(2026, 10, 8, 9),
        deadline=at(2026, 10, 15, 18),
        created_by=people.sam,
    )
    return campaign


def test_copy_as_next_wave_copies_the_rules_and_moves_name_and_dates_on(people, closed_wave):
    new_version = closed_wave.questionnaire.duplicate(new_version=True)

    wave = workflow.copy_as_next_wave(closed_wave, by=people.alice)

    assert wave.state == CampaignState.DRAFT
    assert wave.previous_wave == closed_wave
    assert wave.questionnaire == new_version  # the newest version of the same questionnaire
    assert (wave.name, wave.series, wave.wave) == (
        "2027年第一季度客户满意度调查",
        "客户满意度",
        "2027年第一季度",
    )
    assert (wave.invite_at, wave.deadline) == (at(2027, 1, 8, 9), at(2027, 1, 15, 18))
    for field in workflow.WAVE_COPIED_FIELDS:
        assert getattr(wave, field) == getattr(closed_wave, field), field
    assert wave.created_by == people.alice
    assert not wave.invitations.exists()
    with pytest.raises(workflow.CampaignError, match="already has its next wave"):
        workflow.copy_as_next_wave(closed_wave, by=people.alice)
    assert Campaign.objects.count() == 2


def test_a_campaign_without_a_series_gives_both_waves_its_name_as_series(people):
    campaign = make_campaign(make_questionnaire(), name="年度调查", wave="2026年", state=CampaignState.CLOSED)
    wave = workflow.copy_as_next_wave(campaign, by=people.sam)
    campaign.refresh_from_db()
    assert campaign.series == wave.series == "年度调查"
    assert (wave.name, wave.wave) == ("年度调查 2027年", "2027年")


def test_the_stored_recurrence_makes_the_next_wave_once_when_the_wave_closes(people):
    """Yearly, as seed 003's "营销部每年进行一次顾客满意度问卷调查": the job closes the wave at its
    deadline and prepares next year's as a draft, once however often it runs."""
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1")
    make_customer()
    campaign = make_campaign(
        questionnaire, name="2026年度顾客满意度调查", wave="2026年", channels=[Channel.PAPER]
    )
    campaign.recurrence = Recurrence.YEARLY
    campaign.deadline = timezone.now() + timezone.timedelta(days=3)
    campaign.save()
    campaign = workflow.start(campaign, by=people.sam)

    assert tasks.run_due_jobs()["next_waves"] == 0  # still running
    after_deadline = campaign.deadline + timezone.timedelta(minutes=1)
    done = tasks.run_due_jobs(now=after_deadline)
    assert (done["closed"], done["next_waves"]) == (1, 1)
    assert tasks.run_due_jobs(now=after_deadline)["next_waves"] == 0

    wave = Campaign.objects.get(previous_wave=campaign)
    assert (wave.state, wave.name, wave.wave) == (CampaignState.DRAFT, "2027年度顾客满意度调查", "2027年")
    assert wave.recurrence == Recurrence.YEARLY
    assert wave.invite_at == recurrence.add_months(campaign.invite_at, 12)
    assert wave.deadline == recurrence.add_months(campaign.deadline, 12)
    assert wave.events.get().to_state == CampaignState.DRAFT

    # A manager who deletes the prepared wave is not given another one.
    wave.delete()
    assert tasks.run_due_jobs(now=after_deadline)["next_waves"] == 0
    assert not Campaign.objects.filter(previous_wave=campaign).exists()


def test_a_campaign_not_repeated_gets_no_next_wave_from_the_job(closed_wave):
    Campaign.objects.filter(pk=closed_wave.pk).update(recurrence=Recurrence.NONE)
    assert tasks.run_due_jobs()["next_waves"] == 0
    assert Campaign.objects.count() == 1


def test_a_wave_copied_by_hand_before_closing_is_not_made_again_by_the_job(people, closed_wave):
    Campaign.objects.filter(pk=closed_wave.pk).update(state=CampaignState.RUNNING)
    workflow.copy_as_next_wave(closed_wave, by=people.sam)
    Campaign.objects.filter(pk=closed_wave.pk).update(state=CampaignState.CLOSED)
    assert tasks.run_due_jobs()["next_waves"] == 0
    assert Campaign.objects.filter(previous_wave=closed_wave).count() == 1


def test_the_recurrence_is_set_in_the_campaign_form(client_as, people, closed_wave):
    questionnaire = closed_wave.questionnaire
    data = {
        "name": "月度回访",
        "questionnaire": questionnaire.pk,
        "channels": [Channel.EMAIL],
        "sampling_method": SamplingMethod.ALL,
        "sampling_seed": 1,
        "volume_share": 0.8,
        "target_response_rate": 70,
        "reminder_days_text": "3",
        "recurrence": Recurrence.MONTHLY,
    }
    client = client_as(people.sam)
    assert client.post("/campaigns/new/", data).status_code == 302
    assert Campaign.objects.get(name="月度回访").recurrence == Recurrence.MONTHLY
    before = Campaign.objects.count()
    page = client.post("/campaigns/new/", {**data, "name": "坏的", "recurrence": "weekly"})
    assert page.status_code == 200 and list(page.context["form"].errors) == ["recurrence"]
    assert Campaign.objects.count() == before


@pytest.mark.parametrize(("who", "status"), [("alice", 302), ("sam", 302), ("amy", 403), ("ana", 403)])
def test_who_may_copy_a_campaign_as_next_wave(client_as, people, closed_wave, who, status):
    response = client_as(getattr(people, who)).post(f"/campaigns/{closed_wave.pk}/next-wave/")
    assert response.status_code == status
    made = Campaign.objects.filter(previous_wave=closed_wave)
    assert made.count() == (1 if status == 302 else 0)
    if status == 302:
        assert response["Location"] == f"/campaigns/{made.get().pk}/edit/"


def test_the_campaign_page_offers_the_copy_and_then_links_the_waves(client_as, people, closed_wave):
    client = client_as(people.sam)
    page = client.get(f"/campaigns/{closed_wave.pk}/").content.decode()
    assert 'id="copy-next-wave"' in page
    client.post(f"/campaigns/{closed_wave.pk}/next-wave/")
    wave = Campaign.objects.get(previous_wave=closed_wave)
    page = client.get(f"/campaigns/{closed_wave.pk}/").content.decode()
    assert 'id="copy-next-wave"' not in page and f'href="/campaigns/{wave.pk}/"' in page
    assert f'href="/campaigns/{closed_wave.pk}/"' in client.get(f"/campaigns/{wave.pk}/").content.decode()
    # A second post (a double click) is refused with a message and makes nothing.
    client.post(f"/campaigns/{closed_wave.pk}/next-wave/")
    assert Campaign.objects.count() == 2


def test_the_target_rules_periods_move_on_with_the_wave(people, closed_wave):
    """A quarterly survey of the customers delivered in the quarter asks next quarter's."""
    rules = {"delivered_from": "2026-10-01", "delivered_to": "2026-12-31", "product_category": "泵"}
    Campaign.objects.filter(pk=closed_wave.pk).update(target_filters=rules)
    wave = workflow.copy_as_next_wave(closed_wave, by=people.sam)
    assert wave.target_filters == {
        "delivered_from": "2027-01-01",
        "delivered_to": "2027-03-31",
        "product_category": "泵",
    }


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-03-31", 3, "2026-06-30"),
        ("2026-06-30", 3, "2026-09-30"),
        ("2026-02-28", 1, "2026-03-31"),
        ("2026-01-15", 1, "2026-02-15"),
        ("2026-12-31", 12, "2027-12-31"),
    ],
)
def test_a_rule_s_date_moves_on_with_month_ends_kept(day, months, expected):
    assert recurrence.shift_day(day, months) == expected


def test_dates_read_back_from_the_database_move_on_by_the_local_calendar():
    """The database gives datetimes back in UTC: 2026-03-01 00:00 in Shanghai is 2026-02-28
    16:00 UTC, and a month added to that UTC day gave 03-29 00:00 local instead of 04-01."""
    utc = timezone.get_fixed_timezone(0)
    first_of_march = at(2026, 3, 1, 0, 0).astimezone(utc)
    assert recurrence.add_months(first_of_march, 1) == at(2026, 4, 1, 0, 0)
    assert recurrence.add_months(at(2026, 1, 31, 7, 0).astimezone(utc), 1) == at(2026, 2, 28, 7, 0)
    # The wave is named by the local day of the invitation: 04-01 00:00 local is 03-31 UTC.
    assert recurrence.next_wave_label("", 3, at(2026, 4, 1, 0, 0).astimezone(utc)) == "2026年第二季度"


def test_a_monthly_wave_starting_on_the_first_at_midnight_moves_to_the_next_first(people):
    campaign = make_campaign(
        make_questionnaire(),
        name="月度满意度调查",
        recurrence=Recurrence.MONTHLY,
        state=CampaignState.CLOSED,
        invite_at=at(2026, 3, 1, 0, 0),
        deadline=at(2026, 3, 31, 23, 59),
    )
    campaign.refresh_from_db()  # as the periodic job reads it: in UTC

    wave = workflow.copy_as_next_wave(campaign, by=people.sam)

    assert (wave.invite_at, wave.deadline) == (at(2026, 4, 1, 0, 0), at(2026, 4, 30, 23, 59))
    assert wave.wave == "2026年4月"
