"""Administrators set, in the admin, which survey answers open a ticket; the rule is read from there."""

import pytest
from django.urls import reverse

from manyi.tickets.models import SurveyTicketRule, Ticket
from manyi.tickets.survey_rule import SurveyRule, calls_for_ticket, open_ticket_for_response

from .test_survey_rule import NOW, low_response  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def rule_data(**changes):
    data = {"max_item_score": "25", "max_nps": "4", "min_index": ""}
    data.update(changes)
    return data


def test_an_administrator_sets_the_rule_and_only_one_exists(people, client_as):
    client = client_as(people.alice)
    add = reverse("admin:tickets_surveyticketrule_add")
    assert client.post(add, rule_data()).status_code == 302
    rule = SurveyTicketRule.objects.get()
    assert (rule.max_item_score, rule.max_nps, rule.min_index) == (25.0, 4, None)
    assert SurveyRule.current() == SurveyRule(max_item_score=25.0, max_nps=4, min_index=None)
    assert client.get(add).status_code == 403  # one rule: change it, do not add another
    assert client_as(people.sam).get(reverse("admin:tickets_surveyticketrule_changelist")).status_code == 302


@pytest.mark.parametrize(
    "changes", [{"max_item_score": "120"}, {"max_nps": "11"}, {"max_nps": "-1"}, {"min_index": "abc"}]
)
def test_bad_thresholds_are_refused_in_the_admin_and_nothing_is_saved(people, client_as, changes):
    response = client_as(people.alice).post(
        reverse("admin:tickets_surveyticketrule_add"), rule_data(**changes)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not SurveyTicketRule.objects.exists()


def test_without_a_rule_the_settings_apply(settings):
    settings.TICKET_SURVEY_RULE = {"max_nps": 3}
    assert SurveyRule.current() == SurveyRule(max_nps=3)


def test_the_administrators_rule_decides_which_answers_open_a_ticket(low_response):  # noqa: F811
    # The response: item 40 of 100, NPS 8, index 72 (a ticket under the default rule).
    SurveyTicketRule.objects.create(max_item_score=30, max_nps=6, min_index=60)
    assert not calls_for_ticket(low_response)
    assert open_ticket_for_response(low_response, now=NOW) == (None, False)
    SurveyTicketRule.objects.update(max_item_score=None, min_index=75)
    assert calls_for_ticket(low_response)
    ticket, created = open_ticket_for_response(low_response, now=NOW)
    assert created and "72.0" in ticket.description
    assert Ticket.objects.count() == 1
