"""Beyond one machine (issue 17, point 5): two app servers behind nginx, workers, PostgreSQL,
Redis and an S3-compatible bucket, all on this machine; one app server killed and restarted.

Run with `make bench-scale` (it installs nginx and redis-server if missing). What it starts:

- a throwaway PostgreSQL database (manyi_scale_<pid>) on 127.0.0.1:5432 (BENCH_PG_URL);
- its own redis-server on a free port (CACHE_URL: the shared cache), so the machine's Redis
  and whoever uses it are left alone;
- an S3-compatible server (moto's, as tests/test_object_storage.py uses) for STORAGE_URL:
  each app server has its own MANYI_VAR_DIR, as two machines would, so a file is found on
  the other server only through the bucket;
- two app servers: gunicorn with deploy/gunicorn.conf.py (BENCH_APP_WORKERS workers each, 3);
- nginx with the shipped site file deploy/nginx/manyi.conf, changed only where a bench must:
  the ports (listen and the upstream's two servers), the certificate (self-signed, made here),
  the static and ACME folders. HTTPS as shipped; X-Forwarded-For written by nginx;
  TRUSTED_PROXIES=127.0.0.1 as DEPLOY.md says;
- two background workers (`manage.py worker`, the database queue), a third for the invitations,
  and two `manage.py periodic --loop 15` as two servers' timers would run it (every 15 s here,
  BENCH_PERIODIC_S; a minute in production);
- an SMTP sink (aiosmtpd) counting each recipient.

Then, printing `BENCH scale.<name> <value>` on stdout:
1. file_cross_server_ok: a ticket attachment uploaded through server A downloads, byte for
   byte, through server B (1/0), and it is in the bucket.
2. submit_per_s, lost, duplicated, failover_errors: SUBMISSIONS personal links answered
   through nginx (GET form + POST, CLIENTS keep-alive HTTPS clients) while server A is killed
   with SIGKILL after KILL_AFTER_S and restarted RESTART_AFTER_S later. A client whose request
   failed retries like a person would (at most 5 times). lost = acknowledged (302 to the
   thank-you page) but not stored complete; duplicated = invitations with two responses;
   failover_errors = requests that failed (connection error, 502, 504), retried.
3. rate_limit_overshoot: 3 × the limit of anonymous submissions (PUBLIC_SUBMIT_RATE=20/600)
   from one client, 8 at a time, each with a different forged X-Forwarded-For, through nginx to
   both servers: accepted beyond the limit (must be 0); rate_limit_servers: how many app
   servers took them (nginx's log).
4. tasks_twice, invitations_missing, invitations_per_s: 10,000 e-mail invitations in 10
   campaigns, each campaign's job queued three times (and again by the periodic loops while
   due), run by three workers, the third killed with SIGKILL once a third of them were received
   (it holds a claimed batch then): jobs run twice (a job with two worker ids) + recipients
   mailed twice; invitations not received; invitations_recovered: those the killed worker had
   claimed, returned by the periodic job send-claims after SEND_CLAIM_LEASE_MINUTES=1 and sent
   by the other workers; invitations received per second from queueing to the last received
   before that recovery (the lease's wait left out).

Progress goes to stderr. Everything is stopped and the database dropped at the end
(BENCH_KEEP=1 keeps the database and the folder).
"""

import contextlib
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

from common import ROOT, bench, log, postgres_database, setup_django
from surveys import CSRF_INPUT, check_stored, free_port, kill_group, make_survey

HOST = "manyi.example.com"
APP_WORKERS = int(os.environ.get("BENCH_APP_WORKERS", "3"))
CLIENTS = 12
SUBMISSIONS = int(os.environ.get("BENCH_SCALE_SUBMISSIONS", "2000"))
LOAD_MAX_S = 400
KILL_AFTER_S = 3.0
RESTART_AFTER_S = 2.0
RATE_LIMIT = 20
INVITATIONS = int(os.environ.get("BENCH_SCALE_INVITATIONS", "10000"))
CAMPAIGNS = 10
QUEUED_TIMES = 3
TASK_WORKERS = 3
PERIODIC_S = int(os.environ.get("BENCH_PERIODIC_S", "15"))
INVITE_MAX_S = 600
RECOVERED = re.compile(r"(\d+) invitations claimed by a stopped worker queued again")
SECRET = "bench-scale-" + "x" * 50
S3_KEYS = ("bench-key", "bench-secret")


