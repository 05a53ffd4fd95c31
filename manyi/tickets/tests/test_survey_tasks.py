"""A low survey score marks the response; the periodic job opens its ticket, once."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire
from manyi.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def answer(labels):
    questionnaire = make_questionnaire(title="售后回访")
    questions = [make_question(questionnaire, f"Q{n}", text=f"项目{n}") for n in range(1, 4)]
    questionnaire.refresh_from_db()
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    data = {
        f"q-{q.pk}": str(q.options.get(label=label).pk) for q, label in zip(questions, labels, strict=True)
    }
    form = AnswerForm(questionnaire, data=data)
    assert form.is_valid(), form.errors
    response, _created = save_response(
        campaign=campaign, questionnaire=questionnaire, cleaned_data=form.cleaned_data,
        channel=Channel.EMAIL, invitation=invitation,
    )  # fmt: skip
    return response


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
