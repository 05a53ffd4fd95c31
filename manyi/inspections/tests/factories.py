"""Units, checklists and inspections for the inspection tests."""

import io
import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from manyi.organisation.models import Unit

from ..choices import TemplateStatus
from ..models import ChecklistItem, ChecklistSection, ChecklistTemplate

_counter = itertools.count(1)


def make_unit(name=None, parent=None, kind="project"):
    n = next(_counter)
    return Unit.objects.create(name=name or f"项目{n}", code=f"U{n:04d}", kind=kind, parent=parent)


def make_checklist(items, *, code=None, kind="site", status=TemplateStatus.ACTIVE):
    """A checklist of one section; ``items``: (text, scoring, max_points, weight, photo_on_failure)."""
    template = ChecklistTemplate.objects.create(
        code=code or f"test-{next(_counter)}", kind=kind, name="测试巡检表", status=status
    )
    section = ChecklistSection.objects.create(template=template, title="公共区域", position=1)
    for position, (text, scoring, max_points, weight, photo) in enumerate(items, start=1):
        ChecklistItem.objects.create(
            section=section,
            position=position,
            text=text,
            scoring=scoring,
            max_points=max_points,
            weight=weight,
            photo_on_failure=photo,
        )
    return template


# The hand-worked example of test_scoring: 2×4/5 + 3×0 + (n/a) + 1×10/10 over 2+3+1.
EXAMPLE_ITEMS = [
    ("公共区域清洁", "points", 5, 2, False),
    ("消防通道畅通", "pass_fail", 5, 3, True),
    ("样板房保洁", "points", 5, 1, False),
    ("电梯运行正常", "points", 10, 1, False),
]


def due(days=7):
    return timezone.localdate() + timedelta(days=days)


def photo_upload(name="现场.jpg", size=(40, 30), kind="JPEG"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def results_by_text(inspection):
    return {r.item.text: r for r in inspection.results.select_related("item")}
