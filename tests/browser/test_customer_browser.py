from manyi.customers.models import Customer


def test_an_agent_creates_a_customer_with_a_chinese_name(page, login, people, screenshot):
    login(people.amy)
    page.goto(page.base_url + "/customers/")
    page.click("#new-customer")
    page.select_option("#id_kind", "company")
    page.fill("#id_code", "KH-2026-001")
    page.fill("#id_name", "苏州恒瑞精密机械有限公司")
    page.select_option("#id_customer_type", "key")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_region", "华东")
    page.fill("#id_city", "苏州")
    page.fill("#id_tag_names", "重点跟进，老客户")
    page.fill("#id_contacts-0-name", "周建国")
    page.fill("#id_contacts-0-title", "设备主管")
    screenshot("customer-form-zh")
    page.click("#customer-form button[type=submit]")
    page.wait_for_url("**/customers/*/")
    assert page.inner_text("#customer-name").startswith("苏州恒瑞精密机械有限公司")
    screenshot("customer-detail-zh")
    customer = Customer.objects.get(code="KH-2026-001")
    assert customer.name == "苏州恒瑞精密机械有限公司"
    assert customer.contacts.get().name == "周建国"

    page.goto(page.base_url + "/customers/")
    page.fill("#id_q", "恒瑞")
    page.wait_for_function("() => document.querySelectorAll('#customer-table tbody tr').length === 1")
    assert "苏州恒瑞精密机械有限公司" in page.inner_text("#customer-table")
    screenshot("customer-list-search-zh")


def test_a_bad_phone_number_is_explained_in_chinese(page, login, people):
    login(people.amy)
    page.goto(page.base_url + "/customers/new/")
    page.fill("#id_code", "KH-X")
    page.fill("#id_name", "错误电话测试")
    page.fill("#id_phone", "12345")
    page.click("#customer-form button[type=submit]")
    assert "不是有效的电话号码" in page.inner_text("#customer-form")
    assert not Customer.objects.filter(code="KH-X").exists()


def test_a_user_switches_the_interface_to_english(page, login, people, screenshot):
    login(people.amy)
    page.goto(page.base_url + "/customers/")
    assert "客户档案" in page.inner_text("h1")
    page.click("#language-switch button[value=en]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Customer archive"
    screenshot("customer-list-en")
    page.click("#language-switch button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "客户档案"
