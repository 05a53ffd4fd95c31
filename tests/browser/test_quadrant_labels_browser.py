"""Item labels on the importance-performance chart stay inside the chart, also for an item
scored near 100 with a long name (they ran off its right edge)."""

import pytest

from manyi.campaigns.choices import CampaignState, Channel
from manyi.surveys.choices import QuestionKind
from manyi.testing import (
    answer,
    make_campaign,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
)

pytestmark = pytest.mark.django_db(transaction=True)
LABEL = {10: "很满意", 8: "满意", 6: "可以接受", 4: "不满意", 2: "很不满意"}
# Points of the three items and the recommendation: the long-named item is nearly always 很满意.
ANSWERS = [
    ((10, 8, 6), 9), ((10, 6, 8), 8), ((10, 8, 8), 9), ((10, 4, 6), 5), ((8, 6, 4), 4),
    ((10, 10, 8), 10), ((10, 6, 6), 6), ((10, 8, 4), 7), ((10, 4, 4), 3), ((10, 10, 10), 10),
]  # fmt: skip


@pytest.fixture
def survey(settings, tmp_path):
    from manyi.results import dataset

    settings.VAR_DIR = tmp_path
    dataset.forget()
    questionnaire = make_questionnaire(title="售后服务满意度")
    texts = ("售后服务工程师的专业技术水平与响应速度", "备件供应", "价格")
    questions = [make_question(questionnaire, f"Q{n}", text=text) for n, text in enumerate(texts, 1)]
    nps = make_question(
        questionnaire, "NPS", text="推荐意愿", kind=QuestionKind.NPS, options=(), scored=False
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    for points, recommend in ANSWERS:
        data = {
            f"q-{q.pk}": str(q.options.get(label=LABEL[p]).pk) for q, p in zip(questions, points, strict=True)
        }
        data[f"q-{nps.pk}"] = str(recommend)
        answer(campaign, data, invitation=make_invitation(campaign, make_customer()))
    return campaign


def test_the_quadrant_labels_stay_inside_the_chart(page, login, people, screenshot, survey):
    login(people.ana)
    page.goto(page.base_url + f"/dashboards/campaigns/{survey.pk}/")
    page.wait_for_selector("#chart-importance svg text")
    outside = page.eval_on_selector(
        "#chart-importance svg",
        """svg => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll("text")]
                .filter(t => t.textContent.trim())
                .map(t => [t.textContent.trim(), t.getBoundingClientRect()])
                .filter(([_, r]) => r.right > box.right + 0.5 || r.left < box.left - 0.5)
                .map(([text]) => text);
        }""",
    )
    screenshot("quadrant-labels")
    assert outside == []
    texts = page.eval_on_selector("#chart-importance svg", "svg => svg.textContent")
    assert "售后服务工程师的专业技术水平与响应速度" in texts
