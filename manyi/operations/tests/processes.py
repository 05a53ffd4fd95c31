"""Real processes on the test's database, for the tests of what runs on several servers at once
(periodic locks, workers): the URL they reach the test's database by and a way to start them."""

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def database_url(tmp_path):
    """PostgreSQL's test database itself; for SQLite (the test database lives in memory) a
    database file of the test's own."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'processes.sqlite3'}"
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{settings['USER']}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def start(tmp_path, command, *, env=None, stdout=subprocess.PIPE):
    """Start `command` (a list; "python" is this interpreter) in the project folder with the
    test's database, in a session of its own (so that killpg reaches its children)."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(tmp_path),
        "DJANGO_SETTINGS_MODULE": "manyi.settings",
        **(env or {}),
    }
    command = [sys.executable if part == "python" else part for part in command]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@contextlib.contextmanager
def smtp_server(handler):
    """A real SMTP server (aiosmtpd) on a free local port answering with ``handler``, which
    gets the port as ``handler.port``."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()
