"""The importer without HTTP: reading files, mapping columns, validating rows, writing rows."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook

from manyi.customers.choices import CustomerKind, CustomerType, Lifecycle
from manyi.customers.importing import (
    ImportFileError,
    ImportKind,
    auto_map,
    check_file,
    check_mapping,
    open_sheet,
    parse_date,
    run_import,
)
from manyi.customers.models import Contact, Customer, Product, Purchase, Tag
from manyi.testing import make_contact, make_customer, make_product, make_purchase

HEADER = "客户编码,客户名称,类型,电话,邮箱,地区,联系人,联系人电话,标签"


@pytest.fixture(autouse=True)
def english():
    # Messages are checked in English (the msgids), whatever the catalogue says.
    with translation.override("en"):
        yield


def write_csv(tmp_path, text, encoding="utf-8", name="customers.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="customers.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def import_file(path, kind=ImportKind.CUSTOMERS, **kwargs):
    with open_sheet(path) as sheet:
        mapping = auto_map(kind, sheet.headers)
    return run_import(path, kind, mapping, **kwargs)


def test_a_csv_with_one_bad_row_names_the_row_and_column_and_imports_nothing(db, tmp_path):
    make_customer(code="OLD001", name="老客户")
    path = write_csv(
        tmp_path,
        HEADER + "\n"
        "HZ001,杭州精工机械有限公司,VIP,13812345678,sales@jinggong.cn,华东,张伟,13900001111,重点\n"
        "HZ002,宁波海天塑机有限公司,普通,12345,info@haitian.cn,华东,,,\n"
        "HZ003,苏州明达电子有限公司,大客户,0512-66778899,,华东,,,\n",
    )
    before = Customer.objects.count()

    outcome = import_file(path)

    assert not outcome.ok
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "电话")]
    assert "12345" in outcome.errors[0].message
    assert "not a valid phone number" in outcome.errors[0].message
    assert Customer.objects.count() == before
    assert not Contact.objects.exists()
    assert not Tag.objects.exists()


def test_every_problem_in_every_row_is_reported(db, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER + "\n"
        ",无编码公司,VIP,,,,,,\n"
        "A2,,外星客户,,not-an-email,,,,\n"
        "A3,联系人缺失公司,普通,,,,,13900001111,\n",
    )
    outcome = import_file(path)
    found = {(e.row, e.column) for e in outcome.errors}
    assert found == {(2, "客户编码"), (3, "客户名称"), (3, "类型"), (3, "邮箱"), (4, "联系人")}
    assert Customer.objects.count() == 0


def test_a_clean_csv_creates_customers_contacts_and_tags(db, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER + "\n"
        "HZ001,杭州精工机械有限公司,VIP,+86 138-1234-5678,Sales@JingGong.cn,华东,张伟,13900001111,重点，华东、老客户\n"
        "BJ002,北京华信科技有限公司,key,010 62345678,,华北,,,\n",
    )
    outcome = import_file(path)

    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated) == (2, 0)
    hz = Customer.objects.get(code="HZ001")
    assert hz.name == "杭州精工机械有限公司"
    assert hz.customer_type == CustomerType.VIP
    assert hz.phone == "13812345678"
    assert hz.email == "sales@jinggong.cn"
    assert hz.lifecycle == Lifecycle.NEW
    assert abs((hz.created_at - timezone.now()).total_seconds()) < 60
    assert abs((hz.updated_at - timezone.now()).total_seconds()) < 60
    assert (hz.purchase_count, hz.purchase_total, hz.consent_to_contact) == (0, 0, True)
    assert sorted(t.name for t in hz.tags.all()) == ["华东", "老客户", "重点"]
    contact = hz.contacts.get()
    assert (contact.name, contact.phone, contact.is_primary) == ("张伟", "13900001111", True)
    assert Customer.objects.get(code="BJ002").phone == "010-62345678"
    assert Customer.objects.get(code="BJ002").customer_type == CustomerType.KEY_ACCOUNT
    # The search column is filled, contacts included, so the list's search finds them.
    assert list(Customer.objects.search("张伟", personal=True)) == [hz]
    assert list(Customer.objects.search("1234-5678", personal=True)) == []  # stored normalised
    assert list(Customer.objects.search("12345678", personal=True)) == [hz]


def test_a_gbk_encoded_csv_with_chinese_names_imports_correctly(db, tmp_path):
    path = write_csv(
        tmp_path,
        "客户编码,客户名称,城市,联系人\r\nGB001,杭州精工机械有限公司,杭州,王芳\r\nGB002,深圳华强电子有限公司,深圳,李娜\r\n",
        encoding="gbk",
    )
    outcome = import_file(path)
    assert outcome.ok, outcome.errors
    assert dict(Customer.objects.values_list("code", "name")) == {
        "GB001": "杭州精工机械有限公司",
        "GB002": "深圳华强电子有限公司",
    }
    assert Customer.objects.get(code="GB002").city == "深圳"
    assert Contact.objects.get(customer__code="GB001").name == "王芳"


def test_a_gb18030_character_outside_gbk_survives(db, tmp_path):
    path = write_csv(tmp_path, "编码,名称\nC1,㐀记商行\n", encoding="gb18030")
    assert import_file(path).ok
    assert Customer.objects.get(code="C1").name == "㐀记商行"


def test_a_utf8_csv_with_a_byte_order_mark_maps_its_first_column(db, tmp_path):
    path = write_csv(tmp_path, "客户编码,客户名称\nBOM1,上海申达贸易有限公司\n", encoding="utf-8-sig")
    with open_sheet(path) as sheet:
        assert sheet.headers == ["客户编码", "客户名称"]
    assert auto_map(ImportKind.CUSTOMERS, ["客户编码", "客户名称"]) == ["code", "name"]
    assert import_file(path).ok
    assert Customer.objects.get(code="BOM1").name == "上海申达贸易有限公司"


def test_excel_unicode_text_renamed_to_csv_is_read(db, tmp_path):
    path = write_csv(tmp_path, "客户编码\t客户名称\nU1\t重庆山城物流有限公司\n", encoding="utf-16")
    assert import_file(path).ok
    assert Customer.objects.get(code="U1").name == "重庆山城物流有限公司"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_recognised(db, tmp_path, delimiter):
    path = write_csv(
        tmp_path, f"code{delimiter}name{delimiter}city\nS1{delimiter}成都天府软件{delimiter}成都\n"
    )
    assert import_file(path).ok
    assert Customer.objects.get(code="S1").city == "成都"


def test_an_xlsx_file_imports_with_number_cells_labels_and_an_owner(db, tmp_path, people):
    path = write_xlsx(
        tmp_path,
        [
            ["编码", "名称", "个人/企业", "客户类型", "手机", "负责人", "同意联系", "行业", "偏好", "省份"],
            [1001, "陈静", "个人", "重点客户", 13812345678, "sam", "否", "零售", "偏好电话沟通", "浙江"],
            ["HZ-2", "杭州精工机械有限公司", "企业", "VIP", "0571-88886666", "", "是", "制造业", "", "浙江"],
            [None, None, None, None, None, None, None, None, None, None],
        ],
    )
    outcome = import_file(path)
    assert outcome.ok, outcome.errors
    assert outcome.created == 2
    chen = Customer.objects.get(code="1001")
    assert chen.kind == CustomerKind.PERSON
    assert chen.customer_type == CustomerType.KEY_ACCOUNT
    assert chen.phone == "13812345678"
    assert chen.owner == people.sam
    assert chen.consent_to_contact is False
    assert (chen.industry, chen.preferences, chen.province) == ("零售", "偏好电话沟通", "浙江")
    hz = Customer.objects.get(code="HZ-2")
    assert hz.owner is None and hz.consent_to_contact is True


def test_an_unknown_owner_is_an_error(db, tmp_path, people):
    path = write_xlsx(
        tmp_path, [["编码", "名称", "负责人"], ["C1", "某公司", "nobody"], ["C2", "某公司", "ivan"]]
    )
    outcome = import_file(path)
    # ivan's account is disabled: he cannot own new customers either.
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "负责人"), (3, "负责人")]


def test_a_code_twice_in_the_file_is_reported_on_the_second_row(db, tmp_path):
    path = write_csv(tmp_path, "编码,名称\nDUP1,甲公司\nX2,乙公司\ndup1,丙公司\n")
    outcome = import_file(path)
    assert [(e.row, e.column) for e in outcome.errors] == [(4, "编码")]
    assert "first in row 2" in outcome.errors[0].message
    assert Customer.objects.count() == 0


def test_a_code_already_in_the_archive_is_an_error_without_update_mode(db, tmp_path):
    make_customer(code="HZ001", name="杭州精工机械有限公司")
    path = write_csv(tmp_path, "编码,名称\nhz001,杭州精工\n")
    outcome = import_file(path)
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "编码")]
    assert "already has the code" in outcome.errors[0].message


def test_update_mode_changes_filled_cells_keeps_blank_ones_and_creates_new_codes(db, tmp_path):
    old = make_customer(code="HZ001", name="杭州精工", phone="13812345678", city="杭州", region="华东")
    make_contact(old, name="张伟", phone="13900001111")
    old.tags.add(Tag.objects.create(name="老客户"))
    path = write_csv(
        tmp_path,
        "编码,名称,电话,城市,类型,联系人,联系人电话,标签\n"
        "HZ001,杭州精工机械有限公司,,萧山,VIP,张伟,13900002222,重点\n"
        "HZ002,宁波海天塑机有限公司,13700001234,宁波,,李娜,,\n",
    )

    outcome = import_file(path, update_existing=True)

    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated) == (1, 1)
    old.refresh_from_db()
    assert old.name == "杭州精工机械有限公司"
    assert old.phone == "13812345678"  # blank cell: kept
    assert (old.city, old.region, old.customer_type) == ("萧山", "华东", CustomerType.VIP)
    assert sorted(t.name for t in old.tags.all()) == ["老客户", "重点"]
    assert list(old.contacts.values_list("name", "phone")) == [("张伟", "13900002222")]
    assert "13900002222" in old.search_text and "杭州精工机械有限公司" in old.search_text
    assert Customer.objects.get(code="HZ002").contacts.get().name == "李娜"


def test_update_mode_adds_a_new_contact_next_to_existing_ones(db, tmp_path):
    old = make_customer(code="C1", name="甲公司")
    make_contact(old, name="张伟", is_primary=True)
    path = write_csv(tmp_path, "编码,联系人,联系人职务\nC1,王芳,采购经理\n")
    outcome = import_file(path, update_existing=True)
    assert outcome.ok, outcome.errors
    assert list(old.contacts.values_list("name", "title", "is_primary")) == [
        ("张伟", "", True),
        ("王芳", "采购经理", False),
    ]


def test_update_mode_still_needs_a_name_for_a_new_code(db, tmp_path):
    path = write_csv(tmp_path, "编码,电话\nNEW1,13812345678\n")
    outcome = import_file(path, update_existing=True)
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "Customer name")]


def test_purchases_import_creates_products_and_refreshes_lifecycle_and_business_volume(db, tmp_path):
    long_ago = timezone.now() - timedelta(days=800)
    hz = make_customer(code="HZ001", name="杭州精工机械有限公司", created_at=long_ago)
    nb = make_customer(code="NB002", name="宁波海天塑机有限公司", created_at=long_ago)
    existing_product = make_product(code="P-100", name="数控机床")
    recent = timezone.localdate() - timedelta(days=30)
    path = write_xlsx(
        tmp_path,
        [
            [
                "客户编码",
                "产品编码",
                "产品名称",
                "订单号",
                "购买日期",
                "数量",
                "金额（元）",
                "交货日期",
                "保修截止",
            ],
            [
                "HZ001",
                "P-100",
                "数控机床",
                "SO-1",
                datetime(2023, 5, 1),
                2,
                150000,
                "2023/05/10",
                "2025年5月10日",
            ],
            ["HZ001", "P-200", "伺服电机", "SO-2", recent.isoformat(), 1, "¥1,250.50", None, None],
            ["NB002", "P-200", "伺服电机", "SO-3", "2022-01-15", None, 800, None, None],
        ],
        name="purchases.xlsx",
    )
    outcome = import_file(path, kind=ImportKind.PURCHASES)

    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated, outcome.products_created) == (3, 0, 1)
    assert Product.objects.get(code="P-200").name == "伺服电机"
    first = Purchase.objects.get(order_number="SO-1")
    assert first.product == existing_product
    assert (first.quantity, first.amount) == (Decimal("2.00"), Decimal("150000.00"))
    assert (first.delivered_on, first.warranty_end) == (date(2023, 5, 10), date(2025, 5, 10))
    assert Purchase.objects.get(order_number="SO-3").quantity == 1

    hz.refresh_from_db()
    nb.refresh_from_db()
    assert hz.purchase_count == 2
    assert hz.purchase_total == Decimal("151250.50")
    assert (hz.first_purchase_on, hz.last_purchase_on) == (date(2023, 5, 1), recent)
    assert hz.lifecycle == Lifecycle.ACTIVE
    assert nb.purchase_total == Decimal("800.00")
    assert nb.lifecycle == Lifecycle.LOST


def test_purchase_rows_are_checked_like_the_purchase_form(db, tmp_path):
    make_customer(code="HZ001", name="杭州精工机械有限公司")
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    path = write_csv(
        tmp_path,
        "客户编码,产品编码,订单号,购买日期,数量,金额,交货日期\n"
        "HZ001,P1,SO-1,2024-02-30,1,100,\n"
        "NOPE,P1,SO-2,2024-02-01,1,100,\n"
        "HZ001,P1,SO-3,2024-02-01,0,-5,\n"
        f"HZ001,P1,SO-4,{future},1,100,\n"
        "HZ001,P1,SO-5,2024-02-10,1,100,2024-02-01\n"
        "HZ001,P1,SO-6,,1,12.345,\n",
        name="purchases.csv",
    )
    outcome = import_file(path, kind=ImportKind.PURCHASES)
    assert [(e.row, e.column) for e in outcome.errors] == [
        (2, "购买日期"),
        (3, "客户编码"),
        (4, "数量"),
        (4, "金额"),
        (5, "购买日期"),
        (6, "交货日期"),
        (7, "购买日期"),
        (7, "金额"),
    ]
    assert not Purchase.objects.exists()
    assert not Product.objects.exists()


def test_a_purchase_already_stored_is_an_error_unless_updating(db, tmp_path):
    customer = make_customer(code="HZ001", name="杭州精工机械有限公司")
    product = make_product(code="P1", name="数控机床")
    make_purchase(customer, product, purchased_on=date(2024, 1, 5), amount="100.00", order_number="SO-1")
    path = write_csv(
        tmp_path, "客户编码,产品编码,订单号,购买日期,金额\nHZ001,P1,SO-1,2024-01-05,300\n", name="p.csv"
    )

    refused = import_file(path, kind=ImportKind.PURCHASES)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "订单号")]

    updated = import_file(path, kind=ImportKind.PURCHASES, update_existing=True)
    assert (updated.created, updated.updated) == (0, 1)
    customer.refresh_from_db()
    assert customer.purchase_total == Decimal("300.00")
    assert customer.purchase_count == 1


def test_headers_are_mapped_from_chinese_and_english_names():
    headers = [
        "客户编码",
        "Name",
        "E-mail",
        "联系电话",
        "联系人",
        "联系人电话",
        "金额（元）",
        "区域",
        "不认识",
    ]
    assert auto_map(ImportKind.CUSTOMERS, headers) == [
        "code",
        "name",
        "email",
        "phone",
        "contact_name",
        "contact_phone",
        "",
        "region",
        "",
    ]
    assert auto_map(ImportKind.PURCHASES, ["客户编码", "产品名称", "购买日期", "金额（元）", "保修截止"]) == [
        "customer_code",
        "product_name",
        "purchased_on",
        "amount",
        "warranty_end",
    ]


def test_a_column_mapped_twice_or_a_missing_required_column_is_refused():
    assert check_mapping(ImportKind.CUSTOMERS, ["code", "name"]) == []
    assert len(check_mapping(ImportKind.CUSTOMERS, ["code", "code", "name"])) == 1
    assert len(check_mapping(ImportKind.CUSTOMERS, ["code", ""])) == 1
    assert check_mapping(ImportKind.CUSTOMERS, ["code", ""], update_existing=True) == []
    assert len(check_mapping(ImportKind.PURCHASES, ["customer_code", "purchased_on", "amount"])) == 1


@pytest.mark.parametrize(
    "value",
    ["2024-03-05", "2024/3/5", "2024年3月5日", "2024.03.05", datetime(2024, 3, 5, 0, 0), date(2024, 3, 5)],
)
def test_dates_are_read_in_the_usual_chinese_spellings(value):
    assert parse_date(value) == date(2024, 3, 5)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n  \n", "empty"),
        ("header.csv", "客户编码,客户名称\n".encode(), "no data rows"),
        ("customers.xls", b"\xd0\xcf\x11\xe0 old excel", ".csv or .xlsx"),
        ("broken.xlsx", b"this is not a zip file", "could not be read"),
        ("renamed.csv", b"PK\x03\x04 zip data", "Excel workbook"),
    ],
)
def test_files_that_cannot_be_imported_give_a_clear_message(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        check_file(path)
    assert Customer.objects.count() == 0


def test_an_xlsx_with_only_a_header_is_refused(tmp_path):
    path = write_xlsx(tmp_path, [["客户编码", "客户名称"]])
    with pytest.raises(ImportFileError, match="no data rows"):
        check_file(path)


def test_rows_are_numbered_as_in_the_spreadsheet_even_after_blank_rows(db, tmp_path):
    path = write_xlsx(tmp_path, [[], ["编码", "名称"], ["C1", "甲公司"], [], ["C2", ""]])
    outcome = import_file(path)
    assert [(e.row, e.column) for e in outcome.errors] == [(5, "名称")]


# --- The fast .xlsx reader, on a workbook written the way Excel and WPS write them -----------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<workbookPr date1904="{date1904}"/><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy/m/d;@"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="31" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""
SHARED = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">
<si><t>客户编码</t></si><si><t>客户名称</t></si><si><t>购买日期</t></si>
<si><r><rPr><b/></rPr><t>杭州精工</t></r><r><t xml:space="preserve">机械有限公司</t></r>
<rPh sb="0" eb="2"><t>ハンチョウ</t></rPh></si>
<si><t>HZ001</t></si><si><t>line_x000D_break</t></si></sst>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:H4"/><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>
<c r="D1" t="inlineStr"><is><t>日期2</t></is></c><c r="E1" t="inlineStr"><is><t>日期3</t></is></c>
<c r="F1" t="inlineStr"><is><t>金额</t></is></c><c r="G1" t="inlineStr"><is><t>是否</t></is></c>
<c r="H1" t="inlineStr"><is><t>公式</t></is></c></row>
<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>3</v></c><c r="C3" s="1"><v>45352</v></c>
<c r="D3" s="2"><v>45353</v></c><c r="E3" s="3"><v>45354.5</v></c><c r="F3" s="4"><v>1250.5</v></c>
<c r="G3" t="b"><v>1</v></c><c r="H3" t="str"><f>A3&amp;"x"</f><v>HZ001x</v></c></row>
<row><c t="n"><v>13812345678</v></c><c t="s"><v>5</v></c><c r="E4" t="e"><v>#N/A</v></c></row>
</sheetData></worksheet>"""


