"""Import of customers and purchases from CSV and Excel files. No HTTP here.

The flow, used by the web views and by the benchmark alike:

    with open_sheet(path) as sheet:                 # CSV (UTF-8, UTF-8 BOM, GB18030) or XLSX
        mapping = auto_map(kind, sheet.headers)     # one target (or "") per file column
    outcome = run_import(path, kind, mapping, update_existing=False, user=user)
    outcome.errors     # every problem as (row, column, message); nothing was written then
    outcome.created, outcome.updated

Every row is validated first, with the rules of the web forms; only when no row has a problem
are all rows written, in one transaction, with bulk inserts (100,000 rows must take well under
a minute on SQLite). Bulk writes bypass django-auditlog, which records only `.save()`, so the
imports write the audit trail themselves (ImportTrail): one entry per customer, contact and
purchase created or changed, with the changed fields (old → new), the file's name and row, and
the import's id as the entries' correlation id (`cid`), written in bulk as the rows are; a row
that changes nothing leaves none. The customer's page shows its contacts' and purchases'
entries with its own (`{% audit_trail customer %}`). One summary line goes to the
`manyi.customers.importing` logger as well.
"""

import codecs
import csv
import gc
import io
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from pathlib import Path

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi import uploads
from manyi.bulk import insert_rows
from manyi.organisation.access import assignable_units, sees_everything, visible_people

from .choices import ContactMethod, CustomerKind, CustomerType
from .forms import split_tags
from .masking import FORMULA_PREFIXES
from .models import Contact, Customer, Product, Purchase, Tag
from .validators import normalize_phone

logger = logging.getLogger(__name__)

EXTENSIONS = (".csv", ".xlsx")
PREVIEW_ROWS = 20
BATCH_SIZE = 2000
# Lookups with IN (...) are split so that no query exceeds SQLite's 999 parameters.
IN_CHUNK = 900


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", gettext_lazy("Customers")
    PURCHASES = "purchases", gettext_lazy("Purchases")


class ImportFileError(Exception):
    """The file cannot be used at all (wrong type, unreadable, empty): a message for the user."""


# --------------------------------------------------------------------------------------------
# Reading files


@dataclass
class Sheet:
    """The header row and a stream of data rows of an uploaded file.

    Row numbers are the ones a person sees in a spreadsheet program: the header is usually
    row 1, so the first data row is row 2. Blank rows are skipped but still counted.
    """

    headers: list[str]
    header_row: int
    _rows: Iterator[tuple[int, list]]

    def rows(self) -> Iterator[tuple[int, list]]:
        width = len(self.headers)
        for number, values in self._rows:
            if not any(_is_filled(v) for v in values):
                continue
            values = list(values[:width])
            if len(values) < width:
                values += [None] * (width - len(values))
            yield number, values

    def preview(self, limit=PREVIEW_ROWS) -> list[tuple[int, list]]:
        """The first `limit` data rows (consumes them from the stream)."""
        found = []
        for item in self.rows():
            found.append(item)
            if len(found) >= limit:
                break
        return found


def _is_filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column names of spreadsheet programs."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_names(values) -> list[str]:
    values = list(values)
    while values and not _is_filled(values[-1]):
        values.pop()
    names = []
    for index, value in enumerate(values):
        text = as_text(value)
        names.append(text or _("Column %(letter)s") % {"letter": column_letter(index)})
    return names


def _make_sheet(numbered_rows: Iterator[tuple[int, list]]) -> Sheet:
    for number, values in numbered_rows:
        if any(_is_filled(v) for v in values):
            return Sheet(_header_names(values), number, numbered_rows)
    raise ImportFileError(_("The file is empty."))


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes strictly; otherwise GB18030 (a superset of
    GBK and GB2312, which Chinese versions of Excel write)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" (tab-separated UTF-16), sometimes renamed to .csv.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's text encoding is not recognised. Save it as CSV UTF-8 or as an Excel file.")
        ) from None


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (comma when none)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _("This file is an Excel workbook, not CSV: upload it with the .xlsx extension.")
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(_("This is not a CSV text file."))
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))

    def numbered():
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as error:
            raise ImportFileError(
                _("The CSV file is damaged near row %(row)s: %(error)s")
                % {"row": reader.line_num, "error": error}
            ) from None

    return numbered()


_UNREADABLE_XLSX = gettext_lazy(
    "The Excel file could not be read. Open it in Excel or WPS and save it again as .xlsx."
)


@contextmanager
def _xlsx_rows(path: Path):
    """Numbered rows of the first worksheet, read by calamine (Rust; about 2 s for 100,000
    rows where openpyxl takes about 30 s). Dates come back as dates, also in the built-in
    Chinese formats such as yyyy"年"m"月"d"日"; empty cells as "". open_sheet has checked the
    file's limits (manyi.uploads) first: calamine holds the whole sheet in memory."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError):
        raise ImportFileError(str(_UNREADABLE_XLSX)) from None

    def numbered():
        # calamine starts its rows at row 1 (leading empty rows included), so these numbers
        # are the ones a person sees in Excel.
        try:
            yield from enumerate(sheet.iter_rows(), start=1)
        except (CalamineError, ValueError):
            raise ImportFileError(str(_UNREADABLE_XLSX)) from None

    yield numbered()


@contextmanager
def open_sheet(path) -> Iterator[Sheet]:
    """Open a .csv or .xlsx file; raises ImportFileError with a message for the user (also for
    a file over the import limits of manyi.uploads)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in EXTENSIONS:
        # Size, unpacked size and rows, before anything is read (zip bombs, huge files).
        try:
            uploads.check_table_file(path)
        except uploads.FileRefused as refusal:
            raise ImportFileError(str(refusal)) from None
    if suffix == ".csv":
        yield _make_sheet(_csv_rows(path))
    elif suffix == ".xlsx":
        with _xlsx_rows(path) as rows:
            yield _make_sheet(rows)
    else:
        raise ImportFileError(_("Please upload a .csv or .xlsx file."))


