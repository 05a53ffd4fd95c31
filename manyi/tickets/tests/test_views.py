"""Ticket pages: who may open each one, intake, queues, the detail page and its buttons."""

from datetime import timedelta

import pytest
from django.contrib import messages
from django.urls import reverse
from django.utils import timezone

from manyi.testing import make_customer
from manyi.tickets import workflow
from manyi.tickets.choices import Channel, TicketState
from manyi.tickets.models import Ticket

from .conftest import in_english

pytestmark = pytest.mark.django_db

ROLES = ["alice", "sam", "amy", "hank", "ana", "ivan"]
VIEWERS = {"alice", "sam", "amy", "hank", "ana"}
TAKERS = {"alice", "sam", "amy"}


def make_ticket(department=None, state=None, **kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("subject", "快递慢")
    kwargs.setdefault("description", "下单一周仍未收到货。")
    ticket = workflow.open_ticket(by=None, **kwargs)
    Ticket.objects.filter(pk=ticket.pk).update(department=department, state=state or TicketState.NEW)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def quality_ticket(people):
    return make_ticket(
        people.quality, TicketState.ASSIGNED, contact_name="张先生", contact_phone="13812345678"
    )


def pages(ticket):
    return {
        "list": ("get", reverse("tickets:list"), VIEWERS),
        "create": ("get", reverse("tickets:create"), TAKERS),
        "detail": ("get", reverse("tickets:detail", args=[ticket.pk]), VIEWERS),
    }


@pytest.mark.parametrize("page", ["list", "create", "detail"])
@pytest.mark.parametrize("who", ROLES)
def test_who_may_open_each_page(people, client_as, quality_ticket, page, who):
    method, url, allowed = pages(quality_ticket)[page]
    response = getattr(client_as(getattr(people, who)), method)(url)
    if who == "ivan":  # disabled: treated as signed out
        assert response.status_code == 302
    elif who in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("page", ["list", "create", "detail"])
def test_signed_out_visitors_go_to_the_login_page(people, client_as, quality_ticket, page):
    _, url, _ = pages(quality_ticket)[page]
    response = client_as(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_handler_does_not_see_another_departments_ticket(people, client_as):
    ticket = make_ticket(people.service, TicketState.ASSIGNED)
    assert client_as(people.hank).get(reverse("tickets:detail", args=[ticket.pk])).status_code == 404
    url = reverse("tickets:transition", args=[ticket.pk, "investigate"])
    assert client_as(people.hank).post(url).status_code == 404
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ASSIGNED


# --------------------------------------------------------------------------- intake


def intake(**changes):
    data = {
        "channel": Channel.PHONE,
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "customer_code": "",
        "contact_name": "李女士",
        "contact_phone": "13900001111",
        "contact_email": "",
        "category": "",
        "severity": "minor",
        "demand": "replacement",
        "subject": "包装破损",
        "description": "两件产品开裂。",
    }
    data.update(changes)
    return data


def test_an_agent_records_feedback(people, client_as):
    customer = make_customer(code="C-ACME")
    response = client_as(people.amy).post(reverse("tickets:create"), intake(customer_code="C-ACME"))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    assert (ticket.customer, ticket.created_by, ticket.severity, ticket.demand) == (
        customer,
        people.amy,
        "minor",
        "replacement",
    )
    assert ticket.events.get().by == people.amy


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"description": ""}, "description"),
        ({"customer_code": "NOPE"}, "customer_code"),
        ({"channel": Channel.SURVEY}, "channel"),  # survey tickets are opened by the rule only
        ({"severity": "fatal"}, "severity"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"received_at": "yesterday"}, "received_at"),
    ],
)
def test_bad_intake_is_shown_and_saves_nothing(people, client_as, changes, field):
    response = client_as(people.amy).post(reverse("tickets:create"), intake(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_a_future_receipt_time_is_refused_by_the_domain(people, client_as):
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(people.amy).post(reverse("tickets:create"), intake(received_at=later))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "1999-12-31T08:00"])
def test_a_receipt_time_before_2000_is_refused_by_the_domain(people, client_as, when):
    # Year 1 was a server error (no UTC time before it); any such date is a typing mistake.
    client = in_english(client_as(people.amy))
    response = client.post(reverse("tickets:create"), intake(received_at=when))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The feedback cannot have been received before 2000."
    ]
    assert not Ticket.objects.exists()


