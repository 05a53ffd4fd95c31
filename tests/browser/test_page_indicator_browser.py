"""Pages that a condition shows or hides, live (issue 21).

The public answer page's indicator ("第 1 页，共 3 页") counts the pages shown: answering "是" to
"报修过吗" shows the repair page, so the total goes from 2 to 3 at once, without a reload, and
back to 2 on "否". The agent's phone-entry form shows every page's heading before its questions,
and hides the repair page's heading with its questions while the answers do not call for it;
an earlier answer piped into a later question follows as the agent enters it.
"""

from manyi.campaigns.choices import Channel
from manyi.campaigns.models import Campaign
from manyi.testing import make_invitation
from tests.browser.test_answer_pages_browser import PHONE, _pick, _shot, _survey


def test_the_page_indicator_follows_a_page_condition_live(browser, live_server):
    campaign, q1, q2, _q3, _q4, _q5 = _survey()
    invitation = make_invitation(campaign)
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{invitation.token}/")
    indicator = page.locator("#page-indicator")
    assert indicator.inner_text() == "第 1 页，共 2 页"  # not yet answered: no repair page
    _pick(page, q1, "是")
    page.wait_for_function("document.getElementById('page-indicator').textContent.includes('共 3 页')")
    assert indicator.inner_text() == "第 1 页，共 3 页"
    _shot(page, "page-indicator-three-pages")
    _pick(page, q1, "否")
    page.wait_for_function("document.getElementById('page-indicator').textContent.includes('共 2 页')")
    _pick(page, q1, "是")
    _pick(page, q2, "满意")
    page.click("#next-button")
    page.wait_for_selector("#page-title:has-text('维修服务')")
    assert indicator.inner_text() == "第 2 页，共 3 页"  # the server's count agrees
    context.close()


def test_the_phone_entry_form_shows_the_page_headings(page, login, people, screenshot, transactional_db):
    campaign, q1, q2, q3, _q4, q5 = _survey()
    Campaign.objects.filter(pk=campaign.pk).update(channels=[Channel.EMAIL, Channel.PHONE])
    invitation = make_invitation(campaign, channel=Channel.PHONE)
    login(people.amy)
    page.goto(f"{page.base_url}/campaigns/entry/invitations/{invitation.pk}/phone/")
    page.wait_for_load_state("load")
    headings = page.locator("[data-page-section] h2")
    assert headings.all_inner_texts() == ["基本情况", "维修服务", "总体评价"]
    repair = page.locator("[data-page-section='1']")
    repair.wait_for(state="hidden")  # 报修过吗 not answered yet
    _pick(page, q1, "是")
    repair.wait_for(state="visible")
    page.locator(f"#question-{q3.pk}").wait_for(state="visible")
    assert "您最近报修过" in repair.inner_text()
    screenshot("page-headings-phone-entry")
    _pick(page, q1, "否")
    repair.wait_for(state="hidden")
    piped = page.locator(f"#question-{q5.pk} [data-pipe=Q2]")
    assert piped.inner_text() == "—"
    _pick(page, q2, "满意")  # the agent reads the next question with the answer in it
    page.wait_for_function(
        f"document.querySelector('#question-{q5.pk} [data-pipe=Q2]').textContent === '满意'"
    )
