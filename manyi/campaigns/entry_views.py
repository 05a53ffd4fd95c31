"""Staff pages: agents enter phone interviews and paper questionnaires; response detail."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.forms import search_param
from manyi.surveys.logic.visibility import respondent_context
from manyi.surveys.pages import seen_blocks, staff_form
from manyi.surveys.piping import respondent_values

from .answering import (
    AnswerForm,
    answers_for_reader,
    can_see_individual_answers,
    import_paper_answers,
    initial_from_response,
    paper_columns,
    save_response,
)
from .choices import AnswerRefusal, Channel
from .models import Campaign, Invitation, Response

ENTRY_CHANNELS = {Channel.PHONE: Channel.PHONE, Channel.PAPER: Channel.PAPER}


@capability_required(permissions.ENTER_RESPONSES)
def invitation_list(request, campaign_pk):
    """The campaign's invitations, each with "phone interview" and "paper" entry links."""
    campaign = get_object_or_404(
        Campaign.objects.for_user(request.user).select_related("questionnaire"), pk=campaign_pk
    )
    # a region's agents list their region's customers of a group campaign (organisation/access.py)
    invitations = (
        Invitation.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("customer", "response")
        .order_by("customer__code")
    )
    query = search_param(request.GET)
    if query:
        invitations = invitations.filter(customer__code__icontains=query) | invitations.filter(
            customer__name__icontains=query
        )
    now = timezone.now()
    invitations = list(invitations[:500])
    for invitation in invitations:
        invitation.refusal = invitation.refusal_to_answer(now)  # the row's entry links
    return render(
        request,
        "campaigns/entry_list.html",
        {
            "campaign": campaign,
            "invitations": invitations,
            "query": query,
            "refusal": campaign.refusal_to_answer(now),
        },
    )


def _after_save(request, invitation, channel, *, created, complete, back):
    """The agent's message after saving an interview, and where they go next."""
    if not created:
        messages.info(request, _("This customer has already answered."))
    elif complete:
        messages.success(
            request, _("Answers of %(customer)s saved.") % {"customer": invitation.customer.name}
        )
    else:
        messages.success(request, _("Draft saved. You can finish it later."))
        return redirect("entry:enter", pk=invitation.pk, channel=channel)
    return back


@capability_required(permissions.ENTER_RESPONSES)
def enter(request, pk, channel):
    """Enter the answers a customer gives on the phone (or on paper) for one invitation."""
    if channel not in ENTRY_CHANNELS:
        raise Http404
    invitation = get_object_or_404(
        Invitation.objects.for_user(request.user).select_related("campaign__questionnaire", "customer"), pk=pk
    )
    campaign = invitation.campaign
    back = redirect("entry:invitations", campaign_pk=campaign.pk)
    refusal = invitation.refusal_to_answer(timezone.now())
    if refusal is not None:
        (messages.info if refusal == AnswerRefusal.ANSWERED else messages.error)(request, refusal.label)
        return back
    existing = Response.objects.filter(invitation=invitation).first()
    questionnaire = campaign.questionnaire
    # A draft is individual answers: it is shown (and saved, to be shown later) only to who may
    # read this campaign's answers. Others start from an empty form and are told a draft
    # exists, since what they submit replaces it (the invitation list shows it was started).
    may_read = can_see_individual_answers(request.user, campaign)
    # The customer's and invitation's fields the conditions name (customer.type, …): the same
    # for the page's script and for the server's check at save (issue 21).
    respondent = respondent_context(questionnaire, invitation)
    if request.method == "POST":
        complete = request.POST.get("action") != "save"
        form = AnswerForm(questionnaire, data=request.POST, complete=complete, context=respondent)
        if not complete and not may_read:
            # A draft they could not open again: refused, nothing saved.
            messages.error(
                request,
                _(
                    "The answers of this survey are confidential: a draft cannot be saved to finish "
                    "later. Submit the answers when the interview is done."
                ),
            )
        elif form.is_valid():
            _response, created = save_response(
                campaign=campaign,
                questionnaire=questionnaire,
                cleaned_data=form.cleaned_data,
                channel=ENTRY_CHANNELS[channel],
                invitation=invitation,
                agent=request.user,
                complete=complete,
            )
            return _after_save(request, invitation, channel, created=created, complete=complete, back=back)
        status = 400
    else:
        form = AnswerForm(
            questionnaire, initial=initial_from_response(existing) if existing and may_read else None
        )
        status = 200
    if existing is not None and not may_read:
        messages.info(
            request,
            _(
                "This customer has saved a draft. The answers of this survey are confidential, so it is "
                "not shown to you: ask every question; what you submit replaces the draft."
            ),
        )
    return _render_entry(request, invitation, channel, form, respondent, may_read, status)


