"""Disguised uploads are refused on every way in (issue 13, deliverable 5).

Files are judged by their bytes, never by their name: a program, a web page or an SVG drawing
named like a photo, or a forged header, is refused on every path that takes files (the ticket
page, the public feedback form, the API, ticket e-mail, improvement evidence), and nothing is
stored; a real PDF named .jpg is kept as the PDF it is, never served as an image. The imports
(customers, purchases, paper answers) refuse a program, a PDF, a web page or an archive named
.xlsx or .csv. The app folders test single cases; here every path meets every disguise.
"""

import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from manyi.campaigns.choices import CampaignState, Channel
from manyi.improvements.models import EvidenceFile
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire
from manyi.tickets.attachments import Attachment
from manyi.tickets.models import Category, Ticket
from manyi.tickets.tests.sample_files import HTML, PROGRAM, forged_png, image_bytes, pdf_bytes

from .conftest import changes, snapshot

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><circle r="9"/></svg>'

DISGUISED_FILES = {
    "program.jpg": PROGRAM,
    "page.png": HTML,
    "drawing.png": SVG,
    "drawing.svg": SVG,
    "forged.png": forged_png(),  # a PNG signature, then a web page
    "forged.jpg": b"\xff\xd8\xff\xe0" + HTML,
    "forged.pdf": b"%PDF-1.4\n" + HTML,  # no PDF trailer
    "program.pdf": PROGRAM,
}


def _stored_files(settings):
    roots = [Path(settings.TICKET_ATTACHMENT_ROOT), Path(settings.IMPROVEMENT_EVIDENCE_ROOT)]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


def via_ticket_page(world, name, data):
    client = world.client_as(world.people.amy)
    response = client.post(
        f"/tickets/{world.ticket.pk}/attachments/add/", {"files": SimpleUploadedFile(name, data)}, follow=True
    )
    return response.content.decode()


def via_feedback_form(world, name, data):
    form = {
        "contact_name": "张先生",
        "contact_phone": "13812345678",
        "contact_email": "",
        "customer_code": "",
        "category": str(Category.objects.get(code="logistics").pk),
        "description": "快递一周还没到，客服电话也打不通。",
        "demand": "replacement",
        "order": "",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        "attachments": SimpleUploadedFile(name, data),
    }
    world.client_as(None)
    return world.client.post("/feedback/", form, follow=True).content.decode()


def via_api(world, name, data):
    response = world.client.post(
        f"/api/tickets/{world.ticket.reference}/attachments",
        {"files": SimpleUploadedFile(name, data)},
        HTTP_AUTHORIZATION=f"Bearer {world.tokens['amy']}",
    )
    return response.content.decode("unicode_escape")


def via_email(world, name, data):
    from manyi.tickets import inbound

    message = EmailMessage()
    message["From"] = "li.na@example.com"
    message["Subject"] = f"照片 {world.ticket.reference}"
    message["Message-ID"] = f"<{uuid.uuid4()}@example.com>"
    message.set_content("见附件")
    message.add_attachment(data, maintype="image", subtype="jpeg", filename=name)
    outcome = inbound.process(message.as_bytes())
    return outcome.ticket.description + " ".join(e.note for e in outcome.ticket.events.all())


def via_improvement_evidence(world, name, data):
    client = world.client_as(world.people.sam)
    response = client.post(
        f"/improvements/{world.improvement.pk}/evidence/add/",
        {"files": SimpleUploadedFile(name, data)},
        follow=True,
    )
    return response.content.decode()


ATTACHMENT_PATHS = {
    "ticket page": via_ticket_page,
    "feedback form": via_feedback_form,
    "API": via_api,
    "e-mail": via_email,
    "improvement evidence": via_improvement_evidence,
}


@pytest.fixture
def place(world, client_as, client):
    world.client_as, world.client = client_as, client
    return world


@pytest.mark.parametrize("name", DISGUISED_FILES)
@pytest.mark.parametrize("path", ATTACHMENT_PATHS)
def test_a_disguised_file_is_refused_and_nothing_is_stored(place, settings, path, name):
    stored_before = _stored_files(settings)
    attachments, evidence, tickets = (
        Attachment.objects.count(),
        EvidenceFile.objects.count(),
        Ticket.objects.count(),
    )

    shown = ATTACHMENT_PATHS[path](place, name, DISGUISED_FILES[name])

    assert Attachment.objects.count() == attachments
    assert EvidenceFile.objects.count() == evidence
    assert Ticket.objects.count() == tickets  # the feedback form refuses the whole submission
    assert _stored_files(settings) == stored_before
    assert name in shown  # the refusal names the file


@pytest.mark.parametrize("path", ATTACHMENT_PATHS)
def test_a_pdf_named_like_a_photo_is_kept_as_a_pdf(place, path):
    ATTACHMENT_PATHS[path](place, "scan.jpg", pdf_bytes())

    kept = (EvidenceFile if path == "improvement evidence" else Attachment).objects.order_by("pk").last()
    assert kept.original_name == "scan.jpg"
    assert kept.content_type == "application/pdf" and kept.file.name.endswith(".pdf")
    assert not kept.is_image  # downloaded, never shown inline as an image


def test_a_real_photo_still_passes_every_path(place):
    """The refusals above are about the bytes: the same paths take a real photo."""
    for path, upload in ATTACHMENT_PATHS.items():
        before = Attachment.objects.count() + EvidenceFile.objects.count()
        upload(place, f"照片-{len(path)}.png", image_bytes("PNG"))
        assert Attachment.objects.count() + EvidenceFile.objects.count() == before + 1, path
    assert Ticket.objects.filter(channel="web").count() == 1


# --------------------------------------------------------------------------- imports

DISGUISED_IMPORTS = {
    "program.xlsx": PROGRAM,
    "document.xlsx": None,  # a PDF
    "page.xlsx": HTML,
    "archive.xlsx": None,  # a ZIP archive that is no workbook
    "program.csv": PROGRAM,
    "photo.csv": None,  # a PNG
}


def _import_file(name):
    import io
    import zipfile

    if name == "document.xlsx":
        return pdf_bytes()
    if name == "photo.csv":
        return image_bytes("PNG")
    if name == "archive.xlsx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "不是工作簿")
        return buffer.getvalue()
    return DISGUISED_IMPORTS[name]


@pytest.fixture
def paper_campaign():
    questionnaire = make_questionnaire(title="纸质问卷")
    make_question(questionnaire, code="Q1", text="总体满意度")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PAPER])
    make_invitation(campaign, make_customer(code="C00002"))
    return campaign


@pytest.mark.parametrize("name", DISGUISED_IMPORTS)
@pytest.mark.parametrize("which", ["customers", "purchases", "paper answers"])
def test_a_disguised_import_file_is_refused_and_nothing_changes(
    client_as, people, paper_campaign, which, name, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile(name, _import_file(name))
    before = snapshot()
    if which == "paper answers":
        response = client_as(people.amy).post(
            f"/campaigns/entry/{paper_campaign.pk}/import/", {"file": upload}
        )
    else:
        response = client_as(people.sam).post("/customers/import/", {"kind": which, "file": upload})

    assert response.status_code in (200, 400)  # the page again, not the next step
    page = response.content.decode()
    assert "Excel" in page or "CSV" in page  # the message says what to upload instead
    assert changes(before, snapshot()) == []
    assert not list(tmp_path.rglob("*.xlsx")) and not list(tmp_path.rglob("*.csv"))  # not kept either