def excel_like_workbook(tmp_path, date1904=False, sheet=SHEET):
    import zipfile

    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(date1904=int(date1904)))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", SHARED)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_the_xlsx_reader_reads_what_excel_writes(tmp_path):
    path = excel_like_workbook(tmp_path)
    with open_sheet(path) as sheet:
        assert sheet.headers == ["客户编码", "客户名称", "购买日期", "日期2", "日期3", "金额", "是否", "公式"]
        rows = list(sheet.rows())
    # Row 2 is blank and skipped, but numbering stays Excel's; column D has the built-in
    # format 31, a date in Chinese Excel (yyyy"年"m"月"d"日"); error cells read as empty.
    assert rows == [
        (
            3,
            [
                "HZ001",
                "杭州精工机械有限公司",
                date(2024, 3, 1),
                date(2024, 3, 2),
                datetime(2024, 3, 3, 12, 0),
                1250.5,
                True,
                "HZ001x",
            ],
        ),
        (4, [13812345678, "line\rbreak", "", "", "", "", "", ""]),
    ]


def test_dates_of_a_1904_workbook_are_read_on_its_calendar(tmp_path):
    path = excel_like_workbook(tmp_path, date1904=True)
    with open_sheet(path) as sheet:
        _number, values = next(sheet.rows())
    # Serial 45352 counts from 1904-01-01 here: 1462 days later than on the 1900 calendar.
    assert values[2] == date(2024, 3, 1) + timedelta(days=1462)


def test_a_workbook_with_a_document_type_declaration_is_refused(tmp_path):
    evil = SHEET.replace(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
    ).replace("<v>HZ001x</v>", "<v>&lol2;</v>")
    path = excel_like_workbook(tmp_path, sheet=evil)
    with pytest.raises(ImportFileError, match="could not be read"):
        check_file(path)
