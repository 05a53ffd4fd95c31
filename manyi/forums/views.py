"""Customer forum pages: the list, the form, the detail with attendance and opinions, the
follow-up of an opinion (a ticket, an improvement) and the minutes.

Views are thin: they find the forum the user may act on (``access.ForumScope``; 404 when it is
not theirs), call one verb of ``workflow`` and redirect or render. A ForumError's message is
shown and nothing changes.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from manyi.accounts import permissions as perms
from manyi.accounts.decorators import capability_required
from manyi.forms import BadParameter, id_param, parse_id
from manyi.private_files import serve_private_file
from manyi.tickets.attachments import AttachmentError, check_uploads

from . import workflow
from .access import ForumScope
from .forms import ForumForm, ImprovementForm, OpinionForm
from .models import MinutesFile, Opinion
from .workflow import ForumError

PAGE_SIZE = 50


def _year(request):
    text = request.GET.get("year", "")
    if not text:
        return None
    if not (text.isascii() and text.isdecimal() and 2000 <= int(text) <= 2100):
        raise BadParameter(
            _("“%(name)s” must be one of the choices the page offers; choose again.") % {"name": _("Year")}
        )
    return int(text)


def _forum(queryset, pk):
    return get_object_or_404(queryset.select_related("unit", "host"), pk=pk)


def _managed(request, pk):
    return _forum(ForumScope(request.user).managed(), pk)


def _opinion(request, pk, opinion_pk):
    forum = _managed(request, pk)
    return get_object_or_404(
        Opinion.objects.select_related("forum__unit", "forum__host"), pk=opinion_pk, forum=forum
    )


@require_GET
@capability_required(perms.VIEW_FORUMS)
def forum_list(request):
    """The forums of the user's units, newest first, by unit and year."""
    scope = ForumScope(request.user)
    rows = scope.forums().select_related("unit", "host")
    unit = id_param(request.GET, "unit", _("Unit"))
    year = _year(request)
    if unit is not None:
        rows = rows.filter(unit_id=unit)
    if year is not None:
        rows = rows.held_in(year)
    rows = rows.order_by("-held_on", "-pk").annotate(
        invited=Count("invitations", distinct=True),
        came=Count("invitations", filter=Q(invitations__attended=True), distinct=True),
        opinion_count=Count("opinions", distinct=True),
        followed_up=Count(
            "opinions",
            filter=Q(opinions__ticket__isnull=False) | Q(opinions__improvement__isnull=False),
            distinct=True,
        ),
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "forums/forum_list.html",
        {
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "units": scope.units(),
            "years": range(this_year + 1, this_year - 5, -1),
            "chosen": {"unit": unit, "year": year},
            "manages": scope.manages,
        },
    )


@capability_required(perms.MANAGE_FORUMS)
def forum_new(request):
    form = ForumForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            forum = workflow.save_forum(by=request.user, **form.cleaned_data)
        except ForumError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The forum is recorded: invite the customers."))
            return redirect(forum)
    return render(request, "forums/forum_form.html", {"form": form})


