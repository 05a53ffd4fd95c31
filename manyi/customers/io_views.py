"""Import and export of the customer archive (placeholder: filled in by the import work)."""

from django.http import HttpResponse

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required


@capability_required(permissions.IMPORT_CUSTOMERS)
def customer_import(request):
    return HttpResponse("import")


@capability_required(permissions.EXPORT_CUSTOMERS)
def customer_export(request):
    return HttpResponse("export")