def check_file(path) -> tuple[list[str], list[tuple[int, list]]]:
    """Headers and preview rows; raises ImportFileError for a file that cannot be imported."""
    with open_sheet(path) as sheet:
        preview = sheet.preview()
        if not preview:
            raise ImportFileError(_("The file has a header row but no data rows."))
        return sheet.headers, preview


# --------------------------------------------------------------------------------------------
# Columns: what each file column means


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    aliases: tuple[str, ...] = ()


def _normalise_header(text: str) -> str:
    text = str(text).strip().lower().replace("（", "(").replace("）", ")")
    text = re.sub(r"\(.*?\)", "", text)  # 金额（元） -> 金额
    return re.sub(r"[\s*_\-:：]", "", text)


CUSTOMER_TARGETS = (
    Target(
        "code", gettext_lazy("Customer code"), ("客户编码", "编码", "客户编号", "编号", "客户代码", "code")
    ),
    Target("name", gettext_lazy("Customer name"), ("客户名称", "名称", "客户名", "客户姓名", "name")),
    Target(
        "kind", gettext_lazy("Person or company"), ("个人/企业", "个人或企业", "客户性质", "性质", "kind")
    ),
    Target("customer_type", gettext_lazy("Customer type"), ("客户类型", "类型", "type", "customer type")),
    Target("industry", gettext_lazy("Industry"), ("行业", "所属行业", "industry")),
    Target(
        "phone",
        gettext_lazy("Phone"),
        ("电话", "手机", "联系电话", "手机号", "手机号码", "电话号码", "mobile"),
    ),
    Target("email", gettext_lazy("E-mail"), ("邮箱", "电子邮件", "电子邮箱", "邮件", "email")),
    Target("region", gettext_lazy("Region"), ("地区", "区域", "大区", "region")),
    Target("province", gettext_lazy("Province"), ("省份", "省", "province")),
    Target("city", gettext_lazy("City"), ("城市", "市", "city")),
    Target("address", gettext_lazy("Address"), ("地址", "详细地址", "联系地址", "address")),
    Target("owner", gettext_lazy("Owner (user name)"), ("负责人", "归属人", "客户负责人", "owner")),
    Target(
        "unit",
        gettext_lazy("Organisation unit (code)"),
        ("单位", "所属单位", "组织单位", "单位编码", "unit", "unit code"),
    ),
    Target("tags", gettext_lazy("Tags"), ("标签", "tags", "tag")),
    Target("contact_name", gettext_lazy("Contact"), ("联系人", "联系人姓名", "contact", "contact name")),
    Target("contact_title", gettext_lazy("Contact title"), ("联系人职务", "职务", "职位", "contact title")),
    Target("contact_phone", gettext_lazy("Contact phone"), ("联系人电话", "联系人手机", "contact phone")),
    Target("contact_email", gettext_lazy("Contact e-mail"), ("联系人邮箱", "联系人邮件", "contact email")),
    Target(
        "preferred_contact_method",
        gettext_lazy("Preferred contact method"),
        ("首选联系方式", "联系方式偏好", "preferred contact method"),
    ),
    Target("preferences", gettext_lazy("Preferences"), ("偏好", "沟通偏好", "客户偏好", "preferences")),
    Target(
        "consent_to_contact",
        gettext_lazy("Consents to be contacted"),
        ("同意联系", "是否同意联系", "consent", "consent to contact"),
    ),
    Target("notes", gettext_lazy("Notes"), ("备注", "notes")),
)

PURCHASE_TARGETS = (
    Target(
        "customer_code", gettext_lazy("Customer code"), ("客户编码", "编码", "客户编号", "customer", "code")
    ),
    Target(
        "product_code", gettext_lazy("Product code"), ("产品编码", "产品编号", "物料编码", "product code")
    ),
    Target("product_name", gettext_lazy("Product name"), ("产品名称", "产品", "product", "product name")),
    Target("order_number", gettext_lazy("Order number"), ("订单号", "订单编号", "订单", "order", "order no")),
    Target(
        "purchased_on",
        gettext_lazy("Purchase date"),
        ("购买日期", "下单日期", "日期", "date", "purchase date"),
    ),
    Target("quantity", gettext_lazy("Quantity"), ("数量", "quantity", "qty")),
    Target("amount", gettext_lazy("Amount"), ("金额", "总金额", "购买金额", "amount")),
    Target("delivered_on", gettext_lazy("Delivery date"), ("交货日期", "交付日期", "delivery date")),
    Target(
        "warranty_end", gettext_lazy("Warranty end"), ("保修截止", "保修截止日期", "保修到期", "warranty end")
    ),
)


def targets_for(kind) -> tuple[Target, ...]:
    return PURCHASE_TARGETS if kind == ImportKind.PURCHASES else CUSTOMER_TARGETS


def auto_map(kind, headers) -> list[str]:
    """Guess the target of each column from its header (Chinese or English); "" = ignore."""
    lookup = {}
    for target in targets_for(kind):
        for alias in (target.name, str(target.label), *target.aliases):
            lookup.setdefault(_normalise_header(alias), target.name)
    mapping, used = [], set()
    for header in headers:
        name = lookup.get(_normalise_header(header), "")
        if name in used:
            name = ""
        used.add(name)
        mapping.append(name)
    return mapping


def check_mapping(kind, mapping, *, update_existing=False) -> list[str]:
    """Problems with a column mapping, as messages (empty when it can be used)."""
    problems = []
    labels = {t.name: t.label for t in targets_for(kind)}
    chosen = [m for m in mapping if m]
    for name in sorted({m for m in chosen if chosen.count(m) > 1}):
        problems.append(
            _("More than one column is mapped to “%(field)s”.") % {"field": labels.get(name, name)}
        )
    for name in chosen:
        if name not in labels:
            problems.append(_("Unknown field “%(field)s”.") % {"field": name})
    if kind == ImportKind.PURCHASES:
        required = ["customer_code", "purchased_on", "amount"]
        if "product_code" not in chosen and "product_name" not in chosen:
            problems.append(_("Map a column to “Product code” or “Product name”."))
    else:
        required = ["code"] if update_existing else ["code", "name"]
    for name in required:
        if name not in chosen:
            problems.append(_("Map a column to “%(field)s”: it is required.") % {"field": labels[name]})
    return problems


