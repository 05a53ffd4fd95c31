"""Who sees and changes which forums (access.ForumScope), through the pages as well: a region's
staff never see another region's forum, its minutes, nor make tickets of its opinions."""

import pytest
from django.urls import reverse

from manyi.forums import workflow
from manyi.forums.access import ForumScope
from manyi.forums.models import Forum, Invitation, MinutesFile, Opinion
from manyi.improvements.models import ImprovementAction
from manyi.tickets.models import Ticket

from .conftest import png_upload

pytestmark = pytest.mark.django_db


def _in_unit(user, unit):
    user.unit = unit
    user.save()
    return user


def _state():
    """Everything a refused request must leave as it was."""
    return (
        list(Forum.objects.values_list("pk", "title", "held_on", "unit_id").order_by("pk")),
        list(Invitation.objects.values_list("pk", "attended").order_by("pk")),
        list(Opinion.objects.values_list("pk", "text", "ticket_id", "improvement_id").order_by("pk")),
        MinutesFile.objects.count(),
        Ticket.objects.count(),
        ImprovementAction.objects.count(),
    )


def test_a_regions_staff_see_only_their_regions_forums(people, regions, client_as):
    for user in (_in_unit(people.sam, regions.east), _in_unit(people.ana, regions.east)):
        assert list(ForumScope(user).forums()) == [regions.east_forum]
        client = client_as(user)
        listing = client.get(reverse("forums:list")).content.decode()
        assert "华东客户座谈会" in listing and "华西客户座谈会" not in listing
        assert client.get(reverse("forums:detail", args=[regions.east_forum.pk])).status_code == 200
        assert client.get(reverse("forums:detail", args=[regions.west_forum.pk])).status_code == 404


def test_the_groups_customer_department_sees_every_region(people, regions):
    _in_unit(people.ana, regions.group)
    assert set(ForumScope(people.ana).forums()) == {regions.east_forum, regions.west_forum}


def test_a_regions_manager_changes_nothing_of_another_regions_forum_by_any_route(
    people, regions, west_opinion, client_as
):
    client = client_as(_in_unit(people.sam, regions.east))
    forum = regions.west_forum
    invitation = forum.invitations.get()
    minutes = forum.minutes.get()
    before = _state()
    posts = [
        (
            "forums:edit",
            [forum.pk],
            {"unit": regions.east.pk, "title": "改", "place": "x", "host": people.sam.pk},
        ),
        ("forums:invite", [forum.pk], {"codes": "E-001"}),
        ("forums:invitation_remove", [forum.pk, invitation.pk], {}),
        ("forums:attendance", [forum.pk], {"came": [invitation.pk]}),
        ("forums:opinion_add", [forum.pk], {"text": "新意见"}),
        ("forums:opinion_delete", [forum.pk, west_opinion.pk], {}),
        ("forums:opinion_ticket", [forum.pk, west_opinion.pk], {}),
        (
            "forums:opinion_improvement",
            [forum.pk, west_opinion.pk],
            {"measures": "改进", "owner": people.sam.pk, "deadline": "2099-01-01"},
        ),
        ("forums:minutes_upload", [forum.pk], {"files": png_upload()}),
        ("forums:minutes_delete", [forum.pk, minutes.pk], {}),
        ("forums:delete", [forum.pk], {}),
    ]
    for name, args, data in posts:
        assert client.post(reverse(name, args=args), data).status_code == 404, name
    # Nor reads the minutes file, nor the improvement form of its opinion.
    assert client.get(reverse("forums:minutes", args=[forum.pk, minutes.pk])).status_code == 404
    assert (
        client.get(reverse("forums:opinion_improvement", args=[forum.pk, west_opinion.pk])).status_code == 404
    )
    assert _state() == before
    # The verbs refuse the same, whichever way they are reached.
    for verb, kwargs in (
        (workflow.make_ticket, {}),
        (workflow.delete_opinion, {}),
    ):
        with pytest.raises(workflow.ForumError):
            verb(west_opinion, by=people.sam, **kwargs)
    with pytest.raises(workflow.ForumError):
        workflow.record_attendance(forum, by=people.sam, came=[invitation.pk])
    assert _state() == before


def test_a_region_cannot_hold_a_forum_for_another_region_nor_invite_its_customers(people, regions):
    _in_unit(people.sam, regions.east)
    with pytest.raises(workflow.ForumError, match="unit"):
        workflow.save_forum(
            by=people.sam,
            unit=regions.west,
            held_on=regions.held_on,
            title="越权",
            place="x",
            host=people.sam,
        )
    with pytest.raises(workflow.ForumError):
        workflow.invite(regions.east_forum, by=people.sam, codes=["W-001"])
    assert not regions.east_forum.invitations.filter(customer=regions.west_customer).exists()


@pytest.mark.parametrize("who", ["amy", "ana"])
def test_viewers_read_but_get_403_on_every_change(people, regions, west_opinion, client_as, who):
    client = client_as(getattr(people, who))
    forum = regions.west_forum
    assert client.get(reverse("forums:detail", args=[forum.pk])).status_code == 200
    minutes = forum.minutes.get()
    download = client.get(reverse("forums:minutes", args=[forum.pk, minutes.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    before = _state()
    for name, args in (
        ("forums:new", []),
        ("forums:edit", [forum.pk]),
        ("forums:delete", [forum.pk]),
        ("forums:invite", [forum.pk]),
        ("forums:attendance", [forum.pk]),
        ("forums:opinion_add", [forum.pk]),
        ("forums:opinion_ticket", [forum.pk, west_opinion.pk]),
        ("forums:opinion_improvement", [forum.pk, west_opinion.pk]),
        ("forums:minutes_upload", [forum.pk]),
        ("forums:minutes_delete", [forum.pk, minutes.pk]),
    ):
        assert client.post(reverse(name, args=args), {"text": "x", "codes": "E-001"}).status_code == 403, name
    assert _state() == before


def test_handlers_see_no_forums(people, regions, west_opinion, client_as):
    client = client_as(people.hank)
    assert not ForumScope(people.hank).forums().exists()
    forum = regions.west_forum
    for path in (
        reverse("forums:list"),
        reverse("forums:detail", args=[forum.pk]),
        reverse("forums:minutes", args=[forum.pk, forum.minutes.get().pk]),
    ):
        assert client.get(path).status_code == 403, path


def test_making_a_ticket_or_an_improvement_also_needs_that_apps_capability():
    """The routes ask for both (the security suite walks them with every role)."""
    from manyi.accounts import permissions as perms
    from manyi.forums import views

    assert views.opinion_ticket.required_capabilities == {perms.MANAGE_FORUMS, perms.CREATE_TICKETS}
    assert views.opinion_improvement.required_capabilities == {perms.MANAGE_FORUMS, perms.MANAGE_IMPROVEMENTS}
