"""Scores per unit, per item and unit, and per month (unit_scores), against hand-worked numbers."""

import pytest
from django.utils import timezone

from manyi.inspections import unit_scores, workflow
from manyi.inspections.models import Inspection

from .factories import EXAMPLE_ITEMS, due, make_checklist, make_unit, photo_upload, results_by_text

pytestmark = pytest.mark.django_db


def done(people, template, unit, clean, fire, lift):
    """An inspection of ``unit`` submitted with the given points for 公共区域清洁 (of 5), the fire
    lane pass/fail and 电梯运行正常 (of 10); 样板房保洁 not applicable."""
    from manyi.tickets.attachments import check_uploads

    inspection = workflow.plan(
        by=people.sam, template=template, unit=unit, inspector=people.amy, due_on=due()
    )
    rows = results_by_text(inspection)
    answers = {
        rows["公共区域清洁"].pk: ("", clean, "有杂物" if clean < 5 else ""),
        rows["消防通道畅通"].pk: (fire, None, "堵塞" if fire == "fail" else ""),
        rows["样板房保洁"].pk: ("na", None, ""),
        rows["电梯运行正常"].pk: ("", lift, "异响" if lift < 10 else ""),
    }
    photos = {rows["消防通道畅通"].pk: check_uploads([photo_upload()])} if fire == "fail" else {}
    workflow.save_answers(inspection, by=people.amy, answers=answers, photos=photos, submit=True)
    return inspection


def test_unit_item_and_month_figures(people, settings, tmp_path):
    settings.INSPECTION_PHOTO_ROOT = tmp_path
    template = make_checklist(EXAMPLE_ITEMS)
    east, west = make_unit("翠湖花园"), make_unit("西岭雅苑")
    # East: (2×5/5 + 3×1 + 1×10/10)/6 = 100 %, and (2×3/5 + 3×0 + 1×5/10)/6 = 1.7/6 = 28.33 %.
    done(people, template, east, 5, "pass", 10)
    first_fail = done(people, template, east, 3, "fail", 5)
    # West: (2×4/5 + 3×1 + 1×8/10)/6 = 5.4/6 = 90 %.
    done(people, template, west, 4, "pass", 8)
    # A re-inspection of east's failed items (all passing) counts in no figure.
    workflow.review(first_fail, by=people.sam)
    follow_up = workflow.plan_follow_up(first_fail, by=people.sam, inspector=people.amy, due_on=due())
    workflow.save_answers(
        follow_up,
        by=people.amy,
        answers={
            r.pk: (("pass", None, "") if r.item.is_pass_fail else ("", r.item.max_points, ""))
            for r in follow_up.results.select_related("item")
        },
        submit=True,
    )

    rows = {row.unit.name: row for row in unit_scores.by_unit(Inspection.objects.all())}
    assert rows["翠湖花园"].mean == pytest.approx((100 + 100 * 1.7 / 6) / 2)  # 64.17
    assert rows["翠湖花园"].lowest == pytest.approx(100 * 1.7 / 6)
    assert (rows["翠湖花园"].count, rows["翠湖花园"].findings) == (2, 3)
    assert rows["西岭雅苑"].mean == pytest.approx(90)
    assert list(rows) == ["翠湖花园", "西岭雅苑"]  # lowest mean first

    items = {
        row.item.text: row for row in unit_scores.by_item(Inspection.objects.all(), template, [east, west])
    }
    # 公共区域清洁: east (5/5, 3/5) → (100 + 60)/2 = 80; west 4/5 = 80; all units (80 + 80)/2.
    assert items["公共区域清洁"].by_unit == {east.pk: pytest.approx(80), west.pk: pytest.approx(80)}
    assert items["消防通道畅通"].by_unit == {east.pk: pytest.approx(50), west.pk: pytest.approx(100)}
    assert items["样板房保洁"].by_unit == {east.pk: None, west.pk: None}  # never applicable
    assert items["样板房保洁"].overall is None

    [(month, mean, count)] = unit_scores.by_month(Inspection.objects.all())
    assert (
        month == f"{timezone.localdate():%Y-%m}"
        and count == 3
        and mean == pytest.approx((100 + 100 * 1.7 / 6 + 90) / 3)
    )
