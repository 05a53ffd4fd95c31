"""The campaign dashboard: figures checked against independent computations on known answers."""

import json
import re
import statistics

import pytest
from django.urls import reverse

from manyi.campaigns.answering import AnswerForm, save_response
from manyi.campaigns.choices import CampaignState, Channel
from manyi.results import dataset as dataset_module
from manyi.results.tests.conftest import fresh_datasets  # noqa: F401  (the browser tests import it from here)
from manyi.surveys.choices import QuestionKind, ScaleMethod
from manyi.surveys.models import Dimension
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db

# Each respondent: region, points for Q1 Q2 Q3 (10/8/6/4/2 scale), NPS answer.
ANSWERS = [
    ("华东", (10, 10, 8), 10),
    ("华东", (8, 8, 8), 9),
    ("华东", (10, 8, 6), 8),
    ("华东", (6, 6, 4), 6),
    ("华北", (4, 6, 4), 3),
    ("华北", (8, 6, 6), 7),
    ("华北", (6, 4, 2), 5),
    ("华北", (10, 10, 10), 10),
]
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="年度顾客满意度调查")
    quality = Dimension.objects.create(
        questionnaire=questionnaire, code="D1", title="产品质量", weight=60, position=1
    )
    service = Dimension.objects.create(
        questionnaire=questionnaire, code="D2", title="服务", weight=40, position=2
    )
    q1 = make_question(questionnaire, "Q1", text="产品性能", dimension=quality, position=1)
    q2 = make_question(questionnaire, "Q2", text="产品外观", dimension=quality, position=2)
    q3 = make_question(questionnaire, "Q3", text="服务态度", dimension=service, position=3)
    nps = make_question(
        questionnaire, "NPS", text="推荐意愿", kind=QuestionKind.NPS, options=(), scored=False
    )
    campaign = make_campaign(
        questionnaire,
        state=CampaignState.RUNNING,
        channels=[Channel.EMAIL],
        series="年度调查",
        target_index=80,
    )
    for n, (region, points, recommend) in enumerate(ANSWERS):
        customer = make_customer(code=f"C{n}", name=f"客户{n}", region=region)
        invitation = make_invitation(campaign, customer)
        data = {
            f"q-{q.pk}": str(q.options.get(label=LABEL[p]).pk)
            for q, p in zip((q1, q2, q3), points, strict=True)
        }
        data[f"q-{nps.pk}"] = str(recommend)
        form = AnswerForm(questionnaire, data=data)
        assert form.is_valid(), form.errors
        save_response(
            campaign=campaign,
            questionnaire=questionnaire,
            cleaned_data=form.cleaned_data,
            channel=Channel.EMAIL,
            invitation=invitation,
        )
    return campaign


def hand_index(points):
    """Seed 000 rule by hand: item score = points × 10 (ratio scale, 10 points = 100);
    dimension = mean of its items; index = Σ(dimension × weight) / Σ weight (60 / 40)."""
    q1, q2, q3 = (p * 10 for p in points)
    return ((q1 + q2) / 2 * 60 + q3 * 40) / 100


