"""The navigation fits one line at 1366 px in both languages for the role with the most
entries (the administrator), and the entries moved into menus are still reached."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_administrators_navigation_fits_one_line_at_1366_px(page, login, people, screenshot, language):
    login(people.alice)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto(page.base_url + "/customers/")
    assert page.viewport_size["width"] == 1366
    height = page.eval_on_selector("nav.navbar", "nav => nav.getBoundingClientRect().height")
    brand = page.eval_on_selector("nav .navbar-brand", "a => a.getBoundingClientRect().height")
    assert height < brand + 40, f"the navigation wraps: {height}px high"
    screenshot(f"navigation-{language}")
    page.click("#nav-customers")
    page.click("#nav-import")
    page.wait_for_url("**/customers/import/")
    page.click("#user-menu")
    page.click("#nav-audit")
    page.wait_for_url("**/audit/**")
