"""Customer and purchase exports: filters, masking, formula neutralising, file formats."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from manyi.customers.choices import CustomerType
from manyi.customers.importing import ImportKind, auto_map, open_sheet, run_import
from manyi.customers.models import Customer
from manyi.testing import make_contact, make_customer, make_product, make_purchase

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def archive(db):
    hz = make_customer(
        code="HZ001",
        name="杭州精工机械有限公司",
        phone="13812345678",
        email="sales@jinggong.cn",
        customer_type=CustomerType.VIP,
        region="华东",
    )
    make_contact(hz, name="张伟", phone="13900001111", email="zhang.wei@jinggong.cn", is_primary=True)
    evil = make_customer(
        code="EV002",
        name='=HYPERLINK("http://evil.example","点我")',
        phone="13700001234",
        address="+1+2",
        notes="-",
        industry="@SUM(A1)",
    )
    make_purchase(
        evil, make_product(code="P1", name="数控机床"), purchased_on=date(2024, 3, 1), amount="1250.50"
    )
    return {"hz": hz, "evil": evil}


def read_csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def by_code(rows):
    header, *data = rows
    return header, {row[0]: dict(zip(header, row, strict=False)) for row in data}


def test_csv_export_has_a_bom_english_headers_and_a_dated_filename(archive, people, client_as):
    response = client_as(people.sam).get("/customers/export/?format=csv", **ENGLISH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="customers-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')
    header, rows = by_code(read_csv(response))
    assert header[:2] == ["Customer code", "Customer name"]
    assert rows["HZ001"]["Customer name"] == "杭州精工机械有限公司"
    assert rows["HZ001"]["Contact"] == "张伟"
    assert rows["HZ001"]["Customer type"] == "VIP"


def test_formulas_are_neutralised_in_the_csv_export(archive, people, client_as):
    response = client_as(people.sam).get("/customers/export/?format=csv", **ENGLISH)
    _, rows = by_code(read_csv(response))
    evil = rows["EV002"]
    assert evil["Customer name"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert evil["Address"] == "'+1+2"
    assert evil["Industry"] == "'@SUM(A1)"


def test_formulas_are_neutralised_in_the_xlsx_export(archive, people, client_as):
    response = client_as(people.sam).get("/customers/export/?format=xlsx", **ENGLISH)
    assert response.status_code == 200
    assert "customers-" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet, rows = read_xlsx(response)
    _, by = by_code(rows)
    assert by["EV002"]["Customer name"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert by["EV002"]["Industry"] == "'@SUM(A1)"
    # No cell of the sheet is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # Numbers and dates stay numbers and dates.
    assert by["EV002"]["Purchases"] == 1
    assert Decimal(str(by["EV002"]["Business volume (CNY)"])) == Decimal("1250.5")
    assert by["EV002"]["Last purchase"].date() == date(2024, 3, 1)


def test_the_analyst_gets_masked_phones_and_emails(archive, people, client_as):
    for export_format in ("csv", "xlsx"):
        response = client_as(people.ana).get(f"/customers/export/?format={export_format}", **ENGLISH)
        assert response.status_code == 200
        rows = read_csv(response) if export_format == "csv" else read_xlsx(response)[1]
        _, by = by_code(rows)
        assert by["HZ001"]["Phone"] == "138****5678"
        assert by["HZ001"]["E-mail"] == "s***@jinggong.cn"
        assert by["HZ001"]["Contact phone"] == "139****1111"
        assert by["HZ001"]["Contact e-mail"] == "z***@jinggong.cn"
        everything = repr(rows)
        assert "13812345678" not in everything and "sales@jinggong.cn" not in everything


def test_the_supervisor_gets_phones_and_emails_unmasked(archive, people, client_as):
    for export_format in ("csv", "xlsx"):
        response = client_as(people.sam).get(f"/customers/export/?format={export_format}", **ENGLISH)
        rows = read_csv(response) if export_format == "csv" else read_xlsx(response)[1]
        _, by = by_code(rows)
        assert by["HZ001"]["Phone"] == "13812345678"
        assert by["HZ001"]["E-mail"] == "sales@jinggong.cn"
        assert by["HZ001"]["Contact phone"] == "13900001111"


def test_the_list_filters_apply_to_the_export(archive, people, client_as):
    response = client_as(people.sam).get("/customers/export/?format=csv&customer_type=vip", **ENGLISH)
    _, rows = by_code(read_csv(response))
    assert list(rows) == ["HZ001"]
    response = client_as(people.sam).get("/customers/export/?format=csv&q=jinggong", **ENGLISH)
    assert list(by_code(read_csv(response))[1]) == ["HZ001"]
    response = client_as(people.sam).get("/customers/export/?format=csv&sort=-purchase_total", **ENGLISH)
    assert list(by_code(read_csv(response))[1]) == ["EV002", "HZ001"]


def test_an_unknown_format_is_refused(archive, people, client_as):
    assert client_as(people.sam).get("/customers/export/?format=pdf").status_code == 400


def test_purchases_export_lists_the_purchases_of_the_filtered_customers(archive, people, client_as):
    response = client_as(people.ana).get("/customers/export/purchases/?format=csv", **ENGLISH)
    assert response.status_code == 200
    header, *rows = read_csv(response)
    assert header[:4] == ["Customer code", "Customer name", "Product code", "Product name"]
    assert [(r[0], r[2], r[5], r[7]) for r in rows] == [("EV002", "P1", "2024-03-01", "1250.50")]
    response = client_as(people.ana).get("/customers/export/purchases/?format=csv&customer_type=vip")
    assert len(read_csv(response)) == 1


def test_an_export_can_be_imported_again_to_update_the_archive(archive, people, client_as, tmp_path):
    response = client_as(people.sam).get("/customers/export/?format=xlsx", **ENGLISH)
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    with translation.override("en"), open_sheet(path) as sheet:
        mapping = auto_map(ImportKind.CUSTOMERS, sheet.headers)
        assert {"code", "name", "phone", "email", "contact_name", "tags", "owner"} <= set(mapping)
    with translation.override("en"):
        outcome = run_import(path, ImportKind.CUSTOMERS, mapping, update_existing=True, user=people.sam)
    assert outcome.ok, outcome.errors
    assert outcome.updated == 2
    assert Customer.objects.get(code="HZ001").phone == "13812345678"
    # The neutralising apostrophe is not taken into the archive.
    assert Customer.objects.get(code="EV002").name == '=HYPERLINK("http://evil.example","点我")'
