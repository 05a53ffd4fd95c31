"""gunicorn settings for one Manyi app server (issue 17, point 4).

Started by deploy/systemd/manyi-web.service as
    gunicorn --config /opt/manyi/deploy/gunicorn.conf.py manyi.wsgi:application
Every value can be changed by an environment variable of the same name in
/etc/manyi/manyi.env (GUNICORN_WORKERS, GUNICORN_BIND, ...).
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# nginx on the same machine talks to gunicorn over this address; another machine's nginx
# would use 0.0.0.0:8000 with a firewall that lets only the proxies in.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers: Django views block on the database. Two per core plus one is
# gunicorn's own advice; each worker holds one database connection (DB_CONN_MAX_AGE), so
# PostgreSQL's max_connections must exceed servers x workers + db_workers + a margin.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# A report PDF or a large export may take a minute; an answer submission takes milliseconds.
# A worker silent for longer than this is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 120)
# On a restart (upgrade), running requests get this long to finish before workers are killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to us open between requests.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# A worker is replaced after this many requests (with jitter, so that they do not all restart
# at once): memory that grows through a long run is given back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Load the application before forking: workers share the imported code (scipy, numpy,
# matplotlib take seconds to import) and a broken deployment fails at start, not on the
# first request.
preload_app = True

# Which peers' X-Forwarded-Proto gunicorn believes (the https redirect and secure cookies
# rely on it). The client address for rate limits and login lockouts is read by the app
# itself from X-Forwarded-For, and only from the peers in TRUSTED_PROXIES (manyi/settings.py).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to the journal (systemd captures standard output and error).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The access log leaves out the query string: answer links carry invitation tokens.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms "%(a)s"'

proc_name = "manyi-web"