def _render_entry(request, invitation, channel, form, respondent, may_read, status):
    questionnaire = invitation.campaign.questionnaire
    question_blocks, page_sections = staff_form(
        questionnaire.layout(), form, respondent_values(invitation, channel=ENTRY_CHANNELS[channel])
    )
    context = {
        "campaign": invitation.campaign,
        "invitation": invitation,
        "channel": channel,
        "questionnaire": questionnaire,
        "form": form,
        "blocks": question_blocks,
        "page_sections": page_sections,
        "summary": form.error_summary() if form.is_bound else [],
        "answered": form.answered_count(),
        "total": len(form.questions),
        "action_url": request.path,
        "allow_save": may_read,
        "condition_context": respondent,
    }
    return render(request, "campaigns/entry_form.html", context, status=status)


@capability_required(permissions.ENTER_RESPONSES)
def paper_import(request, campaign_pk):
    """Upload paper answers (.xlsx/.csv): all rows or none."""
    import tempfile
    from pathlib import Path

    from manyi import uploads
    from manyi.customers.importing import ImportFileError

    campaign = get_object_or_404(
        Campaign.objects.for_user(request.user).select_related("questionnaire"), pk=campaign_pk
    )
    context = {"campaign": campaign, "errors": [], "file_error": ""}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_error"] = _("Please choose a file.")
        elif upload.size > uploads.max_bytes():
            # Refused before it is stored; the other limits are checked when it is opened.
            context["file_error"] = uploads.too_large_message(upload.size)
        else:
            suffix = Path(upload.name).suffix.lower()
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"upload{suffix}"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                try:
                    result = import_paper_answers(campaign, path, agent=request.user, reader=request.user)
                except ImportFileError as error:
                    context["file_error"] = str(error)
                else:
                    if not result.errors:
                        messages.success(
                            request,
                            _("%(count)s paper questionnaires imported.") % {"count": result.imported},
                        )
                        return redirect("entry:invitations", campaign_pk=campaign.pk)
                    context["errors"] = result.errors
        status = 400
    context["columns"] = [code for code, _question, _row in paper_columns(campaign.questionnaire)]
    return render(request, "campaigns/entry_import.html", context, status=status)


@capability_required(permissions.VIEW_RESPONSES)
def response_detail(request, pk):
    """One response: answers and scores, for those allowed to see individual answers."""
    response = get_object_or_404(
        Response.objects.for_user(request.user).select_related(
            "campaign", "questionnaire", "customer", "agent", "invitation"
        ),
        pk=pk,
    )
    if not can_see_individual_answers(request.user, response.campaign):
        raise PermissionDenied
    form = AnswerForm(response.questionnaire, initial=answers_for_reader(response, request.user))
    # in the order the respondent saw (issue 21: a shuffled page or shuffled options)
    seen = seen_blocks(response.questionnaire.layout(), form.question_contexts(), response.order)
    dimensions = {d.code: d.title for d in response.questionnaire.dimensions.all()}
    return render(
        request,
        "campaigns/response_detail.html",
        {
            "response": response,
            "campaign": response.campaign,
            "blocks": seen,
            "dimension_scores": [
                (dimensions.get(code, code), score)
                for code, score in (response.dimension_scores or {}).items()
            ],
            "item_scores": sorted((response.item_scores or {}).items()),
        },
    )
