"""Public answer pages for customers (no login): personal links, the anonymous link, opt-out."""

import hmac
import uuid
from functools import partial

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from manyi.accounts.ratelimit import already_limited, rate_limited
from manyi.surveys.translations import questionnaire_text

from . import channels, hot_sql, paging, quotas
from .answering import initial_from_response, save_response
from .channels import sms
from .choices import AnswerRefusal, Channel
from .models import Campaign, Invitation, Response


def _message(request, page, title, text="", status=200, campaign=None):
    context = {"page": page, "title": title, "text": text, "campaign": campaign}
    return render(request, "public/message.html", context, status=status)


def unknown_link(request):
    return _message(
        request,
        "unknown",
        _("We cannot find this survey link"),
        _("Please check that the link is complete, or contact the company that sent it to you."),
        status=404,
    )


def _closed(request, campaign, now):
    if campaign.deadline and campaign.deadline <= now:
        text = _("This survey closed on %(deadline)s. Thank you for your interest.") % {
            "deadline": timezone.localtime(campaign.deadline).strftime("%Y-%m-%d %H:%M")
        }
    else:
        text = _("This survey is not open at the moment. Thank you for your interest.")
    return _message(request, "closed", _("This survey is closed"), text, status=410, campaign=campaign)


def _already(request, campaign):
    return _message(
        request,
        "already",
        _("You have already answered this survey"),
        _("Your answers were received. Thank you!"),
        campaign=campaign,
    )


def _refused(request, campaign, refusal, now):
    """The page for a link that takes no answer now (Invitation.refusal_to_answer), in the
    customer's words."""
    if refusal == AnswerRefusal.OPTED_OUT:
        return _message(request, "opted-out", _("You will not be invited again"), campaign=campaign)
    if refusal == AnswerRefusal.ANSWERED:
        return _already(request, campaign)
    return _closed(request, campaign, now)


def _invitation(token):
    """The invitation with its campaign and questionnaire (the answer page's one query)."""
    return hot_sql.invitation_with_survey(token)


def _quota_full(request, campaign):
    """The polite page for a respondent whose stratum's quota is full (campaigns/quotas.py)."""
    return _message(
        request,
        "quota-full",
        _("Thank you for your interest"),
        _(
            "We have already received enough answers from people like you, so this survey is "
            "closed for you. Thank you very much for your time."
        ),
        campaign=campaign,
    )


def _render_form(
    request,
    campaign,
    paged,
    form,
    index,
    *,
    action_url,
    status=200,
    saved=False,
    submission_id=None,
    allow_save=True,
    invitation=None,
):
    context = {
        "campaign": campaign,
        "questionnaire": campaign.questionnaire,
        "form": form,
        "summary": form.error_summary() if form.errors else [],
        "answered": form.answered_count(),
        "total": len(form.shown.questions),
        "action_url": action_url,
        "saved": saved,
        "submission_id": submission_id,
        "allow_save": allow_save,
        "invitation": invitation,
        "condition_context": paged.context,
        **paged.context_for(form, index),
    }
    return render(request, "public/answer.html", context, status=status)


def _posted_step(request, paged):
    """(action, page index, form) of a posted page: the action as the pages allow it ("submit"
    before the last page shown is "next"; "next" from the last is "submit"), the form checked
    for it."""
    action = request.POST.get("action")
    if action not in (paging.NEXT, paging.BACK, paging.SAVE, paging.SUBMIT):
        action = paging.SUBMIT
    try:
        index = min(max(int(request.POST.get("page", "0")), 0), len(paged.specs) - 1)
    except ValueError:
        index = 0
    if action in (paging.NEXT, paging.SUBMIT):
        following = paged.following(paged.form(request.POST), index)
        action = paging.SUBMIT if following is None else paging.NEXT
    return action, index, paged.page_form(request.POST, action, index)


def _target(paged, form, action, index):
    if action == paging.NEXT:
        return paged.following(form, index)
    if action == paging.BACK:
        found = paged.preceding(form, index)
        return index if found is None else found
    return index


