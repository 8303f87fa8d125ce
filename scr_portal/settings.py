"""Settings for SCR Portal.

Everything comes from the environment (django-environ, conventional names). With nothing set, the embedded
default serves one machine with no servers: SQLite under var/, Celery tasks run in-process, email to the
console. Setting DATABASE_URL and REDIS_URL switches to PostgreSQL and a real broker; nothing else changes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()


def _embedded_secret_key() -> str:
    """A per-installation key kept under var/, so the embedded default never runs on a published key."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "csp",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "scr_portal.accounts",
    "scr_portal",
    "reviews",
    "commissioning",
    "conduct",
    "responses",
    "markers",
    "documents",
    "records",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Signed-in pages are never kept by the browser or a proxy (the Back button after signing out).
    "scr_portal.accounts.middleware.NoStoreForSignedInMiddleware",
    # Signed-in people who are not staff get a 403 at /admin/, not a redirect loop through sign-in.
    "scr_portal.accounts.middleware.AdminForStaffOnlyMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "scr_portal.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Tells a person when work they started (an email, a document) waits for the task queue to come back.
    "scr_portal.outbox.DelayMessagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scr_portal.urls"
WSGI_APPLICATION = "scr_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviews.context_processors.portal",
            ],
            # The GOV.UK table component, used by every app's pages, needs no {% load %}.
            "builtins": ["scr_portal.templatetags.govuk_table", "scr_portal.templatetags.portal_dates"],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (postgres://… uses psycopg2).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep connections, but check them before use so a restarted server costs no failed request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: it pays off for long analytical queries, never for a portal's; the estimate of a
    # board's export set it off and spent 27 ms compiling a query that then ran in less.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # The web processes (scr_portal/wsgi.py sets it) give up on a statement after this many seconds, well
    # under gunicorn's 30-second timeout: a long lock wait ends in the 503 page, not a dropped connection.
    # Workers and commands (migrations, the scale seed) have no such limit unless it is set for them.
    STATEMENT_TIMEOUT_SECONDS = env.int("DATABASE_STATEMENT_TIMEOUT", default=0)
    if STATEMENT_TIMEOUT_SECONDS:
        options["options"] += f" -c statement_timeout={STATEMENT_TIMEOUT_SECONDS * 1000}"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: take the write lock at the start of each transaction instead, so two
    # conflicting writes queue rather than one failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # The board plans' covering index (responses.Action's `action_plan_groups`) includes columns SQLite cannot
    # hold in an index: there it is a plain index on the review, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link lasts three hours
# Reset emails asked for within an hour: at most 3 for one address and 20 from one computer (an office behind
# one address included); beyond that the page says the same and nothing is sent (scr_portal.accounts).
PASSWORD_RESET_WINDOW = timedelta(hours=1)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=20)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Locale: England; dates read "3 March 2026" (see scr_portal/formats/en_GB).
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["scr_portal.formats"]

# Static files are built into static/ and served by WhiteNoise; hashed names when not debugging.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# No MEDIA_URL on purpose: uploaded files are only ever served through permission-checked views.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Large uploads are written while they arrive to a folder of each web process's own under this one, removed
# when the process exits however it exits (scr_portal/files.py, gunicorn.conf.py's child_exit).
FILE_UPLOAD_TEMP_DIR = str(env.path("FILE_UPLOAD_TEMP_DIR", default=str(VAR_DIR / "uploads")))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "scr_portal.files.ProcessTemporaryFileUploadHandler",
]
# A stored file no row names (its writer died before committing) is removed by the sweep after this long.
ORPHAN_FILE_GRACE_SECONDS = env.int("ORPHAN_FILE_GRACE_SECONDS", default=60 * 60)

