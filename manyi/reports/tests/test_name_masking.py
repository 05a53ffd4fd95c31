"""Customers' and contacts' names in exports and in the report's open answers (issue 22, point 5):
masked the way seed 004 records them (“*客户”“A公司”) for readers without the right to personal
data, in clear for readers with it."""

import csv
import io

import pyreadstat
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.accounts import permissions
from manyi.campaigns.models import Answer
from manyi.customers.choices import CustomerKind
from manyi.customers.masking import NameMask, company_alias, mask_person_name
from manyi.customers.models import Contact, Customer

from .test_report import new_report

pytestmark = pytest.mark.django_db
TEXT = "杭州华星科技有限公司的李娜说：张伟的订单交货太慢，请打 13812345678"
MASKED_TEXT = "A公司的李*说：张*的订单交货太慢，请打 138****5678"


def test_names_are_masked_the_seeds_way():
    assert mask_person_name("张伟") == "张*"
    assert mask_person_name("王小明") == "王**"
    assert mask_person_name("Li Lei") == "L* ***"
    assert mask_person_name("") == ""
    assert [company_alias(n) for n in (0, 1, 25, 26, 27)] == ["A公司", "B公司", "Z公司", "AA公司", "AB公司"]
    names = NameMask(
        [
            (2, "C2", "张伟", CustomerKind.PERSON),
            (1, "C1", "华星", CustomerKind.COMPANY),
            (3, "C3", "蓝天", "company"),
        ],
        ["李娜"],
    )
    # Companies lettered by customer code; the longest name wins inside a text.
    assert [names.customer(pk) for pk in (1, 2, 3)] == ["A公司", "张*", "B公司"]
    assert names.text("华星和蓝天都找过李娜") == "A公司和B公司都找过李*"


@pytest.fixture
def named(survey):
    """The survey with a company customer (C0, whose contact is 李娜), a person (C1, 张伟) and
    an open answer naming them both."""
    Customer.objects.filter(code="C0").update(name="杭州华星科技有限公司")
    Customer.objects.filter(code="C1").update(name="张伟", kind=CustomerKind.PERSON)
    Contact.objects.create(customer=Customer.objects.get(code="C0"), name="李娜")
    Answer.objects.filter(
        response__campaign=survey, response__customer__code="C0", question__code="OPEN"
    ).update(text=TEXT)
    return survey


def export(client, campaign, fmt, tmp_path):
    """{customer code: (name, open answer)} from an export in `fmt`."""
    response = client.get(reverse("reports:export", args=[campaign.pk]), {"format": fmt})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    elif fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        path = tmp_path / "answers.sav"
        path.write_bytes(data)
        frame, meta = pyreadstat.read_sav(str(path))
        rows = [meta.column_labels] + frame.astype(str).values.tolist()
    header = rows[0]
    code, name = header.index("客户编码"), header.index("客户名称")
    opened = header.index("OPEN 您的意见和建议")
    return {row[code]: (row[name], row[opened]) for row in rows[1:]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_exports_mask_names_for_readers_without_the_right(client_as, people, named, fmt, tmp_path):
    assert not people.ana.can(permissions.VIEW_PERSONAL_DATA)
    rows = export(client_as(people.ana), named, fmt, tmp_path)
    assert rows["C0"] == ("A公司", MASKED_TEXT)
    assert rows["C1"][0] == "张*"
    # The other companies in customer-code order: C2 … C7 are B公司 … G公司.
    assert [rows[f"C{n}"][0] for n in range(2, 8)] == [company_alias(n) for n in range(1, 7)]
    every_cell = " ".join(" ".join(pair) for pair in rows.values())
    for name in ("华星", "张伟", "李娜", "客户2"):
        assert name not in every_cell


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav"])
def test_exports_show_names_to_readers_with_the_right(client_as, people, named, fmt, tmp_path):
    assert people.alice.can(permissions.VIEW_PERSONAL_DATA)
    rows = export(client_as(people.alice), named, fmt, tmp_path)
    assert rows["C0"] == ("杭州华星科技有限公司", TEXT)
    assert rows["C1"][0] == "张伟"
    assert [rows[f"C{n}"][0] for n in range(2, 8)] == [f"客户{n}" for n in range(2, 8)]


def test_the_reports_open_answers_mask_names_for_readers_without_the_right(client_as, people, named):
    report = new_report(named, people.sam, client_as(people.sam))
    detail = reverse("reports:detail", args=[report.pk])
    masked = client_as(people.ana).get(detail).content.decode()
    assert MASKED_TEXT in masked
    assert "华星" not in masked and "李娜" not in masked
    shown = client_as(people.alice).get(detail).content.decode()
    assert TEXT in shown
