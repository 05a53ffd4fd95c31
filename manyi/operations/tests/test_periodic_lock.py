"""The periodic jobs' locks across real processes (issue 17, point 2): two `periodic` loops
started at once (as on two servers sharing the database) never run one job at the same time,
a process killed with SIGKILL leaves no lock behind, and a job held elsewhere is skipped.

The processes are real Python processes on the test's database (PostgreSQL: its advisory locks;
SQLite: the lock files beside the database file)."""

import itertools
import json
import os
import signal
import textwrap
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from manyi.operations import locks
from manyi.operations.management.commands import periodic

from . import processes

# A process that runs the periodic loop with one probe job: each run appends (pid, start, end)
# to the log and takes SECONDS. It starts when the file GO exists (so that both loops start
# together however long each took to start Python) and stops once it has both run the job and
# found it held, or after TIMEOUT seconds. After a run it rests longer than it waits after a
# skip (so the other loop, trying often, gets its turn instead of finding the lock held at each
# attempt by chance) but shorter than a run (so it then finds the other one running).
LOOP = textwrap.dedent(
    """
    import json, os, pathlib, sys, time
    import django
    django.setup()
    from manyi.operations.management.commands.periodic import run_jobs
    log, seconds, go, timeout = sys.argv[1], float(sys.argv[2]), pathlib.Path(sys.argv[3]), float(sys.argv[4])
    def probe():
        start = time.monotonic()
        time.sleep(seconds)
        with open(log, "a") as handle:
            handle.write(json.dumps([os.getpid(), start, time.monotonic()]) + "\\n")
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.01)
    seen, deadline = set(), time.monotonic() + timeout
    while seen != {"ran", "skipped"} and time.monotonic() < deadline:
        skipped = run_jobs(lambda line: None, jobs=[("probe", probe)])
        outcome = "skipped" if skipped else "ran"
        seen.add(outcome)
        print(outcome, flush=True)
        time.sleep(0.02 if skipped else seconds / 3)
    """
)

# A process that takes the lock and keeps it until it is killed.
HOLD = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from manyi.operations.locks import held
    with held(sys.argv[1]) as acquired:
        print("held" if acquired else "busy", flush=True)
        time.sleep(120)
    """
)


def start(tmp_path, code, *args):
    return processes.start(tmp_path, ["python", "-c", code, *map(str, args)])


def state(process):
    """The process's state line ("held", "busy", "ready"), past any warning it printed first."""
    for line in process.stdout:
        if line.strip() in ("held", "busy", "ready"):
            return line.strip()
    raise AssertionError(f"the process ended with {process.wait()} before it said its state")


@pytest.mark.django_db(transaction=True)
def test_two_periodic_loops_never_run_the_job_at_the_same_time(tmp_path):
    log, go = tmp_path / "runs.jsonl", tmp_path / "go"
    loops = [start(tmp_path, LOOP, log, 0.3, go, 40) for _ in range(2)]
    try:
        assert [state(process) for process in loops] == ["ready", "ready"]
        go.touch()
        outputs = [
            [line.strip() for line in process.communicate(timeout=60)[0].splitlines()] for process in loops
        ]
    finally:
        for process in loops:
            process.kill()
    assert [process.returncode for process in loops] == [0, 0]
    runs = sorted((json.loads(line) for line in log.read_text().splitlines()), key=lambda run: run[1])
    # One job at a time: each run ended before the next one started (one clock: same machine).
    for before, after in itertools.pairwise(runs):
        assert before[2] <= after[1], f"runs overlapped: {before} and {after}"
    # Both loops ran it and both found it held at times: they met, and the lock decided.
    assert {pid for pid, _start, _end in runs} == {process.pid for process in loops}
    assert all("skipped" in output for output in outputs)
    assert len(runs) == sum(output.count("ran") for output in outputs)


@pytest.mark.django_db(transaction=True)
def test_a_killed_holder_leaves_no_lock_behind(tmp_path):
    holder = start(tmp_path, HOLD, "periodic:probe")
    try:
        assert state(holder) == "held"
        second = start(tmp_path, HOLD, "periodic:probe")
        try:
            assert state(second) == "busy"
        finally:
            os.killpg(second.pid, signal.SIGKILL)
            second.wait()
        os.killpg(holder.pid, signal.SIGKILL)  # no clean-up runs: the database drops the lock
        holder.wait()
        deadline = time.monotonic() + 10
        while True:
            third = start(tmp_path, HOLD, "periodic:probe")
            found = state(third)
            os.killpg(third.pid, signal.SIGKILL)
            third.wait()
            if found == "held" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert found == "held"
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)


@pytest.mark.django_db(transaction=True)
def test_a_job_held_elsewhere_is_skipped_and_the_others_run(tmp_path):
    """The real periodic command, with its campaigns job held by another process: it says so
    and runs the rest; once the lock is free, it runs that job too."""
    if connection.vendor == "sqlite":
        pytest.skip("the command runs in this process on SQLite's in-memory test database")
    holder = start(tmp_path, HOLD, "periodic:campaigns")
    try:
        assert state(holder) == "held"
        out = StringIO()
        call_command("periodic", stdout=out)
        assert "running elsewhere, skipped here: campaigns" in out.getvalue()
        assert "queued invitations" not in out.getvalue()
        assert "tickets escalated for missed deadlines" in out.getvalue()
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    # PostgreSQL ends the killed process's session when it reads the closed socket: soon, but
    # not at once on a busy machine (the test above measures that it does).
    deadline = time.monotonic() + 10
    while True:
        with locks.held("periodic:campaigns") as acquired:
            pass
        if acquired or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    out = StringIO()
    call_command("periodic", stdout=out)
    assert "skipped" not in out.getvalue()
    assert "queued invitations for 0" in out.getvalue()


@pytest.mark.django_db
def test_a_job_held_in_this_process_is_skipped(settings):
    """The same on SQLite: the lock taken here blocks the command's own attempt (flock locks
    belong to the open file, so a second open of the lock file in one process is refused too)."""
    out = StringIO()
    with locks.held("periodic:reports") as acquired:
        assert acquired
        call_command("periodic", stdout=out)
    assert "running elsewhere, skipped here: reports" in out.getvalue()
    assert "scheduled reports published" not in out.getvalue()
    assert "tickets escalated for missed deadlines" in out.getvalue()


def test_every_job_has_its_own_lock():
    names = [name for name, _job in periodic.JOBS]
    assert len(set(names)) == len(names)
    keys = {locks.advisory_key(f"periodic:{name}") for name in names}
    assert len(keys) == len(names)
    assert all(-(2**63) <= key < 2**63 for key in keys)


def test_lock_files_sit_beside_the_database_file(tmp_path):
    database = tmp_path / "manyi.sqlite3"
    path = locks.lock_file("periodic:reports", database)
    assert path.parent == tmp_path / "manyi.sqlite3.locks"
    assert path != locks.lock_file("periodic:visits", database)


@pytest.mark.django_db
def test_the_lock_session_asks_for_keepalive_probes():
    """A server that vanishes (power cut) frees its locks within about a minute: the lock's
    session sets PostgreSQL's keepalive probes (statements PostgreSQL must accept)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's session settings")
    with connection.cursor() as cursor:
        for setting, value in locks.KEEPALIVE.items():
            cursor.execute(f"SET LOCAL {setting} = {value}")
            cursor.execute(f"SHOW {setting}")
            assert cursor.fetchone()[0] in (str(value), f"{value}s", "0")  # "0": a Unix socket
    assert locks.KEEPALIVE["tcp_keepalives_idle"] + 3 * locks.KEEPALIVE["tcp_keepalives_interval"] <= 60
