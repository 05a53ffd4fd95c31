"""The inspector's phone form at 390×844: an inspector opens their assignment from "my
inspections", scores every item of the shipped 物业项目品质巡检表 with taps, marks the fire lane
failed with a note and a photo, and submits; the manager reviews it and the finding becomes a
corrective-action ticket."""

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from manyi.inspections import examples, workflow
from manyi.inspections.choices import FindingStatus, InspectionStatus
from manyi.inspections.models import ChecklistTemplate, Finding, ItemPhoto
from manyi.organisation.models import Unit
from tests.browser.conftest import SCREENSHOTS

PHONE = {"width": 390, "height": 844}


def shoot(page, name):
    """A full-page PNG of the phone's page (the screenshot fixture shoots the desktop page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def jpeg_file(tmp_path):
    from PIL import Image

    path = tmp_path / "消防通道.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 60, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_the_inspector_fills_in_and_submits_the_phone_form_with_a_photo(
    browser, live_server, people, transactional_db, tmp_path, settings
):
    settings.INSPECTION_PHOTO_ROOT = tmp_path / "photos"
    examples.install(
        apps.get_model("inspections", "ChecklistTemplate"),
        apps.get_model("inspections", "ChecklistSection"),
        apps.get_model("inspections", "ChecklistItem"),
    )
    checklist = ChecklistTemplate.objects.get(code="property-site-inspection")
    unit = Unit.objects.create(name="翠湖花园", code="CUIHU", kind="project")
    inspection = workflow.plan(
        by=people.sam,
        template=checklist,
        unit=unit,
        inspector=people.amy,
        due_on=timezone.localdate() + timedelta(days=3),
        instructions="请重点检查3号楼消防通道。",
    )
    results = {r.item.text: r for r in inspection.results.select_related("item")}
    fire = results["消防通道畅通，消防设施完好有效"]

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(30_000)  # a loaded CI machine serves the first page slowly
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "amy")
        page.fill("#id_password", "correct horse battery")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        page.goto(live_server.url + "/inspections/mine/")
        page.click("#my-open a")
        page.wait_for_url(f"**/inspections/{inspection.pk}/form/")
        assert "翠湖花园" in page.inner_text("h1")

        # Every item: full points (tap the highest number) or pass; the fire lane fails.
        for result in results.values():
            if result is fire:
                page.click(f"label[for=answer-{result.pk}-fail]")
                page.fill(f"#note-{result.pk}", "3号楼消防通道堆放电动车")
                page.set_input_files(f"#photos-{result.pk}", str(jpeg_file(tmp_path)))
            elif result.item.is_pass_fail:
                page.click(f"label[for=answer-{result.pk}-pass]")
            else:
                page.click(f"label[for=points-{result.pk}-{result.item.max_points}]")
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator(f"#item-{fire.pk}").scroll_into_view_if_needed()
        shoot(page, "inspection-phone-form")

        page.click("#submit-inspection")
        page.wait_for_url("**/inspections/mine/")
        assert "已提交" in page.inner_text("#main") or "submitted" in page.inner_text("#main").lower()
        shoot(page, "inspection-phone-submitted")
    finally:
        context.close()

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    # Full marks but for the fire lane (pass/fail, weight 3): 100 × (W − 3) / W.
    total = float(checklist.total_weight())
    assert inspection.score == pytest.approx(100 * (total - 3) / total)
    photo = ItemPhoto.objects.get()
    assert photo.result_id == fire.pk and photo.content_type == "image/jpeg"
    finding = Finding.objects.get()
    assert finding.result_id == fire.pk and finding.status == FindingStatus.OPEN

    workflow.review(inspection, by=people.sam)
    finding.refresh_from_db()
    assert finding.ticket.category.code == "inspection-finding"


def test_the_results_by_unit_and_an_inspection_with_its_findings(
    page, login, screenshot, transactional_db, tmp_path, settings
):
    """The demo's inspections as the customer department reads them: scores by unit, item and
    month, and an inspection whose finding was closed by a re-inspection."""
    import random

    from manyi.accounts.choices import Role
    from manyi.inspections.demo import PROJECTS, load_demo_inspections
    from manyi.testing import make_department, make_user

    settings.INSPECTION_PHOTO_ROOT = tmp_path / "photos"
    examples.install(
        apps.get_model("inspections", "ChecklistTemplate"),
        apps.get_model("inspections", "ChecklistSection"),
        apps.get_model("inspections", "ChecklistItem"),
    )
    service, quality = make_department(name="客服部", code="CS"), make_department(name="质量部", code="QA")
    group = Unit.objects.create(code="HX", name="恒信集团", kind="group")
    names = ["浙江项目部", "江苏上海项目部", "华南项目部", "华中项目部", "西南项目部"]
    for code, name in zip(PROJECTS, names, strict=True):
        Unit.objects.create(code=code, name=name, kind="project", parent=group)
    users = {
        "chenjing": make_user(
            "chenjing", Role.SUPERVISOR, department=service, last_name="陈", first_name="静"
        ),
        "liuyang": make_user("liuyang", Role.AGENT, department=service, last_name="刘", first_name="洋"),
        "zhaoli": make_user("zhaoli", Role.AGENT, department=service, last_name="赵", first_name="丽"),
        "zhoumin": make_user("zhoumin", Role.HANDLER, department=quality, last_name="周", first_name="敏"),
    }
    load_demo_inspections(users, random.Random(7))
    page.context.set_default_timeout(30_000)
    login(users["chenjing"])
    page.goto(page.base_url + f"/inspections/results/?year={timezone.localdate().year}")
    assert "浙江项目部" in page.inner_text("#unit-scores")
    screenshot("inspection-results-by-unit")
    closed = Finding.objects.filter(status=FindingStatus.RESOLVED).select_related("inspection").first()
    page.goto(page.base_url + closed.inspection.get_absolute_url())
    assert page.locator("#findings").count() == 1
    screenshot("inspection-detail-findings")
