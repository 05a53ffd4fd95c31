"""The report's open answers and keywords in the PDF and the workbook carry no name for a reader
without the right to personal data (issue 22, point 5; seed 004: "记录时用‘*客户’‘A公司’代替真实
名称，保护隐私"): the campaign's customers and contacts, also written short, and a name a
respondent gives as their own are masked in the answers and are no keyword."""

import io
import shutil

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.accounts import permissions
from manyi.campaigns.models import Answer
from manyi.customers.models import Customer

from .test_name_masking import named  # noqa: F401 (the fixture)
from .test_outputs import pdf_text
from .test_report import new_report

pytestmark = pytest.mark.django_db
POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
SELF_NAMED = "我是欧阳娜娜，华星科技的包装破损了"
NAMES = ("华星", "李娜", "张伟", "欧阳娜娜", "娜娜", "13812345678")


@pytest.fixture
def report(named, people, client_as):  # noqa: F811
    """The named survey, customer C2 writing her own name and the company's short name."""
    Customer.objects.filter(code="C0").update(province="浙江省", city="杭州市")
    Answer.objects.filter(
        response__campaign=named, response__customer__code="C2", question__code="OPEN"
    ).update(text=SELF_NAMED)
    return new_report(named, people.sam, client_as(people.sam))


def workbook_text(client, report):
    response = client.get(reverse("reports:xlsx", args=[report.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def test_the_workbook_names_nobody_to_the_analyst(report, people, client_as):
    assert not people.ana.can(permissions.VIEW_PERSONAL_DATA)
    text = workbook_text(client_as(people.ana), report)
    assert "我是欧***，A公司的包装破损了" in text  # the answer is there, masked
    assert [name for name in NAMES if name in text] == []
    whole = workbook_text(client_as(people.alice), report)
    assert SELF_NAMED in whole and "李娜" in whole


@POPPLER
def test_the_pdf_names_nobody_to_the_analyst(report, people, client_as, tmp_path):
    response = client_as(people.ana).get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200
    text, _images = pdf_text(response.content, tmp_path)
    assert "包装破损" in text
    assert [name for name in NAMES if name in text] == []
