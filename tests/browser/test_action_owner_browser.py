"""The owner of a preventive action on another department's ticket finds it and reports it done
(issue 16, why 4): 何强 of 质量部 plans it for 吴磊 of 技术部 (a refused deadline keeps what he
typed); 吴磊 goes from the ticket queue to 我负责的措施, reports the action done there and opens the
ticket, which a colleague of his cannot."""

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

    # 何强 (质量部) plans the action on his ticket; a deadline in the past is refused and the
    # form comes back as he filled it (issue 16, why 7: owner and deadline were cleared).
    login(people.hank)
    page.goto(page.base_url + ticket.get_absolute_url())
    assert page.inner_text("label[for=action_description]") == "措施内容"
    page.select_option("#action_kind", ActionKind.PREVENTIVE)
    page.select_option("#action_owner", str(wu.pk))
    page.fill("#action_deadline", "2020-01-01")
    page.fill("#action_description", "修改注塑工艺参数并验证低温强度")
    page.click("#action-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#action-form-error") == "截止日期不能早于今天。"
    assert page.input_value("#action_owner") == str(wu.pk)
    assert page.input_value("#action_deadline") == "2020-01-01"
    assert page.input_value("#action_kind") == ActionKind.PREVENTIVE
    assert page.input_value("#action_description") == "修改注塑工艺参数并验证低温强度"
    page.locator("#add-action").scroll_into_view_if_needed()
    screenshot("action_form_refused_keeps_input")
    page.fill("#action_deadline", (timezone.localdate() + timedelta(days=7)).isoformat())
    page.click("#action-form button[type=submit]")
    page.wait_for_load_state()
    action = ticket.actions.get()
    assert (action.owner, action.kind) == (wu, ActionKind.PREVENTIVE)

    page.context.clear_cookies()
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
