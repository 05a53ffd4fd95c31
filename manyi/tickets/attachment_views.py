"""Attachments on the ticket page: upload (staff) and download (whoever may see the ticket).

The ticket is fetched through ``Ticket.objects.for_user``, as on the detail page: a user who
may not see the ticket gets 404 for the ticket and for its files alike. Files are sent with
the type found when they were checked, ``nosniff`` and a sandboxing content security policy;
PDF documents always as a download, images inline.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.private_files import serve_private_file

from . import workflow
from .attachments import Attachment, AttachmentError, Source, check_uploads
from .models import Ticket, TicketError


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def upload(request, pk):
    ticket = get_object_or_404(Ticket.objects.for_user(request.user), pk=pk)
    if not workflow.may_attach(ticket, request.user):
        raise PermissionDenied
    files = request.FILES.getlist("files")
    refusal = workflow.change_refusal(ticket, request.user, "attach")
    if refusal is None and not files:
        refusal = _("Choose one or more files to attach.")
    if refusal:
        messages.error(request, refusal)
        return redirect(ticket)
    try:
        stored = workflow.attach(ticket, request.user, check_uploads(files), source=Source.STAFF)
    except (AttachmentError, TicketError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)s files attached.") % {"count": len(stored)})
    return redirect(ticket)


@require_GET
@capability_required(permissions.VIEW_TICKETS)
def download(request, pk, attachment_pk):
    ticket = get_object_or_404(Ticket.objects.for_user(request.user), pk=pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, ticket=ticket)
    return serve_private_file(
        attachment.file,
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )


# Included by manyi/tickets/urls.py (the "tickets" namespace); three segments, so that the
# ticket's transition route (<pk>/<name>/) never catches them.
urlpatterns = [
    path("<int:pk>/attachments/add/", upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", download, name="attachment"),
]
