from auditlog.models import LogEntry
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from manyi.forms import StyledFormMixin, id_param, search_param

from . import permissions
from .audit import describe_changes
from .decorators import capability_required
from .models import User


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = StyledPasswordChangeForm


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@capability_required(permissions.VIEW_AUDIT_LOG)
def audit_log(request):
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    actor_id = id_param(request.GET, "actor", _("Who"))
    model = id_param(request.GET, "model", _("Record"))
    query = search_param(request.GET)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if model is not None:
        entries = entries.filter(content_type_id=model)
    if query:
        entries = entries.filter(object_repr__icontains=query)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    content_types = ContentType.objects.filter(pk__in=LogEntry.objects.values("content_type").distinct())
    labels = {
        ct.pk: ct.model_class()._meta.verbose_name if ct.model_class() else ct.model for ct in content_types
    }
    for entry in page:
        entry.model_label = labels.get(entry.content_type_id, "")
        entry.readable_changes = describe_changes(entry)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": page,
            "actors": User.objects.filter(pk__in=LogEntry.objects.values("actor").distinct()),
            "content_types": [(ct.pk, labels[ct.pk]) for ct in content_types],
            "selected_actor": "" if actor_id is None else str(actor_id),
            "selected_model": "" if model is None else str(model),
            "query": query,
        },
    )