def test_read_only_roles_cannot_post_feedback(people, client_as):
    for user in (people.hank, people.ana):
        assert client_as(user).post(reverse("tickets:create"), intake()).status_code == 403
    assert not Ticket.objects.exists()


# --------------------------------------------------------------------------- queues


def test_the_queues(people, client_as):
    mine = make_ticket(people.quality, TicketState.INVESTIGATING, subject="我的")
    Ticket.objects.filter(pk=mine.pk).update(assignee=people.hank)
    department = make_ticket(people.quality, TicketState.ASSIGNED, subject="本部门")
    unassigned = make_ticket(None, TicketState.ACKNOWLEDGED, subject="未分派")
    overdue = make_ticket(
        None, TicketState.NEW, subject="超时", received_at=timezone.now() - timedelta(days=30)
    )
    closed = make_ticket(people.quality, TicketState.CLOSED, subject="已关闭")

    def queue(user, name):
        response = client_as(user).get(reverse("tickets:list"), {"queue": name})
        assert response.status_code == 200
        return {row["ticket"] for row in response.context["rows"]}

    assert queue(people.hank, "mine") == {mine}
    assert queue(people.hank, "department") == {mine, department}
    assert queue(people.hank, "open") == {mine, department}  # a handler sees the department only
    assert queue(people.sam, "unassigned") == {unassigned, overdue}
    assert queue(people.sam, "overdue") == {overdue}
    assert queue(people.sam, "closed") == {closed}
    assert queue(people.sam, "open") == {mine, department, unassigned, overdue}
    assert queue(people.sam, "nonsense") == queue(people.sam, "open")


def test_the_due_soon_queue(people, client_as, settings):
    """Open tickets not yet overdue with a deadline to meet within TICKET_DUE_SOON_HOURS."""
    settings.TICKET_DUE_SOON_HOURS = 8
    now = timezone.now()
    far = now + timedelta(days=10)

    def ticket(subject, state=TicketState.ASSIGNED, **deadlines):
        made = make_ticket(people.quality, state, subject=subject)
        # every deadline set here: the forwarding one the policy sets at creation falls within
        # the window or not by the time of day (working hours)
        values = {"response_due": far, "forwarding_due": far, "solution_due": far, "resolution_due": far}
        values |= deadlines
        Ticket.objects.filter(pk=made.pk).update(**values)
        return made

    response_soon = ticket("两小时内首次响应", response_due=now + timedelta(hours=2))
    solution_soon = ticket(
        "首次响应已完成，解决将到期",
        response_due=now - timedelta(hours=5),
        first_response_at=now - timedelta(hours=6),
        solution_due=now + timedelta(hours=7),
    )
    ticket("首次响应已完成，不算", response_due=now + timedelta(hours=1), first_response_at=now)
    ticket("已超时的不在此列", response_due=now - timedelta(minutes=1), solution_due=now + timedelta(hours=1))
    ticket("还早", response_due=now + timedelta(hours=9))
    ticket("已关闭", TicketState.CLOSED, response_due=now + timedelta(hours=1))
    no_deadlines = make_ticket(people.quality, TicketState.ASSIGNED, subject="无截止时间")
    Ticket.objects.filter(pk=no_deadlines.pk).update(
        response_due=None, forwarding_due=None, solution_due=None, resolution_due=None
    )

    response = client_as(people.sam).get(reverse("tickets:list"), {"queue": "due_soon"})
    assert response.status_code == 200
    assert {row["ticket"] for row in response.context["rows"]} == {response_soon, solution_soon}
    assert b'id="queue-due_soon"' in response.content


