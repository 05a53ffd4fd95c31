from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.customers.models import Customer
from manyi.links import absolute_url
from manyi.organisation.access import limit_to_units, sees_everything
from manyi.qr import qr_png

from . import channels, chasing, workflow
from .choices import CampaignState, Channel, ChaseOutcome, InvitationStatus
from .forms import STRATIFY_CHOICES, CampaignForm, ChaseCallForm, CloseForm, ReopenForm
from .models import Campaign, Invitation, Response
from .targeting import sample_preview

PREVIEW_ROWS = 50


def _count_of(queryset):
    rows = queryset.filter(campaign=OuterRef("pk")).order_by().values("campaign")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


@capability_required(permissions.VIEW_CAMPAIGNS)
def campaign_list(request):
    campaigns = (
        Campaign.objects.for_user(request.user)
        .select_related("questionnaire")
        .annotate(
            # counted over the reader's units' customers (their part of a group campaign)
            issued=_count_of(limit_to_units(Invitation.objects.all(), request.user, "customer__unit")),
            completed=_count_of(limit_to_units(Response.objects.completed(), request.user, "customer__unit")),
        )
    )
    page = Paginator(campaigns, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {"page": page, "can_manage": request.user.can(permissions.MANAGE_CAMPAIGNS)},
    )


def _save(request, campaign, template):
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        if campaign.pk is None:
            campaign.created_by = request.user
        campaign.save()
        messages.success(request, _("The campaign has been saved. Check the sample before starting it."))
        if campaign.state == CampaignState.DRAFT:
            return redirect("campaigns:preview", campaign.pk)
        return redirect(campaign)
    return render(request, template, {"form": form, "campaign": campaign})


@capability_required(permissions.MANAGE_CAMPAIGNS)
def campaign_create(request):
    return _save(request, Campaign(), "campaigns/campaign_form.html")


@capability_required(permissions.MANAGE_CAMPAIGNS)
def campaign_edit(request, pk):
    campaign = get_object_or_404(Campaign.objects.run_by(request.user), pk=pk)
    if campaign.state == CampaignState.CLOSED:
        messages.error(request, _("A closed campaign cannot be edited; reopen it first."))
        return redirect(campaign)
    return _save(request, campaign, "campaigns/campaign_form.html")


@capability_required(permissions.VIEW_CAMPAIGNS)
def campaign_preview(request, pk):
    # The sample (every unit's customers it draws) is previewed by the unit that runs the
    # campaign, not by a region that sees the group's campaign (organisation/access.py).
    campaign = get_object_or_404(Campaign.objects.run_by(request.user).select_related("questionnaire"), pk=pk)
    preview = sample_preview(campaign)
    first = preview["sample_ids"][:PREVIEW_ROWS]
    customers = Customer.objects.in_bulk(first)
    return render(
        request,
        "campaigns/campaign_preview.html",
        {
            "campaign": campaign,
            "preview": preview,
            "customers": [customers[pk] for pk in first if pk in customers],
            "stratify_label": dict(STRATIFY_CHOICES).get(campaign.stratify_by, campaign.stratify_by),
            "problems": workflow.check_ready(campaign) if campaign.state == CampaignState.DRAFT else [],
            "show_personal": request.user.can(permissions.VIEW_PERSONAL_DATA),
            "can_manage": request.user.can(permissions.MANAGE_CAMPAIGNS),
        },
    )


@capability_required(permissions.VIEW_CAMPAIGNS)
def campaign_detail(request, pk):
    campaign = get_object_or_404(
        Campaign.objects.for_user(request.user).select_related(
            "questionnaire", "created_by", "previous_wave"
        ),
        pk=pk,
    )
    # A campaign run above the user's unit (the group's) shows only their own unit's customers.
    invitations = limit_to_units(campaign.invitations.all(), request.user, "customer__unit")
    invitations = invitations.select_related("customer", "contact").order_by("pk")
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    if request.htmx and request.htmx.target == "invitations":
        return render(request, "campaigns/_invitations.html", _detail_context(request, campaign, page))
    return render(request, "campaigns/campaign_detail.html", _detail_context(request, campaign, page))