def answer(request, token):
    """A personal link (/s/<token>/): answer page by page, save a draft, resume, submit."""
    invitation = _invitation(token)
    if invitation is None:
        return unknown_link(request)
    campaign = invitation.campaign
    now = timezone.now()
    refusal = invitation.refusal_to_answer(now)
    if refusal is not None:
        return _refused(request, campaign, refusal, now)
    questionnaire = campaign.questionnaire
    if request.method == "POST":
        # The respondent's order comes from their token: the same as the one stored on a draft.
        paged = paging.PagedAnswer(questionnaire, seed=invitation.token, invitation=invitation)
        return _answer_posted(request, campaign, invitation, paged)
    draft = Response.objects.filter(invitation=invitation).first() if invitation.started_at else None
    paged = paging.PagedAnswer(
        questionnaire, seed=invitation.token, order=draft.order if draft else None, invitation=invitation
    )
    if quotas.full_quota(campaign, invitation, lambda: _draft_codes(draft)) is not None:
        return _quota_full(request, campaign)
    invitation.mark_opened(now)
    form = paged.saved_form(initial_from_response(draft) if draft else None)
    index = draft.page if draft else 0
    return _render_form(request, campaign, paged, form, index, action_url=request.path, invitation=invitation)


def _draft_codes(draft):
    if draft is None:
        return {}
    return quotas.answer_codes(draft.answers.select_related("question", "option"))


def _answer_posted(request, campaign, invitation, paged):
    action, index, form = _posted_step(request, paged)
    if form.errors:
        shown_at = index if action != paging.SUBMIT else (paged.first_error_page(form) or 0)
        return _render_form(
            request,
            campaign,
            paged,
            form,
            shown_at,
            action_url=request.path,
            status=400,
            invitation=invitation,
        )
    target = _target(paged, form, action, index)
    store = {
        "campaign": campaign,
        "questionnaire": campaign.questionnaire,
        "cleaned_data": form.cleaned_data,
        "channel": Channel.WEB,
        "invitation": invitation,
        "order": paged.order,
    }
    # A full quota stops the respondent at their next page (the submit's own count checks it
    # at the submit); what they answered is kept, never counted.
    codes = partial(quotas.form_codes, paged.layout, form.cleaned_data)
    if action != paging.SUBMIT and quotas.full_quota(campaign, invitation, codes) is not None:
        save_response(**store, complete=False, page=index)
        return _quota_full(request, campaign)
    if action != paging.SUBMIT:
        _saved, created = save_response(**store, complete=False, page=target)
        if not created:
            return _already(request, campaign)
        if action == paging.SAVE:
            return _render_form(
                request,
                campaign,
                paged,
                form,
                index,
                action_url=request.path,
                saved=True,
                invitation=invitation,
            )
        return redirect("public:answer", token=invitation.token)
    try:
        _saved, created = save_response(**store, complete=True, page=index, enforce_quotas=True)
    except quotas.QuotaFull:
        save_response(**store, complete=False, page=index)
        return _quota_full(request, campaign)
    if not created:
        return _already(request, campaign)
    return redirect("public:thanks", token=invitation.token)


def thanks(request, token):
    invitation = _invitation(token)
    if invitation is None:
        return unknown_link(request)
    return _thanks(request, invitation.campaign)


def _thanks(request, campaign):
    text = questionnaire_text(campaign.questionnaire, "thanks") or _(
        "Thank you for your answers. They help us serve you better."
    )
    return _message(request, "thanks", _("Thank you!"), text, campaign=campaign)


def anonymous(request, public_token):
    """The anonymous public link (/s/a/<public_token>/), when the campaign offers it."""
    campaign = Campaign.objects.select_related("questionnaire").filter(public_token=public_token).first()
    if campaign is None or Channel.ANONYMOUS not in (campaign.channels or []):
        return unknown_link(request)
    now = timezone.now()
    if not campaign.is_open(now):
        return _closed(request, campaign, now)
    if request.method == "POST":
        return _anonymous_posted(request, campaign)
    submission_id = uuid.uuid4()
    paged = paging.PagedAnswer(campaign.questionnaire, seed=submission_id, channel=Channel.ANONYMOUS)
    form = paged.saved_form(None)
    return _render_form(
        request,
        campaign,
        paged,
        form,
        0,
        action_url=request.path,
        submission_id=submission_id,
        allow_save=False,
    )