# -- the pieces ------------------------------------------------------------------------------
def start_redis(folder):
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    wait_for(lambda: _redis_ping(port), "redis-server")
    return process, f"redis://127.0.0.1:{port}/0"


def _redis_ping(port):
    import redis

    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        return False


def start_bucket():
    """moto's S3-compatible server on a free port and a bucket in it; returns (server, STORAGE_URL, client)."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=S3_KEYS[0], aws_secret_access_key=S3_KEYS[1],
    )  # fmt: skip
    client.create_bucket(Bucket="manyi-files")
    url = (
        f"s3://{S3_KEYS[0]}:{S3_KEYS[1]}@manyi-files/bench"
        f"?endpoint_url={urllib.parse.quote(endpoint, safe='')}&region_name=us-east-1&addressing_style=path"
    )
    return server, url, client


class Sink:
    """An SMTP server counting each recipient (aiosmtpd calls handle_DATA)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.counts = Counter()
        self.lock = threading.Lock()
        self.last = None
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.counts.update(envelope.rcpt_tos)
            self.last = time.perf_counter()
        return "250 OK"

    def received(self):
        with self.lock:
            return sum(self.counts.values())


def wait_for(check, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            if check():
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {seconds} s")


def start_app(port, var, logs):
    env = {**os.environ, "MANYI_VAR_DIR": str(var), "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": str(APP_WORKERS), "GUNICORN_LOG_LEVEL": "warning"}  # fmt: skip
    var.mkdir(parents=True, exist_ok=True)
    with open(logs, "a") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "manyi.wsgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    wait_for(lambda: direct(port, "GET", "/healthz")[0] == 200, f"app server on {port}")
    return process


def start_manage(args, folder, name):
    out = open(folder / f"{name}.log", "a")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, "MANYI_VAR_DIR": str(folder / name), "PYTHONUNBUFFERED": "1"},
        stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def nginx_site(http_port, https_port, apps, folder):
    """The shipped site file with this bench's ports, certificate and folders; every change is
    checked to have applied, so a changed site file fails the bench instead of being ignored."""
    text = (ROOT / "deploy" / "nginx" / "manyi.conf").read_text()
    changes = [
        (
            r"\n    server 127\.0\.0\.1:8000 (max_fails=\S+ fail_timeout=\S+);",
            rf"\n    server 127.0.0.1:{apps[0]} \1;",
        ),
        (
            r"\n    # server \S+:8000 (max_fails=\S+ fail_timeout=\S+);[^\n]*",
            rf"\n    server 127.0.0.1:{apps[1]} \1;",
        ),
        (r"\n    listen 80;", f"\n    listen 127.0.0.1:{http_port};"),
        (r"\n    listen \[::\]:80;", ""),
        (r"\n    listen 443 ssl http2;", f"\n    listen 127.0.0.1:{https_port} ssl http2;"),
        (r"\n    listen \[::\]:443 ssl http2;", ""),
        (r"/etc/letsencrypt/live/manyi\.example\.com/fullchain\.pem", str(folder / "cert.pem")),
        (r"/etc/letsencrypt/live/manyi\.example\.com/privkey\.pem", str(folder / "key.pem")),
        (r"/var/lib/manyi/static/", f"{folder}/static/"),
        (r"/var/www/letsencrypt", f"{folder}/letsencrypt"),
    ]
    for pattern, replacement in changes:
        text, count = re.subn(pattern, replacement, text)
        if count != 1:
            raise SystemExit(f"deploy/nginx/manyi.conf changed: {pattern!r} found {count} times, not once")
    return text


