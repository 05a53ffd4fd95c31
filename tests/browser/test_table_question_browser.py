"""A customer fills two rows of the express survey's table (seed 000, 快递调查 四: 快递公司 / 件量占比 /
优势 / 劣势) in a real browser; the response page and the dashboard's summary show them."""

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Response
from manyi.campaigns.tests.test_table_answers import make_table_question
from manyi.results.tests.conftest import fresh_datasets  # noqa: F401
from manyi.surveys.tables import cell_name
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire, make_user


def test_two_rows_filled_in_the_browser_reach_the_response_and_the_summary(
    page,
    live_server,
    screenshot,
    login,
    fresh_datasets,  # noqa: F811
):
    from manyi.accounts.choices import Role

    questionnaire = make_questionnaire(title="快递服务满意度调查", thanks="感谢您的宝贵意见！")
    rated = make_question(questionnaire, code="Q1", text="快件递送时效")
    table = make_table_question(
        questionnaire, code="Q21", text="目前主要合作的快递公司及发件量占比？", table_shares_within_100=True
    )
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    column = {c.code: c for c in table.columns.all()}

    page.goto(f"{live_server.url}/s/{invitation.token}/")
    page.click(f"label[for='q-{rated.pk}-{rated.options.get(label='满意').pk}']")
    page.fill(f"#{cell_name(table, 1, column['company'])}", "圆通")
    page.fill(f"#{cell_name(table, 1, column['share'])}", "50")
    page.fill(f"#{cell_name(table, 1, column['pros'])}", "速度较好")
    page.fill(f"#{cell_name(table, 1, column['cons'])}", "售后处理不够快")
    page.fill(f"#{cell_name(table, 2, column['company'])}", "中通")
    page.fill(f"#{cell_name(table, 2, column['share'])}", "70")
    assert page.inner_text("#progress-answered") == "2"  # the rated item and the table

    page.click("#submit-button")  # 50 + 70 > 100: refused, the cells kept
    page.wait_for_selector("#error-summary")
    assert "合计 120%" in page.inner_text("#error-summary")
    assert page.input_value(f"#{cell_name(table, 2, column['company'])}") == "中通"
    assert not Response.objects.exists()

    page.fill(f"#{cell_name(table, 2, column['share'])}", "30")
    page.fill(f"#{cell_name(table, 2, column['pros'])}", "价格便宜")
    screenshot("table-answer-page")
    page.click("#submit-button")
    page.wait_for_selector("[data-page=thanks]")
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED

    login(make_user("sam", Role.SUPERVISOR))
    page.goto(f"{live_server.url}/campaigns/entry/responses/{response.pk}/")
    assert page.input_value(f"#{cell_name(table, 1, column['company'])}") == "圆通"
    assert page.input_value(f"#{cell_name(table, 2, column['share'])}") == "30"
    screenshot("table-response")

    page.goto(f"{live_server.url}/dashboards/campaigns/{campaign.pk}/")
    summary = page.locator("#table-summary-Q21")
    summary.wait_for()
    rows = summary.locator("tr.named-row")
    assert rows.count() == 2
    text = summary.inner_text()
    assert "圆通" in text and "50.0%" in text and "速度较好" in text and "售后处理不够快" in text
    assert "中通" in text and "30.0%" in text and "价格便宜" in text
    summary.scroll_into_view_if_needed()
    screenshot("table-summary")


def test_a_designer_adds_and_reorders_the_columns_of_a_table_question(page, login, people, screenshot):
    from manyi.surveys.choices import QuestionKind

    questionnaire = make_questionnaire(title="快递服务满意度调查")
    login(people.alice)
    page.goto(f"{page.base_url}/surveys/{questionnaire.pk}/questions/new/")
    assert page.locator("#columns-editor").is_hidden()
    page.select_option("#id_kind", "table")
    assert page.locator("#columns-editor").is_visible() and page.locator("#options-editor").is_hidden()
    assert not page.is_checked("#id_scored")
    page.fill("#id_text", "目前主要合作的快递公司及发件量占比？")
    for code, label, kind in [("share", "件量占比", "percent"), ("company", "快递公司", "text")]:
        page.click("#add-column")
        row = page.locator("#column-rows tr").last
        row.locator("input[name$='-code']").fill(code)
        row.locator("input[name$='-label']").fill(label)
        row.locator("select[name$='-kind']").select_option(kind)
    page.locator("#column-rows tr").last.locator("input[name$='-required']").check()
    page.locator("#column-rows tr").last.locator("button.column-up").click()  # 快递公司 first
    assert page.locator("#column-rows tr").first.locator("input[name$='-code']").input_value() == "company"
    page.fill("#id_table_max_rows", "3")
    page.check("#id_table_shares_within_100")
    screenshot("table-columns-editor")
    page.click("#save-question")
    page.wait_for_url("**/surveys/*/#question-*")
    question = questionnaire.questions.get(kind=QuestionKind.TABLE)
    assert [(c.code, c.kind, c.required) for c in question.columns.all()] == [
        ("company", "text", True),
        ("share", "percent", False),
    ]
    assert question.table_max_rows == 3 and question.table_shares_within_100
