"""A supervisor imports customers through the pages: a file with a bad row, then a clean one."""

import re

import pytest

from manyi.customers.models import Customer

HEADER = "客户编码,客户名称,客户类型,电话,邮箱,地区,城市,联系人,联系人电话\n"
ROWS = [
    "HZ-001,杭州精工机械有限公司,VIP,13812345678,sales@jinggong.cn,华东,杭州,张伟,13900001111\n",
    "NB-002,宁波海天塑机有限公司,大客户,{phone},,华东,宁波,李娜,\n",
    "SZ-003,深圳华强电子有限公司,普通,0755-83345678,info@huaqiang.cn,华南,深圳,,\n",
]


def customers_csv(phone):
    return (HEADER + "".join(ROWS).format(phone=phone)).encode("utf-8-sig")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(page, content, name):
    page.goto(page.base_url + "/customers/import/")
    page.select_option("#id_kind", "customers")
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.click("#upload-button")
    page.wait_for_url(re.compile(r".*/customers/import/[0-9a-f]{32}/$"))


def test_a_supervisor_sees_the_bad_row_then_imports_the_corrected_file(page, login, people, screenshot):
    login(people.sam)

    upload(page, customers_csv(phone="0574-861"), "客户名单.csv")
    # The columns are mapped from their Chinese names without any help.
    expected = [
        "code",
        "name",
        "customer_type",
        "phone",
        "email",
        "region",
        "city",
        "contact_name",
        "contact_phone",
    ]
    assert [page.input_value(f"select[name=column_{i}]") for i in range(len(expected))] == expected
    assert "杭州精工机械有限公司" in page.inner_text("#import-preview")
    screenshot("import-mapping")

    page.click("#import-button")
    page.wait_for_selector("#import-errors")
    bad_rows = page.locator("#import-errors tbody tr")
    assert bad_rows.count() == 1
    assert bad_rows.first.get_attribute("data-row") == "3"
    cells = bad_rows.first.locator("td")
    assert cells.nth(0).inner_text() == "3"
    assert cells.nth(1).inner_text() == "电话"
    assert "0574-861" in cells.nth(2).inner_text()
    screenshot("import-errors")
    assert Customer.objects.count() == 0

    upload(page, customers_csv(phone="0574-86181234"), "客户名单-修正.csv")
    page.click("#import-button")
    page.wait_for_selector("#import-summary")
    assert page.inner_text("#import-created") == "3"
    assert page.inner_text("#import-updated") == "0"
    screenshot("import-summary")

    assert Customer.objects.count() == 3
    ningbo = Customer.objects.get(code="NB-002")
    assert (ningbo.name, ningbo.phone, ningbo.customer_type) == (
        "宁波海天塑机有限公司",
        "0574-86181234",
        "key",
    )
    assert ningbo.contacts.get().name == "李娜"

    page.click("#to-customer-list")
    page.wait_for_url(re.compile(r".*/customers/$"))
    assert "深圳华强电子有限公司" in page.inner_text("#customer-table")
