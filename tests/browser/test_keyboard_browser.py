"""Keyboard use (issue 20, WCAG 2.1.1, 2.4.1, 2.4.7): a customer answers a questionnaire and a
member of staff signs in and reaches the page's content with the keyboard alone; the focused
element is always visibly outlined; a refused page's error summary takes the focus and its links
lead to the question."""

from manyi.accounts.choices import Role
from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Response
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire, make_user

ACTIVE = "() => { const e = document.activeElement; return e ? (e.id || e.getAttribute('name') || e.tagName) : null; }"
OUTLINE = (
    "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
)


def tab_to(page, element_id, limit=80, key="Tab"):
    """Press Tab until the element with this id has the focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(ACTIVE) == element_id:
            return
    raise AssertionError(f"#{element_id} never took the focus with {key}")


def choose(page, question, option):
    """Tab into the question's radio group, then move with the arrow keys to the option (the way
    a keyboard user chooses in a group: Tab enters it, arrows move and select)."""
    prefix = f"q-{question.pk}-"
    for _ in range(80):
        page.keyboard.press("Tab")
        if (page.evaluate(ACTIVE) or "").startswith(prefix):
            break
    else:
        raise AssertionError(f"no option of {question.code} took the focus with Tab")
    target = f"{prefix}{option.pk}"
    for _ in range(10):
        if page.evaluate(ACTIVE) == target:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.is_checked(f"#{target}")


def assert_focus_visible(page):
    style, width = page.evaluate(OUTLINE)
    assert style != "none" and float(width.removesuffix("px")) >= 2, (style, width)


def test_a_customer_answers_with_the_keyboard_alone(browser, live_server):
    questionnaire = make_questionnaire(title="售后服务满意度调查")
    q1 = make_question(questionnaire, code="Q1", text="您对产品质量的满意程度")
    q2 = make_question(questionnaire, code="Q2", text="您对服务人员态度的满意程度")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
    invitation = make_invitation(campaign)
    satisfied = q1.options.get(label="满意")
    very = q2.options.get(label="很满意")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/s/{invitation.token}/")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
        assert page.is_visible(".skip-link")  # shown when it has the focus
        assert_focus_visible(page)

        choose(page, q1, satisfied)
        assert_focus_visible(page)

        # Submitting with Q2 unanswered: the summary takes the focus; its link leads to Q2.
        tab_to(page, "submit-button")
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        page.wait_for_selector("#error-summary")
        assert page.evaluate(ACTIVE) == "error-summary"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.getAttribute('href')") == f"#question-{q2.pk}"
        page.keyboard.press("Enter")
        assert page.url.endswith(f"#question-{q2.pk}")

        choose(page, q2, very)
        tab_to(page, "submit-button")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-page=thanks]")
    finally:
        context.close()
    response = Response.objects.get(status=ResponseStatus.COMPLETED)
    assert {answer.question_id: answer.option_id for answer in response.answers.all()} == {
        q1.pk: satisfied.pk,
        q2.pk: very.pk,
    }


def test_staff_sign_in_and_skip_to_the_content_with_the_keyboard(browser, live_server, db):
    make_user("kate", Role.SUPERVISOR, password="correct horse battery")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        tab_to(page, "id_username")
        page.keyboard.type("kate")
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE) == "id_password"
        page.keyboard.type("correct horse battery")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        assert page.evaluate(ACTIVE) == "main"  # the next Tab starts inside the page's content
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
        assert_focus_visible(page)
    finally:
        context.close()