def test_the_filters_narrow_a_queue(people, client_as):
    from manyi.tickets.choices import Severity
    from manyi.tickets.models import Category

    building = Category.objects.get(code="property_building")
    property_root = Category.objects.get(code="property")
    logistics = Category.objects.get(code="logistics")
    customer = make_customer(code="C-8801", name="华东重工")
    a = make_ticket(
        people.quality, TicketState.ASSIGNED, subject="电梯故障", category=building,
        severity=Severity.MAJOR, channel=Channel.ON_SITE, customer=customer,
        received_at=timezone.now() - timedelta(days=40),
    )  # fmt: skip
    b = make_ticket(
        people.quality, TicketState.ASSIGNED, subject="物业费", category=property_root, channel=Channel.WECHAT,
        contact_phone="13900001111",
    )  # fmt: skip
    c = make_ticket(people.service, TicketState.NEW, subject="快递慢", category=logistics)
    Ticket.objects.filter(pk=c.pk).update(priority=4)

    def found(user, **query):
        response = client_as(user).get(reverse("tickets:list"), {"queue": "open", **query})
        assert response.status_code == 200, response.content
        return {row["ticket"] for row in response.context["rows"]}

    assert found(people.sam) == {a, b, c}
    assert found(people.sam, category=property_root.pk) == {a, b}  # the branch, children too
    assert found(people.sam, category=building.pk) == {a}
    assert found(people.sam, severity=Severity.MAJOR) == {a}
    assert found(people.sam, channel=Channel.WECHAT) == {b}
    assert found(people.sam, priority=4) == {c}
    assert found(people.sam, department=people.service.pk) == {c}
    assert found(people.sam, state=TicketState.NEW) == {c}
    assert found(people.sam, q="电梯") == {a}
    assert found(people.sam, q=a.reference.lower()) == {a}
    assert found(people.sam, q="华东重工") == {a}
    assert found(people.sam, q="C-8801") == {a}
    today = timezone.localdate()
    assert found(people.sam, received_to=(today - timedelta(days=30)).isoformat()) == {a}
    assert found(people.sam, received_from=(today - timedelta(days=1)).isoformat()) == {b, c}
    assert found(people.sam, category=property_root.pk, channel=Channel.ON_SITE) == {a}
    # A phone number finds a ticket only for roles that may see personal data; filters never
    # widen what a role sees (hank handles the quality department's tickets only).
    assert found(people.sam, q="13900001111") == {b}
    assert found(people.hank, q="13900001111") == set()
    assert found(people.hank, department=people.service.pk) == set()


def test_bad_filters_get_a_message_and_filter_nothing(people, client_as):
    make_ticket(people.quality, TicketState.ASSIGNED, subject="甲")
    make_ticket(people.quality, TicketState.ASSIGNED, subject="乙")
    client = in_english(client_as(people.sam))
    for query in (
        {"received_from": "2026-13-40"},
        {"received_from": "2026-05-02", "received_to": "2026-05-01"},
        {"received_to": "9999-12-31"},
        {"severity": "catastrophic"},
        {"priority": "x"},
        {"category": "999999"},
        {"q": "长" * 101},
    ):
        response = client.get(reverse("tickets:list"), query)
        assert response.status_code == 400, query
        assert len(response.context["rows"]) == 2, query
        assert response.context["filters"].errors, query
        assert [m.level for m in response.context["messages"]] == [messages.ERROR], query


