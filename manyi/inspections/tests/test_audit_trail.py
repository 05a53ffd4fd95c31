"""The audit trail (REQUIREMENTS §9): who changed a checklist item and an inspector's answer."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from manyi.inspections import workflow
from manyi.inspections.choices import TemplateStatus

from .factories import EXAMPLE_ITEMS, due, make_checklist, make_unit, results_by_text

pytestmark = pytest.mark.django_db


def test_a_changed_item_and_a_changed_answer_keep_who_and_the_old_value(people, client_as):
    draft = make_checklist(EXAMPLE_ITEMS, status=TemplateStatus.DRAFT)
    item = draft.items().get(text="公共区域清洁")
    data = {
        "section": item.section_id,
        "text": "公共区域清洁，无杂物",
        "scoring": "points",
        "max_points": 5,
        "weight": "3",
    }
    assert (
        client_as(people.sam)
        .post(reverse("inspections:item_edit", args=[draft.pk, item.pk]), data)
        .status_code
        == 302
    )
    change = LogEntry.objects.get_for_object(item).filter(action=LogEntry.Action.UPDATE).get()
    assert change.actor == people.sam and [float(v) for v in change.changes_dict["weight"]] == [2, 3]

    workflow.activate(draft, people.sam)
    inspection = workflow.plan(
        by=people.sam, template=draft, unit=make_unit(), inspector=people.amy, due_on=due()
    )
    result = results_by_text(inspection)["公共区域清洁，无杂物"]
    client_as(people.amy).post(
        reverse("inspections:form", args=[inspection.pk]), {f"points-{result.pk}": "4", "action": "save"}
    )
    client_as(people.amy).post(
        reverse("inspections:form", args=[inspection.pk]), {f"points-{result.pk}": "5", "action": "save"}
    )
    answers = (
        LogEntry.objects.get_for_object(result).filter(action=LogEntry.Action.UPDATE).order_by("timestamp")
    )
    assert [entry.actor for entry in answers] == [people.amy, people.amy]
    assert [float(v) for v in answers.last().changes_dict["points"]] == [4, 5]
