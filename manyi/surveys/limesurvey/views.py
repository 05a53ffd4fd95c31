"""The builder's LimeSurvey pages: upload a .lss / .lsa, see what will be created and what is
not carried over, then import; and download a questionnaire as a LimeSurvey 6 .lss.

The upload is kept in the file storage under a random name remembered in the user's session
(the confirming request may reach another app server), read again when confirmed, and
deleted then. An archive's participants and responses are written by the importer the
operations app registers (`register_archive_importer`): this app may not import customers
or campaigns; without it only the questionnaire is created.
"""

import contextlib
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.forms import StyledFormMixin

from ..models import Questionnaire
from . import mapping, reader, structure
from .export import export_lss
from .importing import create_questionnaire

FOLDER = "imports/limesurvey"
SESSION_KEY = "limesurvey_upload"
STALE_AFTER_SECONDS = 24 * 3600

# (read(path) -> result with .plan, .report, .is_archive; save(result, by=user) -> result with
# .questionnaire), registered by the operations app's AppConfig.ready().
_archive_importer = None


def register_archive_importer(read, save):
    global _archive_importer
    _archive_importer = (read, save)


class _QuestionnaireOnly:
    """What an import is without the archive importer: the questionnaire alone."""

    def __init__(self, path):
        archive = reader.read_path(path)
        self.plan = mapping.plan_questionnaire(structure.read_survey(archive.survey))
        self.report = self.plan.report
        self.is_archive = archive.is_archive
        self.questionnaire = None
        self.campaign = None


def _read(path):
    if _archive_importer is not None:
        return _archive_importer[0](path)
    return _QuestionnaireOnly(path)


def _save(result, user):
    if _archive_importer is not None:
        return _archive_importer[1](result, by=user)
    result.questionnaire = create_questionnaire(result.plan, by=user)
    return result


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("LimeSurvey file (.lss survey or .lsa survey archive)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            reader.check_size(upload.name, upload.size)
        except reader.LimeSurveyFileError as refusal:
            raise forms.ValidationError(str(refusal)) from None
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        return upload


@contextlib.contextmanager
def _local_copy(name):
    """A path on this server's disk for a stored file (a copy when the storage is elsewhere)."""
    try:
        yield default_storage.path(name)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy, default_storage.open(name) as stored:
        shutil.copyfileobj(stored, copy)
        copy.flush()
        yield copy.name


def _forget(request):
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        with contextlib.suppress(OSError):
            default_storage.delete(f"{FOLDER}/{pending['file']}")


def _remove_stale_files():
    cutoff = time.time() - STALE_AFTER_SECONDS
    try:
        names = default_storage.listdir(FOLDER)[1]
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        with contextlib.suppress(OSError):
            if default_storage.get_modified_time(f"{FOLDER}/{name}").timestamp() < cutoff:
                default_storage.delete(f"{FOLDER}/{name}")


def _pending(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("user") != request.user.pk:
        raise Http404
    name = f"{FOLDER}/{pending['file']}"
    if not default_storage.exists(name):
        request.session.pop(SESSION_KEY, None)
        raise Http404
    return pending, name


@capability_required(permissions.EDIT_SURVEYS)
def limesurvey_import(request):
    """Step 1 and 2: upload the file; when it reads, show what will be created (the report)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget(request)
        _remove_stale_files()
        upload = form.cleaned_data["file"]
        filename = secrets.token_hex(16) + Path(upload.name).suffix.lower()
        stored = default_storage.save(f"{FOLDER}/{filename}", upload)
        request.session[SESSION_KEY] = {
            "file": Path(stored).name,
            "user": request.user.pk,
            "name": Path(upload.name).name[:200],
        }
        try:
            with _local_copy(stored) as path:
                result = _read(path)
        except reader.LimeSurveyFileError as refusal:
            _forget(request)
            form.add_error("file", str(refusal))
        else:
            return render(
                request,
                "surveys/limesurvey_preview.html",
                {"result": result, "plan": result.plan, "report": result.report, "name": upload.name},
            )
    return render(request, "surveys/limesurvey_upload.html", {"form": form, "limit": reader.MAX_LSS_BYTES})


@require_POST
@capability_required(permissions.EDIT_SURVEYS)
def limesurvey_import_confirm(request):
    """Step 3: import the file previewed in this session."""
    pending, name = _pending(request)
    try:
        with _local_copy(name) as path:
            result = _save(_read(path), request.user)
    except reader.LimeSurveyFileError as refusal:
        _forget(request)
        messages.error(request, str(refusal))
        return redirect("surveys:limesurvey_import")
    _forget(request)
    messages.success(
        request,
        _("“%(name)s” was imported as questionnaire “%(title)s”.")
        % {"name": pending["name"], "title": result.questionnaire.title},
    )
    if getattr(result, "campaign", None) is not None:
        messages.info(
            request,
            _("Its participants and %(count)s completed responses are in the closed campaign “%(campaign)s”.")
            % {"count": result.report.responses, "campaign": result.campaign.name},
        )
    return redirect(result.questionnaire)


@capability_required(permissions.VIEW_SURVEYS)
def limesurvey_export(request, pk):
    """The questionnaire as a LimeSurvey 6 survey structure file (.lss)."""
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    data, _notes = export_lss(questionnaire)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="manyi_questionnaire_{questionnaire.pk}_v{questionnaire.version}.lss"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