def test_links_and_bulk_assignment_keep_the_filters(people, client_as):
    from manyi.tickets.choices import Severity

    tickets = [
        make_ticket(None, TicketState.ACKNOWLEDGED, subject=f"批量{n}", severity=Severity.MINOR)
        for n in range(55)
    ]
    client = client_as(people.sam)
    response = client.get(reverse("tickets:list"), {"queue": "unassigned", "severity": Severity.MINOR})
    html = response.content.decode()
    assert f"?queue=unassigned&amp;severity={Severity.MINOR}&amp;page=2" in html
    assert f'href="?queue=overdue&amp;severity={Severity.MINOR}"' in html
    assert f'name="filters" value="severity={Severity.MINOR}"' in html
    posted = client.post(
        reverse("tickets:bulk_assign"),
        {
            "queue": "unassigned",
            "filters": f"severity={Severity.MINOR}&bogus=1&received_from=not-a-date",
            "tickets": [tickets[0].pk],
            "department": people.quality.pk,
        },
    )
    # Invalid filters do not travel back; valid ones would.
    assert posted.status_code == 302 and posted.url == reverse("tickets:list") + "?queue=unassigned"
    posted = client.post(
        reverse("tickets:bulk_assign"),
        {"queue": "unassigned", "filters": f"severity={Severity.MINOR}", "tickets": [tickets[1].pk],
         "department": people.quality.pk},
    )  # fmt: skip
    assert posted.url == reverse("tickets:list") + f"?queue=unassigned&severity={Severity.MINOR}"


def test_the_list_shows_the_time_left_and_marks_overdue(people, client_as):
    make_ticket(None, TicketState.NEW, subject="超时", received_at=timezone.now() - timedelta(days=30))
    response = in_english(client_as(people.sam)).get(reverse("tickets:list"))
    (row,) = response.context["rows"]
    assert row["overdue"]
    assert row["left"].startswith("overdue")


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(people, client_as, django_assert_max_num_queries):
    for n in range(30):
        make_ticket(
            people.quality if n % 2 else None,
            TicketState.ASSIGNED,
            channel=Channel.SURVEY if n % 3 else Channel.PHONE,
        )
    client = client_as(people.sam)
    with django_assert_max_num_queries(10):  # 2 of them: the filters' category and department choices
        response = client.get(reverse("tickets:list"))
    assert len(response.context["rows"]) == 30


# --------------------------------------------------------------------------- detail and buttons


def test_the_detail_page_shows_the_timeline_and_the_buttons_the_user_may_press(
    people, client_as, quality_ticket
):
    response = client_as(people.hank).get(reverse("tickets:detail", args=[quality_ticket.pk]))
    assert [t.name for t in response.context["transitions"]] == ["investigate"]
    assert b'id="do-investigate"' in response.content
    assert b'id="do-assign"' not in response.content
    assert len(response.context["events"]) == 1
    response = client_as(people.ana).get(reverse("tickets:detail", args=[quality_ticket.pk]))
    assert response.context["transitions"] == []


def test_contact_data_is_masked_for_roles_without_the_right(people, client_as, quality_ticket):
    url = reverse("tickets:detail", args=[quality_ticket.pk])
    assert client_as(people.hank).get(url).context["contact"]["phone"] == "138****5678"
    assert client_as(people.amy).get(url).context["contact"]["phone"] == "13812345678"


def test_a_button_press_moves_the_ticket_and_records_it(people, client_as, quality_ticket):
    url = reverse("tickets:transition", args=[quality_ticket.pk, "investigate"])
    response = client_as(people.hank).post(url, {"note": "到仓库取样"})
    assert response.status_code == 302
    quality_ticket.refresh_from_db()
    assert quality_ticket.state == TicketState.INVESTIGATING
    event = quality_ticket.events.latest("pk")
    assert (event.by, event.note) == (people.hank, "到仓库取样")


def test_assigning_through_the_page(people, client_as):
    ticket = make_ticket(None, TicketState.ACKNOWLEDGED)
    url = reverse("tickets:transition", args=[ticket.pk, "assign"])
    client_as(people.sam).post(url, {"department": people.quality.pk, "assignee": people.hank.pk})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.department, ticket.assignee) == (
        TicketState.ASSIGNED,
        people.quality,
        people.hank,
    )


@pytest.mark.parametrize("who", ["hank", "ana", "amy"])
def test_a_role_without_the_capability_gets_403_and_nothing_changes(people, client_as, quality_ticket, who):
    url = reverse("tickets:transition", args=[quality_ticket.pk, "close_invalid"])
    response = client_as(getattr(people, who)).post(url, {"note": "无效", "validity": "invalid"})
    assert response.status_code == 403
    quality_ticket.refresh_from_db()
    assert quality_ticket.state == TicketState.ASSIGNED


