"""A ticket's topic: a person confirms or changes the suggested one; the intake form shows the
suggestion while the description is typed."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.results import topics as topic_rule
from manyi.results.models import Topic

from . import workflow
from .views import _back, _visible_ticket
from .workflow import MAX_NOTE, TicketError


class TopicChoiceForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic"),
        queryset=Topic.objects.active(),
        error_messages={
            "required": gettext_lazy("Choose a topic."),
            "invalid_choice": gettext_lazy("Choose an active topic."),
        },
    )


@require_POST
@capability_required(permissions.VIEW_TICKETS)
def ticket_topic(request, pk):
    ticket = _visible_ticket(request, pk)
    if not workflow.may_classify(ticket, request.user):
        raise PermissionDenied
    form = TopicChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(request, ticket)
    try:
        workflow.choose_topic(ticket, request.user, form.cleaned_data["topic"])
    except TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The topic has been saved."))
    return _back(request, ticket)


@require_GET
@capability_required(permissions.CREATE_TICKETS)
def topic_suggestion(request):
    """The intake form's hint: the topic the rule suggests for the description typed so far."""
    text = request.GET.get("description", "")[:MAX_NOTE]
    suggestion = topic_rule.suggest(text) if text.strip() else None
    return render(request, "tickets/_topic_suggestion.html", {"suggestion": suggestion})
