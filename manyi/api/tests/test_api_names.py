"""Names through the API (issue 22, point 5): what the API answers leaves for another system, as
an export does, so for a user without the right to personal data customers' and contacts'
names are masked the way seed 004 records them ("记录时用‘*客户’‘A公司’代替真实名称，保护隐私"),
also where free text writes them; a user with the right reads them whole."""

import pytest
from django.utils import timezone

from manyi.accounts import permissions
from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Answer
from manyi.customers.choices import CustomerKind
from manyi.testing import (
    make_campaign,
    make_contact,
    make_customer,
    make_question,
    make_questionnaire,
    make_response,
)
from manyi.tickets.choices import TicketState

from .test_api import call, make_ticket  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

WORDS = "华星机械的诸葛明亮打电话说：张伟家的空调不制冷，13812345678"
MASKED_WORDS = "A公司的诸***打电话说：张*家的空调不制冷，138****5678"
# A ticket knows its own customer and contact (another customer's name in its text is no name
# it can know).
TICKET_WORDS = "华星机械的诸葛明亮打电话说：空调不制冷，我是诸葛明亮，13812345678"
MASKED_TICKET_WORDS = "A公司的诸***打电话说：空调不制冷，我是诸***，138****5678"
NAMES = ("华星", "诸葛明亮", "明亮", "张伟", "13812345678")


@pytest.fixture
def customers():
    company = make_customer(code="K1", name="杭州华星机械有限公司", city="杭州市")
    make_contact(company, name="诸葛明亮")
    person = make_customer(code="K2", name="张伟", kind=CustomerKind.PERSON)
    return company, person


def leaked(data):
    """The names of the fixture found anywhere in an API answer."""
    flat = str(data)
    return [name for name in NAMES if name in flat]


def test_a_ticket_names_nobody_to_a_handler_and_everybody_to_a_supervisor(call, people, customers):  # noqa: F811
    company, _person = customers
    assert not people.hank.can(permissions.VIEW_PERSONAL_DATA) and people.sam.can(
        permissions.VIEW_PERSONAL_DATA
    )
    ticket = make_ticket(
        people.quality,
        TicketState.ASSIGNED,
        customer=company,
        subject="华星机械投诉",
        contact_name="诸葛明亮",
        contact_phone="13812345678",
    )
    ticket.description = TICKET_WORDS
    ticket.save(update_fields=["description"])
    _status, detail = call("get", f"/tickets/{ticket.reference}", people.hank)
    assert (detail["contact_name"], detail["subject"], detail["description"]) == (
        "诸***",
        "A公司投诉",
        MASKED_TICKET_WORDS,
    )
    assert detail["customer_code"] == "K1"  # the key that stays
    _status, listed = call("get", "/tickets", people.hank)
    assert leaked(detail) == [] and leaked(listed) == []
    assert listed["results"][0]["contact_name"] == "诸***"
    _status, whole = call("get", f"/tickets/{ticket.reference}", people.sam)
    assert (whole["contact_name"], whole["description"]) == ("诸葛明亮", TICKET_WORDS)


def test_a_contact_name_the_ticket_alone_gives_is_masked_in_its_notes(call, people):  # noqa: F811
    ticket = make_ticket(people.quality, TicketState.ASSIGNED, contact_name="宋晓峰")
    call("post", f"/tickets/{ticket.reference}/messages", people.amy, body={"text": "宋晓峰又来电催促"})
    _status, detail = call("get", f"/tickets/{ticket.reference}", people.hank)
    assert detail["contact_name"] == "宋**"
    assert detail["events"][-1]["note"] == "宋**又来电催促"


def test_customers_are_named_the_seeds_way_without_the_right(call, people, customers):  # noqa: F811
    _status, listed = call("get", "/customers", people.hank)
    assert {row["code"]: row["name"] for row in listed["results"]} == {"K1": "A公司", "K2": "张*"}
    _status, one = call("get", "/customers/K2", people.ana)
    assert one["name"] == "张*"
    _status, whole = call("get", "/customers/K1", people.amy)
    assert whole["name"] == "杭州华星机械有限公司"


def test_a_campaigns_responses_name_nobody_to_the_analyst(call, people, customers):  # noqa: F811
    company, person = customers
    questionnaire = make_questionnaire()
    comment = make_question(questionnaire, code="Q2", text="意见", kind="text", options=())
    campaign = make_campaign(questionnaire)
    for customer in (person, company):
        response = make_response(
            questionnaire,
            campaign,
            customer=customer,
            status=ResponseStatus.COMPLETED,
            completed_at=timezone.now(),
            valid=True,
        )
        Answer.objects.create(response=response, question=comment, text=WORDS)
    assert not people.ana.can(permissions.VIEW_PERSONAL_DATA)
    pages = [
        call("get", f"/campaigns/{campaign.pk}/responses?page_size=1&page={n}", people.ana)[1] for n in (1, 2)
    ]
    rows = [page["results"][0] for page in pages]
    # Lettered over the whole campaign, so each page names the company alike.
    assert [(row["customer_code"], row["customer_name"]) for row in rows] == [("K2", "张*"), ("K1", "A公司")]
    assert [row["answers"][0]["text"] for row in rows] == [MASKED_WORDS, MASKED_WORDS]
    assert leaked(pages) == []
    _status, whole = call("get", f"/campaigns/{campaign.pk}/responses", people.alice)
    assert [row["customer_name"] for row in whole["results"]] == ["张伟", "杭州华星机械有限公司"]
    assert whole["results"][0]["answers"][0]["text"] == WORDS