def figure(html, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    return match.group(1).strip()


def test_the_headline_figures_equal_hand_computations(client_as, people, survey):
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()

    indices = [hand_index(points) for _region, points, _nps in ANSWERS]
    assert figure(html, "index") == f"{statistics.mean(indices):.1f}"
    satisfied = sum(1 for x in indices if x >= 70)
    assert figure(html, "satisfied") == f"{100 * satisfied / len(indices):.1f}%"
    answers = [recommend for *_rest, recommend in ANSWERS]
    promoters = sum(1 for a in answers if a >= 9)
    detractors = sum(1 for a in answers if a <= 6)
    assert figure(html, "nps") == f"{100 * (promoters - detractors) / len(answers):.1f}"
    assert figure(html, "responses") == "8"
    assert 'data-reached="no"' in html  # target 80 > index
    # Issued (one invitation per respondent), returned and valid, with the rates (回收率, 有效率).
    assert figure(html, "issued") == str(len(ANSWERS))
    assert figure(html, "returned") == str(len(ANSWERS))
    assert figure(html, "response-rate") == "100.0%"
    assert "发放" in html and "回收率" in html and "有效率 100.0%" in html


def test_the_item_table_and_a_region_filter(client_as, people, survey):
    client = client_as(people.ana)
    url = reverse("dashboards:campaign", args=[survey.pk])
    html = client.get(url).content.decode()
    q1 = [points[0] for _region, points, _nps in ANSWERS]
    row = re.search(r'id="item-Q1">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)
    assert cells[0] == str(len(q1))
    assert cells[1] == f"{statistics.mean(q1):.2f}"
    assert cells[2] == f"{statistics.mean(q1) * 10:.1f}"
    assert cells[3] == f"{statistics.stdev(q1):.2f}"
    top2 = sum(1 for p in q1 if p >= 8)
    assert cells[4] == f"{100 * top2 / len(q1):.1f}%"

    east = [hand_index(points) for region, points, _nps in ANSWERS if region == "华东"]
    html = client.get(url, {"region": "华东"}).content.decode()
    assert figure(html, "index") == f"{statistics.mean(east):.1f}"
    assert figure(html, "responses") == "4"


def test_htmx_filtering_returns_only_the_dashboard_body(client_as, people, survey):
    response = client_as(people.ana).get(
        reverse("dashboards:campaign", args=[survey.pk]), {"region": "华北"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="dashboard">') and "<html" not in html


@pytest.mark.parametrize(
    "query",
    [{"date_from": "2026-12-01", "date_to": "2026-11-01"}, {"region": "火星"}, {"date_from": "not a date"}],
)
def test_bad_filters_get_a_message_and_no_filtered_figures(client_as, people, survey, query):
    response = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk]), query)
    assert response.status_code == 400
    assert 'class="alert alert-danger"' in response.content.decode()


def test_new_answers_appear_at_once(client_as, people, survey):
    client = client_as(people.ana)
    url = reverse("dashboards:campaign", args=[survey.pk])
    assert figure(client.get(url).content.decode(), "responses") == "8"
    questionnaire = survey.questionnaire
    customer = make_customer(code="C99", name="新客户", region="华南")
    invitation = make_invitation(survey, customer)
    data = {
        f"q-{q.pk}": str(q.options.get(label="很满意").pk)
        for q in questionnaire.questions.exclude(code="NPS")
    }
    form = AnswerForm(questionnaire, data=data | {f"q-{questionnaire.questions.get(code='NPS').pk}": "10"})
    assert form.is_valid()
    save_response(
        campaign=survey, questionnaire=questionnaire, cleaned_data=form.cleaned_data,
        channel=Channel.EMAIL, invitation=invitation,
    )  # fmt: skip
    html = client.get(url).content.decode()
    assert figure(html, "responses") == "9"
    indices = [hand_index(points) for _region, points, _nps in ANSWERS] + [100.0]
    assert figure(html, "index") == f"{statistics.mean(indices):.1f}"


def test_drill_down_lists_the_responses_behind_an_option(client_as, people, survey):
    response = client_as(people.ana).get(
        reverse("dashboards:drill_down", args=[survey.pk]), {"item": "Q1", "points": "10"}
    )
    html = response.content.decode()
    expected = [f"C{n}" for n, (_r, points, _nps) in enumerate(ANSWERS) if points[0] == 10]
    assert response.status_code == 200
    assert sorted(re.findall(r'data-customer-code="([^"]+)"', html)) == sorted(expected)


@pytest.mark.parametrize("who", ["amy", "hank"])
def test_roles_without_analysis_rights_are_refused(client_as, people, survey, who):
    client = client_as(getattr(people, who))
    assert client.get(reverse("dashboards:campaign", args=[survey.pk])).status_code == 403
    assert client.get(reverse("dashboards:drill_down", args=[survey.pk])).status_code == 403


def test_anonymous_users_go_to_the_login_page(client_as, survey):
    response = client_as(None).get(reverse("dashboards:campaign", args=[survey.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_confidential_campaign_shows_totals_but_no_answers_without_the_right(client_as, people, survey):
    survey.confidential = True
    survey.save()
    client = client_as(people.sam)  # a supervisor: analysis yes, confidential answers no
    html = client.get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()
    assert 'id="aggregates-only"' in html and "drill_down" not in html and "/responses/?" not in html
    assert client.get(reverse("dashboards:drill_down", args=[survey.pk])).status_code == 403
    # The analyst (granted confidential answers) may drill down.
    assert client_as(people.ana).get(reverse("dashboards:drill_down", args=[survey.pk])).status_code == 200


def test_open_answers_give_keywords_and_a_word_cloud(client_as, people, survey):
    questionnaire = survey.questionnaire
    remark = make_question(
        questionnaire, "Q9", text="意见和建议", kind=QuestionKind.TEXT, options=(), required=False
    )
    questionnaire.refresh_from_db()  # adding a question moved updated_at: the answer form must see it
    customer = make_customer(code="C50", name="提意见的客户", region="华东")
    invitation = make_invitation(survey, customer)
    data = {
        f"q-{q.pk}": str(q.options.get(label="满意").pk)
        for q in questionnaire.questions.filter(code__in=["Q1", "Q2", "Q3"])
    }
    data[f"q-{remark.pk}"] = "售后服务响应速度太慢，售后服务需要改进"
    data[f"q-{questionnaire.questions.get(code='NPS').pk}"] = "5"
    form = AnswerForm(questionnaire, data=data)
    assert form.is_valid(), form.errors
    save_response(
        campaign=survey, questionnaire=questionnaire, cleaned_data=form.cleaned_data,
        channel=Channel.EMAIL, invitation=invitation,
    )  # fmt: skip
    client = client_as(people.ana)

    html = client.get(reverse("dashboards:keywords", args=[survey.pk])).content.decode()
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"text-end\">(\d+)</td>", html)
    assert ("售后服务", "1") in rows and ("响应速度", "1") in rows  # once per answer
    png = client.get(reverse("dashboards:word_cloud", args=[survey.pk]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    # Filtered to a region without open answers: no cloud.
    assert (
        client.get(reverse("dashboards:word_cloud", args=[survey.pk]), {"region": "华北"}).status_code == 404
    )
    assert client_as(people.amy).get(reverse("dashboards:keywords", args=[survey.pk])).status_code == 403
    assert client_as(people.amy).get(reverse("dashboards:word_cloud", args=[survey.pk])).status_code == 403


def test_the_index_of_each_wave_of_the_series(client_as, people, survey):
    from django.utils import timezone

    earlier = make_campaign(
        survey.questionnaire, state=CampaignState.CLOSED, channels=[Channel.EMAIL], series="年度调查", wave="2025",
        invite_at=timezone.now() - timezone.timedelta(days=365),
    )  # fmt: skip
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()
    data = json.loads(re.search(r'id="dashboard-data" type="application/json">(.*?)</script>', html).group(1))
    # The earlier wave has no answers yet: only this wave has an index.
    indices = [hand_index(points) for _region, points, _nps in ANSWERS]
    assert [(w["label"], w["n"]) for w in data["waves"]] == [(survey.name, 8)]
    assert data["waves"][0]["mean"] == round(statistics.mean(indices), 2)
    assert earlier.pk != survey.pk


def test_key_drivers_put_important_items_below_the_line_first(client_as, people, survey):
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()
    order = re.findall(r'<tr data-item="([^"]+)">', html)
    assert sorted(order) == ["Q1", "Q2", "Q3"]
    # Independent check of the first item: quadrants from correlations with the outcome (the
    # recommendation, 0-10: never the index the items make up) and the item scores (points ×
    # 10), split at the means; "improve" items come first.
    outcome = [recommend for _region, _points, recommend in ANSWERS]
    columns = list(zip(*[points for _region, points, _nps in ANSWERS], strict=True))
    importance = [statistics.correlation(column, outcome) for column in columns]
    performance = [statistics.mean(column) * 10 for column in columns]
    line_i, line_p = statistics.mean(importance), statistics.mean(performance)

    def quadrant(n):
        high_i, high_p = importance[n] >= line_i, performance[n] >= line_p
        return {(True, False): 0, (True, True): 1, (False, False): 2, (False, True): 3}[(high_i, high_p)]

    # The rule: improve, keep, secondary, bonus; within one, more important, then lower score first.
    expected = sorted(range(3), key=lambda n: (quadrant(n), -importance[n], performance[n]))
    assert order == [f"Q{n + 1}" for n in expected]


def test_the_change_against_the_previous_wave_uses_the_right_test(client_as, people, survey):
    """The previous wave of the series is compared with a test chosen by the data (scipy)."""
    from django.utils import timezone
    from scipy import stats as scipy_stats

    from manyi.analytics import stats

    questionnaire = survey.questionnaire
    earlier = make_campaign(
        questionnaire, state=CampaignState.CLOSED, channels=[Channel.EMAIL], series="年度调查", wave="2025",
        invite_at=timezone.now() - timezone.timedelta(days=365),
    )  # fmt: skip
    Campaign = type(survey)
    Campaign.objects.filter(pk=survey.pk).update(invite_at=timezone.now())
    before = [(10, 8, 8), (6, 6, 6), (8, 8, 6), (4, 6, 6), (6, 4, 4)]
    for n, points in enumerate(before):
        invitation = make_invitation(earlier, make_customer(code=f"E{n}", name=f"老客户{n}", region="华东"))
        data = {
            f"q-{q.pk}": str(q.options.get(label=LABEL[p]).pk)
            for q, p in zip(
                questionnaire.questions.exclude(code="NPS").order_by("position"), points, strict=True
            )
        }
        data[f"q-{questionnaire.questions.get(code='NPS').pk}"] = "8"
        form = AnswerForm(questionnaire, data=data)
        assert form.is_valid(), form.errors
        save_response(
            campaign=earlier, questionnaire=questionnaire, cleaned_data=form.cleaned_data,
            channel=Channel.EMAIL, invitation=invitation,
        )  # fmt: skip
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()
    now = [hand_index(points) for _region, points, _nps in ANSWERS]
    then = [hand_index(points) for points in before]
    change = statistics.mean(now) - statistics.mean(then)
    assert f'data-change="{change:.2f}"' in html
    # Few answers (n < 30): the rank test; its p and effect size as scipy gives them.
    result = stats.compare_means(now, then)
    assert result.method == "mann_whitney_u"
    u = scipy_stats.mannwhitneyu(now, then, alternative="two-sided")
    assert result.p_value == pytest.approx(u.pvalue)
    assert result.effect_size == pytest.approx(2 * u.statistic / (len(now) * len(then)) - 1)
    assert f"p={u.pvalue:.3f}" in html
    # The test and the effect size by the names analysts read, in the page's language (zh-hans).
    r = 2 * u.statistic / (len(now) * len(then)) - 1
    assert f"(秩二列相关 r {r:.2f})" in html
    assert f'title="Mann-Whitney U 检验, p={u.pvalue:.3f}"' in html
    assert "rank_biserial" not in html.replace('data-effect="rank_biserial"', "")
    # The satisfied-customer rate (index ≥ 70) against the previous wave: two-proportion z-test
    # (statsmodels, pooled) and Cohen's h by its formula.
    import math

    from statsmodels.stats.proportion import proportions_ztest

    count_now, count_then = sum(x >= 70 for x in now), sum(x >= 70 for x in then)
    _z, p = proportions_ztest([count_now, count_then], [len(now), len(then)])
    points = 100 * (count_now / len(now) - count_then / len(then))
    h = 2 * math.asin(math.sqrt(count_now / len(now))) - 2 * math.asin(math.sqrt(count_then / len(then)))
    rate = re.search(r'data-rate-change="([^"]*)">(.*?)</div>', html, re.S)
    assert rate.group(1) == f"{points:.2f}"
    assert f"满意顾客比例：{100 * count_then / len(then):.1f}%" in rate.group(2)
    assert f"h {h:.2f})" in rate.group(2) and f"p={p:.3f}" in rate.group(2)


def test_stated_importance_places_the_items_when_customers_gave_it(client_as, people):
    questionnaire = make_questionnaire(title="重要性")
    questions = [
        make_question(questionnaire, f"Q{n}", text=f"项目{n}", ask_importance=True, position=n)
        for n in (1, 2, 3)
    ]
    questionnaire.refresh_from_db()
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    answers = [((10, 6, 8), (5, 2, 4)), ((8, 6, 10), (4, 3, 5)), ((6, 4, 8), (5, 1, 3))]
    for n, (points, importance) in enumerate(answers):
        data = {}
        for question, p, i in zip(questions, points, importance, strict=True):
            data[f"q-{question.pk}"] = str(question.options.get(label=LABEL[p]).pk)
            data[f"q-{question.pk}-importance"] = str(i)
        form = AnswerForm(questionnaire, data=data)
        assert form.is_valid(), form.errors
        save_response(
            campaign=campaign, questionnaire=questionnaire, cleaned_data=form.cleaned_data,
            channel=Channel.EMAIL, invitation=make_invitation(campaign, make_customer(code=f"S{n}", name=f"客户{n}")),
        )  # fmt: skip
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[campaign.pk])).content.decode()
    data = json.loads(re.search(r'id="dashboard-data" type="application/json">(.*?)</script>', html).group(1))
    assert data["importance"]["source"] == "stated"
    shown = {
        p["key"]: (round(p["importance"], 4), round(p["performance"], 4))
        for p in data["importance"]["points"]
    }
    for column, key in enumerate(["Q1", "Q2", "Q3"]):
        stated = statistics.mean(imp[column] for _pts, imp in answers)
        performance = statistics.mean(pts[column] for pts, _imp in answers) * 10
        assert shown[key] == (round(stated, 4), round(performance, 4))


def test_the_periodic_refresh_saves_the_dataset_so_a_new_process_starts_warm(
    survey, django_assert_num_queries
):
    from manyi.results.dataset import campaign_dataset, refresh_recent

    assert refresh_recent() == 1
    dataset_module.forget()  # a new process: nothing in memory
    campaign = type(survey).objects.select_related("questionnaire").get(pk=survey.pk)
    # Only the up-to-date check runs; the rows come from the saved file.
    with django_assert_num_queries(1):
        dataset = campaign_dataset(campaign)
    assert dataset.size == len(ANSWERS)
    indices = sorted(hand_index(points) for _region, points, _nps in ANSWERS)
    assert sorted(round(x, 6) for x in dataset.index.tolist()) == [round(x, 6) for x in indices]


def test_managers_of_improvements_can_raise_one_from_a_key_driver(client_as, people, survey):
    url = reverse("dashboards:campaign", args=[survey.pk])
    html = client_as(people.sam).get(url).content.decode()  # supervisor: manages improvements
    links = re.findall(r'class="small raise-improvement" href="([^"]+)"', html)
    assert links and all(f"campaign={survey.pk}" in link for link in links)
    first = links[0].replace("&amp;", "&")
    form = client_as(people.sam).get(first)
    assert form.status_code == 200
    # The analyst reads the dashboard but cannot raise improvements: no link.
    assert "raise-improvement" not in client_as(people.ana).get(url).content.decode()


@pytest.mark.parametrize("region", ["", "华北"])
def test_item_distributions_and_dimension_means_equal_hand_counts(survey, region):
    """Counts per option come from a compact copy of the points (dataset.whole_points) and the
    dimension means from one pass over the kept rows: both against counting by hand."""
    from collections import Counter

    from manyi.results.filters import Selection
    from manyi.results.summary import dashboard_summary

    kept = [points for r, points, _nps in ANSWERS if not region or r == region]
    summary = dashboard_summary(survey, Selection(region=region))
    for column, row in enumerate(summary["items"]):
        by_hand = Counter(points[column] for points in kept)
        assert {d["points"]: d["count"] for d in row["distribution"]} == {p: by_hand[p] for p in LABEL}
    means = {d["key"]: d["mean"] for d in summary["dimensions"]}
    assert means["D1"] == pytest.approx(statistics.mean((p[0] + p[1]) / 2 * 10 for p in kept))
    assert means["D2"] == pytest.approx(statistics.mean(p[2] * 10 for p in kept))
    assert {d["key"]: d["n"] for d in summary["dimensions"]} == {"D1": len(kept), "D2": len(kept)}


def test_item_counts_on_a_scale_with_negative_points(people):
    """Seed 003's scale (50 / 30 / 20 / 0 / −10) cannot be counted as small whole numbers:
    the item table counts such options by comparison instead, with the same result."""
    from collections import Counter

    from manyi.results.filters import Selection
    from manyi.results.summary import dashboard_summary

    scale = [
        ("很满意", 50, False),
        ("满意", 30, False),
        ("一般", 20, True),
        ("不满意", 0, False),
        ("差", -10, False),
    ]
    questionnaire = make_questionnaire(title="物业服务满意度", scale_method=ScaleMethod.RANGE)
    question = make_question(questionnaire, "Q1", options=scale)
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    chosen = ["很满意", "差", "差", "一般", "不满意", "满意", "差"]
    for n, label in enumerate(chosen):
        form = AnswerForm(questionnaire, data={f"q-{question.pk}": str(question.options.get(label=label).pk)})
        assert form.is_valid(), form.errors
        save_response(
            campaign=campaign,
            questionnaire=questionnaire,
            cleaned_data=form.cleaned_data,
            channel=Channel.EMAIL,
            invitation=make_invitation(campaign, make_customer(code=f"W{n}")),
        )
    (row,) = dashboard_summary(campaign, Selection())["items"]
    by_hand = Counter(chosen)
    assert {d["label"]: d["count"] for d in row["distribution"]} == {
        label: by_hand[label] for label, *_ in scale
    }
    points = {label: p for label, p, _neutral in scale}
    assert row["summary"].mean == pytest.approx(statistics.mean(points[label] for label in chosen))


def test_the_grade_bands_count_the_valid_indices(client_as, people, survey):
    """Seed 000 grades (很满意 ≥ 90, 满意 ≥ 75, 一般 ≥ 60, 不满意 ≥ 40, 很不满意 below),
    counted by hand from the hand-computed indices."""
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()
    indices = [hand_index(points) for _region, points, _nps in ANSWERS]
    edges = [("很满意", 90, 101), ("满意", 75, 90), ("一般", 60, 75), ("不满意", 40, 60), ("很不满意", 0, 40)]
    table = re.search(r'id="bands">(.*?)</table>', html, re.S).group(1)
    shown = re.findall(
        r"<td>([^<]*?) <span[^>]*>[^<]*</span></td><td class=\"text-end\">(\d+)</td>"
        r"<td class=\"text-end\">([^<]*)%</td>",
        table,
    )
    expected = []
    for label, low, high in edges:
        count = sum(1 for x in indices if low <= x < high)
        expected.append((label, str(count), f"{100 * count / len(indices):.1f}"))
    assert shown == expected


def _quadrant(importance, score, importance_line, score_line, score_high=-1.0):
    """The quadrant by hand; an important item below the line whose 95% interval reaches the
    line (score_high, the interval's upper end) is undecided, not urgent."""
    if importance >= importance_line:
        if score >= score_line:
            return "keep"
        return "undecided" if score_high >= score_line else "improve"
    return "bonus" if score >= score_line else "secondary"


def _score_high(points):
    """Upper end of the Student-t 95% interval of the item's mean score (points × 10)."""
    from scipy import stats as scipy_stats

    n = len(points)
    half = scipy_stats.t.ppf(0.975, n - 1) * statistics.stdev(points) / n**0.5
    return 10 * (statistics.mean(points) + half)


@pytest.mark.parametrize(("importance_line", "score_line"), [(None, None), (0.9, 70.0), (0.5, None)])
def test_quadrants_split_at_the_means_or_at_the_analysts_lines(
    client_as, people, survey, importance_line, score_line
):
    """Derived importance = Pearson r of the item's points with the outcome, here the
    recommendation (statistics.correlation); score = mean points × 10; lines at the means of
    the items unless the analyst sets them."""
    query = {}
    if importance_line is not None:
        query["importance_line"] = importance_line
    if score_line is not None:
        query["performance_line"] = score_line
    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk]), query).content.decode()
    outcome = [recommend for _region, _points, recommend in ANSWERS]
    importance = [statistics.correlation([p[i] for _r, p, _n in ANSWERS], outcome) for i in range(3)]
    scores = [10 * statistics.mean(p[i] for _r, p, _n in ANSWERS) for i in range(3)]
    i_line = statistics.mean(importance) if importance_line is None else importance_line
    s_line = statistics.mean(scores) if score_line is None else score_line
    for i, key in enumerate(("Q1", "Q2", "Q3")):
        row = re.search(rf'id="item-{key}">(.*?)</tr>', html, re.S).group(1)
        shown = re.search(r"quadrant-(\w+)", row).group(1)
        high = _score_high([p[i] for _r, p, _n in ANSWERS])
        assert shown == _quadrant(importance[i], scores[i], i_line, s_line, high), key
    lines = re.search(r'id="quadrant-lines" data-importance="([^"]*)" data-performance="([^"]*)"', html)
    assert float(lines.group(1)) == pytest.approx(i_line) and float(lines.group(2)) == pytest.approx(s_line)
    chosen = importance_line is not None or score_line is not None
    assert ("与平均水平相比" in html) is not chosen