# --------------------------------------------------------------------------------------------
# Cell values


class CellError(Exception):
    """A value that breaks a rule; the message is for the user."""


def as_text(value) -> str:
    """A cell as text: Excel numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        # Undo our own export's formula neutralising ('=SUM… -> =SUM…), so that a round trip
        # through a spreadsheet keeps the value; exports neutralise it again.
        if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
            return text[1:]
        return text
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_NUMBER_CLUTTER = re.compile(r"[,，\s¥￥元]")


def parse_date(value) -> date | None:
    """Excel date cells, YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD and YYYY年M月D日; None when blank."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = as_text(value)
    if not text:
        return None
    match = _DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError(
        _("“%(value)s” is not a date; write it as 2024-03-15, 2024/03/15 or 2024年3月15日.") % {"value": text}
    )


def parse_decimal(value, *, max_digits, places=2) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, float):
        rounded = round(value, places)
        if abs(rounded - value) > 1e-9:
            raise CellError(
                _("“%(value)s” has more than %(places)s decimal places.") % {"value": value, "places": places}
            )
        value = repr(rounded)
    text = _NUMBER_CLUTTER.sub("", str(value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": as_text(value)}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": as_text(value)})
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise CellError(_("“%(value)s” is too large.") % {"value": as_text(value)})
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise CellError(
            _("“%(value)s” has more than %(places)s decimal places.")
            % {"value": as_text(value), "places": places}
        )
    return number.quantize(step)


def _lookup(pairs) -> dict[str, str]:
    return {_normalise_header(key): value for key, value in pairs}


_CUSTOMER_TYPES = _lookup(
    [
        ("vip", CustomerType.VIP),
        ("vip客户", CustomerType.VIP),
        ("贵宾", CustomerType.VIP),
        ("key", CustomerType.KEY_ACCOUNT),
        ("key account", CustomerType.KEY_ACCOUNT),
        ("大客户", CustomerType.KEY_ACCOUNT),
        ("重点客户", CustomerType.KEY_ACCOUNT),
        ("重要客户", CustomerType.KEY_ACCOUNT),
        ("normal", CustomerType.NORMAL),
        ("普通", CustomerType.NORMAL),
        ("普通客户", CustomerType.NORMAL),
        ("一般", CustomerType.NORMAL),
        ("一般客户", CustomerType.NORMAL),
    ]
)
_KINDS = _lookup(
    [
        ("person", CustomerKind.PERSON),
        ("个人", CustomerKind.PERSON),
        ("个人客户", CustomerKind.PERSON),
        ("自然人", CustomerKind.PERSON),
        ("company", CustomerKind.COMPANY),
        ("企业", CustomerKind.COMPANY),
        ("企业客户", CustomerKind.COMPANY),
        ("公司", CustomerKind.COMPANY),
        ("单位", CustomerKind.COMPANY),
        ("组织", CustomerKind.COMPANY),
    ]
)
_CONTACT_METHODS = _lookup(
    [
        ("phone", ContactMethod.PHONE),
        ("电话", ContactMethod.PHONE),
        ("email", ContactMethod.EMAIL),
        ("邮件", ContactMethod.EMAIL),
        ("邮箱", ContactMethod.EMAIL),
        ("电子邮件", ContactMethod.EMAIL),
        ("sms", ContactMethod.SMS),
        ("短信", ContactMethod.SMS),
        ("wechat", ContactMethod.WECHAT),
        ("微信", ContactMethod.WECHAT),
        ("visit", ContactMethod.VISIT),
        ("上门", ContactMethod.VISIT),
        ("上门拜访", ContactMethod.VISIT),
        ("拜访", ContactMethod.VISIT),
        ("无", ContactMethod.ANY),
        ("不限", ContactMethod.ANY),
    ]
)
_BOOLEANS = _lookup(
    [
        ("是", True),
        ("否", False),
        ("yes", True),
        ("no", False),
        ("y", True),
        ("n", False),
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("同意", True),
        ("不同意", False),
        ("√", True),
        ("×", False),
    ]
)


def _with_labels(table: dict, choices) -> dict:
    """Also accept the choice labels in the user's language (what an export writes)."""
    table = dict(table)
    for value, label in choices:
        table.setdefault(_normalise_header(label), value)
        table.setdefault(_normalise_header(value), value)
    return table


def _choice(table: dict, value, examples: str):
    text = as_text(value)
    found = table.get(_normalise_header(text))
    if found is None:
        raise CellError(
            _("“%(value)s” is not a valid value; use one of: %(examples)s.")
            % {"value": text, "examples": examples}
        )
    return found


def _max_length(model, name):
    return model._meta.get_field(name).max_length


# --------------------------------------------------------------------------------------------
# Validation and writing


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class ImportOutcome:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    products_created: int = 0
    # Seconds spent reading and validating, and writing (for the log and the benchmark).
    read_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def ok(self):
        return not self.errors


def _logged(value) -> str:
    """A value as django-auditlog writes it into an entry's changes."""
    return "None" if value is None else str(value)


