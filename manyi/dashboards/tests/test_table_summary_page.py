"""The dashboard's summary of a table question (seed 000, 快递调查 四): per company named, the
respondents naming it, the mean share and the advantages and disadvantages written."""

import re

import pytest
from django.urls import reverse

from manyi.campaigns.choices import CampaignState, Channel
from manyi.campaigns.tests.test_table_answers import cells, make_table_question
from manyi.testing import answer, make_campaign, make_customer, make_question, make_questionnaire

pytestmark = pytest.mark.django_db

ANSWERS = [
    {
        1: {"company": "圆通", "share": "50", "pros": "速度较好", "cons": "售后处理不够快"},
        2: {"company": "中通", "share": "30"},
    },
    {1: {"company": " 圆通 ", "share": "70", "cons": "客服电话 13812345678 打不通"}},
    {1: {"company": "中通", "share": "20", "pros": "<script>alert(1)</script>网点多"}},
]


@pytest.fixture
def express(db):
    questionnaire = make_questionnaire(title="快递服务调查")
    rated = make_question(questionnaire, code="Q1", text="派送速度")
    table = make_table_question(questionnaire, required=False)
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    for n, rows in enumerate(ANSWERS):
        data = cells(table, rows)
        data[f"q-{rated.pk}"] = str(rated.options.get(label="满意").pk)
        answer(campaign, data, customer=make_customer(code=f"K{n}", name=f"客户{n}"))
    return campaign


def summary_rows(page):
    """{company: (respondents, mean share cell)} from the summary table."""
    rows = re.findall(
        r'<th scope="row" class="fw-normal">(.*?)</th>\s*<td class="text-end" data-respondents="(\d+)">.*?'
        r'<td class="text-end" data-code="share">(.*?) <span',
        page,
        re.S,
    )
    return {name: (int(n), share) for name, n, share in rows}


def test_the_dashboard_sums_up_the_table_per_company(client_as, people, express, fresh_datasets):
    page = client_as(people.ana).get(reverse("dashboards:campaign", args=[express.pk])).content.decode()
    assert 'id="table-summary-Q4"' in page
    # By hand: 圆通 by 2 respondents, shares 50 and 70 → 60; 中通 by 2, shares 30 and 20 → 25.
    assert summary_rows(page) == {"圆通": (2, "60.0%"), "中通": (2, "25.0%")}
    assert "速度较好" in page and "售后处理不够快" in page
    # Contacts are taken out and what respondents wrote is escaped.
    assert "13812345678" not in page and "客服电话" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;网点多" in page


def test_the_summary_follows_the_filters(client_as, people, express, fresh_datasets):
    from manyi.customers.models import Customer

    Customer.objects.filter(code="K0").update(region="华北")
    Customer.objects.exclude(code="K0").update(region="华东")
    from manyi.results import dataset

    dataset.forget()
    page = (
        client_as(people.ana)
        .get(reverse("dashboards:campaign", args=[express.pk]), {"region": "华东"})
        .content.decode()
    )
    assert summary_rows(page) == {"圆通": (1, "70.0%"), "中通": (1, "20.0%")}


def test_who_may_see_the_summary_is_unchanged(client_as, people, express, fresh_datasets):
    url = reverse("dashboards:campaign", args=[express.pk])
    assert client_as(people.amy).get(url).status_code == 403
    assert client_as(people.hank).get(url).status_code == 403
    assert client_as(people.ana).get(url).status_code == 200


def test_a_confidential_campaign_shows_the_texts_only_to_who_may_read_its_answers(
    client_as, people, express, fresh_datasets
):
    from manyi.accounts import permissions

    express.confidential = True
    express.save()
    assert people.sam.can(permissions.VIEW_ANALYSIS)
    assert not people.sam.can(permissions.VIEW_CONFIDENTIAL_RESPONSES)
    url = reverse("dashboards:campaign", args=[express.pk])
    page = client_as(people.sam).get(url).content.decode()
    assert summary_rows(page) == {"圆通": (2, "60.0%"), "中通": (2, "25.0%")}  # the figures, yes
    assert "速度较好" not in page and "售后处理不够快" not in page  # the texts, no
    assert "速度较好" in client_as(people.ana).get(url).content.decode()
