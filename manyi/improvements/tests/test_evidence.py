"""Evidence files: checked by their bytes, stored whole or not at all, served only to those who
may see the improvement."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from manyi.accounts.choices import Role
from manyi.improvements.models import EvidenceFile
from manyi.testing import make_department, make_user

from .conftest import in_english

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, improvement, *files):
    return client.post(
        reverse("improvements:evidence_upload", args=[improvement.pk]),
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        follow=True,
    )


def test_the_owner_uploads_a_photo_and_a_pdf_and_viewers_download_them(
    people, client_as, raise_one, tmp_path
):
    improvement = raise_one()
    page = upload(
        in_english(client_as(people.hank)), improvement, ("值班表.png", png_bytes()), ("记录.pdf", PDF)
    )
    assert "2 files attached" in page.content.decode()
    photo, document = EvidenceFile.objects.order_by("pk")
    assert (photo.original_name, photo.content_type) == ("值班表.png", "image/png")
    assert str(tmp_path) in photo.file.path and "值班表" not in photo.file.name
    assert (
        "Evidence files" in improvement.events.last().note or "值班表.png" in improvement.events.last().note
    )

    response = client_as(people.ana).get(reverse("improvements:evidence", args=[improvement.pk, photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    response = client_as(people.ana).get(reverse("improvements:evidence", args=[improvement.pk, document.pk]))
    assert response["Content-Disposition"].startswith("attachment")


def test_a_file_that_only_pretends_to_be_a_photo_is_refused_and_nothing_is_stored(
    people, client_as, raise_one
):
    improvement = raise_one()
    page = upload(
        in_english(client_as(people.hank)),
        improvement,
        ("好照片.png", png_bytes()),
        ("坏照片.png", b"MZ\x90\x00 this is a program"),
    )
    assert "坏照片.png" in page.content.decode() and "not accepted" in page.content.decode()
    assert not EvidenceFile.objects.exists()


def test_who_may_not_change_it_cannot_upload(people, client_as, raise_one):
    improvement = raise_one()
    other = make_user("harry", Role.HANDLER, department=people.quality)
    for user in (people.ana, people.amy, other):
        upload(client_as(user), improvement, ("a.pdf", PDF))
    assert not EvidenceFile.objects.exists()


def test_who_may_not_see_the_improvement_gets_404_for_its_files(people, client_as, raise_one):
    improvement = raise_one()
    upload(client_as(people.sam), improvement, ("a.pdf", PDF))
    stored = EvidenceFile.objects.get()
    url = reverse("improvements:evidence", args=[improvement.pk, stored.pk])
    outsider = make_user("olga", Role.HANDLER, department=make_department())
    assert client_as(outsider).get(url).status_code == 404
    assert client_as(None).get(url).status_code == 302
    other = raise_one(title="另一个")
    assert (
        client_as(people.sam).get(reverse("improvements:evidence", args=[other.pk, stored.pk])).status_code
        == 404
    )
