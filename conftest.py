"""Shared test fixtures: one named person per role, as in the project's style guide."""

import os
from types import SimpleNamespace

import pytest

from manyi.accounts.choices import Role
from manyi.testing import make_department, make_user

# Fixtures through which a test reaches the database: Django's, and the ones that give a server
# process a database of its own through DATABASE_URL.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup", "server_database"}


def reaches_the_database(item):
    return bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        or item.get_closest_marker("django_db")
        or item.get_closest_marker("database")
    )


def drives_the_browser(item):
    return "browser" in getattr(item, "fixturenames", ())


def browser_run(turn):
    """Which of scripts/test.sh's two runs takes the browser test at place ``turn`` among them in
    the suite: two go to the first (SQLite) for one to the second (PostgreSQL). The same work
    takes PostgreSQL's run longer, so this evens the two runs' time (measured), and each
    database still serves browser tests end to end."""
    return ("first", "first", "second")[turn % 3]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """scripts/test.sh runs the suite twice at once: on SQLite (MANYI_TEST_RUN=first) and on
    PostgreSQL (second). Each test whose result cannot depend on the database runs in one of
    the two only:
    - tests that never reach a database (pure rules, parsers, numbers) in the first;
    - the accessibility walk (marked ``once``: the markup is the same whichever database filled
      it) in the first;
    - the browser tests in one or the other (``browser_run``): what they add to the view tests,
      which run on both, is what Chromium does with the pages (scripts, focus, layout).
    Without MANYI_TEST_RUN (pytest run by hand) every test runs."""
    run = os.environ.get("MANYI_TEST_RUN")
    if run not in ("first", "second"):
        return
    kept, left, turn = [], [], 0
    for item in items:
        if item.get_closest_marker("once"):
            mine = run == "first"
        elif drives_the_browser(item):
            mine = browser_run(turn) == run
            turn += 1
        else:
            mine = run == "first" or reaches_the_database(item)
        (kept if mine else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
    items[:] = kept


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


class _Mailbox:
    """What a real SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free local port; Django's SMTP backend sends to it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    mailbox.port = port
    yield mailbox
    controller.stop()


@pytest.fixture(scope="session", autouse=True)
def flush_postgresql_by_delete():
    """After each transactional test (live_server, transactional_db) Django empties every table.
    On PostgreSQL it does so with one TRUNCATE of all ~90 tables, which makes new files for each
    and waits for them on disk: 1-3 s a test, measured, against 0.1 s for a DELETE per table of
    the few rows a test leaves. The same tables end empty either way (foreign keys are checked
    at commit, where nothing is left to point at); sequences are not reset by either."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # One statement list in one round trip: ~90 separate ones cost more than the deletes.
        return [
            " ".join(
                f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables
            )
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate
