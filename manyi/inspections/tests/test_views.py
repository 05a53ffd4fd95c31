"""The pages: every view for every role, the phone form's input checks and its photos."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from manyi.inspections import workflow
from manyi.inspections.choices import InspectionStatus
from manyi.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    ItemPhoto,
    ItemResult,
)

from .factories import EXAMPLE_ITEMS, due, make_checklist, make_unit, photo_upload, results_by_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def photo_folder(settings, tmp_path):
    settings.INSPECTION_PHOTO_ROOT = tmp_path / "inspections"


@pytest.fixture
def inspection(people):
    return workflow.plan(
        by=people.sam,
        template=make_checklist(EXAMPLE_ITEMS),
        unit=make_unit("翠湖花园"),
        inspector=people.amy,
        due_on=due(),
    )


def form_data(inspection, action="submit", **overrides):
    rows = results_by_text(inspection)
    data = {
        f"points-{rows['公共区域清洁'].pk}": "5",
        f"answer-{rows['消防通道畅通'].pk}": "fail",
        f"note-{rows['消防通道畅通'].pk}": "消防通道堆放杂物",
        f"na-{rows['样板房保洁'].pk}": "1",
        f"points-{rows['电梯运行正常'].pk}": "8",
        f"note-{rows['电梯运行正常'].pk}": "轿厢照明一盏不亮",
        "summary": "总体良好",
        "action": action,
    }
    data.update(overrides)
    return data


def photo_field(inspection):
    return f"photos-{results_by_text(inspection)['消防通道畅通'].pk}"


def snapshot(inspection):
    return (
        Inspection.objects.filter(pk=inspection.pk).values_list("status", "score").get(),
        list(
            ItemResult.objects.filter(inspection=inspection)
            .order_by("pk")
            .values_list("answer", "points", "note")
        ),
        ItemPhoto.objects.count(),
        Finding.objects.count(),
    )


def test_the_inspector_submits_the_phone_form_with_a_photo(inspection, people, client_as):
    client = client_as(people.amy)
    data = form_data(inspection)
    data[photo_field(inspection)] = photo_upload()
    response = client.post(reverse("inspections:form", args=[inspection.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("inspections:mine")
    inspection.refresh_from_db()
    # By hand: 2×5/5 + 3×0 + 1×8/10 over 2+3+1 = 2.8/6 = 46.67 %.
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.score == pytest.approx(100 * 2.8 / 6)
    assert Finding.objects.filter(inspection=inspection).count() == 2
    photo = ItemPhoto.objects.get()
    assert photo.content_type == "image/jpeg" and photo.uploaded_by == people.amy
    shown = client.get(reverse("inspections:form_photo", args=[inspection.pk, photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"


def test_a_photo_over_the_ticket_attachment_limit_is_refused_and_nothing_changes(
    inspection, people, client_as, settings
):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 2_000
    before = snapshot(inspection)
    data = form_data(inspection)
    data[photo_field(inspection)] = photo_upload(size=(400, 300))
    response = client_as(people.amy).post(
        reverse("inspections:form", args=[inspection.pk]),
        data,
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "is too large" in response.content.decode()
    assert snapshot(inspection) == before


def test_more_photos_than_the_ticket_limit_are_refused(inspection, people, client_as, settings):
    settings.TICKET_ATTACHMENT_MAX_FILES = 2
    before = snapshot(inspection)
    data = form_data(inspection, action="save")
    data[photo_field(inspection)] = [photo_upload(f"p{n}.jpg") for n in range(3)]
    client_as(people.amy).post(reverse("inspections:form", args=[inspection.pk]), data)
    assert snapshot(inspection) == before


@pytest.mark.parametrize(
    "name, content",
    [
        ("照片.jpg", b"<html><script>alert(1)</script></html>"),
        ("照片.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),  # a document, not a photo
        ("照片.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40),  # a PNG that does not open
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_whatever_its_name(
    inspection, people, client_as, name, content
):
    before = snapshot(inspection)
    data = form_data(inspection, action="save")
    data[photo_field(inspection)] = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client_as(people.amy).post(
        reverse("inspections:form", args=[inspection.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert snapshot(inspection) == before


def test_the_stored_photo_has_its_location_stripped(inspection, people, client_as):
    from PIL import Image

    image = Image.new("RGB", (32, 24), (10, 120, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert b"PhoneMaker" in buffer.getvalue()
    data = form_data(inspection, action="save")
    data[photo_field(inspection)] = SimpleUploadedFile(
        "gps.jpg", buffer.getvalue(), content_type="image/jpeg"
    )
    client_as(people.amy).post(reverse("inspections:form", args=[inspection.pk]), data)
    stored = ItemPhoto.objects.get()
    with stored.file.open("rb") as handle:
        kept = handle.read()
    assert b"PhoneMaker" not in kept
    assert not Image.open(io.BytesIO(kept)).getexif().get(0x8825)


@pytest.mark.parametrize(
    "field, value",
    [
        ("points", "abc"),
        ("points", "7"),
        ("points", "-1"),
        ("points", "1e400"),
        ("points", "2.555"),
        ("answer", "maybe"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(inspection, people, client_as, field, value):
    before = snapshot(inspection)
    rows = results_by_text(inspection)
    key = rows["公共区域清洁" if field == "points" else "消防通道畅通"].pk
    data = form_data(inspection, action="save", **{f"{field}-{key}": value})
    response = client_as(people.amy).post(
        reverse("inspections:form", args=[inspection.pk]), data, follow=True
    )
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert snapshot(inspection) == before


def test_an_incomplete_inspection_is_saved_but_not_submitted(inspection, people, client_as):
    rows = results_by_text(inspection)
    data = form_data(inspection, action="submit")
    del data[f"points-{rows['电梯运行正常'].pk}"]
    response = client_as(people.amy).post(
        reverse("inspections:form", args=[inspection.pk]),
        data,
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "is not answered" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED


ROLE_STATUS = {
    # view name: {role: status}
    "inspections:list": {"alice": 200, "sam": 200, "ana": 200, "amy": 403, "hank": 403},
    "inspections:mine": {"alice": 200, "sam": 200, "amy": 200, "ana": 403, "hank": 403},
    "inspections:results": {"alice": 200, "sam": 200, "ana": 200, "amy": 403, "hank": 403},
    "inspections:findings": {"alice": 200, "sam": 200, "ana": 200, "amy": 403, "hank": 403},
    "inspections:templates": {"alice": 200, "sam": 200, "ana": 403, "amy": 403, "hank": 403},
    "inspections:template_new": {"alice": 200, "sam": 200, "ana": 403, "amy": 403, "hank": 403},
    "inspections:plan": {"alice": 200, "sam": 200, "ana": 403, "amy": 403, "hank": 403},
}


@pytest.mark.parametrize("name", ROLE_STATUS)
def test_every_page_answers_each_role_by_its_capabilities(name, people, client_as):
    for role, status in ROLE_STATUS[name].items():
        assert client_as(getattr(people, role)).get(reverse(name)).status_code == status, (name, role)
    assert client_as(people.ivan).get(reverse(name)).status_code in (302, 403)


def test_object_pages_by_role(inspection, people, client_as):
    pages = {
        reverse("inspections:detail", args=[inspection.pk]): {
            "alice": 200,
            "sam": 200,
            "ana": 200,
            "amy": 403,
            "hank": 403,
        },
        reverse("inspections:form", args=[inspection.pk]): {
            "amy": 200,
            "sam": 404,
            "alice": 404,
            "ana": 403,
            "hank": 403,
        },
        reverse("inspections:template", args=[inspection.template.pk]): {
            "alice": 200,
            "sam": 200,
            "ana": 403,
            "amy": 403,
        },
    }
    for url, statuses in pages.items():
        for role, status in statuses.items():
            assert client_as(getattr(people, role)).get(url).status_code == status, (url, role)


def test_the_manager_reviews_and_plans_the_re_inspection_through_the_pages(inspection, people, client_as):
    data = form_data(inspection)
    data[photo_field(inspection)] = photo_upload()
    client_as(people.amy).post(reverse("inspections:form", args=[inspection.pk]), data)
    assert client_as(people.amy).post(reverse("inspections:review", args=[inspection.pk])).status_code == 403
    sam = client_as(people.sam)
    sam.post(reverse("inspections:review", args=[inspection.pk]), {"note": "请整改"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.REVIEWED
    assert Finding.objects.filter(ticket__isnull=False).count() == 2
    page = sam.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "follow-up-form" in page
    response = sam.post(
        reverse("inspections:follow_up", args=[inspection.pk]),
        {"inspector": people.amy.pk, "due_on": due().isoformat()},
    )
    follow_up = Inspection.objects.get(follow_up_of=inspection)
    assert response["Location"] == follow_up.get_absolute_url()
    assert follow_up.results.count() == 2


def test_the_checklist_editor_adds_items_to_a_draft_and_refuses_a_used_one(inspection, people, client_as):
    sam = client_as(people.sam)
    sam.post(
        reverse("inspections:template_new"),
        {"code": "sales-office-2", "kind": "mystery", "name": "案场暗访表"},
    )
    draft = ChecklistTemplate.objects.get(code="sales-office-2")
    sam.post(reverse("inspections:template", args=[draft.pk]), {"section-title": "接待礼仪"})
    section = draft.sections.get()
    item = {
        "item-section": section.pk,
        "item-text": "30秒内迎接",
        "item-scoring": "pass_fail",
        "item-max_points": 5,
        "item-weight": "2",
    }
    sam.post(reverse("inspections:template", args=[draft.pk]), item)
    assert list(draft.items().values_list("text", flat=True)) == ["30秒内迎接"]
    sam.post(reverse("inspections:template_activate", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "active"
    # A used checklist takes no new item, and a weight of 0 is refused anyway.
    used = inspection.template
    before = ChecklistItem.objects.count()
    used_item = {**item, "item-section": used.sections.get().pk}
    sam.post(reverse("inspections:template", args=[used.pk]), used_item)
    sam.post(reverse("inspections:template", args=[draft.pk]), {**item, "item-weight": "0"})
    assert ChecklistItem.objects.count() == before


def test_odd_filters_are_refused_with_400(people, client_as):
    client = client_as(people.sam)
    assert client.get(reverse("inspections:list"), {"status": "x"}).status_code == 400
    assert client.get(reverse("inspections:list"), {"unit": "1x"}).status_code == 400
    assert client.get(reverse("inspections:results"), {"year": "99999"}).status_code == 400
    assert client.get(reverse("inspections:results"), {"checklist": "-1"}).status_code == 400
