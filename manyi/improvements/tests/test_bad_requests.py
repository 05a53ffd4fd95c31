"""Requests the improvement pages must handle cleanly, and what a handler may not read."""

import pytest
from django.urls import reverse

from manyi.improvements import notify, workflow
from manyi.improvements.choices import Source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30])
def test_odd_numbers_in_the_raise_forms_address_are_ignored(people, client_as, value):
    client = client_as(people.sam)
    url = reverse("improvements:create")
    for name in ("ticket", "category", "campaign"):
        response = client.get(url, {name: value})
        assert response.status_code == 200, name


def test_a_handler_sees_no_address_or_phone_of_nameless_contacts_on_the_timeline(
    people, raise_one, make_ticket, client_as, smtp_server
):
    by_mail = make_ticket(None, contact_name="", contact_email="nameless@example.com")
    by_phone = make_ticket(None, contact_name="", contact_phone="13900002222")
    improvement = raise_one(source=Source.TICKETS, tickets=[by_mail, by_phone])
    workflow.apply(improvement, people.hank, "start")
    workflow.apply(improvement, people.hank, "complete", "完成")
    workflow.update_improvement(improvement, people.sam, {"customer_message": "流程已改进。"})
    assert len(notify.notify_customers(improvement, people.sam).sent) == 1
    notify.record_phone_call(improvement, people.amy, f"t{by_phone.pk}")
    assert [r for _s, rcpts, _m in smtp_server.messages for r in rcpts] == ["nameless@example.com"]

    page = client_as(people.hank).get(improvement.get_absolute_url()).content.decode()  # the owner
    assert "nameless@example.com" not in page and "13900002222" not in page
    assert "n***@example.com" in page and "139****2222" in page


def test_a_handler_sees_no_customer_of_another_departments_ticket_among_those_to_tell(
    people, raise_one, make_ticket, client_as
):
    from manyi.testing import make_customer
    from manyi.tickets.models import Ticket

    ours = make_ticket(make_customer(name="本部门客户"))
    theirs = make_ticket(make_customer(name="外部门客户"))
    walker = make_ticket(None, contact_name="外部门路人", contact_email="walker@example.com")
    Ticket.objects.filter(pk=ours.pk).update(department=people.quality)  # hank's department
    Ticket.objects.filter(pk__in=[theirs.pk, walker.pk]).update(department=people.service)
    improvement = raise_one(source=Source.TICKETS, tickets=[ours, theirs, walker])

    page = client_as(people.hank).get(improvement.get_absolute_url()).content.decode()
    assert "本部门客户" in page and ours.reference in page
    # (Their references stay in the timeline's "linked" note: a number says nothing about who.)
    assert "外部门客户" not in page and "外部门路人" not in page
    assert f'data-key="c{theirs.customer_id}"' not in page and f'data-key="t{walker.pk}"' not in page
    page = client_as(people.sam).get(improvement.get_absolute_url()).content.decode()
    assert all(text in page for text in ("本部门客户", "外部门客户", "外部门路人", walker.reference))
