"""The import pages and the export links, through the test client."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from manyi.customers.io_views import SESSION_KEY
from manyi.customers.models import Customer, Purchase
from manyi.testing import make_customer

GOOD = (
    "客户编码,客户名称,类型,电话,邮箱,联系人\n"
    "HZ001,杭州精工机械有限公司,VIP,13812345678,sales@jinggong.cn,张伟\n"
    "NB002,宁波海天塑机有限公司,普通,0574-86181234,,李娜\n"
    "SZ003,苏州明达电子有限公司,大客户,13912345678,,\n"
)
BAD = GOOD.replace("0574-86181234", "86-181")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_file(text, name="客户.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, text=GOOD, kind="customers", **extra):
    data = {"kind": kind, "file": csv_file(text, **extra.pop("file_kwargs", {})), **extra}
    return client.post("/customers/import/", data)


def token_of(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/customers/import/([0-9a-f]{32})/", response["Location"])
    assert match, response["Location"]
    return match[1]


def mapping_post(client, token, mapping, **extra):
    data = {f"column_{i}": name for i, name in enumerate(mapping)}
    data.update(extra)
    return client.post(f"/customers/import/{token}/", data)


CUSTOMER_MAPPING = ["code", "name", "customer_type", "phone", "email", "contact_name"]


def stored_files(media):
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["amy", "hank", "ana"])
def test_agents_handlers_and_analysts_may_not_import(people, client_as, who):
    client = client_as(getattr(people, who))
    assert client.get("/customers/import/").status_code == 403
    assert upload(client).status_code == 403
    assert client.get("/customers/import/done/").status_code == 403
    assert client.get("/customers/import/template/?kind=customers").status_code == 403
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("who", ["amy", "hank"])
def test_agents_and_handlers_may_not_export(people, client_as, who):
    client = client_as(getattr(people, who))
    assert client.get("/customers/export/?format=csv").status_code == 403
    assert client.get("/customers/export/?format=xlsx").status_code == 403
    assert client.get("/customers/export/purchases/?format=csv").status_code == 403


@pytest.mark.parametrize(
    "url", ["/customers/import/", "/customers/export/?format=csv", "/customers/import/" + "a" * 32 + "/"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(db, client_as, url):
    response = client_as(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["alice", "sam"])
def test_administrators_and_supervisors_see_the_upload_page(people, client_as, who):
    response = client_as(getattr(people, who)).get("/customers/import/")
    assert response.status_code == 200
    assert b'id="import-upload-form"' in response.content


def test_the_analyst_may_export(people, client_as):
    assert client_as(people.ana).get("/customers/export/?format=csv").status_code == 200


def test_steps_that_change_state_need_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.sam)
    response = client.post("/customers/import/", {"kind": "customers", "file": csv_file(GOOD)})
    assert response.status_code == 403


# --- The import flow --------------------------------------------------------------------------


def test_a_bad_row_shows_the_error_report_and_imports_nothing(people, client_as, media):
    client = client_as(people.sam)
    token = token_of(upload(client, BAD))

    page = client.get(f"/customers/import/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "杭州精工机械有限公司" in html  # the preview
    # The columns are mapped from their Chinese names.
    assert re.search(r'name="column_0"[^>]*>.*?<option value="code" selected>', html, re.S)
    assert re.search(r'name="column_3"[^>]*>.*?<option value="phone" selected>', html, re.S)

    before = Customer.objects.count()
    response = mapping_post(client, token, CUSTOMER_MAPPING)
    assert response.status_code == 200
    assert response.context["error_count"] == 1
    error = response.context["errors"][0]
    assert (error.row, error.column) == (3, "电话")
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert 'data-row="3"' in html
    assert "86-181" in html
    assert Customer.objects.count() == before == 0
    # The file stays for another try.
    assert len(stored_files(media)) == 1


def test_a_clean_file_is_imported_and_summarised(people, client_as, media):
    client = client_as(people.sam)
    token = token_of(upload(client, GOOD))
    response = mapping_post(client, token, CUSTOMER_MAPPING)
    assert response.status_code == 302
    assert response["Location"] == "/customers/import/done/"
    assert Customer.objects.count() == 3
    assert Customer.objects.get(code="NB002").contacts.get().name == "李娜"
    assert stored_files(media) == []

    done = client.get("/customers/import/done/")
    assert done.status_code == 200
    assert b'id="import-summary"' in done.content
    assert done.context["result"]["created"] == 3
    # Shown once: afterwards the customer list.
    again = client.get("/customers/import/done/")
    assert again.status_code == 302 and again["Location"] == "/customers/"


def test_the_update_option_from_the_upload_page_is_the_default_on_the_mapping_page(people, client_as):
    make_customer(code="HZ001", name="杭州精工")
    client = client_as(people.sam)
    token = token_of(upload(client, GOOD, update_existing="on"))
    page = client.get(f"/customers/import/{token}/")
    assert page.context["form"].initial["update_existing"] is True
    response = mapping_post(client, token, CUSTOMER_MAPPING, update_existing="on")
    assert response.status_code == 302
    assert client.get("/customers/import/done/").context["result"]["updated"] == 1
    assert Customer.objects.get(code="HZ001").name == "杭州精工机械有限公司"


def test_without_the_update_option_an_existing_code_is_an_error(people, client_as):
    make_customer(code="HZ001", name="杭州精工")
    client = client_as(people.sam)
    token = token_of(upload(client, GOOD))
    response = mapping_post(client, token, CUSTOMER_MAPPING)
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["errors"]] == [(2, "客户编码")]
    assert Customer.objects.get(code="HZ001").name == "杭州精工"


def test_a_mapping_without_the_name_column_is_refused(people, client_as):
    client = client_as(people.sam)
    token = token_of(upload(client, GOOD))
    response = mapping_post(client, token, ["code", "", "", "", "", ""])
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b'id="mapping-errors"' in response.content
    assert Customer.objects.count() == 0


def test_a_gbk_file_uploads_and_imports(people, client_as):
    client = client_as(people.sam)
    token = token_of(upload(client, GOOD, file_kwargs={"encoding": "gbk"}))
    assert mapping_post(client, token, CUSTOMER_MAPPING).status_code == 302
    assert Customer.objects.get(code="SZ003").name == "苏州明达电子有限公司"


def test_purchases_are_imported_through_the_pages(people, client_as):
    customer = make_customer(code="HZ001", name="杭州精工机械有限公司")
    client = client_as(people.alice)
    token = token_of(
        upload(
            client,
            "客户编码,产品编码,产品名称,购买日期,金额\nHZ001,P-1,数控机床,2024/03/01,5000\n",
            "purchases",
        )
    )
    response = mapping_post(
        client, token, ["customer_code", "product_code", "product_name", "purchased_on", "amount"]
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.purchase_count == 1
    assert str(customer.purchase_total) == "5000.00"
    assert Purchase.objects.get().product.name == "数控机床"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("customers.xls", b"\xd0\xcf\x11\xe0"),
        ("customers.txt", "客户编码,客户名称\nA,B\n".encode()),
        ("empty.csv", b""),
        ("header-only.csv", "客户编码,客户名称\n".encode()),
        ("broken.xlsx", b"not a workbook"),
    ],
)
def test_unusable_files_are_refused_on_the_upload_page(people, client_as, media, name, content):
    client = client_as(people.sam)
    response = client.post(
        "/customers/import/", {"kind": "customers", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert stored_files(media) == []
    assert SESSION_KEY not in client.session or not client.session[SESSION_KEY]


def test_a_file_over_the_size_limit_is_refused(people, client_as, settings, media):
    settings.IMPORT_MAX_BYTES = 50
    response = upload(client_as(people.sam), GOOD)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert stored_files(media) == []


def test_another_user_cannot_use_someone_elses_upload(people, client_as, media):
    sam_client = Client()
    sam_client.force_login(people.sam)
    token = token_of(upload(sam_client, GOOD))
    entry = sam_client.session[SESSION_KEY][token]

    alice = client_as(people.alice)
    assert alice.get(f"/customers/import/{token}/").status_code == 404
    assert mapping_post(alice, token, CUSTOMER_MAPPING).status_code == 404
    assert alice.post(f"/customers/import/{token}/cancel/").status_code == 404

    # Even with sam's entry copied into her own session, the file is not hers.
    session = alice.session
    session[SESSION_KEY] = {token: entry}
    session.save()
    assert alice.get(f"/customers/import/{token}/").status_code == 404
    assert mapping_post(alice, token, CUSTOMER_MAPPING).status_code == 404
    assert Customer.objects.count() == 0
    assert len(stored_files(media)) == 1
    # Sam still can.
    assert mapping_post(sam_client, token, CUSTOMER_MAPPING).status_code == 302


def test_cancelling_removes_the_uploaded_file(people, client_as, media):
    client = client_as(people.sam)
    token = token_of(upload(client, GOOD))
    assert client.get(f"/customers/import/{token}/cancel/").status_code == 405
    response = client.post(f"/customers/import/{token}/cancel/")
    assert response.status_code == 302
    assert stored_files(media) == []
    assert client.get(f"/customers/import/{token}/").status_code == 404


def test_a_session_keeps_only_a_few_pending_uploads(people, client_as, media):
    client = client_as(people.sam)
    for _ in range(7):
        token_of(upload(client, GOOD))
    assert len(client.session[SESSION_KEY]) == 5
    assert len(stored_files(media)) == 5


def test_the_template_workbook_has_the_recognised_headers(people, client_as):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_as(people.sam).get(
        "/customers/import/template/?kind=purchases", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert next(sheet.iter_rows(values_only=True))[:3] == ("Customer code", "Product code", "Product name")
