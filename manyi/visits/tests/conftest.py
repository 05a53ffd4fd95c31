"""Fixtures for the return-visit tests: the people of the root conftest plus a second team."""

from types import SimpleNamespace

import pytest

from manyi.accounts.choices import Role
from manyi.testing import make_department, make_user


@pytest.fixture
def team(people):
    """people plus bob, a second agent of the service team, and a supervisor and an agent of
    the after-sales department (another team)."""
    after_sales = make_department(name="售后服务部", code="AS")
    return SimpleNamespace(
        **vars(people),
        bob=make_user("bob", Role.AGENT, department=people.service, last_name="白", first_name="波"),
        olga=make_user("olga", Role.SUPERVISOR, department=after_sales, last_name="欧", first_name="佳"),
        otto=make_user("otto", Role.AGENT, department=after_sales, last_name="欧", first_name="托"),
        after_sales=after_sales,
    )
