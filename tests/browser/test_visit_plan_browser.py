"""The plan table in a browser (issue 16, why 6): the visits the rules planned are in it, two
reasons of one customer on one day are one row, and what the rules will still plan in the
month is loaded below it after the page (htmx)."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from manyi.customers.choices import Lifecycle
from manyi.customers.models import Customer
from manyi.testing import make_customer, make_purchase
from manyi.visits.choices import RuleKind
from manyi.visits.models import VisitRule
from manyi.visits.planner import LEAD_DAYS, add_months, plan_visits


def test_the_plan_lists_the_rules_visits_once_a_customer_and_what_is_to_come(
    page, login, people, screenshot, transactional_db
):
    today = timezone.localdate()
    VisitRule.objects.create(
        name="保修期满回访", kind=RuleKind.WARRANTY_END, purpose="保修期满：介绍维保服务"
    )
    VisitRule.objects.create(name="保修期内半年回访", kind=RuleKind.HALF_YEARLY, purpose="保修期内定期回访")
    VisitRule.objects.create(name="活跃客户月度例行回访", kind=RuleKind.MONTHLY, purpose="例行回访")
    # A one-year warranty ending today: its half-yearly visit falls on the same day.
    customer = make_customer(name="杭州恒信机械有限公司", owner=people.amy)
    delivered = add_months(today, -12)
    make_purchase(customer, purchased_on=delivered, delivered_on=delivered, warranty_end=today)
    active = [make_customer(name=f"月度客户{n}", owner=people.amy) for n in range(8)]
    Customer.objects.filter(pk__in=[c.pk for c in active]).update(lifecycle=Lifecycle.ACTIVE)
    plan_visits(today)

    login(people.sam)
    page.goto(page.base_url + "/visits/plans/")
    rows = page.locator("#plans tbody tr", has_text="杭州恒信机械有限公司")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("保修期满：介绍维保服务；保修期内定期回访")
    expect(rows).to_contain_text("保修期满回访")
    # Next month: no task made yet; the monthly visits of the active customers are to come.
    next_month = add_months(today.replace(day=1), 1)
    later = [c for c in active if next_month + timedelta(days=c.pk % 28) > today + timedelta(days=LEAD_DAYS)]
    page.goto(page.base_url + f"/visits/plans/?month={next_month:%Y-%m}")
    expect(page.locator("#coming-total")).to_have_text(str(len(later)))
    expect(page.locator("#plan-coming")).to_contain_text("活跃客户月度例行回访")
    screenshot("visits-plan-next-month")
