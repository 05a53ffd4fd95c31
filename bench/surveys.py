"""Survey answering benchmark: submissions through gunicorn on PostgreSQL, a crash, sampling, e-mail.

Run with `make bench-surveys`. It creates a throwaway PostgreSQL database (manyi_bench_<pid>) on
127.0.0.1:5432 (BENCH_PG_URL to change the server), migrates it, and starts gunicorn with 4
workers on a free loopback port. Then:

1. The answer pages of 3,000 personal links are opened (GET: CSRF cookie and token), then wrk
   (bench/submit.lua, 16 connections) posts the 3,000 answer forms; about 5% of them are
   posted twice at the same moment. The rate counts acknowledged submissions (302 to the
   thank-you page) over the time until the last answer; p99 is wrk's, over every POST.
2. A second load on other links is cut off after ~2 s by SIGKILL to gunicorn's process group;
   every submission acknowledged before the kill must be in the database, complete.
3. 100,000 customers are bulk-created and a stratified sample is drawn (targeting.draw_sample),
   then a simple, a systematic, a top-volume and an everyone sample (`sample_100k_<method>_s`).
4. 10,000 e-mail invitations are issued and sent (mailing.send_invitations) to a local
   aiosmtpd sink that only counts.

Progress goes to stderr; the figures go to stdout as `BENCH surveys.<name> <value>`. Targets:
>= 300 submissions/s, p99 <= 150 ms, lost/duplicated/crash_lost 0, sample <= 2 s,
invitations <= 60 s. The database is dropped at the end (BENCH_KEEP=1 keeps it).
"""

import contextlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

from common import ROOT, SEED, bench, log, postgres_database, setup_django

CLIENTS = 16
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
INVITATIONS = 5_000
LOAD_SUBMISSIONS = 3_000
LOAD_MAX_S = 60
DOUBLE_SHARE = 0.05
CRASH_AFTER_S = 2.0
SAMPLE_CUSTOMERS = 100_000
SAMPLE_SIZE = 2_000
INVITE_COUNT = 10_000
REGIONS = ["华东", "华北", "华南", "华中", "西南", "西北", "东北"]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- data ------------------------------------------------------------------------------------
def make_survey():
    """A running web campaign: 10 rating questions, INVITATIONS invitations. Returns (campaign, answers)."""
    from manyi.campaigns.choices import CampaignState, Channel
    from manyi.campaigns.models import Invitation
    from manyi.customers.models import Customer
    from manyi.testing import make_campaign, make_question, make_questionnaire

    questionnaire = make_questionnaire(title="满意度基准问卷")
    texts = [
        "产品质量",
        "交货及时",
        "价格",
        "售后服务",
        "技术支持",
        "包装",
        "文档",
        "响应速度",
        "沟通",
        "总体",
    ]
    questions = [make_question(questionnaire, text=text) for text in texts]
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.WEB])
    customers = Customer.objects.bulk_create(
        Customer(
            code=f"L{n:06d}",
            name=f"负载客户{n}",
            region=REGIONS[n % len(REGIONS)],
            email=f"fuzai{n}@example.cn",
        )
        for n in range(INVITATIONS)
    )
    Invitation.objects.bulk_create(
        Invitation(campaign=campaign, customer=customer, channel=Channel.WEB) for customer in customers
    )
    # The answers posted: for each question, one of its options.
    rng = random.Random(SEED)
    options = {q.pk: list(q.options.values_list("pk", flat=True)) for q in questions}
    answers = [{f"q-{pk}": str(rng.choice(choices)) for pk, choices in options.items()} for _ in range(64)]
    return campaign, answers


# -- the server ------------------------------------------------------------------------------
def start_gunicorn(port):
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "manyi.wsgi",
        "-w",
        str(WORKERS),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *os.environ.get("BENCH_GUNICORN_ARGS", "").split(),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            status, _headers, _body = request(port, "GET", "/health/", timeout=2)
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /health/ within 30 s")


