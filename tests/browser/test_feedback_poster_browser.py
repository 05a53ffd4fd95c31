"""The feedback form's poster in a real browser: reached from the ticket queue, the QR code is
drawn, and printing leaves out the navigation."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_prints_the_feedback_poster(page, login, people, screenshot, settings):
    settings.SITE_URL = "https://manyi.example.com"
    login(people.sam)
    page.goto(page.base_url + "/tickets/")
    page.click("#feedback-poster")
    page.wait_for_selector("#poster-qr")
    page.wait_for_load_state("load")  # the QR code is an image: drawn once the page has loaded
    assert page.inner_text("#poster-address") == "https://manyi.example.com/feedback/"
    size = page.eval_on_selector("#poster-qr", "img => [img.naturalWidth, img.complete]")
    assert size[1] and size[0] > 100  # the SVG loaded and is drawn
    screenshot("feedback-poster")
    page.emulate_media(media="print")
    assert not page.is_visible("nav.navbar")
    assert page.is_visible("#poster-qr")
    screenshot("feedback-poster-print")
