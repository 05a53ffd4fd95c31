"""The ticket statistics name repeat complainants the way seed 004 records customers (“*客户”
“A公司”) for a reader without the right to personal data (the analyst), on the page and in the
export, and in clear for one with it (issue 22, point 5)."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from manyi.accounts import permissions
from manyi.customers.models import Customer

from .conftest import in_english
from .test_statistics import PERIOD, data  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def repeat_sheet(client):
    response = client.get(reverse("ticket_stats:export"), PERIOD)
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    return [list(row)[:3] for row in book["Repeat complainants"].iter_rows(values_only=True)][1:]


def test_the_analyst_reads_repeat_complainants_by_code_and_alias(data, client_as):  # noqa: F811
    Customer.objects.filter(code="C2").update(name="杭州精工机械有限公司")
    assert not data.ana.can(permissions.VIEW_PERSONAL_DATA)
    client = in_english(client_as(data.ana))
    # Companies lettered by customer code: C1 (张三, a company here) A公司, C2 B公司.
    assert repeat_sheet(client) == [["C2", "B公司", 3], ["C1", "A公司", 2]]
    html = client.get(reverse("ticket_stats:page"), PERIOD).content.decode()
    assert "B公司" in html and "精工" not in html and "张三" not in html
    whole = in_english(client_as(data.alice))
    assert repeat_sheet(whole) == [["C2", "杭州精工机械有限公司", 3], ["C1", "张三", 2]]
