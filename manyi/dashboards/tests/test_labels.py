"""The dashboard names customer types, channels and staff as people do, never by the codes
and usernames the rows hold; the drill-down behind every breakdown row finds that row's
responses (including the "(none)" row and months)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.customers.choices import CustomerType
from manyi.surveys.models import Dimension
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

from .test_dashboard import ANSWERS, LABEL, fresh_datasets, hand_index, survey  # noqa: F401

pytestmark = pytest.mark.django_db
NONE = gettext_lazy("(none)")

# customer type, account manager (a user name or None), channel, interviewer, points of Q1
ROWS = [
    (CustomerType.VIP, "sam", Channel.PHONE, "amy", 10),
    (CustomerType.VIP, "sam", Channel.PHONE, "amy", 8),
    (CustomerType.NORMAL, "hank", Channel.EMAIL, None, 6),
    (CustomerType.NORMAL, None, Channel.EMAIL, None, 4),
    (CustomerType.KEY_ACCOUNT, None, Channel.EMAIL, None, 8),
]


@pytest.fixture
def labelled(people):
    questionnaire = make_questionnaire(title="满意度")
    dimension = Dimension.objects.create(
        questionnaire=questionnaire, code="D1", title="质量", weight=1, position=1
    )
    q1 = make_question(questionnaire, "Q1", text="产品性能", dimension=dimension, position=1)
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.PHONE]
    )
    for n, (kind, owner, channel, agent, points) in enumerate(ROWS):
        customer = make_customer(
            code=f"L{n}", name=f"客户{n}", customer_type=kind, owner=getattr(people, owner) if owner else None
        )
        form = AnswerForm(questionnaire, data={f"q-{q1.pk}": str(q1.options.get(label=LABEL[points]).pk)})
        assert form.is_valid(), form.errors
        save_response(
            campaign=campaign,
            questionnaire=questionnaire,
            cleaned_data=form.cleaned_data,
            channel=channel,
            invitation=make_invitation(campaign, customer),
            agent=getattr(people, agent) if agent else None,
        )
    return campaign


def _segment_names(html):
    table = re.search(
        r'<table class="table table-sm" id="segments">.*?<tbody>(.*?)</tbody>', html, re.S
    ).group(1)
    return re.findall(r"<tr><td>(?:<a [^>]*>)?([^<]*)<", table)


def _options(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        (
            "customer_type",
            [CustomerType.VIP.label, CustomerType.KEY_ACCOUNT.label, CustomerType.NORMAL.label],
        ),
        ("channel", [Channel.PHONE.label, Channel.EMAIL.label]),
        ("owner", ["孙明", "何强", NONE]),
        ("agent", ["王芳", NONE]),
    ],
)
def test_breakdown_rows_are_named_not_coded(client_as, people, labelled, segment, expected):
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[labelled.pk]), {"segment": segment})
    assert set(_segment_names(html.content.decode())) == {str(name) for name in expected}


def test_filters_offer_names_and_keep_codes_as_values(client_as, people, labelled):
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[labelled.pk])).content.decode()
    assert ("vip", str(CustomerType.VIP.label)) in _options(html, "customer_type")
    assert ("sam", "孙明") in _options(html, "owner")
    assert ("phone", str(Channel.PHONE.label)) in _options(html, "channel")
    # The coded value still filters.
    filtered = client_as(people.ana).get(reverse("dashboards:campaign", args=[labelled.pk]), {"owner": "sam"})
    assert re.search(r'id="responses">(\d+)<', filtered.content.decode()).group(1) == "2"


def _drill_total(client, campaign, query):
    html = client.get(reverse("dashboards:drill_down", args=[campaign.pk]) + "?" + query).content.decode()
    return len(re.findall(r"<tr data-customer-code=", html)), html


def test_every_breakdown_row_drills_down_to_its_own_responses(client_as, people, labelled):
    client = client_as(people.sam)  # a supervisor sees individual answers
    html = client.get(
        reverse("dashboards:campaign", args=[labelled.pk]), {"segment": "owner"}
    ).content.decode()
    table = re.search(r'id="segments">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    links = re.findall(
        r'<tr><td><a href="[^"?]*\?([^"]*)">([^<]*)</a></td><td class="text-end">(\d+)</td>', table
    )
    assert len(links) == 3
    for query, name, n in links:
        found, page = _drill_total(client, labelled, query.replace("&amp;", "&"))
        assert found == int(n), (name, query)
        assert name in page  # the page says which group it lists, by name


def test_a_month_row_drills_down_to_that_month(client_as, people, labelled):
    client = client_as(people.sam)
    month = timezone.localdate().strftime("%Y-%m")
    found, _page = _drill_total(client, labelled, f"segment=month&group={month}")
    assert found == len(ROWS)
    found, _page = _drill_total(client, labelled, "segment=month&group=1999-01")
    assert found == 0


def test_the_cross_tab_names_customer_types(client_as, people, labelled):
    html = (
        client_as(people.ana)
        .get(
            reverse("dashboards:crosstab", args=[labelled.pk]),
            {"rows": "customer_type", "columns": "channel"},
        )
        .content.decode()
    )
    headers = re.findall(r"<tr><th>([^<]*)</th>", html)
    assert set(headers) - {""} == {str(label) for label in CustomerType.labels}
    assert str(Channel.PHONE.label) in html and ">phone<" not in html


def test_the_breakdown_by_product_counts_each_buyer_under_each_product(client_as, people, survey):  # noqa: F811
    """Buyers of a product against everybody else: mean by hand, p from scipy's Mann-Whitney U
    (few answers); the drill-down lists the buyers."""
    from scipy import stats as scipy_stats

    from manyi.customers.models import Customer
    from manyi.testing import make_product, make_purchase

    campaign = survey
    pump, lathe = make_product(name="离心泵"), make_product(name="数控车床")
    bought = {pump: (0, 1, 4, 5), lathe: (1, 2)}
    for product, numbers in bought.items():
        for n in numbers:
            make_purchase(Customer.objects.get(code=f"C{n}"), product)
    client = client_as(people.sam)
    html = client.get(
        reverse("dashboards:campaign", args=[campaign.pk]), {"segment": "product"}
    ).content.decode()
    table = re.search(r'id="segments">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(
        r'<tr><td><a href="[^"?]*\?([^"]*)">([^<]*)</a></td><td class="text-end">(\d+)</td>'
        r'<td class="text-end">([^<]*)</td>',
        table,
    )
    indices = [hand_index(points) for _region, points, _nps in ANSWERS]
    shown = {name: (query.replace("&amp;", "&"), int(n), mean) for query, name, n, mean in rows}
    assert set(shown) == {"离心泵", "数控车床"}
    for product, numbers in bought.items():
        query, n, mean = shown[product.name]
        inside = [indices[i] for i in numbers]
        outside = [x for i, x in enumerate(indices) if i not in numbers]
        assert n == len(inside) and mean == f"{sum(inside) / len(inside):.1f}"
        found, _page = _drill_total(client, campaign, query)
        assert found == len(inside)
        p = scipy_stats.mannwhitneyu(inside, outside, alternative="two-sided").pvalue
        significant = 'title="p=' in table.split(product.name)[1].split("</tr>")[0]
        assert significant == (p < 0.05)
    assert 'id="product-overlap"' in html


def test_the_interviewer_filter_keeps_that_interviewers_responses(client_as, people, labelled):
    client = client_as(people.ana)
    url = reverse("dashboards:campaign", args=[labelled.pk])
    html = client.get(url).content.decode()
    assert ("amy", "王芳") in _options(html, "agent")
    filtered = client.get(url, {"agent": "amy"}).content.decode()
    by_amy = [points for *_rest, agent, points in ROWS if agent == "amy"]
    assert re.search(r'id="responses">(\d+)<', filtered).group(1) == str(len(by_amy))
    assert (
        re.search(r'id="index"[^>]*>([^<]*)<', filtered).group(1) == f"{10 * sum(by_amy) / len(by_amy):.1f}"
    )
