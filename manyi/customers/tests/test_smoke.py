from manyi.testing import make_customer


def test_customer_list_shows_customers_to_an_agent(people, client_as):
    make_customer(name="杭州精工机械有限公司", code="HZ001")
    response = client_as(people.amy).get("/customers/")
    assert response.status_code == 200
    assert "杭州精工机械有限公司" in response.content.decode()
