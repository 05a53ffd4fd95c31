"""Import and export of the customer archive.

Import is three steps, each a page: upload (the file is kept in the file storage's imports/, shared by every app server, with a
random name, remembered in the uploader's session together with the user's id), map columns
(preview of the first rows; submitting validates every row and, with no problem anywhere,
writes them all in one transaction), and the summary. The work itself is in importing.py.
"""

import datetime
import logging
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from manyi import uploads
from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.forms import StyledFormMixin
from manyi.uploads import local_copy

from . import exporting, importing
from .forms import CustomerFilterForm
from .importing import ImportFileError, ImportKind
from .models import Customer

logger = logging.getLogger(__name__)

SESSION_KEY = "customer_imports"
RESULT_KEY = "customer_import_result"
# Pending uploads one session keeps; older ones (and any file older than a day) are removed.
MAX_PENDING = 5
STALE_AFTER_SECONDS = 24 * 3600
# The error report shows this many problems; the count of all of them is always shown.
ERRORS_SHOWN = 1000


class UploadForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"), choices=ImportKind.choices)
    file = forms.FileField(label=gettext_lazy("File (.csv or .xlsx)"))
    update_existing = forms.BooleanField(
        label=gettext_lazy("Update existing customers matched by code"),
        required=False,
        help_text=gettext_lazy(
            "Filled cells replace the stored values; blank cells keep them. "
            "For purchases: a row with the same customer, product and order number updates that purchase."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in importing.EXTENSIONS:
            raise forms.ValidationError(
                _(
                    "Please upload a .csv or .xlsx file (in Excel: File › Save As › Excel Workbook or CSV UTF-8)."
                )
            )
        try:
            uploads.check_upload_size(upload)
        except uploads.FileRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class MappingForm(StyledFormMixin, forms.Form):
    """One select per file column: the field it fills, or "ignore"."""

    update_existing = UploadForm.base_fields["update_existing"]

    def __init__(self, *args, kind, headers, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", _("— ignore —"))] + [(t.name, t.label) for t in importing.targets_for(kind)]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(label=header, choices=choices, required=False)
        self.column_count = len(headers)

    @property
    def column_fields(self):
        return [self[f"column_{index}"] for index in range(self.column_count)]

    @property
    def mapping(self):
        return [self.cleaned_data.get(f"column_{index}") or "" for index in range(self.column_count)]

    def clean(self):
        data = super().clean()
        problems = importing.check_mapping(
            self.kind, self.mapping, update_existing=data.get("update_existing")
        )
        if problems:
            raise forms.ValidationError(problems)
        return data


# --- Uploaded files, tied to the user's session ----------------------------------------------


IMPORTS = "imports"


def _remove_stale_files():
    cutoff = timezone.now() - datetime.timedelta(seconds=STALE_AFTER_SECONDS)
    try:
        names = default_storage.listdir(IMPORTS)[1]
    except FileNotFoundError:
        return
    for name in names:
        try:
            if default_storage.get_modified_time(f"{IMPORTS}/{name}") < cutoff:
                default_storage.delete(f"{IMPORTS}/{name}")
        except OSError:
            pass  # another process removed it first


def _store_upload(request, form) -> str:
    """Keep the upload in the file storage (shared by every app server: the next step may
    reach another one) under a random name, remembered in the session."""
    upload = form.cleaned_data["file"]
    _remove_stale_files()
    token = secrets.token_hex(16)
    filename = Path(default_storage.save(f"{IMPORTS}/{token}{Path(upload.name).suffix.lower()}", upload)).name
    pending = request.session.get(SESSION_KEY, {})
    while len(pending) >= MAX_PENDING:
        oldest = min(pending, key=lambda t: pending[t]["at"])
        default_storage.delete(f"{IMPORTS}/{pending.pop(oldest)['file']}")
    pending[token] = {
        "file": filename,
        "user": request.user.pk,
        "kind": form.cleaned_data["kind"],
        "update_existing": form.cleaned_data["update_existing"],
        "name": Path(upload.name).name[:200],
        "at": time.time(),
    }
    request.session[SESSION_KEY] = pending
    return token


def _pending_upload(request, token):
    """The upload this user made in this session, with its name in the storage; 404 for anyone else's."""
    upload = request.session.get(SESSION_KEY, {}).get(token)
    if not upload or upload["user"] != request.user.pk:
        raise Http404
    name = f"{IMPORTS}/{upload['file']}"
    if not default_storage.exists(name):
        _forget_upload(request, token)
        raise Http404
    return upload, name


def _forget_upload(request, token):
    pending = request.session.get(SESSION_KEY, {})
    upload = pending.pop(token, None)
    if upload:
        default_storage.delete(f"{IMPORTS}/{upload['file']}")
    request.session[SESSION_KEY] = pending


# --- Import views ---------------------------------------------------------------------------


@capability_required(permissions.IMPORT_CUSTOMERS)
def customer_import(request):
    """Step 1: choose what to import and upload the file."""
    form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        token = _store_upload(request, form)
        try:
            with local_copy(
                default_storage, f"{IMPORTS}/{request.session[SESSION_KEY][token]['file']}"
            ) as path:
                importing.check_file(path)
        except (ImportFileError, uploads.FileRefused) as problem:
            _forget_upload(request, token)
            form.add_error("file", str(problem))
        else:
            return redirect("customers:import_map", token=token)
    return render(
        request,
        "customers/import_upload.html",
        {"form": form, "limit": settings.IMPORT_MAX_BYTES, "kinds": ImportKind.choices},
    )


@capability_required(permissions.IMPORT_CUSTOMERS)
def customer_import_map(request, token):
    """Step 2: preview and map columns; submitting validates and, with no errors, imports."""
    upload, name = _pending_upload(request, token)
    try:
        with local_copy(default_storage, name) as path:
            return _mapping_step(request, token, upload, path)
    except uploads.FileRefused as problem:
        _forget_upload(request, token)
        messages.error(request, str(problem))
        return redirect("customers:import")


def _mapping_step(request, token, upload, path):
    kind = ImportKind(upload["kind"])
    try:
        headers, preview = importing.check_file(path)
    except ImportFileError as problem:
        _forget_upload(request, token)
        messages.error(request, str(problem))
        return redirect("customers:import")
    initial = {f"column_{i}": name for i, name in enumerate(importing.auto_map(kind, headers))}
    initial["update_existing"] = upload["update_existing"]
    form = MappingForm(request.POST or None, kind=kind, headers=headers, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = importing.run_import(
                path,
                kind,
                form.mapping,
                update_existing=form.cleaned_data["update_existing"],
                user=request.user,
                file_name=upload["name"],
            )
        except ImportFileError as problem:
            form.add_error(None, str(problem))
        else:
            if outcome.ok:
                _forget_upload(request, token)
                request.session[RESULT_KEY] = {
                    "kind": kind.value,
                    "name": upload["name"],
                    "rows": outcome.rows,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "products_created": outcome.products_created,
                }
                return redirect("customers:import_done")
            errors = outcome.errors
    return render(
        request,
        "customers/import_mapping.html",
        {
            "form": form,
            "upload": upload,
            "kind": kind,
            "token": token,
            "headers": headers,
            "preview": preview,
            "errors": errors[:ERRORS_SHOWN],
            "error_count": len(errors),
            "error_row_count": len({e.row for e in errors if e.row}),
        },
    )


@require_POST
@capability_required(permissions.IMPORT_CUSTOMERS)
def customer_import_cancel(request, token):
    _pending_upload(request, token)
    _forget_upload(request, token)
    messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect("customers:import")


@capability_required(permissions.IMPORT_CUSTOMERS)
def customer_import_done(request):
    """Step 3: what the import did (shown once; reloading leads to the customer list)."""
    result = request.session.pop(RESULT_KEY, None)
    if result is None:
        return redirect("customers:list")
    return render(request, "customers/import_done.html", {"result": result})


@capability_required(permissions.IMPORT_CUSTOMERS)
def customer_import_template(request):
    """An empty workbook with the column headers the importer recognises."""
    kind = request.GET.get("kind", ImportKind.CUSTOMERS)
    if kind not in ImportKind.values:
        return HttpResponseBadRequest()
    headers = [t.label for t in importing.targets_for(kind)]
    output = exporting.xlsx_file(headers, [], title=str(ImportKind(kind).label))
    return FileResponse(output, as_attachment=True, filename=f"{kind}-template.xlsx")


# --- Export views ---------------------------------------------------------------------------


def _filtered_customers(request):
    """The customers the list page shows for the same query string (filters and sort)."""
    form = CustomerFilterForm(request.GET or None, user=request.user)
    customers = Customer.objects.for_user(request.user)
    if form.is_bound and form.is_valid():
        return form.filter(customers)
    return customers.order_by("code", "pk")


def _export_response(request, prefix, headers, rows, title):
    export_format = request.GET.get("format", "xlsx")
    if export_format == "csv":
        response = StreamingHttpResponse(
            exporting.csv_chunks(headers, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{exporting.export_filename(prefix, "csv")}"'
        return response
    if export_format == "xlsx":
        output = exporting.xlsx_file(headers, rows, title=title)
        return FileResponse(output, as_attachment=True, filename=exporting.export_filename(prefix, "xlsx"))
    return HttpResponseBadRequest(_("Unknown export format."))


@capability_required(permissions.EXPORT_CUSTOMERS)
def customer_export(request):
    """The customer list, with its current filters, as ?format=xlsx (default) or csv."""
    show_personal = request.user.can(permissions.VIEW_PERSONAL_DATA)
    customers = _filtered_customers(request)
    logger.info(
        "customer export by %s at %s (%s, personal data %s)",
        request.user.username,
        timezone.now().isoformat(timespec="seconds"),
        request.GET.urlencode(),
        "shown" if show_personal else "masked",
    )
    rows = exporting.customer_rows(customers, show_personal=show_personal)
    return _export_response(request, "customers", exporting.CUSTOMER_HEADERS, rows, _("Customers"))


@capability_required(permissions.EXPORT_CUSTOMERS)
def purchase_export(request):
    """Purchases of the customers the list's filters select (customers' names masked without
    the right to personal data)."""
    customers = _filtered_customers(request)
    rows = exporting.purchase_rows(customers, show_personal=request.user.can(permissions.VIEW_PERSONAL_DATA))
    return _export_response(request, "purchases", exporting.PURCHASE_HEADERS, rows, _("Purchases"))
