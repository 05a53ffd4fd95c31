"""Who sees and records which customer forums: the one rule, decided here (REQUIREMENTS §10, issue 19).

    who (capabilities)           forums they see                   may do
    viewer (forums.view)         every forum of the units they see  read: attendance, opinions, minutes
    manager (forums.manage)      every forum of the units they see  record forums, invitations,
                                                                    attendance, opinions, minutes

Turning an opinion into a ticket also needs ``tickets.create``, into an improvement
``improvements.manage`` (the views ask for both; the tickets' and improvements' own verbs check
theirs again). The units a user sees are ``organisation.access``: a region's staff see their
region's forums and never another region's; the group's customer department sees all. Nothing
here compares role names; the capabilities are in ``accounts/permissions.py``.
"""

from manyi.accounts import permissions as perms
from manyi.customers.models import Customer
from manyi.organisation.access import assignable_units, limit_to_units, may_see_unit, visible_people

from .models import Forum


class ForumScope:
    """The forums one user may see and record; yes/no questions ask the same rule."""

    def __init__(self, user):
        self.user = user
        signed_in = user.is_authenticated
        self.manages = signed_in and user.can(perms.MANAGE_FORUMS)
        self.views = signed_in and (self.manages or user.can(perms.VIEW_FORUMS))

    def forums(self):
        if not self.views:
            return Forum.objects.none()
        return limit_to_units(Forum.objects.all(), self.user, "unit")

    def managed(self):
        if not self.manages:
            return Forum.objects.none()
        return limit_to_units(Forum.objects.all(), self.user, "unit")

    def units(self):
        """The units the user may hold a forum for (and filter the list by)."""
        return assignable_units(self.user)

    def hosts(self):
        """Active staff of the user's units and of the units above (the group's people host too)."""
        return visible_people(self.user).order_by("username")

    def may_manage(self, forum):
        return self.manages and may_see_unit(self.user, forum.unit_id)

    def may_hold_for(self, unit):
        return self.manages and unit is not None and unit.is_active and may_see_unit(self.user, unit)

    def invitable_customers(self, forum):
        """The customers a forum may invite: the user's customers (organisation.access) of the
        forum's unit and the units below it (a group forum: all); never an erased one."""
        customers = Customer.objects.for_user(self.user).filter(erased_at__isnull=True)
        unit = forum.unit
        if unit.parent_id is not None:
            customers = customers.filter(unit__path__startswith=unit.path)
        return customers
