"""Intake in a real browser (issue 5): a customer sends feedback with a photo from a phone; the
agent sees the photo on the ticket and adds a PDF; a fake image is refused; the API docs page
draws its Swagger UI from our own static files only."""

from urllib.parse import urlparse

from manyi.tickets.attachments import Attachment
from manyi.tickets.choices import TicketState
from manyi.tickets.models import Ticket
from manyi.tickets.tests.sample_files import HTML, image_bytes, pdf_bytes, use_attachment_root

from .conftest import SCREENSHOTS


def test_a_photo_from_the_feedback_page_reaches_the_ticket(
    page, login, screenshot, people, settings, tmp_path, browser, live_server
):
    use_attachment_root(settings, tmp_path)
    from django.core.cache import cache

    cache.clear()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    customer = phone.new_page()
    customer.goto(live_server.url + "/feedback/")
    customer.fill("#id_contact_name", "张先生")
    customer.fill("#id_contact_phone", "13812345678")
    customer.select_option("#id_category", label="物流配送")
    customer.fill("#id_description", "快递一周才到，外箱压坏了，照片见附件。")
    customer.set_input_files(
        "#id_attachments",
        [{"name": "箱子.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(320, 240))}],
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    customer.screenshot(path=str(SCREENSHOTS / "feedback-with-photo-phone.png"), full_page=True)
    customer.click("#submit-button")
    customer.wait_for_url("**/feedback/thanks/**")
    phone.close()
    ticket = Ticket.objects.get()
    assert [a.original_name for a in ticket.attachments.all()] == ["箱子.png"]

    login(people.amy)
    page.goto(page.base_url + ticket.get_absolute_url())
    link = page.locator("#attachments a", has_text="箱子.png")
    assert link.count() == 1
    with page.expect_response(lambda r: "/attachments/" in r.url) as info:
        page.evaluate("url => fetch(url)", link.get_attribute("href"))
    assert info.value.status == 200 and info.value.headers["content-type"] == "image/png"

    page.set_input_files(
        "#attachment-form input[type=file]",
        [{"name": "质检报告.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    page.click("#attachment-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#attachments a", has_text="质检报告.pdf").count() == 1
    assert "质检报告.pdf" in page.inner_text("#timeline")

    page.set_input_files(
        "#attachment-form input[type=file]",
        [{"name": "发票.jpg", "mimeType": "image/jpeg", "buffer": HTML}],
    )
    page.click("#attachment-form button[type=submit]")
    page.wait_for_load_state()
    assert "发票.jpg" in page.inner_text(".alert-danger")
    assert Attachment.objects.count() == 2
    assert Ticket.objects.get().state == TicketState.NEW
    screenshot("ticket-attachments")


def test_the_api_docs_page_needs_no_other_site(page, screenshot, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert "/api/tickets" in page.inner_text(".swagger-ui")
    hosts = {urlparse(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {urlparse(live_server.url).netloc}
    screenshot("api-docs")
