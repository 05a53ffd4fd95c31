"""Feedback and complaints on the customer's timeline, for whoever may see each ticket."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.customers.timeline import timeline_for
from manyi.testing import make_customer
from manyi.tickets import callback, workflow
from manyi.tickets.choices import Channel, ReplyMethod
from manyi.tickets.models import Ticket
from manyi.tickets.tests.conftest import in_english

pytestmark = pytest.mark.django_db


def handled_ticket(people, customer, department, subject, start):
    """A ticket taken through its whole life, one hour a step, with an internal note."""
    steps = iter(start + timedelta(hours=n) for n in range(1, 20))
    ticket = workflow.open_ticket(
        by=people.amy,
        channel=Channel.PHONE,
        subject=subject,
        description="冰箱门关不严。",
        customer=customer,
        received_at=start,
        now=start,
    )
    workflow.acknowledge(ticket, people.amy, now=next(steps))
    workflow.assign(ticket, people.sam, department, now=next(steps))
    workflow.add_note(ticket, people.sam, "内部：客户脾气急。", now=next(steps))
    workflow.start_investigation(ticket, people.sam, now=next(steps))
    workflow.add_customer_message(ticket, people.amy, "客户来电催促。", now=next(steps))
    workflow.reply(ticket, people.amy, "已安排上门更换门封条。", ReplyMethod.PHONE, now=next(steps))
    workflow.verify(ticket, people.sam, now=next(steps))
    workflow.close(ticket, people.sam, now=next(steps))
    callback.record_by_phone(ticket, people.amy, 5, "师傅很专业", now=next(steps))
    return ticket


def ticket_entries(customer, user):
    return [(entry.title, entry.detail) for entry in timeline_for(customer, user) if entry.kind == "ticket"]


def test_a_tickets_life_is_on_the_customers_timeline_newest_first(people):
    customer = make_customer()
    start = timezone.now() - timedelta(days=2)
    ticket = handled_ticket(people, customer, people.quality, "冰箱门坏了", start)
    ref = ticket.reference
    assert ticket_entries(customer, people.sam) == [
        ("Satisfaction callback: " + ref, "Very satisfied — 师傅很专业"),
        (f"Ticket {ref}: Closed", ""),
        ("Replied to the customer: " + ref, "By phone: 已安排上门更换门封条。"),
        ("Customer message: " + ref, "客户来电催促。"),
        (f"Feedback received: {ref} (Phone)", "冰箱门坏了"),
    ]
    # Reopened and closed as not valid: both on the timeline; the internal steps are not.
    workflow.reopen(ticket, people.sam, "客户说又坏了", now=start + timedelta(hours=30))
    workflow.close_invalid(ticket, people.sam, "人为损坏", now=start + timedelta(hours=31))
    titles = [title for title, _detail in ticket_entries(customer, people.sam)]
    assert titles[:2] == [f"Ticket {ref}: Closed as invalid", f"Ticket {ref} reopened"]
    assert not any(
        "内部" in detail or "Assign" in title for title, detail in ticket_entries(customer, people.sam)
    )
    entry = next(e for e in timeline_for(customer, people.sam) if e.kind == "ticket")
    assert entry.url == reverse("tickets:detail", args=[ticket.pk])


def test_a_handler_sees_only_their_departments_tickets_on_the_timeline(people, client_as):
    customer = make_customer()
    start = timezone.now() - timedelta(days=2)
    theirs = handled_ticket(people, customer, people.quality, "冰箱门坏了", start)
    other = handled_ticket(people, customer, people.service, "发票开错了", start + timedelta(hours=1))
    references = {
        name: {
            re.search(r"FK-\d{4}-\d{6}", title)[0]
            for title, _d in ticket_entries(customer, getattr(people, name))
        }
        for name in ("sam", "hank", "ana")
    }
    assert references == {
        "sam": {theirs.reference, other.reference},
        "hank": {theirs.reference},
        "ana": {theirs.reference, other.reference},
    }
    page = in_english(client_as(people.hank)).get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert theirs.reference in text and other.reference not in text and "发票开错了" not in text


def test_the_customers_words_are_masked_on_the_timeline_for_who_may_not_see_personal_data(people, client_as):
    customer = make_customer()
    ticket = workflow.open_ticket(
        by=people.amy,
        channel=Channel.PHONE,
        subject="请回电 13812345678",
        description="冰箱门关不严。",
        customer=customer,
    )
    Ticket.objects.filter(pk=ticket.pk).update(department=people.quality)  # hank's department
    url = reverse("customers:detail", args=[customer.pk])
    assert "13812345678" in client_as(people.amy).get(url).content.decode()
    for_hank = client_as(people.hank).get(url).content.decode()
    assert "13812345678" not in for_hank and "138****5678" in for_hank
