"""Tickets from low survey scores: the rule, and one ticket per response with seed 004's hour."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Answer
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire, make_response
from manyi.tickets.choices import Channel, TicketState
from manyi.tickets.models import Ticket
from manyi.tickets.survey_rule import (
    INDEX,
    ITEM,
    NPS,
    SurveyRule,
    Trigger,
    open_ticket_for_response,
    ticket_triggers,
)

COMPLETED = datetime(2026, 9, 25, 20, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = COMPLETED + timedelta(minutes=1)


# --------------------------------------------------------------------------- the rule


def test_a_good_response_calls_for_nothing():
    assert ticket_triggers({"Q1": 80.0, "Q2": 100.0}, 9, 90.0) == []


def test_the_defaults_are_the_issue_examples():
    # 2 of 5 scored by ratio is 40; an NPS of 6 is a detractor; an index under 60.
    assert ticket_triggers({"Q1": 40.0, "Q2": 60.0}, 7, 60.0) == [Trigger(ITEM, 40.0, "Q1")]
    assert ticket_triggers({"Q1": 60.0}, 6, 60.0) == [Trigger(NPS, 6.0)]
    assert ticket_triggers({"Q1": 60.0}, None, 59.9) == [Trigger(INDEX, 59.9)]


def test_every_trigger_is_listed_items_in_key_order():
    triggers = ticket_triggers({"Q2": 25.0, "Q1": 0.0, "Q3": 75.0}, 0, 30.0)
    assert triggers == [
        Trigger(ITEM, 0.0, "Q1"),
        Trigger(ITEM, 25.0, "Q2"),
        Trigger(NPS, 0.0),
        Trigger(INDEX, 30.0),
    ]


def test_float_noise_at_the_edges_is_forgiven():
    # 40 and 60 computed as weighted means may come out a hair off.
    assert ticket_triggers({"Q1": 40.000000000001}, None, None) == [Trigger(ITEM, 40.000000000001, "Q1")]
    assert ticket_triggers({}, None, 59.99999999999999) == []


def test_missing_or_odd_values_are_left_out():
    assert ticket_triggers({"Q1": None, "Q2": float("nan"), "Q3": True}, None, None) == []
    assert ticket_triggers({}, None, None) == []


def test_thresholds_are_configurable_and_can_be_switched_off():
    rule = SurveyRule(max_item_score=25, max_nps=None, min_index=70)
    assert ticket_triggers({"Q1": 40.0}, 0, 65.0, rule) == [Trigger(INDEX, 65.0)]
    assert ticket_triggers({"Q1": 25.0}, 0, 80.0, rule) == [Trigger(ITEM, 25.0, "Q1")]


@pytest.mark.parametrize(
    "values", [{"max_item_score": 120}, {"max_nps": -1}, {"min_index": "60"}, {"max_nps": True}]
)
def test_bad_thresholds_are_refused(values):
    with pytest.raises(ValueError):
        SurveyRule(**values)


def test_the_rule_comes_from_the_settings(settings):
    settings.TICKET_SURVEY_RULE = {"max_nps": 4}
    assert SurveyRule.from_settings() == SurveyRule(max_item_score=40.0, max_nps=4, min_index=60.0)
    settings.TICKET_SURVEY_RULE = {"max_nsp": 4}
    with pytest.raises(ValueError, match="max_nsp"):
        SurveyRule.from_settings()


# --------------------------------------------------------------------------- the ticket


@pytest.fixture
def low_response(db):
    questionnaire = make_questionnaire()
    make_question(questionnaire, code="Q1", text="产品质量")
    remark = make_question(questionnaire, code="Q2", text="其他建议")
    customer = make_customer(name="上海某某科技有限公司")
    response = make_response(
        questionnaire,
        campaign=make_campaign(questionnaire, name="2026年第三季度满意度调查"),
        customer=customer,
        status=ResponseStatus.COMPLETED,
        completed_at=COMPLETED,
        item_scores={"Q1": 40.0},
        nps=8,
        index=72.0,
    )
    Answer.objects.create(response=response, question=remark, text="售后响应太慢")
    return response


def test_a_low_score_opens_a_ticket_to_answer_within_an_hour(low_response):
    ticket, created = open_ticket_for_response(low_response, now=NOW)
    assert created
    assert ticket.response == low_response
    assert ticket.customer == low_response.customer
    assert (ticket.channel, ticket.state) == (Channel.SURVEY, TicketState.NEW)
    assert ticket.received_at == COMPLETED
    assert ticket.response_due == COMPLETED + timedelta(hours=1)
    assert ticket.solution_due == COMPLETED + timedelta(hours=24)
    assert "产品质量" in ticket.description
    assert "售后响应太慢" in ticket.description
    assert "2026年第三季度满意度调查" in ticket.subject
    assert ticket.events.get().by is None


def test_a_response_never_gets_two_tickets(low_response):
    first, created = open_ticket_for_response(low_response, now=NOW)
    second, created_again = open_ticket_for_response(low_response, now=NOW + timedelta(hours=1))
    assert (created, created_again) == (True, False)
    assert first == second
    assert Ticket.objects.count() == 1


def test_a_good_response_opens_no_ticket(low_response):
    low_response.item_scores = {"Q1": 80.0}
    low_response.save()
    assert open_ticket_for_response(low_response, now=NOW) == (None, False)
    assert not Ticket.objects.exists()


def test_an_unfinished_response_opens_no_ticket(low_response):
    low_response.status = ResponseStatus.IN_PROGRESS
    low_response.save()
    assert open_ticket_for_response(low_response, now=NOW) == (None, False)


def test_a_rule_can_be_given_instead_of_the_settings(low_response):
    assert open_ticket_for_response(low_response, SurveyRule(max_item_score=20), now=NOW) == (None, False)
    ticket, created = open_ticket_for_response(
        low_response, SurveyRule(max_item_score=20, min_index=80), now=NOW
    )
    assert created and "72.0" in ticket.description


# --------------------------------------------------------------------------- whom to call back


def test_the_invited_contact_is_the_tickets_contact(low_response):
    from manyi.testing import make_contact, make_invitation

    customer = low_response.customer
    make_contact(customer, name="总经理", phone="13900000001", is_primary=True)
    buyer = make_contact(customer, name="采购 李工", phone="13900000002", email="li@example.com")
    invitation = make_invitation(low_response.campaign, customer, contact=buyer, email="li.work@example.com")
    low_response.invitation = invitation
    low_response.save()
    ticket, _created = open_ticket_for_response(low_response, now=NOW)
    assert (ticket.contact_name, ticket.contact_phone, ticket.contact_email) == (
        "采购 李工",
        "13900000002",
        "li.work@example.com",  # the address the survey was sent to
    )


def test_without_an_invitation_the_customers_primary_contact_is_called(low_response):
    from manyi.testing import make_contact

    customer = low_response.customer
    make_contact(customer, name="采购 李工", phone="13900000002")
    make_contact(customer, name="总经理 王总", phone="13900000001", email="wang@example.com", is_primary=True)
    ticket, _created = open_ticket_for_response(low_response, now=NOW)
    assert (ticket.contact_name, ticket.contact_phone, ticket.contact_email) == (
        "总经理 王总",
        "13900000001",
        "wang@example.com",
    )


def test_a_customer_without_contacts_gives_its_own_phone_and_e_mail(low_response):
    customer = low_response.customer
    customer.phone, customer.email = "0571-88886666", "service@example.com"
    customer.save()
    ticket, _created = open_ticket_for_response(low_response, now=NOW)
    assert (ticket.contact_name, ticket.contact_phone, ticket.contact_email) == (
        "",
        "0571-88886666",
        "service@example.com",
    )