def test_a_refused_transition_shows_the_reason_and_changes_nothing(people, client_as, quality_ticket):
    url = reverse("tickets:transition", args=[quality_ticket.pk, "close"])
    response = in_english(client_as(people.sam)).post(url, follow=True)
    assert "cannot be changed" in response.content.decode()
    quality_ticket.refresh_from_db()
    assert quality_ticket.state == TicketState.ASSIGNED
    assert quality_ticket.events.count() == 1


def test_a_missing_reason_is_refused_through_the_page(people, client_as, quality_ticket):
    url = reverse("tickets:transition", args=[quality_ticket.pk, "close_invalid"])
    client_as(people.sam).post(url, {"note": "", "validity": "invalid"})
    quality_ticket.refresh_from_db()
    assert quality_ticket.state == TicketState.ASSIGNED


def test_a_duplicate_names_the_original_by_reference(people, client_as, quality_ticket):
    original = make_ticket()
    url = reverse("tickets:transition", args=[quality_ticket.pk, "close_duplicate"])
    client_as(people.sam).post(url, {"original": "FK-1999-000001"})
    quality_ticket.refresh_from_db()
    assert quality_ticket.state == TicketState.ASSIGNED
    client_as(people.sam).post(url, {"original": original.reference.lower()})
    quality_ticket.refresh_from_db()
    assert (quality_ticket.state, quality_ticket.duplicate_of) == (TicketState.DUPLICATE, original)


def test_transitions_only_accept_post_and_known_names(people, client_as, quality_ticket):
    client = client_as(people.sam)
    assert (
        client.get(reverse("tickets:transition", args=[quality_ticket.pk, "investigate"])).status_code == 405
    )
    assert client.post(reverse("tickets:transition", args=[quality_ticket.pk, "explode"])).status_code == 404
    assert client.post(reverse("tickets:transition", args=[999999, "investigate"])).status_code == 404


@pytest.mark.parametrize(
    "delta, working, text",
    [
        (timedelta(minutes=20), False, "20 min"),
        (timedelta(hours=3, minutes=15), False, "3 h 15 min"),
        (timedelta(days=2, hours=3, minutes=59), False, "2 d 3 h"),
        (timedelta(hours=37, minutes=30), True, "37 h 30 min"),
        (-timedelta(hours=1, minutes=5), False, "overdue 1 h 5 min"),
        (timedelta(0), False, "0 min"),
        (None, False, ""),
    ],
)
def test_time_left_is_written_for_people(delta, working, text):
    from manyi.tickets.views import format_duration

    assert format_duration(delta, working) == text


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("assign", {"department": ""}, "Responsible department: Choose a department."),
        ("assign", {"department": "999999"}, "Responsible department: Select a valid choice."),
        (
            "close_invalid",
            {"note": "  ", "validity": "invalid"},
            "Give the reason the feedback is not valid.",
        ),
        ("close_invalid", {"note": "恶意索赔", "validity": "valid"}, "Validity: Select a valid choice."),
        ("close_duplicate", {"original": " "}, "Give the reference of the ticket this one repeats."),
        ("close_duplicate", {"original": "FK-1999-000001"}, "No ticket has this reference."),
    ],
)
def test_bad_transition_input_says_what_to_correct(people, client_as, quality_ticket, name, data, message):
    from django.contrib.messages import get_messages

    url = reverse("tickets:transition", args=[quality_ticket.pk, name])
    response = in_english(client_as(people.sam)).post(url, data)
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(said) == 1 and said[0].startswith(message), said
    quality_ticket.refresh_from_db()
    assert quality_ticket.state == TicketState.ASSIGNED
    assert quality_ticket.events.count() == 1