def kill_group(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


# -- the clients -----------------------------------------------------------------------------
def request(port, method, path, *, body=None, headers=None, timeout=15):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def open_form(port, token):
    """GET the answer page; returns (cookie header, csrf form token)."""
    status, headers, body = request(port, "GET", f"/s/{token}/")
    if status != 200:
        raise RuntimeError(f"GET /s/{token}/ answered {status}")
    cookies = []
    for name, value in headers:
        if name.lower() == "set-cookie":
            cookies.append(value.split(";", 1)[0])
    match = CSRF_INPUT.search(body.decode("utf-8", "replace"))
    if match is None:
        raise RuntimeError(f"no CSRF token on /s/{token}/")
    return "; ".join(cookies), match.group(1)


def submit(port, token, cookie, csrf, answers):
    """POST the form; returns (acknowledged, latency in s, status)."""
    fields = dict(answers, action="submit", csrfmiddlewaretoken=csrf)
    body = urllib.parse.urlencode(fields)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "Referer": f"http://127.0.0.1:{port}/s/{token}/",
    }
    started = time.perf_counter()
    status, response_headers, _body = request(port, "POST", f"/s/{token}/", body=body, headers=headers)
    latency = time.perf_counter() - started
    location = {k.lower(): v for k, v in response_headers}.get("location", "")
    return status == 302 and location.endswith(f"/s/{token}/thanks/"), latency, status


class Load:
    """CLIENTS threads taking (token, answers) jobs from a shared list until done, stopped or late."""

    def __init__(self, port, jobs, max_seconds):
        self.port = port
        self.jobs = jobs
        self.max_seconds = max_seconds
        self.lock = threading.Lock()
        self.next = 0
        self.stop = threading.Event()
        self.acknowledged = []  # tokens, one per 302 to the thanks page
        self.latencies = []
        self.statuses = {}
        self.answered = {}  # token -> POST statuses received
        self.errors = 0

    def _take(self):
        with self.lock:
            if self.next >= len(self.jobs):
                return None
            job = self.jobs[self.next]
            self.next += 1
            return job

    def _client(self):
        while not self.stop.is_set() and time.perf_counter() < self.deadline:
            job = self._take()
            if job is None:
                return
            token, answers = job
            try:
                cookie, csrf = open_form(self.port, token)
                if self.stop.is_set():
                    return
                ok, latency, status = submit(self.port, token, cookie, csrf, answers)
            except (OSError, RuntimeError, http.client.HTTPException):
                with self.lock:
                    self.errors += 1
                continue
            with self.lock:
                self.latencies.append(latency)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.answered.setdefault(token, []).append(status)
                if ok:
                    self.acknowledged.append(token)

    def start(self):
        self.started = time.perf_counter()
        self.deadline = self.started + self.max_seconds
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]
        for thread in self.threads:
            thread.start()

    def join(self):
        for thread in self.threads:
            thread.join(timeout=30)
        self.wall = time.perf_counter() - self.started


