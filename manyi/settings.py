"""Manyi settings: every value comes from an environment variable with a safe default.

With nothing set, the app runs on an embedded SQLite database under ./var, in zh-hans,
in the Asia/Shanghai time zone. Set DATABASE_URL to use PostgreSQL.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("MANYI_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key():
    """Use SECRET_KEY when given; otherwise a random key kept in var/, never in the repo."""
    if env_str("SECRET_KEY"):
        return env_str("SECRET_KEY")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The address customers' links in mails and printed QR codes point to. `make run` sets it from
# HOST and PORT; a production server must set it (manyi.checks warns when it does not).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_URL_GIVEN = bool(env_str("SITE_URL"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "auditlog",
    "manyi.organisation",
    "manyi.accounts",
    "manyi.customers",
    "manyi.surveys",
    "manyi.campaigns",
    "manyi.results",
    "manyi.dashboards",
    "manyi.tickets",
    "ninja",  # its API docs page then loads Swagger UI from our static files, not a CDN
    "manyi.api",
    "manyi.reports",
    "manyi.visits",
    "manyi.inspections",
    "manyi.improvements",
    "manyi.forums",
    "manyi.evaluation",
    "manyi.evidence",
    "manyi.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header (below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "manyi.middleware.refuse_nul_in_address",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes documents this).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "manyi.urls"
WSGI_APPLICATION = "manyi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "manyi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "manyi.accounts.context_processors.role",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'manyi.sqlite3'}"),
        # Persistent connections: opening a PostgreSQL connection costs more than a whole
        # answer submission. Health checks (a round trip per request) are off by default: a
        # connection the server closed fails one request, then Django drops it.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; the busy timeout makes a second
    # writer wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
# A working day, not Django's two weeks: staff sessions reach customers' personal data.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
# Behind an HTTPS reverse proxy set HTTPS=true: secure cookies, redirects and HSTS.
if env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
    # A load balancer may probe over plain HTTP (deploy/nginx/manyi.conf).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp) on every response, enforced: scripts, styles, fonts and
# connections only from our own origin (our static files; no inline <script>, no on*= handlers,
# no eval, no style="" attributes), images also as data: URLs (report charts), nothing may
# frame a page. A text that slipped through escaping still cannot run a script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes): lock a user name + address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address as the rate limits see it: X-Forwarded-For only from TRUSTED_PROXIES
# (behind nginx every login would otherwise come from 127.0.0.1 and lock out together).
AXES_CLIENT_IP_CALLABLE = "manyi.accounts.ratelimit.login_client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "manyi" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "manyi" / "static"]
# Serve static files from our own process in every mode: no CDN, works offline.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"


def _s3_options(url):
    """S3-compatible object storage (MinIO, Aliyun OSS, Amazon S3) for uploaded and generated
    files, from STORAGE_URL=s3://bucket/prefix?endpoint_url=https://…&region_name=…&addressing_style=path
    and the AWS_* variables django-storages and boto3 read (AWS_STORAGE_BUCKET_NAME,
    AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    AWS_S3_ADDRESSING_STYLE, AWS_LOCATION); None: neither is set, files stay on the local disk."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    options = {}
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ValueError(
                "STORAGE_URL must be empty (the local disk) or s3://bucket/prefix?endpoint_url=…"
            )
        options = {"bucket_name": parts.hostname, "location": parts.path.strip("/")}
        if parts.username:
            options["access_key"], options["secret_key"] = (
                unquote(parts.username),
                unquote(parts.password or ""),
            )
        allowed = {"endpoint_url", "region_name", "addressing_style", "signature_version"}
        for key, value in parse_qsl(parts.query):
            if key not in allowed:
                raise ValueError(f"STORAGE_URL: unknown option {key!r} (known: {', '.join(sorted(allowed))})")
            options[key] = value
    from_environment = {
        "bucket_name": "AWS_STORAGE_BUCKET_NAME",
        "location": "AWS_LOCATION",
        "endpoint_url": "AWS_S3_ENDPOINT_URL",
        "region_name": "AWS_S3_REGION_NAME",
        "access_key": "AWS_ACCESS_KEY_ID",
        "secret_key": "AWS_SECRET_ACCESS_KEY",
        "addressing_style": "AWS_S3_ADDRESSING_STYLE",
    }
    for option, name in from_environment.items():
        if env_str(name) and not options.get(option):
            options[option] = env_str(name)
    if not options.get("bucket_name"):
        return None
    return {
        **options,
        # Signature version 4: what MinIO, Aliyun OSS and Amazon S3 all accept.
        "signature_version": options.get("signature_version", "s3v4"),
        # Never public: private files leave the bucket only through permission-checked views.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": PRIVATE_FILES_URL_SECONDS,
        # Stored names are random; a name that exists is never written over, it gets a new one.
        "file_overwrite": False,
    }


