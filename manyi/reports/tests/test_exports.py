"""Raw data exports: CSV (BOM, GB18030), Excel and SPSS .sav with labels; masking, formula
neutralisation and refusals."""

import csv
import io
import statistics

import pyreadstat
import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from manyi.accounts import permissions
from manyi.accounts.choices import Role
from manyi.testing import make_user

from .conftest import ANSWERS, hand_index

pytestmark = pytest.mark.django_db


def url(campaign, **query):
    from urllib.parse import urlencode

    return reverse("reports:export", args=[campaign.pk]) + "?" + urlencode(query)


def body(response):
    return b"".join(response.streaming_content)


def read_csv(data, encoding):
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def test_csv_is_utf8_with_a_bom_and_holds_the_answers(client_as, people, survey):
    response = client_as(people.alice).get(url(survey, format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv(data, "utf-8-sig")
    header, lines = rows[0], rows[1:]
    assert len(lines) == len(ANSWERS)
    q1 = header.index("Q1 产品性能")
    assert [float(line[q1]) for line in lines] == [points[0] for _r, points, _n, _t in ANSWERS]
    index = header.index(_("Satisfaction index (0-100)"))
    assert statistics.mean(float(line[index]) for line in lines) == pytest.approx(
        statistics.mean(hand_index(p) for _r, p, _n, _t in ANSWERS), abs=1e-3
    )
    # The administrator may see personal data: phones in full.
    assert "13912340000" in data.decode("utf-8-sig")


def test_the_customer_type_is_exported_by_its_name_not_its_code(client_as, people, survey):
    from manyi.customers.choices import CustomerType
    from manyi.customers.models import Customer

    Customer.objects.filter(code="C0").update(customer_type=CustomerType.VIP)
    rows = read_csv(body(client_as(people.alice).get(url(survey, format="csv"))), "utf-8-sig")
    column = rows[0].index(_("Customer type"))
    types = {line[rows[0].index(_("Customer code"))]: line[column] for line in rows[1:]}
    assert types["C0"] == str(CustomerType.VIP.label)
    assert {types[f"C{n}"] for n in range(1, len(ANSWERS))} == {str(CustomerType.NORMAL.label)}


def test_csv_in_gb18030_has_no_bom_and_reads_back(client_as, people, survey):
    response = client_as(people.alice).get(url(survey, format="csv", encoding="gb18030"))
    assert response.status_code == 200
    data = body(response)
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = read_csv(data, "gb18030")
    assert "Q1 产品性能" in rows[0]
    assert any("交货太慢" in cell for row in rows for cell in row)


def test_formula_cells_are_neutralised_in_csv_and_excel(client_as, people, survey):
    client = client_as(people.alice)
    text = body(client.get(url(survey, format="csv"))).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    workbook = load_workbook(io.BytesIO(body(client.get(url(survey, format="xlsx")))))
    values = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert '\'=HYPERLINK("http://example.com")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_excel_has_the_responses_and_a_codebook(client_as, people, survey):
    response = client_as(people.alice).get(url(survey, format="xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(body(response)))
    assert workbook.sheetnames == [_("Responses"), _("Variables")]
    rows = list(workbook[_("Responses")].iter_rows(values_only=True))
    header = rows[0]
    q3 = header.index("Q3 服务态度")
    assert [row[q3] for row in rows[1:]] == [points[2] for _r, points, _n, _t in ANSWERS]
    codebook = {row[0]: row for row in workbook[_("Variables")].iter_rows(values_only=True)}
    q3_name = next(name for name, row in codebook.items() if row[1] == "Q3 服务态度")
    assert "10 = 很满意" in codebook[q3_name][2]


def test_sav_reads_back_with_variable_and_value_labels(client_as, people, survey, tmp_path):
    response = client_as(people.ana).get(url(survey, format="sav"))
    assert response.status_code == 200
    path = tmp_path / "answers.sav"
    path.write_bytes(body(response))
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == len(ANSWERS)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    q1 = next(name for name, label in labels.items() if label == "Q1 产品性能")
    assert q1.startswith("q_")
    assert list(frame[q1]) == [points[0] for _r, points, _n, _t in ANSWERS]
    assert meta.variable_value_labels[q1] == {
        10.0: "很满意",
        8.0: "满意",
        6.0: "可以接受",
        4.0: "不满意",
        2.0: "很不满意",
    }
    nps = next(name for name, label in labels.items() if label == "NPS 推荐意愿")
    assert list(frame[nps]) == [n for _r, _p, n, _t in ANSWERS]
    website = next(name for name, label in labels.items() if label == "CH 您通过哪些渠道了解我们: 网站")
    assert list(frame[website]) == [1.0 if n % 2 else 0.0 for n in range(len(ANSWERS))]
    assert meta.variable_value_labels[website] == {1.0: "是", 0.0: "否"}
    # Regions are codes with value labels, as SPSS users expect of a nominal variable.
    regions = meta.variable_value_labels["region"]
    assert sorted(regions.values()) == ["华东", "华北"]
    assert [regions[code] for code in frame["region"]] == [region for region, *_rest in ANSWERS]
    index = next(name for name in labels if name == "index")
    assert frame[index].mean() == pytest.approx(
        statistics.mean(hand_index(p) for _r, p, _n, _t in ANSWERS), abs=1e-4
    )
    # The analyst has no right to personal data: phones and e-mails masked, in open answers too.
    assert all("****" in phone for phone in frame["phone"])
    opened = next(name for name, label in labels.items() if label == "OPEN 您的意见和建议")
    assert "13812345678" not in " ".join(frame[opened])
    assert "138****5678" in " ".join(frame[opened])
    assert "w***@example.com" in " ".join(frame[opened])


def test_confidential_campaigns_export_only_for_roles_granted_it(client_as, people, survey):
    survey.confidential = True
    survey.save()
    assert client_as(people.sam).get(url(survey, format="csv")).status_code == 403
    assert client_as(people.ana).get(url(survey, format="csv")).status_code == 200
    assert permissions.role_can(Role.ANALYST, permissions.VIEW_CONFIDENTIAL_RESPONSES)


def test_roles_without_the_export_right_are_refused(client_as, people, survey):
    assert client_as(people.amy).get(url(survey, format="csv")).status_code == 403
    assert client_as(people.hank).get(url(survey, format="sav")).status_code == 403
    assert client_as(None).get(url(survey, format="csv")).status_code == 302


def test_a_bad_format_is_a_clear_400(client_as, people, survey):
    response = client_as(people.alice).get(url(survey, format="pdf"))
    assert response.status_code == 400
    assert "csv" in response.content.decode()


def test_many_responses_build_columns_without_one_query_per_response(
    client_as, people, survey, django_assert_max_num_queries
):
    # The number of queries does not grow with the responses (one for the customers, one for the
    # answers the dataset does not hold, plus a fixed few for the questionnaire and access).
    client = client_as(make_user("exporter", Role.ADMINISTRATOR))
    client.get(url(survey, format="csv"))  # warms the dataset
    with django_assert_max_num_queries(25):
        assert client.get(url(survey, format="csv")).status_code == 200