def jobs_for(tokens, answers, rng, double_share=0.0):
    """One job per token; double_share of them twice, side by side (two clients at once)."""
    jobs = []
    for token in tokens:
        job = (token, rng.choice(answers))
        jobs.append(job)
        if rng.random() < double_share:
            jobs.append(job)
    return jobs


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def check_stored(campaign, tokens, question_count):
    """(missing, duplicated, half-written) for the acknowledged tokens of the campaign."""
    from django.db.models import Count

    from manyi.campaigns.choices import ResponseStatus
    from manyi.campaigns.models import Response

    completed = set(
        Response.objects.filter(campaign=campaign, status=ResponseStatus.COMPLETED).values_list(
            "invitation__token", flat=True
        )
    )
    missing = len(set(tokens) - completed)
    per_invitation = (
        Response.objects.filter(campaign=campaign, invitation__isnull=False)
        .values("invitation")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    duplicated = per_invitation.count()
    half = (
        Response.objects.filter(campaign=campaign, status=ResponseStatus.COMPLETED)
        .annotate(n=Count("answers"))
        .exclude(n=question_count)
        .count()
    )
    return missing, duplicated, half


def open_forms(port, tokens):
    """GET every answer page (CLIENTS threads); returns {token: (cookie, csrf)} and pages/s."""
    opened, lock, queue = {}, threading.Lock(), list(tokens)

    def client():
        while True:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            opened[token] = open_form(port, token)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return opened, len(tokens) / (time.perf_counter() - started)


def run_wrk(port, jobs, folder):
    """POST the jobs with wrk (CLIENTS connections, one per thread); stop when all are answered.

    Returns (seconds until the last answer, [(status, location)], wrk's summary dict)."""
    jobs_file = folder / "jobs.tsv"
    with open(jobs_file, "w") as out:
        for token, cookie, body in jobs:
            out.write(f"{token}\t{cookie}\t{body}\n")
    logs = folder / "wrk"
    logs.mkdir(exist_ok=True)
    command = [
        "wrk", "-t", str(CLIENTS), "-c", str(CLIENTS), "-d", f"{LOAD_MAX_S}s", "--timeout", "10s",
        "-s", str(ROOT / "bench" / "submit.lua"), f"http://127.0.0.1:{port}",
        "--", str(jobs_file), str(CLIENTS), str(logs),
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    counter = AnswerCounter(logs)
    finished = None
    while process.poll() is None:
        if counter.count() >= len(jobs):
            finished = time.perf_counter() - started
            process.send_signal(signal.SIGINT)  # wrk prints its summary and exits
            break
        time.sleep(0.05)
    output, _ = process.communicate(timeout=30)
    if finished is None:
        finished = time.perf_counter() - started
    return finished, counter.answered(), wrk_summary(output)


class AnswerCounter:
    """The answers submit.lua logs, one file per wrk thread ("repeat" lines are not answers)."""

    def __init__(self, logs):
        self.logs = logs
        self.counted = {}  # log file -> (bytes read, answered jobs so far)

    def count(self):
        """How many jobs are answered so far. Reads only what was appended since the last
        look: the bench must not eat the CPU."""
        for path in self.logs.glob("thread-*.log"):
            offset, answered = self.counted.get(path, (0, 0))
            with open(path, "rb") as log_file:
                log_file.seek(offset)
                chunk = log_file.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]
            answered += sum(1 for line in complete.splitlines() if not line.startswith(b"repeat"))
            self.counted[path] = (offset + len(complete), answered)
        return sum(answered for _offset, answered in self.counted.values())

    def answered(self):
        """Every answer as (status, token, location)."""
        lines = [line for path in self.logs.glob("thread-*.log") for line in path.read_text().splitlines()]
        return [tuple(line.split(" ", 2)) for line in lines if not line.startswith("repeat")]


def wrk_summary(output):
    """The numbers of submit.lua's "WRK key=value …" line in wrk's output."""
    summary = {}
    for line in output.splitlines():
        if line.startswith("WRK "):
            summary = dict(item.split("=") for item in line.split()[1:])
    if not summary:
        raise SystemExit(f"wrk printed no summary:\n{output}")
    return {key: int(value) for key, value in summary.items()}


def bench_load(port, campaign, tokens, answers, folder):
    from manyi.campaigns.models import Response

    log(f"Opening {len(tokens):,} answer pages ({CLIENTS} Python clients) …")
    opened, pages_per_s = open_forms(port, tokens)
    log(f"  {pages_per_s:.0f} pages/s")
    rng = random.Random(SEED)
    jobs = []
    for token in tokens:
        cookie, csrf = opened[token]
        body = urllib.parse.urlencode(dict(rng.choice(answers), action="submit", csrfmiddlewaretoken=csrf))
        jobs.append((token, cookie, body))
        if rng.random() < DOUBLE_SHARE:
            jobs.append((token, cookie, body))  # the next thread sends it at the same moment
    log(
        f"Load: wrk, {CLIENTS} connections, {len(tokens):,} links, {len(jobs) - len(tokens)} submitted twice …"
    )
    seconds, results, summary = run_wrk(port, jobs, folder)
    # The token comes from the Location of the thank-you redirect, not from the job's order.
    thanks = re.compile(r"^/s/([^/]+)/thanks/$")
    acknowledged = [
        match.group(1)
        for status, _token, location in results
        if status == "302" and (match := thanks.match(location.strip()))
    ]
    statuses, answers_by_token = {}, {}
    for status, token, _location in results:
        statuses[status] = statuses.get(status, 0) + 1
        answers_by_token.setdefault(token, []).append(status)
    per_s = len(acknowledged) / seconds
    p99 = summary["p99_us"] / 1000
    log(
        f"  {len(acknowledged):,} acknowledged in {seconds:.2f} s; statuses {statuses}; "
        f"p50 {summary['p50_us'] / 1000:.1f} ms, p99 {p99:.1f} ms, max {summary['max_us'] / 1000:.1f} ms; "
        f"socket errors connect {summary['connect']} read {summary['read']} write {summary['write']} "
        f"timeout {summary['timeout']}"
    )
    missing, duplicated, half = check_stored(campaign, acknowledged, len(answers[0]))
    responses = Response.objects.filter(campaign=campaign)
    distinct = responses.values("invitation").distinct().count()
    log(f"  {responses.count():,} responses for {distinct:,} distinct invitations; {half} half-written")
    stored = set(responses.values_list("invitation__token", flat=True))
    unacknowledged = stored - set(acknowledged)
    if unacknowledged:
        log(f"  {len(unacknowledged)} stored responses were not acknowledged: {sorted(unacknowledged)[:10]}")
    never = sorted(set(tokens) - set(acknowledged))
    if never:
        log(
            f"  {len(never)} links were never acknowledged; their answers: "
            f"{ {token: answers_by_token.get(token) for token in never[:10]} }"
        )
    return per_s, p99, missing, duplicated


def bench_crash(port, process, campaign, tokens, answers):
    rng = random.Random(SEED + 1)
    jobs = jobs_for(tokens, answers, rng)
    log(f"Crash: load on {len(tokens):,} other links, SIGKILL to gunicorn after {CRASH_AFTER_S} s …")
    load = Load(port, jobs, LOAD_MAX_S)
    load.start()
    time.sleep(CRASH_AFTER_S)
    with load.lock:
        acknowledged_before = list(load.acknowledged)
    kill_group(process)
    load.stop.set()
    load.join()
    missing, duplicated, half = check_stored(campaign, acknowledged_before, len(answers[0]))
    log(
        f"  {len(acknowledged_before):,} acknowledged before the kill ({len(load.acknowledged):,} in all), "
        f"{load.errors} requests cut off; missing {missing}, duplicated {duplicated}, "
        f"half-written completed responses {half}"
    )
    return missing


# -- sampling and e-mail -----------------------------------------------------------------------
def make_customers(count):
    from manyi.customers.models import Customer

    rng = random.Random(SEED + 2)
    types = ["vip", "key", "normal"]
    batch = []
    for n in range(count):
        batch.append(
            Customer(
                code=f"S{n:07d}",
                name=f"样本客户{n}",
                region=rng.choice(REGIONS),
                customer_type=rng.choices(types, weights=(5, 15, 80))[0],
                email=f"kehu{n}@example.cn",
                purchase_total=Decimal(round(rng.paretovariate(1.2) * 1000, 2)),  # a few buy most
            )
        )
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)


