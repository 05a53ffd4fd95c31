"""Phones and e-mail addresses written inside free text (open answers, feedback, notes) are
masked for readers without the personal-data right wherever the text is shown — pages, the
API, tickets made from answers, reports of visits — while the stored text stays whole; and a
search by phone or e-mail works only for who may see them (else it would tell whose they are).

hank (handler) and ana (analyst) lack `personal_data.view`; alice, sam and amy have it."""

import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from manyi.api.models import ApiToken
from manyi.campaigns.choices import ResponseStatus
from manyi.campaigns.models import Answer
from manyi.customers.masking import mask_text, private_text
from manyi.customers.models import Customer
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire, make_response
from manyi.tickets import workflow
from manyi.tickets.choices import Channel, EventKind
from manyi.tickets.models import Ticket, TicketEvent
from manyi.tickets.survey_rule import SurveyRule, open_ticket_for_response

pytestmark = pytest.mark.django_db

PHONE, PHONE_MASKED = "13812345678", "138****5678"
EMAIL, EMAIL_MASKED = "zhang.wei@example.com", "z***@example.com"
WORDS = f"送货太慢，请打电话 {PHONE} 或发邮件 {EMAIL} 找我"
WITH_RIGHT = ["alice", "sam", "amy"]
WITHOUT_RIGHT = ["hank", "ana"]


def shows_masked(text):
    return PHONE_MASKED in text and EMAIL_MASKED in text and PHONE not in text and EMAIL not in text


def shows_whole(text):
    return PHONE in text and EMAIL in text


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        ("+86 13812345678", "+86 *******5678"),
        ("(0571) 88886666", "(05**) ****6666"),
        ("0571-88886666", "0571-****6666"),
        ("１３８１２３４５６７８", "１３８****５６７８"),
        ("０５７１－８８８８６６６６", "０５７１－****６６６６"),
        ("订单号 2026112300001234", "订单号 2026112300001234"),
    ],
)
def test_phones_are_found_in_text_however_they_are_written(written, shown):
    assert mask_text(written) == shown


def test_private_text_masks_for_readers_without_the_right_only(people):
    assert private_text(WORDS, people.alice) == WORDS
    assert shows_masked(private_text(WORDS, people.hank))
    people.hank.may_view_personal_data = True  # granted to him personally
    assert private_text(WORDS, people.hank) == WORDS


# --------------------------------------------------------------------------- response page


@pytest.fixture
def answered(people):
    questionnaire = make_questionnaire(title="满意度调查")
    make_question(questionnaire, code="Q1")
    remark = make_question(questionnaire, code="Q2", text="其他建议", kind="text", options=(), required=False)
    campaign = make_campaign(questionnaire, name="2026年第三季度满意度调查")
    response = make_response(
        questionnaire,
        campaign=campaign,
        customer=make_customer(name="杭州某某公司"),
        status=ResponseStatus.COMPLETED,
        item_scores={"Q1": 20.0},
        index=40.0,
    )
    Answer.objects.create(response=response, question=remark, text=WORDS)
    return response


