"""The builder's preview walks a path for a sample respondent (issue 21): a question asked only
of VIP customers appears when the preview's sample customer is a VIP, and one for customers
tagged 老客户 when that tag is typed."""

from manyi.surveys.choices import QuestionKind
from manyi.testing import make_question, make_questionnaire


def test_the_preview_follows_the_sample_customer(page, login, people, screenshot, transactional_db):
    questionnaire = make_questionnaire(title="大客户满意度调查", created_by=people.alice)
    make_question(questionnaire, code="Q1", text="总体满意度")
    vip = make_question(
        questionnaire, code="Q2", text="专属客户经理的服务", condition='customer.type == "vip"'
    )
    loyal = make_question(
        questionnaire,
        code="Q3",
        text="作为老客户，您希望得到哪些回馈？",
        kind=QuestionKind.TEXT,
        options=(),
        condition='"老客户" in customer.tags',
    )
    questionnaire.save()
    login(people.alice)
    page.goto(f"{page.base_url}/surveys/{questionnaire.pk}/preview/")
    page.wait_for_load_state("load")
    vip_question = page.locator(f"#question-{vip.pk}")
    loyal_question = page.locator(f"#question-{loyal.pk}")
    vip_question.wait_for(state="hidden")
    assert loyal_question.is_hidden()
    sample = page.locator("[data-logic-sample='customer.type']")
    assert sample.is_visible()

    sample.select_option("vip")
    vip_question.wait_for(state="visible")
    page.fill("[data-logic-sample='customer.tags']", "华东, 老客户")
    loyal_question.wait_for(state="visible")
    screenshot("conditions-preview-sample-vip")

    sample.select_option("normal")
    vip_question.wait_for(state="hidden")
    assert loyal_question.is_visible()


def _entry(page, key):
    return page.locator("#chooser-question option", has_text=key + " ").get_attribute("value")


def test_the_chooser_offers_the_customers_fields(page, login, people, transactional_db):
    questionnaire = make_questionnaire(title="大客户满意度调查", created_by=people.alice)
    make_question(questionnaire, code="Q1", text="总体满意度")
    login(people.alice)
    page.goto(f"{page.base_url}/surveys/{questionnaire.pk}/")
    page.click("#add-question")
    page.fill("#id_code", "Q2")
    page.fill("#id_text", "您希望专属客户经理提供哪些服务？")
    page.select_option("#id_kind", "text")
    page.select_option("#chooser-question", _entry(page, "customer.type"))
    assert page.locator("#chooser-operator option[value=le]").is_disabled()  # a field has no points
    page.select_option("#chooser-operator", "any")
    page.select_option("#chooser-value", ["vip", "key"])
    page.click("#chooser-and")
    page.select_option("#chooser-question", _entry(page, "customer.purchases"))
    page.select_option("#chooser-operator", "ge")
    page.fill("#chooser-text", "2")
    page.click("#chooser-and")
    expected = 'any_of(customer.type, "vip", "key") and customer.purchases >= 2'
    assert page.input_value("#id_condition") == expected
    page.click("#save-question")
    page.wait_for_url("**/surveys/*/#question-*")
    assert questionnaire.questions.get(code="Q2").condition == expected
