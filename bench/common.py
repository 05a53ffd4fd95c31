"""What the benchmarks share: progress on stderr, figures on stdout, a throwaway database.

A benchmark prints its figures as ``BENCH <name> <value>`` lines on stdout (what `make bench-*`
and whoever collects the figures read) and everything else on stderr. Those that need a
database of their own create a throwaway PostgreSQL database and drop it at the end, and run
Django with a temporary MANYI_VAR_DIR so that nothing of ./var is touched.
"""

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
SEED = 20261123


def log(message):
    print(message, file=sys.stderr, flush=True)


def bench(name, value):
    """One figure on stdout; ``value`` is formatted by the caller (the precision is the bench's)."""
    print(f"BENCH {name} {value}", flush=True)


def timed(function, repeats, warmup=1):
    """(median seconds, every run's seconds) of ``function`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def setup_django(folder, database_url, env=None, env_defaults=None, migrate=True):
    """Django on ``database_url`` with ``folder`` as MANYI_VAR_DIR; set before django.setup()."""
    os.environ["MANYI_VAR_DIR"] = str(folder)
    os.environ["DATABASE_URL"] = database_url
    os.environ.update(env or {})
    os.environ["DJANGO_SETTINGS_MODULE"] = "manyi.settings"
    for key, value in (env_defaults or {}).items():
        os.environ.setdefault(key, value)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def _admin_connection():
    import psycopg

    return psycopg.connect(f"{PG_URL}/postgres", autocommit=True)


@contextlib.contextmanager
def postgres_database(name, keep=False):
    """A new PostgreSQL database ``name``, dropped on leaving (unless ``keep``); yields its URL."""
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL}/{name}"
    finally:
        if not keep:
            if "django.db" in sys.modules:
                from django.conf import settings

                if settings.configured:
                    from django.db import connections

                    connections.close_all()
            with _admin_connection() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(script, database_url, prefix):
    """Run ``script --child <database_url> <temporary folder>``; its ``RESULT …`` lines, split.

    One child process per database: Django is set up once per process.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        output = subprocess.run(
            [sys.executable, script, "--child", database_url, str(folder)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ).stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [line.split()[1:] for line in output.splitlines() if line.startswith("RESULT ")]


def child_arguments():
    """(database URL, folder) when run as ``script --child URL FOLDER``, else None."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        return sys.argv[2], Path(sys.argv[3])
    return None
