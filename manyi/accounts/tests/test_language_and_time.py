from datetime import UTC, datetime

from django.utils import timezone

from manyi.customers.models import Customer
from manyi.testing import make_customer


def test_the_interface_is_chinese_by_default(people, client_as):
    html = client_as(people.amy).get("/customers/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "客户档案" in html


def test_a_user_switches_to_english_and_back(people, client_as):
    client = client_as(people.amy)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/customers/"})
    assert response.status_code == 302
    html = client.get("/customers/").content.decode()
    assert '<html lang="en">' in html and "Customer archive" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/customers/"})
    assert "客户档案" in client.get("/customers/").content.decode()


def test_times_are_shown_in_shanghai_time(people, client_as):
    customer = make_customer()
    Customer.objects.filter(pk=customer.pk).update(created_at=datetime(2026, 1, 1, 16, 30, tzinfo=UTC))
    assert timezone.get_default_timezone_name() == "Asia/Shanghai"
    customer.refresh_from_db()
    assert timezone.localtime(customer.created_at).strftime("%Y-%m-%d %H:%M") == "2026-01-02 00:30"
