"""Shared test fixtures: one named person per role, as in the project's style guide."""

from types import SimpleNamespace

import pytest

from manyi.accounts.choices import Role
from manyi.testing import make_department, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests only need hashing to work, not to be slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    """alice the administrator, sam the supervisor, amy the agent, hank a handler in the
    quality department, ana the analyst and ivan, whose account is disabled."""
    service = make_department(name="客服部", code="CS")
    quality = make_department(name="质量部", code="QA")
    return SimpleNamespace(
        service=service,
        quality=quality,
        alice=make_user("alice", Role.ADMINISTRATOR, department=service, last_name="艾", first_name="丽丝"),
        sam=make_user("sam", Role.SUPERVISOR, department=service, last_name="孙", first_name="明"),
        amy=make_user("amy", Role.AGENT, department=service, last_name="王", first_name="芳"),
        hank=make_user("hank", Role.HANDLER, department=quality, last_name="何", first_name="强"),
        ana=make_user("ana", Role.ANALYST, department=service, last_name="安", first_name="娜"),
        ivan=make_user("ivan", Role.AGENT, department=service, is_active=False),
    )


@pytest.fixture
def client_as(client):
    """client_as(user): the test client, logged in as that user (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