def test_the_list_tells_tickets_apart_by_customer_channel_and_time_received(people, client_as):
    received = timezone.now() - timedelta(hours=3)
    make_ticket(
        None,
        TicketState.NEW,
        subject="低分评价",
        customer=make_customer(name="华东重工"),
        received_at=received,
    )
    make_ticket(None, TicketState.NEW, subject="低分评价", channel=Channel.WECHAT)
    body = in_english(client_as(people.sam)).get(reverse("tickets:list")).content.decode()
    cells = body.split('class="ticket-customer"')[1:]
    assert len(cells) == 2
    named = next(cell for cell in cells if "华东重工" in cell)
    assert "Phone" in named and timezone.localtime(received).strftime("%Y-%m-%d %H:%M") in named
    anonymous = next(cell for cell in cells if "华东重工" not in cell)
    assert "Anonymous" in anonymous and "WeChat" in anonymous


def test_the_callbacks_to_make_queue(people, client_as):
    from manyi.tickets.choices import CallbackStatus

    now = timezone.now()

    def closed(subject, **callback):
        ticket = make_ticket(people.quality, TicketState.CLOSED, subject=subject)
        Ticket.objects.filter(pk=ticket.pk).update(**callback)
        return ticket

    phone = closed("无邮箱", callback_status=CallbackStatus.PHONE)
    expired = closed(
        "链接过期", callback_status=CallbackStatus.SENT, callback_expires_at=now - timedelta(hours=1)
    )
    closed("等待回答", callback_status=CallbackStatus.SENT, callback_expires_at=now + timedelta(days=3))
    closed("已回答", callback_status=CallbackStatus.ANSWERED)
    closed("待发送", callback_status=CallbackStatus.DUE)
    reopened = make_ticket(people.quality, TicketState.ASSIGNED, subject="重新打开")
    Ticket.objects.filter(pk=reopened.pk).update(callback_status=CallbackStatus.PHONE)
    page = in_english(client_as(people.amy)).get(reverse("tickets:list"), {"queue": "callback"})
    assert {row["ticket"] for row in page.context["rows"]} == {phone, expired}
    assert 'id="queue-callback"' in page.content.decode()


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("057188886666", "0571-88886666"),
    ],
)
def test_intake_stores_the_phone_in_one_spelling(people, client_as, typed, stored):
    response = client_as(people.amy).post(reverse("tickets:create"), intake(contact_phone=typed))
    assert response.status_code == 302
    assert Ticket.objects.get().contact_phone == stored


def test_intake_refuses_a_phone_that_is_no_number_and_an_erased_customer(people, client_as):
    make_customer(code="C-GONE", erased_at=timezone.now())
    response = in_english(client_as(people.amy)).post(
        reverse("tickets:create"), intake(contact_phone="call me", customer_code="C-GONE")
    )
    errors = response.context["form"].errors
    assert "is not a valid phone number" in errors["contact_phone"][0]
    assert errors["customer_code"] == ["No customer has this code."]
    assert not Ticket.objects.exists()


def test_an_agents_own_queue_holds_the_tickets_they_recorded(people, client_as):
    from manyi.accounts.choices import Role
    from manyi.testing import make_user

    client = in_english(client_as(people.amy))
    client.post(reverse("tickets:create"), intake(subject="我登记的"))
    recorded = Ticket.objects.get(subject="我登记的")
    other = make_user("zoe", Role.AGENT, department=people.service)
    in_english(client_as(other)).post(reverse("tickets:create"), intake(subject="别人登记的"))
    closed = make_ticket(None, TicketState.CLOSED, subject="已关闭")
    Ticket.objects.filter(pk=closed.pk).update(created_by=people.amy)
    page = in_english(client_as(people.amy)).get(reverse("tickets:list"), {"queue": "mine"})
    assert {row["ticket"] for row in page.context["rows"]} == {recorded}
    assert "Recorded by me" in page.content.decode()
    # Those who may be assigned keep “Assigned to me”.
    page = in_english(client_as(people.hank)).get(reverse("tickets:list"), {"queue": "mine"})
    assert "Assigned to me" in page.content.decode() and not page.context["rows"]
