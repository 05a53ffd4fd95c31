"""Quotas per stratum (issue 21): counted on completed valid responses, never past their limit
(raced on PostgreSQL), a polite page for a full stratum, and the campaign page's fill."""

import threading

import pytest
from django.db import connection, connections

from manyi.campaigns import quotas
from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel, QuotaStratum, ResponseStatus
from manyi.campaigns.models import Quota, Response
from manyi.customers.choices import CustomerType
from manyi.surveys.choices import QuestionKind, ValidityRule
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def campaign():
    questionnaire = make_questionnaire(title="配额调查", validity_rule=ValidityRule.ALL_REQUIRED)
    make_question(questionnaire, code="Q1", text="产品质量")
    make_question(
        questionnaire,
        code="Q2",
        text="您的年龄段",
        kind=QuestionKind.SINGLE,
        scored=False,
        options=[("30岁以下", None, False), ("30岁及以上", None, False)],
    )
    return make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.ANONYMOUS]
    )


def data_for(campaign, quality="满意", age="30岁以下"):
    q1, q2 = campaign.questionnaire.questions.order_by("code")
    data = {f"q-{q2.pk}": str(q2.options.get(label=age).pk), "action": "submit"}
    if quality:
        data[f"q-{q1.pk}"] = str(q1.options.get(label=quality).pk)
    return data


def vip_invitation(campaign, kind=CustomerType.VIP, region="华东"):
    return make_invitation(campaign, customer=make_customer(customer_type=kind, region=region))


def test_a_completed_vip_response_counts_toward_the_vip_quota_only(client, campaign):
    vip = Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=2
    )
    east = Quota.objects.create(
        campaign=campaign, name="华北", stratum=QuotaStratum.REGION, value="华北", limit=5
    )

    client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign))
    client.post(f"/s/{vip_invitation(campaign, CustomerType.NORMAL).token}/", data_for(campaign))

    vip.refresh_from_db()
    east.refresh_from_db()
    assert (vip.completed, east.completed) == (1, 0)


def test_a_full_stratum_gets_a_polite_page_and_others_still_answer(client, campaign):
    Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=1
    )
    client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign))

    late = vip_invitation(campaign)
    page = client.get(f"/s/{late.token}/")
    assert page.status_code == 200
    assert "We have already received enough answers from people like you" in page.content.decode()
    assert 'id="answer-form"' not in page.content.decode()

    normal = vip_invitation(campaign, CustomerType.NORMAL)
    assert 'id="answer-form"' in client.get(f"/s/{normal.token}/").content.decode()

    with pytest.MonkeyPatch.context():
        from django.utils import translation

        with translation.override("zh-hans"):
            client.cookies["django_language"] = "zh-hans"
            chinese = client.get(f"/s/{late.token}/").content.decode()
    assert 'lang="zh-hans"' in chinese


def test_someone_answering_when_the_quota_fills_is_stopped_politely_and_keeps_the_answers(client, campaign):
    Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=1
    )
    slow, fast = vip_invitation(campaign), vip_invitation(campaign)
    assert 'id="answer-form"' in client.get(f"/s/{slow.token}/").content.decode()  # opened before it filled

    client.post(f"/s/{fast.token}/", data_for(campaign))
    stopped = client.post(f"/s/{slow.token}/", data_for(campaign))

    assert "enough answers from people like you" in stopped.content.decode()
    kept = Response.objects.get(invitation=slow)
    assert kept.status == ResponseStatus.IN_PROGRESS and kept.answers.count() == 2
    assert Quota.objects.get().completed == 1


def test_a_quota_by_a_screening_answer_stops_those_who_give_it(client, campaign):
    q2 = campaign.questionnaire.questions.get(code="Q2")
    young = q2.options.get(label="30岁以下").code
    Quota.objects.create(
        campaign=campaign, name="年轻", stratum=QuotaStratum.ANSWER, question_code="Q2", value=young, limit=1
    )

    client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign))
    stopped = client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign))
    older = client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign, age="30岁及以上"))

    assert "enough answers from people like you" in stopped.content.decode()
    assert older.status_code == 302
    assert Response.objects.filter(status=ResponseStatus.COMPLETED).count() == 2


def test_an_invalid_response_does_not_count(client, campaign):
    Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=1
    )
    q1 = campaign.questionnaire.questions.get(code="Q1")
    q1.required = False
    q1.save()
    client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign, quality=None))

    assert Response.objects.get().valid is False
    assert Quota.objects.get().completed == 0


