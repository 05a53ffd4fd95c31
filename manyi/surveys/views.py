"""The questionnaire builder and the template library.

Frozen rule: a questionnaire with answers never changes in place. Every view that changes one
is asked of its newest version only (`newest_version_only`), validates the input first (bad
input changes nothing), then takes `editable_version()` (a new version when answers exist),
applies the change there and, when that is a new version, says so and goes to its page.
"""

from functools import wraps

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required

from . import loader
from .forms import (
    SEED_SCALES,
    YES_NO_OPTIONS,
    DimensionForm,
    NewQuestionnaireForm,
    QuestionEditor,
    QuestionnaireForm,
    move,
    question_siblings,
)
from .models import Dimension, Question, Questionnaire

DIRECTIONS = ("up", "down")


def _editable(request, questionnaire):
    """The version to change; a message when it is a new one."""
    target = questionnaire.editable_version(by=request.user)
    if target.pk != questionnaire.pk:
        messages.info(
            request,
            _("This questionnaire already has responses; version v%(version)s was created for your change.")
            % {"version": target.version},
        )
    return target


def newest_version_only(view):
    """A builder view that changes the questionnaire of the URL's `pk` gets it as its second
    argument when it is its family's newest version (Questionnaire.newest_version); asked of an
    older version, nothing changes and the user is sent to the newest with a message."""

    @wraps(view)
    def changing(request, pk, *args, **kwargs):
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        newest = questionnaire.newest_version()
        if newest.pk == questionnaire.pk:
            return view(request, questionnaire, *args, **kwargs)
        messages.warning(
            request,
            _(
                "v%(old)s is an older version and is not changed. Make your change in the newest "
                "version, v%(new)s."
            )
            % {"old": questionnaire.version, "new": newest.version},
        )
        if request.htmx:
            return HttpResponseClientRedirect(newest.get_absolute_url())
        return redirect(newest)

    return changing


def _done(request, questionnaire, target, anchor=""):
    url = target.get_absolute_url() + anchor
    if request.htmx and target.pk == questionnaire.pk:
        return None
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _builder_context(request, questionnaire):
    questions = questionnaire.questions_in_order()
    newest = questionnaire.newest_version()
    dimensions = list(questionnaire.dimensions.annotate(question_count=Count("questions")))
    groups = [(d, [q for q in questions if q.dimension_id == d.pk]) for d in dimensions]
    groups.append((None, [q for q in questions if q.dimension_id is None]))
    return {
        "questionnaire": questionnaire,
        "dimensions": dimensions,
        "pages": list(questionnaire.pages.annotate(question_count=Count("questions"))),
        "groups": groups,
        "question_count": len(questions),
        "is_frozen": questionnaire.is_frozen,
        "newest": newest,
        # Older versions are shown read-only: changes are made in the newest version.
        "can_edit": newest.pk == questionnaire.pk and request.user.can(permissions.EDIT_SURVEYS),
    }


def _questions_partial(request, questionnaire):
    return render(request, "surveys/_questions.html", _builder_context(request, questionnaire))


@capability_required(permissions.VIEW_SURVEYS)
def questionnaire_list(request):
    questionnaires = (
        Questionnaire.objects.current()
        .annotate(
            question_count=Count("questions", distinct=True), response_count=Count("responses", distinct=True)
        )
        .order_by("-created_at")
    )
    templates = {t.key: t for t in loader.list_templates()}
    rows = [(q, templates.get(q.template_key)) for q in questionnaires]
    return render(request, "surveys/questionnaire_list.html", {"rows": rows})


# The company's industry names the templates the library offers first (the operations app,
# above this one, registers the provider from its AppConfig.ready()): a callable returning
# (industry label, [template keys]); ("", []) lists every template in one group.
_industry_templates = None


def register_industry_templates(provider):
    global _industry_templates
    _industry_templates = provider


@capability_required(permissions.VIEW_SURVEYS)
def template_library(request):
    templates = loader.list_templates()
    industry, keys = _industry_templates() if _industry_templates else ("", [])
    by_key = {template.key: template for template in templates}
    first = [by_key[key] for key in keys if key in by_key]
    others = [template for template in templates if template.key not in set(keys)]
    return render(
        request,
        "surveys/template_library.html",
        {"templates": templates, "industry": industry, "first": first, "others": others},
    )


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
def use_template(request, key):
    try:
        questionnaire = loader.create_from_template(key, by=request.user)
    except KeyError:
        raise Http404 from None
    messages.success(
        request, _("Questionnaire “%(title)s” created from the template.") % {"title": questionnaire.title}
    )
    return redirect(questionnaire)


@capability_required(permissions.EDIT_SURVEYS)
def questionnaire_create(request):
    form = NewQuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        questionnaire = form.save(commit=False)
        questionnaire.created_by = request.user
        questionnaire.save()
        messages.success(request, _("Questionnaire created. Add dimensions and questions."))
        return redirect(questionnaire)
    return render(request, "surveys/questionnaire_new.html", {"form": form})


