"""A low survey score marks the response; the periodic job opens its ticket, once."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.testing import answer as answer_through_the_product
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire
from manyi.tickets.models import Ticket
from manyi.tickets.survey_rule import open_pending_tickets

pytestmark = pytest.mark.django_db


def campaign_answered(labels):
    """A running campaign of three rated items, and the answer page's data choosing ``labels``."""
    questionnaire = make_questionnaire(title="售后回访")
    questions = [make_question(questionnaire, f"Q{n}", text=f"项目{n}") for n in range(1, 4)]
    questionnaire.refresh_from_db()
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    data = {
        f"q-{q.pk}": str(q.options.get(label=label).pk) for q, label in zip(questions, labels, strict=True)
    }
    return campaign, data


def answer(labels):
    campaign, data = campaign_answered(labels)
    return answer_through_the_product(campaign, data, invitation=make_invitation(campaign))


def run_periodic():
    call_command("periodic", verbosity=0, stdout=__import__("io").StringIO())


def test_a_very_dissatisfied_answer_becomes_a_ticket_with_the_one_hour_deadline():
    response = answer(["很不满意", "满意", "满意"])  # Q1: 2 of 10 points → 20 ≤ 40
    response.refresh_from_db()
    assert response.ticket_pending and not Ticket.objects.exists()  # not in the request
    run_periodic()
    ticket = Ticket.objects.get()
    assert ticket.response_id == response.pk
    assert ticket.response_due - ticket.received_at == timedelta(hours=1)
    response.refresh_from_db()
    assert not response.ticket_pending
    run_periodic()  # running again never makes a second one
    assert Ticket.objects.count() == 1


def test_a_satisfied_answer_opens_nothing():
    response = answer(["很满意", "满意", "满意"])
    response.refresh_from_db()
    assert not response.ticket_pending
    run_periodic()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("who", ["invitation", "anonymous form", "draft first"])
def test_a_low_score_submitted_twice_opens_one_ticket(who):
    """The tickets app finds the low score itself (its rule, registered in TicketsConfig.ready,
    is asked as the response is completed): a double submit stores one response, and the
    periodic job opens its ticket once however often it runs."""
    campaign, data = campaign_answered(["很不满意", "满意", "满意"])  # Q1: 2 of 10 points → 20 ≤ 40
    where = (
        {"submission_id": uuid.uuid4()}
        if who == "anonymous form"
        else {"invitation": make_invitation(campaign)}
    )

    if who == "draft first":
        form = AnswerForm(campaign.questionnaire, data=data, complete=False)
        assert form.is_valid(), form.errors
        draft, _created = save_response(
            campaign=campaign, questionnaire=campaign.questionnaire, cleaned_data=form.cleaned_data,
            channel=Channel.EMAIL, complete=False, **where,
        )  # fmt: skip
        draft.refresh_from_db()
        assert not draft.ticket_pending  # a draft is not an answer yet
    first, again = (
        answer_through_the_product(campaign, data, **where),
        answer_through_the_product(campaign, data, **where),
    )
    assert again.pk == first.pk and campaign.responses.count() == 1
    assert open_pending_tickets() == 1
    assert open_pending_tickets() == 0
    run_periodic()
    assert list(Ticket.objects.values_list("response_id", flat=True)) == [first.pk]
