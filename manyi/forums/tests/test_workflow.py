"""The forum's rules (workflow): dates, invitations, attendance, opinions, and an opinion that
becomes exactly one ticket and one improvement."""

import datetime
import os
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from manyi.forums import workflow
from manyi.forums.models import Forum, Invitation, Opinion
from manyi.improvements.choices import Source
from manyi.improvements.models import ImprovementAction
from manyi.results.models import Topic
from manyi.testing import make_customer
from manyi.tickets.choices import Channel
from manyi.tickets.models import Ticket

from .conftest import DAY

pytestmark = pytest.mark.django_db


def _forum_fields(people, regions, **changes):
    fields = {
        "by": people.sam,
        "unit": regions.east,
        "held_on": timezone.localdate(),
        "title": "重点客户座谈会",
        "place": "三楼会议室",
        "host": people.sam,
    }
    return fields | changes


def test_a_forum_may_be_recorded_up_to_a_year_ahead_but_not_further_nor_before_2000(people, regions):
    today = timezone.localdate()
    planned = workflow.save_forum(**_forum_fields(people, regions, held_on=today + 366 * DAY))
    assert not planned.has_taken_place()
    count = Forum.objects.count()
    for held_on in (today + 367 * DAY, datetime.date(1999, 12, 31), None):
        with pytest.raises(workflow.ForumError, match="date"):
            workflow.save_forum(**_forum_fields(people, regions, held_on=held_on))
    assert Forum.objects.count() == count


def test_a_forum_needs_a_topic_and_a_place_without_nul_characters(people, regions):
    count = Forum.objects.count()
    for changes in ({"title": "  "}, {"place": ""}, {"title": "座谈\x00会"}, {"summary": "x" * 4001}):
        with pytest.raises(workflow.ForumError):
            workflow.save_forum(**_forum_fields(people, regions, **changes))
    assert Forum.objects.count() == count


def test_the_host_must_be_active(people, regions):
    with pytest.raises(workflow.ForumError, match="host"):
        workflow.save_forum(**_forum_fields(people, regions, host=people.ivan))


def test_attendance_opinions_and_minutes_wait_for_the_forums_day(people, regions):
    planned = workflow.save_forum(**_forum_fields(people, regions, held_on=timezone.localdate() + 7 * DAY))
    workflow.invite(planned, by=people.sam, codes="E-001")
    invitation = planned.invitations.get()
    with pytest.raises(workflow.ForumError, match="from that day on"):
        workflow.record_attendance(planned, by=people.sam, came=[invitation.pk])
    with pytest.raises(workflow.ForumError, match="from that day on"):
        workflow.add_opinion(planned, by=people.sam, text="意见")
    invitation.refresh_from_db()
    assert invitation.attended is None and not planned.opinions.exists()


def test_a_held_forum_cannot_move_into_the_future(people, regions):
    forum = regions.east_forum
    workflow.add_opinion(forum, by=people.sam, text="意见")
    with pytest.raises(workflow.ForumError, match="future"):
        workflow.save_forum(**_forum_fields(people, regions, held_on=timezone.localdate() + DAY), forum=forum)
    forum.refresh_from_db()
    assert forum.held_on == regions.held_on


def test_invitations_by_code_all_or_none_from_the_forums_unit_only(people, regions):
    forum = workflow.save_forum(**_forum_fields(people, regions))
    # W-001 is 华西's; nobody is invited when one code is wrong.
    with pytest.raises(workflow.ForumError, match="W-001"):
        workflow.invite(forum, by=people.sam, codes="E-001，W-001")
    assert not forum.invitations.exists()
    added, already = workflow.invite(forum, by=people.sam, codes="E-001\nE-002")
    assert (added, already) == (["E-001", "E-002"], [])
    added, already = workflow.invite(forum, by=people.sam, codes="E-002, E-001")
    assert (added, already) == ([], ["E-002", "E-001"])
    assert forum.invitations.count() == 2


def test_a_group_forum_invites_any_region_but_never_an_erased_customer(people, regions):
    forum = workflow.save_forum(**_forum_fields(people, regions, unit=regions.group))
    erased = make_customer(code="X-001", erased_at=timezone.now())
    workflow.invite(forum, by=people.sam, codes="E-001 W-001")
    with pytest.raises(workflow.ForumError, match="X-001"):
        workflow.invite(forum, by=people.sam, codes=[erased.code])
    assert set(forum.invitations.values_list("customer__code", flat=True)) == {"E-001", "W-001"}


def test_attendance_is_recorded_for_invited_customers_only(people, regions):
    forum = regions.east_forum
    first, second = forum.invitations.order_by("customer__code")
    foreign = regions.west_forum.invitations.get()
    with pytest.raises(workflow.ForumError, match="invited"):
        workflow.record_attendance(forum, by=people.sam, came=[first.pk, foreign.pk])
    assert set(Invitation.objects.values_list("attended", flat=True)) == {None}
    assert workflow.record_attendance(forum, by=people.sam, came=[first.pk]) == 1
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.attended, second.attended) == (True, False)


def test_an_opinion_is_said_by_an_invited_customer_or_nobody(people, regions):
    forum = regions.east_forum
    with pytest.raises(workflow.ForumError, match="invited"):
        workflow.add_opinion(forum, by=people.sam, text="意见", customer=regions.west_customer)
    with pytest.raises(workflow.ForumError):
        workflow.add_opinion(forum, by=people.sam, text="\x00")
    assert not Opinion.objects.exists()
    opinion = workflow.add_opinion(forum, by=people.sam, text="  交货慢  ", customer=regions.east_customer)
    assert (opinion.text, opinion.customer) == ("交货慢", regions.east_customer)


