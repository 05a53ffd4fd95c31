"""The evidence pack's page (choose the period and the unit) and its download (PDF or ZIP).

Who: evidence.view (administrators, supervisors, analysts: accounts/permissions.py); which
units: those the user sees (organisation/access.py): a unit outside them is 404, and every
figure covers only the chosen unit's rows (scope.Scope). The pack is drawn in the request: a
year of a 100,000-customer company takes seconds (bench/evaluation.py).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.forms import parse_id

from . import rendering
from .figures import evidence_pack
from .forms import PackForm
from .scope import Scope, choosable_units


@require_GET
@capability_required(permissions.VIEW_EVIDENCE)
def pack_page(request):
    return render(request, "evidence/page.html", {"form": PackForm(user=request.user)})


@require_GET
@capability_required(permissions.VIEW_EVIDENCE)
def pack_download(request):
    if not request.GET:
        return redirect("evidence:page")
    chosen = request.GET.get("unit", "")
    if chosen:
        pk = parse_id(chosen)
        if pk is not None and not choosable_units(request.user).filter(pk=pk).exists():
            raise Http404  # another region's unit is not shown, nor said to exist
    form = PackForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "evidence/page.html", {"form": form}, status=400)
    scope = Scope.for_user(request.user, form.cleaned_data["unit"])
    pack = evidence_pack(request.user, scope, form.period())
    stem = rendering.file_stem(pack)
    if request.GET.get("format") == "zip":
        response = HttpResponse(rendering.zip_bytes(pack), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{stem}.zip"'
    else:
        response = HttpResponse(rendering.pdf_bytes(pack), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return response
