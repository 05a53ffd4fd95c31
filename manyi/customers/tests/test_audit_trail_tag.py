"""The audit trail tag masks personal data as the customer pages do, for a reader of the audit
log who may not see it (a right granted apart from the role's, REQUIREMENTS §9)."""

from auditlog.models import LogEntry

from manyi.accounts.audit import describe_changes
from manyi.customers.models import Customer
from manyi.customers.templatetags.audit_trail import _masks
from manyi.testing import make_customer


def test_a_reader_without_personal_data_sees_the_trails_phones_and_addresses_masked(db):
    customer = make_customer(code="C001", name="杭州精工", phone="13812345678", notes="")
    customer.phone = "13987654321"
    customer.notes = "联系 zhang.wei@example.com 或 13700001111"
    customer.save()
    entry = LogEntry.objects.get_for_object(customer).get(action=LogEntry.Action.UPDATE)
    masked = {label: (old, new) for label, old, new in describe_changes(entry, _masks(entry, False))}
    whole = {label: (old, new) for label, old, new in describe_changes(entry, _masks(entry, True))}
    phone, notes = (str(Customer._meta.get_field(n).verbose_name) for n in ("phone", "notes"))
    assert masked[phone] == ("138****5678", "139****4321")
    assert masked[notes] == ("", "联系 z***@example.com 或 137****1111")
    assert whole[phone] == ("13812345678", "13987654321")
