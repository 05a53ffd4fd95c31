"""The improvement pages: who sees and changes what, forms that refuse bad input, the ticket page's button."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.improvements import workflow
from manyi.improvements.choices import EventKind, Source, Status
from manyi.improvements.models import ImprovementAction
from manyi.testing import make_department, make_user

from .conftest import in_english

pytestmark = pytest.mark.django_db


def form_data(people, **changes):
    data = {
        "title": "缩短售后响应时间",
        "problem": "客户反映售后响应慢。",
        "source": Source.OTHER,
        "tickets": "",
        "measures": "增设客服专线。",
        "owner": people.hank.pk,
        "deadline": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "root_cause": "",
        "expected_effect": "",
        "target_score": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["alice", "sam", "amy", "hank", "ana"])
def test_every_role_sees_the_list_and_the_nav_link(people, client_as, raise_one, who):
    raise_one()
    client = in_english(client_as(getattr(people, who)))
    page = client.get(reverse("improvements:list"))
    assert page.status_code == 200
    assert "缩短售后响应时间" in page.content.decode()
    assert 'id="nav-improvements"' in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, raise_one):
    improvement = raise_one()
    for url in (reverse("improvements:list"), improvement.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["amy", "hank", "ana"])
def test_only_managers_may_raise_improvements(people, client_as, who):
    client = client_as(getattr(people, who))
    assert client.get(reverse("improvements:create")).status_code == 403
    assert client.post(reverse("improvements:create"), form_data(people)).status_code == 403
    assert not ImprovementAction.objects.exists()


def test_a_supervisor_raises_one_and_lands_on_its_page(people, client_as):
    client = in_english(client_as(people.sam))
    response = client.post(reverse("improvements:create"), form_data(people), follow=True)
    improvement = ImprovementAction.objects.get()
    assert response.redirect_chain[-1][0] == improvement.get_absolute_url()
    assert improvement.reference in response.content.decode()
    assert improvement.created_by == people.sam


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "This field is required"),
        ({"deadline": "2020-01-01"}, "today or later"),
        ({"deadline": "not a date"}, "Enter a valid date"),
        ({"owner": "999999"}, "Select a valid choice"),
        ({"target_score": "150"}, "less than or equal to 100"),
        ({"source": Source.TICKETS, "tickets": "FK-2020-999999"}, "No ticket you may see"),
        ({"source": Source.TICKETS, "tickets": "hello"}, "Not a ticket reference"),
        ({"source": Source.TICKETS}, "Link at least one ticket"),
        ({"source": Source.SURVEY_ITEM}, "Choose the survey campaign"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(people, client_as, changes, message):
    client = in_english(client_as(people.sam))
    response = client.post(reverse("improvements:create"), form_data(people, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImprovementAction.objects.exists()


def test_raising_from_a_ticket_prefills_the_form(people, client_as, make_ticket):
    ticket = make_ticket(subject="配件到货太慢")
    client = in_english(client_as(people.sam))
    page = client.get(reverse("improvements:create") + f"?ticket={ticket.pk}").content.decode()
    assert ticket.reference in page and "配件到货太慢" in page
    response = client.post(
        reverse("improvements:create"), form_data(people, source=Source.TICKETS, tickets=ticket.reference)
    )
    assert response.status_code == 302
    assert list(ImprovementAction.objects.get().tickets.all()) == [ticket]


def test_the_ticket_page_offers_raising_to_managers_only_and_lists_linked_improvements(
    people, client_as, make_ticket, raise_one
):
    ticket = make_ticket()
    raise_url = reverse("improvements:create") + f"?ticket={ticket.pk}"
    page = in_english(client_as(people.sam)).get(ticket.get_absolute_url()).content.decode()
    assert raise_url in page
    improvement = raise_one(source=Source.TICKETS, tickets=[ticket])
    page = in_english(client_as(people.amy)).get(ticket.get_absolute_url()).content.decode()
    assert improvement.reference in page
    assert raise_url not in page


def test_linking_a_ticket_to_an_existing_improvement_from_the_ticket_page(
    people, client_as, make_ticket, raise_one
):
    improvement = raise_one()
    ticket = make_ticket()
    url = reverse("improvements:link_ticket", args=[ticket.pk])
    assert client_as(people.amy).post(url, {"improvement": improvement.pk}).status_code == 403
    response = client_as(people.sam).post(url, {"improvement": improvement.pk})
    assert response["Location"] == ticket.get_absolute_url()
    assert list(improvement.tickets.all()) == [ticket]


def test_a_handler_sees_only_their_own_and_their_departments(people, client_as, raise_one):
    sales = make_department(name="销售部", code="SA")
    seller = make_user("sally", Role.HANDLER, department=sales)
    hanks, sallys = raise_one(title="质量改进"), raise_one(title="销售改进", owner=seller)
    client = client_as(people.hank)
    page = client.get(reverse("improvements:list")).content.decode()
    assert "质量改进" in page and "销售改进" not in page
    assert client.get(sallys.get_absolute_url()).status_code == 404
    assert client.get(hanks.get_absolute_url()).status_code == 200


def test_the_owner_edits_own_fields_only_and_other_handlers_are_turned_away(people, client_as, raise_one):
    improvement = raise_one()
    url = reverse("improvements:edit", args=[improvement.pk])
    client = in_english(client_as(people.hank))
    page = client.get(url).content.decode()
    assert 'name="evidence"' in page and 'name="deadline"' not in page
    later = (improvement.deadline + datetime.timedelta(days=90)).isoformat()
    client.post(url, {"measures": "新措施", "evidence": "照片存于质量部", "deadline": later})
    improvement.refresh_from_db()
    assert improvement.evidence == "照片存于质量部" and improvement.measures == "新措施"
    assert improvement.deadline != datetime.date.fromisoformat(later)

    other = make_user("harry", Role.HANDLER, department=people.quality)
    response = client_as(other).post(url, {"measures": "不是我的", "evidence": "x"})
    assert response.status_code == 302
    improvement.refresh_from_db()
    assert improvement.measures == "新措施"


def test_transition_buttons_follow_role_and_status(people, client_as, raise_one):
    improvement = raise_one()
    start = reverse("improvements:transition", args=[improvement.pk, "start"])
    page = in_english(client_as(people.hank)).get(improvement.get_absolute_url()).content.decode()
    assert 'id="do-start"' in page and 'id="do-cancel"' not in page
    page = in_english(client_as(people.ana)).get(improvement.get_absolute_url()).content.decode()
    assert 'id="do-start"' not in page and 'id="edit"' not in page

    client_as(people.ana).post(start)
    assert ImprovementAction.objects.get().status == Status.PLANNED
    client_as(people.hank).post(start)
    assert ImprovementAction.objects.get().status == Status.IN_PROGRESS
    complete = reverse("improvements:transition", args=[improvement.pk, "complete"])
    response = in_english(client_as(people.hank)).post(complete, {"note": ""}, follow=True)
    assert "Describe what was done" in response.content.decode()
    assert ImprovementAction.objects.get().status == Status.IN_PROGRESS
    assert (
        client_as(people.hank)
        .post(reverse("improvements:transition", args=[improvement.pk, "fly"]))
        .status_code
        == 404
    )


def test_overdue_improvements_are_highlighted_and_filtered(people, client_as, raise_one):
    late = raise_one(title="逾期的措施")
    ImprovementAction.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    raise_one(title="按期的措施")
    client = in_english(client_as(people.sam))
    page = client.get(reverse("improvements:list")).content.decode()
    assert 'class="table-danger overdue"' in page and 'id="overdue-count"' in page
    page = client.get(reverse("improvements:list") + "?overdue=on").content.decode()
    assert "逾期的措施" in page and "按期的措施" not in page
    page = client.get(reverse("improvements:list") + f"?status={Status.DONE}").content.decode()
    assert "逾期的措施" not in page
    page = client.get(reverse("improvements:list") + "?status=nonsense").content.decode()
    assert "逾期的措施" in page  # a bad filter filters nothing
    page = client.get(late.get_absolute_url()).content.decode()
    assert "overdue" in page


def test_notify_button_sends_and_reports_tell_by_phone(
    people, client_as, raise_one, make_ticket, smtp_server
):
    from manyi.testing import make_customer

    with_mail = make_customer(name="甲公司", email="jia@example.com")
    without = make_customer(name="乙公司", phone="0571-1234")
    improvement = raise_one(source=Source.TICKETS, tickets=[make_ticket(with_mail), make_ticket(without)])
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "完成")
    workflow.update_improvement(improvement, people.sam, {"customer_message": "已改进"})
    url = reverse("improvements:notify", args=[improvement.pk])
    assert client_as(people.hank).post(url).status_code == 403
    page = in_english(client_as(people.sam)).post(url, follow=True).content.decode()
    assert "tell by phone: 乙公司" in page
    assert len(smtp_server.messages) == 1
    in_english(client_as(people.sam)).post(url)
    assert len(smtp_server.messages) == 1
    assert improvement.events.filter(kind=EventKind.NOTIFIED).count() == 1


def test_the_pareto_table_links_a_category_to_a_new_improvement(people, client_as, make_ticket):
    from manyi.tickets.models import Category

    category = Category.objects.create(code="after-sales-x", name="售后响应")
    make_ticket(category=category)
    link = reverse("improvements:create") + f"?category={category.pk}"
    page = in_english(client_as(people.sam)).get(reverse("ticket_stats:page")).content.decode()
    assert link in page
    page = in_english(client_as(people.ana)).get(reverse("ticket_stats:page")).content.decode()
    assert link not in page
    form = in_english(client_as(people.sam)).get(link).content.decode()
    assert f'<option value="{category.pk}" selected>' in form
    response = client_as(people.sam).post(
        reverse("improvements:create"), form_data(people, source=Source.CATEGORY, category=category.pk)
    )
    assert response.status_code == 302
    assert ImprovementAction.objects.get().category == category


def test_raising_from_a_dashboard_item_prefills_campaign_and_item(people, client_as):
    from manyi.testing import make_campaign, make_question, make_questionnaire

    questionnaire = make_questionnaire()
    make_question(questionnaire, "Q1", text="交货及时性")
    campaign = make_campaign(questionnaire)
    url = reverse("improvements:create") + f"?campaign={campaign.pk}&item=Q1"
    page = in_english(client_as(people.sam)).get(url).content.decode()
    assert f'<option value="{campaign.pk}" selected>' in page
    assert 'value="Q1"' in page and "交货及时性" in page


def test_the_list_and_detail_pages_cost_the_same_queries_however_many_rows(
    people, client_as, raise_one, make_ticket
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from manyi.tickets.models import Category

    category = Category.objects.create(code="cat-q", name="交付")
    client = client_as(people.sam)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    from manyi.testing import make_contact, make_customer

    def customer_ticket():
        customer = make_customer(email="")
        make_contact(customer, name="联系人", email="c@example.com")
        return make_ticket(customer)

    first = raise_one(source=Source.CATEGORY, category=category, tickets=[customer_ticket()])
    few = count(reverse("improvements:list")), count(first.get_absolute_url())
    for n in range(12):
        raise_one(title=f"措施{n}", source=Source.CATEGORY, category=category)
    workflow.link_ticket(first, people.sam, customer_ticket())
    workflow.link_ticket(first, people.sam, customer_ticket())
    many = count(reverse("improvements:list")), count(first.get_absolute_url())
    assert many == few