class ImportTrail:
    """The audit trail of one import: an entry per customer, contact or purchase created or
    changed, as django-auditlog would have written it on `.save()` (changes as {field: [old,
    new]}), that also says which import, file and row it came from (`additional_data["import"]`).
    The entries share the import's id as their correlation id and go in with one bulk insert per
    batch of rows (`write()`), as plain rows rather than model instances: 20,000 instances
    would cost the import about a second."""

    FIELDS = (
        "content_type",
        "object_pk",
        "object_id",
        "object_repr",
        "action",
        "changes",
        "changes_text",
        "actor",
        "actor_email",
        "cid",
        "timestamp",
        "additional_data",
    )

    def __init__(self, file_name, user=None):
        self.id = f"import-{uuid.uuid4().hex[:12]}"
        self.file_name = file_name
        self.actor_id = getattr(user, "pk", None)
        self.actor_email = getattr(user, "email", None) or None
        self.content_type_ids = {
            model: ContentType.objects.get_for_model(model).pk for model in (Customer, Contact, Purchase)
        }
        self.timestamp = timezone.now()
        self.rows: list[tuple] = []

    def add(self, record, row, changes, *, created, text=None):
        """An entry for `record` (a saved customer, contact or purchase); `text`: how it is named
        (by default str(record), which for a purchase would fetch its product)."""
        self.rows.append(
            (
                self.content_type_ids[type(record)],
                str(record.pk),
                record.pk,
                str(record) if text is None else text,
                LogEntry.Action.CREATE if created else LogEntry.Action.UPDATE,
                changes,
                "",
                self.actor_id,
                self.actor_email,
                self.id,
                self.timestamp,
                {"import": {"id": self.id, "file": self.file_name, "row": row}},
            )
        )

    def write(self):
        insert_rows(LogEntry, self.rows, fields=self.FIELDS)
        self.rows = []


class _Importer:
    targets: tuple[Target, ...] = ()

    def __init__(self, headers, mapping, *, update_existing=False, user=None, today=None, file_name=""):
        self.headers = list(headers)
        self.update_existing = update_existing
        self.user = user
        self.file_name = file_name
        self.today = today or timezone.localdate()
        self.columns = {name: index for index, name in enumerate(mapping) if name}
        self.errors: list[RowError] = []
        self.rows = 0

    def error(self, row, target, message):
        """Record a problem under the file's column name (the field's name when unmapped)."""
        index = self.columns.get(target)
        if index is not None:
            column = self.headers[index]
        else:
            column = next((str(t.label) for t in self.targets if t.name == target), target)
        self.errors.append(RowError(row, column, str(message)))

    def validate(self, rows):
        for number, values in rows:
            self.rows += 1
            self.clean_row(number, values)
        if not self.rows and not self.errors:
            self.errors.append(RowError(None, "", _("The file has a header row but no data rows.")))
        self.check_against_database()
        self.errors.sort(key=lambda e: e.row or 0)

    def check_against_database(self):
        pass

    def text(self, values, target, number, *, model=Customer, field_name=None):
        """The column's text, or "" (also when unmapped); checks the model's max_length."""
        index = self.columns.get(target)
        if index is None:
            return ""
        text = as_text(values[index])
        limit = _max_length(model, field_name or target) if model is not None else None
        if limit and len(text) > limit:
            self.error(number, target, _("At most %(limit)s characters are allowed.") % {"limit": limit})
        return text


