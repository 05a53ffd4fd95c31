"""Purchase imports and the contacts a customer import writes leave a trail per row, as the
customers do (issue 22, point 11; REQUIREMENTS §9 "Audit trail of who changed what"): each
purchase and contact created or changed has an audit entry naming the import, the file and the
row, with the changed fields; a row that changes nothing leaves none; the customer's page shows
them with the customer's own entries, to whoever may read the audit log."""

from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from manyi.accounts import permissions
from manyi.customers.importing import ImportKind, auto_map, open_sheet, run_import
from manyi.customers.models import Contact, Purchase
from manyi.testing import make_contact, make_customer, make_product, make_purchase

PURCHASES = "客户编码,产品编码,产品名称,订单号,购买日期,数量,金额"
CUSTOMERS = "客户编码,客户名称,联系人,联系人职务,联系人电话"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def import_csv(tmp_path, kind, text, name, **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with open_sheet(path) as sheet:
        mapping = auto_map(kind, sheet.headers)
    outcome = run_import(path, kind, mapping, **kwargs)
    assert outcome.ok, outcome.errors
    return outcome


def trail_of(record):
    return list(LogEntry.objects.get_for_object(record).order_by("timestamp", "pk"))


def test_a_purchase_import_leaves_one_entry_per_purchase_written(db, people, tmp_path):
    customer = make_customer(code="C001", name="杭州精工机械")
    pump = make_product(code="P-1", name="水泵")
    stored = make_purchase(
        customer, pump, order_number="SO-1", purchased_on=date(2026, 3, 1), amount="100.00"
    )
    unchanged = make_purchase(
        customer, pump, order_number="SO-2", purchased_on=date(2026, 3, 2), amount="50.00"
    )
    before = LogEntry.objects.count()
    outcome = import_csv(
        tmp_path,
        ImportKind.PURCHASES,
        PURCHASES
        + "\nC001,P-1,水泵,SO-1,2026-03-01,2,180.00"  # changed: quantity and amount
        + "\nC001,P-1,水泵,SO-2,2026-03-02,1,50.00"  # the same as stored
        + "\nC001,P-9,阀门,SO-3,2026-04-01,3,90.50",  # new, with a new product
        "十一月订单.csv",
        update_existing=True,
        user=people.sam,
    )
    assert (outcome.created, outcome.updated) == (1, 2)

    (changed,) = [e for e in trail_of(stored) if e.cid and e.cid.startswith("import-")]
    assert changed.action == LogEntry.Action.UPDATE and changed.actor == people.sam
    assert changed.additional_data["import"]["file"] == "十一月订单.csv"
    assert changed.additional_data["import"]["row"] == 2
    assert changed.changes_dict == {"quantity": ["1.00", "2.00"], "amount": ["100.00", "180.00"]}
    assert changed.object_repr == "水泵 2026-03-01"
    assert not [e for e in trail_of(unchanged) if e.cid == changed.cid]  # row 3 changed nothing

    new = Purchase.objects.get(order_number="SO-3")
    (created,) = trail_of(new)
    assert created.action == LogEntry.Action.CREATE and created.additional_data["import"]["row"] == 4
    assert created.object_repr == "阀门 2026-04-01"
    assert created.changes_dict["product"] == ["None", str(new.product_id)]
    assert created.changes_dict["customer"] == ["None", str(customer.pk)]
    assert created.changes_dict["amount"] == ["None", "90.50"]
    # One import, one id; its purchases' entries and nothing else (the new product is a
    # record of its own, not this trail's).
    assert LogEntry.objects.filter(cid=changed.cid).count() == 2
    assert LogEntry.objects.count() - before == 2
    assert Purchase.objects.get(pk=stored.pk).amount == Decimal("180.00")


def test_a_customer_import_leaves_an_entry_per_contact_written(db, people, tmp_path):
    known = make_customer(code="C001", name="杭州精工机械")
    wang = make_contact(known, name="王经理", title="采购", phone="13800000001")
    make_contact(known, name="赵工", title="工程师", phone="13800000003")
    import_csv(
        tmp_path,
        ImportKind.CUSTOMERS,
        CUSTOMERS
        + "\nC001,杭州精工机械,王经理,采购部长,13800000002"  # the same contact, two details changed
        + "\nC002,宁波海天,李娜,经理,13912345678"  # a new customer and its contact
        + "\nC003,温州某厂,,,"  # no contact
        + "\nC004,台州某厂,钱工,,",
        "客户.csv",
        update_existing=True,
        user=people.sam,
    )
    (changed,) = [e for e in trail_of(wang) if e.cid and e.cid.startswith("import-")]
    assert changed.action == LogEntry.Action.UPDATE and changed.additional_data["import"]["row"] == 2
    assert changed.changes_dict == {"title": ["采购", "采购部长"], "phone": ["13800000001", "13800000002"]}
    assert changed.object_repr == "王经理"

    li = Contact.objects.get(name="李娜")
    (created,) = trail_of(li)
    assert created.action == LogEntry.Action.CREATE and created.additional_data["import"]["row"] == 3
    assert created.changes_dict["phone"] == ["None", "13912345678"]
    assert created.changes_dict["customer"] == ["None", str(li.customer_id)]
    assert created.cid == changed.cid
    assert trail_of(Contact.objects.get(name="钱工"))[0].additional_data["import"]["row"] == 5
    # Entries: customers C001 (nothing of its own changed: none), C002, C003, C004; contacts
    # 王经理, 李娜, 钱工.
    assert LogEntry.objects.filter(cid=changed.cid).count() == 6

    # The same file again changes nothing and leaves nothing.
    again = import_csv(
        tmp_path,
        ImportKind.CUSTOMERS,
        CUSTOMERS + "\nC001,杭州精工机械,王经理,采购部长,13800000002\nC002,宁波海天,李娜,经理,13912345678",
        "客户.csv",
        update_existing=True,
    )
    assert again.updated == 2
    assert LogEntry.objects.filter(cid__startswith="import-").count() == 6


def test_a_new_contact_of_a_stored_customer_is_logged_as_created(db, people, tmp_path):
    known = make_customer(code="C001", name="杭州精工机械")
    make_contact(known, name="王经理")
    import_csv(
        tmp_path, ImportKind.CUSTOMERS, CUSTOMERS + "\nC001,,孙工,质检,", "客户.csv", update_existing=True
    )
    added = Contact.objects.get(name="孙工")
    (created,) = trail_of(added)
    assert created.action == LogEntry.Action.CREATE
    assert created.changes_dict["title"] == ["None", "质检"]
    assert created.changes_dict["is_primary"] == ["None", "False"]


def upload(client, kind, name, text):
    page = client.post(
        reverse("customers:import"),
        {"file": SimpleUploadedFile(name, text.encode(), "text/csv"), "kind": kind, "update_existing": "on"},
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    headers = text.splitlines()[0].split(",")
    mapping = {f"column_{i}": target for i, target in enumerate(auto_map(kind, headers))}
    assert client.post(page["Location"], {**mapping, "update_existing": "on"}).status_code == 302


def test_the_customer_page_shows_its_purchases_and_contacts_imports_to_the_administrator_only(
    people, client_as
):
    customer = make_customer(code="C001", name="杭州精工机械")
    client = client_as(people.sam)
    upload(client, "purchases", "订单<11月>.csv", PURCHASES + "\nC001,P-7,<b>泵</b>,SO-7,2026-05-06,1,10")
    upload(client, "customers", "联系人.csv", CUSTOMERS + "\nC001,杭州精工机械,周工,调试,13811112222")
    assert Purchase.objects.filter(customer=customer).count() == 1

    page = reverse("customers:detail", args=[customer.pk])
    assert people.alice.can(permissions.VIEW_AUDIT_LOG)
    html = client_as(people.alice).get(page).content.decode()
    trail = html[html.index('id="audit-trail"') :]
    assert "来自导入文件 订单&lt;11月&gt;.csv 第 2 行" in trail  # alice reads Chinese
    assert "来自导入文件 联系人.csv 第 2 行" in trail
    # Each entry says which record it is about: the purchase (product and date), the contact.
    assert "&lt;b&gt;泵&lt;/b&gt; 2026-05-06" in trail and "周工" in trail
    assert "<b>泵" not in html
    for reader in (people.sam, people.amy, people.hank, people.ana):
        assert not reader.can(permissions.VIEW_AUDIT_LOG)
        assert 'id="audit-trail"' not in client_as(reader).get(page).content.decode()
    # Another customer's page shows none of it.
    other = make_customer(code="C002", name="宁波海天")
    other_html = client_as(people.alice).get(reverse("customers:detail", args=[other.pk])).content.decode()
    assert "订单&lt;11月&gt;.csv" not in other_html and "周工" not in other_html
