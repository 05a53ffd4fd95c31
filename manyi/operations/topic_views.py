"""The company's topic list (主题) for open answers and tickets: list, add, edit, retrain.
Administrators' pages (company set-up); the rule that uses the list is results/topics.py."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.results import topics
from manyi.results.models import Topic, TopicTraining

from .topic_forms import TopicForm


@capability_required(permissions.SET_UP_COMPANY)
def topic_list(request):
    training = TopicTraining.objects.select_related("trained_by").first()
    since = training.trained_at if training else None
    return render(
        request,
        "operations/topics.html",
        {
            "topics": Topic.objects.all(),
            "training": training,
            "waiting": topics.confirmed_count() - (training.confirmed_examples if training else 0),
            "since": since,
        },
    )


@capability_required(permissions.SET_UP_COMPANY)
def topic_edit(request, pk=None):
    topic = get_object_or_404(Topic, pk=pk) if pk is not None else None
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save(commit=False)
            saved.updated_at = timezone.now()
            saved.save()
            messages.success(request, _("Topic “%(name)s” saved.") % {"name": saved.name})
            return redirect("operations:topics")
        return render(request, "operations/topic_form.html", {"form": form, "topic": topic}, status=400)
    return render(request, "operations/topic_form.html", {"form": form, "topic": topic})


@require_POST
@capability_required(permissions.SET_UP_COMPANY)
def topic_retrain(request):
    training = topics.retrain(by=request.user)
    messages.success(
        request,
        _(
            "The topic rule has been retrained from %(shipped)s labelled reviews and %(confirmed)s topics chosen on tickets."
        )
        % {"shipped": training.shipped_examples, "confirmed": training.confirmed_examples},
    )
    return redirect("operations:topics")