class CustomerImporter(_Importer):
    targets = CUSTOMER_TARGETS

    def __init__(self, headers, mapping, **kwargs):
        super().__init__(headers, mapping, **kwargs)
        self.existing = {code.lower(): pk for code, pk in Customer.objects.values_list("code", "pk")}
        # The organisation units the importer may give (by code, any case), and the customers
        # they may update: a region's staff import into their region only.
        self.units = {code.lower(): pk for code, pk in assignable_units(self.user).values_list("code", "pk")}
        self.own_unit = None
        self.updatable = None  # None: every customer
        if self.user is not None and not sees_everything(self.user):
            self.own_unit = self.user.unit_id
            self.updatable = set(Customer.objects.for_user(self.user).values_list("pk", flat=True))
        # The owners a row may name, as on the customer form: not another region's staff (whose
        # name then reads as no active user, as it would on the form).
        users = list(visible_people(self.user).values_list("username", "pk"))
        self.users = dict(users)
        self.users_folded = {}
        for name, pk in users:
            self.users_folded.setdefault(name.lower(), []).append(pk)
        self.seen: dict[str, int] = {}
        self.records: list[dict] = []
        self.types = _with_labels(_CUSTOMER_TYPES, CustomerType.choices)
        self.kinds = _with_labels(_KINDS, CustomerKind.choices)
        self.methods = _with_labels(_CONTACT_METHODS, ContactMethod.choices)

    def clean_row(self, number, values):
        record = {"row": number}
        self._clean_code(record, number, values)
        name = self.text(values, "name", number)
        if not name and not record.get("pk"):
            self.error(number, "name", _("Please enter the name."))
        record["name"] = name
        for target in ("industry", "region", "province", "city", "address", "preferences", "notes"):
            if target in self.columns:
                record[target] = self.text(values, target, number, field_name=target)
        self._clean_choices(record, number, values)
        self._clean_phones_and_emails(record, number, values)
        if "owner" in self.columns:
            self._clean_owner(record, number, as_text(values[self.columns["owner"]]))
        self._clean_unit(record, number, values)
        if "tags" in self.columns:
            tags = split_tags(as_text(values[self.columns["tags"]]))
            if any(len(tag) > 50 for tag in tags):
                self.error(number, "tags", _("A tag may have at most 50 characters."))
            record["tags"] = tags
        self._clean_contact(record, number, values)
        if not self.errors:
            self.records.append(record)
        elif self.records:
            # After the first error nothing will be written: stop keeping rows in memory.
            self.records.clear()

    def _clean_code(self, record, number, values):
        """The code: required, once in the file, another customer's only when updating (then
        record["pk"] is that customer)."""
        code = self.text(values, "code", number)
        record["code"] = code
        if not code:
            self.error(number, "code", _("The customer code is required."))
            return
        folded = code.lower()
        if folded in self.seen:
            self.error(
                number,
                "code",
                _("The code %(code)s appears more than once in the file (first in row %(row)s).")
                % {"code": code, "row": self.seen[folded]},
            )
        else:
            self.seen[folded] = number
        existing = self.existing.get(folded)
        if existing and self.updatable is not None and existing not in self.updatable:
            # Another unit's customer: refused as any taken code is, without saying whose.
            self.error(number, "code", _("Another customer already has the code %(code)s.") % {"code": code})
        elif existing and not self.update_existing:
            self.error(number, "code", _("Another customer already has the code %(code)s.") % {"code": code})
        record["pk"] = existing

    def _clean_choices(self, record, number, values):
        """Kind, type, contact method and consent: a value or its label (blank cells keep none)."""
        for target, table, examples in (
            ("kind", self.kinds, "个人, 企业"),
            ("customer_type", self.types, "VIP, 大客户, 普通"),
            ("preferred_contact_method", self.methods, "电话, 邮件, 短信, 微信, 上门"),
            ("consent_to_contact", _BOOLEANS, "是, 否"),
        ):
            if target in self.columns and _is_filled(values[self.columns[target]]):
                try:
                    record[target] = _choice(table, values[self.columns[target]], examples)
                except CellError as problem:
                    self.error(number, target, problem)

    def _clean_phones_and_emails(self, record, number, values):
        for target in ("phone", "contact_phone"):
            if target in self.columns:
                raw = as_text(values[self.columns[target]])
                try:
                    record[target] = normalize_phone(raw)
                except ValidationError as problem:
                    self.error(number, target, problem.messages[0])
        for target in ("email", "contact_email"):
            if target in self.columns:
                email = as_text(values[self.columns[target]]).lower()
                if email:
                    try:
                        validate_email(email)
                    except ValidationError:
                        self.error(
                            number, target, _("“%(value)s” is not a valid e-mail address.") % {"value": email}
                        )
                record[target] = email

    def _clean_owner(self, record, number, username):
        """An active user by exact name, or by a name differing only in case if just one does."""
        if not username:
            return
        pk = self.users.get(username)
        if pk is None:
            candidates = self.users_folded.get(username.lower(), [])
            pk = candidates[0] if len(candidates) == 1 else None
        if pk is None:
            self.error(number, "owner", _("There is no active user “%(value)s”.") % {"value": username})
        record["owner_id"] = pk

    def _clean_unit(self, record, number, values):
        """The organisation unit by its code (单位): one the importer may give. A blank cell keeps
        a stored customer's unit; a new customer of a region's importer gets the importer's."""
        code = as_text(values[self.columns["unit"]]) if "unit" in self.columns else ""
        if not code:
            if not record.get("pk") and self.own_unit is not None:
                record["unit_id"] = self.own_unit
            return
        pk = self.units.get(code.lower())
        if pk is None:
            self.error(
                number,
                "unit",
                _("There is no active organisation unit “%(value)s” you may give.") % {"value": code},
            )
        record["unit_id"] = pk

    def _clean_contact(self, record, number, values):
        """The contact's columns as record["contact"] (a name needed) when any is filled."""
        contact_name = self.text(values, "contact_name", number, model=Contact, field_name="name")
        contact_title = self.text(values, "contact_title", number, model=Contact, field_name="title")
        if not (contact_name or contact_title or record.get("contact_phone") or record.get("contact_email")):
            record.pop("contact_phone", None)
            record.pop("contact_email", None)
            return
        if not contact_name:
            self.error(
                number,
                "contact_name" if "contact_name" in self.columns else "contact_phone",
                _("The contact's name is required when other contact details are given."),
            )
        record["contact"] = {
            "name": contact_name,
            "title": contact_title,
            "phone": record.pop("contact_phone", ""),
            "email": record.pop("contact_email", ""),
        }

    # Writing --------------------------------------------------------------------------------

    SIMPLE_FIELDS = (
        "name",
        "kind",
        "customer_type",
        "industry",
        "phone",
        "email",
        "region",
        "province",
        "city",
        "address",
        "owner_id",
        "unit_id",
        "preferred_contact_method",
        "preferences",
        "notes",
    )

    def commit(self) -> ImportOutcome:
        outcome = ImportOutcome(ImportKind.CUSTOMERS, rows=self.rows)
        if self.errors:
            outcome.errors = self.errors
            return outcome
        new = [r for r in self.records if not r.get("pk")]
        old = [r for r in self.records if r.get("pk")]
        trail = ImportTrail(self.file_name, self.user)
        with transaction.atomic():
            tag_ids = self._tag_ids({name for r in self.records for name in r.get("tags", ())})
            outcome.created = self._create(new, tag_ids, trail)
            outcome.updated = self._update(old, tag_ids, trail)
        return outcome

    # The customer's fields in the audit trail, by attribute name.
    LOGGED_FIELDS = {
        **{key: key.removesuffix("_id") for key in SIMPLE_FIELDS},
        "consent_to_contact": "consent_to_contact",
    }

    @staticmethod
    def _tag_ids(names) -> dict[str, int]:
        if not names:
            return {}
        names = sorted(names)
        found = {}
        for chunk in _chunks(names, IN_CHUNK):
            found.update(Tag.objects.filter(name__in=chunk).values_list("name", "pk"))
        missing = [Tag(name=n) for n in names if n not in found]
        if missing:
            Tag.objects.bulk_create(missing, batch_size=BATCH_SIZE)
            for chunk in _chunks([t.name for t in missing], IN_CHUNK):
                found.update(Tag.objects.filter(name__in=chunk).values_list("name", "pk"))
        return found

    def _create(self, records, tag_ids, trail) -> int:
        now = timezone.now()
        lifecycle = Customer(created_at=now).compute_lifecycle(self.today)
        Through = Customer.tags.through
        read_logged = attrgetter(*self.LOGGED_FIELDS)
        for chunk in _chunks(records, BATCH_SIZE):
            customers, contacts = self._new_customers(chunk, now, lifecycle)
            # Without Django compiling every value: most of a 100,000-row import was that.
            insert_rows(Customer, customers)
            pks = {}
            for codes in _chunks([c.code for c in customers], IN_CHUNK):
                pks.update(Customer.objects.filter(code__in=codes).values_list("code", "pk"))
            for customer in customers:
                customer.pk = pks[customer.code]
            new_contacts, contact_rows, links = [], [], []
            for customer, contact, record in zip(customers, contacts, chunk, strict=True):
                if contact is not None:
                    contact.customer_id = customer.pk
                    new_contacts.append(contact)
                    contact_rows.append(record["row"])
                for name in record.get("tags", ()):
                    links.append(Through(customer_id=customer.pk, tag_id=tag_ids[name]))
                changes = {
                    logged: ["None", str(value)]
                    for logged, value in zip(self.LOGGED_FIELDS.values(), read_logged(customer), strict=True)
                    if value is not None and value != ""
                }
                _log_tags(changes, record.get("tags", ()))
                trail.add(customer, record["row"], changes, created=True)
            insert_rows(Contact, new_contacts, set_pks=True)
            for contact, row in zip(new_contacts, contact_rows, strict=True):
                trail.add(contact, row, _created_changes(contact, CONTACT_LOGGED), created=True)
            Through.objects.bulk_create(links, batch_size=BATCH_SIZE)
            trail.write()
        return len(records)

    def _new_customers(self, records, now, lifecycle):
        """(customers, their contact or None) of these rows, unsaved."""
        customers, contacts = [], []
        for record in records:
            customer = Customer(
                code=record["code"],
                created_at=now,
                lifecycle=lifecycle,
                **{k: record[k] for k in self.SIMPLE_FIELDS if k in record},
            )
            if "consent_to_contact" in record:
                customer.consent_to_contact = record["consent_to_contact"]
            contact = None
            if record.get("contact"):
                contact = Contact(is_primary=True, **record["contact"])
            customer.search_text = customer.build_search_text(contacts=[contact] if contact else [])
            customers.append(customer)
            contacts.append(contact)
        return customers, contacts

    def _update(self, records, tag_ids, trail) -> int:
        """Existing customers matched by code: filled cells replace values, blank cells keep them;
        a contact with the same name is updated, another one is added; tags are added."""
        if not records:
            return 0
        now = timezone.now()
        Through = Customer.tags.through
        changed_fields = {k for r in records for k in self.SIMPLE_FIELDS if r.get(k) not in (None, "")}
        fields = sorted(
            changed_fields | {"search_text", "updated_at", "consent_to_contact", "consent_changed_at"}
        )
        for chunk in _chunks(records, IN_CHUNK):
            pks = [r["pk"] for r in chunk]
            customers = Customer.objects.in_bulk(pks)
            contacts_of = {}
            for contact in Contact.objects.filter(customer_id__in=pks).order_by("-is_primary", "pk"):
                contacts_of.setdefault(contact.customer_id, []).append(contact)
            contact_updates, contact_inserts, links, logged_contacts = [], [], [], []
            tagged = set(Through.objects.filter(customer_id__in=pks).values_list("customer_id", "tag_id"))
            for record in chunk:
                customer = customers[record["pk"]]
                before = [getattr(customer, key) for key in self.LOGGED_FIELDS]
                self._apply(customer, record)
                changes = {
                    logged: [_logged(old), _logged(getattr(customer, key))]
                    for (key, logged), old in zip(self.LOGGED_FIELDS.items(), before, strict=True)
                    if getattr(customer, key) != old
                }
                new_tags = [n for n in record.get("tags", ()) if (customer.pk, tag_ids[n]) not in tagged]
                _log_tags(changes, new_tags)
                if changes:
                    trail.add(customer, record["row"], changes, created=False)
                contacts = contacts_of.get(customer.pk, [])
                if record.get("contact"):
                    same, contact_changes = _merge_contact(customer, contacts, record["contact"])
                    (contact_updates if same.pk else contact_inserts).append(same)
                    if contact_changes:
                        logged_contacts.append((same, record["row"], contact_changes, same.pk is None))
                customer.search_text = customer.build_search_text(contacts=contacts)
                customer.updated_at = now
                links.extend(
                    Through(customer_id=customer.pk, tag_id=tag_ids[name]) for name in record.get("tags", ())
                )
            Customer.objects.bulk_update(list(customers.values()), fields, batch_size=BATCH_SIZE)
            if contact_updates:
                Contact.objects.bulk_update(
                    contact_updates, ["title", "phone", "email"], batch_size=BATCH_SIZE
                )
            Contact.objects.bulk_create(contact_inserts, batch_size=BATCH_SIZE)
            for contact, row, changes, created in logged_contacts:  # the new ones have keys now
                trail.add(contact, row, changes, created=created)
            Through.objects.bulk_create(links, batch_size=BATCH_SIZE, ignore_conflicts=True)
            trail.write()
        return len(records)

    def _apply(self, customer, record):
        """A row's filled cells onto a stored customer (blank cells keep the stored values)."""
        for key in self.SIMPLE_FIELDS:
            if record.get(key) not in (None, ""):
                setattr(customer, key, record[key])
        if "consent_to_contact" in record:
            customer.set_consent(record["consent_to_contact"])