@capability_required(perms.MANAGE_FORUMS)
def forum_edit(request, pk):
    forum = _managed(request, pk)
    form = ForumForm.for_forum(forum, request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.save_forum(by=request.user, forum=forum, **form.cleaned_data)
        except ForumError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The forum is saved."))
            return redirect(forum)
    return render(request, "forums/forum_form.html", {"form": form, "forum": forum})


@require_GET
@capability_required(perms.VIEW_FORUMS)
def forum_detail(request, pk):
    scope = ForumScope(request.user)
    forum = _forum(scope.forums(), pk)
    manages = scope.may_manage(forum)
    taken_place = forum.has_taken_place()
    invitations = forum.invitations.select_related("customer")
    return render(
        request,
        "forums/forum_detail.html",
        {
            "forum": forum,
            "invitations": invitations,
            "came": sum(1 for i in invitations if i.attended),
            "opinions": forum.opinions.select_related("customer", "topic", "ticket", "improvement"),
            "minutes": forum.minutes.all(),
            "manages": manages,
            "taken_place": taken_place,
            "opinion_form": OpinionForm(forum=forum) if manages and taken_place else None,
            "may_make_tickets": manages and request.user.can(perms.CREATE_TICKETS),
            "may_make_improvements": manages and request.user.can(perms.MANAGE_IMPROVEMENTS),
        },
    )


def _done(request, forum, error, success):
    if error is not None:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(forum)


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def invite(request, pk):
    forum = _managed(request, pk)
    try:
        added, already = workflow.invite(forum, by=request.user, codes=request.POST.get("codes", ""))
    except ForumError as error:
        return _done(request, forum, error, None)
    text = ngettext("%(count)s customer invited.", "%(count)s customers invited.", len(added)) % {
        "count": len(added)
    }
    if already:
        text += " " + _("Already invited: %(codes)s.") % {"codes": ", ".join(already[:20])}
    return _done(request, forum, None, text)


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def invitation_remove(request, pk, invitation_pk):
    forum = _managed(request, pk)
    invitation = get_object_or_404(forum.invitations, pk=invitation_pk)
    try:
        workflow.remove_invitation(invitation, by=request.user)
    except ForumError as error:
        return _done(request, forum, error, None)
    return _done(request, forum, None, _("The invitation is removed."))


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def attendance(request, pk):
    forum = _managed(request, pk)
    came = [parse_id(value) for value in request.POST.getlist("came")]
    try:
        if None in came:
            raise ForumError(_("Only customers invited to this forum can have come; reload the page."))
        count = workflow.record_attendance(forum, by=request.user, came=came)
    except ForumError as error:
        return _done(request, forum, error, None)
    return _done(request, forum, None, _("Attendance saved: %(count)s came.") % {"count": count})


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def opinion_add(request, pk):
    forum = _managed(request, pk)
    form = OpinionForm(request.POST, forum=forum)
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _done(request, forum, error, None)
    try:
        workflow.add_opinion(forum, by=request.user, **form.cleaned_data)
    except ForumError as error:
        return _done(request, forum, error, None)
    return _done(request, forum, None, _("The opinion is recorded."))


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def opinion_delete(request, pk, opinion_pk):
    opinion = _opinion(request, pk, opinion_pk)
    try:
        workflow.delete_opinion(opinion, by=request.user)
    except ForumError as error:
        return _done(request, opinion.forum, error, None)
    return _done(request, opinion.forum, None, _("The opinion is removed."))


@require_POST
@capability_required(perms.MANAGE_FORUMS, perms.CREATE_TICKETS)
def opinion_ticket(request, pk, opinion_pk):
    opinion = _opinion(request, pk, opinion_pk)
    try:
        ticket = workflow.make_ticket(opinion, by=request.user)
    except ForumError as error:
        return _done(request, opinion.forum, error, None)
    return _done(
        request, opinion.forum, None, _("Ticket %(reference)s opened.") % {"reference": ticket.reference}
    )


@capability_required(perms.MANAGE_FORUMS, perms.MANAGE_IMPROVEMENTS)
def opinion_improvement(request, pk, opinion_pk):
    """The improvement's title, measures, owner and deadline; the opinion is its problem."""
    opinion = _opinion(request, pk, opinion_pk)
    form = ImprovementForm(
        request.POST or None, user=request.user, initial={"title": opinion.text.strip().splitlines()[0][:200]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            improvement = workflow.make_improvement(opinion, by=request.user, **form.cleaned_data)
        except ForumError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Improvement %(reference)s raised.") % {"reference": improvement.reference}
            )
            return redirect(opinion.forum)
    return render(
        request, "forums/improvement_form.html", {"form": form, "opinion": opinion, "forum": opinion.forum}
    )


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def minutes_upload(request, pk):
    forum = _managed(request, pk)
    try:
        files = workflow.attach_minutes(
            forum, by=request.user, checked_files=check_uploads(request.FILES.getlist("files"))
        )
    except (ForumError, AttachmentError) as error:
        return _done(request, forum, error, None)
    return _done(
        request,
        forum,
        None,
        ngettext(
            "%(count)s file of the minutes attached.", "%(count)s files of the minutes attached.", len(files)
        )
        % {"count": len(files)},
    )


@require_GET
@capability_required(perms.VIEW_FORUMS)
def minutes(request, pk, file_pk):
    """A minutes file of a forum the user sees."""
    forum = _forum(ForumScope(request.user).forums(), pk)
    stored = get_object_or_404(MinutesFile, pk=file_pk, forum=forum)
    return serve_private_file(
        stored.file, content_type=stored.content_type, filename=stored.original_name, as_attachment=True
    )


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def minutes_delete(request, pk, file_pk):
    forum = _managed(request, pk)
    stored = get_object_or_404(MinutesFile, pk=file_pk, forum=forum)
    workflow.delete_minutes(stored, by=request.user)
    return _done(request, forum, None, _("The file is removed."))


@require_POST
@capability_required(perms.MANAGE_FORUMS)
def forum_delete(request, pk):
    forum = _managed(request, pk)
    try:
        workflow.delete_forum(forum, by=request.user)
    except ForumError as error:
        return _done(request, forum, error, None)
    messages.success(request, _("The forum is removed."))
    return redirect("forums:list")