def _anonymous_posted(request, campaign):
    """A page of the anonymous link posted: "back" and "next" show the page asked for (the
    answers travel in the form; nothing is stored before the submit), "submit" stores them."""
    try:
        submission_id = uuid.UUID(request.POST.get("submission_id", ""))
    except ValueError:
        return _message(
            request,
            "bad-form",
            _("This form is incomplete"),
            _("Please open the survey link again and answer once more."),
            status=400,
            campaign=campaign,
        )
    paged = paging.PagedAnswer(campaign.questionnaire, seed=submission_id, channel=Channel.ANONYMOUS)
    action, index, form = _posted_step(request, paged)
    if action == paging.SAVE:
        action = paging.NEXT if paged.following(form, index) is not None else paging.BACK
    render = {"action_url": request.path, "submission_id": submission_id, "allow_save": False}
    if form.errors:
        shown_at = index if action != paging.SUBMIT else (paged.first_error_page(form) or 0)
        return _render_form(request, campaign, paged, form, shown_at, status=400, **render)
    if action != paging.SUBMIT:
        return _render_form(request, campaign, paged, form, _target(paged, form, action, index), **render)
    if rate_limited(request):
        return _message(
            request,
            "rate-limited",
            _("Too many submissions"),
            _("We received too many answers from your network in a short time. Please try again later."),
            status=429,
            campaign=campaign,
        )
    try:
        _response, created = save_response(
            campaign=campaign,
            questionnaire=campaign.questionnaire,
            cleaned_data=form.cleaned_data,
            channel=Channel.ANONYMOUS,
            submission_id=submission_id,
            order=paged.order,
            page=index,
            enforce_quotas=True,
        )
    except quotas.QuotaFull:
        return _quota_full(request, campaign)
    if not created:
        return _already(request, campaign)
    return redirect("public:anonymous_thanks", public_token=campaign.public_token)


def anonymous_thanks(request, public_token):
    campaign = Campaign.objects.select_related("questionnaire").filter(public_token=public_token).first()
    if campaign is None:
        return unknown_link(request)
    return _thanks(request, campaign)


def optout(request, token):
    """Confirm, then record that this customer never wants survey invitations again."""
    invitation = _invitation(token)
    if invitation is None:
        return unknown_link(request)
    if request.method == "POST":
        channels.opt_out([invitation.customer_id], invitations={invitation.customer_id: invitation.pk})
        return _message(
            request,
            "opted-out",
            _("You will not be invited again"),
            _("We have noted your wish. You will receive no more survey invitations from us."),
            campaign=invitation.campaign,
        )
    return render(request, "public/optout.html", {"invitation": invitation, "campaign": invitation.campaign})


# Unknown short codes tried from one network (PUBLIC_SUBMIT_RATE): 8 characters could be found
# by trying, so a client over the limit is refused every short link for a while.
SHORT_LINK_MISSES = "short-link-miss"


def _guessing(request):
    return _message(
        request,
        "rate-limited",
        _("Too many unknown links"),
        _("Links that do not exist were opened from your network many times. Please try again later."),
        status=429,
    )


def short_link(request, code):
    """/s/<code>: the short link of an SMS, to the invitation's answer page (a personal link
    typed without its last slash goes there too). Only unknown codes count towards the limit,
    so customers clicking their own links behind one carrier address are never refused."""
    if already_limited(request, SHORT_LINK_MISSES):
        return _guessing(request)
    invitation = Invitation.objects.filter(short_code=code).only("token").first()
    if invitation is None:
        invitation = Invitation.objects.filter(token=code).only("token").first()
    if invitation is None:
        return _guessing(request) if rate_limited(request, SHORT_LINK_MISSES) else unknown_link(request)
    return redirect("public:answer", token=invitation.token)


@csrf_exempt  # the gateway posts without a session; the secret in the address is the key
@require_POST
def sms_callback(request, provider, kind, secret):
    """Receipts and replies the SMS gateway pushes. Only the configured gateway at the address
    with SMS_CALLBACK_SECRET (compared in constant time) is heard; anything else is 404. A body
    not in the gateway's format is refused with 400 and changes nothing."""
    expected = settings.SMS_CALLBACK_SECRET
    if not expected or provider != settings.SMS_PROVIDER:
        raise Http404
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    try:
        acknowledgement = sms.receive(provider, kind, request.body)
    except sms.BadPush as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(acknowledgement, json_dumps_params={"ensure_ascii": False})