def _log_tags(changes, names):
    """Tags a row adds, as django-auditlog writes a change of a many-to-many field."""
    if names:
        changes["tags"] = {"type": "m2m", "operation": "add", "objects": sorted(names)}


# A contact's fields in the audit trail, by attribute name (django-auditlog names a foreign key
# by its field: customer).
CONTACT_LOGGED = ("customer_id", "name", "title", "phone", "email", "is_primary")


def _created_changes(record, attributes):
    """A new record's values as django-auditlog writes its creation: {field: ["None", value]},
    blank values left out."""
    return {
        attribute.removesuffix("_id"): ["None", str(value)]
        for attribute in attributes
        if (value := getattr(record, attribute)) is not None and value != ""
    }


def _merge_contact(customer, contacts, data):
    """(contact, changes): the customer's contact with the row's contact name, its filled
    details taken from the row, and what changed ({field: [old, new]}, empty when nothing did);
    a new (unsaved) contact, added to `contacts`, when none has that name (primary if the first),
    whose changes are its values."""
    same = next((c for c in contacts if c.name == data["name"]), None)
    if same is None:
        same = Contact(customer_id=customer.pk, is_primary=not contacts, **data)
        contacts.append(same)
        return same, _created_changes(same, CONTACT_LOGGED)
    changes = {}
    for key in ("title", "phone", "email"):
        if data[key] and data[key] != getattr(same, key):
            changes[key] = [_logged(getattr(same, key)), data[key]]
            setattr(same, key, data[key])
    return same, changes


