from manyi.surveys.models import Questionnaire


def test_an_administrator_builds_a_questionnaire_from_a_template_and_previews_it_on_a_phone(
    page, login, people, screenshot
):
    login(people.alice)
    page.goto(page.base_url + "/surveys/templates/")
    page.click("[data-key=iso9001_ten_items] button[type=submit]")
    page.wait_for_url("**/surveys/*/")
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.template_key == "iso9001_ten_items"
    assert "顾客满意度调查表" in page.inner_text("#questionnaire-title")

    # A new question with Chinese text on the 10/8/6/4/2 scale, in the service dimension.
    page.click("#add-question")
    assert page.input_value("#id_code") == "Q14"
    page.fill("#id_text", "售后工程师到场是否及时")
    page.select_option("#id_dimension", label="服务")
    page.click(".quick-fill[data-key=five_10]")
    assert page.input_value("#id_options-2-label") == "可以接受"
    assert page.is_checked("#id_options-2-is_neutral")
    page.click("#save-question")
    page.wait_for_url("**/surveys/*/#question-*")
    question = questionnaire.questions.get(code="Q14")
    assert question.dimension.title == "服务"
    assert [(o.label, o.points) for o in question.options.all()] == [
        ("很满意", 10),
        ("满意", 8),
        ("可以接受", 6),
        ("不满意", 4),
        ("很不满意", 2),
    ]
    assert "售后工程师到场是否及时" in page.inner_text("#questions")

    # Reordering is an htmx partial update: the page stays, the list changes.
    page.click(f"#question-{question.pk} button[aria-label]:not([disabled])")
    page.wait_for_function(
        "document.querySelector('[data-code=Q14]').previousElementSibling?.dataset.code === 'Q7'"
    )
    screenshot("questionnaire-builder")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/surveys/{questionnaire.pk}/preview/")
    assert "售后工程师到场是否及时" in page.inner_text("#preview-form")
    page.click(f"label[for=preview-{question.pk}-{question.options.get(points=8).pk}]")
    assert page.is_checked(f"#preview-{question.pk}-{question.options.get(points=8).pk}")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("questionnaire-preview-mobile")
