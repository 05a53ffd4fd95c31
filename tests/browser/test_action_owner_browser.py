"""The owner of a preventive action on another department's ticket finds it and reports it done
(issue 16, why 4): 吴磊 of 技术部 goes from the ticket queue to 我负责的措施, reports the action
done there and opens the ticket, which a colleague of his cannot."""

from datetime import timedelta

from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.testing import make_department, make_user
from manyi.tickets import workflow
from manyi.tickets.choices import ActionKind, ActionStatus, Channel


def test_the_owner_reports_his_action_done_from_his_list(page, login, people, screenshot):
    tech = make_department(name="技术部", code="TECH")
    wu = make_user("wulei", Role.HANDLER, department=tech, last_name="吴", first_name="磊")
    zheng = make_user("zhengjie", Role.HANDLER, department=tech, last_name="郑", first_name="洁")
    ticket = workflow.open_ticket(
        by=people.amy, channel=Channel.PHONE, subject="外壳开裂", description="客户反映外壳在低温下开裂。"
    )
    workflow.acknowledge(ticket, people.amy)
    workflow.assign(ticket, people.sam, people.quality)
    workflow.start_investigation(ticket, people.hank)
    action = workflow.add_action(
        ticket,
        people.hank,
        kind=ActionKind.PREVENTIVE,
        description="修改注塑工艺参数并验证低温强度",
        owner=wu,
        deadline=timezone.localdate() + timedelta(days=7),
    )

    login(wu)
    page.goto(page.base_url + "/tickets/")
    assert page.inner_text("#my-actions").startswith("我负责的措施")
    page.click("#my-actions")
    page.wait_for_url("**/improvements/mine/")
    row = page.locator(f"#action-{action.pk}")
    assert "修改注塑工艺参数并验证低温强度" in row.inner_text()
    assert ticket.reference in row.inner_text()
    assert "措施内容" in page.inner_text("#ticket-actions thead")
    screenshot("action_owner_list")

    row.locator("summary").click()
    row.locator("textarea[name=result]").fill("参数已改，-20℃ 试验通过")
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/improvements/mine/")
    assert "已完成" in page.locator(f"#action-{action.pk}").inner_text()
    screenshot("action_owner_list_done")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE

    page.click(f"#action-{action.pk} a")
    page.wait_for_url(f"**{ticket.get_absolute_url()}")
    assert "参数已改" in page.inner_text("#actions")
    screenshot("action_owner_ticket")

    page.context.clear_cookies()
    login(zheng)
    response = page.goto(page.base_url + ticket.get_absolute_url())
    assert response.status == 404
