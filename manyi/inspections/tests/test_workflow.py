"""An inspection from assignment to the re-inspection that closes its findings, through the
tickets' corrective-action workflow."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from manyi.inspections import workflow
from manyi.inspections.choices import FindingStatus, InspectionStatus, TemplateStatus
from manyi.inspections.models import ChecklistItem, Finding, Inspection, ItemResult
from manyi.inspections.workflow import InspectionError
from manyi.tickets import workflow as tickets
from manyi.tickets.attachments import check_uploads
from manyi.tickets.choices import ActionStatus, Channel, EventKind

from .factories import EXAMPLE_ITEMS, due, make_checklist, make_unit, photo_upload, results_by_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(people):
    template = make_checklist(EXAMPLE_ITEMS)
    return workflow.plan(
        by=people.sam, template=template, unit=make_unit("翠湖花园"), inspector=people.amy, due_on=due()
    )


def answers_of(inspection, **by_text):
    rows = results_by_text(inspection)
    return {rows[text].pk: value for text, value in by_text.items()}


def fill_in(inspection, who, *, photo=True, submit=True):
    rows = results_by_text(inspection)
    answers = {
        rows["公共区域清洁"].pk: ("", 4, "楼道有杂物"),
        rows["消防通道畅通"].pk: ("fail", None, "3号楼消防通道堆放电动车"),
        rows["样板房保洁"].pk: ("na", None, ""),
        rows["电梯运行正常"].pk: ("", 10, ""),
    }
    photos = {rows["消防通道畅通"].pk: check_uploads([photo_upload()])} if photo else {}
    return workflow.save_answers(inspection, by=who, answers=answers, photos=photos, submit=submit)


def test_planning_makes_one_empty_result_per_item(inspection):
    assert inspection.status == InspectionStatus.PLANNED
    assert inspection.results.count() == 4
    assert not inspection.results.exclude(answer="").exists()


def test_submitting_scores_by_the_rule_and_makes_a_finding_of_every_failed_item(inspection, people):
    fill_in(inspection, people.amy)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.score == pytest.approx(100 * 2.6 / 6)  # test_scoring's hand-worked example
    failed = set(Finding.objects.filter(inspection=inspection).values_list("result__item__text", flat=True))
    assert failed == {"公共区域清洁", "消防通道畅通"}
    stored = results_by_text(inspection)["消防通道畅通"]
    assert stored.points == 0 and stored.photos.count() == 1


def test_a_failed_item_that_asks_for_a_photo_cannot_be_submitted_without_one_and_nothing_changes(
    inspection, people
):
    with pytest.raises(InspectionError, match="消防通道畅通"):
        fill_in(inspection, people.amy, photo=False)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED
    assert not ItemResult.objects.filter(inspection=inspection).exclude(answer="", points=None).exists()
    assert not Finding.objects.exists()


def test_saving_a_draft_keeps_it_open_with_the_score_so_far(inspection, people):
    fill_in(inspection, people.amy, photo=False, submit=False)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    assert inspection.score == pytest.approx(100 * 2.6 / 6)
    assert not Finding.objects.exists()


def test_points_above_the_maximum_are_refused(inspection, people):
    with pytest.raises(InspectionError):
        workflow.save_answers(
            inspection, by=people.amy, answers=answers_of(inspection, 公共区域清洁=("", 6, ""))
        )
    assert not ItemResult.objects.filter(points__isnull=False).exists()


def test_only_the_inspector_fills_in_their_inspection(inspection, people):
    for other in (people.sam, people.alice, people.hank):
        with pytest.raises(InspectionError):
            fill_in(inspection, other, photo=False, submit=False)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED


def test_a_submitted_inspection_can_no_longer_be_changed(inspection, people):
    fill_in(inspection, people.amy)
    with pytest.raises(InspectionError):
        fill_in(inspection, people.amy, photo=False, submit=False)


def test_finding_to_corrective_action_to_re_inspection_that_closes_it(inspection, people):
    fill_in(inspection, people.amy)
    workflow.review(inspection, by=people.sam, note="请物业整改")
    fire = Finding.objects.get(result__item__text="消防通道畅通")
    clean = Finding.objects.get(result__item__text="公共区域清洁")
    # Each finding is a feedback ticket of the inspection-finding category, found on site.
    ticket = fire.ticket
    assert ticket is not None and clean.ticket is not None
    assert ticket.channel == Channel.ON_SITE
    assert ticket.unit == inspection.unit
    assert ticket.category.code == "inspection-finding"
    assert "消防通道畅通" in ticket.subject and "3号楼消防通道堆放电动车" in ticket.description

    # The tickets' own workflow: assigned, investigated, an action with owner and deadline, done.
    tickets.acknowledge(ticket, people.amy)
    tickets.assign(ticket, people.sam, people.quality, people.hank)
    tickets.start_investigation(ticket, people.hank)
    tickets.record_root_cause(ticket, people.hank, "物业巡查频次不足")
    action = tickets.add_action(
        ticket,
        people.hank,
        description="清理消防通道，增加每日巡查",
        owner=people.hank,
        deadline=timezone.localdate() + timedelta(days=3),
    )
    tickets.complete_action(action, people.hank, "已清理并张贴禁停标识")

    # The re-inspection asks only the items of the open findings.
    follow_up = workflow.plan_follow_up(inspection, by=people.sam, inspector=people.amy, due_on=due(10))
    assert set(follow_up.results.values_list("item__text", flat=True)) == {"公共区域清洁", "消防通道畅通"}
    rows = results_by_text(follow_up)
    workflow.save_answers(
        follow_up,
        by=people.amy,
        answers={rows["消防通道畅通"].pk: ("pass", None, ""), rows["公共区域清洁"].pk: ("", 3, "仍有杂物")},
        submit=True,
    )
    assert not Finding.objects.filter(inspection=follow_up).exists()  # no second finding of the same item
    with translation.override("en"):  # the ticket's note is written in the reviewer's language
        workflow.review(follow_up, by=people.sam)

    fire.refresh_from_db()
    clean.refresh_from_db()
    assert fire.status == FindingStatus.RESOLVED and fire.resolved_by.inspection == follow_up
    assert clean.status == FindingStatus.OPEN
    action.refresh_from_db()
    assert action.status == ActionStatus.VERIFIED and action.verified_by == people.sam
    assert "the item passes (5 of 5 points)" in ticket.events.get(kind=EventKind.NOTE).note
    still = clean.ticket.events.get(kind=EventKind.NOTE).note
    assert "the item still fails (3 of 5 points)" in still and "仍有杂物" in still
    # The ticket can now be verified by the tickets' own rule (every action verified).
    tickets.reply(ticket, people.amy, "已整改，复查合格")
    tickets.verify(ticket, people.sam)


def test_a_re_inspection_needs_a_review_and_open_findings_first(inspection, people):
    with pytest.raises(InspectionError):
        workflow.plan_follow_up(inspection, by=people.sam, inspector=people.amy, due_on=due())
    fill_in(inspection, people.amy)
    with pytest.raises(InspectionError):
        workflow.plan_follow_up(inspection, by=people.sam, inspector=people.amy, due_on=due())
    workflow.review(inspection, by=people.sam)
    workflow.plan_follow_up(inspection, by=people.sam, inspector=people.amy, due_on=due())
    with pytest.raises(InspectionError):
        workflow.plan_follow_up(inspection, by=people.sam, inspector=people.amy, due_on=due())
    assert Inspection.objects.filter(follow_up_of=inspection).count() == 1


def test_assignments_need_a_manager_an_inspector_a_checklist_in_use_and_a_date_not_past(people):
    template = make_checklist(EXAMPLE_ITEMS)
    unit = make_unit()
    good = {"template": template, "unit": unit, "inspector": people.amy, "due_on": due()}
    for by, changes in (
        (people.amy, {}),
        (people.sam, {"inspector": people.hank}),
        (people.sam, {"due_on": timezone.localdate() - timedelta(days=1)}),
        (people.sam, {"template": make_checklist(EXAMPLE_ITEMS, status=TemplateStatus.DRAFT)}),
    ):
        with pytest.raises(InspectionError):
            workflow.plan(by=by, **{**good, **changes})
    assert not Inspection.objects.exists()


def test_a_used_checklist_is_frozen_and_a_new_version_copies_it(inspection, people):
    template = inspection.template
    item = ChecklistItem.objects.filter(section__template=template).first()
    with pytest.raises(InspectionError):
        workflow.delete_item(item, people.sam)
    copy = workflow.new_version(template, people.sam)
    assert (copy.code, copy.version, copy.status) == (template.code, 2, TemplateStatus.DRAFT)
    assert list(copy.items().values_list("text", "weight")) == list(
        template.items().values_list("text", "weight")
    )
    workflow.delete_item(copy.items().first(), people.sam)
    workflow.activate(copy, people.sam)
    template.refresh_from_db()
    assert template.status == TemplateStatus.ARCHIVED
    assert inspection.results.count() == 4  # the old inspection keeps its version


def test_the_shipped_checklists_are_in_use_with_the_seeds_terms():
    from manyi.inspections.models import ChecklistTemplate

    site = ChecklistTemplate.objects.get(code="property-site-inspection")
    mystery = ChecklistTemplate.objects.get(code="sales-office-mystery-visit")
    assert site.status == mystery.status == TemplateStatus.ACTIVE
    assert site.name == "物业项目品质巡检表" and mystery.name == "售楼处神秘客户暗访表"
    assert site.items().filter(text__contains="业主敏感点").exists()
    assert mystery.items().filter(text__contains="样板房").exists()
    assert mystery.items().filter(text__contains="不与客户争执").exists()


def test_the_first_finding_makes_its_ticket_category_and_a_switched_off_one_is_left_off(inspection, people):
    from manyi.tickets.models import Category

    assert not Category.objects.filter(code="inspection-finding").exists()  # no migration adds it
    fill_in(inspection, people.amy)
    workflow.review(inspection, by=people.sam)
    category = Category.objects.get(code="inspection-finding")
    assert set(Finding.objects.values_list("ticket__category", flat=True)) == {category.pk}
    category.is_active = False
    category.save()
    again = workflow.plan(
        by=people.sam, template=inspection.template, unit=inspection.unit, inspector=people.amy, due_on=due()
    )
    fill_in(again, people.amy)
    workflow.review(again, by=people.sam)
    assert set(Finding.objects.filter(inspection=again).values_list("ticket__category", flat=True)) == {None}


def test_a_cancel_reason_with_a_nul_character_is_refused_and_nothing_changes(inspection, people):
    with pytest.raises(InspectionError):
        workflow.cancel(inspection, by=people.alice, reason="改期\x00")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED and inspection.review_note == ""
    workflow.cancel(inspection, by=people.alice, reason="项目改期")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CANCELLED