class PurchaseImporter(_Importer):
    """Purchases of customers already in the archive; unknown products are created from
    their code and name. With "update existing", a row with the same customer, product and
    order number as a stored purchase updates it; otherwise such a row is an error."""

    targets = PURCHASE_TARGETS

    def __init__(self, headers, mapping, **kwargs):
        super().__init__(headers, mapping, **kwargs)
        customers = Customer.objects.for_user(self.user) if self.user is not None else Customer.objects.all()
        self.customers = {code.lower(): pk for code, pk in customers.values_list("code", "pk")}
        self.products = {code.lower(): pk for code, pk in Product.objects.values_list("code", "pk")}
        self.product_names = {}
        for name, pk in Product.objects.order_by("pk").values_list("name", "pk"):
            self.product_names.setdefault(name, pk)
        self.new_products: dict[str, dict] = {}  # folded code -> {"code", "name"}
        self.records: list[dict] = []
        self.keys: dict[tuple, int] = {}

    def clean_row(self, number, values):
        errors_before = len(self.errors)
        record = {"row": number}
        self._clean_customer(record, number, values)
        self._clean_product(record, number, values)
        record["order_number"] = self.text(values, "order_number", number, model=Purchase)
        self._clean_dates(record, number, values)
        self._clean_quantity_and_amount(record, number, values)
        if record["order_number"] and record.get("customer_id"):
            key = (
                record["customer_id"],
                record.get("product_id") or record.get("new_product"),
                record["order_number"],
            )
            if key in self.keys:
                self.error(
                    number,
                    "order_number",
                    _("This purchase appears more than once in the file (first in row %(row)s).")
                    % {"row": self.keys[key]},
                )
            else:
                self.keys[key] = number
        if len(self.errors) == errors_before:
            self.records.append(record)

    def _clean_customer(self, record, number, values):
        code = self.text(values, "customer_code", number, model=None)
        if not code:
            self.error(number, "customer_code", _("The customer code is required."))
            return
        record["customer_id"] = self.customers.get(code.lower())
        if record["customer_id"] is None:
            self.error(
                number, "customer_code", _("There is no customer with the code %(code)s.") % {"code": code}
            )

    def _clean_product(self, record, number, values):
        """A product by code (an unknown code is a new product, named by the name column) or by
        name (which must exist)."""
        product_code = self.text(values, "product_code", number, model=Product, field_name="code")
        product_name = self.text(values, "product_name", number, model=Product, field_name="name")
        if product_code:
            folded = product_code.lower()
            record["product_id"] = self.products.get(folded)
            if record["product_id"] is None:
                self.new_products.setdefault(
                    folded, {"code": product_code, "name": product_name or product_code}
                )
                record["new_product"] = folded
        elif product_name:
            record["product_id"] = self.product_names.get(product_name)
            if record["product_id"] is None:
                self.error(
                    number,
                    "product_name",
                    _("There is no product named “%(value)s”; add a product code to create it.")
                    % {"value": product_name},
                )
        else:
            self.error(
                number,
                "product_code" if "product_code" in self.columns else "product_name",
                _("The product is required."),
            )

    def _clean_dates(self, record, number, values):
        """Purchase (required, not in the future), delivery (not before the purchase) and
        warranty end (not before delivery)."""
        unreadable = set()
        for target in ("purchased_on", "delivered_on", "warranty_end"):
            record[target] = None
            if target in self.columns:
                try:
                    record[target] = parse_date(values[self.columns[target]])
                except CellError as problem:
                    self.error(number, target, problem)
                    unreadable.add(target)
        purchased, delivered, warranty = (
            record["purchased_on"],
            record["delivered_on"],
            record["warranty_end"],
        )
        if purchased is None and "purchased_on" not in unreadable:
            self.error(number, "purchased_on", _("The purchase date is required."))
        if purchased and purchased > self.today:
            self.error(number, "purchased_on", _("The purchase date cannot be in the future."))
        if purchased and delivered and delivered < purchased:
            self.error(number, "delivered_on", _("The delivery date cannot be before the purchase date."))
        start = delivered or purchased
        if start and warranty and warranty < start:
            self.error(number, "warranty_end", _("The warranty cannot end before delivery."))

    def _clean_quantity_and_amount(self, record, number, values):
        """A positive quantity (1 when not given) and a required amount of at least zero."""
        quantity = amount = None
        if "quantity" in self.columns:
            try:
                quantity = parse_decimal(values[self.columns["quantity"]], max_digits=12)
            except CellError as problem:
                self.error(number, "quantity", problem)
            else:
                if quantity is not None and quantity <= 0:
                    self.error(number, "quantity", _("The quantity must be greater than zero."))
        try:
            amount = parse_decimal(values[self.columns["amount"]], max_digits=14)
        except CellError as problem:
            self.error(number, "amount", problem)
        else:
            if amount is None:
                self.error(number, "amount", _("The amount is required."))
            elif amount < 0:
                self.error(number, "amount", _("The amount cannot be negative."))
        record["quantity"] = quantity if quantity is not None else Decimal(1)
        record["amount"] = amount

    def check_against_database(self):
        """Rows with an order number already stored for that customer and product."""
        keyed = [r for r in self.records if r["order_number"] and r.get("product_id")]
        customer_ids = sorted({r["customer_id"] for r in keyed})
        stored = {}
        for chunk in _chunks(customer_ids, IN_CHUNK):
            rows = Purchase.objects.filter(customer_id__in=chunk).exclude(order_number="")
            for pk, customer_id, product_id, order in rows.values_list(
                "pk", "customer_id", "product_id", "order_number"
            ):
                stored[(customer_id, product_id, order)] = pk
        for record in keyed:
            pk = stored.get((record["customer_id"], record["product_id"], record["order_number"]))
            if pk is None:
                continue
            if self.update_existing:
                record["pk"] = pk
            else:
                self.error(
                    record["row"],
                    "order_number",
                    _("This purchase (order %(order)s) is already in the archive.")
                    % {"order": record["order_number"]},
                )

    FIELDS = ("order_number", "purchased_on", "quantity", "amount", "delivered_on", "warranty_end")
    # A purchase's fields in the audit trail, by attribute name.
    LOGGED = ("customer_id", "product_id", *FIELDS)

    def commit(self) -> ImportOutcome:
        outcome = ImportOutcome(ImportKind.PURCHASES, rows=self.rows)
        if self.errors:
            outcome.errors = self.errors
            return outcome
        trail = ImportTrail(self.file_name, self.user)
        with transaction.atomic():
            outcome.products_created = self._create_products()
            new, old = [], []
            for record in self.records:
                if record.get("new_product"):
                    record["product_id"] = self.products[record["new_product"]]
                values = {k: record[k] for k in self.FIELDS}
                purchase = Purchase(
                    customer_id=record["customer_id"], product_id=record["product_id"], **values
                )
                purchase.row = record["row"]
                if record.get("pk"):
                    purchase.pk = record["pk"]
                    old.append(purchase)
                else:
                    new.append(purchase)
            stored = self._stored([purchase.pk for purchase in old])
            Purchase.objects.bulk_create(new, batch_size=BATCH_SIZE)
            Purchase.objects.bulk_update(old, self.FIELDS, batch_size=BATCH_SIZE)
            self._log(trail, new, old, stored)
            Customer.objects.refresh_purchase_summaries(
                {r["customer_id"] for r in self.records}, today=self.today
            )
        outcome.created, outcome.updated = len(new), len(old)
        return outcome

    def _create_products(self) -> int:
        """The products the file names by a code not yet known; their keys into self.products."""
        if not self.new_products:
            return 0
        Product.objects.bulk_create(
            [Product(**data) for data in self.new_products.values()], batch_size=BATCH_SIZE
        )
        codes = [data["code"] for data in self.new_products.values()]
        for chunk in _chunks(codes, IN_CHUNK):
            for code, pk in Product.objects.filter(code__in=chunk).values_list("code", "pk"):
                self.products[code.lower()] = pk
        return len(self.new_products)

    @staticmethod
    def _stored(pks) -> dict:
        """The stored values of the purchases a file updates, before it does: {pk: Purchase}."""
        stored = {}
        for chunk in _chunks(pks, IN_CHUNK):
            stored.update(Purchase.objects.in_bulk(chunk))
        return stored

    def _log(self, trail, new, old, stored):
        """The audit trail of the purchases written: each new one with its values, each updated
        one with what changed (none when nothing did), named as a purchase names itself
        (product and purchase date)."""
        product_ids = sorted({purchase.product_id for purchase in (*new, *old)})
        names = {}
        for chunk in _chunks(product_ids, IN_CHUNK):
            names.update(Product.objects.filter(pk__in=chunk).values_list("pk", "name"))
        for purchase in new:
            text = f"{names.get(purchase.product_id, '')} {purchase.purchased_on}"
            trail.add(
                purchase, purchase.row, _created_changes(purchase, self.LOGGED), created=True, text=text
            )
            if len(trail.rows) >= BATCH_SIZE:
                trail.write()
        for purchase in old:
            before = stored.get(purchase.pk)
            changes = {
                attribute: [_logged(getattr(before, attribute)), _logged(getattr(purchase, attribute))]
                for attribute in self.FIELDS
                if before is not None and getattr(before, attribute) != getattr(purchase, attribute)
            }
            if changes:
                text = f"{names.get(purchase.product_id, '')} {purchase.purchased_on}"
                trail.add(purchase, purchase.row, changes, created=False, text=text)
            if len(trail.rows) >= BATCH_SIZE:
                trail.write()
        trail.write()


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


