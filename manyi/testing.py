"""A plain factory for tests and benchmarks: make_* functions with sensible defaults."""

import itertools
from datetime import date
from decimal import Decimal

from manyi.accounts.choices import Role
from manyi.accounts.models import Department, User
from manyi.customers.models import Contact, Customer, Product, Purchase

_counter = itertools.count(1)


def make_department(**kwargs):
    n = next(_counter)
    kwargs.setdefault("name", f"部门{n}")
    kwargs.setdefault("code", f"D{n:03d}")
    return Department.objects.create(**kwargs)


def make_user(username=None, role=Role.AGENT, password="correct horse battery", **kwargs):
    username = username or f"user{next(_counter)}"
    user = User(username=username, role=role, **kwargs)
    user.set_password(password)
    user.save()
    return user


def make_customer(**kwargs):
    n = next(_counter)
    kwargs.setdefault("code", f"C{n:06d}")
    kwargs.setdefault("name", f"测试客户{n}")
    return Customer.objects.create(**kwargs)


def make_contact(customer, **kwargs):
    kwargs.setdefault("name", "联系人")
    contact = Contact.objects.create(customer=customer, **kwargs)
    customer.refresh_search_text()
    return contact


def make_product(**kwargs):
    n = next(_counter)
    kwargs.setdefault("code", f"P{n:04d}")
    kwargs.setdefault("name", f"产品{n}")
    return Product.objects.create(**kwargs)


def make_purchase(customer, product=None, purchased_on=None, amount="1000.00", **kwargs):
    purchase = Purchase.objects.create(
        customer=customer,
        product=product or make_product(),
        purchased_on=purchased_on or date.today(),
        amount=Decimal(amount),
        **kwargs,
    )
    customer.refresh_purchase_summary()
    return purchase
