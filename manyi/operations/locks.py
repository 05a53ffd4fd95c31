"""Locks that hold across processes and servers: one periodic job runs in one place at a time
(issue 17, point 2).

``held(name)`` is a context manager that yields True when this process now holds the lock
``name`` and False when another process holds it (it never waits: a periodic job that another
server is running is skipped, not queued behind it).

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its
  own, so that the job's own queries, transactions or reconnections never release it. Every
  server sharing the database sees it. When a process dies (SIGKILL included) its socket
  closes, PostgreSQL ends the session and the lock goes with it: nothing to expire, no clock
  to trust. When its whole server vanishes (power cut, network gone) no socket closes: the
  session asks PostgreSQL to probe it with TCP keepalives (KEEPALIVE below), so the lock is
  freed within about a minute instead of the system's default two hours.
- SQLite: the database is a file on one machine, so the processes that share it are on that
  machine: an exclusive ``flock`` on a lock file beside the database file does the same (the
  kernel drops it when the process dies).

The lock's key is derived from its name (a 64-bit hash), so different names never block each
other and a lock of one database never blocks another database's.
"""

import fcntl
import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

# Keepalive probes of the lock's session: first after 30 s of silence, then every 10 s, given
# up after 3 unanswered (PostgreSQL's per-session settings; ignored over a Unix socket).
KEEPALIVE = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 3}


def advisory_key(name):
    """The signed 64-bit key of PostgreSQL's advisory lock for `name`."""
    digest = hashlib.blake2b(f"manyi:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_file(name, database_name):
    """The file whose flock stands for the lock `name` on the SQLite database `database_name`:
    beside the database file, or in the temporary folder for an in-memory database (then only
    this machine's processes share it, as they share nothing else)."""
    safe = hashlib.blake2b(name.encode(), digest_size=8).hexdigest()
    database = str(database_name)
    if database.startswith("file:") or database == ":memory:" or not database:
        folder = Path(tempfile.gettempdir()) / (
            "manyi-locks-" + hashlib.blake2b(database.encode(), digest_size=8).hexdigest()
        )
    else:
        folder = Path(f"{database}.locks")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{safe}.lock"


@contextmanager
def _postgresql(name, using):
    connection = connections.create_connection(using)  # its own session, not the jobs'
    try:
        with connection.cursor() as cursor:
            for setting, value in KEEPALIVE.items():
                cursor.execute(f"SET {setting} = {int(value)}")
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [advisory_key(name)])
    finally:
        connection.close()


@contextmanager
def _file(name, database_name):
    descriptor = os.open(lock_file(name, database_name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


@contextmanager
def held(name, using=DEFAULT_DB_ALIAS):
    """Hold the lock `name` for the block if no other process holds it: yields whether it does."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        manager = _postgresql(name, using)
    elif connection.vendor == "sqlite":
        manager = _file(name, connection.settings_dict["NAME"])
    else:
        raise NotImplementedError(f"no cross-process lock for the {connection.vendor} database")
    with manager as acquired:
        yield acquired