def _detail_context(request, campaign, page):
    anonymous_url = ""
    if Channel.ANONYMOUS in (campaign.channels or []):
        try:  # the public pages belong to the respondent part of the product
            path = reverse("public:anonymous", args=[campaign.public_token])
        except NoReverseMatch:
            path = f"/s/a/{campaign.public_token}/"
        anonymous_url = request.build_absolute_uri(path)
    # A campaign run above the user's unit (the group's) is shown to a region with its own
    # counts, but its buttons and its quotas (whole-campaign targets and fills) belong to the
    # unit that runs it (organisation/access.py).
    runs = (
        sees_everything(request.user) or Campaign.objects.run_by(request.user).filter(pk=campaign.pk).exists()
    )
    return {
        "campaign": campaign,
        "runs_campaign": runs,
        "counts": workflow.campaign_counts(campaign, request.user),
        "delivery": channels.delivery_counts(campaign, request.user),
        "page": page,
        "events": campaign.events.select_related("by"),
        "anonymous_url": anonymous_url,
        "channel_labels": [Channel(c).label for c in campaign.channels or [] if c in Channel.values],
        "show_personal": request.user.can(permissions.VIEW_PERSONAL_DATA),
        "can_share": _may_share(request.user),
        "can_manage": runs and request.user.can(permissions.MANAGE_CAMPAIGNS),
        # Asked only of a campaign whose next wave was made (by hand or by the periodic job).
        "next_wave": campaign.next_waves.order_by("pk").first() if campaign.next_wave_made_at else None,
        "close_form": CloseForm(),
        "reopen_form": ReopenForm(),
    }


@capability_required(permissions.VIEW_CAMPAIGNS)
def campaign_counts(request, pk):
    campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
    return render(
        request,
        "campaigns/_counts.html",
        {
            "campaign": campaign,
            "counts": workflow.campaign_counts(campaign, request.user),
            "delivery": channels.delivery_counts(campaign, request.user),
        },
    )


@require_POST
@capability_required(permissions.MANAGE_CAMPAIGNS)
def campaign_start(request, pk):
    campaign = get_object_or_404(Campaign.objects.run_by(request.user), pk=pk)
    try:
        campaign = workflow.start(campaign, by=request.user)
    except ValueError as error:  # CampaignError and TargetingError
        messages.error(request, str(error))
        return redirect("campaigns:preview", campaign.pk)
    messages.success(request, _("The campaign has started."))
    return redirect(campaign)


@require_POST
@capability_required(permissions.MANAGE_CAMPAIGNS)
def campaign_close(request, pk):
    campaign = get_object_or_404(Campaign.objects.run_by(request.user), pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(campaign)
    try:
        workflow.close(campaign, by=request.user, note=form.cleaned_data["note"])
    except workflow.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The campaign has been closed."))
    return redirect(campaign)


@require_POST
@capability_required(permissions.MANAGE_CAMPAIGNS)
def campaign_reopen(request, pk):
    campaign = get_object_or_404(Campaign.objects.run_by(request.user), pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(campaign)
    try:
        workflow.reopen(
            campaign, by=request.user, deadline=form.cleaned_data["deadline"], note=form.cleaned_data["note"]
        )
    except workflow.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The campaign is running again."))
    return redirect(reverse("campaigns:detail", args=[campaign.pk]))


@require_POST
@capability_required(permissions.MANAGE_CAMPAIGNS)
def campaign_next_wave(request, pk):
    """ "Copy as next wave": the next wave as a draft, opened in its form to check."""
    campaign = get_object_or_404(Campaign.objects.run_by(request.user), pk=pk)
    try:
        wave = workflow.copy_as_next_wave(campaign, by=request.user)
    except workflow.CampaignError as error:
        messages.error(request, str(error))
        return redirect(campaign)
    messages.success(request, _("The next wave is a draft: check its wave, dates and sample, then start it."))
    return redirect("campaigns:edit", wave.pk)


@capability_required(permissions.ENTER_RESPONSES)
def campaign_non_responders(request, pk):
    """The customers who have not answered, for agents to call (电话催收), with each one's calls;
    phone numbers shown to those with the personal-data right, masked for others."""
    campaign = get_object_or_404(
        Campaign.objects.for_user(request.user).select_related("questionnaire"), pk=pk
    )
    calls = limit_to_units(chasing.non_responders(campaign), request.user, "customer__unit")
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/non_responders.html",
        {
            "campaign": campaign,
            "page": page,
            "outcomes": ChaseOutcome.choices,
            "refusal": campaign.refusal_to_answer(),
            "show_personal": request.user.can(permissions.VIEW_PERSONAL_DATA),
        },
    )


@require_POST
@capability_required(permissions.ENTER_RESPONSES)
def invitation_chase(request, pk):
    """Record a chase call's outcome (reached, will answer, refused, no answer) on the invitation."""
    invitation = get_object_or_404(_invitations(request.user).select_related("campaign", "customer"), pk=pk)
    form = ChaseCallForm(request.POST)
    back = reverse("campaigns:non_responders", args=[invitation.campaign_id])
    page = request.POST.get("page", "")
    if page.isdigit():
        back += f"?page={page}"
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        call = chasing.record_chase_call(
            invitation, by=request.user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        )
    except chasing.ChaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Call to %(customer)s recorded: %(outcome)s.")
            % {"customer": invitation.customer.name, "outcome": call.get_outcome_display()},
        )
    return redirect(back)


