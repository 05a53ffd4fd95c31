"""The walks' cheap "nothing changed" test (conftest.rows_written) sees every kind of write:
were it blind to one, a route that writes for a refused role would pass the walks unseen."""

import pytest
from django.db import connection

from manyi.customers.models import Customer
from manyi.testing import make_customer

from .conftest import rows_written


@pytest.mark.django_db
def test_an_insert_an_update_a_delete_and_a_new_table_each_count_as_written():
    written = rows_written()
    if written is None:
        pytest.skip("this database has no write counter: the walks compare snapshots")
    customer = make_customer(name="甲")
    assert rows_written() > written
    written = rows_written()
    Customer.objects.filter(pk=customer.pk).update(name="乙")
    assert rows_written() > written
    written = rows_written()
    Customer.objects.filter(pk=customer.pk).delete()
    assert rows_written() > written
    written = rows_written()
    assert rows_written() == written  # reading writes nothing
    if connection.vendor == "postgresql":
        # SQLite counts rows only; the SQL-injection walk compares the table list after each page.
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE security_probe (x integer)")
        assert rows_written() > written
