"""On the visit call screen the agent reads the later question with the answer just given in it
(issue 21): picking 满意 for Q1 puts 满意 into Q2's text at once, without a reload."""

from manyi.customers.choices import CustomerType
from manyi.testing import make_customer
from manyi.visits.tests.factories import make_task
from manyi.visits.tests.test_call_piping import piped_campaign


def test_an_answer_is_piped_into_the_next_question_as_it_is_given(
    page, login, people, screenshot, transactional_db
):
    campaign, q1 = piped_campaign()
    task = make_task(
        make_customer(customer_type=CustomerType.VIP, owner=people.amy), agent=people.amy, campaign=campaign
    )
    login(people.amy)
    page.goto(f"{page.base_url}/visits/tasks/{task.pk}/")
    piped = page.locator("span.piped[data-pipe='Q1']")
    assert piped.text_content() == "—"
    page.click(f"label[for='q-{q1.pk}-{q1.options.get(label='满意').pk}']")
    page.wait_for_function("document.querySelector(\"span.piped[data-pipe='Q1']\").textContent === '满意'")
    screenshot("call-screen-piping")