def bench_sample(questionnaire):
    from manyi.campaigns.choices import Channel, SamplingMethod
    from manyi.campaigns.targeting import draw_sample
    from manyi.testing import make_campaign

    log(f"Sampling: {SAMPLE_CUSTOMERS:,} customers …")
    started = time.perf_counter()
    make_customers(SAMPLE_CUSTOMERS)
    log(f"  created in {time.perf_counter() - started:.1f} s")
    campaign = make_campaign(
        questionnaire,
        channels=[Channel.EMAIL],
        sampling_method=SamplingMethod.STRATIFIED,
        stratify_by="region",
        sample_size=SAMPLE_SIZE,
        sampling_seed=7,
    )
    started = time.perf_counter()
    ids = draw_sample(campaign)
    seconds = time.perf_counter() - started
    log(f"  stratified sample of {len(ids):,} drawn in {seconds:.3f} s")
    # The other designs on the same customers (the test suite checks what they draw).
    others = {
        SamplingMethod.SIMPLE: {"sample_size": SAMPLE_SIZE},
        SamplingMethod.SYSTEMATIC: {"sample_size": SAMPLE_SIZE},
        SamplingMethod.TOP_VOLUME: {"volume_share": 0.8},
        SamplingMethod.ALL: {},
    }
    for method, design in others.items():
        other = make_campaign(
            questionnaire, channels=[Channel.EMAIL], sampling_method=method, sampling_seed=7, **design
        )
        started = time.perf_counter()
        drawn = draw_sample(other)
        elapsed = time.perf_counter() - started
        log(f"  {method} sample of {len(drawn):,} drawn in {elapsed:.3f} s")
        bench(f"surveys.sample_100k_{method}_s", f"{elapsed:.3f}")
    return seconds


