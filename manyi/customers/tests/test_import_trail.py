"""A customer import leaves a trail per row (REQUIREMENTS §9 "Audit trail of who changed
what"): each customer it created or changed has an audit entry naming the import, the file
and the row, with the changed fields; the customer's page shows it to whoever may read the
audit log."""

from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from manyi.customers.importing import ImportKind, auto_map, open_sheet, run_import
from manyi.customers.models import Customer
from manyi.testing import make_customer

HEADER = "客户编码,客户名称,类型,电话,地区,标签"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def import_csv(tmp_path, text, name="客户名单.csv", **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with open_sheet(path) as sheet:
        mapping = auto_map(ImportKind.CUSTOMERS, sheet.headers)
    outcome = run_import(path, ImportKind.CUSTOMERS, mapping, **kwargs)
    assert outcome.ok, outcome.errors
    return outcome


def trail_of(customer):
    return list(LogEntry.objects.get_for_object(customer).order_by("timestamp", "pk"))


def test_an_import_of_three_rows_leaves_one_entry_per_row_naming_the_import(people, tmp_path):
    make_customer(code="C003", name="旧名称", region="华东", phone="13800000003")
    outcome = import_csv(
        tmp_path,
        HEADER
        + "\nC001,杭州精工机械,VIP,13812345678,华东,重点\nC002,宁波海天,普通,,华东,"
        + "\nC003,新名称,,,华南,重点",
        update_existing=True,
        user=people.sam,
    )
    assert (outcome.created, outcome.updated) == (2, 1)
    first, second, third = (Customer.objects.get(code=c) for c in ("C001", "C002", "C003"))

    (created,) = trail_of(first)
    assert created.action == LogEntry.Action.CREATE and created.actor == people.sam
    source = created.additional_data["import"]
    assert (source["file"], source["row"]) == ("客户名单.csv", 2)
    assert created.changes_dict["name"] == ["None", "杭州精工机械"]
    assert created.changes_dict["phone"] == ["None", "13812345678"]
    assert created.changes_dict["tags"]["objects"] == ["重点"]
    assert trail_of(second)[0].additional_data["import"]["row"] == 3

    changed = trail_of(third)[-1]
    assert changed.action == LogEntry.Action.UPDATE
    assert changed.additional_data["import"]["row"] == 4
    assert changed.changes_dict["name"] == ["旧名称", "新名称"]
    assert changed.changes_dict["region"] == ["华东", "华南"]
    assert "phone" not in changed.changes_dict  # a blank cell keeps the stored value
    # One import, one id: every entry of it carries it, and only they do.
    assert {e.cid for e in (created, trail_of(second)[0], changed)} == {source["id"]}
    assert LogEntry.objects.filter(cid=source["id"]).count() == 3


def test_a_row_that_changes_nothing_leaves_no_entry(people, tmp_path):
    customer = make_customer(code="C001", name="杭州精工机械", region="华东")
    before = len(trail_of(customer))
    outcome = import_csv(tmp_path, HEADER + "\nC001,杭州精工机械,,,华东,", update_existing=True)
    assert outcome.updated == 1
    assert len(trail_of(customer)) == before


def test_the_customer_page_shows_the_import_to_the_administrator_only(people, client_as, tmp_path):
    make_customer(code="C001", name="旧名称")
    client = client_as(people.sam)
    upload = SimpleUploadedFile(
        "十一月<客户>.csv", (HEADER + "\nC001,<script>x</script>,,,,").encode(), "text/csv"
    )
    response = client.post(
        reverse("customers:import"), {"file": upload, "kind": "customers", "update_existing": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = {f"column_{i}": name for i, name in enumerate(["code", "name", "", "", "", ""])}
    assert client.post(response["Location"], {**mapping, "update_existing": "on"}).status_code == 302
    customer = Customer.objects.get(code="C001")
    assert customer.name == "<script>x</script>"

    page = reverse("customers:detail", args=[customer.pk])
    html = client_as(people.alice).get(page).content.decode()
    trail = html[html.index('id="audit-trail"') :]
    assert "来自导入文件 十一月&lt;客户&gt;.csv 第 2 行" in trail  # alice reads Chinese
    assert "旧名称" in trail and "&lt;script&gt;x&lt;/script&gt;" in trail
    assert "<script>x" not in html
    for reader in (people.sam, people.amy, people.hank):
        assert 'id="audit-trail"' not in client_as(reader).get(page).content.decode()


def test_the_default_file_name_is_the_files_own(people, tmp_path):
    import_csv(tmp_path, HEADER + "\nC009,某公司,,,,", name="plain.csv")
    entry = LogEntry.objects.get(object_repr="某公司 (C009)")
    assert entry.additional_data["import"]["file"] == Path("plain.csv").name