def start_nginx(folder, apps):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    http_port, https_port = free_port(), free_port()
    (folder / "manyi.conf").write_text(nginx_site(http_port, https_port, apps, folder))
    temp = folder / "nginx-temp"
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "static", "letsencrypt"):
        (temp / name if name not in ("static", "letsencrypt") else folder / name).mkdir(
            parents=True, exist_ok=True
        )
    for path in [folder, *temp.iterdir(), temp]:
        path.chmod(0o777 if path.parent == temp else 0o755)
    (folder / "nginx.conf").write_text(
        f"""worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    log_format scale '$request_method $uri $status $upstream_addr $upstream_status';
    access_log {folder}/nginx-access.log scale;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/manyi.conf;
}}
"""
    )
    subprocess.run(["nginx", "-t", "-q", "-c", str(folder / "nginx.conf")], check=True)
    process = subprocess.Popen(
        ["nginx", "-c", str(folder / "nginx.conf"), "-g", "daemon off;"], start_new_session=True
    )
    wait_for(lambda: Client(https_port).request("GET", "/healthz")[0] == 200, "nginx")
    return process, https_port


# -- HTTP ------------------------------------------------------------------------------------
def direct(port, method, path, body=None, headers=None):
    """A request straight to one app server, as nginx would pass it (HTTPS seen by nginx)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method, path, body=body,
            headers={"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", **(headers or {})},
        )  # fmt: skip
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class Client:
    """One browser: a keep-alive HTTPS connection to nginx, opened again after an error."""

    context = ssl._create_unverified_context()  # noqa: S323 (the bench's own self-signed certificate)

    def __init__(self, port):
        self.port = port
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        if self.connection is None:
            self.connection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=30, context=self.context
            )
        try:
            self.connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            response = self.connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise

    def form(self, path):
        """GET a form: (status, cookie header, csrf token or None)."""
        status, headers, body = self.request("GET", path)
        cookie = headers.get("set-cookie", "").split(";", 1)[0]
        match = CSRF_INPUT.search(body.decode("utf-8", "replace"))
        return status, cookie, match.group(1) if match else None

    def post(self, path, fields, cookie, extra=None):
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                   "Referer": f"https://{HOST}{path}", **(extra or {})}  # fmt: skip
        status, headers, _body = self.request("POST", path, body=body, headers=headers)
        return status, headers.get("location", "")


# -- 1. a file through one server, back through the other ------------------------------------
def file_cross_server(apps, bucket):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from manyi.tickets import workflow
    from manyi.tickets.attachments import Attachment
    from manyi.tickets.choices import Channel
    from manyi.tickets.tests.sample_files import pdf_bytes

    user = get_user_model().objects.create_superuser("scale-admin", "admin@example.cn", "bench-pass-123")
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
                    HASH_SESSION_KEY: user.get_session_auth_hash()})  # fmt: skip
    session.create()
    ticket = workflow.open_ticket(
        by=None, channel=Channel.PHONE, subject="包装破损", description="箱子压坏了，有照片。"
    )
    csrf = "c" * 32
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    content = pdf_bytes()
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="破损照片.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    upload = reverse("tickets:attachment_upload", args=[ticket.pk])
    status, _headers, _body = direct(apps[0], "POST", upload, body=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie,
        "Referer": f"https://{HOST}{upload}"})  # fmt: skip
    attachment = Attachment.objects.filter(ticket=ticket).first()
    if status != 302 or attachment is None:
        log(f"  upload through server A answered {status}; attachment stored: {attachment is not None}")
        return 0
    in_bucket = any(
        item["Size"] == len(content)
        for item in bucket.list_objects_v2(Bucket="manyi-files", Prefix="bench/").get("Contents", [])
    )
    status, _headers, downloaded = direct(
        apps[1],
        "GET",
        reverse("tickets:attachment", args=[ticket.pk, attachment.pk]),
        headers={"Cookie": cookie},
    )
    log(f"  uploaded through A ({len(content)} bytes, in the bucket: {in_bucket}); server B answered {status}, "
        f"{len(downloaded)} bytes, same: {downloaded == content}")  # fmt: skip
    return int(status == 200 and downloaded == content and in_bucket)


# -- 2. answers while a server is killed -----------------------------------------------------
class Load:
    def __init__(self, port, tokens, answers):
        self.port = port
        self.jobs = [(token, answers[n % len(answers)]) for n, token in enumerate(tokens)]
        self.lock = threading.Lock()
        self.acknowledged, self.already, self.failures, self.gave_up = [], [], Counter(), []
        self.done = threading.Event()

    def _take(self):
        with self.lock:
            return self.jobs.pop() if self.jobs else None

    def _failed(self, kind):
        with self.lock:
            self.failures[kind] += 1

    def _answer(self, client, token, answers):
        """One person answering; returns "ok", "already" or raises on a failed request."""
        path = f"/s/{token}/"
        status, cookie, csrf = client.form(path)
        if status >= 500:
            raise ConnectionError(f"GET {status}")
        if csrf is None:
            return "already"  # answered by an earlier try whose answer never came back
        status, location = client.post(path, dict(answers, action="submit", csrfmiddlewaretoken=csrf), cookie)
        if status == 302 and location.endswith(f"/s/{token}/thanks/"):
            return "ok"
        if status >= 500:
            raise ConnectionError(f"POST {status}")
        return "already" if status == 200 else f"status {status}"

    def _client(self):
        client = Client(self.port)
        while time.perf_counter() < self.deadline:
            job = self._take()
            if job is None:
                return
            token, answers = job
            for _try in range(5):
                try:
                    outcome = self._answer(client, token, answers)
                except (OSError, http.client.HTTPException) as error:
                    self._failed(
                        str(error)[:40] if isinstance(error, ConnectionError) else type(error).__name__
                    )
                    time.sleep(0.2)
                    continue
                with self.lock:
                    {"ok": self.acknowledged, "already": self.already}.get(outcome, self.gave_up).append(
                        token
                    )
                break
            else:
                with self.lock:
                    self.gave_up.append(token)

    def run(self):
        self.started = time.perf_counter()
        self.deadline = self.started + LOAD_MAX_S
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=LOAD_MAX_S + 30)
        self.wall = time.perf_counter() - self.started


def answers_under_failover(port, apps, app_processes, folder):
    campaign, answers = make_survey()
    tokens = list(campaign.invitations.order_by("pk").values_list("token", flat=True))[:SUBMISSIONS]
    question_count = campaign.questionnaire.questions.count()
    load = Load(port, tokens, answers)
    log(f"Answers: {len(tokens):,} personal links through nginx, {CLIENTS} clients; server A killed after "
        f"{KILL_AFTER_S} s, restarted {RESTART_AFTER_S} s later …")  # fmt: skip
    runner = threading.Thread(target=load.run)
    runner.start()
    time.sleep(KILL_AFTER_S)
    kill_group(app_processes[0])
    killed_at = time.perf_counter()
    time.sleep(RESTART_AFTER_S)
    app_processes[0] = start_app(apps[0], folder / "server-a", folder / "server-a.log")
    log(f"  server A killed, back after {time.perf_counter() - killed_at:.1f} s")
    runner.join()
    missing, duplicated, half = check_stored(campaign, load.acknowledged, question_count)
    failures = sum(load.failures.values())
    log(f"  {len(load.acknowledged):,} acknowledged, {len(load.already)} found already answered on a retry, "
        f"{len(load.gave_up)} given up, in {load.wall:.1f} s; failed requests: {dict(load.failures)}; "
        f"stored: {missing} acknowledged missing, {duplicated} duplicated, {half} half-written")  # fmt: skip
    return len(load.acknowledged) / load.wall, missing + half, duplicated, failures


# -- 3. the rate limit across both servers ---------------------------------------------------
def rate_limit(port, folder):
    from manyi.campaigns.choices import CampaignState, Channel
    from manyi.campaigns.models import Response
    from manyi.testing import make_campaign, make_question, make_questionnaire

    questionnaire = make_questionnaire(title="匿名意见征集")
    question = make_question(questionnaire, text="总体满意度")
    option = question.options.values_list("pk", flat=True).first()
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.ANONYMOUS])
    path = f"/s/a/{campaign.public_token}/"
    log(f"Rate limit: {3 * RATE_LIMIT} anonymous answers from one client (limit {RATE_LIMIT}), 8 at a time, "
        "each with a forged X-Forwarded-For …")  # fmt: skip
    before = (folder / "nginx-access.log").read_text().count(f"POST {path}")
    results, lock, jobs = [], threading.Lock(), list(range(3 * RATE_LIMIT))

    def client():
        browser = Client(port)
        status, cookie, csrf = browser.form(path)
        while True:
            with lock:
                if not jobs:
                    return
                n = jobs.pop()
            fields = {f"q-{question.pk}": str(option), "action": "submit", "submission_id": str(uuid.uuid4()),
                      "csrfmiddlewaretoken": csrf}  # fmt: skip
            forged = {"X-Forwarded-For": f"203.0.113.{n % 250 + 1}"}
            try:
                status, location = browser.post(path, fields, cookie, extra=forged)
            except (OSError, http.client.HTTPException):
                status, location = 0, ""
            with lock:
                results.append((status, location.endswith("/thanks/")))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    accepted = sum(1 for status, thanks in results if status == 302 and thanks)
    stored = Response.objects.filter(campaign=campaign).count()
    lines = (folder / "nginx-access.log").read_text().splitlines()
    servers = {line.split()[3] for line in lines if line.startswith(f"POST {path}")}
    posts = sum(1 for line in lines if line.startswith(f"POST {path}")) - before
    log(f"  {accepted} accepted, statuses {dict(Counter(s for s, _t in results))}, {stored} stored; "
        f"{posts} posts through nginx to the app servers {sorted(servers)}")  # fmt: skip
    return max(0, max(accepted, stored) - RATE_LIMIT), len(servers)


# -- 4. invitations by several workers -------------------------------------------------------
def invitations(sink, folder):
    from django_tasks_db.models import DBTaskResult

    from manyi.campaigns import tasks
    from manyi.campaigns.choices import CampaignState, Channel
    from manyi.campaigns.models import Invitation
    from manyi.customers.models import Customer
    from manyi.testing import make_campaign, make_question, make_questionnaire

    extra = start_manage(
        ["worker", "--worker-id", "scale-3"], folder, "worker-3"
    )  # up while the data is made
    questionnaire = make_questionnaire(title="客户满意度调查")
    make_question(questionnaire, text="总体满意度")
    customers = Customer.objects.bulk_create(
        Customer(code=f"I{n:06d}", name=f"客户{n}", email=f"kehu{n}@example.cn") for n in range(INVITATIONS)
    )
    campaigns = []
    for number in range(CAMPAIGNS):
        campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])
        Invitation.objects.bulk_create(
            Invitation(campaign=campaign, customer=c, email=c.email, channel=Channel.EMAIL)
            for c in customers[number::CAMPAIGNS]
        )
        campaigns.append(campaign)
    log(f"Invitations: {INVITATIONS:,} e-mails in {CAMPAIGNS} campaigns, each job queued {QUEUED_TIMES} times, "
        f"{TASK_WORKERS} workers, two periodic loops …")  # fmt: skip
    try:
        started = time.perf_counter()
        queued = [tasks.send_invitations.enqueue(c.pk).id for c in campaigns for _time in range(QUEUED_TIMES)]
        deadline = time.monotonic() + INVITE_MAX_S
        before_recovery = None  # (received, time of the last) when the first claims came back
        while sink.received() < INVITATIONS and time.monotonic() < deadline:
            if extra.poll() is None and sink.received() >= INVITATIONS // 3:
                kill_group(extra)
                log(f"  worker scale-3 killed with SIGKILL after {sink.received():,} received")
            if before_recovery is None and recovered(folder):
                before_recovery = (sink.received(), sink.last)
            time.sleep(0.2)
        received, last = before_recovery or (sink.received(), sink.last)
        seconds = (last or time.perf_counter()) - started
        time.sleep(3)  # anything sent twice would come now
    finally:
        kill_group(extra)
    results = DBTaskResult.objects.filter(task_path="manyi.campaigns.tasks.send_invitations")
    twice_run = sum(1 for ids in results.values_list("worker_ids", flat=True) if len(ids) > 1)
    twice_mailed = sum(1 for count in sink.counts.values() if count > 1)
    missing = len({f"kehu{n}@example.cn" for n in range(INVITATIONS)} - set(sink.counts))
    workers = Counter(ids[0] for ids in results.values_list("worker_ids", flat=True) if ids)
    log(f"  {sink.received():,} received in {seconds:.1f} s; {results.count()} jobs ({len(queued)} queued here, "
        f"the rest by the periodic loops) by workers {dict(workers)}; run twice: {twice_run}, "
        f"recipients mailed twice: {twice_mailed}, missing: {missing}")  # fmt: skip
    for n in (1, 2):
        text = (folder / f"periodic-{n}.log").read_text()
        log(f"  periodic loop {n}: {text.count('closed ')} runs of the campaigns job, "
            f"{text.count('running elsewhere')} rounds with a job skipped (held by the other)")  # fmt: skip
    return twice_run + twice_mailed, missing, recovered(folder), received / seconds


def recovered(folder):
    """Invitations the periodic loops returned to the queue (claimed by a killed worker)."""
    return sum(
        int(number)
        for n in (1, 2)
        for number in RECOVERED.findall((folder / f"periodic-{n}.log").read_text(errors="replace"))
    )


def deploy(folder, url, sink, cache_url, storage_url):
    """Django in this process (data, checks) and the deployment's processes; returns
    (app ports, app processes, the other processes, nginx's HTTPS port)."""
    env = {
        "SECRET_KEY": SECRET, "ALLOWED_HOSTS": HOST, "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "HTTPS": "true", "TRUSTED_PROXIES": "127.0.0.1,::1", "CACHE_URL": cache_url,
        "STORAGE_URL": storage_url, "TASKS_BACKEND": "database",
        "PUBLIC_SUBMIT_RATE": f"{RATE_LIMIT}/600", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port),
        "DEBUG": "false", "SITE_URL": f"https://{HOST}", "SEND_CLAIM_LEASE_MINUTES": "1",
    }  # fmt: skip
    setup_django(
        folder / "bench", url, env=env, env_defaults={"LOG_LEVEL": "WARNING", "MANYI_LOG_LEVEL": "WARNING"}
    )
    apps = [free_port(), free_port()]
    log(
        f"Two app servers ({APP_WORKERS} gunicorn workers each) on {apps}, two workers, two periodic loops, nginx …"
    )
    app_processes = [
        start_app(port, folder / name, folder / f"{name}.log")
        for port, name in zip(apps, ("server-a", "server-b"), strict=True)
    ]
    others = [start_manage(["worker", "--worker-id", f"scale-{n}"], folder, f"worker-{n}") for n in (1, 2)]
    # The two servers' timers, every PERIODIC_S seconds instead of every minute.
    others += [start_manage(["periodic", "--loop", str(PERIODIC_S)], folder, f"periodic-{n}") for n in (1, 2)]
    nginx, port = start_nginx(folder, apps)
    return apps, app_processes, [*others, nginx], port


