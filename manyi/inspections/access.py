"""Who sees and works which inspections: the one rule, decided here (REQUIREMENTS §10, issue 19).

    who (capabilities)                 inspections and findings they see        may do
    inspector (inspections.work)       the ones assigned to them                fill in and submit them
    viewer (inspections.view)          every one of the units they see          read, results per unit
    manager (inspections.manage)       every one of the units they see          templates, assign, review,
                                                                                 re-inspect, cancel

The units a user sees are ``organisation.access`` (a region's staff see their region, the group's
customer department sees all); an inspector sees their own assignments whatever the unit (they
were sent there). Nothing here or elsewhere compares role names; the capabilities are in
``accounts/permissions.py``.
"""

from django.db.models import Q

from manyi.accounts import permissions as perms
from manyi.organisation.access import assignable_units, may_see_unit, unit_condition

from .choices import OPEN_INSPECTION_STATUSES
from .models import Finding, Inspection


class InspectionScope:
    """The inspections one user may see and act on; yes/no questions ask the same queries."""

    def __init__(self, user):
        self.user = user
        signed_in = user.is_authenticated
        self.works = signed_in and user.can(perms.WORK_INSPECTIONS)
        self.views = signed_in and user.can(perms.VIEW_INSPECTIONS)
        self.manages = signed_in and user.can(perms.MANAGE_INSPECTIONS)

    def inspections(self):
        """Everything the user may see: their units' (viewers, managers) and their own (inspectors)."""
        if self.views or self.manages:
            units = unit_condition(self.user, "unit")
            if not units:  # sees every unit (an empty Q would swallow the OR below)
                return Inspection.objects.all()
            return Inspection.objects.filter(units | Q(inspector_id=self.user.pk))
        return self.mine()

    def mine(self):
        """The inspector's own assignments (their worklist)."""
        if not self.works:
            return Inspection.objects.none()
        return Inspection.objects.filter(inspector_id=self.user.pk)

    def managed(self):
        """What the user may assign, review, re-inspect and cancel: their units' inspections."""
        if not self.manages:
            return Inspection.objects.none()
        return Inspection.objects.filter(unit_condition(self.user, "unit"))

    def findings(self):
        return Finding.objects.filter(inspection__in=self.inspections())

    def units(self):
        """The units the user may plan inspections for."""
        return assignable_units(self.user)

    # ------------------------------------------------------------------ one object

    def allows(self, inspection):
        return self.inspections().filter(pk=inspection.pk).exists()

    def may_fill_in(self, inspection):
        """Only the inspector fills in their own open inspection."""
        return (
            self.works
            and inspection.inspector_id == self.user.pk
            and inspection.status in OPEN_INSPECTION_STATUSES
        )

    def may_manage(self, inspection):
        return self.manages and may_see_unit(self.user, inspection.unit_id)

    def may_plan_for(self, unit):
        return self.manages and unit is not None and may_see_unit(self.user, unit)
