"""Export of customers and purchases to CSV and Excel. No HTTP here.

Rows are produced lazily (in chunks of the database) so that 100,000 customers neither fill the
memory nor wait for the whole query. Phones and e-mail addresses are masked for readers without
the right to see personal data, and so are names, as seed 004 records customers (“*客户”
“A公司”: masking.NameMask, a company lettered within the export by customer code, a person or a
contact as 张*), and every text cell is neutralised so that a spreadsheet program
never runs it as a formula. Column headers are the labels the importer recognises, so an export
can be edited and imported again.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import ContactMethod, CustomerKind, CustomerType, Lifecycle
from .masking import NameMask, mask_email, mask_person_name, mask_phone, neutralise_formula
from .models import Contact, Purchase

CHUNK = 2000

CUSTOMER_HEADERS = (
    gettext_lazy("Customer code"),
    gettext_lazy("Customer name"),
    gettext_lazy("Person or company"),
    gettext_lazy("Customer type"),
    gettext_lazy("Lifecycle"),
    gettext_lazy("Industry"),
    gettext_lazy("Phone"),
    gettext_lazy("E-mail"),
    gettext_lazy("Region"),
    gettext_lazy("Province"),
    gettext_lazy("City"),
    gettext_lazy("Address"),
    gettext_lazy("Owner (user name)"),
    gettext_lazy("Tags"),
    gettext_lazy("Contact"),
    gettext_lazy("Contact title"),
    gettext_lazy("Contact phone"),
    gettext_lazy("Contact e-mail"),
    gettext_lazy("Preferred contact method"),
    gettext_lazy("Preferences"),
    gettext_lazy("Consents to be contacted"),
    gettext_lazy("First purchase"),
    gettext_lazy("Last purchase"),
    gettext_lazy("Purchases"),
    gettext_lazy("Business volume (CNY)"),
    gettext_lazy("Created at"),
)

PURCHASE_HEADERS = (
    gettext_lazy("Customer code"),
    gettext_lazy("Customer name"),
    gettext_lazy("Product code"),
    gettext_lazy("Product name"),
    gettext_lazy("Order number"),
    gettext_lazy("Purchase date"),
    gettext_lazy("Quantity"),
    gettext_lazy("Amount"),
    gettext_lazy("Delivery date"),
    gettext_lazy("Warranty end"),
)


def clean_row(row) -> list:
    """The row's cells as written to a file: lazy translations as text, no text a formula."""
    return [neutralise_formula(str(value) if isinstance(value, Promise) else value) for value in row]


def _customer_names(customers, show_personal):
    """customer -> its name as the reader sees it (one query over `customers` when masked)."""
    if show_personal:
        return lambda customer: customer.name
    names = NameMask(customers.order_by().values_list("pk", "code", "name", "kind", "province", "city"))
    return lambda customer: names.customer(customer.pk)


def customer_rows(queryset, *, show_personal: bool) -> Iterator[list]:
    """One list of cell values per customer (dates, numbers and text; None for blanks)."""
    phone = (lambda v: v) if show_personal else mask_phone
    email = (lambda v: v) if show_personal else mask_email
    person = (lambda v: v) if show_personal else mask_person_name
    name = _customer_names(queryset, show_personal)
    yes, no = _("Yes"), _("No")
    # Choice labels translated once, not once per row.
    kinds, types, stages, methods = (
        {value: str(label) for value, label in choices.choices}
        for choices in (CustomerKind, CustomerType, Lifecycle, ContactMethod)
    )
    customers = (
        queryset.select_related("owner")
        .prefetch_related(
            "tags", Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "pk"))
        )
        .iterator(chunk_size=CHUNK)
    )
    for customer in customers:
        contacts = list(customer.contacts.all())
        contact = contacts[0] if contacts else None
        yield clean_row(
            [
                customer.code,
                name(customer),
                kinds.get(customer.kind, customer.kind),
                types.get(customer.customer_type, customer.customer_type),
                stages.get(customer.lifecycle, customer.lifecycle),
                customer.industry,
                phone(customer.phone),
                email(customer.email),
                customer.region,
                customer.province,
                customer.city,
                customer.address,
                customer.owner.username if customer.owner else "",
                ", ".join(tag.name for tag in customer.tags.all()),
                person(contact.name) if contact else "",
                contact.title if contact else "",
                phone(contact.phone) if contact else "",
                email(contact.email) if contact else "",
                methods.get(customer.preferred_contact_method, "")
                if customer.preferred_contact_method
                else "",
                customer.preferences,
                yes if customer.consent_to_contact else no,
                customer.first_purchase_on,
                customer.last_purchase_on,
                customer.purchase_count,
                customer.purchase_total,
                timezone.localtime(customer.created_at).replace(tzinfo=None, microsecond=0),
            ]
        )


def purchase_rows(customers, *, show_personal: bool = True) -> Iterator[list]:
    """Purchases of the given customers (a queryset), newest first within each customer."""
    name = _customer_names(customers, show_personal)
    purchases = (
        Purchase.objects.filter(customer__in=customers.values("pk"))
        .select_related("customer", "product")
        .order_by("customer__code", "-purchased_on", "pk")
        .iterator(chunk_size=CHUNK)
    )
    for purchase in purchases:
        yield clean_row(
            [
                purchase.customer.code,
                name(purchase.customer),
                purchase.product.code,
                purchase.product.name,
                purchase.order_number,
                purchase.purchased_on,
                purchase.quantity,
                purchase.amount,
                purchase.delivered_on,
                purchase.warranty_end,
            ]
        )


class _Echo:
    """A file-like object whose write() hands back what it was given (for streaming CSV)."""

    def write(self, value):
        return value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def csv_chunks(headers: Iterable, rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, so that Excel shows the Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    yield writer.writerow([str(h) for h in headers]).encode()
    lines = []
    for row in rows:
        lines.append(writer.writerow([_csv_text(v) for v in row]))
        if len(lines) >= 500:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def xlsx_file(headers: Iterable, rows: Iterable[list], *, title: str):
    """An open temporary file holding a workbook of one sheet, its header row frozen.

    The rows' cells must have gone through :func:`clean_row`."""
    return xlsx_sheets_file([(title, headers, rows)])


@dataclass(frozen=True)
class Link:
    """The last cell of a row for :func:`xlsx_sheets_file`: the address `url` (one of our own
    pages, never user text), shown as itself and opened by a click."""

    url: str

    def cell(self, sheet):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=self.url)
        if self.url:
            cell.hyperlink = self.url
            cell.style = "Hyperlink"
        return cell


def xlsx_sheets_file(sheets: Iterable[tuple], *, freeze_header: bool = True):
    """An open temporary file holding a workbook with a sheet per (title, headers, rows).

    Written with openpyxl's write-only mode, so rows may be a generator. The rows' cells must
    have gone through :func:`clean_row`: no text starts with "=" and openpyxl writes it as
    text; dates and numbers stay dates and numbers. A row may end with a :class:`Link`.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=str(title)[:31])
        if freeze_header:
            sheet.freeze_panes = "A2"
        sheet.append([str(h) for h in headers])
        for row in rows:
            if row and isinstance(row[-1], Link):
                row = [*row[:-1], row[-1].cell(sheet)]
            sheet.append(row)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


def export_filename(prefix: str, extension: str) -> str:
    return f"{prefix}-{timezone.localdate():%Y%m%d}.{extension}"
