from auditlog.models import LogEntry

from manyi.customers.models import Customer
from manyi.testing import make_contact, make_customer, make_purchase


def test_an_administrator_erases_a_customer_on_request_keeping_purchases(people, client_as):
    customer = make_customer(code="KH-7", name="张三", phone="13812345678", email="zs@example.com")
    make_contact(customer, name="李四", phone="13900001111")
    make_purchase(customer, amount="500.00")
    customer.phone = "13812349999"
    customer.save()  # an audit entry that holds both old and new numbers

    response = client_as(people.alice).post(f"/customers/{customer.pk}/erase/", {"confirm_code": "KH-7"})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert (customer.phone, customer.email, customer.contacts.count()) == ("", "", 0)
    assert "张三" not in customer.name and not customer.consent_to_contact
    assert customer.purchases.count() == 1 and str(customer.purchase_total) == "500.00"
    trail = " ".join(str(entry.changes) + entry.object_repr for entry in LogEntry.objects.all())
    for secret in ["张三", "李四", "13812345678", "13812349999", "13900001111", "zs@example.com"]:
        assert secret not in trail
    assert not Customer.objects.search("张三", personal=True).exists()


def test_erasure_needs_the_code_typed_to_confirm(people, client_as):
    customer = make_customer(code="KH-8", name="王五")
    client_as(people.alice).post(f"/customers/{customer.pk}/erase/", {"confirm_code": "wrong"})
    customer.refresh_from_db()
    assert customer.name == "王五" and customer.erased_at is None


def test_only_administrators_may_erase(people, client_as):
    customer = make_customer(code="KH-9", name="赵六")
    for who in ["sam", "amy", "hank", "ana"]:
        response = client_as(getattr(people, who)).post(
            f"/customers/{customer.pk}/erase/", {"confirm_code": "KH-9"}
        )
        assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "赵六"
