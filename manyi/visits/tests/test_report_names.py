"""The monthly visit report names customers the way seed 004 records them (“*客户”“A公司”) for
a reader without the right to personal data (the analyst reads every team's report), on the
page, in the Excel file and in the PDF, also where the notes write the name; a reader with the
right reads them whole (issue 22, point 5)."""

import shutil
import subprocess
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.accounts import permissions
from manyi.customers.models import Customer

from .test_report import done

pytestmark = pytest.mark.django_db
PROBLEM = "杭州精工机械的张伟说发票未收到，电话13812345678"
NAMES = ("精工", "张伟", "13812345678")


@pytest.fixture
def visited(team):
    from manyi.testing import make_contact, make_customer

    customer = make_customer(name="杭州精工机械有限公司", city="杭州市")
    make_contact(customer, name="张伟")
    done(team.amy, customer, date(2026, 10, 6), 9, index=70.0, problem=PROBLEM)
    return team


def sheet_text(client):
    response = client.get(reverse("visits:report_export") + "?month=2026-10")
    assert response.status_code == 200
    rows = load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    return "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)


def test_the_analyst_reads_the_problems_without_names(visited, client_as):
    assert not visited.ana.can(permissions.VIEW_PERSONAL_DATA)
    client = client_as(visited.ana)
    html = client.get(reverse("visits:report") + "?month=2026-10").content.decode()
    text = sheet_text(client)
    for shown in (html, text):
        assert "A公司" in shown and "A公司的张*说发票未收到，电话138****5678" in shown
        assert [name for name in NAMES if name in shown] == []
    whole = sheet_text(client_as(visited.alice))
    assert PROBLEM in whole and "杭州精工机械有限公司" in whole
    assert Customer.objects.get(name="杭州精工机械有限公司")  # the record stays whole


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_analysts_pdf_names_nobody(visited, client_as, tmp_path):
    response = client_as(visited.ana).get(reverse("visits:report_pdf") + "?month=2026-10")
    assert response.status_code == 200
    path = tmp_path / "visits.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "发票未收到" in text
    assert [name for name in NAMES if name in text] == []