def measure(folder, apps, app_processes, port, bucket, sink):
    log("File: uploaded through server A, downloaded through server B (the S3-compatible bucket) …")
    bench("scale.file_cross_server_ok", file_cross_server(apps, bucket))

    per_s, lost, duplicated, failures = answers_under_failover(port, apps, app_processes, folder)
    bench("scale.submit_per_s", f"{per_s:.1f}")
    bench("scale.lost", lost)
    bench("scale.duplicated", duplicated)
    bench("scale.failover_errors", failures)

    overshoot, servers = rate_limit(port, folder)
    bench("scale.rate_limit_overshoot", overshoot)
    bench("scale.rate_limit_servers", servers)

    twice, missing, recovered_count, per_s = invitations(sink, folder)
    bench("scale.tasks_twice", twice)
    bench("scale.invitations_missing", missing)
    bench("scale.invitations_recovered", recovered_count)
    bench("scale.invitations_per_s", f"{per_s:.0f}")


def main():
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    folder = Path(tempfile.mkdtemp(prefix="manyi-scale-"))
    database = f"manyi_scale_{os.getpid()}"
    keep = os.environ.get("BENCH_KEEP") == "1"
    redis_process = bucket_server = sink = None
    try:
        log(f"Fresh PostgreSQL database {database}, folder {folder}")
        redis_process, cache_url = start_redis(folder)
        bucket_server, storage_url, bucket = start_bucket()
        sink = Sink()
        with postgres_database(database, keep=keep) as url:
            deployed = None
            try:
                deployed = deploy(folder, url, sink, cache_url, storage_url)
                apps, app_processes, _others, port = deployed
                measure(folder, apps, app_processes, port, bucket, sink)
            finally:
                # app_processes holds the restarted server A: the list is changed in place.
                for process in [*deployed[2], *deployed[1]] if deployed else []:
                    with contextlib.suppress(Exception):
                        kill_group(process)
    finally:
        if sink is not None:
            sink.controller.stop()
        if bucket_server is not None:
            bucket_server.stop()
        if redis_process is not None:
            kill_group(redis_process)
        if keep:
            log(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
