from datetime import date, timedelta

from manyi.customers.models import Contact, Customer
from manyi.testing import make_contact, make_customer, make_purchase


def customer_data(**overrides):
    data = {
        "kind": "company",
        "code": "KH-0001",
        "name": "杭州精工机械有限公司",
        "customer_type": "key",
        "industry": "机械制造",
        "phone": "138 1234 5678",
        "email": "Buyer@JingGong.cn",
        "region": "华东",
        "province": "浙江",
        "city": "杭州",
        "address": "滨江区江南大道100号",
        "owner": "",
        "preferred_contact_method": "phone",
        "preferences": "偏好电话沟通",
        "consent_to_contact": "on",
        "notes": "",
        "tag_names": "重点跟进，华东、老客户",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "50",
        "contacts-0-name": "李娜",
        "contacts-0-title": "采购经理",
        "contacts-0-phone": "13900001111",
        "contacts-0-email": "lina@jinggong.cn",
        "contacts-0-is_primary": "on",
    }
    data.update(overrides)
    return data


def test_an_agent_creates_a_company_with_a_contact(people, client_as):
    response = client_as(people.amy).post("/customers/new/", customer_data())
    customer = Customer.objects.get(code="KH-0001")
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert customer.name == "杭州精工机械有限公司"
    assert customer.phone == "13812345678"
    assert customer.email == "buyer@jinggong.cn"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["华东", "老客户", "重点跟进"]
    contact = customer.contacts.get()
    assert (contact.name, contact.title, contact.is_primary) == ("李娜", "采购经理", True)
    assert customer.lifecycle == "new"


def test_a_bad_phone_number_is_refused_with_a_message_and_nothing_is_saved(people, client_as):
    response = client_as(people.amy).post("/customers/new/", customer_data(phone="12345"))
    assert response.status_code == 200
    assert "12345" in response.content.decode()
    assert response.context["form"].errors["phone"]
    assert not Customer.objects.exists()


def test_a_contact_with_a_bad_email_keeps_the_whole_customer_unsaved(people, client_as):
    response = client_as(people.amy).post(
        "/customers/new/", customer_data(**{"contacts-0-email": "no-at-sign"})
    )
    assert response.status_code == 200
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_a_taken_code_is_refused(people, client_as):
    make_customer(code="KH-0001", name="别的客户")
    response = client_as(people.amy).post("/customers/new/", customer_data(code="kh-0001"))
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert Customer.objects.count() == 1


def test_a_shared_phone_warns_and_saves_only_when_confirmed(people, client_as):
    other = make_customer(code="KH-9", name="宁波东方泵业", phone="13812345678")
    client = client_as(people.amy)
    response = client.post("/customers/new/", customer_data())
    assert response.status_code == 200
    assert response.context["duplicates"] == [other]
    assert Customer.objects.count() == 1
    response = client.post("/customers/new/", customer_data(confirm_duplicates="on"))
    assert response.status_code == 302
    assert Customer.objects.count() == 2


def test_a_contact_phone_matching_another_customers_contact_warns(people, client_as):
    other = make_customer(code="KH-9", name="宁波东方泵业")
    make_contact(other, name="王伟", phone="13900001111")
    response = client_as(people.amy).post("/customers/new/", customer_data(phone=""))
    assert response.context["duplicates"] == [other]


def test_editing_records_old_and_new_values_on_the_timeline(people, client_as):
    client = client_as(people.amy)
    client.post("/customers/new/", customer_data())
    customer = Customer.objects.get(code="KH-0001")
    data = customer_data(
        name="杭州精工机械股份有限公司",
        **{
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(customer.contacts.get().pk),
            "contacts-0-customer": str(customer.pk),
        },
    )
    assert client.post(f"/customers/{customer.pk}/edit/", data).status_code == 302
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "杭州精工机械有限公司" in html and "杭州精工机械股份有限公司" in html
    timeline = client.get(f"/customers/{customer.pk}/").context["timeline"]
    change = next(e for e in timeline if e.kind == "change" and e.changes)
    assert any(
        old == "杭州精工机械有限公司" and new == "杭州精工机械股份有限公司" for _l, old, new in change.changes
    )
    assert change.actor == str(people.amy)


def test_search_finds_by_name_code_phone_and_contact(people, client_as):
    jinggong = make_customer(code="HZ-77", name="杭州精工机械有限公司", phone="13812345678")
    make_contact(jinggong, name="欧阳娜娜", phone="13700002222")
    make_customer(code="NB-01", name="宁波东方泵业有限公司")
    client = client_as(people.amy)
    for term in ["精工", "hz-77", "1381234", "欧阳", "13700002222"]:
        found = list(client.get("/customers/", {"q": term}).context["page"])
        assert found == [jinggong], term
    assert list(client.get("/customers/", {"q": "不存在"}).context["page"]) == []