# Who may see and share an invitation's personal link: it opens the customer's questionnaire,
# so it is personal data, for staff who see the campaign and customers' contact details.
SHARE_LINKS = (permissions.VIEW_CAMPAIGNS, permissions.VIEW_PERSONAL_DATA)


def _may_share(user):
    return all(user.can(capability) for capability in SHARE_LINKS)


def _share_refusal(invitation):
    """Why the invitation's link must not be passed on now, or "" when it may."""
    if not channels.may_contact(invitation):
        return str(channels.NOT_CONTACTABLE)
    if invitation.status in (InvitationStatus.COMPLETED, InvitationStatus.OPTED_OUT):
        return _("This invitation is %(status)s: there is nothing to send.") % {
            "status": invitation.get_status_display().lower()
        }
    return ""


def _invitations(user):
    """The invitations the user sees: of campaigns they see, to customers of their unit."""
    return Invitation.objects.for_user(user)


def _shared_invitation(request, pk):
    return get_object_or_404(
        _invitations(request.user).select_related("campaign", "customer", "contact"), pk=pk
    )


@capability_required(*SHARE_LINKS)
def invitation_detail(request, pk):
    """One invitation: its channel and delivery, and the personal link with its QR code for staff
    to copy into WeChat or show in person."""
    invitation = _shared_invitation(request, pk)
    short = reverse("public:short", args=[invitation.short_code]) if invitation.short_code else ""
    return render(
        request,
        "campaigns/invitation_detail.html",
        {
            "invitation": invitation,
            "campaign": invitation.campaign,
            "refusal": _share_refusal(invitation),
            "link": absolute_url(invitation.answer_path()),
            "short_link": absolute_url(short) if short else "",
        },
    )


@require_POST
@capability_required(*SHARE_LINKS)
def invitation_shared(request, pk):
    """Staff say they passed the personal link on (WeChat, in person): the invitation counts as
    sent from now, as an e-mail or SMS would. Only an issued invitation no channel sends."""
    invitation = _shared_invitation(request, pk)
    refusal = _share_refusal(invitation)
    if not refusal and not channels.mark_shared(invitation):
        refusal = _("Only an invitation still issued, and not sent by e-mail or SMS, can be marked as sent.")
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, _("The invitation is marked as sent."))
    return redirect("campaigns:invitation", invitation.pk)


@capability_required(*SHARE_LINKS)
def invitation_qr(request, pk):
    """The personal link's QR code as a PNG (to save and send, or show on a phone)."""
    invitation = _shared_invitation(request, pk)
    if _share_refusal(invitation):
        return HttpResponse(status=404)
    response = HttpResponse(qr_png(absolute_url(invitation.answer_path())), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="invitation-{invitation.pk}.png"'
    response["Cache-Control"] = "private, no-store"
    return response