def test_a_score_line_outside_0_to_100_is_refused(client_as, people, survey):
    response = client_as(people.ana).get(
        reverse("dashboards:campaign", args=[survey.pk]), {"performance_line": "150"}
    )
    assert response.status_code == 400


def test_key_drivers_show_the_standardised_regression_of_the_outcome_on_the_items(client_as, people, survey):
    """β from statsmodels OLS on z-scores (z(recommendation) ~ z(Q1) + z(Q2) + z(Q3)), as SPSS
    prints the standardised coefficients, and R² of that regression (not 1: the outcome is not
    made of the items)."""
    import numpy as np
    import statsmodels.api as sm

    html = client_as(people.ana).get(reverse("dashboards:campaign", args=[survey.pk])).content.decode()
    x = np.array([points for _region, points, _nps in ANSWERS], float)
    y = np.array([recommend for _region, _points, recommend in ANSWERS], float)
    zx = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    zy = (y - y.mean()) / y.std(ddof=1)
    fit = sm.OLS(zy, zx).fit()
    for key, beta in zip(("Q1", "Q2", "Q3"), fit.params, strict=True):
        row = re.search(rf'<tr data-item="{key}">(.*?)</tr>', html, re.S).group(1)
        assert float(re.search(r'data-beta="([^"]*)"', row).group(1)) == pytest.approx(beta, abs=1e-9)
    r2 = re.search(r"R² = ([0-9.]+)", html).group(1)
    assert float(r2) == pytest.approx(fit.rsquared, abs=5e-4) and float(r2) < 0.999
    assert "标准化回归系数" in html


