def test_an_agent_logs_in_and_sees_the_chinese_overview(page, login, people, screenshot):
    login(people.amy)
    assert page.locator("#total-customers").is_visible()
    assert "客户" in page.content()
    screenshot("overview-zh")