PRIVATE_FILES_URL_SECONDS = env_int("PRIVATE_FILES_URL_SECONDS", 60)
# Where files are kept: the local disk (MEDIA_ROOT) by default, an S3-compatible bucket when
# STORAGE_URL or AWS_STORAGE_BUCKET_NAME is set (every app server then sees every file).
S3_OPTIONS = _s3_options(env_str("STORAGE_URL", ""))
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}
        if S3_OPTIONS
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Private files (ticket attachments, improvement evidence) reach a permitted user "stream"ed
# through the app (default), or, with "presigned", by a redirect to a link to the bucket valid
# for PRIVATE_FILES_URL_SECONDS (the app servers then carry no file bytes).
PRIVATE_FILES_DELIVERY = env_str("PRIVATE_FILES_DELIVERY", "stream")
if PRIVATE_FILES_DELIVERY not in ("stream", "presigned"):
    raise ValueError("PRIVATE_FILES_DELIVERY must be stream or presigned")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest import file accepted (bytes).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# An .xlsx import unpacked (zip bombs), and the data rows of one import file: checked before
# the file is read (manyi/uploads.py).
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# Ticket attachments (photos, PDF): checked by content, stored outside any served folder.
TICKET_ATTACHMENT_MAX_BYTES = env_int("TICKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
TICKET_ATTACHMENT_MAX_FILES = env_int("TICKET_ATTACHMENT_MAX_FILES", 5)
TICKET_ATTACHMENT_ROOT = Path(env_str("TICKET_ATTACHMENT_ROOT", str(MEDIA_ROOT / "private" / "tickets")))
# The "Due soon" ticket queue: tickets with a deadline to meet within this many hours.
TICKET_DUE_SOON_HOURS = env_int("TICKET_DUE_SOON_HOURS", 24)
# Feedback sent through the API received longer ago than this is refused (422): a typing
# mistake, not feedback; it would open a ticket overdue at once.
API_RECEIVED_AT_MAX_AGE_DAYS = env_int("API_RECEIVED_AT_MAX_AGE_DAYS", 365)

# Without a mail server configured (EMAIL_HOST), e-mails are written as files to var/sent-mail
# instead of being lost: the demo works offline and nothing is sent by accident.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "sent-mail"
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "manyi@localhost")
# Messages per SMTP connection when sending invitations in bulk.
EMAIL_BATCH_SIZE = env_int("EMAIL_BATCH_SIZE", 200)
# Minutes after which an invitation claimed for sending but given no outcome (its worker was
# killed mid-send) goes back to the queue (campaigns/recovery.py): longer than one batch takes.
SEND_CLAIM_LEASE_MINUTES = env_int("SEND_CLAIM_LEASE_MINUTES", 15)

# SMS invitations (campaigns/channels/sms/): off unless SMS_PROVIDER names a gateway, "aliyun"
# (Aliyun SMS) or "tencent" (Tencent Cloud SMS), with its key pair, sign name (签名) and
# approved templates; SMS_ENDPOINT overrides the gateway's address (tests use a local fake).
# Receipts and replies are accepted at /s/sms/<provider>/<receipts|replies>/<SMS_CALLBACK_SECRET>/.
SMS_PROVIDER = env_str("SMS_PROVIDER", "").strip().lower()
SMS_ACCESS_KEY_ID = env_str("SMS_ACCESS_KEY_ID")
SMS_ACCESS_KEY_SECRET = env_str("SMS_ACCESS_KEY_SECRET")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME")
SMS_APP_ID = env_str("SMS_APP_ID")  # Tencent's SmsSdkAppId
SMS_TEMPLATE_INVITATION = env_str("SMS_TEMPLATE_INVITATION")
SMS_TEMPLATE_REMINDER = env_str("SMS_TEMPLATE_REMINDER")  # empty: the invitation's template
SMS_REGION = env_str("SMS_REGION")
SMS_ENDPOINT = env_str("SMS_ENDPOINT")
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)
SMS_CALLBACK_SECRET = env_str("SMS_CALLBACK_SECRET")