def test_keywords_by_open_question_or_its_dimension(client_as, people, survey):
    """Answers to a question of the 服务 dimension are counted under 服务; a question without a
    dimension under its own text; each keyword once per answer (counted by hand)."""
    questionnaire = survey.questionnaire
    service = questionnaire.dimensions.get(code="D2")
    about_service = make_question(
        questionnaire, "Q8", text="服务方面的意见", kind=QuestionKind.TEXT, options=(), required=False,
        dimension=service, scored=False,
    )  # fmt: skip
    other = make_question(
        questionnaire, "Q9", text="其他意见", kind=QuestionKind.TEXT, options=(), required=False
    )
    questionnaire.refresh_from_db()
    answers = [("售后服务响应速度太慢", "包装破损"), ("响应速度还可以", "包装破损，交货期延误")]
    for n, (on_service, elsewhere) in enumerate(answers):
        data = {
            f"q-{q.pk}": str(q.options.get(label="满意").pk)
            for q in questionnaire.questions.filter(code__in=["Q1", "Q2", "Q3"])
        }
        data[f"q-{about_service.pk}"] = on_service
        data[f"q-{other.pk}"] = elsewhere
        data[f"q-{questionnaire.questions.get(code='NPS').pk}"] = "7"
        form = AnswerForm(questionnaire, data=data)
        assert form.is_valid(), form.errors
        save_response(
            campaign=survey, questionnaire=questionnaire, cleaned_data=form.cleaned_data, channel=Channel.EMAIL,
            invitation=make_invitation(survey, make_customer(code=f"K{n}", name=f"客户K{n}", region="华东")),
        )  # fmt: skip
    html = client_as(people.ana).get(reverse("dashboards:keywords", args=[survey.pk])).content.decode()
    groups = dict(
        re.findall(r'<div class="col-md-4" data-group="([^"]*)">.*?<p class="small">(.*?)</p>', html, re.S)
    )
    assert set(groups) == {"服务", "其他意见"}
    assert "响应速度 2" in groups["服务"] and "包装破损" not in groups["服务"]
    assert "包装破损 2" in groups["其他意见"] and "响应速度" not in groups["其他意见"]


