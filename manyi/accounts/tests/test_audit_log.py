from auditlog.models import LogEntry

from manyi.customers.models import Customer


def test_changes_are_logged_with_the_actor_and_old_and_new_values(people, client_as):
    client = client_as(people.amy)
    from manyi.customers.tests.test_customer_views import customer_data

    client.post("/customers/new/", customer_data(**{"contacts-TOTAL_FORMS": "0"}))
    customer = Customer.objects.get(code="KH-0001")
    client.post(
        f"/customers/{customer.pk}/edit/",
        customer_data(customer_type="vip", **{"contacts-TOTAL_FORMS": "0"}),
    )
    entry = LogEntry.objects.filter(object_pk=str(customer.pk), action=LogEntry.Action.UPDATE).latest(
        "timestamp"
    )
    assert entry.actor == people.amy
    assert entry.changes_dict["customer_type"] == ["key", "vip"]

    html = client_as(people.alice).get("/accounts/audit/").content.decode()
    assert "杭州精工机械有限公司" in html
    assert "大客户</span> → VIP客户" in html
    assert "<td>修改</td>" in html and "<td>新建</td>" in html and "<td>update</td>" not in html


def test_the_audit_log_filters_by_person(people, client_as):
    from manyi.testing import make_customer

    make_customer(name="不相关客户")
    response = client_as(people.alice).get("/accounts/audit/", {"actor": people.amy.pk})
    assert list(response.context["page"]) == []
    response = client_as(people.alice).get("/accounts/audit/", {"actor": "not-a-number"})
    assert response.status_code == 400  # refused with a message (tests/security/test_odd_input.py)
