"""The satisfaction model builder in a real browser: renaming a construct renames it in the paths
and in the second-order construct, rows are added, the edited model is estimated and saved."""

import pytest

from manyi.campaigns.choices import CampaignState, Channel
from manyi.dashboards.models import SavedPathModel
from manyi.dashboards.tests.test_path_model_builder import answer_synthetically
from manyi.surveys.loader import create_from_template
from manyi.testing import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def iso_campaign(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    campaign = make_campaign(
        create_from_template("iso9001_ten_items"), state=CampaignState.RUNNING, channels=[Channel.EMAIL]
    )
    answer_synthetically(campaign)
    return campaign


def test_a_supervisor_renames_a_construct_adds_a_path_and_saves_the_model(
    page, login, people, screenshot, iso_campaign
):
    from manyi.results import dataset

    dataset.forget()
    login(people.sam)
    page.goto(page.base_url + f"/dashboards/campaigns/{iso_campaign.pk}/model/")
    page.wait_for_selector("#chart-model svg")
    assert "维度得分" in page.inner_text("#model-proposal")
    screenshot("model-builder-proposed")

    # 交付 (construct row 5) becomes 交付能力: its path and the second-order boxes follow, a
    # ticked box staying ticked (here in the blank row, ticked and then cleared again).
    page.click("[data-construct-row]:nth-child(7) summary")
    page.check("input[name='construct-6-lower_order'][value='交付']")
    page.fill("input[name='construct-4-name']", "交付能力")
    page.press("input[name='construct-4-name']", "Tab")
    assert page.input_value("select[name='path-4-source']") == "交付能力"
    assert page.is_checked("input[name='construct-6-lower_order'][value='交付能力']")
    assert page.locator("input[name$='-lower_order'][value='交付']").count() == 0
    page.uncheck("input[name='construct-6-lower_order'][value='交付能力']")

    # A new path row offers the constructs as they are named now.
    page.click("[data-add-row='path']")
    new_path = page.locator("select[name='path-7-source']")
    assert "交付能力" in new_path.locator("option").all_inner_texts()
    new_path.select_option("价格")
    page.select_option("select[name='path-7-target']", "产品")

    page.click("#estimate-form")
    page.wait_for_selector("#chart-model svg")
    paths = page.locator("#paths tbody tr").all_inner_texts()
    assert any(row.startswith("交付能力 → 总体满意度") for row in paths)
    assert any(row.startswith("价格 → 产品") for row in paths)
    screenshot("model-builder-edited")

    page.click("#save-form")
    page.wait_for_selector("#model-source")
    saved = SavedPathModel.objects.get(questionnaire=iso_campaign.questionnaire).spec
    assert ["价格", "产品"] in saved["paths"] and "交付能力" in saved["constructs"]
    assert "模型已保存" in page.inner_text("main")
    dataset.forget()
