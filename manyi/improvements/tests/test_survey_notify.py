"""Telling the customers who answered a survey what changed (issue 22, point 9; seed 004:
向参与调查的客户发送改进进展或成果通知): an improvement raised from a survey score reaches every
customer who answered that campaign, by e-mail through a real SMTP server, once each, not
those who opted out of surveys, withdrew their consent or were erased."""

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.models import OptOut
from manyi.customers.models import Customer
from manyi.improvements import notify, workflow
from manyi.improvements.choices import EventKind, Source
from manyi.improvements.models import CustomerNotice
from manyi.surveys.naming import field_name
from manyi.testing import (
    answer,
    make_campaign,
    make_contact,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
)

from .conftest import in_english

pytestmark = pytest.mark.django_db

MESSAGE = "我们已优化售后响应流程，目前平均响应时间缩短至1.5小时内，欢迎继续监督。<b>新专线</b>"


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="年度顾客满意度调查")
    q1 = make_question(questionnaire, "Q1", text="产品性能")
    q2 = make_question(questionnaire, "Q2", text="售后响应速度")
    campaign = make_campaign(
        questionnaire, name="年度调查2026", state=CampaignState.RUNNING, channels=[Channel.EMAIL]
    )

    def respond(customer, q2_label="不满意", contact=None, in_campaign=campaign):
        invitation = make_invitation(in_campaign, customer, contact=contact)
        data = {
            field_name(q1): str(q1.options.get(label="满意").pk),
            field_name(q2): str(q2.options.get(label=q2_label).pk),
        }
        return answer(in_campaign, data, invitation=invitation, customer=customer)

    return campaign, respond


@pytest.fixture
def answered(survey, make_ticket):
    """Who answered, and who else there is; returns them by name."""
    campaign, respond = survey
    c = {
        "low": make_customer(name="杭州甲公司", email="jia@example.com"),
        "high": make_customer(name="<b>宁波</b>乙&公司", email="office@yi.example.com"),
        "opted_out": make_customer(name="温州丙公司", email="bing@example.com"),
        "no_consent": make_customer(name="台州丁公司", email="ding@example.com", consent_to_contact=False),
        "erased": make_customer(name="已删除客户", email="erased@example.com"),
        "no_email": make_customer(name="嘉兴戊公司", phone="0573-88880000"),
        "ticket": make_customer(name="湖州己公司", email="ji@example.com"),
        "invited_only": make_customer(name="绍兴庚公司", email="geng@example.com"),
        "other_survey": make_customer(name="金华辛公司", email="xin@example.com"),
    }
    manager = make_contact(c["low"], name="甲经理", email="manager@jia.example.com")
    respond(c["low"], contact=manager)  # the invitation's contact is who answered
    respond(c["high"], q2_label="很满意")  # scored the item well: told too (seed 004)
    for name in ("opted_out", "no_consent", "erased", "no_email", "ticket"):
        respond(c[name])
    OptOut.objects.create(customer=c["opted_out"])
    Customer.objects.filter(pk=c["erased"].pk).update(erased_at=timezone.now())
    make_invitation(campaign, c["invited_only"])  # asked, never answered
    other = make_campaign(campaign.questionnaire, name="另一次调查", state=CampaignState.RUNNING)
    respond(c["other_survey"], in_campaign=other)
    c["ticket_of"] = make_ticket(c["ticket"])
    return c


@pytest.fixture
def improvement(people, raise_one, survey, answered):
    campaign, _respond = survey
    improvement = raise_one(
        source=Source.SURVEY_ITEM, campaign=campaign, item_key="Q2", tickets=[answered["ticket_of"]]
    )
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "专线已开通")
    workflow.update_improvement(improvement, people.sam, {"customer_message": MESSAGE})
    return improvement


def received(smtp_server):
    return sorted(rcpt for _sender, rcpts, _message in smtp_server.messages for rcpt in rcpts)


