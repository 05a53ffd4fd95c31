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
    screenshot("questionnaire-question-form")
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
        "() => document.querySelector('[data-code=Q14]').previousElementSibling?.dataset.code === 'Q7'"
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


def test_a_supervisor_adds_a_matrix_and_an_nps_question(page, login, people, screenshot):
    from manyi.testing import make_questionnaire

    questionnaire = make_questionnaire(title="酒店宾客满意度")
    login(people.sam)
    page.goto(page.base_url + f"/surveys/{questionnaire.pk}/questions/new/")
    assert page.is_hidden("#rows-editor")
    page.select_option("#id_kind", "matrix")
    assert page.is_visible("#rows-editor")
    page.fill("#id_text", "请评价以下各项")
    page.click(".quick-fill[data-key=likert5]")
    for code, text in [("Q1a", "前台服务"), ("Q1b", "客房清洁")]:
        page.click("#add-row")
        page.locator("#matrix-rows tr").last.locator("input[name$='-code']").fill(code)
        page.locator("#matrix-rows tr").last.locator("input[name$='-text']").fill(text)
    page.click("#save-question")
    page.wait_for_url("**/surveys/*/#question-*")
    matrix = questionnaire.questions.get(code="Q1")
    assert [r.code for r in matrix.rows.all()] == ["Q1a", "Q1b"]
    assert matrix.options.count() == 5

    page.click("#add-question")
    assert page.input_value("#id_code") == "Q2"
    page.click(".quick-fill[data-key=five_10]")
    page.select_option("#id_kind", "nps")
    assert page.is_hidden("#options-editor") and not page.is_checked("#id_scored")
    page.fill("#id_text", "您向朋友推荐本酒店的可能性有多大？")
    page.click("#save-question")
    page.wait_for_url("**/surveys/*/#question-*")
    assert questionnaire.questions.get(code="Q2").kind == "nps"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/surveys/{questionnaire.pk}/preview/")
    assert page.locator("table.matrix tbody tr").count() == 2
    assert page.locator(".nps-point").count() == 11
    screenshot("questionnaire-preview-matrix-nps-mobile")