def test_staff_entry_is_never_refused_and_counts_only_while_there_is_room(campaign):
    quota = Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=1
    )
    for _ in range(2):
        invitation = vip_invitation(campaign)
        form = AnswerForm(campaign.questionnaire, data=data_for(campaign))
        assert form.is_valid()
        save_response(
            campaign=campaign,
            questionnaire=campaign.questionnaire,
            cleaned_data=form.cleaned_data,
            channel=Channel.PHONE,
            invitation=invitation,
        )
    quota.refresh_from_db()
    assert quota.completed == 1
    assert Response.objects.filter(status=ResponseStatus.COMPLETED).count() == 2


def test_a_double_submit_counts_once(client, campaign):
    Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=5
    )
    invitation = vip_invitation(campaign)
    client.post(f"/s/{invitation.token}/", data_for(campaign))
    client.post(f"/s/{invitation.token}/", data_for(campaign))
    assert Quota.objects.get().completed == 1


def test_recount_counts_the_responses_already_in(client, campaign):
    for _ in range(3):
        client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign))
    quota = Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=2
    )
    quotas.recount(campaign)
    quota.refresh_from_db()
    assert quota.completed == 2  # three in, at most its limit


def test_the_campaign_page_shows_how_full_each_quota_is(client, people, campaign):
    Quota.objects.create(
        campaign=campaign, name="VIP客户", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=50
    )
    client.post(f"/s/{vip_invitation(campaign).token}/", data_for(campaign))
    client.force_login(people.alice)
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "VIP客户" in html and "1 / 50" in html


def test_a_quota_is_added_from_the_campaign_page_and_bad_input_changes_nothing(client, people, campaign):
    url = f"/campaigns/{campaign.pk}/quotas/new/"
    client.force_login(people.amy)
    assert (
        client.post(
            url, {"name": "VIP", "stratum": "customer_type", "value": "vip", "limit": "50"}
        ).status_code
        == 403
    )
    client.force_login(people.alice)
    bad = client.post(url, {"name": "VIP", "stratum": "customer_type", "value": "gold", "limit": "50"})
    assert bad.status_code == 400 and not Quota.objects.exists()
    bad = client.post(
        url, {"name": "年龄", "stratum": "answer", "question_code": "Q9", "value": "A1", "limit": "5"}
    )
    assert bad.status_code == 400 and not Quota.objects.exists()
    bad = client.post(url, {"name": "VIP", "stratum": "customer_type", "value": "vip", "limit": "0"})
    assert bad.status_code == 400 and not Quota.objects.exists()
    client.force_login(people.sam)
    ok = client.post(url, {"name": "VIP", "stratum": "customer_type", "value": "vip", "limit": "50"})
    assert ok.status_code == 302
    assert Quota.objects.get().limit == 50


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_never_pass_the_limit():
    """Two VIP customers submit at the same moment for the last place: one is counted, the
    other is refused and stored unfinished. Needs concurrent transactions (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    questionnaire = make_questionnaire(title="并发配额")
    question = make_question(questionnaire, code="Q1")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    quota = Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=1
    )
    invitations = [vip_invitation(campaign) for _ in range(2)]
    data = {f"q-{question.pk}": str(question.options.get(label="满意").pk)}
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def submit(invitation):
        try:
            form = AnswerForm(questionnaire, data=data)
            assert form.is_valid()
            barrier.wait(timeout=10)
            save_response(
                campaign=campaign,
                questionnaire=questionnaire,
                cleaned_data=form.cleaned_data,
                channel=Channel.WEB,
                invitation=invitation,
                enforce_quotas=True,
            )
            outcomes.append("counted")
        except quotas.QuotaFull:
            outcomes.append("full")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(invitation,)) for invitation in invitations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(outcomes) == ["counted", "full"]
    quota.refresh_from_db()
    assert quota.completed == 1
    assert Response.objects.filter(status=ResponseStatus.COMPLETED).count() == 1


def test_the_next_wave_has_the_same_quotas_none_filled(people, campaign):
    from manyi.campaigns.workflow import copy_as_next_wave

    Quota.objects.create(
        campaign=campaign, name="VIP", stratum=QuotaStratum.CUSTOMER_TYPE, value="vip", limit=50, completed=12
    )
    wave = copy_as_next_wave(campaign, by=people.sam)
    assert list(wave.quotas.values_list("name", "stratum", "value", "limit", "completed")) == [
        ("VIP", "customer_type", "vip", 50, 0)
    ]