def test_an_invitation_stays_once_its_customers_opinion_is_recorded(people, regions):
    forum = regions.east_forum
    workflow.add_opinion(forum, by=people.sam, text="意见", customer=regions.east_customer)
    invitation = forum.invitations.get(customer=regions.east_customer)
    with pytest.raises(workflow.ForumError):
        workflow.remove_invitation(invitation, by=people.sam)
    workflow.remove_invitation(forum.invitations.get(customer=regions.east_other), by=people.sam)
    assert list(forum.invitations.all()) == [invitation]


def test_an_opinion_becomes_one_ticket_of_the_forums_unit_and_customer(people, regions):
    forum = regions.east_forum
    topic = Topic.objects.get(code="delivery")
    opinion = workflow.add_opinion(
        forum, by=people.sam, text="安装调试等太久\n希望一周内", customer=regions.east_customer, topic=topic
    )
    ticket = workflow.make_ticket(opinion, by=people.sam)
    opinion.refresh_from_db()
    assert opinion.ticket == ticket
    assert ticket.customer == regions.east_customer and ticket.unit == regions.east
    assert ticket.channel == Channel.ON_SITE and ticket.topic == topic
    assert ticket.subject.endswith("安装调试等太久") and "华东客户座谈会" in ticket.description
    # Heard at the forum: received on the forum's day.
    assert timezone.localtime(ticket.received_at).date() == regions.held_on
    with pytest.raises(workflow.ForumError, match=ticket.reference):
        workflow.make_ticket(opinion, by=people.sam)
    assert Ticket.objects.count() == 1
    # Nor may it be removed now.
    with pytest.raises(workflow.ForumError):
        workflow.delete_opinion(opinion, by=people.sam)


def test_an_opinion_becomes_one_improvement_of_the_forums_unit_linked_to_its_ticket(people, regions):
    forum = regions.east_forum
    opinion = workflow.add_opinion(forum, by=people.sam, text="热线打不通", customer=regions.east_customer)
    ticket = workflow.make_ticket(opinion, by=people.sam)
    deadline = timezone.localdate() + 30 * DAY
    improvement = workflow.make_improvement(
        opinion, by=people.sam, title="", measures="增加高峰期坐席", owner=people.hank, deadline=deadline
    )
    improvement.refresh_from_db()
    assert improvement.title == "热线打不通" and improvement.unit == regions.east
    assert improvement.source == Source.TICKETS and list(improvement.tickets.all()) == [ticket]
    assert "华东客户座谈会" in improvement.problem
    with pytest.raises(workflow.ForumError, match=improvement.reference):
        workflow.make_improvement(
            opinion, by=people.sam, title="再来", measures="x", owner=people.hank, deadline=deadline
        )
    assert ImprovementAction.objects.count() == 1


def test_an_improvement_the_improvements_rules_refuse_leaves_the_opinion_as_it_was(people, regions):
    opinion = workflow.add_opinion(regions.east_forum, by=people.sam, text="意见")
    with pytest.raises(workflow.ForumError):  # the improvements' own rule: a deadline not in the past
        workflow.make_improvement(
            opinion,
            by=people.sam,
            title="x",
            measures="y",
            owner=people.hank,
            deadline=timezone.localdate() - DAY,
        )
    opinion.refresh_from_db()
    assert opinion.improvement is None and not ImprovementAction.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
def test_an_opinion_sent_at_once_from_four_browsers_becomes_one_ticket(people, regions):
    opinion = workflow.add_opinion(
        regions.east_forum, by=people.sam, text="交货期太长", customer=regions.east_customer
    )
    outcomes, barrier = [], threading.Barrier(4)

    def work():
        translation.activate("en")  # a thread starts in the default language
        try:
            barrier.wait()
            outcomes.append(workflow.make_ticket(Opinion.objects.get(pk=opinion.pk), by=people.sam).reference)
        except workflow.ForumError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ticket = Ticket.objects.get()
    assert sorted(outcomes) == sorted(
        [ticket.reference] + [f"This opinion is already ticket {ticket.reference}."] * 3
    )
    opinion.refresh_from_db()
    assert opinion.ticket == ticket


def test_a_forum_recorded_by_mistake_is_removed_with_its_minutes_unless_an_opinion_was_followed_up(
    people, regions, django_capture_on_commit_callbacks
):
    from manyi.tickets.attachments import check_uploads

    from .conftest import pdf_upload

    forum = regions.east_forum
    workflow.add_opinion(forum, by=people.sam, text="意见")
    stored = workflow.attach_minutes(forum, by=people.sam, checked_files=check_uploads([pdf_upload()]))[0]
    path = stored.file.path
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the rows are gone
        workflow.delete_forum(forum, by=people.sam)
    assert not Forum.objects.filter(pk=forum.pk).exists() and not Opinion.objects.exists()
    assert not Invitation.objects.filter(customer=regions.east_customer).exists()
    assert not os.path.exists(path)
    other = regions.west_forum
    workflow.make_ticket(workflow.add_opinion(other, by=people.sam, text="意见"), by=people.sam)
    with pytest.raises(workflow.ForumError, match="stays on record"):
        workflow.delete_forum(other, by=people.sam)
    assert Forum.objects.filter(pk=other.pk).exists()