IMPORTERS = {ImportKind.CUSTOMERS: CustomerImporter, ImportKind.PURCHASES: PurchaseImporter}


@contextmanager
def _no_cyclic_gc():
    """Pause the cycle collector while hundreds of thousands of objects are made and kept:
    its full passes over them made a 100,000-row import a third slower. Reference counting
    still frees everything as usual; cycles are collected afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_import(
    path, kind, mapping, *, update_existing=False, user=None, today=None, file_name=None
) -> ImportOutcome:
    """Read, validate every row, and — only when no row has a problem — write all rows in one
    transaction. Raises ImportFileError when the file itself cannot be read. `file_name` is the
    name the user's file had (the audit trail names it); by default the name of `path`."""
    kind = ImportKind(kind)
    problems = check_mapping(kind, mapping, update_existing=update_existing)
    if problems:
        return ImportOutcome(kind, errors=[RowError(None, "", message) for message in problems])
    started = time.perf_counter()
    with _no_cyclic_gc(), open_sheet(path) as sheet:
        mapping = list(mapping)[: len(sheet.headers)]
        mapping += [""] * (len(sheet.headers) - len(mapping))
        importer = IMPORTERS[kind](
            sheet.headers,
            mapping,
            update_existing=update_existing,
            user=user,
            today=today,
            file_name=file_name or Path(path).name,
        )
        importer.validate(sheet.rows())
    validated = time.perf_counter()
    with _no_cyclic_gc():
        outcome = importer.commit()
    outcome.read_seconds = validated - started
    outcome.write_seconds = time.perf_counter() - validated
    if outcome.ok:
        logger.info(
            "%s import by %s from %s: %d rows, %d created, %d updated (%.1f s reading, %.1f s writing)",
            kind.value,
            getattr(user, "username", "-"),
            Path(path).name,
            outcome.rows,
            outcome.created,
            outcome.updated,
            outcome.read_seconds,
            outcome.write_seconds,
        )
    return outcome