class CountingHandler:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self.lock:
            self.count += len(envelope.rcpt_tos)
        return "250 OK"


def bench_invite(questionnaire):
    from aiosmtpd.controller import Controller
    from django.conf import settings

    from manyi.campaigns.choices import CampaignState, Channel, SamplingMethod
    from manyi.campaigns.mailing import send_invitations
    from manyi.campaigns.workflow import issue_invitations
    from manyi.testing import make_campaign

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        campaign = make_campaign(
            questionnaire,
            channels=[Channel.EMAIL],
            sampling_method=SamplingMethod.SIMPLE,
            sample_size=INVITE_COUNT,
            sampling_seed=11,
            state=CampaignState.RUNNING,
        )
        log(f"Invitations: {INVITE_COUNT:,} e-mails to an SMTP sink on port {port} …")
        started = time.perf_counter()
        issued = issue_invitations(campaign)
        issued_s = time.perf_counter() - started
        sent, failed = send_invitations(campaign)
        deadline = time.monotonic() + 10  # sending is synchronous: only the last message may lag
        while handler.count < INVITE_COUNT and time.monotonic() < deadline:
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        log(
            f"  {issued:,} issued in {issued_s:.2f} s; {sent:,} sent, {failed} failed, "
            f"{handler.count:,} received by the sink in {seconds:.2f} s"
        )
        if handler.count < INVITE_COUNT:
            raise SystemExit(f"the sink received only {handler.count} of {INVITE_COUNT} invitations")
        return seconds
    finally:
        controller.stop()


def main():
    folder = Path(tempfile.mkdtemp(prefix="manyi-bench-"))
    database = f"manyi_bench_{os.getpid()}"
    try:
        log(f"Fresh PostgreSQL database {database}, var in {folder}")
        with postgres_database(database, keep=os.environ.get("BENCH_KEEP") == "1") as url:
            process = None
            try:
                setup_django(
                    folder,
                    url,
                    env={"ALLOWED_HOSTS": "testserver,127.0.0.1,localhost", "DEBUG": "false"},
                    env_defaults={"LOG_LEVEL": "WARNING", "MANYI_LOG_LEVEL": "WARNING"},
                )
                campaign, answers = make_survey()
                tokens = list(campaign.invitations.order_by("pk").values_list("token", flat=True))

                port = free_port()
                log(f"Starting gunicorn ({WORKERS} workers) on 127.0.0.1:{port} …")
                process = start_gunicorn(port)
                # One warm-up page per worker or so (imports, template loading), on tokens not measured.
                for token in tokens[-8:]:
                    open_form(port, token)

                per_s, p99, lost, duplicated = bench_load(
                    port, campaign, tokens[:LOAD_SUBMISSIONS], answers, folder
                )
                bench("surveys.submit_per_s", f"{per_s:.1f}")
                bench("surveys.submit_p99_ms", f"{p99:.1f}")
                bench("surveys.lost", lost)
                bench("surveys.duplicated", duplicated)

                crash_lost = bench_crash(port, process, campaign, tokens[LOAD_SUBMISSIONS:-8], answers)
                process = None
                bench("surveys.crash_lost", crash_lost)

                bench("surveys.sample_100k_s", f"{bench_sample(campaign.questionnaire):.3f}")
                bench("surveys.invite_10k_s", f"{bench_invite(campaign.questionnaire):.2f}")
            finally:
                if process is not None:
                    kill_group(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
