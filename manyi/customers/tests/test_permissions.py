"""Every view, every role: allowed (200), refused (403) or sent to log in (302)."""

import pytest

from manyi.customers.models import Customer, Purchase
from manyi.testing import make_customer, make_purchase

ALL = {"alice", "sam", "amy", "hank", "ana"}
EDITORS = {"alice", "sam", "amy"}


@pytest.fixture
def acme(people):
    customer = make_customer(name="宁波东方泵业有限公司", code="NB001", phone="13812345678")
    purchase = make_purchase(customer, purchased_on=None)
    return customer, purchase


def pages(customer, purchase):
    c, p = customer.pk, purchase.pk
    return [
        ("/", ALL),
        ("/customers/", ALL),
        (f"/customers/{c}/", ALL),
        ("/customers/new/", EDITORS),
        (f"/customers/{c}/edit/", EDITORS),
        (f"/customers/{c}/purchases/new/", EDITORS),
        (f"/customers/{c}/purchases/{p}/edit/", EDITORS),
        ("/customers/products/", ALL),
        ("/customers/products/new/", EDITORS),
        (f"/customers/products/{purchase.product_id}/edit/", EDITORS),
        ("/customers/import/", {"alice", "sam"}),
        ("/customers/export/?format=csv", {"alice", "sam", "ana"}),
        ("/accounts/audit/", {"alice"}),
        ("/accounts/password/", ALL),
    ]


@pytest.mark.parametrize("who", sorted(ALL))
def test_each_role_sees_exactly_the_pages_it_may(people, acme, client_as, who):
    client = client_as(getattr(people, who))
    for url, allowed in pages(*acme):
        status = client.get(url).status_code
        assert status == (200 if who in allowed else 403), f"{who} GET {url} -> {status}"


def test_anonymous_visitors_are_sent_to_the_login_page(people, acme, client_as):
    client = client_as(None)
    for url, _allowed in pages(*acme):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_a_disabled_account_cannot_use_the_app(people, acme, client_as):
    response = client_as(people.ivan).get("/customers/")
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["hank", "ana"])
def test_read_only_roles_cannot_change_a_customer(people, acme, client_as, who):
    customer, purchase = acme
    client = client_as(getattr(people, who))
    assert client.post(f"/customers/{customer.pk}/edit/", {"name": "改名"}).status_code == 403
    assert client.post("/customers/new/", {"code": "X1", "name": "新客户"}).status_code == 403
    delete_url = f"/customers/{customer.pk}/purchases/{purchase.pk}/delete/"
    assert client.post(delete_url).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "宁波东方泵业有限公司"
    assert not Customer.objects.filter(code="X1").exists()
    assert Purchase.objects.filter(pk=purchase.pk).exists()


def test_only_administrators_reach_the_admin_site(people, client_as):
    assert client_as(people.alice).get("/admin/").status_code == 200
    for who in ["sam", "amy", "hank", "ana"]:
        response = client_as(getattr(people, who)).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("who, masked", [("amy", False), ("sam", False), ("hank", True), ("ana", True)])
def test_phone_numbers_are_masked_for_roles_without_the_right(people, acme, client_as, who, masked):
    customer, _purchase = acme
    client = client_as(getattr(people, who))
    for url in ["/customers/", f"/customers/{customer.pk}/"]:
        html = client.get(url).content.decode()
        assert ("138****5678" in html) is masked, url
        assert ("13812345678" in html) is not masked, url


def test_a_handler_granted_personal_data_sees_numbers(people, acme, client_as):
    people.hank.may_view_personal_data = True
    people.hank.save()
    html = client_as(people.hank).get("/customers/").content.decode()
    assert "13812345678" in html
