"""Improvement pages: list with filters, detail with timeline and buttons, raise, edit.

Views are thin: they fetch the improvement through ``ImprovementAction.objects.for_user`` (a
handler sees only their own and their department's; others get 404), call one function of
:mod:`workflow` or :mod:`notify`, and redirect. Those check role and status again and refuse
with an ``ImprovementError`` whose message is shown.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.forms import parse_id
from manyi.private_files import serve_private_file
from manyi.tickets.attachments import AttachmentError, check_uploads
from manyi.tickets.models import Category, CorrectiveAction, Ticket
from manyi.tickets.workflow import allowed_steps

from . import evidence, notify, workflow
from .choices import DELIVERED_STATUSES, FINISHED_STATUSES, SURVEY_SOURCES, Source
from .forms import EffectForm, FilterForm, ImprovementForm, LinkTicketForm, PhoneCallForm, TransitionForm
from .models import EvidenceFile, ImprovementAction
from .scores import survey_overview, survey_targets
from .workflow import ImprovementError


def _visible(request, pk):
    return get_object_or_404(
        ImprovementAction.objects.for_user(request.user).select_related(
            "owner", "department", "category__parent", "campaign", "measured_campaign", "created_by"
        ),
        pk=pk,
    )


def _form_errors(form):
    return " ".join(str(error) for errors in form.errors.values() for error in errors) or _("Check the form.")


@capability_required(permissions.VIEW_IMPROVEMENTS)
def improvement_list(request):
    today = timezone.localdate()
    form = FilterForm(request.GET or None, user=request.user)
    improvements = ImprovementAction.objects.for_user(request.user).select_related(
        "owner", "department", "category__parent"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"] == FilterForm.OPEN:
            improvements = improvements.open()
        elif data["status"]:
            improvements = improvements.filter(status=data["status"])
        if data["owner"]:
            improvements = improvements.filter(owner=data["owner"])
        if data["department"]:
            improvements = improvements.filter(department=data["department"])
        if data["overdue"]:
            improvements = improvements.overdue(today)
    page = Paginator(improvements.order_by("deadline", "pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "improvements/improvement_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(i, i.is_overdue(today)) for i in page.object_list],
            "query": query.urlencode(),
            "overdue_count": ImprovementAction.objects.for_user(request.user).overdue(today).count(),
        },
    )


# How many finished actions the owner's list shows under the open ones (the rest are on the tickets).
FINISHED_SHOWN = 20


def _open_first(owned, still_open):
    """The open ones, earliest deadline first (the late ones lead), then the latest finished."""
    finished = owned.exclude(pk__in=still_open.values("pk")).order_by("-deadline", "-pk")
    return [*still_open.order_by("deadline", "pk"), *finished[:FINISHED_SHOWN]]


@capability_required(permissions.VIEW_IMPROVEMENTS)
def my_actions(request):
    """The actions the user owns, wherever they come from: the corrective and preventive
    actions of tickets (often another department's ticket) and the improvement actions; each
    with the way to report it done."""
    user = request.user
    today = timezone.localdate()
    owned = CorrectiveAction.objects.owned_by(user).select_related("ticket__category__parent")
    ticket_actions = _open_first(owned, owned.open())
    for action in ticket_actions:
        action.steps = allowed_steps(action, user)
        action.late = action.is_late(today)
    improvements = ImprovementAction.objects.for_user(user).filter(owner=user)
    improvement_rows = [(i, i.is_overdue(today)) for i in _open_first(improvements, improvements.open())]
    return render(
        request,
        "improvements/my_actions.html",
        {"ticket_actions": ticket_actions, "improvement_rows": improvement_rows},
    )


def _initial_from(request):
    """Prefill from where the improvement is raised: ?ticket=, ?category=, ?campaign=&item=&source=.

    What is no id (manyi.forms.parse_id) prefills nothing.
    """
    initial = {}
    ticket_pk = parse_id(request.GET.get("ticket", ""))
    if ticket_pk is not None:
        ticket = Ticket.objects.for_user(request.user).filter(pk=ticket_pk).select_related("category").first()
        if ticket is not None:
            initial.update(
                source=Source.TICKETS,
                tickets=ticket.reference,
                title=ticket.subject,
                problem=ticket.description,
                root_cause=ticket.root_cause,
                category=ticket.category_id,
                department=ticket.department_id,
            )
    category_pk = parse_id(request.GET.get("category", ""))
    if category_pk is not None:
        category = Category.objects.filter(pk=category_pk).first()
        if category is not None:
            initial.update(source=Source.CATEGORY, category=category.pk, title=str(category))
    campaign_pk = parse_id(request.GET.get("campaign", ""))
    if campaign_pk is not None:
        from manyi.campaigns.models import Campaign

        campaign = Campaign.objects.for_user(request.user).filter(pk=campaign_pk).first()
        if campaign is not None:
            source = request.GET.get("source", Source.SURVEY_ITEM)
            source = source if source in SURVEY_SOURCES else Source.SURVEY_ITEM
            key = request.GET.get("item", "")[:40]
            initial.update(source=source, campaign=campaign.pk, item_key=key)
            label = survey_targets(campaign)[source].get(key)
            if label:
                initial["title"] = label
    return initial


@capability_required(permissions.MANAGE_IMPROVEMENTS)
def improvement_create(request):
    form = ImprovementForm(request.POST or None, user=request.user, initial=_initial_from(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            improvement = workflow.raise_improvement(
                by=request.user,
                title=data["title"],
                problem=data["problem"],
                measures=data["measures"],
                owner=data["owner"],
                deadline=data["deadline"],
                source=data["source"],
                department=data["department"],
                category=data["category"],
                campaign=data["campaign"],
                item_key=data["item_key"],
                tickets=data["tickets"],
                root_cause=data["root_cause"],
                expected_effect=data["expected_effect"],
                target_score=data["target_score"],
                unit=data.get("unit"),
            )
        except ImprovementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Improvement %(reference)s has been raised.") % {"reference": improvement.reference},
            )
            return redirect(improvement)
    return render(
        request,
        "improvements/improvement_form.html",
        {"form": form, "improvement": None, **_survey_picker(request)},
    )


def _survey_picker(request):
    """The side panel of the raise form: a campaign's items and dimensions with their scores and
    quadrants, each a link that fills the form (for those who may see the analysis)."""
    from manyi.campaigns.models import Campaign

    if not request.user.can(permissions.VIEW_ANALYSIS):
        return {}
    from manyi.organisation.access import visible_unit_ids

    campaigns = Campaign.objects.for_user(request.user).order_by("-created_at")
    picked = parse_id(request.GET.get("campaign", ""))
    campaign = campaigns.filter(pk=picked).first() if picked is not None else None
    units = visible_unit_ids(request.user)
    overview = survey_overview(campaign, units) if campaign is not None else None
    return {"picker_campaigns": campaigns, "picker_campaign": campaign, "overview": overview}


@capability_required(permissions.VIEW_IMPROVEMENTS)
def improvement_edit(request, pk):
    improvement = _visible(request, pk)
    if not workflow.may_edit(improvement, request.user):
        messages.error(request, _("Only the owner or a manager may change this improvement."))
        return redirect(improvement)
    manager = workflow.may_manage(request.user)
    initial = {name: getattr(improvement, name) for name in workflow.MANAGER_FIELDS}
    initial["tickets"] = " ".join(improvement.tickets.values_list("reference", flat=True))
    form = ImprovementForm(
        request.POST or None,
        user=request.user,
        editing=True,
        owner_only=not manager,
        initial=initial,
        current_owner=improvement.owner_id,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tickets = data.pop("tickets", None) if manager else None
        try:
            workflow.update_improvement(improvement, request.user, data, tickets=tickets)
        except ImprovementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The improvement has been saved."))
            return redirect(improvement)
    return render(request, "improvements/improvement_form.html", {"form": form, "improvement": improvement})


@capability_required(permissions.VIEW_IMPROVEMENTS)
def improvement_detail(request, pk):
    improvement = _visible(request, pk)
    today = timezone.localdate()
    # Only the customers of tickets the user may see, as in the list of linked tickets above it
    # (a handler does not see other departments' tickets nor who sent them).
    visible = set(
        Ticket.objects.for_user(request.user)
        .filter(improvements=improvement)
        .values_list("reference", flat=True)
    )
    recipients = []
    everyone = notify.recipients(improvement)
    for recipient in everyone:
        recipient.tickets = [reference for reference in recipient.tickets if reference in visible]
        if recipient.tickets:
            recipients.append(recipient)
    return render(
        request,
        "improvements/improvement_detail.html",
        {
            "improvement": improvement,
            "overdue": improvement.is_overdue(today),
            "transitions": workflow.allowed_transitions(improvement, request.user),
            "may_edit": workflow.may_edit(improvement, request.user),
            "may_manage": workflow.may_manage(request.user),
            "tickets": Ticket.objects.for_user(request.user)
            .filter(improvements=improvement)
            .select_related("customer", "category__parent"),
            "hidden_tickets": improvement.tickets.count()
            - Ticket.objects.for_user(request.user).filter(improvements=improvement).count(),
            "events": improvement.events.select_related("by"),
            "files": improvement.files.select_related("uploaded_by"),
            "effect_form": EffectForm(
                initial={"campaign": next(iter(workflow.suggested_waves(improvement)), None)},
                user=request.user,
            ),
            "recipients": recipients,
            # Counted over every customer to tell, also those of tickets the user does not see
            # and those who answered the survey (counts only: no names, no addresses).
            "preview": notify.preview(everyone),
            "survey_notice": improvement.source in SURVEY_SOURCES and improvement.campaign_id is not None,
            "notify_refusal": notify.notify_refusal(improvement, request.user),
            "may_record_call": notify.may_record_call(request.user),
            "delivered": improvement.status in DELIVERED_STATUSES,
            "measurable": improvement.status in FINISHED_STATUSES,
        },
    )


@require_POST
@capability_required(permissions.VIEW_IMPROVEMENTS)
def improvement_transition(request, pk, name):
    if name not in workflow.TRANSITIONS:
        raise Http404
    improvement = _visible(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(improvement)
    try:
        workflow.apply(improvement, request.user, name, form.cleaned_data["note"])
    except ImprovementError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The improvement is now “%(status)s”.") % {"status": improvement.get_status_display()}
        )
    return redirect(improvement)


@require_POST
@capability_required(permissions.MANAGE_IMPROVEMENTS)
def improvement_effect(request, pk):
    improvement = _visible(request, pk)
    form = EffectForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(improvement)
    try:
        workflow.record_effect(
            improvement, request.user, campaign=form.cleaned_data["campaign"], note=form.cleaned_data["note"]
        )
    except ImprovementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The effect has been recorded."))
    return redirect(improvement)


@require_POST
@capability_required(permissions.MANAGE_IMPROVEMENTS)
def improvement_notify(request, pk):
    improvement = _visible(request, pk)
    try:
        result = notify.notify_customers(improvement, request.user)
    except ImprovementError as error:
        messages.error(request, str(error))
        return redirect(improvement)
    if result.sent:
        messages.success(
            request,
            _("E-mail sent to %(count)s customers: %(names)s")
            % {"count": len(result.sent), "names": notify.names(result.sent)},
        )
    if result.failed:
        messages.error(
            request,
            _("Not sent (try again later): %(names)s") % {"names": notify.names(result.failed)},
        )
    if result.by_phone:
        messages.warning(
            request,
            _("No e-mail address, tell by phone: %(names)s") % {"names": notify.names(result.by_phone)},
        )
    if not (result.sent or result.failed or result.by_phone):
        messages.info(request, _("Every customer who can be told has been told already."))
    return redirect(improvement)


@require_POST
@capability_required(permissions.VIEW_IMPROVEMENTS)
def improvement_phone_call(request, pk):
    improvement = _visible(request, pk)
    form = PhoneCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(improvement)
    try:
        notify.record_phone_call(improvement, request.user, form.cleaned_data["key"])
    except ImprovementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The call has been recorded."))
    return redirect(improvement)


@require_POST
@capability_required(permissions.MANAGE_IMPROVEMENTS)
def link_ticket(request, ticket_pk):
    """Add a ticket to an existing improvement (from the ticket page)."""
    ticket = get_object_or_404(Ticket.objects.for_user(request.user), pk=ticket_pk)
    form = LinkTicketForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(ticket)
    improvement = form.cleaned_data["improvement"]
    try:
        workflow.link_ticket(improvement, request.user, ticket)
    except ImprovementError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The ticket is linked to improvement %(reference)s.") % {"reference": improvement.reference},
        )
    return redirect(ticket)


@require_POST
@capability_required(permissions.VIEW_IMPROVEMENTS)
def evidence_upload(request, pk):
    improvement = _visible(request, pk)
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, _("Choose one or more files."))
        return redirect(improvement)
    try:
        # The role is checked before any file is read.
        if not workflow.may_edit(improvement, request.user):
            raise ImprovementError(_("Only the owner or a manager may change this improvement."))
        stored = evidence.attach(improvement, request.user, check_uploads(files))
    except (ImprovementError, AttachmentError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)s files attached.") % {"count": len(stored)})
    return redirect(improvement)


@require_GET
@capability_required(permissions.VIEW_IMPROVEMENTS)
def evidence_download(request, pk, file_pk):
    """Whoever may see the improvement gets its files: images inline, PDF as a download."""
    improvement = _visible(request, pk)
    stored = get_object_or_404(EvidenceFile, pk=file_pk, improvement=improvement)
    return serve_private_file(
        stored.file,
        content_type=stored.content_type,
        as_attachment=not stored.is_image,
        filename=stored.original_name,
    )
