"""The customer's page of the satisfaction callback (/feedback/callback/<token>/, no login).

One question and a comment, for a phone (390 px wide first). The personal link answers once:
a second submit, an expired link or a link that was replaced (the ticket was reopened) get a
page that says so and change nothing. Each POST counts against PUBLIC_SUBMIT_RATE per client
address, in a bucket of its own.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from manyi.accounts.ratelimit import rate_limited

from . import callback
from .callback import LinkState
from .forms import CallbackAnswerForm
from .workflow import TicketError

RATE_BUCKET = "ticket-callback"


def _message(request, page, title, text, status=200):
    return render(
        request, "tickets/callback/message.html", {"page": page, "title": title, "text": text}, status=status
    )


def _closed_link(request, state):
    if state == LinkState.USED:
        return _message(
            request,
            "used",
            _("Thank you, we have your answer"),
            _("This link has already been used; your answer was recorded once."),
        )
    if state == LinkState.EXPIRED:
        return _message(
            request,
            "expired",
            _("This link has expired"),
            _("The time to answer this survey is over. If you want to tell us something, please contact us."),
            status=410,
        )
    return _message(
        request,
        "unknown",
        _("Link not found"),
        _("This link is not valid. Please check that you copied the whole address from the e-mail."),
        status=404,
    )


@never_cache
@csrf_protect
def answer(request, token):
    ticket = callback.ticket_for_token(token)
    state = callback.link_state(ticket)
    if state != LinkState.OPEN:
        return _closed_link(request, state)
    form = CallbackAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if rate_limited(request, RATE_BUCKET):
            return _message(
                request,
                "rate-limited",
                _("Too many submissions"),
                _("We received too many answers from your network in a short time. Please try again later."),
                status=429,
            )
        if form.is_valid():
            try:
                state = callback.answer_by_link(
                    token, form.cleaned_data["rating"], form.cleaned_data["comment"]
                )
            except TicketError as error:
                form.add_error(None, str(error))
            else:
                if state != LinkState.OPEN:
                    return _closed_link(request, state)
                return _message(
                    request,
                    "thanks",
                    _("Thank you for your answer"),
                    _("Your answer helps us serve you better."),
                )
        status = 400
    else:
        status = 200
    return render(request, "tickets/callback/answer.html", {"ticket": ticket, "form": form}, status=status)