# Redis: Celery broker and result backend when REDIS_URL is set; otherwise tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
# No cache: nothing needs one (sessions and django-axes lockouts are in the database) and no page may use one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# With no broker, documents and exports are made in a thread of the server process: the request returns at
# once and the status page shows the document being made, as with a worker (scr_portal.outbox).
TASKS_IN_BACKGROUND_THREAD = env.bool("TASKS_IN_BACKGROUND_THREAD", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
# A task whose worker dies is run again, so every task is written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message out again after this long: longer than our longest task. Its
# connections time out quickly, so a broker that hangs rather than refuses cannot hold a request long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
}
# Queuing work from a request gives up quickly when the broker is away (measured: 0.1 s when Redis is
# stopped, 2 s when it accepts connections but never answers): the work is already recorded in the
# database, and scr_portal.outbox tells the person and leaves it to the catch-up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.1,
    "interval_step": 0.1,
    "interval_max": 0.2,
}
# Nobody waits for a task's result (except `check_services`' heartbeat, which asks for its own). Results
# kept would also make queuing subscribe to them in Redis, which retries for 19 s with Redis away.
CELERY_TASK_IGNORE_RESULT = True
# A worker doing a piece of work (making a document, an export or a subject-access export, applying a
# retention decision) holds a lease on it for this long, renewed while it works: a worker that stopped is
# known within this time, and another takes the work over (scr_portal/leases.py).
WORK_LEASE_SECONDS = env.int("WORK_LEASE_SECONDS", default=60)
# The queue tasks are sent to, and which workers consume by default (tests give their workers one each).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Daily, early: deadline reminders first, then the summary emails that include them.
    "deadline-reminders": {"task": "reviews.send_deadline_reminders", "schedule": crontab(hour=6, minute=30)},
    "summary-reminders": {"task": "reviews.send_summary_reminders", "schedule": crontab(hour=6, minute=40)},
    "input-reminders": {"task": "commissioning.send_input_reminders", "schedule": crontab(hour=6, minute=45)},
    "information-reminders": {
        "task": "conduct.send_information_reminders",
        "schedule": crontab(hour=6, minute=47),
    },
    "practitioner-reminders": {
        "task": "conduct.send_practitioner_reminders",
        "schedule": crontab(hour=6, minute=48),
    },
    "accuracy-reminders": {"task": "conduct.send_accuracy_reminders", "schedule": crontab(hour=6, minute=48)},
    "action-reminders": {"task": "responses.send_action_reminders", "schedule": crontab(hour=6, minute=50)},
    "daily-digests": {"task": "reviews.send_daily_digests", "schedule": crontab(hour=7, minute=0)},
    # Documents and exports the queue no longer holds, or whose worker stopped, are handed out again.
    "documents-requeue": {"task": "documents.requeue_stale", "schedule": crontab(minute="*/5")},
    # Retention decisions and subject-access exports likewise; exports more than a day old are removed.
    "records-requeue": {"task": "records.requeue_stale", "schedule": crontab(minute="*/5")},
    # Stored files no record names (their writer died before committing), after a grace period.
    "files-sweep": {"task": "portal.sweep_files", "schedule": crontab(minute="*/15")},
    # Immediate emails whose task could not be queued (the broker was away) are sent once it is back.
    "emails-catch-up": {"task": "reviews.send_pending_emails", "schedule": crontab(minute="*/5")},
    # "Action needed" notifications whose action is no longer possible (closed review, stage left).
    "notifications-resolve": {
        "task": "reviews.resolve_notifications",
        "schedule": crontab(hour=6, minute=20),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Without beat (the embedded default), `manage.py run_periodic` runs the same jobs and keeps here when each
# last ran (scr_portal/periodic.py).
PERIODIC_STATE_FILE = env.path("PERIODIC_STATE_FILE", default=str(VAR_DIR / "periodic-runs.json"))
# Tasks that live in a part of an app rather than in the app's own tasks module.
CELERY_IMPORTS = ("responses.actions.tasks",)

# Email: console unless EMAIL_URL says otherwise (smtp://user:pass@host:587 with ?tls=True, …).
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SCR Portal <no-reply@scr-portal.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Lockout after repeated failed sign-ins: by email address and IP address together, so nobody can lock a
# colleague out from elsewhere, and for a cool-off period rather than for ever.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "scr_portal.accounts.lockout.username"
AXES_LOCKOUT_CALLABLE = "scr_portal.accounts.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = True

# Two-factor authentication (TOTP): required for chairs and administrators, available to everyone.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="SCR Portal")

# Sessions: end after an idle period, and with the browser.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "scr_portal.errors.csrf_failure"  # the portal's page, not Django's bare one

# Transport security: on by default outside debugging; SECURE_SSL_REDIRECT can be switched off when a
# proxy in front redirects, and SECURE_PROXY_SSL_HEADER trusted when that proxy sets it.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# History is read, never replayed: a revert would bypass the workflow and its checks.
SIMPLE_HISTORY_REVERT_DISABLED = True

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

PORTAL_NAME = "SCR Portal"
# The address people use to reach the portal, for links in emails (`check --deploy` warns when it is left
# at this machine's own address with DEBUG off: scr_portal/checks.py).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="") or "http://127.0.0.1:8000"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"outage": {"()": "scr_portal.errors.OutageLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A request refused during a database outage: one line at WARNING, no traceback.
        "django.request": {"filters": ["outage"]},
        # WeasyPrint logs every page of every layout pass at INFO: keep its warnings (refused URLs) only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
