"""The public feedback form's poster (门店 / 前台): its address and QR code, to print."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.links import absolute_url
from manyi.qr import qr_svg


def feedback_address():
    """Where customers reach the public feedback form, as mailed and printed links are built."""
    return absolute_url(reverse("feedback:form"))


@capability_required(permissions.VIEW_TICKETS)
def feedback_poster(request):
    """A printable page with the form's QR code and address, for a counter or a shop window."""
    return render(request, "tickets/feedback_poster.html", {"address": feedback_address()})


@capability_required(permissions.VIEW_TICKETS)
def feedback_qr(request):
    response = HttpResponse(qr_svg(feedback_address()), content_type="image/svg+xml")
    response["Content-Disposition"] = 'inline; filename="feedback-qr.svg"'
    return response
