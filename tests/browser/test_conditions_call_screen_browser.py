"""An agent walks a branch on the visit call screen (issue 21): the customer is a VIP, so the
VIP question is asked from the start; "why" appears when the rating is 不满意 and goes away
when the customer changes it to 满意, and its answer is then not saved. The server applies the
same rule (manyi/visits/tests/test_call_conditions.py)."""

from manyi.campaigns.models import Answer
from manyi.customers.choices import CustomerType
from manyi.testing import make_customer
from manyi.visits.models import VisitRecord
from manyi.visits.tests.factories import make_task
from manyi.visits.tests.test_call_conditions import make_branching_campaign


def _pick(page, question, label):
    page.click(f"label[for='q-{question.pk}-{question.options.get(label=label).pk}']")


def test_the_call_screen_shows_the_why_question_live_and_saves_the_path_taken(
    page, login, people, screenshot, transactional_db
):
    campaign, q1, q2, q3 = make_branching_campaign()
    customer = make_customer(name="宁波海天贸易有限公司", customer_type=CustomerType.VIP, owner=people.amy)
    task = make_task(customer, agent=people.amy, campaign=campaign)
    login(people.amy)
    page.goto(f"{page.base_url}/visits/tasks/{task.pk}/")
    why = page.locator(f"#question-{q2.pk}")
    vip = page.locator(f"#question-{q3.pk}")
    vip.wait_for(state="visible")  # the customer's type is known on the page
    assert why.is_hidden()

    _pick(page, q1, "不满意")
    why.wait_for(state="visible")
    page.fill(f"#q-{q2.pk}", "安装师傅迟到两小时")
    screenshot("conditions-call-screen-why")

    _pick(page, q1, "满意")  # the customer corrects the rating: "why" goes away
    why.wait_for(state="hidden")
    assert page.locator(f"#q-{q2.pk}").is_disabled()
    _pick(page, q3, "很满意")
    page.fill("#id_rec-notes", "客户对设备满意")
    page.click("#submit-record")
    page.wait_for_url("**/visits/records/*/")

    response = VisitRecord.objects.get().response
    saved = dict(Answer.objects.filter(response=response).values_list("question__code", "option__label"))
    assert saved == {"Q1": "满意", "Q3": "很满意"}


def test_a_normal_customer_is_not_asked_the_vip_question(page, login, people, transactional_db):
    campaign, q1, q2, q3 = make_branching_campaign()
    task = make_task(make_customer(customer_type=CustomerType.NORMAL), agent=people.amy, campaign=campaign)
    login(people.amy)
    page.goto(f"{page.base_url}/visits/tasks/{task.pk}/")
    page.locator(f"#question-{q1.pk}").wait_for(state="visible")
    vip = page.locator(f"#question-{q3.pk}")
    vip.wait_for(state="hidden")
    assert page.locator(f"#q-{q3.pk}-{q3.options.first().pk}").is_disabled()
    _pick(page, q1, "很不满意")
    page.locator(f"#question-{q2.pk}").wait_for(state="visible")
    assert vip.is_hidden()
