"""The organisation unit tree (集团 → 区域公司 → 项目; issue 19): administrators list, add, rename,
move and deactivate units. Who sees which unit's rows is manyi/organisation/access.py."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.organisation.forms import UnitForm
from manyi.organisation.models import Unit


@capability_required(permissions.MANAGE_ORGANISATION)
def unit_list(request):
    units = list(
        Unit.objects.annotate(
            member_count=Count("members", distinct=True), customer_count=Count("customers", distinct=True)
        ).order_by("path")
    )
    for unit in units:
        unit.indent = "\u3000" * unit.depth  # the tree's levels, as the unit choosers show them
    return render(request, "operations/units.html", {"units": units})


@capability_required(permissions.MANAGE_ORGANISATION)
def unit_edit(request, pk=None):
    """Add a unit (no pk) or change one: its name, code, kind, parent (moving it moves its
    subtree) and whether it is active. Refused input changes nothing and says why."""
    unit = get_object_or_404(Unit, pk=pk) if pk else Unit()
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST":
        if form.is_valid():
            unit = form.save()
            messages.success(request, _("Unit “%(name)s” saved.") % {"name": unit.name})
            return redirect("operations:units")
        if unit.pk:
            unit.refresh_from_db()  # the page's title names the unit as it is, not as typed
        return render(request, "operations/unit_form.html", {"form": form, "unit": unit}, status=400)
    return render(request, "operations/unit_form.html", {"form": form, "unit": unit})