@pytest.mark.parametrize("who", ["alice", "sam", "amy", "ana"])
def test_the_response_page_masks_contacts_in_open_answers_for_readers_without_the_right(
    client_as, people, answered, who
):
    page = client_as(getattr(people, who)).get(reverse("entry:response", args=[answered.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert shows_whole(html) if who in WITH_RIGHT else shows_masked(html)


# --------------------------------------------------------------------------- tickets


def in_department(ticket, department):
    """The ticket handed to a department (a handler sees only their department's tickets)."""
    Ticket.objects.filter(pk=ticket.pk).update(department=department)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def survey_ticket(people, answered):
    """A ticket the survey rule opened from the answer, in hank's department, with a customer
    message and a reply that carry the same contacts."""
    ticket, created = open_ticket_for_response(answered, rule=SurveyRule())
    assert created and PHONE in ticket.description  # stored whole
    Ticket.objects.filter(pk=ticket.pk).update(department=people.quality, reply=f"已致电 {PHONE}")
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.MESSAGE,
        from_state=ticket.state,
        to_state=ticket.state,
        note=f"客户来电：换个邮箱 {EMAIL}",
    )
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.parametrize("who", ["alice", "sam", "amy", "hank", "ana"])
def test_a_survey_ticket_page_masks_the_answers_reply_and_messages(client_as, people, survey_ticket, who):
    page = client_as(getattr(people, who)).get(survey_ticket.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    if who in WITH_RIGHT:
        assert shows_whole(html)
    else:
        assert shows_masked(html)
        assert "已致电 138****5678" in html and "换个邮箱 z***@example.com" in html


def test_public_feedback_shown_to_a_handler_is_masked_in_the_queue_and_the_page(client_as, people):
    ticket = in_department(
        workflow.open_ticket(by=None, channel=Channel.WEB, subject=f"回电 {PHONE}", description=WORDS),
        people.quality,
    )
    client = client_as(people.hank)
    assert shows_masked(client.get(ticket.get_absolute_url()).content.decode())
    queue = client.get(reverse("tickets:list"), {"queue": "all"}).content.decode()
    assert PHONE_MASKED in queue and PHONE not in queue
    assert Ticket.objects.get(pk=ticket.pk).description == WORDS  # the stored text stays whole


def test_the_words_judged_on_a_ticket_leave_out_an_e_mail_address(client_as, people):
    ticket = in_department(
        workflow.open_ticket(by=None, channel=Channel.WEB, subject="", description=f"发票请寄到 {EMAIL}"),
        people.quality,
    )
    html = client_as(people.hank).get(ticket.get_absolute_url()).content.decode()
    remark = html[html.index('id="remark"') :]
    remark = remark[: remark.index("</dd>")]
    assert "zhang" not in remark and "example" not in remark
    assert "发票" in remark


def test_an_escalation_e_mail_masks_a_quoted_phone_for_a_recipient_without_the_right(people):
    from django.utils import timezone

    from manyi.tickets.choices import Priority
    from manyi.tickets.escalation import escalation_email

    ticket = workflow.open_ticket(
        by=None, channel=Channel.WEB, subject=f"回电 {PHONE}", description="空调坏了"
    )
    item = {
        "pk": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "missed": ("response",),
        "new_priority": Priority.HIGH,
    }
    people.hank.email, people.sam.email = "hank@example.com", "sam@example.com"
    assert PHONE_MASKED in escalation_email(people.hank, [item], timezone.now()).body
    assert PHONE in escalation_email(people.sam, [item], timezone.now()).body


@pytest.fixture
def call(client):
    tokens = {}

    def request(path, user):
        if user.pk not in tokens:
            tokens[user.pk] = ApiToken.issue(user, "test")[1]
        response = client.get(f"/api{path}", HTTP_AUTHORIZATION=f"Bearer {tokens[user.pk]}")
        return response.status_code, response.json()

    return request


@pytest.mark.parametrize("who", ["alice", "sam", "amy", "hank", "ana"])
def test_the_api_ticket_read_masks_description_reply_and_timeline(call, people, survey_ticket, who):
    status, data = call(f"/tickets/{survey_ticket.reference}", getattr(people, who))
    assert status == 200
    text = "\n".join([data["description"], data["reply"], *(event["note"] for event in data["events"])])
    if who in WITH_RIGHT:
        assert shows_whole(text)
    else:
        assert PHONE_MASKED in data["description"] and PHONE not in data["description"]
        assert data["reply"] == "已致电 138****5678"
        assert shows_masked(text)
    status, listing = call("/tickets?page_size=10", getattr(people, who))
    (row,) = [r for r in listing["results"] if r["reference"] == survey_ticket.reference]
    assert (PHONE in row["description"]) is (who in WITH_RIGHT)


# --------------------------------------------------------------------------- improvements, customers, visits


def test_an_improvement_raised_from_a_ticket_shows_its_problem_masked_to_a_handler(client_as, people):
    from manyi.improvements import workflow as improvements

    ticket = in_department(
        workflow.open_ticket(by=None, channel=Channel.WEB, subject=f"回电 {PHONE}", description="送货太慢"),
        people.quality,
    )
    improvement = improvements.raise_improvement(
        by=people.alice,
        title="送货时效",
        problem=WORDS,
        measures="增加配送车辆",
        owner=people.hank,
        deadline=date(2030, 1, 1),
        tickets=[ticket],
    )
    html = client_as(people.hank).get(improvement.get_absolute_url()).content.decode()
    assert shows_masked(html)
    assert f"回电 {PHONE_MASKED}" in html
    assert shows_whole(client_as(people.sam).get(improvement.get_absolute_url()).content.decode())


def test_customer_notes_and_visit_problems_on_the_customer_page_are_masked(client_as, people):
    from manyi.visits.choices import Method, TaskStatus
    from manyi.visits.models import VisitRecord, VisitTask

    customer = make_customer(name="杭州某某公司", notes=f"老板手机 {PHONE}")
    visited = datetime(2026, 10, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    task = VisitTask.objects.create(
        customer=customer,
        agent=people.amy,
        department=people.service,
        purpose="交付后一个月回访",
        source_key="pd-test",
        due_on=visited.date(),
        planned_on=visited.date(),
        status=TaskStatus.DONE,
        closed_at=visited,
    )
    VisitRecord.objects.create(
        task=task,
        customer=customer,
        agent=people.amy,
        visitee="张工",
        method=Method.PHONE_FIRST,
        visited_at=visited,
        problem=f"发票寄到 {EMAIL}",
    )
    for who in ("hank", "ana"):
        html = client_as(getattr(people, who)).get(customer.get_absolute_url()).content.decode()
        assert shows_masked(html), who
    assert shows_whole(client_as(people.amy).get(customer.get_absolute_url()).content.decode())


def test_the_monthly_visit_report_masks_problems_for_an_analyst_on_the_page_and_in_the_sheet(
    client_as, people
):
    from openpyxl import load_workbook

    from manyi.visits.choices import Method, TaskStatus
    from manyi.visits.models import VisitRecord, VisitTask

    visited = datetime(2026, 10, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    customer = make_customer()
    task = VisitTask.objects.create(
        customer=customer,
        agent=people.amy,
        department=people.service,
        purpose="交付后一个月回访",
        source_key="pd-report",
        due_on=visited.date(),
        planned_on=visited.date(),
        status=TaskStatus.DONE,
        closed_at=visited,
    )
    VisitRecord.objects.create(
        task=task,
        customer=customer,
        agent=people.amy,
        visitee="张工",
        method=Method.PHONE_FIRST,
        visited_at=visited,
        problem=f"请回电 {PHONE}",
        handling=f"已发邮件到 {EMAIL}",
    )
    client = client_as(people.ana)
    assert shows_masked(client.get(reverse("visits:report"), {"month": "2026-10"}).content.decode())
    sheet = client.get(reverse("visits:report_export"), {"month": "2026-10"})
    cells = " ".join(
        str(cell)
        for row in load_workbook(BytesIO(b"".join(sheet.streaming_content))).active.values
        for cell in row
    )
    assert shows_masked(cells)
    assert VisitRecord.objects.get().problem == f"请回电 {PHONE}"


# --------------------------------------------------------------------------- search


@pytest.fixture
def wang(db):
    return make_customer(name="王氏贸易", code="C900001", phone=PHONE, email=EMAIL)


@pytest.mark.parametrize("who", ["alice", "sam", "amy", "hank", "ana"])
@pytest.mark.parametrize("query", [PHONE, "1234567", EMAIL, "zhang.wei"])
def test_the_customer_list_finds_by_phone_or_email_only_for_who_may_see_them(
    client_as, people, wang, who, query
):
    html = client_as(getattr(people, who)).get(reverse("customers:list"), {"q": query}).content.decode()
    assert ("王氏贸易" in html) is (who in WITH_RIGHT)


@pytest.mark.parametrize("who", ["hank", "ana"])
def test_without_the_right_the_customer_search_matches_name_and_code_and_says_so(
    client_as, people, wang, who
):
    client = client_as(getattr(people, who))
    for query in ("王氏", "c900001"):
        assert "王氏贸易" in client.get(reverse("customers:list"), {"q": query}).content.decode()
    html = client.get(reverse("customers:list")).content.decode()
    assert 'id="q-help"' in html


@pytest.mark.parametrize("who", ["alice", "sam", "amy", "hank", "ana"])
def test_the_api_customer_search_by_phone_or_email_only_for_who_may_see_them(call, people, wang, who):
    for query in (PHONE, EMAIL, "5678"):
        status, data = call(f"/customers?q={query}", getattr(people, who))
        assert status == 200
        assert data["count"] == (1 if who in WITH_RIGHT else 0), query
    status, data = call("/customers?q=王氏", getattr(people, who))
    assert data["count"] == 1


def test_the_customer_export_of_an_analyst_ignores_a_phone_search(client_as, people, wang):
    from openpyxl import load_workbook

    response = client_as(people.ana).get(reverse("customers:export"), {"q": PHONE, "format": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert not any("王氏贸易" in str(cell) for row in rows for cell in row)
    assert Customer.objects.search(PHONE, personal=True).get() == wang


@pytest.mark.parametrize("who", ["alice", "hank"])
def test_the_ticket_queue_finds_by_contact_phone_only_for_who_may_see_it(client_as, people, who):
    ticket = in_department(
        workflow.open_ticket(
            by=None,
            channel=Channel.PHONE,
            subject="空调不制冷",
            description="安装第二天就不制冷了",
            contact_phone=PHONE,
        ),
        people.quality,
    )
    html = (
        client_as(getattr(people, who))
        .get(reverse("tickets:list"), {"queue": "all", "q": PHONE})
        .content.decode()
    )
    assert (ticket.reference in html) is (who == "alice")


@pytest.mark.parametrize("who", ["alice", "hank"])
def test_the_ticket_queue_finds_a_phone_quoted_in_a_subject_only_for_who_may_see_it(client_as, people, who):
    ticket = in_department(
        workflow.open_ticket(by=None, channel=Channel.WEB, subject=f"回电 {PHONE}", description="空调坏了"),
        people.quality,
    )
    client = client_as(getattr(people, who))
    for query in (PHONE, "1234567"):
        html = client.get(reverse("tickets:list"), {"queue": "all", "q": query}).content.decode()
        assert (ticket.reference in html) is (who == "alice"), query
    html = client.get(reverse("tickets:list"), {"queue": "all", "q": "回电"}).content.decode()
    assert ticket.reference in html
    (search_box,) = re.findall(r'<input[^>]*name="q"[^>]*>', html)
    assert ("title=" in search_box) is (who == "hank")  # the box says what is not searched
