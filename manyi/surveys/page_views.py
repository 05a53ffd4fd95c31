"""The builder's pages (issue 21): add, edit, move and delete the pages of a questionnaire.

The frozen rule of views.py holds: a change to a questionnaire with answers goes to its next
version (`_editable`), where the page that stood at the same place is changed.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required

from .forms import PageForm, counterpart_page, move
from .models import Page
from .views import DIRECTIONS, _done, _editable, _questions_partial, newest_version_only


def _counterpart(page, questionnaire, target):
    return page if page is None or target.pk == questionnaire.pk else counterpart_page(page, target)


@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def page_edit(request, questionnaire, page_pk=None):
    page = get_object_or_404(Page, pk=page_pk, questionnaire=questionnaire) if page_pk else None
    form = PageForm(request.POST or None, instance=page, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        target = _editable(request, questionnaire)
        saved = form.save_to(target, _counterpart(page, questionnaire, target))
        messages.success(request, _("Page saved."))
        return redirect(target.get_absolute_url() + f"#page-{saved.pk}")
    if request.method == "POST" and page is not None:
        page.refresh_from_db()  # validating wrote the rejected values into the instance
    return render(
        request,
        "surveys/page_form.html",
        {"questionnaire": questionnaire, "page": page, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def page_delete(request, questionnaire, page_pk):
    page = get_object_or_404(Page, pk=page_pk, questionnaire=questionnaire)
    target = _editable(request, questionnaire)
    _counterpart(page, questionnaire, target).delete()
    messages.success(request, _("Page deleted; its questions now come first, before any page."))
    return redirect(target.get_absolute_url() + "#pages")


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def page_move(request, questionnaire, page_pk, direction):
    page = get_object_or_404(Page, pk=page_pk, questionnaire=questionnaire)
    if direction not in DIRECTIONS:
        raise Http404
    target = _editable(request, questionnaire)
    counterpart = _counterpart(page, questionnaire, target)
    move(counterpart, target.pages.order_by("position", "pk"), direction)
    return _done(request, questionnaire, target, "#pages") or _questions_partial(request, target)
