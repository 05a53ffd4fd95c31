"""No export lets a spreadsheet program run a cell as a formula (CSV / formula injection).

A customer name, product, order number, open answer, question text, campaign or report title,
visit purpose or problem starting with = + - @ (or a tab or carriage return) would run as a
formula when the file is opened in Excel or WPS: every export writes such text with a leading
apostrophe (``masking.neutralise_formula``), in CSV, Excel and the text of SPSS files alike.
Every export route is downloaded here with the hostile text in every field it shows, and each
text cell of the file is read back; a new export route must be added to ``EXPORTS``.
"""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from manyi.customers.masking import FORMULA_PREFIXES

from .conftest import routes

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "customer": '=HYPERLINK("http://evil.example/c","华东机械")',
    "product": "+cmd|' /C calc'!A0",
    "order": "-2+3+cmd|' /C calc'!A0",
    "answer": "@SUM(1+1)*cmd|' /C calc'!A0",
    "question": "=1+1 产品性能",
    "campaign": "=2+2 年度调查",
    "report": "\t=3+3 报告",
    "purpose": "=4+4 回访目的",
    "problem": "+5+5 包装破损",
    "reason": "=6+6 通报批评",
}

# Every route that hands out a file of rows, with the query it needs and the payloads it shows.
EXPORTS = [
    ("customers:export", "?format=csv", {"customer"}),
    ("customers:export", "?format=xlsx", {"customer"}),
    ("customers:export_purchases", "?format=csv", {"product", "order"}),
    ("customers:export_purchases", "?format=xlsx", {"product", "order"}),
    ("reports:export", "?format=csv", {"customer", "answer"}),
    ("reports:export", "?format=csv&encoding=gb18030", {"customer", "answer"}),
    ("reports:export", "?format=xlsx", {"customer", "answer", "question"}),
    ("reports:export", "?format=sav", {"customer", "answer", "question"}),
    ("reports:xlsx", "", {"report", "question"}),
    ("visits:plan_export", "?month={plan_month}", {"customer", "purpose"}),
    ("visits:report_export", "?month={record_month}", {"problem"}),
    ("ticket_stats:export", "?start={year_start}&end={today}", {"customer"}),
    ("evaluation:rewards_export", "", {"reason"}),
]
# Routes that hand out files without rows of data (an empty template, a PDF).
NOT_ROW_EXPORTS = {
    "customers:import_template",
    "reports:pdf",
    "visits:report_pdf",
    "improvements:evidence",
    "surveys:limesurvey_export",  # a questionnaire's structure as LimeSurvey XML: no rows of people
}


@pytest.fixture
def hostile(world):
    """The world with a payload in every text an export shows."""
    from manyi.campaigns.models import Answer
    from manyi.surveys.choices import QuestionKind
    from manyi.testing import make_question

    w = world
    w.customer.name = PAYLOADS["customer"]
    w.customer.save()
    w.product.name = PAYLOADS["product"]
    w.product.save()
    w.purchase.order_number = PAYLOADS["order"]
    w.purchase.save()
    w.question.text = PAYLOADS["question"]
    w.question.save()
    opinion = make_question(w.questionnaire, "Q9", text="其他意见", kind=QuestionKind.TEXT, position=9)
    Answer.objects.create(response=w.response, question=opinion, text=PAYLOADS["answer"])
    w.response.customer = w.customer
    w.response.save()
    w.campaign.name = PAYLOADS["campaign"]
    w.campaign.save()
    w.report.title = PAYLOADS["report"]
    w.report.save()
    w.plan.purpose = PAYLOADS["purpose"]
    w.plan.save()
    w.record.problem = w.record.handling = PAYLOADS["problem"]
    w.record.save()
    from .conftest import _evaluation

    _evaluation(w).rewards.update(reason=PAYLOADS["reason"])
    return w


def text_cells(content, query):
    """Every text a person sees in the file: cells, and for .sav the labels too."""
    if "format=csv" in query:
        encoding = "gb18030" if "gb18030" in query else "utf-8-sig"
        return [cell for row in csv.reader(io.StringIO(content.decode(encoding))) for cell in row]
    if "format=sav" in query:
        return sav_texts(content)
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    texts.append(f"={cell.value}")  # a formula cell: refused below
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def sav_texts(content):
    import tempfile

    import pyreadstat

    with tempfile.NamedTemporaryFile(suffix=".sav") as file:
        file.write(content)
        file.flush()
        frame, meta = pyreadstat.read_sav(file.name)
    texts = [v for column in frame.columns for v in frame[column] if isinstance(v, str)]
    texts += [label for label in meta.column_labels if label]
    texts += [label for labels in meta.variable_value_labels.values() for label in labels.values()]
    return texts


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_export_route_is_checked(world):
    """A route answering with a spreadsheet must be listed in EXPORTS (or NOT_ROW_EXPORTS)."""
    listed = {name for name, _query, _payloads in EXPORTS} | NOT_ROW_EXPORTS
    names = {route.name for route in routes(world)}
    words = {"export", "xlsx", "csv", "sav", "pdf"}
    # Whole words of the route's name: "category_save" is no .sav file.
    files = {
        n
        for n in names
        if words & set(n.partition(":")[2].split("_")) or "import_template" in n.partition(":")[2]
    }
    assert files <= listed, sorted(files - listed)
    assert {name for name, _q, _p in EXPORTS} <= names


@pytest.mark.parametrize(
    "name, query, shown", EXPORTS, ids=[f"{name}{query.split('{')[0]}" for name, query, _s in EXPORTS]
)
def test_text_starting_like_a_formula_is_neutralised(client_as, hostile, name, query, shown):
    from django.urls import reverse

    from .conftest import route_arguments

    today = timezone.localdate()
    arguments = route_arguments(hostile).get(name, {})
    query = query.format(
        plan_month=f"{hostile.plan.planned_on:%Y-%m}",
        record_month=f"{timezone.localtime(hostile.record.visited_at):%Y-%m}",
        year_start=(today - datetime.timedelta(days=365)).isoformat(),
        today=today.isoformat(),
    )
    content = download(client_as(hostile.people.alice), reverse(name, kwargs=arguments) + query)

    texts = text_cells(content, query)
    formulas = [t for t in texts if t.startswith(FORMULA_PREFIXES)]
    assert formulas == []
    for key in shown:  # the hostile text is in the file (so the check above saw it)
        assert any(PAYLOADS[key] in text for text in texts), key