def test_the_customers_who_answered_are_told_once_and_the_others_not(
    people, improvement, answered, smtp_server
):
    counts = notify.preview(notify.recipients(improvement))
    # low, high, ticket (also answered): e-mail; no_email: phone; opted_out, no_consent, erased: not.
    assert (counts.email, counts.phone, counts.not_contacted, counts.told, counts.answered) == (3, 1, 3, 0, 7)

    result = notify.notify_customers(improvement, people.sam)
    assert received(smtp_server) == ["ji@example.com", "manager@jia.example.com", "office@yi.example.com"]
    assert [r.customer for r in result.by_phone] == [answered["no_email"]]
    assert {r.customer for r in result.not_contacted} == {
        answered["opted_out"],
        answered["no_consent"],
        answered["erased"],
    }
    told = CustomerNotice.objects.filter(improvement=improvement)
    assert {n.customer for n in told} == {answered["low"], answered["high"], answered["ticket"]}
    assert {n.by for n in told} == {people.sam}
    # The record on the improvement: who, when, how many.
    event = improvement.events.get(kind=EventKind.NOTIFIED)
    assert event.by == people.sam and event.at == told.first().told_at
    assert event.note.startswith("By e-mail to 3 customers: ")

    # A second click (or a double click) sends nothing and records nothing.
    again = notify.notify_customers(improvement, people.sam)
    assert len(smtp_server.messages) == 3 and not again.sent and len(again.already) == 3
    assert told.count() == 3 and improvement.events.filter(kind=EventKind.NOTIFIED).count() == 1
    assert notify.preview(notify.recipients(improvement)).email == 0


def test_the_message_thanks_for_the_answers_escapes_names_and_links_absolutely(
    people, improvement, answered, smtp_server, settings
):
    notify.notify_customers(improvement, people.sam)
    message = {rcpts[0]: m for _sender, rcpts, m in smtp_server.messages}["office@yi.example.com"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "感谢您参与我们的满意度调查" in text  # in the customers' language
    assert MESSAGE in text and "<b>宁波</b>乙&公司" in text  # plain text: as written
    assert "&lt;b&gt;宁波&lt;/b&gt;乙&amp;公司" in html and "<b>宁波</b>" not in html
    assert "&lt;b&gt;新专线&lt;/b&gt;" in html and "<b>新专线</b>" not in html
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('feedback:form')}"
    assert link in text and f'href="{link}"' in html
    # The customer of a linked ticket who answered too is thanked for the ticket.
    ticket_message = {rcpts[0]: m for _sender, rcpts, m in smtp_server.messages}["ji@example.com"]
    assert answered["ticket_of"].reference in ticket_message.get_body(("plain",)).get_content()


def test_an_improvement_not_raised_from_a_survey_tells_only_its_tickets_customers(
    people, raise_one, answered, smtp_server
):
    improvement = raise_one(source=Source.TICKETS, tickets=[answered["ticket_of"]])
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "专线已开通")
    workflow.update_improvement(improvement, people.sam, {"customer_message": MESSAGE})
    notify.notify_customers(improvement, people.sam)
    assert received(smtp_server) == ["ji@example.com"]


def test_the_page_counts_before_sending_and_a_second_post_sends_nothing(
    people, improvement, client_as, smtp_server
):
    client = in_english(client_as(people.sam))
    page = client.get(improvement.get_absolute_url()).content.decode()
    assert "7 customers who answered “年度调查2026” are told too." in page
    assert (
        "E-mailed on the next click: 3 · no e-mail address (tell by phone): 1 · "
        "do not wish to be contacted: 3 · told already: 0"
    ) in page
    url = reverse("improvements:notify", args=[improvement.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert len(smtp_server.messages) == 3
    page = client.get(improvement.get_absolute_url()).content.decode()
    assert "E-mailed on the next click: 0" in page and "told already: 3" in page
    # Nobody's address is on the page (a handler reads it too), only the counts.
    assert "jia@example.com" not in page and "office@yi.example.com" not in page
    # A handler cannot send.
    assert client_as(people.hank).post(url).status_code == 403
