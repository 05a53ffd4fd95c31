"""The answer path's hand-built statements behave like the ORM calls they replace."""

import datetime

import pytest
from django.db.models.signals import post_save, pre_save

from manyi.campaigns import hot_sql
from manyi.campaigns.choices import InvitationStatus
from manyi.campaigns.models import Answer, Invitation, Response
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Invitation, Response, Answer])
def test_no_save_signal_receivers_on_the_models_written_without_save(model):
    # hot_sql writes these rows without Model.save(): a receiver (an audit log, a cache
    # invalidation) would silently never run. Connect one and this test tells you to switch
    # the answer path back to save().
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)


def test_the_invitation_comes_with_its_campaign_and_questionnaire_as_the_orm_reads_them():
    questionnaire = make_questionnaire(title="问卷")
    campaign = make_campaign(questionnaire, deadline=datetime.datetime(2030, 1, 2, 3, 4, tzinfo=datetime.UTC))
    invitation = make_invitation(campaign, customer=make_customer())
    expected = Invitation.objects.select_related("campaign__questionnaire").get(token=invitation.token)

    found = hot_sql.invitation_with_survey(invitation.token)

    assert found is not None and found.pk == expected.pk
    for model_pair in ((found, expected), (found.campaign, expected.campaign)):
        got, want = model_pair
        for field in type(want)._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    assert found.campaign.deadline.tzinfo is not None  # converted like the ORM (SQLite: text)
    assert found.campaign.channels == expected.campaign.channels  # JSON decoded
    assert found.campaign.questionnaire.title == "问卷"
    assert found.campaign.questionnaire.pk == questionnaire.pk
    assert hot_sql.invitation_with_survey("no-such-token") is None


def test_insert_sets_keys_and_update_writes_only_the_named_fields():
    questionnaire = make_questionnaire()
    question = make_question(questionnaire)
    campaign = make_campaign(questionnaire)
    invitation = make_invitation(campaign, customer=make_customer())
    response = Response(
        campaign=campaign,
        questionnaire=questionnaire,
        invitation=invitation,
        channel="web",
        points={"Q1": 8.0},
        dimension_scores={"质量": 80.0},
    )
    hot_sql.insert([response])
    answers = [Answer(response=response, question=question, text=f"答{n}") for n in range(3)]
    hot_sql.insert(answers)

    stored = Response.objects.get()
    assert stored.pk == response.pk and not response._state.adding
    assert stored.points == {"Q1": 8.0} and stored.dimension_scores == {"质量": 80.0}
    assert sorted(Answer.objects.values_list("pk", "text")) == sorted((a.pk, a.text) for a in answers)

    invitation.status = InvitationStatus.COMPLETED
    invitation.email = "not-written@example.cn"
    hot_sql.update(invitation, ["status"])
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.COMPLETED
    assert invitation.email != "not-written@example.cn"