@capability_required(permissions.VIEW_SURVEYS)
def questionnaire_detail(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    context = _builder_context(request, questionnaire)
    context["settings_form"] = QuestionnaireForm(instance=questionnaire)
    context["versions"] = Questionnaire.objects.filter(family=questionnaire.family).order_by("version")
    return render(request, "surveys/questionnaire_detail.html", context)


@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def questionnaire_settings(request, questionnaire):
    form = QuestionnaireForm(request.POST or None, instance=questionnaire)
    if request.method == "POST" and form.is_valid():
        target = _editable(request, questionnaire)
        form.save_to(target)
        messages.success(request, _("Settings saved."))
        return redirect(target)
    if request.method == "POST":
        # The instance got the rejected values while validating: show the stored ones elsewhere.
        questionnaire.refresh_from_db()
    return render(
        request,
        "surveys/questionnaire_settings.html",
        {"questionnaire": questionnaire, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
def questionnaire_copy(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    copy = questionnaire.duplicate(
        by=request.user, new_version=False, title=_("%(title)s (copy)") % {"title": questionnaire.title}
    )
    messages.success(request, _("Copy created: “%(title)s”.") % {"title": copy.title})
    return redirect(copy)


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
def questionnaire_archive(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    # Archiving hides the whole family from the list; answers and reports stay.
    Questionnaire.objects.filter(family=questionnaire.family).update(is_archived=True)
    messages.success(request, _("Questionnaire “%(title)s” archived.") % {"title": questionnaire.title})
    return redirect("surveys:list")


@capability_required(permissions.VIEW_SURVEYS)
def questionnaire_preview(request, pk):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    return render(request, "surveys/questionnaire_preview.html", _builder_context(request, questionnaire))


# Dimensions


@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def dimension_edit(request, questionnaire, dimension_pk=None):
    dimension = (
        get_object_or_404(Dimension, pk=dimension_pk, questionnaire=questionnaire) if dimension_pk else None
    )
    # The code as stored: validating the form writes the posted one into the instance.
    code = dimension.code if dimension else None
    form = DimensionForm(request.POST or None, instance=dimension, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        target = _editable(request, questionnaire)
        counterpart = target.dimensions.get(code=code) if dimension and target != questionnaire else dimension
        form.save_to(target, counterpart)
        messages.success(request, _("Dimension saved."))
        return redirect(target.get_absolute_url() + "#dimensions")
    return render(
        request,
        "surveys/dimension_form.html",
        {"questionnaire": questionnaire, "dimension": dimension, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def dimension_delete(request, questionnaire, dimension_pk):
    dimension = get_object_or_404(Dimension, pk=dimension_pk, questionnaire=questionnaire)
    target = _editable(request, questionnaire)
    target.dimensions.filter(code=dimension.code).delete()
    messages.success(request, _("Dimension deleted; its questions are now outside any dimension."))
    return redirect(target.get_absolute_url() + "#dimensions")


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def dimension_move(request, questionnaire, dimension_pk, direction):
    dimension = get_object_or_404(Dimension, pk=dimension_pk, questionnaire=questionnaire)
    if direction not in DIRECTIONS:
        raise Http404
    target = _editable(request, questionnaire)
    move(target.dimensions.get(code=dimension.code), target.dimensions.order_by("position", "pk"), direction)
    return _done(request, questionnaire, target) or _questions_partial(request, target)


# Questions


@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def question_edit(request, questionnaire, question_pk=None):
    question = (
        get_object_or_404(Question, pk=question_pk, questionnaire=questionnaire) if question_pk else None
    )
    editor = QuestionEditor(questionnaire, question, request.POST or None)
    if question is None and request.method == "GET" and request.GET.get("dimension"):
        editor.form.initial["dimension"] = request.GET["dimension"]
    if request.method == "POST" and editor.is_valid():
        target = _editable(request, questionnaire)
        counterpart = (
            target.questions.get(code=question.code) if question and target != questionnaire else question
        )
        saved = editor.save_to(target, counterpart)
        messages.success(request, _("Question %(code)s saved.") % {"code": saved.code})
        return redirect(target.get_absolute_url() + f"#question-{saved.pk}")
    return render(
        request,
        "surveys/question_form.html",
        {
            "questionnaire": questionnaire,
            "question": question,
            "editor": editor,
            "form": editor.form,
            "seed_scales": SEED_SCALES,
            "yes_no_options": YES_NO_OPTIONS,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def question_delete(request, questionnaire, question_pk):
    question = get_object_or_404(Question, pk=question_pk, questionnaire=questionnaire)
    target = _editable(request, questionnaire)
    target.questions.filter(code=question.code).delete()
    if not request.htmx:
        messages.success(request, _("Question %(code)s deleted.") % {"code": question.code})
    return _done(request, questionnaire, target, "#questions") or _questions_partial(request, target)


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
@newest_version_only
def question_move(request, questionnaire, question_pk, direction):
    question = get_object_or_404(Question, pk=question_pk, questionnaire=questionnaire)
    if direction not in DIRECTIONS:
        raise Http404
    target = _editable(request, questionnaire)
    counterpart = target.questions.get(code=question.code)
    move(counterpart, question_siblings(counterpart), direction)
    return _done(request, questionnaire, target, "#questions") or _questions_partial(request, target)
