"""The forum pages: the list by unit and year, the form, the detail with attendance and opinions,
an opinion made a ticket (once, however often it is sent), the minutes; bad input is told in
the user's language and changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.forums import workflow
from manyi.forums.models import Forum, Invitation, MinutesFile, Opinion
from manyi.improvements.models import ImprovementAction
from manyi.tickets.models import Ticket

from .conftest import DAY, pdf_upload, png_upload

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_list_filters_by_unit_and_year(people, regions, client_as):
    old = workflow.save_forum(
        by=people.sam,
        unit=regions.east,
        held_on=datetime.date(2024, 5, 20),
        title="2024年华东座谈会",
        place="杭州",
        host=people.sam,
    )
    client = client_as(people.sam)
    page = client.get(reverse("forums:list")).content.decode()
    assert all(title in page for title in ("华东客户座谈会", "华西客户座谈会", "2024年华东座谈会"))
    page = client.get(reverse("forums:list"), {"unit": regions.west.pk}).content.decode()
    assert "华西客户座谈会" in page and "华东客户座谈会" not in page
    page = client.get(reverse("forums:list"), {"year": "2024"}).content.decode()
    assert old.title in page and "华西客户座谈会" not in page
    # Counts per forum: invited, came, opinions.
    assert "0 / 2" in client.get(reverse("forums:list"), {"unit": regions.east.pk}).content.decode()


@pytest.mark.parametrize("query", [{"year": "1999"}, {"year": "二〇二六"}, {"unit": "x"}])
def test_a_filter_the_page_never_offers_is_a_400_with_a_message(people, regions, client_as, query):
    response = client_as(people.sam).get(reverse("forums:list"), query, **EN)
    assert response.status_code == 400 and "choices the page offers" in response.content.decode()


def test_a_manager_records_a_forum_on_the_page(people, regions, client_as):
    client = client_as(people.sam)
    assert client.get(reverse("forums:new")).status_code == 200
    data = {
        "unit": regions.east_project.pk,
        "held_on": timezone.localdate().isoformat(),
        "title": "浙江项目客户座谈会",
        "place": "项目会所",
        "host": people.sam.pk,
        "summary": "听取业主意见",
    }
    response = client.post(reverse("forums:new"), data)
    forum = Forum.objects.get(title="浙江项目客户座谈会")
    assert response.status_code == 302 and response["Location"] == forum.get_absolute_url()
    assert (forum.unit, forum.host, forum.created_by) == (regions.east_project, people.sam, people.sam)


def test_a_date_too_far_ahead_is_refused_with_a_message_and_nothing_recorded(people, regions, client_as):
    count = Forum.objects.count()
    data = {
        "unit": regions.east.pk,
        "held_on": (timezone.localdate() + 400 * DAY).isoformat(),
        "title": "座谈会",
        "place": "会议室",
        "host": people.sam.pk,
    }
    response = client_as(people.sam).post(reverse("forums:new"), data, **EN)
    assert response.status_code == 200 and "The date must be between" in response.content.decode()
    data["held_on"], data["title"] = timezone.localdate().isoformat(), "座谈\x00会"
    response = client_as(people.sam).post(reverse("forums:new"), data, **EN)
    assert response.status_code == 200 and "Null characters are not allowed" in response.content.decode()
    assert Forum.objects.count() == count


def test_the_detail_shows_who_came_and_the_opinions_with_what_they_became(people, regions, client_as):
    forum = regions.east_forum
    came = forum.invitations.get(customer=regions.east_customer)
    workflow.record_attendance(forum, by=people.sam, came=[came.pk])
    opinion = workflow.add_opinion(
        forum, by=people.sam, text="希望缩短交货期", customer=regions.east_customer
    )
    ticket = workflow.make_ticket(opinion, by=people.sam)
    page = client_as(people.sam).get(reverse("forums:detail", args=[forum.pk]), **EN).content.decode()
    assert "杭州精工" in page and "宁波机床" in page and "1 / 2" in page
    assert "希望缩短交货期" in page and ticket.reference in page and ticket.get_absolute_url() in page
    assert f'name="came" value="{came.pk}" id="came-{came.pk}" checked' in page
    assert "Make an improvement" in page


def test_attendance_for_a_customer_not_invited_is_refused_and_nothing_changes(people, regions, client_as):
    forum = regions.east_forum
    mine = forum.invitations.get(customer=regions.east_customer)
    foreign = regions.west_forum.invitations.get()
    client = client_as(people.sam)
    for came in ([mine.pk, foreign.pk], ["abc"], [str(2**70)]):
        response = client.post(
            reverse("forums:attendance", args=[forum.pk]), {"came": came}, follow=True, **EN
        )
        assert "Only customers invited to this forum can have come" in " ".join(_messages(response))
    assert set(Invitation.objects.values_list("attended", flat=True)) == {None}


def test_an_opinion_with_a_nul_character_or_a_stranger_as_speaker_is_refused(people, regions, client_as):
    client = client_as(people.sam)
    url = reverse("forums:opinion_add", args=[regions.east_forum.pk])
    response = client.post(url, {"text": "交货\x00慢"}, follow=True, **EN)
    assert "Null characters are not allowed" in " ".join(_messages(response))
    response = client.post(url, {"text": "交货慢", "customer": regions.west_customer.pk}, follow=True, **EN)
    assert "Select a valid choice" in " ".join(_messages(response))
    assert not Opinion.objects.exists()
    client.post(url, {"text": "交货慢", "customer": regions.east_customer.pk})
    assert Opinion.objects.get().customer == regions.east_customer


def test_an_opinion_sent_twice_to_make_a_ticket_makes_exactly_one(people, regions, client_as):
    opinion = workflow.add_opinion(
        regions.east_forum, by=people.sam, text="热线打不通", customer=regions.east_customer
    )
    client = client_as(people.sam)
    url = reverse("forums:opinion_ticket", args=[regions.east_forum.pk, opinion.pk])
    first = client.post(url, follow=True, **EN)
    second = client.post(url, follow=True, **EN)
    ticket = Ticket.objects.get()
    assert f"Ticket {ticket.reference} opened." in _messages(first)
    assert f"This opinion is already ticket {ticket.reference}." in _messages(second)
    opinion.refresh_from_db()
    assert opinion.ticket == ticket


def test_the_improvement_page_raises_one_improvement_from_the_opinion(people, regions, client_as):
    opinion = workflow.add_opinion(regions.east_forum, by=people.sam, text="配件价格偏高")
    client = client_as(people.sam)
    url = reverse("forums:opinion_improvement", args=[regions.east_forum.pk, opinion.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'value="配件价格偏高"' in form.content.decode()
    data = {
        "title": "公布配件价格表",
        "measures": "官网公布易损件价格",
        "owner": people.hank.pk,
        "deadline": (timezone.localdate() + 30 * DAY).isoformat(),
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, **EN)
    improvement = ImprovementAction.objects.get()
    assert f"This opinion is already improvement {improvement.reference}." in again.content.decode()
    assert improvement.title == "公布配件价格表" and improvement.unit == regions.east


def test_minutes_are_stored_and_downloaded_only_through_the_forum(people, regions, client_as):
    client = client_as(people.sam)
    forum = regions.east_forum
    response = client.post(
        reverse("forums:minutes_upload", args=[forum.pk]), {"files": [pdf_upload(), png_upload()]}
    )
    assert response.status_code == 302
    stored = forum.minutes.get(content_type="application/pdf")
    download = client.get(reverse("forums:minutes", args=[forum.pk, stored.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"].startswith("attachment")
        and download["Cache-Control"] == "private, no-store"
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # The file of one forum is not found through another.
    assert client.get(reverse("forums:minutes", args=[regions.west_forum.pk, stored.pk])).status_code == 404
    client.post(reverse("forums:minutes_delete", args=[forum.pk, stored.pk]))
    assert list(forum.minutes.values_list("content_type", flat=True)) == ["image/png"]


def test_minutes_too_large_or_not_a_pdf_or_photo_are_refused_and_nothing_is_kept(
    people, regions, client_as, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TICKET_ATTACHMENT_MAX_BYTES = 1000
    client = client_as(people.sam)
    url = reverse("forums:minutes_upload", args=[regions.east_forum.pk])
    big = SimpleUploadedFile(
        "纪要.pdf", b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n", content_type="application/pdf"
    )
    response = client.post(url, {"files": [big]}, follow=True, **EN)
    assert "is too large" in " ".join(_messages(response))
    page = SimpleUploadedFile(
        "纪要.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(url, {"files": [pdf_upload("好.pdf"), page]}, follow=True, **EN)
    assert "is not a JPEG, PNG or WebP image or a PDF document" in " ".join(_messages(response))
    assert not MinutesFile.objects.exists()
    assert not list((tmp_path / "minutes").rglob("*.*"))


def test_the_customers_timeline_shows_the_forum_and_their_opinion_to_who_sees_forums(
    people, regions, client_as
):
    forum = regions.east_forum
    workflow.record_attendance(
        forum, by=people.sam, came=[forum.invitations.get(customer=regions.east_customer).pk]
    )
    workflow.add_opinion(forum, by=people.sam, text="希望提供中文操作手册", customer=regions.east_customer)
    url = reverse("customers:detail", args=[regions.east_customer.pk])
    page = client_as(people.sam).get(url, **EN).content.decode()
    assert "Customer forum: 华东客户座谈会" in page and "came" in page and "希望提供中文操作手册" in page
    # hank sees the customer (customers.view) but no forums.
    page = client_as(people.hank).get(url, **EN).content.decode()
    assert "华东客户座谈会" not in page and "希望提供中文操作手册" not in page