def test_filters_and_sorting(people, client_as):
    small = make_customer(code="A1", name="甲", customer_type="normal", region="华南")
    big = make_customer(code="B1", name="乙", customer_type="vip", region="华东")
    make_purchase(small, amount="100.00")
    make_purchase(big, amount="90000.00")
    client = client_as(people.amy)
    assert list(client.get("/customers/", {"customer_type": "vip"}).context["page"]) == [big]
    assert list(client.get("/customers/", {"region": "华南"}).context["page"]) == [small]
    assert list(client.get("/customers/", {"sort": "-purchase_total"}).context["page"]) == [big, small]
    big.tags.create(name="重点跟进")
    assert list(client.get("/customers/", {"tag": "重点跟进"}).context["page"]) == [big]
    assert list(client.get("/customers/", {"owner": people.amy.pk}).context["page"]) == []
    response = client.get("/customers/", {"sort": "drop table"})
    assert response.status_code == 200 and response.context["form"].errors


def test_the_list_pages_through_many_customers_with_few_queries(
    people, client_as, django_assert_max_num_queries
):
    for n in range(60):
        make_customer(code=f"C{n:03d}")
    client = client_as(people.amy)
    with django_assert_max_num_queries(12):
        response = client.get("/customers/", {"page": 2, "per_page": 25})
    assert [c.code for c in response.context["page"]][:2] == ["C025", "C026"]


def test_htmx_search_returns_only_the_table(people, client_as):
    make_customer(code="HZ-1", name="杭州精工")
    response = client_as(people.amy).get(
        "/customers/", {"q": "精工"}, headers={"HX-Request": "true", "HX-Target": "customer-results"}
    )
    html = response.content.decode()
    assert "customer-table" in html and "<html" not in html


def test_adding_a_purchase_updates_volume_and_lifecycle(people, client_as, settings):
    customer = make_customer(code="OLD-1", name="老客户")
    Customer.objects.filter(pk=customer.pk).update(created_at=customer.created_at - timedelta(days=800))
    client = client_as(people.amy)
    old_day = date.today() - timedelta(days=500)
    product = make_purchase(customer, purchased_on=old_day).product
    customer.refresh_from_db()
    assert customer.lifecycle == "lost"
    recent = (date.today() - timedelta(days=10)).isoformat()
    response = client.post(
        f"/customers/{customer.pk}/purchases/new/",
        {"product": product.pk, "purchased_on": recent, "quantity": "2", "amount": "5000.00"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.lifecycle == "active"
    assert customer.purchase_count == 2 and str(customer.purchase_total) == "6000.00"


def test_a_purchase_with_delivery_before_purchase_is_refused(people, client_as):
    customer = make_customer()
    product = make_purchase(customer).product
    response = client_as(people.amy).post(
        f"/customers/{customer.pk}/purchases/new/",
        {
            "product": product.pk,
            "purchased_on": "2026-05-10",
            "delivered_on": "2026-05-01",
            "quantity": "0",
            "amount": "-5",
        },
    )
    form = response.context["form"]
    assert set(form.errors) == {"delivered_on", "quantity", "amount"}
    assert customer.purchases.count() == 1


def test_deleting_a_purchase_updates_the_summary(people, client_as):
    customer = make_customer()
    purchase = make_purchase(customer, amount="300.00")
    response = client_as(people.amy).post(f"/customers/{customer.pk}/purchases/{purchase.pk}/delete/")
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.purchase_count == 0 and customer.purchase_total == 0


def test_deleting_needs_post(people, client_as):
    customer = make_customer()
    purchase = make_purchase(customer)
    response = client_as(people.amy).get(f"/customers/{customer.pk}/purchases/{purchase.pk}/delete/")
    assert response.status_code == 405
    assert customer.purchases.count() == 1


def test_the_detail_page_is_titled_with_the_customer_and_lists_purchases_once(people, client_as):
    customer = make_customer(name="杭州精工机械有限公司")
    make_purchase(customer, amount="1234.00")
    html = client_as(people.amy).get(f"/customers/{customer.pk}/").content.decode()
    assert "<title>杭州精工机械有限公司 · 满意</title>" in html
    assert html.count('id="purchase-table"') == 1 and "¥1,234.00" in html
