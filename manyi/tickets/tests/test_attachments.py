"""Attachments: checked by content, stored under random names, served only to who may see the ticket."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from manyi.tickets import workflow
from manyi.tickets.attachments import (
    Attachment,
    AttachmentError,
    check_file,
    check_uploads,
    display_name,
)
from manyi.tickets.choices import Channel, TicketState
from manyi.tickets.models import Ticket, TicketEvent
from manyi.tickets.tests.sample_files import (
    HTML,
    PROGRAM,
    forged_png,
    image_bytes,
    pdf_bytes,
    stored_files,
    use_attachment_root,
)

from .conftest import in_english

pytestmark = pytest.mark.django_db


def make_ticket(department=None, state=TicketState.ASSIGNED):
    ticket = workflow.open_ticket(
        by=None, channel=Channel.PHONE, subject="包装破损", description="收到的箱子压坏了，有照片。"
    )
    Ticket.objects.filter(pk=ticket.pk).update(department=department, state=state)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def attachment_root(settings, tmp_path):
    return use_attachment_root(settings, tmp_path)


@pytest.fixture
def ticket(people):
    return make_ticket(people.quality)


def upload(client, ticket, *files):
    return client.post(
        reverse("tickets:attachment_upload", args=[ticket.pk]),
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        follow=True,
    )


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


# --------------------------------------------------------------------------- the checks


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_real_images_are_accepted_with_the_type_their_bytes_show(fmt, content_type):
    checked = check_file("IMG_0001.HEIC", image_bytes(fmt))  # the name does not matter
    assert checked.content_type == content_type
    assert checked.extension == {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]


def test_a_pdf_is_accepted():
    assert check_file("发票.pdf", pdf_bytes()).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", PROGRAM),
        ("photo.png", HTML),
        ("photo.png", forged_png()),
        ("photo.jpg", image_bytes("JPEG")[:200]),  # cut off: the pixels do not decode
        ("invoice.pdf", b"%PDF-1.7\n<html>not really</html>"),  # no trailer
        ("picture.gif", image_bytes("GIF")),  # an image, but not an allowed type
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(name, data):
    with pytest.raises(AttachmentError, match="is not a JPEG, PNG or WebP image or a PDF document"):
        check_file(name, data)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1000
    small, big = image_bytes("PNG", size=(10, 10)), image_bytes("BMP", size=(400, 400))
    assert len(small) < 1000 < len(big)
    check_file("small.png", small)
    with pytest.raises(AttachmentError, match=r"“big\.png” is too large"):
        check_file("big.png", big)


def test_the_size_limit_defaults_to_ten_megabytes():
    with pytest.raises(AttachmentError, match="too large"):
        check_file("huge.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF")


def test_at_most_five_files_at_a_time():
    files = [SimpleUploadedFile(f"{n}.png", image_bytes()) for n in range(6)]
    with pytest.raises(AttachmentError, match="at most 5 files"):
        check_uploads(files)
    assert len(check_uploads(files[:5])) == 5


def test_the_original_name_is_kept_only_as_harmless_text():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\张三\\照片.jpg") == "照片.jpg"
    assert display_name("a\x00b\u202ec.png") == "abc.png"
    assert display_name("") == "attachment"


# --------------------------------------------------------------------------- upload


def test_an_agent_attaches_a_photo_and_a_pdf(people, client_as, ticket, attachment_root):
    client = in_english(client_as(people.amy))
    response = upload(client, ticket, ("箱子.jpg", image_bytes("JPEG")), ("质检报告.pdf", pdf_bytes()))
    assert response.status_code == 200
    assert "2 files attached." in page_messages(response)
    rows = list(ticket.attachments.order_by("pk"))
    assert [(a.original_name, a.content_type, a.uploaded_by) for a in rows] == [
        ("箱子.jpg", "image/jpeg", people.amy),
        ("质检报告.pdf", "application/pdf", people.amy),
    ]
    files = stored_files(attachment_root)
    assert len(files) == 2
    assert sorted(path.stat().st_size for path in files) == sorted(a.size for a in rows)
    assert not any("箱子" in str(path) or "质检" in str(path) for path in files)  # random names only
    assert {path.suffix for path in files} == {".jpg", ".pdf"}
    event = TicketEvent.objects.filter(ticket=ticket).order_by("-pk").first()
    assert event.by == people.amy
    assert "箱子.jpg" in event.note and "质检报告.pdf" in event.note
    assert "箱子.jpg" in response.content.decode()  # listed on the ticket page


def test_stored_files_have_no_address_but_the_download_view(
    settings, people, client_as, ticket, attachment_root
):
    upload(client_as(people.amy), ticket, ("a.png", image_bytes()))
    attachment = ticket.attachments.get()
    with pytest.raises(ValueError, match="not accessible via a URL"):
        _ = attachment.file.url
    path = stored_files(attachment_root)[0].relative_to(attachment_root)
    for address in (f"/media/private/tickets/{path}", f"/static/{path}", f"/media/{path}"):
        assert client_as(people.alice).get(address).status_code == 404


def test_files_go_to_a_private_folder_under_the_media_root_by_default(settings):
    from manyi.tickets.attachments import attachment_root as root

    del settings.TICKET_ATTACHMENT_ROOT
    assert root() == settings.MEDIA_ROOT / "private" / "tickets"
    assert not str(root()).startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize(("name", "data"), [("setup.jpg", PROGRAM), ("page.png", HTML)])
def test_a_fake_image_is_refused_with_a_message_and_nothing_is_stored(
    people, client_as, ticket, attachment_root, name, data
):
    events = TicketEvent.objects.count()
    response = upload(in_english(client_as(people.amy)), ticket, ("ok.png", image_bytes()), (name, data))
    assert any(
        f"“{name}” is not a JPEG, PNG or WebP image or a PDF document" in m for m in page_messages(response)
    )
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_root) == []
    assert TicketEvent.objects.count() == events


def test_a_file_too_big_is_refused_and_nothing_is_stored(
    settings, people, client_as, ticket, attachment_root
):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 2000
    response = upload(in_english(client_as(people.amy)), ticket, ("big.pdf", pdf_bytes() + b" " * 3000))
    assert any("“big.pdf” is too large" in m for m in page_messages(response))
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_root) == []


def test_an_analyst_may_not_upload(people, client_as, ticket, attachment_root):
    response = client_as(people.ana).post(
        reverse("tickets:attachment_upload", args=[ticket.pk]),
        {"files": [SimpleUploadedFile("a.png", image_bytes())]},
    )
    assert response.status_code == 403
    assert Attachment.objects.count() == 0


def test_a_handler_of_another_department_cannot_find_the_ticket(people, client_as, attachment_root):
    other = make_ticket(people.service)
    response = client_as(people.hank).post(
        reverse("tickets:attachment_upload", args=[other.pk]),
        {"files": [SimpleUploadedFile("a.png", image_bytes())]},
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 0


def test_a_closed_ticket_takes_no_files(people, client_as, attachment_root):
    closed = make_ticket(people.quality, TicketState.CLOSED)
    response = upload(in_english(client_as(people.sam)), closed, ("a.png", image_bytes()))
    assert "Reopen the ticket before changing it." in page_messages(response)
    assert Attachment.objects.count() == 0


# --------------------------------------------------------------------------- download


@pytest.fixture
def stored(people, client_as, ticket, attachment_root):
    upload(client_as(people.amy), ticket, ("照片.png", image_bytes()), ("报告.pdf", pdf_bytes()))
    client_as(None)
    return list(ticket.attachments.order_by("pk"))


def test_whoever_sees_the_ticket_downloads_its_files(people, client_as, ticket, stored):
    png = stored[0]
    for who in (people.alice, people.sam, people.amy, people.hank, people.ana):
        client = client_as(who)
        response = client.get(reverse("tickets:attachment", args=[ticket.pk, png.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == image_bytes()
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")


def test_a_pdf_is_always_a_download(people, client_as, ticket, stored):
    response = client_as(people.amy).get(reverse("tickets:attachment", args=[ticket.pk, stored[1].pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_handler_of_another_department_gets_404(people, client_as, stored):
    # hank works in quality; move the ticket to the service department
    Ticket.objects.filter(pk=stored[0].ticket_id).update(department=people.service)
    response = client_as(people.hank).get(
        reverse("tickets:attachment", args=[stored[0].ticket_id, stored[0].pk])
    )
    assert response.status_code == 404


def test_a_file_is_not_reachable_through_another_ticket(people, client_as, stored):
    other = make_ticket(people.quality)
    response = client_as(people.sam).get(reverse("tickets:attachment", args=[other.pk, stored[0].pk]))
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client_as, stored):
    response = client_as(None).get(reverse("tickets:attachment", args=[stored[0].ticket_id, stored[0].pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_disabled_account_gets_nothing(people, client_as, stored):
    response = client_as(people.ivan).get(
        reverse("tickets:attachment", args=[stored[0].ticket_id, stored[0].pk])
    )
    assert response.status_code == 302


# --------------------------------------------------------------------------- the public feedback page


@pytest.fixture
def feedback_data():
    import uuid

    from manyi.tickets.models import Category

    return {
        "contact_name": "张先生",
        "contact_phone": "13812345678",
        "contact_email": "",
        "customer_code": "",
        "category": str(Category.objects.get(code="logistics").pk),
        "description": "快递一周还没到，箱子也压坏了。",
        "demand": "",
        "order": "",
        "submission_id": str(uuid.uuid4()),
        "website": "",
    }


def test_a_customer_sends_photos_with_the_feedback(client, feedback_data, attachment_root):
    files = [
        SimpleUploadedFile("箱子.webp", image_bytes("WEBP")),
        SimpleUploadedFile("单据.pdf", pdf_bytes()),
    ]
    response = client.post("/feedback/", {**feedback_data, "attachments": files})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert [(a.original_name, a.content_type, a.source, a.uploaded_by) for a in ticket.attachments.all()] == [
        ("箱子.webp", "image/webp", "public", None),
        ("单据.pdf", "application/pdf", "public", None),
    ]
    assert len(stored_files(attachment_root)) == 2
    assert ticket.events.filter(note__contains="箱子.webp").exists()


def test_a_fake_image_on_the_feedback_page_records_nothing(client, feedback_data, attachment_root):
    files = [SimpleUploadedFile("photo.jpg", image_bytes("JPEG")), SimpleUploadedFile("photo2.jpg", HTML)]
    response = in_english(client).post("/feedback/", {**feedback_data, "attachments": files})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“photo2.jpg” is not a JPEG, PNG or WebP image or a PDF document" in page
    assert "Please choose the files again." in page
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_root) == []


def test_too_many_files_on_the_feedback_page_are_refused(client, feedback_data, attachment_root):
    files = [SimpleUploadedFile(f"{n}.png", image_bytes()) for n in range(6)]
    response = in_english(client).post("/feedback/", {**feedback_data, "attachments": files})
    assert response.status_code == 400
    assert "Send at most 5 files at a time." in response.content.decode()
    assert Ticket.objects.count() == 0
    assert stored_files(attachment_root) == []


def test_the_feedback_page_offers_the_file_field(client):
    page = in_english(client).get("/feedback/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="attachments"' in page and "multiple" in page
    assert "up to 5 photos (JPEG, PNG, WebP) or PDF files, 10 MB each" in page


def test_a_photo_cut_off_near_its_end_is_refused():
    import io

    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(5).integers(0, 256, (600, 800, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=80)
    photo = buffer.getvalue()
    assert check_file("photo.jpg", photo).content_type == "image/jpeg"
    with pytest.raises(AttachmentError, match="is not a JPEG"):
        check_file("photo.jpg", photo[: len(photo) - 2000])


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_cut_off_images_are_refused_even_after_weasyprint_relaxed_pillow(kind):
    # WeasyPrint (report PDFs) sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole
    # process when imported; the checks must not depend on that switch.
    import io

    import numpy as np
    import weasyprint  # noqa: F401
    from PIL import Image, ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    pixels = np.random.default_rng(7).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, kind)
    image = buffer.getvalue()
    name = f"photo.{kind.lower()}"
    assert check_file(name, image).size == len(image)
    with pytest.raises(AttachmentError, match="is not a JPEG"):
        check_file(name, image[: len(image) - 1000])