# Background work (DESIGN.md): Django's Tasks API. TASKS_BACKEND=database (the default): the
# database is the queue, no broker; TASKS_BACKEND=rq: a Redis queue (TASKS_REDIS_URL, else
# CACHE_URL when it is Redis) through django-tasks-rq. `manage.py worker` runs either's worker.
TASKS_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database").strip() or "database"
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ValueError(f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}, not {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND]}}
if TASKS_BACKEND == "rq":
    _tasks_redis = env_str("TASKS_REDIS_URL") or env_str("CACHE_URL")
    if not _tasks_redis.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("TASKS_BACKEND=rq needs TASKS_REDIS_URL (or CACHE_URL) = redis://host:6379/1")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A job that has not finished in RQ_JOB_TIMEOUT seconds is stopped (RQ's own limit).
    RQ_QUEUES = {"default": {"URL": _tasks_redis, "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT", 3600)}}
# Submissions through an anonymous public link: at most this many per client address per window,
# counted in the database (manyi/accounts/ratelimit.py) so that every worker and server shares it.
PUBLIC_SUBMIT_RATE = env_str("PUBLIC_SUBMIT_RATE", "20/600")
# Acknowledgement e-mails of the public feedback form (and of ticket mail) per recipient
# address per seconds: the form takes any address, so it must not relay mail in bulk.
FEEDBACK_ACKNOWLEDGEMENT_RATE = env_str("FEEDBACK_ACKNOWLEDGEMENT_RATE", "3/86400")
# Dashboards and reports warn that figures from fewer valid responses are indicative only.
ANALYSIS_MIN_RESPONSES = env_int("ANALYSIS_MIN_RESPONSES", 30)
# A dashboard whose campaign dataset would read at least this many responses from the database
# first (a cold build) shows "preparing figures (n %)" while the task worker builds it, and such
# a build is copied to the shared storage for the other app servers (results/dataset.py).
ANALYSIS_BACKGROUND_ROWS = env_int("ANALYSIS_BACKGROUND_ROWS", 50_000)
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client, for the rate
# limits and the login lockouts; empty: none, the header is ignored (any client could write it).
# Behind nginx on the same machine (deploy/nginx/manyi.conf): TRUSTED_PROXIES=127.0.0.1,::1.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")


def _caches(url):
    """The cache every process shares: the database by default (works with several gunicorn
    workers on SQLite and PostgreSQL, and across servers on PostgreSQL), Redis by
    CACHE_URL=redis://host:6379/0. Never a process's own memory: what one worker caches or
    clears, the others must see."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    elif url in ("", "db://"):
        backend = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "manyi_cache"}
    else:
        raise ValueError(f"CACHE_URL must be empty (the database) or redis://…, not {url!r}")
    return {"default": {**backend, "KEY_PREFIX": "manyi", "TIMEOUT": 3600}}


CACHES = _caches(env_str("CACHE_URL", ""))

# Customer lifecycle thresholds, in days since purchases (see customers.lifecycle).
CUSTOMER_LIFECYCLE = {
    "new_days": env_int("LIFECYCLE_NEW_DAYS", 90),
    "dormant_after_days": env_int("LIFECYCLE_DORMANT_DAYS", 180),
    "lost_after_days": env_int("LIFECYCLE_LOST_DAYS", 365),
}

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # Our own INFO lines (imports, exports) are an operational record worth keeping.
    "loggers": {
        "manyi": {"handlers": ["console"], "level": env_str("MANYI_LOG_LEVEL", "INFO"), "propagate": False}
    },
}

from django.contrib.messages import constants as message_constants  # noqa: E402

MESSAGE_TAGS = {message_constants.ERROR: "danger"}
