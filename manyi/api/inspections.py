"""The inspections of the JSON API (issue 19): read-only, what the inspection list page shows.

Who sees which inspection is ``inspections.access.InspectionScope`` (the units the user sees,
REQUIREMENTS §10), exactly as the pages. Added to the API at the end of ``api.py``.
"""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema

from manyi.accounts import permissions
from manyi.inspections.access import InspectionScope
from manyi.inspections.choices import InspectionStatus, TemplateKind

from .common import Page, PageQuery, paginate, require
from .contract import NO_NUL, answers

inspections = Router(tags=["inspections"])


class InspectionFilters(PageQuery):
    status: InspectionStatus | None = None
    kind: TemplateKind | None = None
    unit: str = Field(
        "", max_length=30, pattern=NO_NUL, description="the unit's code (its subtree is not included)"
    )


class InspectionOut(Schema):
    id: int
    checklist: str
    checklist_version: int
    kind: str
    unit: str
    unit_name: str
    inspector: str
    due_on: date
    status: str
    score: float | None = Field(description="weighted percentage over the applicable items (0-100)")
    inspected_at: datetime | None
    submitted_at: datetime | None
    re_inspection_of: int | None
    findings: int
    open_findings: int


class InspectionList(Page):
    results: list[InspectionOut]


def inspection_out(inspection):
    findings = list(inspection.findings.values_list("status", flat=True))
    return {
        "id": inspection.pk,
        "checklist": inspection.template.code,
        "checklist_version": inspection.template.version,
        "kind": inspection.template.kind,
        "unit": inspection.unit.code,
        "unit_name": inspection.unit.name,
        "inspector": inspection.inspector.username,
        "due_on": inspection.due_on,
        "status": inspection.status,
        "score": inspection.score,
        "inspected_at": inspection.inspected_at,
        "submitted_at": inspection.submitted_at,
        "re_inspection_of": inspection.follow_up_of_id,
        "findings": len(findings),
        "open_findings": findings.count("open"),
    }


@inspections.get(
    "/inspections", **answers({200: InspectionList}, 400, 401, 403, 422), summary="List inspections"
)
def list_inspections(request, filters: Query[InspectionFilters]):
    """The inspections and mystery visits of the user's units, latest due first."""
    require(request, permissions.VIEW_INSPECTIONS)
    rows = InspectionScope(request.user).inspections().select_related("template", "unit", "inspector")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(template__kind=filters.kind)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    page, info = paginate(rows.order_by("-due_on", "-pk"), filters.page, filters.page_size)
    return {**info, "results": [inspection_out(inspection) for inspection in page]}