def test_one_click_splits_the_scores_at_the_target_and_back(client_as, people, survey):
    """Seed 000 judges items against the target ("每项均满足了预定的90%的目标"): with a target set,
    one link puts the score line there; another puts it back at the items' means."""
    import html as html_module

    survey.target_index = 85
    survey.save()
    client = client_as(people.ana)
    url = reverse("dashboards:campaign", args=[survey.pk])
    page = client.get(url, {"segment": "channel"}).content.decode()
    link = re.search(r'<a href="([^"]*)" id="split-at-target">', page).group(1)
    assert "split-at-means" not in page
    page = client.get(url + html_module.unescape(link)).content.decode()
    lines = re.search(r'id="quadrant-lines" data-importance="([^"]*)" data-performance="([^"]*)"', page)
    assert float(lines.group(2)) == 85.0
    assert "segment=channel" in link  # the other choices are kept
    assert 'id="split-at-target"' not in page
    back = re.search(r'<a href="([^"]*)" id="split-at-means">', page).group(1)
    page = client.get(url + html_module.unescape(back)).content.decode()
    lines = re.search(r'id="quadrant-lines" data-importance="([^"]*)" data-performance="([^"]*)"', page)
    scores = [10 * statistics.mean(p[i] for _r, p, _n in ANSWERS) for i in range(3)]
    assert float(lines.group(2)) == pytest.approx(statistics.mean(scores))
